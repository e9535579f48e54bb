/*
 * x86dec.c - x86-64 instruction lengths, prologue relocation and the
 * hookability verdict (see x86dec.h).
 *
 * Layout of an instruction in 64-bit mode: legacy prefixes, an optional REX
 * byte, the opcode (one byte, 0F xx, 0F 38 xx, 0F 3A xx, or a VEX/EVEX
 * prefix and its map), ModRM, SIB, displacement, immediate.  The length
 * follows from the opcode's class: whether it has a ModRM byte and how big
 * its immediate is.  Only relative branches and RIP-relative operands need
 * changing when an instruction moves.
 */
#include <stdio.h>
#include <string.h>

#include "x86dec.h"

/* Immediate sizes. */
enum {
	IM_0,
	IM_B,     /* 1 */
	IM_W,     /* 2 */
	IM_Z,     /* 2 with 66, else 4 */
	IM_V,     /* 8 with REX.W, else IM_Z (mov r, imm) */
	IM_ENTER, /* 3 */
	IM_MOFFS, /* 4 with 67, else 8 */
	IM_GRP3,  /* F6/F7: IM_B / IM_Z only for /0 and /1 */
	IM_BAD,   /* not an instruction in 64-bit mode */
};

/* One-byte opcode map: has ModRM, immediate class. */
static bool op1(uint8_t op, bool *modrm, int *imm)
{
	*modrm = false;
	*imm = IM_0;
	if (op < 0x40) {
		switch (op & 7) {
		case 0: case 1: case 2: case 3:
			*modrm = true;
			return true;
		case 4:
			*imm = IM_B;
			return true;
		case 5:
			*imm = IM_Z;
			return true;
		default: /* push/pop seg, daa...: invalid; prefixes handled before */
			return false;
		}
	}
	if (op < 0x60) /* 40-4F REX handled before; 50-5F push/pop */
		return op >= 0x50;
	switch (op) {
	case 0x63: case 0x84: case 0x85: case 0x86: case 0x87: case 0x88:
	case 0x89: case 0x8A: case 0x8B: case 0x8C: case 0x8D: case 0x8E:
	case 0x8F: case 0xD0: case 0xD1: case 0xD2: case 0xD3: case 0xFE:
	case 0xFF:
		*modrm = true;
		return true;
	case 0x69: case 0x81: case 0xC7:
		*modrm = true;
		*imm = IM_Z;
		return true;
	case 0x6B: case 0x80: case 0x83: case 0xC0: case 0xC1: case 0xC6:
		*modrm = true;
		*imm = IM_B;
		return true;
	case 0xF6: case 0xF7:
		*modrm = true;
		*imm = IM_GRP3;
		return true;
	case 0x68: case 0xA9:
		*imm = IM_Z;
		return true;
	case 0x6A: case 0xA8: case 0xCD: case 0xE4: case 0xE5: case 0xE6:
	case 0xE7:
		*imm = IM_B;
		return true;
	case 0xC2: case 0xCA:
		*imm = IM_W;
		return true;
	case 0xC8:
		*imm = IM_ENTER;
		return true;
	case 0xA0: case 0xA1: case 0xA2: case 0xA3:
		*imm = IM_MOFFS;
		return true;
	case 0x60: case 0x61: case 0x62: case 0x82: case 0x9A: case 0xC4:
	case 0xC5: case 0xCE: case 0xD4: case 0xD5: case 0xD6: case 0xEA:
		return false;
	default:
		break;
	}
	if (op >= 0xB0 && op <= 0xB7) {
		*imm = IM_B;
		return true;
	}
	if (op >= 0xB8 && op <= 0xBF) {
		*imm = IM_V;
		return true;
	}
	if (op >= 0xD8 && op <= 0xDF) { /* x87 */
		*modrm = true;
		return true;
	}
	/* 6C-6F, 90-9F, A4-A7, AA-AF, C3, C9, CB, CC, CF, D7, EC-EF, F1,
	 * F4, F5, F8-FD: no operand bytes.  70-7F, E0-E3, E8, E9, EB are
	 * branches, handled by the caller. */
	return true;
}

/* 0F xx: has ModRM, imm8. */
static bool op2(uint8_t op, bool *modrm, bool *imm8)
{
	*modrm = true;
	*imm8 = false;
	switch (op) {
	case 0x04: case 0x0A: case 0x0C: case 0x0F: case 0x24: case 0x25:
	case 0x26: case 0x27: case 0x36: case 0x39: case 0x3B: case 0x3C:
	case 0x3D: case 0x3E: case 0x3F: case 0x7A: case 0x7B: case 0xA6:
	case 0xA7: case 0xFF:
		return false;
	case 0x05: case 0x06: case 0x07: case 0x08: case 0x09: case 0x0B:
	case 0x0E: case 0x30: case 0x31: case 0x32: case 0x33: case 0x34:
	case 0x35: case 0x37: case 0x77: case 0xA0: case 0xA1: case 0xA2:
	case 0xA8: case 0xA9: case 0xAA:
		*modrm = false;
		return true;
	case 0x70: case 0x71: case 0x72: case 0x73: case 0xA4: case 0xAC:
	case 0xBA: case 0xC2: case 0xC4: case 0xC5: case 0xC6:
		*imm8 = true;
		return true;
	default:
		if (op >= 0xC8 && op <= 0xCF) /* bswap */
			*modrm = false;
		return true;
	}
}

