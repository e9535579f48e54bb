/*
 * wire.h - the record format between libhttptrace.so and the collector.
 *
 * Every record is one SOCK_SEQPACKET message (the decoder also accepts a
 * stream of concatenated records).  A record is an 8-byte header followed by
 * a body; all integers are little-endian and fixed width:
 *
 *   offset 0  u8[2] magic "HT"
 *   offset 2  u8    version (HT_WIRE_VERSION)
 *   offset 3  u8    type (enum ht_rec_type)
 *   offset 4  u32   total length of the record, header included
 *
 * Strings are a u16 length followed by that many bytes (no NUL).  Timestamps
 * are CLOCK_MONOTONIC nanoseconds; 0 means "did not happen".  The collector
 * runs on the same machine, so it converts them to wall-clock time itself.
 *
 * This module is pure: no I/O, no allocation.  Decoded strings point into the
 * caller's buffer.
 */
#ifndef HT_WIRE_H
#define HT_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HT_WIRE_MAGIC0 'H'
#define HT_WIRE_MAGIC1 'T'
#define HT_WIRE_VERSION 1
#define HT_WIRE_HDR_LEN 8
/* Largest record either side will produce or accept. */
#define HT_WIRE_MAX_RECORD 32768
/* Below this soft RLIMIT_NOFILE the library takes no fd at all: any number
 * it took would be one the program could have had (preload/emit_connect.c);
 * run mode says so when its command starts below it (cli/run.c). */
#define HT_MIN_FD_LIMIT 64

enum ht_rec_type {
	HT_REC_HELLO = 1,      /* a traced process announces itself */
	HT_REC_REQUEST = 2,    /* one completed (or failed) request */
	HT_REC_CONN_FAIL = 3,  /* a connect() that failed */
	HT_REC_CONN_CLOSE = 4, /* a tracked connection was closed */
	HT_REC_DROPS = 5,      /* records this process could not deliver */
	HT_REC_NOTE = 6,       /* something the process could not trace */
	HT_REC_WS = 7,         /* a WebSocket session ended */
	HT_REC_DNS = 8,        /* a name lookup ended */
};

/* A string inside a decoded record (not NUL-terminated). */
typedef struct ht_str {
	const char *p;
	uint16_t len;
} ht_str;

/* A peer address: family is AF_INET or AF_INET6, HT_AF_UNIX for a Unix
 * socket (port 0, no address: its path travels as a string), 0 = unknown. */
#define HT_AF_UNIX 1
typedef struct ht_addr {
	uint8_t family;
	uint16_t port;
	uint8_t addr[16]; /* 4 bytes used for AF_INET */
} ht_addr;

/* Request flags. */
#define HT_RF_REUSED 0x0001u      /* not the connection's first request */
#define HT_RF_WAS_IDLE 0x0002u    /* the connection was idle before it */
#define HT_RF_TLS 0x0004u         /* plaintext came from a TLS library */
#define HT_RF_HDR_TRUNC 0x0008u   /* a header block was truncated */
#define HT_RF_TARGET_TRUNC 0x0010u /* the request target was truncated */
#define HT_RF_KEEPALIVE 0x0020u   /* the connection stays open after it */
#define HT_RF_BODY_BY_CLOSE 0x0040u /* response body delimited by close */
#define HT_RF_TUNNEL 0x0080u      /* inside a CONNECT or SOCKS tunnel: peer is
                                     the proxy, tunnel names the target */
#define HT_RF_GRPC 0x0100u        /* a gRPC call: the record carries grpc */
#define HT_RF_FROM_PAGE 0x0200u   /* made by the collector from the live page
                                     of a process that ended (live.h): not
                                     a record the process produced */
#define HT_RF_TRACING_ENDED 0x0400u /* with HT_RF_FROM_PAGE: the collector
                                     stopped while the process still ran */
#define HT_RF_SERVER 0x0800u      /* the traced process was the server: the
                                     connection was accepted, the request
                                     read and the response written (see
                                     "A server's record" below); an older
                                     sender never sets it: a client's */
#define HT_RF_RESP_HDR_UNKNOWN 0x1000u /* with HT_RF_FROM_PAGE: the response's
                                     header bytes are not known (its first
                                     byte came, its header section was not
                                     whole, or the page kept none):
                                     resp_header_bytes means nothing */
