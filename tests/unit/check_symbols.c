/* check_symbols.c - the one list of interposed functions (preload/
 * symbols.h): the checker's table names exactly its functions, in its
 * order; and core/elfsym.c, which init.c resolves the real ones with,
 * finds in the loaded libc what dlsym() finds. */
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <stddef.h>
#include <string.h>

#include "check_elf.h"
#include "elfsym.h"
#include "suites.h"
#include "symbols.h"
#include "symvers.h"

static const char *const list[] = { HT_SYMBOLS(HT_SYMBOL_NAME_STR) };
#define NLIST (sizeof list / sizeof list[0])

START_TEST(checker_names_the_list)
{
	ck_assert_uint_eq(NLIST, HT_SYMBOL_COUNT);
	ck_assert_uint_eq(check_interposed_count(), NLIST);
	for (size_t i = 0; i < NLIST; i++)
		ck_assert_str_eq(check_interposed_name(i), list[i]);
	ck_assert_ptr_null(check_interposed_name(NLIST));
}
END_TEST

/* The loaded libc's dynamic section and load bias. */
struct find_libc {
	uintptr_t base;
	const ElfW(Dyn) *dyn;
	const char *path;
};

static int find_libc_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct find_libc *f = arg;
	const char *slash = info->dlpi_name ? strrchr(info->dlpi_name, '/') : NULL;
	(void)size;
	if (!slash || strncmp(slash + 1, "libc.so", 7) != 0)
		return 0;
	for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_DYNAMIC)
			f->dyn = (const ElfW(Dyn) *)(info->dlpi_addr +
						     info->dlpi_phdr[i].p_vaddr);
	f->base = info->dlpi_addr;
	f->path = info->dlpi_name;
	return f->dyn != NULL;
}

/* The loaded libc, for elfsym and as a dlopen() handle (@handle: dlsym()
 * through it searches libc and its dependencies, not the program, whose
 * own definitions, ASan's interceptors under SANITIZE=1, come first in
 * RTLD_DEFAULT). */
static void open_libc(elfsym_obj *o, void **handle)
{
	struct find_libc f = {0};
	ck_assert_int_eq(dl_iterate_phdr(find_libc_cb, &f), 1);
	ck_assert_int_eq(elfsym_open(o, f.base, f.dyn), 0);
	*handle = dlopen(f.path, RTLD_LAZY | RTLD_NOLOAD);
	ck_assert_ptr_nonnull(*handle);
}

/* What elfsym_find() says of @name equals dlsym() in libc (@libc): the
 * same function, or an indirect one (dlsym runs its resolver), or nothing
 * for both. */
static void same_as_dlsym(const elfsym_obj *o, void *libc, const char *name)
{
	uintptr_t a = 0;
	void *want = dlsym(libc, name);
	switch (elfsym_find(o, name, &a)) {
	case ELFSYM_FUNC:
		ck_assert_msg((void *)a == want, "%s: %p, dlsym %p", name,
			      (void *)a, want);
		break;
	case ELFSYM_IFUNC:
		ck_assert_msg(want != NULL, "%s: indirect, dlsym NULL", name);
		break;
	case ELFSYM_NONE:
		ck_assert_msg(want == NULL, "%s: not found, dlsym %p", name, want);
		break;
	case ELFSYM_OTHER:
		ck_abort_msg("%s: not a function", name);
	}
}

