/*
 * elf_read.h - what the ELF checker reads from one ELF object with libelf:
 * its .dynamic (DT_NEEDED, DT_RPATH, DT_RUNPATH, DT_SONAME, DT_FLAGS_1),
 * the interposed functions it imports, a TLS library or language
 * interpreter defined in it, Go's markers, PT_INTERP, whether an OpenSSL
 * linked into it can be hooked inline, and whether a file is an object of
 * a given class and machine at all.  Untrusted input: every loop is
 * bounded, libelf checks the offsets.
 */
#ifndef HT_ELF_READ_H
#define HT_ELF_READ_H

#include <gelf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check_elf.h"
#include "check_names.h"

#define ELFREAD_MAX_NEEDED 128 /* DT_NEEDED entries kept per object */

/* What .dynamic says; the strings point into the Elf's data. */
typedef struct elfread_dyn {
	bool found;        /* a SHT_DYNAMIC section was read */
	const char *needed[ELFREAD_MAX_NEEDED];
	size_t n_needed;
	const char *rpath, *runpath, *soname; /* NULL when absent */
	uint64_t flags_1;  /* DT_FLAGS_1, 0 when absent */
} elfread_dyn;

/* elfread_dynamic() - fill @d from the first SHT_DYNAMIC section of @elf
 * (all zero, d->found false, when there is none or it cannot be read). */
void elfread_dynamic(Elf *elf, elfread_dyn *d);

/*
 * elfread_symbols() - the undefined symbols of .dynsym that are
 * interposed go into *@mask (bit check_interposed_index()).  With
 * @builtin non-NULL (the program itself), a TLS library's function
 * defined in it (.dynsym or .symtab: SSL_write, gnutls_record_send) sets
 * *@builtin to "OpenSSL" or "GnuTLS", and the first language interpreter
 * defined in it sets *@runtime (left as it is when none; it must then be
 * non-NULL too).  Returns whether a .dynsym was read.
 */
bool elfread_symbols(Elf *elf, check_imports *mask, const char **builtin,
		     const check_runtime **runtime);

/*
 * elfread_inline_openssl() - whether libhttptrace.so can hook the OpenSSL
 * defined in the program @elf (for @machine, EM_*) inline, decided as
 * preload/tls/inline_ssl.c decides from the same bytes (x86dec.h): sets
 * @r->tls_inline (SSL_read or SSL_read_ex, and SSL_write or SSL_write_ex,
 * can be hooked), @r->tls_inline_hooked and the refusals in
 * @r->tls_inline_why.
 */
void elfread_inline_openssl(Elf *elf, int machine, check_result *r);

/* elfread_is_go() - whether @elf (@phnum program headers) is a Go binary:
 * .go.buildinfo, .gopclntab, or a "Go" build ID note (in a note section,
 * or a PT_NOTE segment when there are no sections). */
bool elfread_is_go(Elf *elf, size_t phnum);

/* elfread_program_headers() - PT_INTERP into @r->interp, and @r->dynamic
 * set when there is one; returns whether there is a PT_DYNAMIC. */
bool elfread_program_headers(Elf *elf, size_t phnum, check_result *r);

/* elfread_matches() - whether the file @path is an ELF object of class
 * @elf_class (ELFCLASS*), byte order @data (ELFDATA*) and machine
 * @machine (EM_*), from its first bytes: the loader skips others (a 32-bit
 * libc in /usr/lib32...).  False when it cannot be read. */
bool elfread_matches(const char *path, int elf_class, int data, int machine);

#endif