#define HT_RF_RESP_BODY_UNKNOWN 0x2000u /* with HT_RF_FROM_PAGE: the
                                     response's body bytes are not known
                                     (the page kept none): resp_body_bytes
                                     means nothing */
#define HT_RF_EARLY_ANSWER 0x4000u /* the response was whole before the
                                     request was all written (a 413, a
                                     redirect, a server answering before
                                     it read the body): the record waited
                                     for the request's end, or the
                                     connection's; req_body_bytes is the
                                     body written, WROTE_REQUEST its last
                                     byte, both possibly short of what the
                                     request announced when the client
                                     stopped (a server's: read) */
#define HT_RF_REQ_BODY_UNKNOWN 0x8000u /* with HT_RF_FROM_PAGE: the
                                     request's body bytes are not known
                                     (the page keeps them only once the
                                     request is written whole, from its
                                     version 10): req_body_bytes means
                                     nothing */
#define HT_RF_SHARED 0x10000u     /* in a live page's slot only (live.h):
                                     its connection is shared with a
                                     forked process (conn_fork_shared()),
                                     which may read its answer: a
                                     collector that reports it after the
                                     process ended says not followed
                                     (HT_ERR_SHARED), never cut */

/* Protocols. */
enum ht_proto {
	HT_PROTO_UNKNOWN = 0,
	HT_PROTO_HTTP10 = 1,
	HT_PROTO_HTTP11 = 2,
	HT_PROTO_HTTP2 = 3,
};

/* Why a request did not complete normally (X-macro: enum and strings). */
#define HT_ERRORS(X)                                                          \
	X(NONE, NULL)                                                         \
	X(CLOSED, "connection closed before the response completed")         \
	X(RESET, "connection reset")                                          \
	X(BAD_RESPONSE, "malformed response")                                \
	X(BAD_REQUEST, "malformed request")                                  \
	X(NO_RESPONSE, "connection closed before any response")              \
	X(STREAM_RESET, "stream reset")                                       \
	X(TRUNCATED, "response body cut short")                              \
	X(OVERFLOW, "too many requests in flight; not tracked")              \
	X(GOAWAY, "stream refused by GOAWAY")                                 \
	X(UNSEEN, "bytes discarded unread (MSG_TRUNC); not followed")       \
	X(UNFOLLOWED, "bytes the tracer could not see; not followed")     \
	X(INTERRUPTED, "interrupted")                                        \
	X(KILLED, "killed")                                                  \
	X(CRASHED, "crashed")                                                \
	X(EXITED, "exited")                                                  \
	X(DESYNC, "after a malformed response on the connection; not followed") \
	X(HEAD_CUT, "request head cut short")                                \
	X(ENDED, "ended")                                                    \
	X(SHARED, "connection shared with a forked process; not followed") \
	X(AFTER_CLOSE, "sent after a request that asked to close; not served") \
	X(REQ_HEAD_BIG, "request headers too large to decode (over 16 KiB); "  \
			"not followed")                                       \
	X(RESP_HEAD_BIG, "response headers too large to decode (over 16 KiB); " \
			 "not followed")                                      \
	X(HEAD_LOST, "header block not decodable after one too large "         \
		     "(HPACK state lost); not followed")

enum ht_error {
#define HT_ERR_ENUM(name, str) HT_ERR_##name,
	HT_ERRORS(HT_ERR_ENUM)
#undef HT_ERR_ENUM
	HT_ERR__COUNT
};

/* ht_error_not_seen() - whether a request that ended with @code was not
 * seen through and is counted as not followed, not as failed: past its
 * connection's in-flight limit (HT_ERR_OVERFLOW), in flight on a
 * connection a fork shared with another process (HT_ERR_SHARED), with
 * bytes the tracer could not see or that went by unread (HT_ERR_UNFOLLOWED,
 * HT_ERR_UNSEEN: a signal handler's I/O, a stdio FILE, MSG_TRUNC), or an
 * HTTP/2 stream whose request or response header block the tracer could
 * not keep (over 16 KiB: HT_ERR_REQ_HEAD_BIG, HT_ERR_RESP_HEAD_BIG) or
 * decode after such a block (HT_ERR_HEAD_LOST). */
static inline bool ht_error_not_seen(unsigned code)
{
	return code == HT_ERR_OVERFLOW || code == HT_ERR_SHARED ||
	       code == HT_ERR_UNFOLLOWED || code == HT_ERR_UNSEEN ||
	       code == HT_ERR_REQ_HEAD_BIG || code == HT_ERR_RESP_HEAD_BIG ||
	       code == HT_ERR_HEAD_LOST;
}

/* ht_error_str() - text for an error code; NULL for HT_ERR_NONE, and a
 * generic text for an unknown code. */
const char *ht_error_str(unsigned code);

/* Timestamps carried by a request record (index into ht_rec_request.t). */
enum ht_ts {
	HT_T_DNS_START,     /* connection's first request only */
	HT_T_DNS_DONE,
	HT_T_CONNECT_START,
	HT_T_CONNECT_DONE,
	HT_T_TLS_START,
	HT_T_TLS_DONE,
	HT_T_GOT_CONN,      /* first byte of this request written */
	HT_T_WROTE_HEADERS, /* last byte of the request headers written */
	HT_T_WROTE_REQUEST, /* last byte of the request (body included); may
	                       come after RESPONSE_DONE (HT_RF_EARLY_ANSWER) */
	HT_T_GOT_1XX,       /* first interim (1xx) response headers complete */
	HT_T_FIRST_BYTE,    /* first response byte read */
	HT_T_RESPONSE_DONE, /* response complete, or the failure time */
	HT_T_IDLE_SINCE,    /* previous response done, when WAS_IDLE */
	HT_T__COUNT
};

typedef struct ht_rec_hello {
	uint32_t pid;
	uint32_t ppid;
	uint32_t flags;     /* HT_HF_* */
	ht_str exe;
	/* Appended fields (absent in an older sender's record: 0). */
	uint64_t image;     /* when this image first said HELLO (monotonic
	                       ns): the same in every HELLO of one image */
	uint64_t away;      /* records the image dropped while it had no
	                       collector (before this connection) */
	uint64_t away_requests; /* of those, request records (HT_REC_REQUEST):
	                           the requests lost (0 from an older sender,
	                           which does not tell them apart) */
} ht_rec_hello;

/* HELLO flags. */
#define HT_HF_RECONNECT 0x1u /* the image was connected before: a new
                                connection, not a new process */
#define HT_HF_COUNTERS 0x2u  /* the message carries (SCM_RIGHTS) a sealed
                                memfd holding an ht_counters page */
#define HT_HF_NOTE_ONLY 0x4u /* a connection that carries one NOTE (a vfork
                                child's word about the static program it
                                execs): not a traced process of its own */

