/*
 * check_elf.h - "httptrace check FILE": can LD_PRELOAD tracing see a program's
 * HTTP traffic, and why.
 *
 * check_file() reads the ELF file with libelf (following a "#!" script to
 * its interpreter) and answers from what the loader would do with it:
 * statically linked or not, a Go binary (Go makes its own system calls),
 * setuid/setgid or file capabilities (secure-execution mode: the loader
 * ignores LD_PRELOAD), built for another machine, which TLS libraries its
 * DT_NEEDED closure holds (resolved as the loader would: DT_RPATH,
 * LD_LIBRARY_PATH, DT_RUNPATH with $ORIGIN, the /etc/ld.so.conf directories
 * and the default ones), which of the interposed functions the program
 * and its libraries import, and whether it is a language runtime (which
 * may load its socket code later with dlopen).  It reads files but prints
 * nothing: the caller prints the result (check_print()).
 *
 * The parts, one job each (this header is their public face; each has its
 * own header for what the others use):
 *   verdict.c      check_file(), check_default_opts(): scripts followed to
 *                  their program, the program's kind, the verdict
 *   script.c       "#!" lines and env's command (script.h)
 *   elf_read.c     what libelf reads from one object (elf_read.h)
 *   closure.c      the DT_NEEDED closure (closure.h)
 *   search_path.c  the loader's and execvp's search order, pure: every file
 *                  system question injected (search_path.h)
 *   search_sys.c   the real file system behind it (search_sys.h)
 *   check_names.c  the interposed functions, TLS libraries and language
 *                  runtimes recognized (check_names.h)
 *   check_util.c   string and result helpers (check_util.h)
 *   print.c        check_print()
 *   ../check.c     the "check" command: check_main(), check_warn_command()
 */
#ifndef HT_CHECK_ELF_H
#define HT_CHECK_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include "check_names.h"

/* Bounds on what one check follows; beyond them it stops and says so. */
#define CHECK_MAX_OBJECTS 256 /* libraries in the DT_NEEDED closure */
#define CHECK_MAX_TLS 8       /* TLS libraries reported */
#define CHECK_MAX_NOTES 8     /* detail lines */
#define CHECK_MAX_SCRIPTS 4   /* "#!" interpreters followed, as Linux's limit */
#define CHECK_NAME_MAX 256
#define CHECK_PATH_MAX 4096

enum check_verdict {
	/* LD_PRELOAD applies and the program or one of its libraries imports
	 * the socket or TLS calls the library interposes. */
	CHECK_TRACEABLE = 0,
	/* LD_PRELOAD applies, but nothing in the program imports connect and
	 * a read/write/send/recv call, nor a TLS call, and it is no language
	 * runtime (those load their socket code with dlopen: traceable): it
	 * makes no connections through libc itself (programs it starts are
	 * traced or not on their own). */
	CHECK_NO_CALLS,
	/* LD_PRELOAD cannot reach it at all: statically linked, Go,
	 * secure-execution (setuid, setgid, capabilities), another machine,
	 * a shared library rather than a program. */
	CHECK_BLOCKED,
	/* Not analysed: missing, unreadable, not an ELF file, a script whose
	 * interpreter cannot be found. */
	CHECK_ERROR,
};

/* A TLS library found in the closure. */
typedef struct check_tls {
	char soname[CHECK_NAME_MAX]; /* the DT_NEEDED name: "libssl.so.3" */
	char via[CHECK_NAME_MAX];    /* the library that needs it; "" when
				      * the program itself does */
	const char *library;         /* "OpenSSL", "GnuTLS", "NSS", ... */
	bool decoded;                /* libhttptrace.so reads its plaintext */
} check_tls;

/* What the program would run with; check_default_opts() fills them in. */
typedef struct check_opts {
	const char *path_env;        /* PATH, for "#!/usr/bin/env NAME" */
	const char *ld_library_path; /* LD_LIBRARY_PATH, or NULL */
	/* The loader's trusted directories, NULL-terminated; NULL reads
	 * /etc/ld.so.conf (with its includes) and adds the defaults. */
	const char *const *lib_dirs;
	uid_t uid;                   /* the real ids it would be run with */
	gid_t gid;
	int elf_class;               /* ELFCLASS* libhttptrace.so is built */
	int machine;                 /* for, and its EM_*; 0: do not check */
} check_opts;

typedef struct check_result {
	enum check_verdict verdict;
	/* One line, without the file name: why it is not traceable, or the
	 * error; "" when traceable. */
	char reason[512];
	/* The ELF file analysed: the file, or a script's interpreter. */
	char path[CHECK_PATH_MAX];
	/* A script's "#!" line, without "#!" and the newline ("" if none). */
	char shebang[CHECK_NAME_MAX];
	bool elf;                    /* path was read as an ELF file */
	bool dynamic;                /* has a program interpreter */
	char interp[CHECK_PATH_MAX]; /* PT_INTERP */
	bool go;                     /* Go build info, pclntab or build ID */
	bool library;                /* a shared library, not a program */
	size_t n_objects;            /* libraries found in the closure */
	size_t n_missing;            /* DT_NEEDED names not found */
	bool truncated;              /* stopped at CHECK_MAX_OBJECTS */
	bool unread;                 /* no section headers: its libraries
				      * and imports are unknown */
	check_tls tls[CHECK_MAX_TLS];
	size_t n_tls;
	const char *tls_builtin;     /* a TLS library linked into the program
				      * itself ("OpenSSL", "GnuTLS"), or NULL */
	/* For a built-in OpenSSL: whether the library can hook it inline
	 * (its SSL_read and SSL_write at least), how many entry points, and
	 * why not or which were refused ("" when none). */
	bool tls_inline;
	unsigned tls_inline_hooked;
	char tls_inline_why[2 * CHECK_NAME_MAX];
	check_imports imports;       /* bit i: check_interposed_name(i) is
				      * imported by the program or a library */
	/* A language runtime recognized (see check_runtime_library()):
	 * its name ("Java"), how ("libjli.so (needed directly)", "defines
	 * Py_Initialize"), a file it loads with dlopen found next to it
	 * ("" if none is known or found), and a line to print (or NULL). */
	const char *runtime;
	char runtime_by[CHECK_NAME_MAX];
	char runtime_loads[CHECK_PATH_MAX];
	const char *runtime_note;
	/* It imports no socket or TLS call but is a runtime: traceable,
	 * through the code it loads at run time. */
	bool runtime_later;
	char notes[CHECK_MAX_NOTES][CHECK_NAME_MAX]; /* detail lines */
	size_t n_notes;
} check_result;

