/*
 * capture.h - the raw capture file format ("httptrace -w FILE"), pure:
 * encoding and bounds-checked parsing, no I/O, no allocation.
 *
 * A capture holds what the collector received, as it received it, so that
 * "httptrace read" can pass it through the same decode path later and
 * write exactly what the live run would have written.  All integers are
 * little-endian and fixed width.
 *
 * File header (CAP_HDR_LEN = 32 bytes):
 *
 *   offset  0  u8[8] magic "\x89htcap\r\n" (the \r\n catches text-mode
 *                    mangling, the \x89 a 7-bit channel, as PNG does)
 *   offset  8  u16   capture format version (CAP_VERSION)
 *   offset 10  u16   header length (CAP_HDR_LEN; frames start there)
 *   offset 12  u16   wire record version of the messages (HT_WIRE_VERSION)
 *   offset 14  u16   reserved, 0
 *   offset 16  i64   start: Unix time of the capture's start, ns
 *   offset 24  i64   monotonic-to-Unix offset the live report used, ns (the
 *                    records carry CLOCK_MONOTONIC timestamps)
 *
 * Then frames, one per collector event, each a CAP_FRAME_HDR = 16 byte
 * header and its payload:
 *
 *   offset  0  u32   payload length (at most CAP_MAX_PAYLOAD)
 *   offset  4  u8    kind (enum cap_kind)
 *   offset  5  u8[3] reserved, 0
 *   offset  8  u32   peer: the collector's id of the sending process's
 *                    connection (ids are reused after CAP_CLOSE)
 *   offset 12  u32   CRC-32C of header bytes 0-11 and the payload
 *
 * The last frame of a finished capture is CAP_END; a capture without one
 * was cut short (the collector was killed, the disk filled up).
 *
 * Version 2 adds the clock of the run's joiner (join.h), which holds some
 * records back for their other end and so may write them after records
 * that arrived later: what it did depends on when records arrived, so
 * that is kept too.  CAP_CLOCK (u64 CLOCK_MONOTONIC ns) comes before the
 * first message the collector handled after a wake-up: the time the
 * records that follow arrived at.  CAP_TICK (u64 ns) says the held records
 * whose window had ended by then went out; CAP_FLUSH (no payload) that
 * every held record went out (no traced process was connected).  A
 * version 1 capture has none of them and is read without holding.
 */
#ifndef HT_CAPTURE_H
#define HT_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

#define CAP_MAGIC "\x89htcap\r\n"
#define CAP_MAGIC_LEN 8
#define CAP_VERSION 2
/* the oldest version read (no clock frames) */
#define CAP_VERSION_MIN 1
#define CAP_HDR_LEN 32
#define CAP_FRAME_HDR 16
/* A message is at most one wire record's maximum (the collector rejects
 * larger ones before they reach the capture). */
#define CAP_MAX_PAYLOAD HT_WIRE_MAX_RECORD
#define CAP_MAX_FRAME (CAP_FRAME_HDR + CAP_MAX_PAYLOAD)
/* Payload of CAP_END: u64 records delivered, u64 malformed, as counted by
 * the live collector; then, only when it refused some processes, u64
 * processes refused (CAP_END_LEN_REFUSED).  A capture with none refused is
 * what older versions write and read; one with some is read by them as
 * damaged at its end mark, never as clean. */
#define CAP_END_LEN 16
#define CAP_END_LEN_REFUSED 24
/* Payload of CAP_CLOCK and CAP_TICK: u64 CLOCK_MONOTONIC ns. */
#define CAP_CLOCK_LEN 8

enum cap_kind {
	CAP_OPEN = 1,  /* a process connected; no payload */
	CAP_MSG = 2,   /* a message (or a record-aligned part of one) */
	CAP_TRUNC = 3, /* a message too large to receive: counted malformed */
	CAP_CLOSE = 4, /* the process's connection ended; no payload */
	CAP_END = 5,   /* the capture was finished; CAP_END_LEN payload, or
	                  CAP_END_LEN_REFUSED */
	CAP_CLOCK = 6, /* (v2) the records that follow arrived at this time */
	CAP_TICK = 7,  /* (v2) held records whose window ended went out */
	CAP_FLUSH = 8, /* (v2) every held record went out; no payload */
};
#define CAP_KIND_MAX CAP_FLUSH

typedef struct cap_header {
	uint16_t version;      /* CAP_VERSION when parsed successfully */
	uint16_t wire_version;
	int64_t start_ns;      /* Unix ns */
	int64_t mono_to_unix;  /* ns to add to a CLOCK_MONOTONIC time */
} cap_header;

