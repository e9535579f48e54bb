/*
 * check_names.h - the names the ELF checker recognizes: the functions
 * libhttptrace.so interposes (with what each is for), the TLS libraries
 * by the name a program needs them by, and the language runtimes that load
 * their socket code with dlopen.  Tables and lookups only; no system calls.
 *
 * The list of interposed functions is kept in check_names.c alone, so that
 * taking it from the library's own symbol list is a change of one place.
 */
#ifndef HT_CHECK_NAMES_H
#define HT_CHECK_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What an interposed function is for.  CHECK_FN_LOADER: dlopen, hooked so
 * that objects loaded RTLD_DEEPBIND are traced; it says nothing about a
 * program's sockets. */
enum check_fn_kind {
	CHECK_FN_DNS,
	CHECK_FN_CONNECT,
	CHECK_FN_FD,
	CHECK_FN_IO,
	CHECK_FN_TLS,
	CHECK_FN_LOADER,
};

/* check_interposed_index() - the index of interposed function @name (its
 * bit in check_result.imports), or -1 when it is not interposed. */
int check_interposed_index(const char *name);

/* The interposed functions a program imports: bit i is
 * check_interposed_name(i). */
typedef struct check_imports {
	uint64_t bits[2];
} check_imports;

/* check_imports_add() - note interposed function @i in @m. */
static inline void check_imports_add(check_imports *m, size_t i)
{
	m->bits[i / 64] |= 1ULL << (i % 64);
}

/* check_imports_has() - whether @m holds interposed function @i. */
static inline bool check_imports_has(const check_imports *m, size_t i)
{
	return (m->bits[i / 64] >> (i % 64)) & 1;
}

/* check_imports_kind() - whether @m holds a function of @kind. */
bool check_imports_kind(const check_imports *m, enum check_fn_kind kind);

/* A TLS library, by the DT_NEEDED name prefix it is recognized by. */
typedef struct check_tls_lib {
	const char *prefix; /* "libssl.so" matches libssl.so and libssl.so.3 */
	const char *library; /* "OpenSSL" */
	bool decoded;       /* libhttptrace.so hooks its plaintext calls */
} check_tls_lib;

/* check_tls_lib_find() - the TLS library @name (a DT_NEEDED name or a
 * path: its base name is matched, "PREFIX" or "PREFIX.*") is, or NULL. */
const check_tls_lib *check_tls_lib_find(const char *name);

/* A language runtime whose socket code may be in a module it loads with
 * dlopen (Ruby's socket.so; Java's libnet.so): its program and DT_NEEDED
 * closure then import no socket call, yet its connections go through libc
 * and are traced. */
typedef struct check_runtime {
	const char *name;      /* "Ruby" */
	const char *libs[2];   /* DT_NEEDED name prefixes (check_runtime_library) */
	const char *symbol;    /* defined by the program itself, or NULL */
	/* What it loads with dlopen: globs relative to the directory of the
	 * library it was recognized by, for the note (NULL: none known). */
	const char *loads[2];
	const char *note;      /* a line to print whenever recognized */
} check_runtime;

/* check_runtime_by_library() - the runtime library @name (see
 * check_runtime_library() in check_elf.h) belongs to, or NULL. */
const check_runtime *check_runtime_by_library(const char *name);

/* check_runtime_by_symbol() - the runtime whose interpreter defines the
 * function @name, or NULL. */
const check_runtime *check_runtime_by_symbol(const char *name);

#endif
