/* closure.c - a program's DT_NEEDED closure; see closure.h. */
#include "closure.h"
#include "check_util.h"
#include "search_sys.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* search_library()'s question: would the loader take @path for this
 * program? */
static bool closure_accept(void *ctx, const char *path)
{
	const closure *cl = ctx;

	return elfread_matches(path, cl->elf_class, cl->data, cl->machine);
}

/* Find the library @name needed by object @req (whose .dynamic is @d) as
 * the loader would (search_library()). */
static int find_library(const closure *cl, size_t req, const elfread_dyn *d,
			const char *name, char *out, size_t cap)
{
	char origin[CHECK_PATH_MAX];
	search_env e = {
		.ld_library_path = cl->o->ld_library_path,
		.exe_origin = cl->exe_origin,
		.exe_rpath = cl->exe_rpath,
		.trusted = cl->dirs,
		.accept = closure_accept,
		.ctx = (void *)cl,
	};
	search_needer n = {
		.program = req == 0,
		.origin = origin,
		.rpath = d->rpath,
		.runpath = d->runpath,
		.nodeflib = (d->flags_1 & DF_1_NODEFLIB) != 0,
	};

	if (req == 0)
		check_copy(origin, sizeof(origin), cl->exe_origin);
	else
		check_dir_name(cl->objs[req].path, origin, sizeof(origin));
	return search_library(&e, &n, name, out, cap);
}

/* Whether @name is already in the closure, by the name it was needed by
 * or its DT_SONAME. */
static bool known_name(const closure *cl, const char *name)
{
	for (size_t i = 0; i < cl->n; i++)
		if (strcmp(cl->objs[i].name, name) == 0 ||
		    (cl->objs[i].soname && strcmp(cl->objs[i].soname, name) == 0))
			return true;
	return false;
}

/* Add object @i's needed libraries to the closure (breadth first: they
 * are read after everything queued before them). */
static void queue_needed(closure *cl, size_t i, const elfread_dyn *d,
			 check_result *r)
{
	for (size_t k = 0; k < d->n_needed; k++) {
		const char *name = d->needed[k];
		char path[CHECK_PATH_MAX];
		struct stat st;
		bool dup = false;
		closure_object *ob;

		if (known_name(cl, name))
			continue;
		if (find_library(cl, i, d, name, path, sizeof(path)) < 0 ||
		    stat(path, &st) < 0) {
			if (r->n_missing++ == 0)
				check_note(r, "%s (needed by %s) not found: the "
					   "loader would not start it", name,
					   cl->objs[i].name);
			continue;
		}
		for (size_t j = 0; j < cl->n && !dup; j++)
			dup = cl->objs[j].dev == st.st_dev &&
			      cl->objs[j].ino == st.st_ino;
		if (dup)
			continue;
		if (cl->n >= CHECK_MAX_OBJECTS + 1) {
			r->truncated = true;
			continue;
		}
		ob = &cl->objs[cl->n];
		ob->path = strdup(path);
		ob->name = strdup(name);
		ob->soname = NULL;
		ob->dev = st.st_dev;
		ob->ino = st.st_ino;
		ob->parent = (int)i;
		if (ob->path == NULL || ob->name == NULL) {
			free(ob->path);
			free(ob->name);
			r->truncated = true;
			continue;
		}
		cl->n++;
	}
}

/* Note a TLS library found as object @i. */
static void note_tls(const closure *cl, size_t i, check_result *r)
{
	const check_tls_lib *t = check_tls_lib_find(cl->objs[i].name);
	check_tls *tls;
	int parent = cl->objs[i].parent;

	if (t == NULL || r->n_tls >= CHECK_MAX_TLS)
		return;
	tls = &r->tls[r->n_tls++];
	check_copy(tls->soname, sizeof(tls->soname),
		   check_base_name(cl->objs[i].name));
	check_copy(tls->via, sizeof(tls->via),
		   parent > 0 ? check_base_name(cl->objs[parent].name) : "");
	tls->library = t->library;
	tls->decoded = t->decoded;
}

void closure_set_runtime(check_result *r, const check_runtime *rt,
			 const char *dir, const char *by)
{
	char real[CHECK_PATH_MAX], pattern[CHECK_PATH_MAX];

	r->runtime = rt->name;
	r->runtime_note = rt->note;
	check_copy(r->runtime_by, sizeof(r->runtime_by), by);
	if (realpath(dir, real) == NULL)
		check_copy(real, sizeof(real), dir);
	for (size_t i = 0; i < ARRAY_SIZE(rt->loads) &&
			   rt->loads[i] != NULL; i++) {
		glob_t g;

		if (!check_format(pattern, sizeof(pattern), "%s/%s", real,
				  rt->loads[i]) ||
		    glob(pattern, 0, NULL, &g) != 0)
			continue;
		if (g.gl_pathc > 0)
			check_copy(r->runtime_loads, sizeof(r->runtime_loads),
				   g.gl_pathv[0]);
		globfree(&g);
		if (r->runtime_loads[0] != '\0')
			break;
	}
}

