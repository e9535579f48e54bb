/*
 * elfgot.h - the GOT slots of a loaded ELF object, found from its dynamic
 * section in memory: which slot holds the address of which symbol.
 *
 * Used to rebind an object loaded RTLD_DEEPBIND (deepbind.c): its
 * references to the interposed functions were bound to libc and libssl
 * directly, past the preloaded library.  Pure: reads the memory it is
 * given, makes no system call, allocates nothing; the caller writes the
 * slots.  64-bit ELF with RELA relocations (x86-64, AArch64); elsewhere
 * elfgot_open() says -ENOTSUP.
 */
#ifndef HT_ELFGOT_H
#define HT_ELFGOT_H

#include <link.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What the walk needs of one object, addresses already relocated. */
typedef struct elfgot_obj {
	const ElfW(Sym) *symtab;
	const char *strtab;
	size_t strsz;
	const ElfW(Rela) *jmprel; /* PLT slots (JUMP_SLOT) */
	size_t jmprel_n;
	const ElfW(Rela) *rela;   /* GLOB_DAT among the others */
	size_t rela_n;
	uintptr_t base;           /* load bias: slot = base + r_offset */
} elfgot_obj;

/*
 * elfgot_dyn_addr() - the address a d_ptr of the dynamic section of an
 * object loaded at @base stands for.  glibc adds the bias to the entries
 * of a writable dynamic section in place and leaves a read-only one (the
 * vDSO's) as in the file, so a value below @base is still relative.
 */
uintptr_t elfgot_dyn_addr(uintptr_t base, uintptr_t ptr);

/*
 * elfgot_open() - fill @o from the dynamic section @dyn of the object
 * loaded at @base.  Returns 0; -ENOENT when there is no symbol or string
 * table (nothing to find); -ENOTSUP when the relocations are not RELA or
 * the architecture is not known.
 */
int elfgot_open(elfgot_obj *o, uintptr_t base, const ElfW(Dyn) *dyn);

/* elfgot_sort_names() - sort @names (@n entries) by strcmp, in place, as
 * elfgot_for_each() wants them.  Insertion sort: the lists are short. */
void elfgot_sort_names(const char **names, size_t n);

/*
 * elfgot_slot_fn - one slot of @o whose symbol is names[@idx]: @slot is its
 * address, @plt whether it is a PLT slot (JUMP_SLOT; else GLOB_DAT).
 */
typedef void (*elfgot_slot_fn)(void *arg, size_t idx, void **slot, bool plt);

/*
 * elfgot_for_each() - call @fn on every JUMP_SLOT and GLOB_DAT slot of @o
 * whose symbol's name is one of @names (@n entries, sorted by strcmp, see
 * elfgot_sort_names()).  A relocation whose name lies outside the string
 * table is passed over.  Returns the number of calls made.
 */
size_t elfgot_for_each(const elfgot_obj *o, const char *const *names, size_t n,
		       elfgot_slot_fn fn, void *arg);

/*
 * elfgot_inside() - whether @addr lies in one of the PT_LOAD segments of
 * the object loaded at @base with program headers @ph (@phnum entries).
 * A PLT slot not yet resolved (lazy binding) points into its own object.
 */
bool elfgot_inside(const ElfW(Phdr) *ph, size_t phnum, uintptr_t base,
		   uintptr_t addr);

/* How a slot may be written (elfgot_slot_access()). */
enum elfgot_access {
	ELFGOT_NO_WRITE, /* not in a writable segment: leave it */
	ELFGOT_WRITABLE, /* write it as it is */
	ELFGOT_RELRO,    /* its page was made read-only after relocation */
};

/*
 * elfgot_slot_access() - how the pointer-sized slot at @slot of the object
 * (@base, @ph, @phnum) may be written, with pages of @pagesize bytes
 * (a power of two).  glibc makes the PT_GNU_RELRO pages read-only,
 * rounding the end down to a page; a slot on those pages must be made
 * writable for the write and read-only again.
 */
enum elfgot_access elfgot_slot_access(const ElfW(Phdr) *ph, size_t phnum,
				      uintptr_t base, uintptr_t slot,
				      size_t pagesize);

/*
 * elfgot_search_path() - whether the dynamic section @dyn names a library
 * search path: DT_RUNPATH (sets *@runpath) or DT_RPATH.  Either makes a
 * bare library name that the object passes to dlopen() resolve
 * differently from another caller.
 */
bool elfgot_search_path(const ElfW(Dyn) *dyn, bool *runpath);

#endif