START_TEST(elfsym_finds_what_dlsym_finds)
{
	elfsym_obj o;
	void *libc;
	open_libc(&o, &libc);
#define CHECK_LIBC_REAL(lib, kind, how, ret, name, params)           \
	if (strcmp(#lib, "LIBC") == 0 &&                            \
	    (strcmp(#how, "REAL") == 0 || strcmp(#how, "VERS") == 0))  \
		same_as_dlsym(&o, libc, #name);
	HT_SYMBOLS(CHECK_LIBC_REAL)
	/* Symbols with an old hidden version (name@GLIBC_2.2.5) beside the
	 * default one: the default is taken, as dlsym takes it. */
	same_as_dlsym(&o, libc, "pthread_cond_wait");
	same_as_dlsym(&o, libc, "realpath");
	same_as_dlsym(&o, libc, "sched_setaffinity");
	/* An indirect function, and a name libc does not define. */
	uintptr_t a = 0;
	ck_assert_int_eq(elfsym_find(&o, "memcpy", &a), ELFSYM_IFUNC);
	ck_assert_int_eq(elfsym_find(&o, "httptrace_no_such_function", &a),
			 ELFSYM_NONE);
	ck_assert_int_eq(elfsym_find(&o, "", &a), ELFSYM_NONE);
	dlclose(libc);
}
END_TEST

/* An object without a GNU hash table cannot be searched: said so. */
START_TEST(elfsym_needs_gnu_hash)
{
	static const char strtab[] = "\0read";
	static ElfW(Sym) symtab[2];
	ElfW(Dyn) dyn[] = {
		{ .d_tag = DT_SYMTAB, .d_un.d_ptr = (uintptr_t)symtab },
		{ .d_tag = DT_STRTAB, .d_un.d_ptr = (uintptr_t)strtab },
		{ .d_tag = DT_STRSZ, .d_un.d_val = sizeof strtab },
		{ .d_tag = DT_NULL },
	};
	elfsym_obj o;
	ck_assert_int_eq(elfsym_open(&o, 0, dyn), -ENOTSUP);
	dyn[0].d_tag = DT_NULL;
	ck_assert_int_eq(elfsym_open(&o, 0, dyn), -ENOENT);
}
END_TEST

/* A table of @n symbols (1..n; 0 is the null symbol), all named "read"
 * and so in one hash chain, in the one bucket of a GNU hash table with a
 * Bloom filter that lets every name through. */
#define SYN_MAX 4
struct synthetic {
	ElfW(Sym) symtab[SYN_MAX + 1];
	uint32_t gnu_hash[4 + sizeof(ElfW(Addr)) / 4 + 1 + SYN_MAX];
	elfsym_obj o;
};
static const char syn_strtab[] = "\0read";

static void synthetic_open(struct synthetic *y, size_t n, uintptr_t base)
{
	memset(y, 0, sizeof *y);
	uint32_t h = elfsym_hash("read");
	uint32_t *g = y->gnu_hash;
	g[0] = 1; /* nbuckets */
	g[1] = 1; /* symoffset */
	g[2] = 1; /* bloom_size */
	g[3] = 0; /* bloom_shift */
	ElfW(Addr) all = ~(ElfW(Addr))0;
	memcpy(&g[4], &all, sizeof all);
	uint32_t *bucket = &g[4 + sizeof all / 4];
	bucket[0] = 1;
	for (size_t i = 1; i <= n; i++) {
		y->symtab[i].st_name = 1;
		bucket[i] = i == n ? (h | 1) : (h & ~1u); /* the chain */
	}
	y->o = (elfsym_obj){ .base = base, .symtab = y->symtab,
			     .strtab = syn_strtab, .strsz = sizeof syn_strtab,
			     .gnu_hash = g };
}

static void syn_sym(struct synthetic *y, size_t i, unsigned type,
		    ElfW(Section) shndx, ElfW(Addr) value)
{
	y->symtab[i].st_info = ELF64_ST_INFO(STB_GLOBAL, type);
	y->symtab[i].st_shndx = shndx;
	y->symtab[i].st_value = value;
}

/* A function exported from assembly without a .type (STT_NOTYPE): the
 * loader binds it, and dlsym() returns it, as any function. */
START_TEST(elfsym_takes_an_untyped_symbol)
{
	struct synthetic y;
	synthetic_open(&y, 1, 0x10000);
	syn_sym(&y, 1, STT_NOTYPE, 12, 0x1129);
	uintptr_t a = 0;
	ck_assert_int_eq(elfsym_find(&y.o, "read", &a), ELFSYM_FUNC);
	ck_assert_uint_eq(a, 0x10000 + 0x1129);
}
END_TEST

/* What the loader passes by does not end the search: a definition without
 * a value, a section symbol; an absolute symbol is at its value. */
START_TEST(elfsym_passes_by_what_the_loader_does)
{
	struct synthetic y;
	synthetic_open(&y, 3, 0x10000);
	syn_sym(&y, 1, STT_FUNC, 12, 0);         /* no value */
	syn_sym(&y, 2, STT_SECTION, 12, 0x2000); /* not a bound type */
	syn_sym(&y, 3, STT_FUNC, 12, 0x3000);
	uintptr_t a = 0;
	ck_assert_int_eq(elfsym_find(&y.o, "read", &a), ELFSYM_FUNC);
	ck_assert_uint_eq(a, 0x10000 + 0x3000);
	synthetic_open(&y, 1, 0x10000);
	syn_sym(&y, 1, STT_FUNC, 12, 0);
	ck_assert_int_eq(elfsym_find(&y.o, "read", &a), ELFSYM_NONE);
	syn_sym(&y, 1, STT_FUNC, SHN_ABS, 0x4000);
	ck_assert_int_eq(elfsym_find(&y.o, "read", &a), ELFSYM_FUNC);
	ck_assert_uint_eq(a, 0x4000);
	syn_sym(&y, 1, STT_OBJECT, 12, 0x5000);
	ck_assert_int_eq(elfsym_find(&y.o, "read", &a), ELFSYM_OTHER);
}
END_TEST

/* What elfsym_find_version() says of @name in @version equals dlvsym() in
 * libc (@libc), for a version libc defines (dlvsym takes that version
 * alone; the loader, for a reference, also an unversioned definition,
 * which libc has none of). */
static void same_as_dlvsym(const elfsym_obj *o, void *libc, const char *name,
			   const char *version)
{
	uintptr_t a = 0;
	void *want = dlvsym(libc, name, version);
	enum elfsym_found f = elfsym_find_version(o, name, version, &a);
	ck_assert_msg(f == (want ? ELFSYM_FUNC : ELFSYM_NONE),
		      "%s@%s: found %d, dlvsym %p", name, version, f, want);
	if (f == ELFSYM_FUNC)
		ck_assert_msg((void *)a == want, "%s@%s: %p, dlvsym %p", name,
			      version, (void *)a, want);
}

/* The list's VERS functions in each of the versions libc has them in
 * (symvers.h), the old hidden one included; the default version is the
 * unversioned lookup's answer; a version libc does not define: none. */
START_TEST(elfsym_finds_what_dlvsym_finds)
{
	elfsym_obj o;
	void *libc;
	uintptr_t a = 0, b = 0;
	open_libc(&o, &libc);
#define CHECK_LIBC_VERS(lib, kind, how, ret, name, params)                  \
	if (strcmp(#how, "VERS") == 0) {                                    \
		same_as_dlvsym(&o, libc, #name,                             \
			       HT_VERS_STR(HT_VERS_DEFAULT));               \
		ck_assert_int_eq(elfsym_find(&o, #name, &a), ELFSYM_FUNC);  \
		ck_assert_int_eq(elfsym_find_version(&o, #name,             \
			HT_VERS_STR(HT_VERS_DEFAULT), &b), ELFSYM_FUNC);    \
		ck_assert_uint_eq(a, b);                                    \
		CHECK_LIBC_COMPAT(#name)                                    \
		ck_assert_int_eq(elfsym_find_version(&o, #name,             \
			"GLIBC_0.0_NONE", &a), ELFSYM_NONE);                \
	}
#ifdef HT_VERS_COMPAT
#define CHECK_LIBC_COMPAT(name)                                             \
	same_as_dlvsym(&o, libc, name, HT_VERS_STR(HT_VERS_COMPAT));        \
	ck_assert_ptr_ne(dlvsym(libc, name, HT_VERS_STR(HT_VERS_COMPAT)),   \
			 dlvsym(libc, name, HT_VERS_STR(HT_VERS_DEFAULT)));
#else
#define CHECK_LIBC_COMPAT(name)
#endif
	HT_SYMBOLS(CHECK_LIBC_VERS)
	dlclose(libc);
}
END_TEST

/* The versions of a synthetic object's four "read": V1 (hidden), V2 (the
 * default), none (the base version), the base version hidden. */
struct synthetic_vers {
	struct synthetic y;
	ElfW(Half) versym[SYN_MAX + 1];
	struct {
		ElfW(Verdef) d;
		ElfW(Verdaux) a;
	} vd[3];
	ElfW(Dyn) dyn[3];
};
static const char vers_strtab[] = "\0read\0V1\0V2\0obj";

static void synthetic_vers_open(struct synthetic_vers *v, size_t n)
{
	static const struct { unsigned ndx, flags, name; } def[3] = {
		{ 1, VER_FLG_BASE, 12 }, { 2, 0, 6 }, { 3, 0, 9 },
	};
	synthetic_open(&v->y, n, 0x10000);
	v->y.o.strtab = vers_strtab;
	v->y.o.strsz = sizeof vers_strtab;
	memset(v->vd, 0, sizeof v->vd);
	for (size_t k = 0; k < 3; k++) {
		v->vd[k].d.vd_version = VER_DEF_CURRENT;
		v->vd[k].d.vd_flags = def[k].flags;
		v->vd[k].d.vd_ndx = def[k].ndx;
		v->vd[k].d.vd_cnt = 1;
		v->vd[k].d.vd_aux = offsetof(__typeof__(v->vd[0]), a);
		v->vd[k].d.vd_next = k < 2 ? sizeof v->vd[0] : 0;
		v->vd[k].a.vda_name = def[k].name;
	}
	v->dyn[0] = (ElfW(Dyn)){ .d_tag = DT_VERDEF,
				 .d_un.d_ptr = (uintptr_t)&v->vd[0].d };
	v->dyn[1] = (ElfW(Dyn)){ .d_tag = DT_VERDEFNUM, .d_un.d_val = 3 };
	v->dyn[2] = (ElfW(Dyn)){ .d_tag = DT_NULL };
	v->y.o.versym = v->versym;
	v->y.o.dyn = v->dyn;
	for (size_t i = 1; i <= n; i++)
		syn_sym(&v->y, i, STT_FUNC, 12, 0x1000 * i);
	v->versym[1] = 2 | 0x8000; /* read@V1 */
	v->versym[2] = 3;          /* read@@V2 */
	v->versym[3] = 1;          /* read, the base version */
	v->versym[4] = 1 | 0x8000; /* hidden, no named version */
}

/* A versioned lookup takes its own version, hidden or default, else a
 * definition without a named version that is not hidden (the loader's
 * check_match for a reference); an unversioned one never a hidden one. */
START_TEST(elfsym_version_rules)
{
	struct synthetic_vers v;
	uintptr_t a = 0;
	synthetic_vers_open(&v, 3);
	ck_assert_int_eq(elfsym_find(&v.y.o, "read", &a), ELFSYM_FUNC);
	ck_assert_uint_eq(a, 0x10000 + 0x2000);
	ck_assert_int_eq(elfsym_find_version(&v.y.o, "read", "V1", &a),
			 ELFSYM_FUNC);
	ck_assert_uint_eq(a, 0x10000 + 0x1000);
	ck_assert_int_eq(elfsym_find_version(&v.y.o, "read", "V2", &a),
			 ELFSYM_FUNC);
	ck_assert_uint_eq(a, 0x10000 + 0x2000);
	ck_assert_int_eq(elfsym_find_version(&v.y.o, "read", "V3", &a),
			 ELFSYM_FUNC);
	ck_assert_uint_eq(a, 0x10000 + 0x3000);
	ck_assert_int_eq(elfsym_find_version(&v.y.o, "read", "obj", &a),
			 ELFSYM_FUNC); /* the base version's name: none */
	ck_assert_uint_eq(a, 0x10000 + 0x3000);
	/* Without the unversioned one: no V3; a hidden one is not taken. */
	synthetic_vers_open(&v, 2);
	ck_assert_int_eq(elfsym_find_version(&v.y.o, "read", "V3", &a),
			 ELFSYM_NONE);
	synthetic_vers_open(&v, 4);
	v.versym[3] = 3 | 0x8000;
	ck_assert_int_eq(elfsym_find_version(&v.y.o, "read", "V3", &a),
			 ELFSYM_NONE);
	/* No version information at all: any version takes the first. */
	synthetic_vers_open(&v, 3);
	v.y.o.versym = NULL;
	ck_assert_int_eq(elfsym_find_version(&v.y.o, "read", "V2", &a),
			 ELFSYM_FUNC);
	ck_assert_uint_eq(a, 0x10000 + 0x1000);
}
END_TEST

/* The build-time hashes (init.c's table of the real functions' names) are
 * elfsym_hash() of each name, for every name of the list and at the ends
 * of what ELFSYM_HASH_LIT() takes. */
#define KEY_ROW(lib, kind, how, ret, name, params) ELFSYM_KEY(#name),
static const elfsym_key list_keys[] = { HT_SYMBOLS(KEY_ROW) };

START_TEST(elfsym_build_time_hash_is_elfsym_hash)
{
	for (size_t i = 0; i < NLIST; i++) {
		ck_assert_uint_eq(list_keys[i].hash, elfsym_hash(list[i]));
		ck_assert_uint_eq(list_keys[i].len, strlen(list[i]));
	}
	static const elfsym_key ends[] = {
		ELFSYM_KEY(""), ELFSYM_KEY("\xff"),
		ELFSYM_KEY("abcdefghijklmnopqrstuvwxyz012345"),
	};
	static const char *const end_names[] = {
		"", "\xff", "abcdefghijklmnopqrstuvwxyz012345",
	};
	ck_assert(ELFSYM_LIT_FITS("abcdefghijklmnopqrstuvwxyz012345"));
	ck_assert(!ELFSYM_LIT_FITS("abcdefghijklmnopqrstuvwxyz0123456"));
	for (size_t i = 0; i < 3; i++) {
		ck_assert_uint_eq(ends[i].hash, elfsym_hash(end_names[i]));
		ck_assert_uint_eq(ends[i].len, strlen(end_names[i]));
	}
	/* and a lookup by key finds what a lookup by name finds */
	elfsym_obj o;
	void *handle;
	uintptr_t a = 0, b = 0;
	open_libc(&o, &handle);
	ck_assert_int_eq(elfsym_find_key(&o, "connect", 7,
					 ELFSYM_HASH_LIT("connect"), &a),
			 ELFSYM_FUNC);
	ck_assert_int_eq(elfsym_find(&o, "connect", &b), ELFSYM_FUNC);
	ck_assert_uint_eq(a, b);
	dlclose(handle);
}
END_TEST

Suite *symbols_suite(void)
{
	Suite *s = suite_create("symbols");
	TCase *tc = tcase_create("list");
	tcase_add_test(tc, checker_names_the_list);
	tcase_add_test(tc, elfsym_finds_what_dlsym_finds);
	tcase_add_test(tc, elfsym_finds_what_dlvsym_finds);
	tcase_add_test(tc, elfsym_version_rules);
	tcase_add_test(tc, elfsym_needs_gnu_hash);
	tcase_add_test(tc, elfsym_takes_an_untyped_symbol);
	tcase_add_test(tc, elfsym_passes_by_what_the_loader_does);
	tcase_add_test(tc, elfsym_build_time_hash_is_elfsym_hash);
	suite_add_tcase(s, tc);
	return s;
}
