/*
 * elfsym.h - look a name up in the dynamic symbol table of a loaded ELF
 * object through its GNU hash table, the way the dynamic loader does for
 * an unversioned lookup (dlsym), without calling the loader.
 *
 * Used by init.c to find the real libc functions in one pass at start: a
 * few hundred instructions per name where dlsym() costs close to a
 * thousand, and no loader lock.  Pure: reads the memory it is given (the
 * loader's own, trusted), makes no system call, allocates nothing.
 */
#ifndef HT_ELFSYM_H
#define HT_ELFSYM_H

#include <link.h>
#include <stddef.h>
#include <stdint.h>

/* What a lookup needs of one object, addresses already relocated. */
typedef struct elfsym_obj {
	uintptr_t base; /* load bias: a symbol is at base + st_value */
	const ElfW(Sym) *symtab;
	const char *strtab;
	size_t strsz;
	const uint32_t *gnu_hash; /* DT_GNU_HASH */
	const ElfW(Half) *versym; /* DT_VERSYM, or NULL: unversioned */
	const ElfW(Dyn) *dyn; /* the dynamic section: the versions the
			       * object defines (DT_VERDEF) are read from it
			       * by a versioned lookup alone */
} elfsym_obj;

/*
 * elfsym_open() - fill @o from the dynamic section @dyn of the object
 * loaded at @base (d_ptr entries as elfgot_dyn_addr() reads them).
 * Returns 0; -ENOENT when there is no symbol or string table; -ENOTSUP
 * when there is no GNU hash table (only the old DT_HASH, or none): the
 * object cannot be searched here.
 */
int elfsym_open(elfsym_obj *o, uintptr_t base, const ElfW(Dyn) *dyn);

/*
 * elfsym_open_phdr() - elfsym_open() for the object loaded at @base whose
 * program headers are @ph (@phnum entries, as dl_iterate_phdr() gives
 * them): its dynamic section is found through PT_DYNAMIC.  Returns what
 * elfsym_open() returns; -ENOENT when there is no dynamic section.
 */
int elfsym_open_phdr(elfsym_obj *o, uintptr_t base, const ElfW(Phdr) *ph,
		     size_t phnum);

/* What elfsym_find() found. */
enum elfsym_found {
	ELFSYM_NONE,  /* @name is not defined in this object */
	ELFSYM_FUNC,  /* a function, at *@addr (STT_FUNC, or STT_NOTYPE:
		       * the loader binds a symbol without a type as any) */
	ELFSYM_IFUNC, /* an indirect function: only the loader can tell
		       * its address (it runs the resolver) */
	ELFSYM_OTHER, /* defined, but not as a function (data, TLS) */
};

/*
 * elfsym_find() - the definition of @name in @o that an unversioned lookup
 * (dlsym) takes, by the loader's rules: defined (not undefined) with a
 * value, global, weak or unique, of a type the loader binds to (not a
 * section or file symbol), and not a hidden version (name@VERSION without
 * the default @@).  A symbol that fails these is passed by: the search
 * goes on.  *@addr is set for ELFSYM_FUNC only.
 */
enum elfsym_found elfsym_find(const elfsym_obj *o, const char *name,
			      uintptr_t *addr);

/*
 * elfsym_find_version() - the definition of @name in @o that a program's
 * reference to @name of the version @version (a name: "GLIBC_2.2.5")
 * binds to, by the loader's rules for a versioned reference: one of that
 * version, default (name@@VERSION) or not (name@VERSION), or else one
 * without a named version (the object has no version information, or the
 * symbol the base one) that is not hidden, which the loader takes for any
 * version.  The other rules, and what is returned, as elfsym_find().
 * (dlvsym is stricter: the version alone.)
 */
enum elfsym_found elfsym_find_version(const elfsym_obj *o, const char *name,
				      const char *version, uintptr_t *addr);

/* elfsym_hash() - the GNU hash of @name (h * 33 + c from 5381). */
uint32_t elfsym_hash(const char *name);

/* elfsym_find_hashed() - elfsym_find() with @name's elfsym_hash() @h
 * computed once by the caller, for a name looked up in many objects (a
 * miss costs a Bloom filter test). */
enum elfsym_found elfsym_find_hashed(const elfsym_obj *o, const char *name,
				     uint32_t h, uintptr_t *addr);

/* elfsym_find_key() - elfsym_find_hashed() with @name's length @len
 * (strlen) known too, for a table of fixed names (ELFSYM_KEY()). */
enum elfsym_found elfsym_find_key(const elfsym_obj *o, const char *name,
				  size_t len, uint32_t h, uintptr_t *addr);

/*
 * ELFSYM_HASH_LIT() - elfsym_hash() of the string literal @s, as a
 * constant expression: computed by the compiler, for a table of names
 * fixed when the library is built (init.c: the real functions' names,
 * hashed once at build time instead of in every process at start).  @s
 * has at most ELFSYM_LIT_MAX characters (ELFSYM_LIT_FITS()); each step
 * past its end multiplies by 1 and adds 0, so the result is the hash of
 * @s alone.  tests/unit/check_symbols.c compares it with elfsym_hash().
 */
#define ELFSYM_LIT_MAX 32
#define ELFSYM_LIT_FITS(s) (sizeof(s) - 1 <= ELFSYM_LIT_MAX)
#define ELFSYM_LIT_IN_(s, i) ((i) < sizeof(s) - 1)
#define ELFSYM_LIT_CH_(s, i)                                               \
	(ELFSYM_LIT_IN_(s, i) ?                                            \
		 (uint32_t)(unsigned char)(s)[ELFSYM_LIT_IN_(s, i) ? (i) : 0] \
		 : 0u)
#define ELFSYM_LIT_STEP_(h, s, i) \
	((h) * (ELFSYM_LIT_IN_(s, i) ? 33u : 1u) + ELFSYM_LIT_CH_(s, i))
#define ELFSYM_LIT_4_(h, s, i)                                              \
	ELFSYM_LIT_STEP_(ELFSYM_LIT_STEP_(ELFSYM_LIT_STEP_(ELFSYM_LIT_STEP_( \
		h, s, i), s, (i) + 1), s, (i) + 2), s, (i) + 3)
#define ELFSYM_HASH_LIT(s)                                                   \
	ELFSYM_LIT_4_(ELFSYM_LIT_4_(ELFSYM_LIT_4_(ELFSYM_LIT_4_(             \
	ELFSYM_LIT_4_(ELFSYM_LIT_4_(ELFSYM_LIT_4_(ELFSYM_LIT_4_(5381u,       \
		s, 0), s, 4), s, 8), s, 12), s, 16), s, 20), s, 24), s, 28)

/* A fixed name's hash and length, for elfsym_find_key(). */
typedef struct elfsym_key {
	uint32_t hash;
	uint32_t len;
} elfsym_key;
#define ELFSYM_KEY(s) { ELFSYM_HASH_LIT(s), sizeof(s) - 1 }

#endif
