/*
 * search_path.h - where the dynamic loader (glibc's ld.so) and execvp(3)
 * look for a file, imitated without touching the file system: every
 * question about a file ("would the loader take this library?", "is this
 * an executable?", "what does this ld.so.conf say?") goes through a
 * function pointer the caller passes in.  The real ones are in
 * search_sys.c; the unit tests (tests/unit/check_search_path.c) pass
 * their own.
 *
 * What is imitated:
 *  - a DT_NEEDED name without '/' is looked for in DT_RPATH of the object
 *    needing it, then DT_RPATH of the program (both only when that object
 *    has no DT_RUNPATH, the program's only when the program has none
 *    either), LD_LIBRARY_PATH (entries split on ':' and ';'), DT_RUNPATH
 *    of the object, then the trusted directories unless the object is
 *    linked -z nodeflib;
 *  - $ORIGIN / ${ORIGIN} is the directory of the object whose DT_RPATH or
 *    DT_RUNPATH holds it, the program's for LD_LIBRARY_PATH; an entry with
 *    $LIB or $PLATFORM is skipped; an empty entry is ".";
 *  - the trusted directories are those /etc/ld.so.conf names (with its
 *    "include" globs), then this build's multiarch and default ones;
 *  - a command name without '/' is looked for in PATH as execvp does.
 */
#ifndef HT_SEARCH_PATH_H
#define HT_SEARCH_PATH_H

#include <stdbool.h>
#include <stddef.h>

#define SEARCH_MAX_DIRS 128    /* trusted library directories kept */
#define SEARCH_CONF_DEPTH 4    /* nested "include" in ld.so.conf followed */
#define SEARCH_CONF_LINE 1024  /* an ld.so.conf line is read in pieces of
				* at most this less one byte (as fgets) */
#define SEARCH_DEFAULT_PATH "/bin:/usr/bin" /* execvp's PATH when unset */

/* A list of absolute directories without duplicates, in the order added. */
typedef struct search_dirs {
	char *v[SEARCH_MAX_DIRS + 1]; /* NULL-terminated, each malloc'd */
	size_t n;
} search_dirs;

/*
 * search_dirs_add() - add the directory @s (@len bytes, not necessarily
 * terminated) to @l unless it is empty, relative, already there, or @l
 * is full; one that cannot be allocated is left out.
 */
void search_dirs_add(search_dirs *l, const char *s, size_t len);

/* search_dirs_free() - free @l's entries; @l is empty again. */
void search_dirs_free(search_dirs *l);

/* How ld.so.conf files are read. */
typedef struct search_conf_io {
	/* The whole file @path into *@text (malloc'd, the caller frees it)
	 * and its length into *@len.  Returns 0 or -errno. */
	int (*read_file)(void *ctx, const char *path, char **text,
			 size_t *len);
	/* Call @each(@arg, PATH) for each path matching the glob(7)
	 * @pattern, in glob(3)'s sorted order; none is no error. */
	void (*glob)(void *ctx, const char *pattern,
		     void (*each)(void *arg, const char *path), void *arg);
	void *ctx;
} search_conf_io;

/*
 * search_conf_read() - add to @l the directories the ld.so.conf file
 * @file names, as ldconfig reads it: '#' starts a comment; "include
 * PATTERN" reads every file matching PATTERN (relative to @file's
 * directory unless absolute) when @depth < SEARCH_CONF_DEPTH; a "hwcap"
 * line is ignored; any other line names a directory, up to the first
 * space, tab, ':', ',' or '=' ("DIR=TYPE").  A file that cannot be read
 * adds nothing.  Call it with @depth 0.
 */
void search_conf_read(search_dirs *l, const char *file,
		      const search_conf_io *io, int depth);

/*
 * search_default_dirs() - add the loader's built-in directories to @l:
 * this build's multiarch ones (/lib/x86_64-linux-gnu,
 * /usr/lib/x86_64-linux-gnu on x86-64), then /lib64, /usr/lib64, /lib,
 * /usr/lib.
 */
void search_default_dirs(search_dirs *l);

/* What the library search knows of the program. */
typedef struct search_env {
	const char *ld_library_path; /* LD_LIBRARY_PATH, or NULL */
	const char *exe_origin;      /* the program's directory ($ORIGIN) */
	/* The program's DT_RPATH when it has no DT_RUNPATH, else NULL. */
	const char *exe_rpath;
	const char *const *trusted;  /* NULL-terminated directories */
	/* Whether the loader would take the file @path (it exists and is
	 * an ELF object of the program's class, byte order and machine). */
	bool (*accept)(void *ctx, const char *path);
	void *ctx;
} search_env;

/* The object whose DT_NEEDED entry is looked for. */
typedef struct search_needer {
	bool program;         /* the program itself (not a library) */
	const char *origin;   /* its directory ($ORIGIN) */
	const char *rpath;    /* its DT_RPATH, DT_RUNPATH, or NULL */
	const char *runpath;
	bool nodeflib;        /* DF_1_NODEFLIB: no trusted directories */
} search_needer;

/*
 * search_library() - find the library @name needed by @n as the loader
 * would (see the top of this file): the first candidate path @e->accept()
 * takes goes to @out (capacity @cap).  A @name holding '/' is used as it
 * is.  Candidates that do not fit @cap, or whose entry expands to an
 * error (check_expand_dst()), are passed over.  Returns 0 or -ENOENT.
 */
int search_library(const search_env *e, const search_needer *n,
		   const char *name, char *out, size_t cap);

/*
 * search_command() - find @name as execvp(3) would: used as is when it
 * holds a '/'; else each entry DIR of the colon-separated @path_env (NULL:
 * SEARCH_DEFAULT_PATH; an empty entry is the current directory, the
 * candidate then being @name alone) is tried as DIR/NAME with @probe,
 * which returns 0 for an executable regular file, -EACCES for a regular
 * file that may not be executed, anything else for none.  The first
 * executable goes to @out (capacity @cap).  Returns 0, -ENOENT (also for
 * an empty @name), -EACCES (only files that cannot be executed were
 * found), or -ENAMETOOLONG (@name with a '/' does not fit).
 */
int search_command(const char *name, const char *path_env,
		   int (*probe)(void *ctx, const char *path), void *ctx,
		   char *out, size_t cap);

#endif
