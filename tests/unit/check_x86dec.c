/* check_x86dec.c - the x86-64 length decoder, prologue relocation and the
 * hookability verdict, on fixed byte sequences. */
#include <string.h>

#include "suites.h"
#include "x86dec.h"

struct len_case {
	const char *what;
	uint8_t b[15];
	int len;
};

/* Instruction bytes as objdump shows them, with their lengths. */
static const struct len_case lens[] = {
	{"push %rbp", {0x55}, 1},
	{"mov %rsp,%rbp", {0x48, 0x89, 0xe5}, 3},
	{"push %r14", {0x41, 0x56}, 2},
	{"sub $0x48,%rsp", {0x48, 0x83, 0xec, 0x48}, 4},
	{"sub $0x1000,%rsp", {0x48, 0x81, 0xec, 0x00, 0x10, 0, 0}, 7},
	{"cmpq $0,0x30(%rdi)", {0x48, 0x83, 0x7f, 0x30, 0x00}, 5},
	{"mov %fs:0x28,%rax", {0x64, 0x48, 0x8b, 0x04, 0x25, 0x28, 0, 0, 0}, 9},
	{"lea 0x10(%rip),%rax", {0x48, 0x8d, 0x05, 0x10, 0, 0, 0}, 7},
	{"movabs $imm64,%rax", {0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8}, 10},
	{"mov $imm32,%eax", {0xb8, 1, 2, 3, 4}, 5},
	{"mov $imm16,%ax", {0x66, 0xb8, 1, 2}, 4},
	{"lock xadd %eax,0x9e0(%rdi)", {0xf0, 0x0f, 0xc1, 0x87, 0xe0, 0x09, 0, 0}, 8},
	{"test %rdi,%rdi", {0x48, 0x85, 0xff}, 3},
	{"testb $1,(%rdi)", {0xf6, 0x07, 0x01}, 3},
	{"notl (%rdi)", {0xf7, 0x17}, 2},
	{"testl $imm32,(%rdi)", {0xf7, 0x07, 1, 2, 3, 4}, 6},
	{"endbr64", {0xf3, 0x0f, 0x1e, 0xfa}, 4},
	{"nopw 0(%rax,%rax,1)", {0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00}, 6},
	{"movdqa (%rip),%xmm0", {0x66, 0x0f, 0x6f, 0x05, 1, 2, 3, 4}, 8},
	{"pshufd $0x1b,%xmm1,%xmm0", {0x66, 0x0f, 0x70, 0xc1, 0x1b}, 5},
	{"palignr $8,%xmm1,%xmm0", {0x66, 0x0f, 0x3a, 0x0f, 0xc1, 0x08}, 6},
	{"pshufb %xmm1,%xmm0", {0x66, 0x0f, 0x38, 0x00, 0xc1}, 5},
	{"vmovdqu (%rsi),%ymm0", {0xc5, 0xfe, 0x6f, 0x06}, 4},
	{"vzeroupper", {0xc5, 0xf8, 0x77}, 3},
	{"vpalignr $8,%ymm1,%ymm2,%ymm0", {0xc4, 0xe3, 0x6d, 0x0f, 0xc1, 0x08}, 6},
	{"vmovdqu64 (%rsi),%zmm0", {0x62, 0xf1, 0xfe, 0x48, 0x6f, 0x06}, 6},
	{"call rel32 (TLS sequence)", {0x66, 0x66, 0x48, 0xe8, 1, 2, 3, 4}, 8},
	{"jmp *0x10(%rax)", {0xff, 0x60, 0x10}, 3},
	{"ret", {0xc3}, 1},
	{"enter $16,$0", {0xc8, 0x10, 0x00, 0x00}, 4},
	{"movabs 0x1122334455667788,%eax", {0xa1, 1, 2, 3, 4, 5, 6, 7, 8}, 9},
	{"mov (%rsp,%rbx,4),%eax sib", {0x8b, 0x04, 0x9c}, 3},
	{"mov 0x12345678(,%rbx,1),%eax", {0x8b, 0x04, 0x1d, 1, 2, 3, 4}, 7},
	{"fldl 8(%rsp)", {0xdd, 0x44, 0x24, 0x08}, 4},
	{"syscall", {0x0f, 0x05}, 2},
	{"bswap %eax", {0x0f, 0xc8}, 2},
	{"xbegin rel32", {0xc7, 0xf8, 1, 2, 3, 4}, 6},
};

START_TEST(lengths)
{
	for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
		x86_insn in;
		int n = x86_decode(lens[k].b, sizeof lens[k].b, &in);
		ck_assert_msg(n == lens[k].len, "%s: got %d, want %d", lens[k].what, n,
			      lens[k].len);
	}
}
END_TEST