typedef struct cap_frame {
	uint8_t kind;          /* enum cap_kind */
	uint32_t peer;
	uint32_t len;
	const uint8_t *data;   /* points into the parsed buffer */
} cap_frame;

/* Why parsing failed (cap_strerror() gives the text). */
enum cap_err {
	CAP_OK = 0,
	CAP_E_SHORT,     /* the file ends inside the header or a frame */
	CAP_E_MAGIC,     /* not a capture file */
	CAP_E_VERSION,   /* a capture version this code does not read */
	CAP_E_HDRLEN,    /* header length field out of range */
	CAP_E_LENGTH,    /* frame length over CAP_MAX_PAYLOAD */
	CAP_E_KIND,      /* unknown frame kind, or reserved bytes not 0 */
	CAP_E_CRC,       /* checksum mismatch */
	CAP_E_END,       /* a CAP_END frame of the wrong size */
	CAP_E_CLOCK,     /* a CAP_CLOCK/CAP_TICK/CAP_FLUSH of the wrong size */
};

/* cap_strerror() - a short lower-case text for @err. */
const char *cap_strerror(int err);

/*
 * cap_crc32c() - CRC-32C (Castagnoli) of @len bytes at @p, continuing from
 * @crc (0 to start).  Uses the SSE4.2 instruction when the CPU has it;
 * cap_crc32c_sw() is the portable table version (the same results).
 */
uint32_t cap_crc32c(uint32_t crc, const void *p, size_t len);
uint32_t cap_crc32c_sw(uint32_t crc, const void *p, size_t len);

/* cap_header_encode() - write @h (version forced to CAP_VERSION) into
 * @buf, which holds CAP_HDR_LEN bytes.  Returns CAP_HDR_LEN. */
size_t cap_header_encode(uint8_t *buf, const cap_header *h);

/*
 * cap_header_parse() - parse the file header at @buf (@len bytes
 * available).  Returns the offset of the first frame (>= CAP_HDR_LEN), or
 * -CAP_E_SHORT when @len is too small to tell, -CAP_E_MAGIC,
 * -CAP_E_VERSION (h->version is then the file's version: versions
 * CAP_VERSION_MIN to CAP_VERSION are read), -CAP_E_HDRLEN.
 */
long cap_header_parse(const uint8_t *buf, size_t len, cap_header *h);

/*
 * cap_frame_encode() - write one frame of @kind for @peer with payload
 * @data/@len into @buf (capacity @cap).  Returns the bytes written
 * (CAP_FRAME_HDR + @len), or 0 when it does not fit or @len is over
 * CAP_MAX_PAYLOAD.
 */
size_t cap_frame_encode(uint8_t *buf, size_t cap, unsigned kind,
			uint32_t peer, const void *data, size_t len);

/*
 * cap_frame_parse() - parse the frame at @buf (@len bytes available).
 * Returns its total size (> 0) with @f filled in; 0 when more bytes are
 * needed (@len is short of the header or of the length it announces, which
 * is itself within bounds); or -enum cap_err when the bytes are damaged:
 * a length over CAP_MAX_PAYLOAD, an unknown kind, non-zero reserved bytes,
 * a checksum mismatch, or a CAP_END (or clock frame) of the wrong size.
 */
long cap_frame_parse(const uint8_t *buf, size_t len, cap_frame *f);

/* cap_end_encode() - the CAP_END payload into @buf (CAP_END_LEN_REFUSED
 * bytes of room); returns its length: CAP_END_LEN when @refused is 0. */
size_t cap_end_encode(uint8_t *buf, uint64_t records, uint64_t malformed,
		      uint64_t refused);
/* cap_end_parse() - a CAP_END payload of @len bytes (as cap_frame_parse()
 * accepted: CAP_END_LEN, or CAP_END_LEN_REFUSED); @refused is 0 in the
 * shorter. */
void cap_end_parse(const uint8_t *buf, size_t len, uint64_t *records,
		   uint64_t *malformed, uint64_t *refused);

/* cap_clock_encode()/cap_clock_parse() - the CAP_CLOCK and CAP_TICK
 * payload (CAP_CLOCK_LEN): a CLOCK_MONOTONIC time in ns. */
void cap_clock_encode(uint8_t *buf, uint64_t ns);
uint64_t cap_clock_parse(const uint8_t *buf);

#endif
