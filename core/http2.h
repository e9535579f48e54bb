/*
 * http2.h - incremental HTTP/2 frame reader for one direction of a
 * connection, with header blocks decoded through HPACK.
 *
 * Pure; the HPACK decoder (core/hpack_dec.c) is reached through a small
 * table of functions (hpack.h) that the caller gives, with the memory it
 * needs.
 *
 * The caller feeds whatever bytes the direction carried, split anywhere, and
 * pulls events one at a time, as with http1.h:
 *
 *   while (len > 0) {
 *       h2_event ev;
 *       size_t n = h2_feed(&d, buf, len, &ev);
 *       buf += n; len -= n;
 *       if (ev.type != H2_EV_NONE) ...
 *   }
 *
 * h2_feed() stops after the byte that completes an event.  The client
 * direction first skips the 24-byte connection preface.  The first frame of
 * either direction must be a SETTINGS frame (RFC 9113 section 3.4): bytes
 * that do not start so are not HTTP/2 (H2_EV_ERROR).  Every header block
 * (HEADERS or PUSH_PROMISE plus CONTINUATIONs) is decoded in order, of every
 * stream, so the dynamic table stays in step with the peer's encoder.
 */
#ifndef HT_HTTP2_H
#define HT_HTTP2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "grpc.h"
#include "hpack.h"
#include "http1.h" /* size limits, h1_options */

#define H2_BLOCK_MAX 16384 /* a longer header block cannot be decoded */
#define H2_PENDING_SETTINGS 8 /* unacknowledged SETTINGS kept apart */

enum h2_frame_type {
	H2_DATA = 0x0,
	H2_HEADERS = 0x1,
	H2_PRIORITY = 0x2,
	H2_RST_STREAM = 0x3,
	H2_SETTINGS = 0x4,
	H2_PUSH_PROMISE = 0x5,
	H2_PING = 0x6,
	H2_GOAWAY = 0x7,
	H2_WINDOW_UPDATE = 0x8,
	H2_CONTINUATION = 0x9,
};

#define H2_FLAG_END_STREAM 0x1
#define H2_FLAG_ACK 0x1
#define H2_FLAG_END_HEADERS 0x4
#define H2_FLAG_PADDED 0x8
#define H2_FLAG_PRIORITY 0x20

typedef enum h2_event_type {
	H2_EV_NONE = 0,
	H2_EV_HEADERS,      /* a header block on @stream is complete and
	                       decoded into the reader's msg; @end_stream */
	H2_EV_DATA,         /* a DATA frame on @stream is complete: @length
	                       body bytes (padding excluded); @end_stream */
	H2_EV_RST_STREAM,   /* @stream was reset with @code */
	H2_EV_GOAWAY,       /* @last_stream is the last the sender processes;
	                       @code */
	H2_EV_SETTINGS,     /* a SETTINGS frame (not an ACK); @table_size is
	                       its SETTINGS_HEADER_TABLE_SIZE or -1 */
	H2_EV_PUSH_PROMISE, /* a promised stream @promised on @stream; its
	                       request headers are in msg */
	H2_EV_DATA_CHUNK,   /* want_data only: @data_len body bytes of a
	                       DATA frame on @stream at @data, more to come */
	H2_EV_ERROR,        /* not HTTP/2, or a header block we could not
	                       decode (then @undecoded, with the block's
	                       @stream, @end_stream, @promised): the reader
	                       stays in error (but see count_undecoded) */
} h2_event_type;

typedef struct h2_event {
	h2_event_type type;
	uint32_t stream;
	bool end_stream;
	uint32_t length;
	uint32_t code;
	uint32_t last_stream;
	uint32_t promised;
	int64_t table_size;
	/* H2_EV_HEADERS / H2_EV_PUSH_PROMISE after a header block could not
	 * be decoded (count_undecoded): this block was framed, not decoded,
	 * and msg is all zero; H2_EV_ERROR: it is that block */
	bool undecoded;
	/* H2_EV_ERROR with @undecoded: the block was longer than H2_BLOCK_MAX,
	 * framed but not kept (not one the decoder found malformed) */
	bool oversize;
	/* want_data only: body bytes of a DATA frame this call read, in the
	 * caller's buffer (H2_EV_DATA_CHUNK; on H2_EV_DATA the frame's last
	 * ones, maybe none) */
	const uint8_t *data;
	uint32_t data_len;
	/* h2_skip() only: the @data_len body bytes went by unseen (@data is
	 * NULL) */
	bool unseen;
} h2_event;

