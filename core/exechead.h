/*
 * exechead.h - what the first bytes of a file about to be exec'd say about
 * whether LD_PRELOAD will reach the program: an ELF with a program
 * interpreter (dynamic: the loader preloads), one without (static: the
 * kernel runs it directly, no loader), or a "#!" script (its interpreter
 * decides).
 *
 * Used by the exec hooks (preload/hook_exec.c) to say "not traced" for a
 * static program a traced process runs.  Pure: reads the bytes it is
 * given, makes no system call, allocates nothing.
 */
#ifndef HT_EXECHEAD_H
#define HT_EXECHEAD_H

#include <stddef.h>

/* Bytes of a file's start worth reading: an ELF header and the program
 * headers that follow it in any usual layout (17 of 64-bit ELF), and more
 * than the kernel reads of a "#!" line (BINPRM_BUF_SIZE, 256). */
#define EXECHEAD_SIZE 1024

enum exechead_kind {
	EXECHEAD_UNKNOWN,    /* not something the checks can tell: no word */
	EXECHEAD_DYNAMIC,    /* ELF with PT_INTERP: the loader preloads */
	EXECHEAD_STATIC,     /* ELF without PT_INTERP, no PT_DYNAMIC */
	EXECHEAD_STATIC_PIE, /* ET_DYN without PT_INTERP, with PT_DYNAMIC */
	EXECHEAD_SCRIPT,     /* "#!": the interpreter is exec'd instead */
};

/*
 * exechead_classify() - what the @len first bytes @head of a file say.
 * An ELF counts only when it is of @elf_class (ELFCLASS32/64) and machine
 * @machine (e_machine; 0: any), the host's, since another is one the
 * kernel refuses (ENOEXEC) or the loader cannot preload into: UNKNOWN.
 * Its program headers must lie within @head (else UNKNOWN).  For a
 * script, the interpreter's path is copied to @interp (@cap bytes, NUL
 * terminated); a "#!" line whose path does not end within @head, or does
 * not fit in @interp, or is empty, is UNKNOWN.
 */
enum exechead_kind exechead_classify(const void *head, size_t len,
				     int elf_class, unsigned machine,
				     char *interp, size_t cap);

#endif
