/*
 * conn_h2_internal.h - what conn_h2.c (HTTP/2 streams) and conn_h2_lost.c
 * (what a connection does once a direction cannot be decoded) share.
 */
#ifndef HT_CONN_H2_INTERNAL_H
#define HT_CONN_H2_INTERNAL_H

#include "conn_internal.h"
#include "http2.h"

#define H2_STREAMS 128 /* streams in flight we follow on one connection */
#define H2_HINTS 64    /* slot hints (find_stream()) */
_Static_assert(H2_STREAMS <= 255, "a hint holds a slot number + 1");

typedef struct conn_stream {
	uint32_t id;             /* 0: slot free */
	uint8_t slot;            /* its index in streams[] */
	bool resp_final;         /* final (non-1xx) response headers seen */
	bool resp_done;          /* the server's END_STREAM came before the
	                            client's (an early answer): the stream
	                            waits for the request's end */
	bool resp_sized;         /* a server's response with a content-length:
	                            resp_expect body bytes (0: none due) */
	uint64_t resp_expect;
	uint64_t t_resp_whole;   /* when the last of them was written (0: not
	                            yet; stream_whole()) */
	/* memory-BIO TLS (wire_mark()): the session's ciphertext count that
	 * carries the response's last frame so far, and the one that carried
	 * it at t_resp_whole (0: no mark) */
	uint64_t wire_mark;
	uint64_t whole_mark;
	bool wire_wait;          /* ended in plaintext, the socket owes its
	                            ciphertext: waits for conn_h2_wire() */
	conn_request req;
	uint16_t status;
	char content_type[H1_CTYPE_MAX];
	uint8_t content_type_len;
	char hdrs[H1_HDRS_MAX];
	uint32_t hdrs_len;
	bool hdrs_truncated;
	uint32_t resp_header_bytes;
	uint64_t resp_body_bytes;
	grpc_call grpc;
} conn_stream;

struct conn_h2 {
	h2_reader client;        /* what the program writes */
	h2_reader server;        /* what it reads */
	conn_stream *streams[H2_STREAMS]; /* allocated on demand, kept */
	/* the slot + 1 of the last stream opened of each (id >> 1) %
	 * H2_HINTS (0: none), looked at first; a stale one costs a look */
	uint8_t hint[H2_HINTS];
	unsigned free_from;      /* no free slot below it (free_stream()) */
	unsigned open;           /* streams in flight */
	uint32_t last_stream;    /* the highest stream the client opened */
	bool lost;               /* given up (give_up()): streams are only
	                            counted, each ending with lost_error */
	uint8_t lost_error;
	unsigned wire_waiting;   /* streams with wire_wait set */
	size_t left;             /* bytes of the response side's buffer
	                            after the frame being read (wire_mark()) */
};

/* The stream @id in flight, NULL when none. */
conn_stream *find_stream(struct conn_h2 *h2, uint32_t id);

/* The request header block @m (the client reader's message) is written
 * at @now: @r records it (inline: the arguments are passed once). */
static inline __attribute__((always_inline)) void
request_head(conn *c, conn_request *r, const h2_message *m, uint64_t now)
{
	conn_request_headers(r, c->env->opt, now, m->method, m->method_len,
			     m->path, m->path_len, m->path_truncated,
			     m->authority, m->authority_len, m->hdrs,
			     m->hdrs_len, m->hdrs_truncated, m->header_bytes);
}

/* A new stream @id opened by the client at @now; NULL when more are in
 * flight than we follow (untracked() reports it then). */
conn_stream *open_stream(conn *c, uint32_t id, uint64_t now);

/* The stream is over: emit its record with @error and free the slot. */
void close_stream(conn *c, conn_stream *s, unsigned error, uint64_t now);

/* Every stream still open ends with @error, but when @keep those whose
 * response ended in plaintext (they still wait for the socket). */
void fail_streams(conn *c, unsigned error, bool keep, uint64_t now);

/* The server ended @s's response at @now. */
void response_ended(conn *c, conn_stream *s, uint64_t now);

/* conn_h2_lost.c */
void give_up(conn *c, bool requests, unsigned error, uint64_t now);
void untracked(conn *c, const h2_event *ev, unsigned error, uint64_t now);
void lost_request(conn *c, const h2_event *ev, unsigned error, uint64_t now);
void response_lost(conn *c, conn_stream *s, const h2_event *ev,
		   unsigned error, uint64_t now);

#endif