/* A decoded header block.  Strings are NUL-terminated, truncated to fit;
 * the bytes after a NUL, after hdrs_len and after grpc_message_len are
 * left from earlier blocks and mean nothing.  Only the reader writes it,
 * when a block is complete (the memo relies on that: a block taken from
 * it leaves msg as the same block left it); after a block that could not
 * be decoded (H2_EV_ERROR) it is all zero. */
typedef struct h2_message {
	char method[H1_METHOD_MAX];
	char scheme[16];
	char authority[H1_HOST_MAX];
	char path[H1_TARGET_MAX];
	uint16_t method_len, authority_len, path_len; /* their strlen() */
	bool path_truncated;
	uint16_t status;           /* :status, 0 when absent */
	char content_type[H1_CTYPE_MAX];
	uint8_t content_type_len;  /* strlen(content_type) (< 256, below) */
	/* content-length when it is a number (the first field only) */
	bool has_content_length;
	uint64_t content_length;
	uint32_t header_bytes;     /* sum of name + value + 32 per field
	                              (RFC 9113 header list size) */
	/* Regular fields as "name: value\r\n" lines (pseudo-headers left
	 * out), redacted as h1_options say; lines that do not fit are left
	 * out and hdrs_truncated is set. */
	char hdrs[H1_HDRS_MAX];
	uint32_t hdrs_len;
	bool hdrs_truncated;
	/* gRPC's fields (grpc.h): the first grpc-status, when it is a
	 * number, and the first grpc-message, percent-decoded */
	bool has_grpc_status;
	uint32_t grpc_status;
	uint16_t grpc_message_len;
	char grpc_message[GRPC_MESSAGE_MAX];
} h2_message;
_Static_assert(H1_CTYPE_MAX <= 256, "content_type_len is a byte");

typedef struct h2_reader {
	/* public, read-only */
	h2_message msg;
	/* public: set to have DATA bodies handed over (h2_event.data) */
	bool want_data;
	/* public: set to keep framing after a header block could not be
	 * decoded: that block still gives H2_EV_ERROR, every later block
	 * H2_EV_HEADERS / H2_EV_PUSH_PROMISE with undecoded set (a framing
	 * error still stops the reader for good: h2_framing()) */
	bool count_undecoded;
	/* private */
	const hpack_ops *hp;
	void *inflater;
	const h1_options *opt;
	uint64_t redact_mask;      /* redact_bit() of each opt->redact name */
	bool client;               /* expects the connection preface first */
	int state;
	uint32_t preface_seen;
	uint8_t fh[9];             /* frame header being read */
	uint32_t fh_len;
	uint32_t frame_len, remaining;
	uint8_t type, flags;
	uint32_t stream;
	uint8_t pad_len;           /* PADDED frames: padding at the end */
	uint32_t prefix_need;      /* pad length / priority / promised id bytes */
	uint8_t prefix[8];
	uint32_t prefix_len;
	uint32_t data_len;         /* body bytes of the current DATA frame */
	uint8_t scratch[8];        /* payload of RST_STREAM / GOAWAY heads */
	uint32_t scratch_len;
	uint8_t settings_entry[6]; /* SETTINGS entry being read */
	uint32_t settings_len;
	int64_t settings_table;
	bool undecodable;          /* a block failed: later ones not decoded */
	/* SETTINGS_HEADER_TABLE_SIZE of the decoding side (the peer of this
	 * direction's sender): the limit its acknowledged SETTINGS set, and
	 * the SETTINGS it sent that this direction has not acknowledged yet,
	 * oldest first (h2_settings_sent()); a slot stands for @frames
	 * SETTINGS frames in a row, the last with a size being @size (-1:
	 * none), when more are pending than there are slots */
	uint32_t table_acked;
	uint32_t table_limit;      /* what the decoder was last given */
	struct h2_pending_settings {
		int64_t size;
		uint32_t frames;
	} pending[H2_PENDING_SETTINGS];
	uint32_t n_pending;
	/* header block being assembled */
	uint8_t block[H2_BLOCK_MAX];
	uint32_t block_len;
	bool block_overflow;
	bool in_block;             /* CONTINUATION expected */
	uint32_t block_stream;
	bool block_end_stream;
	bool block_push;
	uint32_t block_promised;
	bool block_plain;          /* one HEADERS frame, END_HEADERS, neither
	                              PADDED nor PRIORITY: the memo may serve */
	/* The memo (http2.c, "memo"): the last header block, when its fields
	 * (msg) are known without decoding it again.  It costs no copy: the
	 * remembered bytes are block's, compared in place as the next block
	 * arrives (and written over only where they differ). */
	bool memo_ok;              /* block[0, memo_len) is the last block,
	                              decoded into msg; one or both of: */
	bool memo_neutral;         /* decoding it again at generation
	                              memo_gen changes nothing */
	bool memo_replay;          /* it holds no index into the dynamic
	                              table: its fields are the same whatever
	                              the table holds */
	bool memo_same;            /* the block being assembled matches the
	                              remembered one so far */
	bool memo_off;             /* h2_memo_enable(r, false) */
	uint32_t memo_len;
	uint64_t memo_gen;         /* the decoder's generation after it */
	uint64_t memo_hits;        /* blocks taken from the memo (tests) */
} h2_reader;