START_TEST(refused_or_cut_short)
{
	x86_insn in;
	static const uint8_t bad[][4] = {
		{0x06},             /* push %es: invalid in 64-bit mode */
		{0x0f, 0x0b - 1},   /* 0F 0A: undefined */
		{0x8f, 0xe8, 0x78}, /* AMD XOP */
		{0x62 - 0x02},      /* 0x60 pusha: invalid */
	};
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
		ck_assert_int_eq(x86_decode(bad[k], sizeof bad[k], &in), 0);
	static const uint8_t mov[] = {0x48, 0x8d, 0x05, 0x10, 0, 0, 0};
	ck_assert_int_eq(x86_decode(mov, 6, &in), 0); /* disp32 cut short */
	ck_assert_int_eq(x86_decode(mov, 0, &in), 0);
}
END_TEST

START_TEST(branches_and_rip)
{
	x86_insn in;
	static const uint8_t je8[] = {0x74, 0x16};
	ck_assert_int_eq(x86_decode(je8, sizeof je8, &in), 2);
	ck_assert_int_eq(in.branch, X86_BR_JCC);
	ck_assert_int_eq(in.cond, 4);
	ck_assert_int_eq(in.rel, 0x16);
	static const uint8_t jne32[] = {0x0f, 0x85, 0xfc, 0xff, 0xff, 0xff};
	ck_assert_int_eq(x86_decode(jne32, sizeof jne32, &in), 6);
	ck_assert_int_eq(in.branch, X86_BR_JCC);
	ck_assert_int_eq(in.cond, 5);
	ck_assert_int_eq(in.rel, -4);
	static const uint8_t loop[] = {0xe2, 0xfe};
	ck_assert_int_eq(x86_decode(loop, sizeof loop, &in), 2);
	ck_assert_int_eq(in.branch, X86_BR_OTHER);
	static const uint8_t lea[] = {0x48, 0x8d, 0x05, 0x10, 0, 0, 0};
	ck_assert_int_eq(x86_decode(lea, sizeof lea, &in), 7);
	ck_assert_int_eq(in.rip_disp, 3);
	/* RIP-relative with an immediate after the displacement */
	static const uint8_t cmpb[] = {0x80, 0x3d, 1, 0, 0, 0, 0x2a};
	ck_assert_int_eq(x86_decode(cmpb, sizeof cmpb, &in), 7);
	ck_assert_int_eq(in.rip_disp, 2);
}
END_TEST

/* Node 20's SSL_read: push rbp; mov rsp,rbp; push r14; ... */
static const uint8_t ssl_read[] = {
	0x55, 0x48, 0x89, 0xe5, 0x41, 0x56, 0x41, 0x55, 0x41, 0x54,
	0x48, 0x83, 0xec, 0x48, 0x85, 0xd2, 0xc3,
};

START_TEST(plan_plain_prologue)
{
	x86_plan p;
	char why[160];
	ck_assert(x86_plan_hook(ssl_read, sizeof ssl_read, 0x1000, &p, why, sizeof why));
	ck_assert_int_eq(p.patch_off, 0);
	ck_assert_int_eq(p.displaced, 6); /* 1 + 3 + 2 */
	ck_assert_int_eq(p.ninsn, 3);
}
END_TEST

START_TEST(plan_endbr64_kept_first)
{
	static const uint8_t f[] = {0xf3, 0x0f, 0x1e, 0xfa, 0x48, 0x83, 0xec,
				    0x18, 0x48, 0x89, 0xe5, 0xc3};
	x86_plan p;
	char why[160];
	ck_assert(x86_plan_hook(f, sizeof f, 0x1000, &p, why, sizeof why));
	ck_assert_int_eq(p.patch_off, 4);
	ck_assert_int_eq(p.displaced, 7);
}
END_TEST

START_TEST(plan_refusals)
{
	x86_plan p;
	char why[160];
	/* too short: xor eax,eax; ret */
	static const uint8_t tiny[] = {0x31, 0xc0, 0xc3};
	ck_assert(!x86_plan_hook(tiny, sizeof tiny, 0, &p, why, sizeof why));
	ck_assert_ptr_nonnull(strstr(why, "shorter"));
	/* leaves before 5 bytes: xor eax,eax; ret; then padding */
	static const uint8_t early[] = {0x31, 0xc0, 0xc3, 0x90, 0x90, 0x90};
	ck_assert(!x86_plan_hook(early, sizeof early, 0, &p, why, sizeof why));
	ck_assert_ptr_nonnull(strstr(why, "leaves"));
	/* a loop back to +1, inside the patched bytes:
	 * 0: push rbp; 1: dec ecx (ff c9); 3: nop*3; 6: jne 1 */
	static const uint8_t back[] = {0x55, 0xff, 0xc9, 0x90, 0x90, 0x90,
				       0x75, 0xf9, 0xc3};
	ck_assert(!x86_plan_hook(back, sizeof back, 0, &p, why, sizeof why));
	ck_assert_ptr_nonnull(strstr(why, "inside the patched bytes"));
	/* a loop instruction in the prologue */
	static const uint8_t lp[] = {0xe2, 0xfe, 0x90, 0x90, 0x90, 0x90, 0xc3};
	ck_assert(!x86_plan_hook(lp, sizeof lp, 0, &p, why, sizeof why));
	ck_assert_ptr_nonnull(strstr(why, "cannot be moved"));
	/* undecodable bytes later in the function */
	static const uint8_t junk[] = {0x55, 0x48, 0x89, 0xe5, 0x90, 0x06, 0xc3};
	ck_assert(!x86_plan_hook(junk, sizeof junk, 0, &p, why, sizeof why));
	ck_assert_ptr_nonnull(strstr(why, "cannot decode"));
	/* a jump back to the hooked entry after endbr64 */
	static const uint8_t re[] = {0xf3, 0x0f, 0x1e, 0xfa, 0x55, 0x48, 0x89,
				     0xe5, 0xeb, 0xfa, 0xc3};
	ck_assert(!x86_plan_hook(re, sizeof re, 0, &p, why, sizeof why));
}
END_TEST