/* What a gRPC call showed (HT_RF_GRPC; grpc.h). */
typedef struct ht_grpc {
	uint32_t status;    /* grpc-status, when HT_GF_STATUS */
	uint32_t flags;     /* HT_GF_* */
	uint32_t msgs_sent, msgs_recv;     /* whole messages each way */
	uint64_t bytes_sent, bytes_recv;   /* their payload bytes */
	uint32_t max_sent, max_recv;       /* the largest payload each way */
	uint64_t t_first_sent, t_first_recv; /* the first whole message each
	                                        way (monotonic ns), 0: none */
	ht_str message;     /* grpc-message, percent-decoded, bounded */
} ht_grpc;

#define HT_GF_STATUS 0x1u          /* a grpc-status came */
#define HT_GF_COMPRESSED_SENT 0x2u /* a message sent was compressed */
#define HT_GF_COMPRESSED_RECV 0x4u /* a message received was compressed */

typedef struct ht_rec_request {
	uint32_t pid;
	uint32_t conn_id;   /* unique within pid, from 1 */
	uint32_t req_seq;   /* request number on the connection, from 1 */
	uint32_t flags;     /* HT_RF_* */
	uint16_t status;    /* final status; 0 when no response */
	uint8_t proto;      /* enum ht_proto */
	uint8_t error;      /* enum ht_error */
	uint16_t n_1xx;     /* interim responses seen */
	ht_addr peer;
	uint64_t req_body_bytes;  /* de-chunked body bytes */
	uint64_t resp_body_bytes;
	uint32_t req_header_bytes;  /* size of the header section on the wire */
	uint32_t resp_header_bytes;
	uint64_t t[HT_T__COUNT];
	ht_str method;
	ht_str target;       /* request target as sent (path or absolute URL) */
	ht_str host;         /* Host header or :authority */
	ht_str dns_name;     /* name resolved to the peer address, if known */
	ht_str reason;       /* status line reason phrase */
	ht_str content_type; /* response Content-Type */
	ht_str tls_version;  /* e.g. "TLSv1.3" */
	ht_str alpn;         /* negotiated ALPN protocol */
	ht_str req_headers;  /* "Name: value\r\n" lines, possibly empty */
	ht_str resp_headers;
	/* Appended fields (absent in an older sender's record: empty). */
	ht_str peer_path;    /* the Unix socket's path when peer is HT_AF_UNIX
	                        ("@name" for an abstract one) */
	ht_str tunnel;       /* HT_RF_TUNNEL: the target, "host:port" */
	uint8_t resp_proto;  /* appended: enum ht_proto of the response's
	                        status line (0: no response, or an older
	                        sender); proto is the request's own */
	ht_grpc grpc;        /* appended after resp_proto, sent with
	                        HT_RF_GRPC only (else zero) */
	/* Appended, for a request still in flight when its process ended
	 * (error INTERRUPTED, KILLED, CRASHED, EXITED; made by the collector
	 * from the process's live page, live.h): the signal that ended it (0:
	 * none, or not known: INTERRUPTED without one means the process
	 * ended without a goodbye, its status unknown), and the phase it was
	 * in (enum ht_live_phase).  Encoded only when one is not 0. */
	uint8_t signal;
	uint8_t phase;
	/* Appended after signal and phase (which are then encoded, 0 or
	 * not), only when one of them is set: the connection's own address
	 * (a client's from getsockname after its connect, a server's from
	 * the accept; family 0: not known, a Unix socket, or an older
	 * sender), and the HTTP/2 stream id (0: HTTP/1.x).  With peer they
	 * let the collector join the two ends of one connection (join.h). */
	ht_addr local;
	uint32_t stream_id;
	/* Appended after local and stream_id (then encoded, 0 or not), only
	 * when thread is not 0: the thread of its process the request was
	 * made on (a client's: where it began) or read on (a server's:
	 * where its last request byte was read), numbered by the library
	 * from 1 (conn.h, conn_thread), and thread_seq: a server's, its
	 * number among the server requests read on that thread; a
	 * client's, the number of the server request open alone on its
	 * thread when it began (0: none, or more than one).  The collector
	 * makes such a client's span a child of that server's (join.h). */
	uint32_t thread;
	uint32_t thread_seq;
	/* Not on the wire: set by the collector when it joined the record
	 * to the other end's (join.h), else NULL. */
	const struct ht_join *join;
} ht_rec_request;

