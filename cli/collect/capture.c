/* capture.c - the capture file format; see capture.h. */
#include "capture.h"

#include <string.h>

/* ---- little-endian helpers ---------------------------------------------- */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* ---- CRC-32C -------------------------------------------------------------
 *
 * Reflected polynomial 0x82F63B78, initial value and final xor ~0: the
 * iSCSI/ext4 checksum, which x86 computes with one instruction per 8
 * bytes.  The portable version processes 8 bytes per step with 8 tables
 * ("slicing by 8"), built on first use. */

#define CRC32C_POLY 0x82F63B78u

static uint32_t crc_table[8][256];
static bool crc_table_ready;

static void crc_table_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (CRC32C_POLY & (0u - (c & 1)));
		crc_table[0][i] = c;
	}
	for (uint32_t i = 0; i < 256; i++)
		for (int t = 1; t < 8; t++)
			crc_table[t][i] = (crc_table[t - 1][i] >> 8) ^
					  crc_table[0][crc_table[t - 1][i] & 0xff];
	crc_table_ready = true;
}

uint32_t cap_crc32c_sw(uint32_t crc, const void *data, size_t len)
{
	const uint8_t *p = data;

	if (!crc_table_ready)
		crc_table_init();
	crc = ~crc;
	while (len >= 8) {
		uint32_t lo = crc ^ get32(p), hi = get32(p + 4);

		crc = crc_table[7][lo & 0xff] ^ crc_table[6][(lo >> 8) & 0xff] ^
		      crc_table[5][(lo >> 16) & 0xff] ^ crc_table[4][lo >> 24] ^
		      crc_table[3][hi & 0xff] ^ crc_table[2][(hi >> 8) & 0xff] ^
		      crc_table[1][(hi >> 16) & 0xff] ^ crc_table[0][hi >> 24];
		p += 8;
		len -= 8;
	}
	while (len-- > 0)
		crc = (crc >> 8) ^ crc_table[0][(crc ^ *p++) & 0xff];
	return ~crc;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
/*
 * With SSE4.2, one crc32 instruction takes 8 bytes but has a latency of
 * 3 cycles: a single chain of them runs at a third of the speed the CPU
 * can issue them.  So a long buffer is cut into 3 blocks of N bytes, each
 * block's CRC computed in an independent chain (all three interleaved),
 * and the three joined: the CRC register is linear over GF(2), so the
 * register after A||B is shift_N(reg after A) ^ (reg after B from 0),
 * where shift_N (the register's change over N zero bytes) is a 32x32 bit
 * matrix, applied with 4 byte-indexed tables.  Registers here are "raw":
 * no inversion, as the instruction works.
 */
#define CRC_LONG 256 /* block size for buffers of 3 * 256 bytes or more */
#define CRC_SHORT 32 /* then for the rest down to 3 * 32 bytes */

static uint32_t shift_long[4][256], shift_short[4][256];

__attribute__((target("sse4.2")))
static uint64_t crc_raw_hw(uint64_t c, const uint8_t *p, size_t len)
{
	while (len >= 8) {
		uint64_t v;

		memcpy(&v, p, 8); /* unaligned; x86 is little-endian */
		c = __builtin_ia32_crc32di(c, v);
		p += 8;
		len -= 8;
	}
	while (len-- > 0)
		c = __builtin_ia32_crc32qi((uint32_t)c, *p++);
	return c;
}

/* The tables of shift_@len: t[k][v] is the register that state v << 8k
 * becomes after @len zero bytes (by linearity, the XOR of the basis
 * vectors' images for the bits set in v). */
static void shift_init(uint32_t t[4][256], size_t len)
{
	static const uint8_t zeros[CRC_LONG];
	uint32_t basis[32];

	for (int b = 0; b < 32; b++)
		basis[b] = (uint32_t)crc_raw_hw(1u << b, zeros, len);
	for (int k = 0; k < 4; k++)
		for (unsigned v = 0; v < 256; v++) {
			uint32_t x = 0;

			for (int bit = 0; bit < 8; bit++)
				if (v >> bit & 1)
					x ^= basis[8 * k + bit];
			t[k][v] = x;
		}
}

static inline uint32_t shift(uint32_t t[4][256], uint32_t c)
{
	return t[0][c & 0xff] ^ t[1][(c >> 8) & 0xff] ^ t[2][(c >> 16) & 0xff] ^
	       t[3][c >> 24];
}

/* Three interleaved chains over 3 blocks of @n bytes from state @c. */
__attribute__((target("sse4.2")))
static inline uint64_t crc_triple(uint64_t c, const uint8_t *p, size_t n,
				  uint32_t t[4][256])
{
	uint64_t c1 = 0, c2 = 0;

	for (size_t i = 0; i < n; i += 8) {
		uint64_t v0, v1, v2;

		memcpy(&v0, p + i, 8);
		memcpy(&v1, p + n + i, 8);
		memcpy(&v2, p + 2 * n + i, 8);
		c = __builtin_ia32_crc32di(c, v0);
		c1 = __builtin_ia32_crc32di(c1, v1);
		c2 = __builtin_ia32_crc32di(c2, v2);
	}
	c = shift(t, (uint32_t)c) ^ (uint32_t)c1;
	return shift(t, (uint32_t)c) ^ (uint32_t)c2;
}

__attribute__((target("sse4.2")))
static uint32_t crc32c_hw(uint32_t crc, const uint8_t *p, size_t len)
{
	uint64_t c = (uint32_t)~crc;

	while (len >= 3 * CRC_LONG) {
		c = crc_triple(c, p, CRC_LONG, shift_long);
		p += 3 * CRC_LONG;
		len -= 3 * CRC_LONG;
	}
	while (len >= 3 * CRC_SHORT) {
		c = crc_triple(c, p, CRC_SHORT, shift_short);
		p += 3 * CRC_SHORT;
		len -= 3 * CRC_SHORT;
	}
	return ~(uint32_t)crc_raw_hw(c, p, len);
}

uint32_t cap_crc32c(uint32_t crc, const void *p, size_t len)
{
	static int have_hw = -1;

	if (have_hw < 0) {
		have_hw = __builtin_cpu_supports("sse4.2") ? 1 : 0;
		if (have_hw) {
			shift_init(shift_long, CRC_LONG);
			shift_init(shift_short, CRC_SHORT);
		}
	}
	return have_hw ? crc32c_hw(crc, p, len) : cap_crc32c_sw(crc, p, len);
}
#else
uint32_t cap_crc32c(uint32_t crc, const void *p, size_t len)
{
	return cap_crc32c_sw(crc, p, len);
}
#endif

/* ---- header and frames ---------------------------------------------------- */

const char *cap_strerror(int err)
{
	switch (err < 0 ? -err : err) {
	case CAP_OK: return "no error";
	case CAP_E_SHORT: return "file ends inside a frame";
	case CAP_E_MAGIC: return "not an httptrace capture";
	case CAP_E_VERSION: return "unsupported capture version";
	case CAP_E_HDRLEN: return "bad header length";
	case CAP_E_LENGTH: return "frame length out of range";
	case CAP_E_KIND: return "unknown frame kind";
	case CAP_E_CRC: return "checksum mismatch";
	case CAP_E_END: return "malformed end mark";
	case CAP_E_CLOCK: return "malformed clock mark";
	default: return "unknown error";
	}
}

size_t cap_header_encode(uint8_t *buf, const cap_header *h)
{
	memcpy(buf, CAP_MAGIC, CAP_MAGIC_LEN);
	put16(buf + 8, CAP_VERSION);
	put16(buf + 10, CAP_HDR_LEN);
	put16(buf + 12, h->wire_version);
	put16(buf + 14, 0);
	put64(buf + 16, (uint64_t)h->start_ns);
	put64(buf + 24, (uint64_t)h->mono_to_unix);
	return CAP_HDR_LEN;
}

long cap_header_parse(const uint8_t *buf, size_t len, cap_header *h)
{
	size_t hdr_len;

	memset(h, 0, sizeof(*h));
	/* Judge the magic on what there is, so that a short non-capture
	 * is "not a capture" rather than "cut short". */
	if (memcmp(buf, CAP_MAGIC, len < CAP_MAGIC_LEN ? len : CAP_MAGIC_LEN))
		return -CAP_E_MAGIC;
	if (len < 12)
		return -CAP_E_SHORT;
	h->version = get16(buf + 8);
	if (h->version < CAP_VERSION_MIN || h->version > CAP_VERSION)
		return -CAP_E_VERSION;
	hdr_len = get16(buf + 10);
	/* A later minor change may append fields: the length says where the
	 * frames start.  It can never be less than what version 1 needs. */
	if (hdr_len < CAP_HDR_LEN)
		return -CAP_E_HDRLEN;
	if (len < hdr_len)
		return -CAP_E_SHORT;
	h->wire_version = get16(buf + 12);
	h->start_ns = (int64_t)get64(buf + 16);
	h->mono_to_unix = (int64_t)get64(buf + 24);
	return (long)hdr_len;
}

size_t cap_frame_encode(uint8_t *buf, size_t cap, unsigned kind,
			uint32_t peer, const void *data, size_t len)
{
	uint32_t crc;

	if (len > CAP_MAX_PAYLOAD || cap < CAP_FRAME_HDR + len)
		return 0;
	put32(buf, (uint32_t)len);
	buf[4] = (uint8_t)kind;
	buf[5] = buf[6] = buf[7] = 0;
	put32(buf + 8, peer);
	if (len > 0)
		memcpy(buf + CAP_FRAME_HDR, data, len);
	crc = cap_crc32c(0, buf, 12);
	crc = cap_crc32c(crc, buf + CAP_FRAME_HDR, len);
	put32(buf + 12, crc);
	return CAP_FRAME_HDR + len;
}

long cap_frame_parse(const uint8_t *buf, size_t len, cap_frame *f)
{
	uint32_t plen, crc;

	if (len < CAP_FRAME_HDR)
		return 0;
	plen = get32(buf);
	/* Bounds first: a damaged length must not make us wait for (or
	 * read) bytes that will never form a frame. */
	if (plen > CAP_MAX_PAYLOAD)
		return -CAP_E_LENGTH;
	if (buf[4] < CAP_OPEN || buf[4] > CAP_KIND_MAX || buf[5] || buf[6] ||
	    buf[7])
		return -CAP_E_KIND;
	if (len < CAP_FRAME_HDR + (size_t)plen)
		return 0;
	crc = cap_crc32c(0, buf, 12);
	crc = cap_crc32c(crc, buf + CAP_FRAME_HDR, plen);
	if (crc != get32(buf + 12))
		return -CAP_E_CRC;
	if (buf[4] == CAP_END && plen != CAP_END_LEN &&
	    plen != CAP_END_LEN_REFUSED)
		return -CAP_E_END;
	if ((buf[4] == CAP_CLOCK || buf[4] == CAP_TICK) && plen != CAP_CLOCK_LEN)
		return -CAP_E_CLOCK;
	if (buf[4] == CAP_FLUSH && plen != 0)
		return -CAP_E_CLOCK;
	f->kind = buf[4];
	f->peer = get32(buf + 8);
	f->len = plen;
	f->data = buf + CAP_FRAME_HDR;
	return (long)(CAP_FRAME_HDR + plen);
}

size_t cap_end_encode(uint8_t *buf, uint64_t records, uint64_t malformed,
		      uint64_t refused)
{
	put64(buf, records);
	put64(buf + 8, malformed);
	if (refused == 0)
		return CAP_END_LEN; /* as older versions wrote it */
	put64(buf + 16, refused);
	return CAP_END_LEN_REFUSED;
}

void cap_end_parse(const uint8_t *buf, size_t len, uint64_t *records,
		   uint64_t *malformed, uint64_t *refused)
{
	*records = get64(buf);
	*malformed = get64(buf + 8);
	*refused = len >= CAP_END_LEN_REFUSED ? get64(buf + 16) : 0;
}

void cap_clock_encode(uint8_t *buf, uint64_t ns)
{
	put64(buf, ns);
}

uint64_t cap_clock_parse(const uint8_t *buf)
{
	return get64(buf);
}
