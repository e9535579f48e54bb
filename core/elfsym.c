/*
 * elfsym.c - symbol lookup through an object's GNU hash table (elfsym.h).
 *
 * The GNU hash section: nbuckets, symoffset, bloom_size, bloom_shift
 * (32-bit words); bloom_size address-sized Bloom filter words; nbuckets
 * bucket words (the first symbol index of the bucket's chain, 0: empty);
 * then one chain word per symbol from symoffset on: the symbol's hash with
 * the low bit set on the last symbol of a chain.
 */
#include <elf.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "elfgot.h"
#include "elfsym.h"

/* VERSYM bit: this version of the symbol is not the default one.  The
 * st_info macros are the same for ELF32 and ELF64 (elf.h). */
#define VERSYM_HIDDEN 0x8000

int elfsym_open(elfsym_obj *o, uintptr_t base, const ElfW(Dyn) *dyn)
{
	memset(o, 0, sizeof *o);
	o->base = base;
	o->dyn = dyn;
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
		case DT_GNU_HASH:
			o->gnu_hash = (const uint32_t *)elfgot_dyn_addr(base, p);
			break;
		case DT_VERSYM:
			o->versym = (const ElfW(Half) *)elfgot_dyn_addr(base, p);
			break;
		default:
			break;
		}
	}
	if (!o->symtab || !o->strtab || o->strsz == 0)
		return -ENOENT;
	if (!o->gnu_hash)
		return -ENOTSUP;
	return 0;
}

int elfsym_open_phdr(elfsym_obj *o, uintptr_t base, const ElfW(Phdr) *ph,
		     size_t phnum)
{
	for (size_t i = 0; i < phnum; i++)
		if (ph[i].p_type == PT_DYNAMIC)
			return elfsym_open(o, base, (const ElfW(Dyn) *)
					   (base + ph[i].p_vaddr));
	memset(o, 0, sizeof *o);
	return -ENOENT;
}

uint32_t elfsym_hash(const char *s)
{
	uint32_t h = 5381;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		h = h * 33 + *p;
	return h;
}

/* The symbol types the loader binds a name to (glibc's ALLOWED_STT);
 * any other (a section, a file) it passes by. */
#define BOUND_TYPES                                                       \
	((1u << STT_NOTYPE) | (1u << STT_OBJECT) | (1u << STT_FUNC) |     \
	 (1u << STT_COMMON) | (1u << STT_TLS) | (1u << STT_GNU_IFUNC))

/* The name of the version @ndx (a VERSYM index, without its hidden bit)
 * that @o defines; NULL for the base version (the object's own name), for
 * the local and global indexes, and for one @o does not define: the
 * symbol has no named version. */
static const char *version_name(const elfsym_obj *o, unsigned ndx)
{
	const char *vd = NULL;
	size_t num = 0;

	for (const ElfW(Dyn) *d = o->dyn; d && d->d_tag != DT_NULL; d++) {
		if (d->d_tag == DT_VERDEF)
			vd = (const char *)elfgot_dyn_addr(o->base, d->d_un.d_ptr);
		else if (d->d_tag == DT_VERDEFNUM)
			num = d->d_un.d_val;
	}
	for (size_t k = 0; vd != NULL && k < num; k++) {
		const ElfW(Verdef) *d = (const ElfW(Verdef) *)vd;
		if ((d->vd_ndx & 0x7fff) == ndx) {
			const ElfW(Verdaux) *a = (const ElfW(Verdaux) *)
						 (vd + d->vd_aux);
			if ((d->vd_flags & VER_FLG_BASE) || d->vd_cnt == 0 ||
			    a->vda_name >= o->strsz)
				return NULL;
			return o->strtab + a->vda_name;
		}
		if (d->vd_next == 0)
			break;
		vd += d->vd_next;
	}
	return NULL;
}

/* Whether symbol @i of @o has the version a lookup wants: for @version
 * NULL (unversioned), any but a hidden one; else @version itself, or no
 * named version and not hidden (glibc's check_match). */
static inline __attribute__((always_inline)) bool
version_fits(const elfsym_obj *o, uint32_t i, const char *version)
{
	const char *name;

	if (o->versym == NULL)
		return true;
	if (version == NULL)
		return !(o->versym[i] & VERSYM_HIDDEN);
	name = version_name(o, o->versym[i] & 0x7fff);
	if (name != NULL)
		return strcmp(name, version) == 0;
	return !(o->versym[i] & VERSYM_HIDDEN);
}

/* Whether symbol @i of @o is the definition a lookup for @version (NULL:
 * unversioned) takes, by the loader's own rules: one it passes by (NONE)
 * does not end the search, which goes on along the chain and in the next
 * objects. */
