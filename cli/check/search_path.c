/* search_path.c - the loader's and execvp's search paths, imitated with
 * every file system question injected; see search_path.h. */
#include "search_path.h"
#include "check_elf.h"
#include "check_util.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- dynamic string tokens --------------------------------------------- */

/* Whether @s (length @len) starts with the token @tok, written $TOK or
 * ${TOK}; sets *@used to the characters it takes.  Unbraced, the token
 * must end the entry or be followed by '/', as for glibc. */
static bool dst_token(const char *s, size_t len, const char *tok, size_t *used)
{
	size_t n = strlen(tok);

	if (len >= n + 3 && s[1] == '{' && strncmp(s + 2, tok, n) == 0 &&
	    s[n + 2] == '}') {
		*used = n + 3;
		return true;
	}
	if (len >= n + 1 && strncmp(s + 1, tok, n) == 0 &&
	    (len == n + 1 || s[n + 1] == '/')) {
		*used = n + 1;
		return true;
	}
	return false;
}

int check_expand_dst(const char *entry, size_t len, const char *origin,
		     char *out, size_t cap)
{
	size_t o = 0, i = 0, used;

	if (cap == 0)
		return -ENAMETOOLONG;
	if (len == 0)
		entry = ".", len = 1;
	while (i < len) {
		const char *add = entry + i;
		size_t n = 1;

		if (entry[i] == '$') {
			if (dst_token(entry + i, len - i, "ORIGIN", &used)) {
				add = origin;
				n = strlen(origin);
				i += used;
			} else if (dst_token(entry + i, len - i, "LIB", &used) ||
				   dst_token(entry + i, len - i, "PLATFORM",
					     &used)) {
				return -EINVAL;
			} else {
				i++;
			}
		} else {
			i++;
		}
		if (o + n >= cap)
			return -ENAMETOOLONG;
		memcpy(out + o, add, n);
		o += n;
	}
	out[o] = '\0';
	return 0;
}

/* ---- the loader's trusted directories --------------------------------- */

void search_dirs_add(search_dirs *l, const char *s, size_t len)
{
	char *d;

	if (l->n >= SEARCH_MAX_DIRS || len == 0 || s[0] != '/')
		return;
	for (size_t i = 0; i < l->n; i++)
		if (strlen(l->v[i]) == len && strncmp(l->v[i], s, len) == 0)
			return;
	d = strndup(s, len);
	if (d != NULL)
		l->v[l->n++] = d;
	l->v[l->n] = NULL;
}

void search_dirs_free(search_dirs *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	l->n = 0;
	l->v[0] = NULL;
}

/* What an "include" passes down to each file its glob matched. */
typedef struct conf_include {
	search_dirs *l;
	const search_conf_io *io;
	int depth;
} conf_include;

static void conf_include_one(void *arg, const char *path)
{
	const conf_include *inc = arg;

	search_conf_read(inc->l, path, inc->io, inc->depth);
}

/* One line of ld.so.conf file @file (terminated, newline included). */
static void conf_line(search_dirs *l, const char *file, char *line,
		      const search_conf_io *io, int depth)
{
	char *p = line, *hash = strchr(line, '#');
	size_t n;

	if (hash != NULL)
		*hash = '\0';
	while (isspace((unsigned char)*p))
		p++;
	n = strlen(p);
	while (n > 0 && isspace((unsigned char)p[n - 1]))
		p[--n] = '\0';
	if (strncmp(p, "include", 7) == 0 && isspace((unsigned char)p[7])) {
		char pattern[CHECK_PATH_MAX], dir[CHECK_PATH_MAX];
		conf_include inc = { l, io, depth + 1 };

		p += 8;
		while (isspace((unsigned char)*p))
			p++;
		check_dir_name(file, dir, sizeof(dir));
		if (p[0] == '/')
			check_copy(pattern, sizeof(pattern), p);
		else if (!check_format(pattern, sizeof(pattern), "%s/%s",
				       dir, p))
			return;
		if (depth < SEARCH_CONF_DEPTH)
			io->glob(io->ctx, pattern, conf_include_one, &inc);
	} else if (strncmp(p, "hwcap", 5) != 0) {
		/* "DIR" or "DIR=TYPE"; ldconfig also splits on ':' and ','. */
		search_dirs_add(l, p, strcspn(p, " \t:,="));
	}
}