static int32_t rd32(const uint8_t *p)
{
	return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 |
			 (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
}

START_TEST(relocate_short_jcc_and_rip)
{
	/* Node 20's SSL_free: test rdi,rdi; je +0x16; then lea 0x100(%rip) */
	static const uint8_t src[] = {0x48, 0x85, 0xff, 0x74, 0x16,
				      0x48, 0x8d, 0x05, 0x00, 0x01, 0, 0};
	uint64_t from = 0x1a6a150, to = 0x1a00000;
	uint8_t dst[64];
	char why[160];
	int n = x86_relocate(src, from, sizeof src, dst, to, sizeof dst, why, sizeof why);
	ck_assert_int_eq(n, 3 + 6 + 7);
	ck_assert(memcmp(dst, src, 3) == 0);
	ck_assert_int_eq(dst[3], 0x0f);
	ck_assert_int_eq(dst[4], 0x84);
	/* je's target stays at from + 5 + 0x16 */
	ck_assert_uint_eq(to + 9 + (uint64_t)(int64_t)rd32(dst + 5), from + 5 + 0x16);
	/* lea's operand stays at from + 12 + 0x100 */
	ck_assert_int_eq(dst[9], 0x48);
	ck_assert_uint_eq(to + 16 + (uint64_t)(int64_t)rd32(dst + 12), from + 12 + 0x100);
}
END_TEST

START_TEST(relocate_jmp_call_and_reach)
{
	/* call rel32; jmp rel8 */
	static const uint8_t src[] = {0xe8, 0x00, 0x10, 0, 0, 0xeb, 0x10};
	uint64_t from = 0x400000, to = 0x300000;
	uint8_t dst[64];
	char why[160];
	int n = x86_relocate(src, from, sizeof src, dst, to, sizeof dst, why, sizeof why);
	ck_assert_int_eq(n, 10);
	ck_assert_int_eq(dst[0], 0xe8);
	ck_assert_uint_eq(to + 5 + (uint64_t)(int64_t)rd32(dst + 1), from + 5 + 0x1000);
	ck_assert_int_eq(dst[5], 0xe9);
	ck_assert_uint_eq(to + 10 + (uint64_t)(int64_t)rd32(dst + 6), from + 7 + 0x10);
	/* Far away: a jmp becomes absolute, a call or RIP operand is refused. */
	uint64_t far = from + 0x100000000ull;
	static const uint8_t jmp[] = {0xeb, 0x10};
	n = x86_relocate(jmp, from, sizeof jmp, dst, far, sizeof dst, why, sizeof why);
	ck_assert_int_eq(n, X86_ABS_JMP_LEN);
	ck_assert_int_eq(dst[0], 0xff);
	ck_assert_int_eq(dst[1], 0x25);
	uint64_t t = 0;
	for (int k = 7; k >= 0; k--)
		t = t << 8 | dst[6 + k];
	ck_assert_uint_eq(t, from + 2 + 0x10);
	ck_assert_int_eq(x86_relocate(src, from, 5, dst, far, sizeof dst, why, sizeof why), -1);
	ck_assert_ptr_nonnull(strstr(why, "out of reach"));
	static const uint8_t lea[] = {0x48, 0x8d, 0x05, 0x10, 0, 0, 0};
	ck_assert_int_eq(x86_relocate(lea, from, sizeof lea, dst, far, sizeof dst, why,
				      sizeof why), -1);
	/* no room */
	ck_assert_int_eq(x86_relocate(lea, from, sizeof lea, dst, to, 6, why, sizeof why), -1);
}
END_TEST

Suite *x86dec_suite(void)
{
	Suite *s = suite_create("x86dec");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, lengths);
	tcase_add_test(tc, refused_or_cut_short);
	tcase_add_test(tc, branches_and_rip);
	tcase_add_test(tc, plan_plain_prologue);
	tcase_add_test(tc, plan_endbr64_kept_first);
	tcase_add_test(tc, plan_refusals);
	tcase_add_test(tc, relocate_short_jcc_and_rip);
	tcase_add_test(tc, relocate_jmp_call_and_reach);
	suite_add_tcase(s, tc);
	return s;
}