/*
 * A server's record (HT_RF_SERVER; a flag, not a field, so that records
 * of every sender decode alike whatever is appended after resp_proto)
 * keeps the timestamps' slots, their direction turned round: the request
 * is the bytes the server READ, the response the bytes it WROTE.
 *   CONNECT_START, CONNECT_DONE  the connection accepted (first request)
 *   TLS_START, TLS_DONE          the server's handshake (first request)
 *   GOT_CONN                     first request byte read
 *   WROTE_HEADERS                request header section read
 *   WROTE_REQUEST                request read, body included
 *   GOT_1XX                      an interim response written
 *   FIRST_BYTE                   first response byte written
 *   RESPONSE_DONE                last response byte written (bytes moved
 *                                by sendfile/splice included)
 *   IDLE_SINCE                   previous response done, when WAS_IDLE
 * DNS_* stay 0.  peer is the client.
 */

typedef struct ht_rec_conn_fail {
	uint32_t pid;
	uint32_t conn_id;
	int32_t err;        /* errno of the failure (0 for a TLS failure) */
	ht_addr peer;
	uint64_t t_dns_start, t_dns_done, t_connect_start, t_fail;
	ht_str dns_name;    /* the host: the DNS name, else the server name
	                       its TLS ClientHello asked for (no lookup named
	                       it), or the target of the tunnel it was in */
	uint32_t flags;     /* HT_FF_* */
	uint64_t t_connect_done, t_tls_start; /* HT_FF_TLS: TCP was up */
	/* Appended, only for a connection its process's end cut short (made
	 * by the collector from the live page, HT_FF_FROM_PAGE): how the
	 * process ended (HT_ERR_INTERRUPTED, _KILLED, _CRASHED, _EXITED), the
	 * signal (0: none or not known), the phase (enum ht_live_phase:
	 * dns, connect or tls).  0 otherwise. */
	uint8_t error, signal, phase;
	/* Appended, with HT_FF_TLS_ALERT_CLIENT or _SERVER only (else 0): the
	 * alert (its AlertDescription) that ended a handshake no hook
	 * decoded, as the record layer showed it in the clear. */
	uint8_t tls_alert;
} ht_rec_conn_fail;