/* Whether 0F-map opcode @op (VEX/EVEX map 1) takes an imm8. */
static bool map1_imm8(uint8_t op)
{
	return (op >= 0x70 && op <= 0x73) || op == 0xC2 || op == 0xC4 ||
	       op == 0xC5 || op == 0xC6;
}

/* Length of ModRM, SIB and displacement at @p; sets *rip when the operand
 * is RIP-relative (its disp32 follows the ModRM byte).  0 when cut short. */
static size_t modrm_len(const uint8_t *p, size_t avail, bool *rip)
{
	*rip = false;
	if (avail < 1)
		return 0;
	uint8_t m = p[0], mod = m >> 6, rm = m & 7;
	size_t n = 1, disp = 0;
	if (mod == 3)
		return 1;
	if (rm == 4) {
		if (avail < 2)
			return 0;
		n = 2;
		if (mod == 0 && (p[1] & 7) == 5)
			disp = 4;
	} else if (mod == 0 && rm == 5) {
		*rip = true;
		disp = 4;
	}
	if (mod == 1)
		disp = 1;
	else if (mod == 2)
		disp = 4;
	return n + disp <= avail ? n + disp : 0;
}

static int64_t rd_s8(const uint8_t *p)
{
	return (int8_t)p[0];
}

static int64_t rd_s32(const uint8_t *p)
{
	uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 |
		     (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	return (int32_t)v;
}

static void wr_32(uint8_t *p, int64_t v)
{
	uint32_t u = (uint32_t)v;
	p[0] = (uint8_t)u;
	p[1] = (uint8_t)(u >> 8);
	p[2] = (uint8_t)(u >> 16);
	p[3] = (uint8_t)(u >> 24);
}

int x86_decode(const uint8_t *p, size_t avail, x86_insn *out)
{
	memset(out, 0, sizeof *out);
	if (avail > X86_MAX_INSN)
		avail = X86_MAX_INSN;
	size_t i = 0;
	bool opsz = false, adsz = false, rexw = false, rex = false;
	for (; i < avail; i++) {
		uint8_t b = p[i];
		if (b == 0x66)
			opsz = true;
		else if (b == 0x67)
			adsz = true;
		else if (!(b == 0xF0 || b == 0xF2 || b == 0xF3 || b == 0x2E ||
			   b == 0x36 || b == 0x3E || b == 0x26 || b == 0x64 ||
			   b == 0x65))
			break;
	}
	if (i < avail && (p[i] & 0xF0) == 0x40) {
		rex = true;
		rexw = p[i] & 8;
		i++;
	}
	if (i >= avail)
		return 0;
	uint8_t op = p[i++];
	bool has_modrm = false, rip = false;
	size_t imm = 0;

	if (op == 0xC4 || op == 0xC5 || op == 0x62) {
		/* VEX (2 or 3 bytes) or EVEX (4 bytes); no REX or 66 before. */
		if (rex || opsz)
			return 0;
		size_t pay = op == 0xC5 ? 1 : op == 0xC4 ? 2 : 3;
		if (i + pay >= avail)
			return 0;
		unsigned map = op == 0xC5 ? 1 : op == 0xC4 ? (p[i] & 0x1F) : (p[i] & 7);
		i += pay;
		uint8_t vop = p[i++];
		if (op == 0x62 ? !(map == 1 || map == 2 || map == 3 || map == 5 || map == 6)
			       : !(map >= 1 && map <= 3))
			return 0;
		has_modrm = !(op != 0x62 && map == 1 && vop == 0x77); /* vzero* */
		if (map == 3 || (map == 1 && map1_imm8(vop)))
			imm = 1;
	} else if (op == 0x0F) {
		if (i >= avail)
			return 0;
		uint8_t o2 = p[i++];
		if (o2 >= 0x80 && o2 <= 0x8F) { /* jcc rel32 */
			if (opsz || i + 4 > avail)
				return 0;
			out->branch = X86_BR_JCC;
			out->cond = o2 & 15;
			out->rel_off = (uint8_t)i;
			out->rel_size = 4;
			out->rel = rd_s32(p + i);
			out->len = (uint8_t)(i + 4);
			return out->len;
		}
		if (o2 == 0x38 || o2 == 0x3A) {
			if (i >= avail)
				return 0;
			i++;
			has_modrm = true;
			imm = o2 == 0x3A;
		} else {
			bool imm8;
			if (!op2(o2, &has_modrm, &imm8))
				return 0;
			imm = imm8;
			if (o2 == 0x0B)
				out->ends_flow = true; /* ud2 */
		}
	} else if ((op >= 0x70 && op <= 0x7F) || op == 0xEB || (op >= 0xE0 && op <= 0xE3)) {
		if (i + 1 > avail)
			return 0;
		out->branch = op == 0xEB ? X86_BR_JMP : op <= 0x7F ? X86_BR_JCC : X86_BR_OTHER;
		out->cond = op & 15;
		out->ends_flow = op == 0xEB;
		out->rel_off = (uint8_t)i;
		out->rel_size = 1;
		out->rel = rd_s8(p + i);
		out->len = (uint8_t)(i + 1);
		return out->len;
	} else if (op == 0xE8 || op == 0xE9) {
		/* 66 would make the displacement 16 bits on some CPUs; with
		 * REX.W it is ignored (the TLS call sequence 66 66 48 E8). */
		if ((opsz && !rexw) || i + 4 > avail)
			return 0;
		out->branch = op == 0xE8 ? X86_BR_CALL : X86_BR_JMP;
		out->ends_flow = op == 0xE9;
		out->rel_off = (uint8_t)i;
		out->rel_size = 4;
		out->rel = rd_s32(p + i);
		out->len = (uint8_t)(i + 4);
		return out->len;
	} else {
		int ic;
		if (!op1(op, &has_modrm, &ic))
			return 0;
		if (ic == IM_BAD)
			return 0;
		uint8_t reg = (i < avail) ? (p[i] >> 3) & 7 : 0;
		if (op == 0x8F && reg != 0) /* AMD XOP */
			return 0;
		switch (ic) {
		case IM_B: imm = 1; break;
		case IM_W: imm = 2; break;
		case IM_Z: imm = opsz ? 2 : 4; break;
		case IM_V: imm = rexw ? 8 : opsz ? 2 : 4; break;
		case IM_ENTER: imm = 3; break;
		case IM_MOFFS: imm = adsz ? 4 : 8; break;
		case IM_GRP3:
			imm = reg <= 1 ? (op == 0xF6 ? 1 : (opsz ? 2 : 4)) : 0;
			break;
		default: break;
		}
		if (op == 0xC7 && i < avail && p[i] == 0xF8) {
			/* xbegin rel32: a relative branch we do not move */
			out->branch = X86_BR_OTHER;
		}
		if (op == 0xC3 || op == 0xC2 || op == 0xCB || op == 0xCA ||
		    op == 0xCF || op == 0xF4 || op == 0xCC ||
		    (op == 0xFF && (reg == 4 || reg == 5)))
			out->ends_flow = true;
	}
	if (has_modrm) {
		size_t m = modrm_len(p + i, avail - i, &rip);
		if (!m)
			return 0;
		if (rip)
			out->rip_disp = (uint8_t)(i + 1);
		i += m;
	}
	if (i + imm > avail)
		return 0;
	i += imm;
	if (out->branch == X86_BR_OTHER) { /* xbegin: displacement is the imm */
		out->rel_off = (uint8_t)(i - imm);
		out->rel_size = (uint8_t)imm;
	}
	out->len = (uint8_t)i;
	return out->len;
}

bool x86_is_endbr64(const uint8_t *p, size_t avail)
{
	return avail >= 4 && p[0] == 0xF3 && p[1] == 0x0F && p[2] == 0x1E &&
	       p[3] == 0xFA;
}

#define WHY(...) snprintf(why, why_cap, __VA_ARGS__)

bool x86_plan_hook(const uint8_t *code, size_t size, uint64_t addr,
		   x86_plan *plan, char *why, size_t why_cap)
{
	(void)addr;
	memset(plan, 0, sizeof *plan);
	size_t off = x86_is_endbr64(code, size) ? 4 : 0;
	if (size < off + X86_JMP_LEN) {
		WHY("function of %zu bytes is shorter than the %d-byte jump", size,
		    X86_JMP_LEN);
		return false;
	}
	/* The instructions the jump displaces. */
	size_t pos = off;
	x86_insn in;
	while (pos < off + X86_JMP_LEN) {
		if (!x86_decode(code + pos, size - pos, &in)) {
			WHY("cannot decode the instruction at +%#zx (%02x %02x %02x)",
			    pos, code[pos], pos + 1 < size ? code[pos + 1] : 0,
			    pos + 2 < size ? code[pos + 2] : 0);
			return false;
		}
		if (in.branch == X86_BR_OTHER) {
			WHY("the instruction at +%#zx (loop, jrcxz or xbegin) cannot be moved",
			    pos);
			return false;
		}
		if (in.ends_flow && pos + in.len < off + X86_JMP_LEN) {
			WHY("the function leaves (ret or jmp at +%#zx) before %d bytes",
			    pos, X86_JMP_LEN);
			return false;
		}
		pos += in.len;
		plan->ninsn++;
	}
	size_t end = pos;
	/* Every branch in the function: none may land inside the displaced
	 * bytes, nor on the jump itself when endbr64 precedes it (that would
	 * run the hook again mid-function). */
	for (pos = 0; pos < size;) {
		if (!x86_decode(code + pos, size - pos, &in)) {
			WHY("cannot decode the instruction at +%#zx (%02x %02x %02x), so "
			    "branches into the prologue cannot be ruled out",
			    pos, code[pos], pos + 1 < size ? code[pos + 1] : 0,
			    pos + 2 < size ? code[pos + 2] : 0);
			return false;
		}
		if (in.branch != X86_BR_NONE) {
			int64_t t = (int64_t)pos + in.len + in.rel;
			if ((t > (int64_t)off && t < (int64_t)end) ||
			    (off > 0 && t == (int64_t)off)) {
				WHY("the branch at +%#zx lands at +%#llx, inside the "
				    "patched bytes", pos, (long long)t);
				return false;
			}
		}
		pos += in.len;
	}
	plan->patch_off = (uint32_t)off;
	plan->displaced = (uint32_t)(end - off);
	return true;
}

/* Whether @v fits a signed 32-bit displacement. */
static bool fits32(int64_t v)
{
	return v >= INT32_MIN && v <= INT32_MAX;
}

void x86_abs_jmp(uint8_t *dst, uint64_t target)
{
	dst[0] = 0xFF; /* jmp *0(%rip) */
	dst[1] = 0x25;
	wr_32(dst + 2, 0);
	for (int k = 0; k < 8; k++)
		dst[6 + k] = (uint8_t)(target >> (8 * k));
}

int x86_relocate(const uint8_t *src, uint64_t src_addr, size_t len,
		 uint8_t *dst, uint64_t dst_addr, size_t cap, char *why,
		 size_t why_cap)
{
	size_t pos = 0, o = 0;
	while (pos < len) {
		x86_insn in;
		if (!x86_decode(src + pos, len - pos, &in)) {
			WHY("cannot decode the instruction at +%#zx", pos);
			return -1;
		}
		uint64_t at = src_addr + pos, next = at + in.len;
		uint64_t nat = dst_addr + o;
		if (in.branch == X86_BR_NONE) {
			if (o + in.len > cap)
				goto full;
			memcpy(dst + o, src + pos, in.len);
			if (in.rip_disp) {
				/* The operand's address is next + disp. */
				int64_t d = rd_s32(src + pos + in.rip_disp);
				int64_t nd = (int64_t)(next + (uint64_t)d - (nat + in.len));
				if (!fits32(nd)) {
					WHY("the RIP-relative operand at +%#zx is out of "
					    "reach of the trampoline", pos);
					return -1;
				}
				wr_32(dst + o + in.rip_disp, nd);
			}
			o += in.len;
		} else {
			uint64_t target = next + (uint64_t)in.rel;
			if (in.branch == X86_BR_JMP) {
				int64_t d = (int64_t)(target - (nat + 5));
				if (fits32(d)) {
					if (o + 5 > cap)
						goto full;
					dst[o] = 0xE9;
					wr_32(dst + o + 1, d);
					o += 5;
				} else {
					if (o + X86_ABS_JMP_LEN > cap)
						goto full;
					x86_abs_jmp(dst + o, target);
					o += X86_ABS_JMP_LEN;
				}
			} else if (in.branch == X86_BR_JCC || in.branch == X86_BR_CALL) {
				size_t n = in.branch == X86_BR_JCC ? 6 : 5;
				int64_t d = (int64_t)(target - (nat + n));
				if (!fits32(d)) {
					WHY("the branch at +%#zx is out of reach of the "
					    "trampoline", pos);
					return -1;
				}
				if (o + n > cap)
					goto full;
				if (in.branch == X86_BR_JCC) {
					dst[o] = 0x0F;
					dst[o + 1] = (uint8_t)(0x80 | in.cond);
				} else {
					dst[o] = 0xE8;
				}
				wr_32(dst + o + n - 4, d);
				o += n;
			} else {
				WHY("the instruction at +%#zx (loop, jrcxz or xbegin) "
				    "cannot be moved", pos);
				return -1;
			}
		}
		pos += in.len;
	}
	return (int)o;
full:
	WHY("no room in the trampoline");
	return -1;
}