/* Note a language runtime found as object @i, unless one was. */
static void note_runtime(const closure *cl, size_t i, check_result *r)
{
	const check_runtime *rt = check_runtime_by_library(cl->objs[i].name);
	int parent = cl->objs[i].parent;
	char dir[CHECK_PATH_MAX], by[CHECK_NAME_MAX];

	if (rt == NULL || r->runtime != NULL)
		return;
	if (parent > 0)
		check_format(by, sizeof(by), "%s via %s",
			     check_base_name(cl->objs[i].name),
			     check_base_name(cl->objs[parent].name));
	else
		check_format(by, sizeof(by), "%s, needed directly",
			     check_base_name(cl->objs[i].name));
	check_dir_name(cl->objs[i].path, dir, sizeof(dir));
	closure_set_runtime(r, rt, dir, by);
}

/* Read each library of the closure after the program (object 0, already
 * read): its imports, its DT_SONAME and its own needed libraries.
 * Returns whether every library's symbols could be read. */
static bool walk_closure(closure *cl, check_result *r)
{
	bool complete = true;

	for (size_t i = 1; i < cl->n; i++) {
		int fd = open(cl->objs[i].path, O_RDONLY | O_CLOEXEC);
		Elf *elf = fd >= 0 ? elf_begin(fd, ELF_C_READ_MMAP, NULL) : NULL;
		elfread_dyn d;

		note_tls(cl, i, r);
		note_runtime(cl, i, r);
		if (elf == NULL || elf_kind(elf) != ELF_K_ELF) {
			complete = false;
		} else {
			elfread_dynamic(elf, &d);
			if (d.soname != NULL)
				cl->objs[i].soname = strdup(d.soname);
			if (!elfread_symbols(elf, &r->imports, NULL, NULL))
				complete = false;
			queue_needed(cl, i, &d, r);
		}
		if (elf != NULL)
			elf_end(elf);
		if (fd >= 0)
			close(fd);
	}
	return complete;
}

void closure_free(closure *cl)
{
	for (size_t i = 0; i < cl->n; i++) {
		free(cl->objs[i].path);
		free(cl->objs[i].name);
		free(cl->objs[i].soname);
	}
	free(cl->objs);
	free(cl->exe_rpath);
	search_dirs_free(&cl->own_dirs);
}

int closure_init(closure *cl, const check_opts *o, const char *path,
		 const struct stat *st, const GElf_Ehdr *eh,
		 const elfread_dyn *d)
{
	char real[CHECK_PATH_MAX];

	memset(cl, 0, sizeof(*cl));
	cl->o = o;
	cl->objs = calloc(CHECK_MAX_OBJECTS + 1, sizeof(*cl->objs));
	if (cl->objs == NULL)
		return -ENOMEM;
	cl->elf_class = eh->e_ident[EI_CLASS];
	cl->data = eh->e_ident[EI_DATA];
	cl->machine = eh->e_machine;
	if (o->lib_dirs != NULL) {
		cl->dirs = o->lib_dirs;
	} else {
		search_sys_trusted_dirs(&cl->own_dirs);
		cl->dirs = (const char *const *)cl->own_dirs.v;
	}
	/* The loader takes the program's $ORIGIN from its real path. */
	if (realpath(path, real) != NULL)
		check_dir_name(real, cl->exe_origin, sizeof(cl->exe_origin));
	else
		check_dir_name(path, cl->exe_origin, sizeof(cl->exe_origin));
	if (d->rpath != NULL && d->runpath == NULL)
		cl->exe_rpath = strdup(d->rpath);
	cl->objs[0].path = strdup(path);
	cl->objs[0].name = strdup(check_base_name(path));
	cl->objs[0].soname = d->soname ? strdup(d->soname) : NULL;
	cl->objs[0].dev = st->st_dev;
	cl->objs[0].ino = st->st_ino;
	cl->objs[0].parent = -1;
	cl->n = 1;
	if (cl->objs[0].path == NULL || cl->objs[0].name == NULL)
		return -ENOMEM;
	return 0;
}

bool closure_read(closure *cl, const elfread_dyn *d, check_result *r)
{
	queue_needed(cl, 0, d, r);
	return walk_closure(cl, r);
}