/*
 * h2_init() - reset @r for one direction: @client is true for the bytes the
 * client writes (they begin with the preface).  @hp decodes header blocks;
 * returns 0, or -1 when no decoder could be created (then every header block
 * gives H2_EV_ERROR).
 */
int h2_init(h2_reader *r, bool client, const hpack_ops *hp,
	    const h1_options *opt);

/*
 * h2_server_preface_start() - whether @buf (@len bytes), what a server sent
 * before its client wrote anything, can begin an HTTP/2 server connection
 * preface: the header of a SETTINGS frame that is not an ACK, on stream 0,
 * whose length is a multiple of 6 (RFC 9113 sections 3.4 and 6.5).  A
 * prefix of such a header counts; bytes after the first 9 are not looked
 * at (the reader checks them).  With prior knowledge a server may send its
 * preface as soon as the connection is up, before the client's.
 */
bool h2_server_preface_start(const uint8_t *buf, size_t len);

/* h2_free() - release the decoder.  @r may be re-initialised. */
void h2_free(h2_reader *r);

/* h2_set_table_size() - the decoder allows a table up to @size from now
 * on, acknowledged or not (tests; a connection uses h2_settings_sent()). */
void h2_set_table_size(h2_reader *r, uint32_t size);

/*
 * h2_settings_sent() - the peer of this direction's sender (the side that
 * decodes it) sent a SETTINGS frame, not an ACK, its
 * SETTINGS_HEADER_TABLE_SIZE @table_size or -1.  A new size binds the
 * sender's encoder only from the ACK of that SETTINGS on, which this
 * direction carries (SETTINGS are acknowledged in order; RFC 9113 section
 * 6.5.3): until then the encoder may still encode with the older limit,
 * so the decoder's limit falls at that ACK (h2_feed() applies it), the
 * encoder then signalling its smaller table with a size update.  A larger
 * size is allowed at once (an encoder that applied it early is not
 * wrong): the decoder's limit is the largest of the acknowledged size and
 * the pending ones.
 */
void h2_settings_sent(h2_reader *r, int64_t table_size);

/* h2_framing() - whether @r still frames what it is fed: false after
 * bytes that are not HTTP/2 framing, or after a header block could not be
 * decoded unless count_undecoded was set. */
bool h2_framing(const h2_reader *r);

/*
 * h2_memo_enable() - whether @r may take a header block identical to the
 * previous one from the memo instead of decoding it again (the default);
 * off, every block is decoded.  The events and msg are the same either way
 * (the unit and fuzz tests run both in lockstep).  Forgets the memo.
 */
void h2_memo_enable(h2_reader *r, bool on);

/*
 * h2_feed() - read up to @len bytes of @buf.  Returns how many were
 * consumed and sets *@ev (type H2_EV_NONE when none; then all of @len was
 * consumed).  After H2_EV_ERROR every call consumes everything with no
 * event.
 */
size_t h2_feed(h2_reader *r, const uint8_t *buf, size_t len, h2_event *ev);

/*
 * h2_skip() - @len bytes of the direction went by unseen (a server's
 * sendfile or splice, a client's MSG_TRUNC read).  They are taken, as
 * h2_feed() would take them, as far as they lie in the payload of the DATA
 * frame being read, its body or its padding: bytes nothing needs to parse
 * (a DATA body is only counted).  Returns how many were taken and sets
 * *@ev as h2_feed() does: H2_EV_DATA at the frame's last byte (its length
 * counts the unseen body bytes), and with want_data H2_EV_DATA_CHUNK for
 * body bytes, which carry @unseen and no @data.  Returns 0 (no event)
 * where the next byte is anything else: a frame header, the pad length,
 * a header block; the reader is then unchanged and the caller has to give
 * up (the frames after an unseen frame header cannot be found).  A DATA
 * frame's payload never reaches past its length, so bytes left after the
 * frame's end are the next frame's header: the next call returns 0.
 */
size_t h2_skip(h2_reader *r, size_t len, h2_event *ev);

#endif
