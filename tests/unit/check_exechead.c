/* check_exechead.c - static, dynamic, script or unknown from a file's
 * first bytes (core/exechead.c), on ELF headers built here and "#!"
 * lines. */
#include <elf.h>
#include <string.h>

#include "exechead.h"
#include "suites.h"

/* A 64-bit little-endian x86-64 ELF of @type whose program headers (right
 * after the ELF header) have the types @pt (@n of them). */
static size_t make_elf64(uint8_t *buf, uint16_t type, const uint32_t *pt,
			 size_t n)
{
	Elf64_Ehdr eh;

	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = type;
	eh.e_machine = EM_X86_64;
	eh.e_phoff = sizeof(eh);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = (uint16_t)n;
	memcpy(buf, &eh, sizeof(eh));
	for (size_t i = 0; i < n; i++) {
		Elf64_Phdr ph;

		memset(&ph, 0, sizeof(ph));
		ph.p_type = pt[i];
		memcpy(buf + sizeof(eh) + i * sizeof(ph), &ph, sizeof(ph));
	}
	return sizeof(eh) + n * sizeof(Elf64_Phdr);
}

static enum exechead_kind classify64(const uint8_t *buf, size_t len)
{
	char interp[64];

	return exechead_classify(buf, len, ELFCLASS64, EM_X86_64, interp,
				 sizeof(interp));
}

START_TEST(elf_static_dynamic_pie)
{
	static const uint32_t stat[] = {PT_LOAD, PT_LOAD, PT_NOTE, PT_TLS,
					PT_GNU_STACK};
	static const uint32_t dyn[] = {PT_PHDR, PT_INTERP, PT_LOAD,
				       PT_DYNAMIC, PT_GNU_STACK};
	static const uint32_t pie[] = {PT_LOAD, PT_DYNAMIC, PT_GNU_RELRO};
	uint8_t buf[EXECHEAD_SIZE];
	size_t n;

	n = make_elf64(buf, ET_EXEC, stat, 5);
	ck_assert_int_eq(classify64(buf, n), EXECHEAD_STATIC);
	n = make_elf64(buf, ET_EXEC, dyn, 5);
	ck_assert_int_eq(classify64(buf, n), EXECHEAD_DYNAMIC);
	n = make_elf64(buf, ET_DYN, dyn, 5);
	ck_assert_int_eq(classify64(buf, n), EXECHEAD_DYNAMIC);
	n = make_elf64(buf, ET_DYN, pie, 3);
	ck_assert_int_eq(classify64(buf, n), EXECHEAD_STATIC_PIE);
	n = make_elf64(buf, ET_DYN, stat, 5);
	ck_assert_int_eq(classify64(buf, n), EXECHEAD_STATIC);
}
END_TEST

/* Anything the checks cannot be sure of is UNKNOWN: no word is said. */
START_TEST(elf_unknown)
{
	static const uint32_t stat[] = {PT_LOAD, PT_LOAD};
	static const uint32_t dyn[] = {PT_LOAD, PT_LOAD, PT_INTERP};
	uint8_t buf[EXECHEAD_SIZE];
	char interp[64];
	size_t n;

	n = make_elf64(buf, ET_EXEC, stat, 2);
	/* program headers cut short by the read */
	ck_assert_int_eq(classify64(buf, n - 1), EXECHEAD_UNKNOWN);
	ck_assert_int_eq(classify64(buf, 40), EXECHEAD_UNKNOWN);
	ck_assert_int_eq(classify64(buf, 3), EXECHEAD_UNKNOWN);
	/* the interpreter's header is the one past the read */
	n = make_elf64(buf, ET_EXEC, dyn, 3);
	ck_assert_int_eq(classify64(buf, n - sizeof(Elf64_Phdr)),
			 EXECHEAD_UNKNOWN);
	/* another machine or class: ENOEXEC, or not the loader's to preload */
	n = make_elf64(buf, ET_EXEC, stat, 2);
	ck_assert_int_eq(exechead_classify(buf, n, ELFCLASS64, EM_AARCH64,
					   interp, sizeof(interp)),
			 EXECHEAD_UNKNOWN);
	ck_assert_int_eq(exechead_classify(buf, n, ELFCLASS64, 0, interp,
					   sizeof(interp)),
			 EXECHEAD_STATIC);
	ck_assert_int_eq(exechead_classify(buf, n, ELFCLASS32, 0, interp,
					   sizeof(interp)),
			 EXECHEAD_UNKNOWN);
	/* not a program: a relocatable object, a core file */
	n = make_elf64(buf, ET_REL, stat, 2);
	ck_assert_int_eq(classify64(buf, n), EXECHEAD_UNKNOWN);
	n = make_elf64(buf, ET_CORE, stat, 2);
	ck_assert_int_eq(classify64(buf, n), EXECHEAD_UNKNOWN);
	/* no program headers, or a count held elsewhere (PN_XNUM) */
	n = make_elf64(buf, ET_EXEC, stat, 0);
	ck_assert_int_eq(classify64(buf, n), EXECHEAD_UNKNOWN);
	n = make_elf64(buf, ET_EXEC, stat, 2);
	buf[offsetof(Elf64_Ehdr, e_phnum)] = 0xff;
	buf[offsetof(Elf64_Ehdr, e_phnum) + 1] = 0xff;
	ck_assert_int_eq(classify64(buf, n), EXECHEAD_UNKNOWN);
	/* a program header offset far past the read (no wrap-around) */
	n = make_elf64(buf, ET_EXEC, stat, 2);
	memset(buf + offsetof(Elf64_Ehdr, e_phoff), 0xff, 8);
	ck_assert_int_eq(classify64(buf, n), EXECHEAD_UNKNOWN);
	/* an unknown byte order, a wrong entry size */
	n = make_elf64(buf, ET_EXEC, stat, 2);
	buf[EI_DATA] = 7;
	ck_assert_int_eq(classify64(buf, n), EXECHEAD_UNKNOWN);
	n = make_elf64(buf, ET_EXEC, stat, 2);
	buf[offsetof(Elf64_Ehdr, e_phentsize)] = 32;
	ck_assert_int_eq(classify64(buf, n), EXECHEAD_UNKNOWN);
	/* text, nothing */
	ck_assert_int_eq(classify64((const uint8_t *)"hello", 5),
			 EXECHEAD_UNKNOWN);
	ck_assert_int_eq(classify64(buf, 0), EXECHEAD_UNKNOWN);
}
END_TEST

