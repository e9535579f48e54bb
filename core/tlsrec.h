/*
 * tlsrec.h - follows the TLS record layer of a connection whose plaintext
 * no TLS library hook sees, to describe it: the ClientHello's server name
 * (SNI), the ALPN protocols it offers and the highest version it offers,
 * the ServerHello's chosen version (and ALPN, visible before TLS 1.3
 * only: TLS 1.3 encrypts it), and when the handshake ended.
 *
 * The record layer is plaintext framing (RFC 8446, 5.1): a 5-byte header
 * (content type, legacy version, length) and a payload.  Both directions
 * are followed incrementally, any split.  Only the first handshake message
 * each way is read (the ClientHello, the ServerHello), across records and
 * writes; of a message, the first TLSREC_HELLO_MAX bytes are kept (the
 * fields past them are not found: a ClientHello carrying large key shares
 * before its server_name extension loses it).
 *
 * The handshake's end, as the record layer shows it:
 *  - TLS 1.3: the first application_data record the client writes after
 *    the ServerHello was read, long enough to carry the client's Finished
 *    (TLSREC_FINISHED13_MIN: a shorter one is an encrypted alert, or an
 *    empty Certificate before the Finished; earlier ones are 0-RTT early
 *    data; the dummy ChangeCipherSpec of middlebox compatibility does not
 *    count);
 *  - TLS 1.2 and older: both sides have sent a ChangeCipherSpec and a
 *    record after it (their encrypted Finished): the later of the two;
 *  - no ServerHello seen: not known (0).
 *
 * A handshake's failure, as far as the record layer shows it: an alert
 * sent in the clear (a 2-byte alert record: before the ChangeCipherSpec
 * of its side in TLS 1.2, before the keys are in use in TLS 1.3, whose
 * later alerts are encrypted application_data records), or a close
 * before the handshake's end with no application data seen
 * (tlsrec_verdict()).
 *
 * Pure: no clock, no system calls, no allocation.
 */
#ifndef HT_TLSREC_H
#define HT_TLSREC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TLSREC_HELLO_MAX 2048   /* bytes of a hello message kept */
#define TLSREC_SNI_MAX 256      /* host name, NUL included */
#define TLSREC_ALPN_MAX 64      /* offered list "h2,http/1.1", NUL included */
#define TLSREC_ALPN1_MAX 32     /* the chosen protocol, NUL included */
/* The shortest TLS 1.3 record carrying a Finished: a 4-byte header and a
 * 32-byte verify_data (SHA-256), the inner content type, the shortest
 * AEAD tag (8 bytes: TLS_AES_128_CCM_8_SHA256).  An encrypted alert is
 * 2 + 1 + 16 (8) bytes. */
#define TLSREC_FINISHED13_MIN (4 + 32 + 1 + 8)

/* One direction's record layer. */
typedef struct tlsrec_dir {
	uint8_t hdr[5];          /* the record header being read */
	uint8_t hdr_len;         /* its bytes so far (5: in the payload) */
	uint16_t left;           /* payload bytes of the record still to come */
	bool ccs;                /* a ChangeCipherSpec went by */
	bool finished;           /* a record after it went by */
	/* the first handshake message: its 4-byte header, then its body */
	uint8_t hs_hdr[4];
	uint8_t hs_hdr_len;
	uint32_t hs_len;         /* body length (from the header) */
	uint32_t hs_got;         /* body bytes seen */
	bool hs_done;            /* the first message is over (parsed) */
	bool alert_rec;          /* the record being read is a clear alert */
	uint8_t alert_got;       /* its bytes so far */
	uint8_t alert_buf[2];    /* level, description */
	uint64_t records;
} tlsrec_dir;

typedef struct tlsrec {
	tlsrec_dir out, in;      /* client -> server, server -> client */
	bool bad;                /* the bytes are not TLS records: stopped */
	bool client_hello;       /* a ClientHello was parsed */
	bool server_hello;       /* a ServerHello was parsed */
	uint16_t offered;        /* the highest version offered */
	uint16_t version;        /* the version the server chose (0: unseen) */
	bool appdata;            /* an application_data record went by that
	                            is not TLS 1.3's encrypted handshake */
	bool alert;              /* an alert was seen in the clear: */
	bool alert_out;          /* sent by the client */
	uint8_t alert_level;     /* 1 warning, 2 fatal */
	uint8_t alert_desc;      /* its AlertDescription (RFC 8446, 6) */
	uint64_t t_start;        /* first ClientHello byte written */
	uint64_t t_done;         /* the handshake's end (see above), or 0 */
	char sni[TLSREC_SNI_MAX];
	char alpn_offered[TLSREC_ALPN_MAX]; /* comma-separated */
	char alpn[TLSREC_ALPN1_MAX];        /* chosen (TLS <= 1.2), or "" */
	uint32_t buf_len;        /* bytes in buf of the message being read */
	uint8_t buf[TLSREC_HELLO_MAX];
} tlsrec;

/* tlsrec_starts() - whether @buf (@len bytes, @len >= 1), the first bytes
 * a client wrote, can start a TLS handshake record: 0x16 0x03 0x00..0x04
 * (a prefix of that counts). */
bool tlsrec_starts(const uint8_t *buf, size_t len);

/* tlsrec_init() - start following a connection. */
void tlsrec_init(tlsrec *t);

/* tlsrec_hello_passed() - the client's ClientHello record went by at
 * @t_start before @t (just tlsrec_init()'ed) was fed: its bytes were read
 * for another use (a server's session tied by its random, tls.h).  The
 * client's next bytes begin a record; the hello's fields stay unknown. */
void tlsrec_hello_passed(tlsrec *t, uint64_t t_start);

/* tlsrec_feed() - @len bytes of the stream moved at @now (@out: written by
 * the client).  Once the bytes are not TLS records, @t is marked bad and
 * ignores the rest; once the handshake ended, too. */
void tlsrec_feed(tlsrec *t, bool out, const uint8_t *buf, size_t len,
		 uint64_t now);

/* What the records say of a handshake at the connection's close. */
enum tlsrec_verdict {
	TLSREC_NO_FAILURE = 0, /* it ended, or nothing can be said */
	TLSREC_FAILED_ALERT,   /* an alert in the clear (t->alert_*) ended it */
	TLSREC_FAILED_CLOSED,  /* closed before its end, no alert seen */
};

/* tlsrec_verdict() - whether the handshake followed by @t, whose
 * connection is closing, failed: a fatal alert seen in the clear before
 * its end; or no end seen (t_done 0) and no application data, after a
 * ClientHello (the alert named when a warning one was seen).  Nothing is
 * said once the records were not followed (bad). */
enum tlsrec_verdict tlsrec_verdict(const tlsrec *t);

/* tlsrec_alert_name() - the name of TLS alert @desc ("certificate_unknown",
 * RFC 8446 6 and RFC 5246 7.2); NULL if unknown. */
const char *tlsrec_alert_name(uint8_t desc);

/* tlsrec_version_str() - "TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1",
 * "SSLv3" (OpenSSL's names) for a protocol version; NULL if unknown. */
const char *tlsrec_version_str(uint16_t v);

/* tlsrec_parse_client_hello() / tlsrec_parse_server_hello() - read the
 * body of a ClientHello / ServerHello (@len bytes, possibly cut short)
 * into @t.  Fields cut off are left empty.  Return false when what is
 * there is malformed. */
bool tlsrec_parse_client_hello(tlsrec *t, const uint8_t *b, size_t len);
bool tlsrec_parse_server_hello(tlsrec *t, const uint8_t *b, size_t len);

#endif