#define HT_FF_TLS 0x1u /* the TLS handshake failed (not the TCP connect) */
#define HT_FF_FROM_PAGE 0x2u /* made by the collector from the live page:
                                the process ended with it in flight */
#define HT_FF_LOOKUP 0x4u /* with FROM_PAGE: a name lookup its process's end
                             cut short, not a connection: conn_id is the
                             lookup's number in its image (live.h,
                             HT_LIVE_LOOKUP), peer empty, phase dns */
/* With HT_FF_TLS, a handshake no hook decoded (its TLS library's is not
 * one we hook), as its records showed it: */
#define HT_FF_TLS_ALERT_CLIENT 0x8u  /* the client sent alert tls_alert */
#define HT_FF_TLS_ALERT_SERVER 0x10u /* the server sent alert tls_alert */
#define HT_FF_TLS_CLOSED 0x20u /* the connection closed before the
                                  handshake's end, no alert seen in the
                                  clear (TLS 1.3 encrypts them) */
#define HT_FF_TUNNEL 0x40u /* with HT_FF_TLS: the handshake with the target
                              of an HTTP CONNECT tunnel failed (dns_name
                              the target): the connection to the proxy and
                              its CONNECT were told by the CONNECT's record */

typedef struct ht_rec_conn_close {
	uint32_t pid;
	uint32_t conn_id;
	uint32_t requests;  /* requests seen on the connection */
	uint32_t flags;     /* HT_CF_* */
	ht_addr peer;
	uint64_t t_close;
	uint64_t t_idle_since; /* when it went idle (last response done), or 0 */
	uint64_t bytes_out, bytes_in; /* bytes on the socket */
	ht_str peer_path;   /* appended: as in ht_rec_request */
	/* Appended, sent with HT_CF_TLS_UNDECODED (what the TLS record
	 * layer showed of a connection whose plaintext no TLS hook saw,
	 * preload/tlsrec.h) or HT_CF_NO_REQUEST (the times and, sni and
	 * alpn_offered apart, the handshake the TLS hooks saw), else 0 and
	 * empty. */
	uint64_t t_connect_start, t_connect_done;
	uint64_t t_tls_start;  /* first ClientHello byte written */
	uint64_t t_tls_done;   /* the handshake's end, 0 when not seen */
	ht_str sni;            /* server name the ClientHello asked for */
	ht_str alpn_offered;   /* its ALPN list, comma-separated */
	ht_str tls_version;    /* the version chosen ("TLSv1.3"), or "" */
	ht_str alpn;           /* the protocol chosen, when visible (<1.3) */
} ht_rec_conn_close;

#define HT_CF_PEER_EOF 0x1u  /* the peer closed first */
#define HT_CF_TLS 0x2u
#define HT_CF_TLS_UNDECODED 0x4u /* TLS that no hook decoded: requests is
                                    not known (0), the fields above tell
                                    what the handshake showed */
#define HT_CF_SERVER 0x8u    /* a connection the process accepted:
                                bytes_in are the requests read */
#define HT_CF_NO_REQUEST 0x10u /* a client's connection followed as HTTP
                                  (or waiting for its first bytes) to its
                                  close, having carried no request: not
                                  one that showed another protocol, TLS no
                                  hook decoded, or a Unix socket that
                                  never showed a byte (its HTTP never
                                  decided); requests is 0 */
#define HT_CF_PROCESS_END 0x20u /* made by the collector: the connection's
                                   process ended (killed, crashed, _exit)
                                   with it open, no close of its own
                                   seen; t_close is when the collector
                                   saw that end, the bytes are not known
                                   (0) and requests counts those seen */

typedef struct ht_rec_drops {
	uint32_t pid;
	uint64_t dropped; /* cumulative count of records not delivered */
	/* Appended fields (absent in an older sender's record: 0). */
	uint64_t produced; /* cumulative count of records produced, the
	                      dropped ones included (0: not told) */
	uint32_t flags;    /* HT_DF_* */
	/* Appended (absent in an older sender's record: 0): of the counts
	 * above, the request records (HT_REC_REQUEST), that is the requests
	 * lost and made; the rest are connection, DNS, WebSocket records
	 * and notes.  In the DROPS record the collector hands its outputs
	 * (an increment), req_dropped is the requests among dropped. */
	uint64_t req_dropped;
	uint64_t req_produced;
} ht_rec_drops;

