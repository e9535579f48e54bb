/* check_elfgot.c - preload/elfgot.c: GOT slots found from a dynamic
 * section, against in-memory fixtures and against the loaded libc. */
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <link.h>
#include <string.h>

#include "elfgot.h"
#include "suites.h"

#if defined(__x86_64__)
#define JUMP_SLOT R_X86_64_JUMP_SLOT
#define GLOB_DAT R_X86_64_GLOB_DAT
#define OTHER R_X86_64_RELATIVE
#elif defined(__aarch64__)
#define JUMP_SLOT R_AARCH64_JUMP_SLOT
#define GLOB_DAT R_AARCH64_GLOB_DAT
#define OTHER R_AARCH64_RELATIVE
#endif

#ifdef JUMP_SLOT
/* A loaded object in one block: what its dynamic section points at lies
 * at offsets from the block's start, the load bias. */
static struct fixture {
	char strtab[64];
	ElfW(Sym) symtab[6];
	ElfW(Rela) jmprel[3];
	ElfW(Rela) rela[3];
	void *got[6];
	ElfW(Dyn) dyn[12];
} F;

static const char STRTAB[] = "\0send\0recv\0other\0connect\0SSL_write";
/* Offsets of the names in STRTAB. */
enum { N_SEND = 1, N_RECV = 6, N_OTHER = 11, N_CONNECT = 17, N_SSL_WRITE = 25 };

#define OFF(field) ((uintptr_t)((char *)&F.field - (char *)&F))

/* Fill F; @absolute: the d_ptr entries as glibc leaves a writable dynamic
 * section (bias added), else as in the file. */
static uintptr_t make_fixture(bool absolute)
{
	memset(&F, 0, sizeof F);
	memcpy(F.strtab, STRTAB, sizeof STRTAB);
	F.symtab[1].st_name = N_SEND;
	F.symtab[2].st_name = N_RECV;
	F.symtab[3].st_name = N_OTHER;
	F.symtab[4].st_name = N_CONNECT;
	F.symtab[5].st_name = 1000; /* outside the string table */
	/* PLT: send, other, recv-with-a-foreign-type */
	F.jmprel[0] = (ElfW(Rela)){OFF(got[0]), ELF64_R_INFO(1, JUMP_SLOT), 0};
	F.jmprel[1] = (ElfW(Rela)){OFF(got[1]), ELF64_R_INFO(3, JUMP_SLOT), 0};
	F.jmprel[2] = (ElfW(Rela)){OFF(got[2]), ELF64_R_INFO(2, OTHER), 0};
	/* GOT: connect, a broken name, symbol 0 */
	F.rela[0] = (ElfW(Rela)){OFF(got[3]), ELF64_R_INFO(4, GLOB_DAT), 0};
	F.rela[1] = (ElfW(Rela)){OFF(got[4]), ELF64_R_INFO(5, GLOB_DAT), 0};
	F.rela[2] = (ElfW(Rela)){OFF(got[5]), ELF64_R_INFO(0, GLOB_DAT), 0};
	uintptr_t base = (uintptr_t)&F, add = absolute ? base : 0;
	ElfW(Dyn) d[] = {
		{DT_NEEDED, {0}},
		{DT_STRTAB, {.d_ptr = add + OFF(strtab)}},
		{DT_STRSZ, {.d_val = sizeof STRTAB}},
		{DT_SYMTAB, {.d_ptr = add + OFF(symtab)}},
		{DT_JMPREL, {.d_ptr = add + OFF(jmprel)}},
		{DT_PLTRELSZ, {.d_val = sizeof F.jmprel}},
		{DT_PLTREL, {.d_val = DT_RELA}},
		{DT_RELA, {.d_ptr = add + OFF(rela)}},
		{DT_RELASZ, {.d_val = sizeof F.rela}},
		{DT_RELAENT, {.d_val = sizeof(ElfW(Rela))}},
		{DT_NULL, {0}},
	};
	memcpy(F.dyn, d, sizeof d);
	return base;
}

struct seen {
	size_t n;
	size_t idx[8];
	void **slot[8];
	bool plt[8];
};

static void record(void *arg, size_t idx, void **slot, bool plt)
{
	struct seen *s = arg;
	ck_assert_uint_lt(s->n, 8);
	s->idx[s->n] = idx;
	s->slot[s->n] = slot;
	s->plt[s->n] = plt;
	s->n++;
}

/* Sorted, as elfgot_for_each() wants them. */
static const char *const NAMES[] = {"SSL_write", "connect", "recv", "send"};

