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
__attribute__((target("sse4.2")))
static uint32_t crc32c_hw(uint32_t crc, const uint8_t *p, size_t len)
{
	uint64_t c = ~crc;

	while (len >= 8) {
		uint64_t v;

		memcpy(&v, p, 8); /* unaligned; x86 is little-endian */
		c = __builtin_ia32_crc32di(c, v);
		p += 8;
		len -= 8;
	}
	while (len-- > 0)
		c = __builtin_ia32_crc32qi((uint32_t)c, *p++);
	return ~(uint32_t)c;
}

uint32_t cap_crc32c(uint32_t crc, const void *p, size_t len)
{
	static int have_hw = -1;

	if (have_hw < 0)
		have_hw = __builtin_cpu_supports("sse4.2") ? 1 : 0;
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
	if (h->version != CAP_VERSION)
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
	if (buf[4] < CAP_OPEN || buf[4] > CAP_END || buf[5] || buf[6] ||
	    buf[7])
		return -CAP_E_KIND;
	if (len < CAP_FRAME_HDR + (size_t)plen)
		return 0;
	crc = cap_crc32c(0, buf, 12);
	crc = cap_crc32c(crc, buf + CAP_FRAME_HDR, plen);
	if (crc != get32(buf + 12))
		return -CAP_E_CRC;
	if (buf[4] == CAP_END && plen != CAP_END_LEN)
		return -CAP_E_END;
	f->kind = buf[4];
	f->peer = get32(buf + 8);
	f->len = plen;
	f->data = buf + CAP_FRAME_HDR;
	return (long)(CAP_FRAME_HDR + plen);
}

void cap_end_encode(uint8_t *buf, uint64_t records, uint64_t malformed)
{
	put64(buf, records);
	put64(buf + 8, malformed);
}

void cap_end_parse(const uint8_t *buf, uint64_t *records, uint64_t *malformed)
{
	*records = get64(buf);
	*malformed = get64(buf + 8);
}