/* A 32-bit big-endian static program: both fields are read in its order. */
START_TEST(elf32_msb)
{
	uint8_t buf[EXECHEAD_SIZE];
	char interp[8];
	size_t n = sizeof(Elf32_Ehdr) + 2 * sizeof(Elf32_Phdr);

	memset(buf, 0, sizeof(buf));
	memcpy(buf, ELFMAG, SELFMAG);
	buf[EI_CLASS] = ELFCLASS32;
	buf[EI_DATA] = ELFDATA2MSB;
	buf[offsetof(Elf32_Ehdr, e_type) + 1] = ET_EXEC;
	buf[offsetof(Elf32_Ehdr, e_machine) + 1] = EM_MIPS;
	buf[offsetof(Elf32_Ehdr, e_phoff) + 3] = sizeof(Elf32_Ehdr);
	buf[offsetof(Elf32_Ehdr, e_phentsize) + 1] = sizeof(Elf32_Phdr);
	buf[offsetof(Elf32_Ehdr, e_phnum) + 1] = 2;
	buf[sizeof(Elf32_Ehdr) + 3] = PT_LOAD;
	buf[sizeof(Elf32_Ehdr) + sizeof(Elf32_Phdr) + 3] = PT_NOTE;
	ck_assert_int_eq(exechead_classify(buf, n, ELFCLASS32, EM_MIPS, interp,
					   sizeof(interp)),
			 EXECHEAD_STATIC);
	buf[sizeof(Elf32_Ehdr) + sizeof(Elf32_Phdr) + 3] = PT_INTERP;
	ck_assert_int_eq(exechead_classify(buf, n, ELFCLASS32, EM_MIPS, interp,
					   sizeof(interp)),
			 EXECHEAD_DYNAMIC);
}
END_TEST

static enum exechead_kind script(const char *s, char *interp, size_t cap)
{
	return exechead_classify(s, strlen(s), ELFCLASS64, EM_X86_64, interp,
				 cap);
}

START_TEST(scripts)
{
	char interp[16];

	ck_assert_int_eq(script("#!/bin/sh\necho\n", interp, sizeof(interp)),
			 EXECHEAD_SCRIPT);
	ck_assert_str_eq(interp, "/bin/sh");
	ck_assert_int_eq(script("#! \t/usr/bin/env python3\n", interp,
				sizeof(interp)),
			 EXECHEAD_SCRIPT);
	ck_assert_str_eq(interp, "/usr/bin/env");
	ck_assert_int_eq(script("#!busybox\tsh\n", interp, sizeof(interp)),
			 EXECHEAD_SCRIPT);
	ck_assert_str_eq(interp, "busybox");
	/* no interpreter, a line that does not end in what was read, a path
	 * longer than the room for it */
	ck_assert_int_eq(script("#!  \n", interp, sizeof(interp)),
			 EXECHEAD_UNKNOWN);
	ck_assert_int_eq(script("#!/bin/sh", interp, sizeof(interp)),
			 EXECHEAD_UNKNOWN);
	ck_assert_int_eq(script("#!/a/very/long/path/sh\n", interp,
				sizeof(interp)),
			 EXECHEAD_UNKNOWN);
	ck_assert_int_eq(script("#", interp, sizeof(interp)),
			 EXECHEAD_UNKNOWN);
	ck_assert_int_eq(script("echo hi\n", interp, sizeof(interp)),
			 EXECHEAD_UNKNOWN);
}
END_TEST

Suite *exechead_suite(void)
{
	Suite *s = suite_create("exechead");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, elf_static_dynamic_pie);
	tcase_add_test(tc, elf_unknown);
	tcase_add_test(tc, elf32_msb);
	tcase_add_test(tc, scripts);
	suite_add_tcase(s, tc);
	return s;
}
