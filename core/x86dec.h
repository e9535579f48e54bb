/*
 * x86dec.h - a small x86-64 instruction length decoder, and what inline
 * hooking needs on top of it: relocating a function's first instructions to
 * a trampoline, and deciding whether a function's prologue can be patched.
 *
 * Pure: no I/O, no allocation, no state; used by the preload library (to
 * patch statically linked OpenSSL) and by `httptrace check` (to say whether
 * it can), so both give the same verdict from the same bytes.
 *
 * The decoder knows the lengths of the general-purpose, x87, SSE, VEX and
 * EVEX encodings (64-bit mode only).  What it does not know it refuses
 * (X86_BAD): a hook is never built on a guess.
 */
#ifndef HT_X86DEC_H
#define HT_X86DEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Kinds of control transfer relative to the instruction pointer. */
enum x86_branch {
	X86_BR_NONE = 0,
	X86_BR_JMP,    /* jmp rel8 / rel32 */
	X86_BR_JCC,    /* jcc rel8 / rel32 (cond in x86_insn.cond) */
	X86_BR_CALL,   /* call rel32 */
	X86_BR_OTHER,  /* loop/jrcxz rel8, xbegin rel32: not relocatable */
};

typedef struct x86_insn {
	uint8_t len;        /* total length in bytes */
	uint8_t rip_disp;   /* offset of a RIP-relative disp32, or 0 */
	uint8_t rel_off;    /* offset of a branch's displacement */
	uint8_t rel_size;   /* 1 or 4 (branch displacement size), else 0 */
	uint8_t branch;     /* enum x86_branch */
	uint8_t cond;       /* JCC condition (0..15) */
	bool ends_flow;     /* ret, jmp, ud2, hlt: no fall-through */
	int64_t rel;        /* the branch displacement, sign-extended */
} x86_insn;

#define X86_MAX_INSN 15

/* x86_decode() - decode the instruction at @p (at most @avail bytes).
 * Returns its length (1..15) and fills @out, or 0 when the bytes are not an
 * instruction the decoder knows, or are cut short. */
int x86_decode(const uint8_t *p, size_t avail, x86_insn *out);

/* Whether @p starts with endbr64 (CET/IBT landing pad, F3 0F 1E FA). */
bool x86_is_endbr64(const uint8_t *p, size_t avail);

/* Length of the patch: jmp rel32. */
#define X86_JMP_LEN 5

/* A hook's plan for one function. */
typedef struct x86_plan {
	uint32_t patch_off; /* where the jmp goes: 4 after endbr64, else 0 */
	uint32_t displaced; /* bytes of whole instructions moved (>= 5) */
	uint32_t ninsn;     /* how many instructions */
} x86_plan;

/*
 * x86_plan_hook() - can the function of @size bytes at @code (loaded at
 * address @addr) be hooked by overwriting X86_JMP_LEN bytes after its
 * endbr64 (if any)?  Decodes the whole function: refuses when an instruction
 * cannot be decoded, when the function is too short, when a displaced
 * instruction cannot be moved (loop/jrcxz/xbegin), or when any branch in the
 * function lands inside the bytes the patch overwrites.  Returns true and
 * fills @plan, or false with the reason in @why (@why_cap bytes).
 */
bool x86_plan_hook(const uint8_t *code, size_t size, uint64_t addr,
		   x86_plan *plan, char *why, size_t why_cap);

/*
 * x86_relocate() - copy the @plan->displaced bytes of instructions at @src
 * (address @src_addr) to @dst (to run at address @dst_addr, @cap bytes),
 * rewriting RIP-relative operands and relative branches for the new
 * address; short branches become rel32.  Does not add the jump back.
 * Returns the bytes written, or -1 (@why says why: a target out of reach of
 * rel32, or no room).
 */
int x86_relocate(const uint8_t *src, uint64_t src_addr, size_t len,
		 uint8_t *dst, uint64_t dst_addr, size_t cap, char *why,
		 size_t why_cap);

/* x86_abs_jmp() - write `jmp *0(%rip); .quad @target` (14 bytes) to @dst. */
#define X86_ABS_JMP_LEN 14

/* A program whose executable segments hold less code than this cannot
 * carry a static OpenSSL (tests/integration/progs/static_tls.c, linked
 * with --gc-sections, holds 2.5 MiB): its .symtab is not looked at for
 * SSL_read (the library, and `httptrace check` alike). */
#define X86_OPENSSL_CODE_MIN (1u << 20)
void x86_abs_jmp(uint8_t *dst, uint64_t target);

#endif