/* DROPS flags. */
#define HT_DF_FINAL 0x1u /* the sender's last word: nothing follows it */

/*
 * The counters a traced image keeps in a page shared with the collector
 * (a memfd passed with the HELLO, sealed against shrinking): the collector
 * reads them after the image is gone, whatever killed it, so records
 * produced but never received are counted even when the image could not
 * say so.  Counted per connection to the collector (a reconnect starts a
 * new page).  Written with atomic adds; u64 loads are not torn on the
 * 64-bit targets the library builds for.
 */
#define HT_COUNTERS_MAGIC 0x48544354u /* "TCTH" little-endian */
#define HT_COUNTERS_SIZE 4096u
typedef struct ht_counters {
	uint32_t magic;
	uint32_t version;   /* 1 */
	uint64_t produced;  /* records handed to the emitter */
	uint64_t dropped;   /* of those, records that could not be sent */
} ht_counters;

/* A line for the run's summary: what a process could not trace (an
 * OpenSSL function it refused to hook inline, and why). */
typedef struct ht_rec_note {
	uint32_t pid;
	ht_str text;
} ht_rec_note;

/*
 * A WebSocket session: what an HTTP/1.1 connection carried after its
 * "Upgrade: websocket" request (req_seq) was answered 101, sent when the
 * session ended (the closing handshake, the peer's EOF, a reset, the
 * program's close or exit).  The 101 request has its own record, sent at
 * the 101 as for any request; this one names it.  Directions are the
 * traced program's: [0] sent, [1] received.
 */
typedef struct ht_ws_dir {
	uint64_t frames;         /* every frame, control frames included */
	uint64_t messages;       /* data messages (fragments make one) */
	uint64_t text, binary;   /* of those, by type */
	uint64_t bytes;          /* payload bytes of the data messages, as
	                            sent (compressed, with permessage-deflate) */
	uint64_t compressed;     /* messages sent compressed (RSV1) */
	uint64_t pings, pongs;
	uint32_t errors;         /* protocol errors seen this way */
	uint16_t close_code;     /* the close frame's code; 0: none, or no
	                            code in it */
	uint64_t t_close;        /* when the close frame went, 0: never */
	ht_str close_reason;     /* its reason, as sent (UTF-8 unchecked) */
} ht_ws_dir;

/* Round trips of the pings one side sent to their pongs (ns). */
typedef struct ht_ws_rtt {
	uint32_t n;              /* pings answered */
	uint64_t sum, min, max;
} ht_ws_rtt;

typedef struct ht_rec_ws {
	uint32_t pid;
	uint32_t conn_id;
	uint32_t req_seq;        /* the upgrade request's */
	uint32_t flags;          /* HT_WF_* */
	ht_addr peer;
	uint64_t t_start;        /* the 101 read */
	uint64_t t_end;          /* the session ended */
	ht_ws_dir dir[2];        /* [0] the client's frames, [1] the
	                            server's: a client program's sent and
	                            received (a server's: ht_ws_own()) */
	ht_ws_rtt rtt[2];        /* [0] the client's pings to the server's
	                            pongs, [1] the server's to the client's */
	ht_str host;             /* the upgrade request's Host */
	ht_str target;           /* and its target */
	ht_str dns_name;
	ht_str peer_path;
	ht_str tunnel;           /* HT_RF_TUNNEL in the request: the target */
} ht_rec_ws;

#define HT_WF_TLS 0x1u          /* over TLS (wss) */
#define HT_WF_CLOSED_SENT 0x2u  /* the client sent the first close frame */
#define HT_WF_CLOSED_RECV 0x4u  /* the server sent the first close frame */
#define HT_WF_PEER_EOF 0x8u     /* ended by the peer's EOF */
#define HT_WF_RESET 0x10u       /* ended by a socket error */
#define HT_WF_LOST 0x20u        /* not followed to its end: a frame's
                                   framing was lost, or bytes went unseen */
#define HT_WF_TUNNEL 0x40u      /* inside a CONNECT or SOCKS tunnel */
#define HT_WF_SERVER 0x80u      /* a server's session (its peer the client) */