/*
 * check_default_opts() - the options for a program httptrace would start
 * now: this process's PATH, LD_LIBRARY_PATH and real uid/gid, the system's
 * library directories, and the ELF class and machine httptrace (and so
 * libhttptrace.so) was built for.
 */
void check_default_opts(check_opts *o);

/*
 * check_file() - analyse @file (a path, used as given) for @o; fills @r
 * entirely and returns @r->verdict.  Files are only read; nothing is
 * printed.
 */
enum check_verdict check_file(const char *file, const check_opts *o,
			      check_result *r);

/*
 * check_print() - write @r for @file to @f: "FILE: traceable" (with
 * @r->runtime_later "FILE: traceable, loads its socket code at run time
 * (RUNTIME)") or "FILE: not traceable: REASON" and indented detail lines,
 * or for CHECK_ERROR only "FILE: REASON".
 */
void check_print(FILE *f, const char *file, const check_result *r);

/*
 * check_find_command() - find @name as execvp(3) would: used as is when it
 * holds a '/', else the first executable regular file NAME in the
 * colon-separated @path_env (NULL: "/bin:/usr/bin"; an empty entry is the
 * current directory).  Writes the path to @out (capacity @cap).  Returns 0,
 * -ENOENT, -EACCES (found only files that cannot be executed), or
 * -ENAMETOOLONG.
 */
int check_find_command(const char *name, const char *path_env, char *out,
		       size_t cap);

/*
 * check_expand_dst() - expand the dynamic string tokens of one DT_RPATH /
 * DT_RUNPATH / LD_LIBRARY_PATH entry @entry (length @len, not necessarily
 * NUL-terminated) into @out (capacity @cap): $ORIGIN and ${ORIGIN} become
 * @origin; an empty entry is "." as for the loader.  Returns 0,
 * -ENAMETOOLONG, or -EINVAL for $LIB and $PLATFORM, which depend on the
 * loader's build and are not expanded (the caller skips the entry).
 */
int check_expand_dst(const char *entry, size_t len, const char *origin,
		     char *out, size_t cap);

/*
 * check_parse_shebang() - parse the first line of a file, @buf (@len
 * bytes), as the kernel reads "#!": the interpreter into @interp and the
 * optional single argument (the rest of the line, trimmed) into @arg.
 * Returns 0, -ENOEXEC when @buf does not start with "#!" or names no
 * interpreter, -ENAMETOOLONG when a part does not fit.
 */
int check_parse_shebang(const char *buf, size_t len, char *interp,
			size_t icap, char *arg, size_t acap);

/*
 * check_env_command() - the command "/usr/bin/env ARG" runs, for a "#!"
 * line's argument @arg: the first word that is neither an option (-S,
 * -i, ...) nor a NAME=VALUE assignment, into @out.  Returns 0, -ENOENT when
 * there is none, -ENAMETOOLONG.
 */
int check_env_command(const char *arg, char *out, size_t cap);

/*
 * check_runtime_library() - the language runtime ("Ruby", "Java", "PHP",
 * "Perl", "Python", "Node.js") a library needed by the name @name (a
 * DT_NEEDED name or a path: "libruby-3.1.so.3.1", "libjli.so") belongs to,
 * or NULL.  The name must go on after the runtime's prefix with '.', '-' or
 * a digit and hold ".so": "librubberband.so.2" is no Ruby.
 */
const char *check_runtime_library(const char *name);

/*
 * check_runtime_symbol() - the language runtime whose interpreter, linked
 * into a program, defines the function @name ("Py_Initialize": "Python"),
 * or NULL.
 */
const char *check_runtime_symbol(const char *name);

/* The functions libhttptrace.so interposes (preload/exports.map), by index:
 * check_interposed_name(i) for i < check_interposed_count(). */
size_t check_interposed_count(void);
const char *check_interposed_name(size_t i);

/*
 * check_main() - "httptrace check FILE...": print each file's analysis to
 * standard output.  A FILE without a '/' that does not exist is looked up
 * in PATH.  Returns the exit status: 0 when every FILE is traceable, 1 when
 * one is not, 2 on an error (bad usage, missing, unreadable, not ELF).
 */
int check_main(int argc, char **argv);

/*
 * check_warn_command() - for "httptrace COMMAND": find @name in PATH and,
 * when LD_PRELOAD cannot reach it (CHECK_BLOCKED), write one warning line
 * to @err, and put "NAME: REASON" in @why (@cap bytes; "" otherwise) for
 * the report's "not traced" note.  Anything else, errors included, prints
 * nothing: running it will tell.  Whether it is blocked.
 */
bool check_warn_command(FILE *err, const char *name, char *why, size_t cap);

#endif
