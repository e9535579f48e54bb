/*
 * ws.h - WebSocket (RFC 6455) frames, one parser per direction, and the
 * session they make: what a connection carries after an HTTP/1.1
 * "Upgrade: websocket" answered 101.
 *
 * Pure: no clock, no system calls, no allocation; the caller passes the
 * times in.  The parser takes bytes split anywhere (one at a time
 * included) and gives the same events for every split.  Payloads are not
 * kept, except a control frame's (at most 125 bytes, unmasked): data
 * messages are counted, never decoded; with permessage-deflate (RSV1 on a
 * message's first frame) sizes are the payloads as sent.
 *
 * Protocol errors are counted and the frames around them still followed
 * where their framing is intact (a reserved opcode, a continuation with no
 * message begun, a data frame inside a fragmented message, a control
 * frame fragmented or longer than 125 bytes, a wrong mask bit, a close
 * payload of one byte): they are counted in ws_parser.errors, not
 * reported as events.  A length whose top bit is set loses the framing:
 * the parser then stops (ws_failed()), everything after is consumed
 * unread.
 */
#ifndef HT_WS_H
#define HT_WS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Opcodes (RFC 6455, 5.2). */
enum ws_opcode {
	WS_OP_CONT = 0x0,
	WS_OP_TEXT = 0x1,
	WS_OP_BINARY = 0x2,
	WS_OP_CLOSE = 0x8,
	WS_OP_PING = 0x9,
	WS_OP_PONG = 0xA,
};

/* Largest control frame payload (RFC 6455, 5.5). */
#define WS_CTL_MAX 125
/* A close frame's reason: its payload after the 2-byte code. */
#define WS_REASON_MAX (WS_CTL_MAX - 2)

/* What ws_feed() stopped at. */
typedef enum ws_event_kind {
	WS_EV_NONE,    /* nothing complete yet: all bytes consumed */
	WS_EV_MESSAGE, /* a data message's last frame ended */
	WS_EV_PING,    /* a ping frame ended: ws_event.payload */
	WS_EV_PONG,    /* a pong frame ended: ws_event.payload */
	WS_EV_CLOSE,   /* a close frame ended: code, payload = reason */
} ws_event_kind;

typedef struct ws_event {
	ws_event_kind kind;
	uint8_t opcode;        /* MESSAGE: WS_OP_TEXT or WS_OP_BINARY (or
	                          a reserved data opcode) */
	bool compressed;       /* MESSAGE: RSV1 on its first frame */
	uint64_t size;         /* MESSAGE: payload bytes of all its frames */
	uint32_t frames;       /* MESSAGE: frames it took */
	uint16_t close_code;   /* CLOSE: 0 when the frame carried none */
	const uint8_t *payload; /* PING, PONG: the payload; CLOSE: the reason
	                          (inside the parser, valid until the next
	                          call) */
	size_t payload_len;
} ws_event;

typedef struct ws_parser {
	/* PRIVATE */
	uint8_t state;
	bool client;             /* frames from the client: masked */
	uint8_t hdr[14];         /* the frame header so far */
	uint8_t hdr_len, hdr_need;
	uint8_t opcode;
	bool fin, rsv1, masked;
	uint8_t mask[4];
	uint64_t remaining;      /* payload bytes still to come */
	uint64_t pos;            /* payload bytes of this frame so far */
	bool ctl_skip;           /* a control payload that is not kept */
	bool in_msg;             /* a fragmented data message is open */
	uint8_t msg_opcode;
	bool msg_compressed;
	uint64_t msg_size;
	uint32_t msg_frames;
	uint8_t ctl[WS_CTL_MAX];
	uint8_t ctl_len;
	/* READ-ONLY */
	uint64_t frames;         /* frames whose header was read */
	uint64_t payload_bytes;  /* payload bytes of every frame */
	uint32_t errors;         /* protocol errors */
} ws_parser;

/* ws_init() - a parser for the frames one side sends: @client (masked
 * frames expected) or the server's. */
void ws_init(ws_parser *p, bool client);

/*
 * ws_feed() - parse @len bytes of @buf.  Returns the bytes consumed; it
 * stops after the byte that completes an event, filled into @ev (kind
 * WS_EV_NONE when all of @buf went by without one): call again with the
 * rest.  Once failed, every call consumes everything with WS_EV_NONE.
 */
size_t ws_feed(ws_parser *p, const uint8_t *buf, size_t len, ws_event *ev);

/* ws_failed() - whether the framing was lost (nothing is parsed any more). */
bool ws_failed(const ws_parser *p);

/* ws_idle() - whether the parser is between frames with no fragmented
 * message open. */
bool ws_idle(const ws_parser *p);

/* ---- the session ----------------------------------------------------------- */

/* Pings of one side awaiting their pong, matched by payload. */
#define WS_PINGS_PENDING 8

/* One direction of a session, from the traced program's side. */
typedef struct ws_dir_stats {
	uint64_t frames;         /* every frame */
	uint64_t messages;       /* data messages (text + binary + other) */
	uint64_t text, binary;
	uint64_t bytes;          /* payload bytes of the data messages */
	uint64_t compressed;     /* messages sent compressed (RSV1) */
	uint64_t pings, pongs;
	uint32_t errors;         /* protocol errors */
	bool closed;             /* a close frame went this way */
	uint16_t close_code;     /* its code, 0 when none */
	char close_reason[WS_REASON_MAX + 1]; /* NUL-terminated, as sent */
	uint8_t reason_len;
	uint64_t t_close;
} ws_dir_stats;

/* Directions, from the traced program's side. */
enum { WS_SENT = 0, WS_RECV = 1 };

typedef struct ws_ping {
	uint64_t t;              /* 0: a free slot */
	uint32_t hash;           /* of its payload */
	uint8_t len;
} ws_ping;

typedef struct ws_session {
	ws_parser p[2];          /* [WS_SENT], [WS_RECV] */
	ws_dir_stats d[2];
	ws_ping pending[2][WS_PINGS_PENDING]; /* pings each way not answered */
	/* Round trips of the pings each side sent, to the matching pong
	 * (ns): [WS_SENT] the program's pings, [WS_RECV] the peer's (the
	 * program's answer time). */
	uint32_t rtt_n[2];
	uint64_t rtt_sum[2], rtt_min[2], rtt_max[2];
	uint64_t t_start;
	int first_close;         /* -1 none yet, else WS_SENT or WS_RECV */
} ws_session;

/* ws_session_init() - a session begun at @now (the 101 read) by the
 * client side when @client (the program sends masked frames). */
void ws_session_init(ws_session *s, bool client, uint64_t now);

/* ws_session_feed() - @len bytes of @buf went @dir (WS_SENT: written by
 * the program, WS_RECV: read) at @now: parsed and counted. */
void ws_session_feed(ws_session *s, int dir, const uint8_t *buf, size_t len,
		     uint64_t now);

/* ws_session_closed() - whether close frames went both ways (the closing
 * handshake is over: nothing more is a frame). */
bool ws_session_closed(const ws_session *s);

/* ws_session_lost() - whether either direction's framing was lost. */
bool ws_session_lost(const ws_session *s);

#endif
