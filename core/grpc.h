/*
 * grpc.h - what an HTTP/2 stream shows of a gRPC call: its service and
 * method (from :path), its status (grpc-status, grpc-message, from the
 * trailers or a Trailers-Only response), and the messages each way, read
 * from the 5-byte prefix gRPC puts before each (1 byte of flags, bit 0:
 * compressed; 4 bytes of length, big-endian) in the DATA frames' bodies.
 *
 * Pure: no system calls, no allocation.  The framer is fed each direction's
 * DATA bytes in order, split anywhere: the counts do not depend on the
 * splits.  gRPC-Web (application/grpc-web*) is not gRPC here: it carries
 * its trailers inside the body.
 */
#ifndef HT_GRPC_H
#define HT_GRPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

/* Bytes of grpc-message kept, after percent-decoding. */
#define GRPC_MESSAGE_MAX 256
/* The length prefix of each message. */
#define GRPC_PREFIX_LEN 5

/* One direction's messages. */
typedef struct grpc_framer {
	/* private: the prefix being read, the payload bytes still to come */
	uint8_t prefix[GRPC_PREFIX_LEN];
	uint8_t prefix_len;
	uint32_t left;
	uint32_t cur;            /* length of the message being read */
	/* public, read-only: whole messages so far */
	uint32_t msgs;
	uint64_t bytes;          /* their payload bytes (prefixes excluded) */
	uint32_t largest;
	bool compressed;         /* one of them had the compressed flag */
} grpc_framer;

/* What a stream followed of a gRPC call, until its record goes out. */
typedef struct grpc_call {
	bool active;             /* the stream is a gRPC call */
	bool has_status;
	uint32_t status;
	grpc_framer sent, recv;
	uint64_t t_first_sent;   /* the first whole message each way */
	uint64_t t_first_recv;
	uint16_t message_len;
	char message[GRPC_MESSAGE_MAX];
} grpc_call;

/*
 * grpc_framer_feed() - @len more bytes of a direction's DATA bodies.
 * Returns how many messages they completed (a message is counted when its
 * last byte came; an empty one with its prefix).
 */
uint32_t grpc_framer_feed(grpc_framer *f, const uint8_t *buf, size_t len);

/*
 * grpc_framer_skip() - @len more bytes of a direction's DATA bodies went
 * by unseen.  Taken (counted as grpc_framer_feed() would) and true when
 * they all lie in the payload of the message being read; false, and @f
 * unchanged, when any of them is a length prefix's: the messages can no
 * longer be told apart.
 */
bool grpc_framer_skip(grpc_framer *f, size_t len);

/* grpc_content_type() - whether the content type @ct (NUL-terminated) is
 * gRPC's: "application/grpc", alone or followed by '+' (a codec) or ';'
 * (case-insensitive). */
bool grpc_content_type(const char *ct);

/* grpc_status_name() - the canonical name of status @code ("OK",
 * "CANCELLED", ... "UNAUTHENTICATED"); NULL for a code gRPC does not
 * define (above 16). */
const char *grpc_status_name(uint32_t code);

/*
 * grpc_parse_status() - the grpc-status value @v (@n bytes): a decimal
 * number of at most 9 digits into *@code.  Returns false (and leaves
 * *@code) for anything else.
 */
bool grpc_parse_status(const uint8_t *v, size_t n, uint32_t *code);

/*
 * grpc_percent_decode() - decode the grpc-message value @src (@n bytes):
 * "%XX" (two hex digits) is that byte, anything else itself (a '%' not
 * followed by two hex digits too, as the gRPC spec asks of a receiver).
 * Control bytes decoded (below 0x20, 0x7f) become '?', so the text stays
 * printable; bytes from 0x80 (UTF-8) are kept.  At most @cap bytes go to
 * @dst (not NUL-terminated); returns how many.
 */
size_t grpc_percent_decode(char *dst, size_t cap, const uint8_t *src,
			   size_t n);

/*
 * grpc_path_split() - the service and method of the request target @p
 * (@n bytes), "/pkg.Service/Method": the service is what lies between the
 * first '/' and the last, the method what follows the last.  Returns
 * false (and sets nothing) unless @p starts with '/' and both are
 * non-empty.
 */
bool grpc_path_split(const char *p, size_t n, ht_str *service, ht_str *method);

/* grpc_call_record() - @g as the record's gRPC fields, into @out (whose
 * message points into @g). */
void grpc_call_record(const grpc_call *g, ht_grpc *out);

/* ht_grpc_own() - @r's gRPC counts as its own process saw them, in @out.
 * A record keeps them by the call's direction ("sent": the request's
 * messages), which is a client's view; a traced server's record
 * (HT_RF_SERVER) read those and sent the others, so its copy has the two
 * directions swapped.  Returns @out; the message still points into @r. */
static inline const ht_grpc *ht_grpc_own(const ht_rec_request *r, ht_grpc *out)
{
	const ht_grpc *g = &r->grpc;

	*out = *g;
	if (!(r->flags & HT_RF_SERVER))
		return out;
	out->msgs_sent = g->msgs_recv;
	out->msgs_recv = g->msgs_sent;
	out->bytes_sent = g->bytes_recv;
	out->bytes_recv = g->bytes_sent;
	out->max_sent = g->max_recv;
	out->max_recv = g->max_sent;
	out->t_first_sent = g->t_first_recv;
	out->t_first_recv = g->t_first_sent;
	out->flags &= ~(HT_GF_COMPRESSED_SENT | HT_GF_COMPRESSED_RECV);
	if (g->flags & HT_GF_COMPRESSED_SENT)
		out->flags |= HT_GF_COMPRESSED_RECV;
	if (g->flags & HT_GF_COMPRESSED_RECV)
		out->flags |= HT_GF_COMPRESSED_SENT;
	return out;
}

/* ht_grpc_failed() - whether the request record @r is a gRPC call whose
 * status came and is not OK. */
static inline bool ht_grpc_failed(const ht_rec_request *r)
{
	return (r->flags & HT_RF_GRPC) && (r->grpc.flags & HT_GF_STATUS) &&
	       r->grpc.status != 0;
}

/* ht_grpc_side_failed() - whether @r's gRPC status is an error of its own
 * side's: any status but OK for a client's call; for a traced server's
 * (HT_RF_SERVER) only UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL,
 * UNAVAILABLE and DATA_LOSS, as OpenTelemetry's gRPC conventions have it
 * (NOT_FOUND or INVALID_ARGUMENT are the client's, as an HTTP 4xx is). */
static inline bool ht_grpc_side_failed(const ht_rec_request *r)
{
	if (!ht_grpc_failed(r))
		return false;
	if (!(r->flags & HT_RF_SERVER))
		return true;
	switch (r->grpc.status) {
	case 2: case 4: case 12: case 13: case 14: case 15:
		return true;
	default:
		return false;
	}
}

#endif