static void check_walk(bool absolute)
{
	uintptr_t base = make_fixture(absolute);
	elfgot_obj o;
	ck_assert_int_eq(elfgot_open(&o, base, F.dyn), 0);
	struct seen s = {0};
	ck_assert_uint_eq(elfgot_for_each(&o, NAMES, 4, record, &s), 2);
	ck_assert_uint_eq(s.n, 2);
	/* send's PLT slot; connect's GOT slot.  Not "other" (not asked for),
	 * not recv (not a slot type), not the broken name, not symbol 0. */
	ck_assert_uint_eq(s.idx[0], 3);
	ck_assert_ptr_eq(s.slot[0], &F.got[0]);
	ck_assert(s.plt[0]);
	ck_assert_uint_eq(s.idx[1], 1);
	ck_assert_ptr_eq(s.slot[1], &F.got[3]);
	ck_assert(!s.plt[1]);
}

START_TEST(walk_relative_dynamic)
{
	check_walk(false);
}
END_TEST

START_TEST(walk_absolute_dynamic)
{
	check_walk(true);
}
END_TEST

START_TEST(no_name_asked_no_call)
{
	uintptr_t base = make_fixture(true);
	elfgot_obj o;
	ck_assert_int_eq(elfgot_open(&o, base, F.dyn), 0);
	struct seen s = {0};
	static const char *const none[] = {"write"};
	ck_assert_uint_eq(elfgot_for_each(&o, none, 1, record, &s), 0);
	ck_assert_uint_eq(elfgot_for_each(&o, none, 0, record, &s), 0);
}
END_TEST

START_TEST(open_refuses)
{
	uintptr_t base = make_fixture(true);
	elfgot_obj o;
	/* REL instead of RELA */
	F.dyn[6].d_un.d_val = DT_REL;
	ck_assert_int_eq(elfgot_open(&o, base, F.dyn), -ENOTSUP);
	/* no symbol table */
	make_fixture(true);
	F.dyn[3].d_tag = DT_NEEDED;
	ck_assert_int_eq(elfgot_open(&o, base, F.dyn), -ENOENT);
	/* nothing at all */
	ElfW(Dyn) empty[] = {{DT_NULL, {0}}};
	ck_assert_int_eq(elfgot_open(&o, base, empty), -ENOENT);
	ck_assert_uint_eq(elfgot_for_each(&o, NAMES, 4, record, NULL), 0);
}
END_TEST
#endif /* JUMP_SLOT */

START_TEST(dyn_addr_relative_or_absolute)
{
	ck_assert_uint_eq(elfgot_dyn_addr(0x7f0000000000, 0x1234), 0x7f0000001234);
	ck_assert_uint_eq(elfgot_dyn_addr(0x7f0000000000, 0x7f0000001234), 0x7f0000001234);
	ck_assert_uint_eq(elfgot_dyn_addr(0, 0x401000), 0x401000);
}
END_TEST

START_TEST(sort_names)
{
	const char *n[] = {"send", "SSL_write", "close", "__read_chk", "connect", "close_range"};
	elfgot_sort_names(n, 6);
	const char *want[] = {"SSL_write", "__read_chk", "close", "close_range", "connect", "send"};
	for (int i = 0; i < 6; i++)
		ck_assert_str_eq(n[i], want[i]);
	elfgot_sort_names(n, 0);
	elfgot_sort_names(n, 1);
}
END_TEST

/* Text at 0-0x3000 (r-x); data at 0x10000-0x14800 (rw-), of which
 * 0x10000-0x12800 RELRO: its pages up to 0x12000 are made read-only. */
static const ElfW(Phdr) PH[] = {
	{.p_type = PT_PHDR},
	{.p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_vaddr = 0, .p_memsz = 0x3000},
	{.p_type = PT_LOAD, .p_flags = PF_R | PF_W, .p_vaddr = 0x10000, .p_memsz = 0x4800},
	{.p_type = PT_GNU_RELRO, .p_flags = PF_R, .p_vaddr = 0x10000, .p_memsz = 0x2800},
	{.p_type = PT_DYNAMIC, .p_vaddr = 0x10100, .p_memsz = 0x200},
};
#define B 0x7f1200000000ull

START_TEST(inside_load_segments)
{
	ck_assert(elfgot_inside(PH, 5, B, B + 0x1036));
	ck_assert(elfgot_inside(PH, 5, B, B + 0x14000));
	ck_assert(!elfgot_inside(PH, 5, B, B + 0x3000));
	ck_assert(!elfgot_inside(PH, 5, B, B + 0x14800));
	ck_assert(!elfgot_inside(PH, 5, B, 0x7f0000098ef0)); /* libc's */
	ck_assert(!elfgot_inside(PH, 5, B, B - 8));
}
END_TEST

