/*
 * fuzz_capture.c - libFuzzer target for the capture format (cli/capture.c)
 * and the collector's replay of it (collector_replay() in cli/collector.c),
 * as "httptrace read" uses them.
 *
 * Input: one options byte, then a capture file.
 *   bit 0     recompute every frame's checksum first, so that mutations
 *             reach the replay instead of stopping at a checksum mismatch
 *   bits 1-3  the report format (enum report_format, modulo 5)
 *   bit 4     keep peer ids as they are; without it they are taken modulo
 *             4096 (the replay's peer table is indexed by id: ids up to
 *             COLLECTOR_MAX_PEER are valid, but every input allocating
 *             tens of MB would slow the fuzzer fivefold)
 *
 * Invariants, beyond the sanitizers':
 *  - the header and frame parsers stay inside the bytes they are given and
 *    report sizes that add up; a frame they accept encodes back to the
 *    same bytes;
 *  - a frame cut anywhere short of its end is "need more bytes" or the
 *    same damage, never a frame;
 *  - replaying the frames twice, into two collectors, writes the same
 *    report (replay depends on the capture alone).
 */
#include "capture.h"
#include "collector.h"
#include "fuzz.h"
#include "report.h"

static uint8_t copy[1 << 20];
static uint8_t enc[CAP_MAX_FRAME];

/* Recompute the checksum of every whole frame after the header. */
static void fix_checksums(uint8_t *p, size_t size, size_t off)
{
	while (size - off >= CAP_FRAME_HDR) {
		uint8_t *h = p + off;
		uint32_t len = (uint32_t)h[0] | (uint32_t)h[1] << 8 |
			       (uint32_t)h[2] << 16 | (uint32_t)h[3] << 24;

		if (len > CAP_MAX_PAYLOAD || size - off - CAP_FRAME_HDR < len)
			return;
		uint32_t crc = cap_crc32c(0, h, 12);
		crc = cap_crc32c(crc, h + CAP_FRAME_HDR, len);
		for (int i = 0; i < 4; i++)
			h[12 + i] = (uint8_t)(crc >> (8 * i));
		off += CAP_FRAME_HDR + len;
	}
}

/* Check one frame's parse at @p (@left bytes): returns its size, or 0 at
 * the end of what can be parsed. */
static size_t check_frame(const uint8_t *p, size_t left, cap_frame *f)
{
	long n = cap_frame_parse(p, left, f);

	FUZZ_ASSERT(n <= (long)left);
	if (n <= 0) {
		if (n == 0) /* only when a header or payload is missing */
			FUZZ_ASSERT(left < CAP_FRAME_HDR ||
				    left < CAP_FRAME_HDR + (size_t)(p[0] |
					p[1] << 8 | p[2] << 16 |
					(size_t)p[3] << 24));
		return 0;
	}
	FUZZ_ASSERT((size_t)n == CAP_FRAME_HDR + f->len);
	FUZZ_ASSERT(f->len <= CAP_MAX_PAYLOAD);
	FUZZ_ASSERT(f->data == p + CAP_FRAME_HDR);
	FUZZ_ASSERT(f->kind >= CAP_OPEN && f->kind <= CAP_KIND_MAX);
	FUZZ_ASSERT(cap_frame_encode(enc, sizeof(enc), f->kind, f->peer, f->data,
				     f->len) == (size_t)n);
	FUZZ_ASSERT(memcmp(enc, p, (size_t)n) == 0);
	/* Cut short anywhere: never a frame. */
	for (size_t cut = 0; cut < (size_t)n; cut += 1 + cut / 2) {
		cap_frame g;
		FUZZ_ASSERT(cap_frame_parse(p, cut, &g) <= 0);
	}
	return (size_t)n;
}

/* Replay the frames after the header at @off into a report of @fmt in
 * memory; returns the output (malloc'd, *@len bytes). */
static char *replay(const uint8_t *p, size_t size, size_t off,
		    enum report_format fmt, int64_t mono_to_unix, size_t *len,
		    bool check, bool big_peers)
{
	char *out = NULL;
	FILE *f = open_memstream(&out, len);
	report *rp = calloc(1, sizeof(*rp));
	collector col;

	FUZZ_ASSERT(f != NULL && rp != NULL);
	report_init(rp, f, fmt, false);
	rp->mono_to_unix = mono_to_unix;
	FUZZ_ASSERT(collector_init(&col, report_record, NULL, rp) == 0);
	while (off < size) {
		cap_frame fr;
		size_t n = check ? check_frame(p + off, size - off, &fr) : 0;

		if (!check) {
			long r = cap_frame_parse(p + off, size - off, &fr);
			n = r > 0 ? (size_t)r : 0;
		}
		if (n == 0 || fr.kind == CAP_END)
			break;
		uint32_t peer = big_peers ? fr.peer : fr.peer & 0xfff;
		if (collector_replay(&col, fr.kind, peer, fr.data, fr.len) < 0)
			break;
		off += n;
	}
	FUZZ_ASSERT(report_finish(rp, col.malformed, col.refused) == 0);
	collector_close(&col);
	report_free(rp);
	free(rp);
	FUZZ_ASSERT(fclose(f) == 0);
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cap_header h;
	long off;

	if (size < 1 || size - 1 > sizeof(copy))
		return 0;
	unsigned opts = data[0];
	enum report_format fmt = (enum report_format)((opts >> 1 & 7) % 5);
	size--;
	memcpy(copy, data + 1, size);

	off = cap_header_parse(copy, size, &h);
	FUZZ_ASSERT(off <= (long)size);
	if (off < 0)
		return 0;
	FUZZ_ASSERT(off >= CAP_HDR_LEN);
	if (opts & 1)
		fix_checksums(copy, size, (size_t)off);

	size_t len1 = 0, len2 = 0;
	bool big = opts & 0x10;
	char *a = replay(copy, size, (size_t)off, fmt, h.mono_to_unix, &len1,
			 true, big);
	char *b = replay(copy, size, (size_t)off, fmt, h.mono_to_unix, &len2,
			 false, big);
	FUZZ_ASSERT(len1 == len2 && memcmp(a, b, len1) == 0);
	free(a);
	free(b);
	return 0;
}
