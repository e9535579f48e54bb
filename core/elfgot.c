/*
 * elfgot.c - the GOT slots of a loaded ELF object (see elfgot.h).
 */
#include <elf.h>
#include <errno.h>
#include <string.h>

#include "elfgot.h"

#if defined(__x86_64__)
#define ELFGOT_JUMP_SLOT R_X86_64_JUMP_SLOT
#define ELFGOT_GLOB_DAT R_X86_64_GLOB_DAT
#elif defined(__aarch64__)
#define ELFGOT_JUMP_SLOT R_AARCH64_JUMP_SLOT
#define ELFGOT_GLOB_DAT R_AARCH64_GLOB_DAT
#endif

uintptr_t elfgot_dyn_addr(uintptr_t base, uintptr_t ptr)
{
	return ptr < base ? base + ptr : ptr;
}

int elfgot_open(elfgot_obj *o, uintptr_t base, const ElfW(Dyn) *dyn)
{
	memset(o, 0, sizeof *o);
	o->base = base;
#if !defined(ELFGOT_JUMP_SLOT) || __ELF_NATIVE_CLASS != 64
	(void)dyn;
	return -ENOTSUP;
#else
	uintptr_t jmprel = 0, rela = 0;
	size_t pltrelsz = 0, relasz = 0, relaent = sizeof(ElfW(Rela));
	ElfW(Sxword) pltrel = DT_RELA;
	for (; dyn->d_tag != DT_NULL; dyn++) {
		uintptr_t p = dyn->d_un.d_ptr;
		switch (dyn->d_tag) {
		case DT_SYMTAB:
			o->symtab = (const ElfW(Sym) *)elfgot_dyn_addr(base, p);
			break;
		case DT_STRTAB:
			o->strtab = (const char *)elfgot_dyn_addr(base, p);
			break;
		case DT_STRSZ:
			o->strsz = dyn->d_un.d_val;
			break;
		case DT_JMPREL:
			jmprel = elfgot_dyn_addr(base, p);
			break;
		case DT_PLTRELSZ:
			pltrelsz = dyn->d_un.d_val;
			break;
		case DT_PLTREL:
			pltrel = (ElfW(Sxword))dyn->d_un.d_val;
			break;
		case DT_RELA:
			rela = elfgot_dyn_addr(base, p);
			break;
		case DT_RELASZ:
			relasz = dyn->d_un.d_val;
			break;
		case DT_RELAENT:
			relaent = dyn->d_un.d_val;
			break;
		default:
			break;
		}
	}
	if (!o->symtab || !o->strtab || o->strsz == 0)
		return -ENOENT;
	if (pltrel != DT_RELA || relaent != sizeof(ElfW(Rela)))
		return -ENOTSUP;
	if (jmprel) {
		o->jmprel = (const ElfW(Rela) *)jmprel;
		o->jmprel_n = pltrelsz / sizeof(ElfW(Rela));
	}
	if (rela) {
		o->rela = (const ElfW(Rela) *)rela;
		o->rela_n = relasz / sizeof(ElfW(Rela));
	}
	return 0;
#endif
}

void elfgot_sort_names(const char **names, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		const char *v = names[i];
		size_t j = i;
		while (j > 0 && strcmp(names[j - 1], v) > 0) {
			names[j] = names[j - 1];
			j--;
		}
		names[j] = v;
	}
}

/* The index of @name in the sorted @names, or -1. */
static long find_name(const char *const *names, size_t n, const char *name)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, names[mid]);
		if (c == 0)
			return (long)mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

#ifdef ELFGOT_JUMP_SLOT
/* Visit the relocations @r (@count) of type @type whose symbol is named. */
static size_t walk(const elfgot_obj *o, const ElfW(Rela) *r, size_t count,
		   unsigned type, const char *const *names, size_t n,
		   elfgot_slot_fn fn, void *arg)
{
	size_t calls = 0;
	for (size_t i = 0; i < count; i++) {
		if (ELF64_R_TYPE(r[i].r_info) != type)
			continue;
		size_t sym = ELF64_R_SYM(r[i].r_info);
		if (sym == 0)
			continue;
		size_t off = o->symtab[sym].st_name;
		/* The name and its terminator inside the table. */
		if (off >= o->strsz ||
		    !memchr(o->strtab + off, '\0', o->strsz - off))
			continue;
		long idx = find_name(names, n, o->strtab + off);
		if (idx < 0)
			continue;
		fn(arg, (size_t)idx, (void **)(o->base + r[i].r_offset),
		   type == ELFGOT_JUMP_SLOT);
		calls++;
	}
	return calls;
}
#endif

size_t elfgot_for_each(const elfgot_obj *o, const char *const *names, size_t n,
		       elfgot_slot_fn fn, void *arg)
{
#ifdef ELFGOT_JUMP_SLOT
	if (!o->symtab || !o->strtab)
		return 0;
	return walk(o, o->jmprel, o->jmprel_n, ELFGOT_JUMP_SLOT, names, n, fn, arg) +
	       walk(o, o->rela, o->rela_n, ELFGOT_GLOB_DAT, names, n, fn, arg);
#else
	(void)o, (void)names, (void)n, (void)fn, (void)arg;
	return 0;
#endif
}

bool elfgot_inside(const ElfW(Phdr) *ph, size_t phnum, uintptr_t base,
		   uintptr_t addr)
{
	for (size_t i = 0; i < phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		uintptr_t start = base + ph[i].p_vaddr;
		if (addr >= start && addr - start < ph[i].p_memsz)
			return true;
	}
	return false;
}

enum elfgot_access elfgot_slot_access(const ElfW(Phdr) *ph, size_t phnum,
				      uintptr_t base, uintptr_t slot,
				      size_t pagesize)
{
	bool writable = false;
	uintptr_t mask = ~(uintptr_t)(pagesize - 1);
	for (size_t i = 0; i < phnum; i++) {
		if (ph[i].p_type != PT_LOAD || !(ph[i].p_flags & PF_W))
			continue;
		uintptr_t start = base + ph[i].p_vaddr;
		if (slot >= start && slot - start + sizeof(void *) <= ph[i].p_memsz)
			writable = true;
	}
	if (!writable)
		return ELFGOT_NO_WRITE;
	for (size_t i = 0; i < phnum; i++) {
		if (ph[i].p_type != PT_GNU_RELRO)
			continue;
		uintptr_t start = (base + ph[i].p_vaddr) & mask;
		uintptr_t end = (base + ph[i].p_vaddr + ph[i].p_memsz) & mask;
		if (slot >= start && slot < end)
			return ELFGOT_RELRO;
	}
	return ELFGOT_WRITABLE;
}

bool elfgot_search_path(const ElfW(Dyn) *dyn, bool *runpath)
{
	bool any = false;
	*runpath = false;
	for (; dyn->d_tag != DT_NULL; dyn++) {
		if (dyn->d_tag == DT_RUNPATH) {
			*runpath = true;
			any = true;
		} else if (dyn->d_tag == DT_RPATH) {
			any = true;
		}
	}
	return any;
}