/* ht_ws_own() - session @w as its own process saw it, in @out: what it
 * sent in dir[0], its pings in rtt[0], HT_WF_CLOSED_SENT when it sent the
 * first close.  A record keeps the client's view (the call's direction),
 * whichever side the program is; a traced server's (HT_WF_SERVER) is
 * swapped here, in the collector, so that a capture made by any library
 * reads the same.  Returns @out; its strings still point into @w. */
static inline const ht_rec_ws *ht_ws_own(const ht_rec_ws *w, ht_rec_ws *out)
{
	*out = *w;
	if (!(w->flags & HT_WF_SERVER))
		return out;
	out->dir[0] = w->dir[1];
	out->dir[1] = w->dir[0];
	out->rtt[0] = w->rtt[1];
	out->rtt[1] = w->rtt[0];
	out->flags &= ~(HT_WF_CLOSED_SENT | HT_WF_CLOSED_RECV);
	if (w->flags & HT_WF_CLOSED_SENT)
		out->flags |= HT_WF_CLOSED_RECV;
	if (w->flags & HT_WF_CLOSED_RECV)
		out->flags |= HT_WF_CLOSED_SENT;
	return out;
}

/*
 * A name lookup ended (getaddrinfo, gethostbyname*), resolved or not,
 * sent when the call returns: each lookup's end reaches the collector
 * even when it failed or no connection then used its addresses (a
 * connection that does carries the lookup's times in its own records,
 * t_dns_start being the same).  lookup is the lookup's number in its
 * image, as its live slot shows it in flight (live.h, HT_LIVE_LOOKUP).
 */
#define HT_DNS_ADDRS 8
typedef struct ht_rec_dns {
	uint32_t pid;
	uint32_t lookup;         /* from 1 in each image */
	uint32_t flags;          /* HT_DNF_* */
	int32_t err;             /* 0: resolved; else getaddrinfo's return
	                            (EAI_*), or with HT_DNF_HOSTENT h_errno
	                            (the collector words it: gai_strerror,
	                            hstrerror; the library does not, so a
	                            lookup costs it no translation) */
	int32_t sys_errno;       /* errno with EAI_SYSTEM, else 0 */
	uint64_t t_start, t_done;
	ht_str name;             /* the name looked up */
	uint8_t n_addrs;         /* addresses below (at most HT_DNS_ADDRS:
	                            the first ones, duplicates left out) */
	ht_addr addrs[HT_DNS_ADDRS]; /* port 0 */
} ht_rec_dns;

#define HT_DNF_HOSTENT 0x1u /* gethostbyname*: err is h_errno */

typedef struct ht_record {
	uint8_t type; /* enum ht_rec_type */
	union {
		ht_rec_hello hello;
		ht_rec_request req;
		ht_rec_conn_fail fail;
		ht_rec_conn_close close;
		ht_rec_drops drops;
		ht_rec_note note;
		ht_rec_ws ws;
		ht_rec_dns dns;
	} u;
} ht_record;

/*
 * ht_wire_encode() - encode @rec into @buf (capacity @cap).
 * Returns the number of bytes written, or 0 when the record does not fit or
 * its type is unknown.  Never writes past @cap.
 */
size_t ht_wire_encode(uint8_t *buf, size_t cap, const ht_record *rec);

/*
 * ht_wire_decode() - decode one record from the start of @buf.
 * Returns the record length (> 0) and fills @out, whose strings point into
 * @buf; 0 when @buf holds only part of a record (read more); -1 when the
 * bytes are not a valid record (bad magic, version, type, length, or a field
 * that runs past the record).  Never reads past @len.
 */
long ht_wire_decode(const uint8_t *buf, size_t len, ht_record *out);

/*
 * ht_request_strings_len() - the bytes of all of request @r's strings
 * (what ht_request_copy() needs in its @blob).
 */
size_t ht_request_strings_len(const ht_rec_request *r);

/*
 * ht_request_copy() - copy request @src into @dst, its strings into @blob
 * (ht_request_strings_len(@src) bytes), so that @dst points at nothing of
 * @src's: what decoding @src encoded would give (join NULL, an empty
 * string at ""), without the encoding and the checks (a record that came
 * decoded, kept for later).
 */
void ht_request_copy(ht_rec_request *dst, const ht_rec_request *src,
		     char *blob);

#endif