START_TEST(slot_access_relro_pages)
{
	ck_assert_int_eq(elfgot_slot_access(PH, 5, B, B + 0x10ff8, 0x1000), ELFGOT_RELRO);
	ck_assert_int_eq(elfgot_slot_access(PH, 5, B, B + 0x11ff8, 0x1000), ELFGOT_RELRO);
	/* RELRO's last partial page stays writable */
	ck_assert_int_eq(elfgot_slot_access(PH, 5, B, B + 0x12000, 0x1000), ELFGOT_WRITABLE);
	ck_assert_int_eq(elfgot_slot_access(PH, 5, B, B + 0x147f8, 0x1000), ELFGOT_WRITABLE);
	/* past the segment, or straddling its end, or in text */
	ck_assert_int_eq(elfgot_slot_access(PH, 5, B, B + 0x147fc, 0x1000), ELFGOT_NO_WRITE);
	ck_assert_int_eq(elfgot_slot_access(PH, 5, B, B + 0x14800, 0x1000), ELFGOT_NO_WRITE);
	ck_assert_int_eq(elfgot_slot_access(PH, 5, B, B + 0x2000, 0x1000), ELFGOT_NO_WRITE);
	/* larger pages: the whole RELRO rounds down to nothing */
	ck_assert_int_eq(elfgot_slot_access(PH, 5, B, B + 0x10ff8, 0x10000), ELFGOT_WRITABLE);
}
END_TEST

START_TEST(search_path)
{
	bool runpath;
	ElfW(Dyn) none[] = {{DT_NEEDED, {0}}, {DT_NULL, {0}}};
	ElfW(Dyn) rp[] = {{DT_RPATH, {0}}, {DT_NULL, {0}}};
	ElfW(Dyn) run[] = {{DT_NEEDED, {0}}, {DT_RUNPATH, {0}}, {DT_NULL, {0}}};
	ck_assert(!elfgot_search_path(none, &runpath));
	ck_assert(!runpath);
	ck_assert(elfgot_search_path(rp, &runpath));
	ck_assert(!runpath);
	ck_assert(elfgot_search_path(run, &runpath));
	ck_assert(runpath);
}
END_TEST

#ifdef JUMP_SLOT
/* The loaded libc: its GOT holds free (interposable, called through the
 * GOT); the slot found holds what the global lookup gives. */
struct libc_walk {
	int objects;
	size_t slots;
	void *want;
	bool writable;
};

static void libc_slot(void *arg, size_t idx, void **slot, bool plt)
{
	struct libc_walk *w = arg;
	(void)plt;
	ck_assert_uint_eq(idx, 0);
	ck_assert_ptr_eq(*slot, w->want);
	w->slots++;
}

static int libc_object(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct libc_walk *w = arg;
	(void)size;
	if (!info->dlpi_name || !strstr(info->dlpi_name, "/libc.so.6"))
		return 0;
	w->objects++;
	const ElfW(Dyn) *dyn = NULL;
	for (size_t i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_DYNAMIC)
			dyn = (const ElfW(Dyn) *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
	ck_assert_ptr_nonnull(dyn);
	elfgot_obj o;
	ck_assert_int_eq(elfgot_open(&o, info->dlpi_addr, dyn), 0);
	static const char *const names[] = {"free"};
	elfgot_for_each(&o, names, 1, libc_slot, w);
	return 1;
}

START_TEST(loaded_libc_free_slot)
{
	struct libc_walk w = {.want = dlsym(RTLD_DEFAULT, "free")};
	ck_assert_ptr_nonnull(w.want);
	dl_iterate_phdr(libc_object, &w);
	ck_assert_int_eq(w.objects, 1);
	ck_assert_uint_ge(w.slots, 1);
}
END_TEST
#endif

Suite *elfgot_suite(void)
{
	Suite *s = suite_create("elfgot");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, dyn_addr_relative_or_absolute);
	tcase_add_test(tc, sort_names);
	tcase_add_test(tc, inside_load_segments);
	tcase_add_test(tc, slot_access_relro_pages);
	tcase_add_test(tc, search_path);
#ifdef JUMP_SLOT
	tcase_add_test(tc, walk_relative_dynamic);
	tcase_add_test(tc, walk_absolute_dynamic);
	tcase_add_test(tc, no_name_asked_no_call);
	tcase_add_test(tc, open_refuses);
	tcase_add_test(tc, loaded_libc_free_slot);
#endif
	suite_add_tcase(s, tc);
	return s;
}
