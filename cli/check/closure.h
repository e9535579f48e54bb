/*
 * closure.h - a program's DT_NEEDED closure, read as the loader would
 * load it: breadth first from the program, each name looked for as
 * search_path.h says, each file read once (by device and inode, and not
 * again under a name or DT_SONAME already loaded), at most
 * CHECK_MAX_OBJECTS libraries.  Reading it fills a check_result with the
 * interposed functions imported, the TLS libraries and the language
 * runtime found, and a note for the first library that is missing.
 */
#ifndef HT_CLOSURE_H
#define HT_CLOSURE_H

#include <gelf.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "check_elf.h"
#include "check_names.h"
#include "elf_read.h"
#include "search_path.h"

/* One object of the closure; object 0 is the program. */
typedef struct closure_object {
	char *path;   /* where it was found */
	char *name;   /* the DT_NEEDED name it was found by (program: base) */
	char *soname; /* its DT_SONAME once read, or NULL */
	dev_t dev;
	ino_t ino;
	int parent;   /* the object that needs it; -1 for the program */
} closure_object;

typedef struct closure {
	const check_opts *o;
	const char *const *dirs;      /* trusted directories */
	search_dirs own_dirs;         /* this machine's, when o->lib_dirs
				       * is NULL */
	int elf_class, data, machine; /* the program's: libraries must match */
	char exe_origin[CHECK_PATH_MAX];
	char *exe_rpath;              /* program's DT_RPATH if no DT_RUNPATH */
	closure_object *objs;         /* CHECK_MAX_OBJECTS + 1 of them */
	size_t n;
} closure;

/*
 * closure_init() - start @cl with the program @path (stat @st, ELF header
 * @eh, .dynamic @d) as object 0, for options @o (kept: it must outlive
 * @cl): the trusted directories are @o->lib_dirs or this machine's
 * (search_sys.h), $ORIGIN the directory of the program's real path.
 * Returns 0 or -ENOMEM; either way closure_free() releases @cl.
 */
int closure_init(closure *cl, const check_opts *o, const char *path,
		 const struct stat *st, const GElf_Ehdr *eh,
		 const elfread_dyn *d);

/*
 * closure_read() - read the closure of the program whose .dynamic is @d:
 * queue its DT_NEEDED names, then read every library queued (its imports
 * into @r->imports, its DT_SONAME, its own needed names), noting in @r
 * the TLS libraries (@r->tls), the first runtime library unless
 * @r->runtime is set already, the missing names (@r->n_missing, a note for
 * the first) and whether it stopped at CHECK_MAX_OBJECTS (@r->truncated).
 * Returns whether every library's symbols could be read.
 */
bool closure_read(closure *cl, const elfread_dyn *d, check_result *r);

/* closure_free() - release what closure_init() and closure_read() took. */
void closure_free(closure *cl);

/*
 * closure_set_runtime() - record the runtime @rt in @r, recognized by what
 * @by says ("libjli.so, needed directly"), with the first file it loads
 * with dlopen found from the directory @dir (made real first) by its
 * globs, if any.
 */
void closure_set_runtime(check_result *r, const check_runtime *rt,
			 const char *dir, const char *by);

#endif