void search_conf_read(search_dirs *l, const char *file,
		      const search_conf_io *io, int depth)
{
	char line[SEARCH_CONF_LINE];
	char *text;
	size_t len, pos = 0;

	if (io->read_file(io->ctx, file, &text, &len) < 0)
		return;
	/* In the pieces fgets() would return: up to a newline, or one byte
	 * less than the line buffer. */
	while (pos < len) {
		size_t n = 0;

		while (n < sizeof(line) - 1 && pos + n < len)
			if (text[pos + n++] == '\n')
				break;
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos += n;
		conf_line(l, file, line, io, depth);
	}
	free(text);
}

/* The multiarch directory of this build, where Debian keeps libraries. */
#if defined(__x86_64__) && !defined(__ILP32__)
#define MULTIARCH "x86_64-linux-gnu"
#elif defined(__aarch64__)
#define MULTIARCH "aarch64-linux-gnu"
#elif defined(__i386__)
#define MULTIARCH "i386-linux-gnu"
#endif

void search_default_dirs(search_dirs *l)
{
	static const char *const defaults[] = {
#ifdef MULTIARCH
		"/lib/" MULTIARCH, "/usr/lib/" MULTIARCH,
#endif
		"/lib64", "/usr/lib64", "/lib", "/usr/lib",
	};

	for (size_t i = 0; i < ARRAY_SIZE(defaults); i++)
		search_dirs_add(l, defaults[i], strlen(defaults[i]));
}

/* ---- finding a library ------------------------------------------------- */

/* Search the entries of @list (separated by any of @seps), each expanded
 * with @origin, for @name; the path found goes to @out. */
static int search_list(const search_env *e, const char *list,
		       const char *seps, const char *origin, const char *name,
		       char *out, size_t cap)
{
	const char *p = list;

	for (;;) {
		size_t len = strcspn(p, seps);
		char dir[CHECK_PATH_MAX];

		if (check_expand_dst(p, len, origin, dir, sizeof(dir)) == 0 &&
		    (size_t)snprintf(out, cap, "%s/%s", dir, name) < cap &&
		    e->accept(e->ctx, out))
			return 0;
		if (p[len] == '\0')
			return -ENOENT;
		p += len + 1;
	}
}

int search_library(const search_env *e, const search_needer *n,
		   const char *name, char *out, size_t cap)
{
	const char *llp = e->ld_library_path;

	if (strchr(name, '/') != NULL) {
		check_copy(out, cap, name);
		return e->accept(e->ctx, out) ? 0 : -ENOENT;
	}
	if (n->runpath == NULL) {
		if (n->rpath != NULL &&
		    search_list(e, n->rpath, ":", n->origin, name, out,
				cap) == 0)
			return 0;
		if (!n->program && e->exe_rpath != NULL &&
		    search_list(e, e->exe_rpath, ":", e->exe_origin, name,
				out, cap) == 0)
			return 0;
	}
	if (llp != NULL && llp[0] != '\0' &&
	    search_list(e, llp, ":;", e->exe_origin, name, out, cap) == 0)
		return 0;
	if (n->runpath != NULL &&
	    search_list(e, n->runpath, ":", n->origin, name, out, cap) == 0)
		return 0;
	if (n->nodeflib)
		return -ENOENT;
	for (size_t i = 0; e->trusted[i] != NULL; i++)
		if ((size_t)snprintf(out, cap, "%s/%s", e->trusted[i], name) <
		    cap && e->accept(e->ctx, out))
			return 0;
	return -ENOENT;
}

/* ---- finding a command ------------------------------------------------- */

int search_command(const char *name, const char *path_env,
		   int (*probe)(void *ctx, const char *path), void *ctx,
		   char *out, size_t cap)
{
	bool denied = false;
	const char *p;

	if (name[0] == '\0')
		return -ENOENT;
	if (strchr(name, '/') != NULL) {
		if ((size_t)snprintf(out, cap, "%s", name) >= cap)
			return -ENAMETOOLONG;
		return 0;
	}
	p = path_env != NULL ? path_env : SEARCH_DEFAULT_PATH;
	for (;;) {
		size_t len = strcspn(p, ":");

		if ((size_t)snprintf(out, cap, "%.*s%s%s", (int)len, p,
				     len ? "/" : "", name) < cap) {
			int err = probe(ctx, out);

			if (err == 0)
				return 0;
			if (err == -EACCES)
				denied = true; /* execvp goes on, then says EACCES */
		}
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
	return denied ? -EACCES : -ENOENT;
}