static inline __attribute__((always_inline)) enum elfsym_found
classify(const elfsym_obj *o, uint32_t i, const char *version, uintptr_t *addr)
{
	const ElfW(Sym) *sym = &o->symtab[i];
	unsigned bind = ELF64_ST_BIND(sym->st_info);
	unsigned type = ELF64_ST_TYPE(sym->st_info);
	if (sym->st_shndx == SHN_UNDEF ||
	    (bind != STB_GLOBAL && bind != STB_WEAK && bind != STB_GNU_UNIQUE))
		return ELFSYM_NONE;
	/* No value: not a definition the loader takes. */
	if (sym->st_value == 0 && sym->st_shndx != SHN_ABS && type != STT_TLS)
		return ELFSYM_NONE;
	if (type >= 32 || !(BOUND_TYPES & (1u << type)))
		return ELFSYM_NONE;
	if (!version_fits(o, i, version))
		return ELFSYM_NONE;
	if (type == STT_GNU_IFUNC)
		return ELFSYM_IFUNC;
	/* A symbol without a type (an assembly label exported without
	 * .type) is bound and called as any function. */
	if (type != STT_FUNC && type != STT_NOTYPE)
		return ELFSYM_OTHER;
	*addr = (sym->st_shndx == SHN_ABS ? 0 : o->base) + sym->st_value;
	return ELFSYM_FUNC;
}

enum elfsym_found elfsym_find(const elfsym_obj *o, const char *name,
			      uintptr_t *addr)
{
	return elfsym_find_hashed(o, name, elfsym_hash(name), addr);
}

enum elfsym_found elfsym_find_hashed(const elfsym_obj *o, const char *name,
				     uint32_t h, uintptr_t *addr)
{
	return elfsym_find_key(o, name, strlen(name), h, addr);
}

/* elfsym_find_key(), for a lookup of @version (NULL: unversioned).
 * Inlined: the start-up walk's unversioned lookups (init.c, every process)
 * pay nothing for the versions. */
/* Whether the symbol name @s is @name, of @len bytes: compared byte by
 * byte (a name is short, and the hash chain leaves few to compare), not
 * with libc's memcmp, whose page a process that runs nothing else of it
 * would fault in for this alone (the library's lookups at start). */
static bool same_name(const char *s, const char *name, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != name[i])
			return false;
	return s[len] == '\0';
}

static inline __attribute__((always_inline)) enum elfsym_found
find(const elfsym_obj *o, const char *name, size_t len, uint32_t h,
     const char *version, uintptr_t *addr)
{
	const uint32_t *gh = o->gnu_hash;
	uint32_t nbuckets = gh[0], symoffset = gh[1];
	uint32_t bloom_size = gh[2], bloom_shift = gh[3];
	if (nbuckets == 0 || bloom_size == 0)
		return ELFSYM_NONE;
	const ElfW(Addr) *bloom = (const ElfW(Addr) *)(gh + 4);
	const uint32_t *buckets = (const uint32_t *)(bloom + bloom_size);
	const uint32_t *chain = buckets + nbuckets;
	const unsigned bits = sizeof(ElfW(Addr)) * 8;

	ElfW(Addr) word = bloom[(h / bits) % bloom_size];
	ElfW(Addr) mask = ((ElfW(Addr))1 << (h % bits)) |
			  ((ElfW(Addr))1 << ((h >> bloom_shift) % bits));
	if ((word & mask) != mask)
		return ELFSYM_NONE;
	uint32_t i = buckets[h % nbuckets];
	if (i < symoffset)
		return ELFSYM_NONE;
	for (;; i++) {
		uint32_t ch = chain[i - symoffset];
		if ((ch | 1) == (h | 1)) {
			size_t off = o->symtab[i].st_name;
			if (off < o->strsz && o->strsz - off > len &&
			    same_name(o->strtab + off, name, len)) {
				enum elfsym_found f = classify(o, i, version,
							       addr);
				if (f != ELFSYM_NONE)
					return f;
			}
		}
		if (ch & 1)
			return ELFSYM_NONE;
	}
}

enum elfsym_found elfsym_find_key(const elfsym_obj *o, const char *name,
				  size_t len, uint32_t h, uintptr_t *addr)
{
	return find(o, name, len, h, NULL, addr);
}

enum elfsym_found elfsym_find_version(const elfsym_obj *o, const char *name,
				      const char *version, uintptr_t *addr)
{
	return find(o, name, strlen(name), elfsym_hash(name), version, addr);
}
