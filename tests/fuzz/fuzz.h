/*
 * fuzz.h - what the fuzz targets share: the libFuzzer entry point, an
 * assertion that aborts (a crash is what libFuzzer and the replay runner
 * both report), a running hash to compare runs, and checks of the captured
 * header lines both parsers produce.
 *
 * Every target builds two ways: with clang -fsanitize=fuzzer (make fuzz)
 * and with the project's compiler plus replay.c's main() (make check
 * replays the seed corpora and the regression inputs).
 */
#ifndef HT_FUZZ_H
#define HT_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* FUZZ_ASSERT() - an invariant the code under test broke: say which, and
 * abort so that the input is kept as a crash. */
#define FUZZ_ASSERT(cond)                                                  \
	do {                                                               \
		if (!(cond))                                               \
			fuzz_fail(__FILE__, __LINE__, #cond);              \
	} while (0)

static inline void fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: invariant broken: %s\n", file, line, what);
	abort();
}

/* A running FNV-1a hash: two runs over the same bytes must end equal. */
typedef struct fuzz_hash {
	uint64_t h;
	uint64_t count; /* events hashed */
} fuzz_hash;

static inline void fuzz_hash_init(fuzz_hash *fh)
{
	fh->h = 14695981039346656037ULL;
	fh->count = 0;
}

static inline void fuzz_hash_bytes(fuzz_hash *fh, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++) {
		fh->h ^= b[i];
		fh->h *= 1099511628211ULL;
	}
}

static inline void fuzz_hash_u64(fuzz_hash *fh, uint64_t v)
{
	fuzz_hash_bytes(fh, &v, sizeof(v));
}

/* A NUL-terminated string inside a @cap-byte array, hashed with its end. */
static inline void fuzz_hash_cstr(fuzz_hash *fh, const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	FUZZ_ASSERT(n < cap); /* always terminated inside its array */
	fuzz_hash_bytes(fh, s, n + 1);
}

/* The header names the targets ask to redact. */
static const char *const fuzz_redact[] = {"authorization", "cookie", NULL};

static inline bool fuzz_name_is(const char *name, size_t n, const char *lc)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = name[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (lc[i] == '\0' || c != lc[i])
			return false;
	}
	return lc[i] == '\0';
}

/*
 * fuzz_check_hdrs() - @hdrs/@len, a captured header section, must be whole
 * "name: value\r\n" lines: a non-empty name without ':' or blanks, no CR or
 * LF but the line's end, and "[redacted]" as the value of every name in
 * fuzz_redact when @redacting.  @lower: names must be lower-case (HTTP/2).
 */
static inline void fuzz_check_hdrs(const char *hdrs, size_t len,
				   bool redacting, bool lower)
{
	size_t i = 0;

	while (i < len) {
		const char *line = hdrs + i;
		const char *lf = memchr(line, '\n', len - i);
		size_t n, name_len;

		FUZZ_ASSERT(lf != NULL);
		n = (size_t)(lf - line) + 1;
		FUZZ_ASSERT(n >= 4 && line[n - 2] == '\r');
		FUZZ_ASSERT(memchr(line, '\r', n - 2) == NULL);
		const char *colon = memchr(line, ':', n);
		FUZZ_ASSERT(colon != NULL && colon > line);
		name_len = (size_t)(colon - line);
		FUZZ_ASSERT(colon[1] == ' ');
		for (size_t k = 0; k < name_len; k++) {
			FUZZ_ASSERT(line[k] != ' ' && line[k] != '\t');
			if (lower)
				FUZZ_ASSERT(!(line[k] >= 'A' && line[k] <= 'Z'));
		}
		if (redacting) {
			for (const char *const *r = fuzz_redact; *r; r++) {
				if (!fuzz_name_is(line, name_len, *r))
					continue;
				/* "name: [redacted]\r\n" exactly */
				FUZZ_ASSERT(n == name_len + 2 + 10 + 2 &&
					    memcmp(colon + 2, "[redacted]", 10) == 0);
			}
		}
		i += n;
	}
}

/* Records, compared field by field (strings by content). */
static inline bool fuzz_str_eq(ht_str a, ht_str b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

static inline bool fuzz_addr_eq(const ht_addr *a, const ht_addr *b)
{
	return a->family == b->family && a->port == b->port &&
	       memcmp(a->addr, b->addr, sizeof(a->addr)) == 0;
}

/* Are two decoded records the same, field by field? */
static inline bool fuzz_rec_eq(const ht_record *a, const ht_record *b)
{
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case HT_REC_HELLO: {
		const ht_rec_hello *x = &a->u.hello, *y = &b->u.hello;

		return x->pid == y->pid && x->ppid == y->ppid &&
		       x->flags == y->flags && fuzz_str_eq(x->exe, y->exe);
	}
	case HT_REC_REQUEST: {
		const ht_rec_request *x = &a->u.req, *y = &b->u.req;

		return x->pid == y->pid && x->conn_id == y->conn_id &&
		       x->req_seq == y->req_seq && x->flags == y->flags &&
		       x->status == y->status && x->proto == y->proto &&
		       x->error == y->error && x->n_1xx == y->n_1xx &&
		       fuzz_addr_eq(&x->peer, &y->peer) &&
		       x->req_body_bytes == y->req_body_bytes &&
		       x->resp_body_bytes == y->resp_body_bytes &&
		       x->req_header_bytes == y->req_header_bytes &&
		       x->resp_header_bytes == y->resp_header_bytes &&
		       memcmp(x->t, y->t, sizeof(x->t)) == 0 &&
		       fuzz_str_eq(x->method, y->method) &&
		       fuzz_str_eq(x->target, y->target) &&
		       fuzz_str_eq(x->host, y->host) &&
		       fuzz_str_eq(x->dns_name, y->dns_name) &&
		       fuzz_str_eq(x->reason, y->reason) &&
		       fuzz_str_eq(x->content_type, y->content_type) &&
		       fuzz_str_eq(x->tls_version, y->tls_version) &&
		       fuzz_str_eq(x->alpn, y->alpn) &&
		       fuzz_str_eq(x->req_headers, y->req_headers) &&
		       fuzz_str_eq(x->resp_headers, y->resp_headers) &&
		       fuzz_str_eq(x->peer_path, y->peer_path) &&
		       fuzz_str_eq(x->tunnel, y->tunnel);
	}
	case HT_REC_CONN_FAIL: {
		const ht_rec_conn_fail *x = &a->u.fail, *y = &b->u.fail;

		return x->pid == y->pid && x->conn_id == y->conn_id &&
		       x->err == y->err && fuzz_addr_eq(&x->peer, &y->peer) &&
		       x->t_dns_start == y->t_dns_start &&
		       x->t_dns_done == y->t_dns_done &&
		       x->t_connect_start == y->t_connect_start &&
		       x->t_fail == y->t_fail && x->flags == y->flags &&
		       x->t_connect_done == y->t_connect_done &&
		       x->t_tls_start == y->t_tls_start &&
		       fuzz_str_eq(x->dns_name, y->dns_name);
	}
	case HT_REC_CONN_CLOSE: {
		const ht_rec_conn_close *x = &a->u.close, *y = &b->u.close;

		return x->pid == y->pid && x->conn_id == y->conn_id &&
		       x->requests == y->requests && x->flags == y->flags &&
		       fuzz_addr_eq(&x->peer, &y->peer) &&
		       x->t_close == y->t_close &&
		       x->t_idle_since == y->t_idle_since &&
		       x->bytes_out == y->bytes_out &&
		       x->bytes_in == y->bytes_in &&
		       fuzz_str_eq(x->peer_path, y->peer_path);
	}
	case HT_REC_DROPS:
		return a->u.drops.pid == b->u.drops.pid &&
		       a->u.drops.dropped == b->u.drops.dropped;
	case HT_REC_NOTE:
		return a->u.note.pid == b->u.note.pid &&
		       fuzz_str_eq(a->u.note.text, b->u.note.text);
	case HT_REC_WS: {
		const ht_rec_ws *x = &a->u.ws, *y = &b->u.ws;

		for (int i = 0; i < 2; i++) {
			const ht_ws_dir *p = &x->dir[i], *q = &y->dir[i];
			if (p->frames != q->frames || p->messages != q->messages ||
			    p->text != q->text || p->binary != q->binary ||
			    p->bytes != q->bytes ||
			    p->compressed != q->compressed ||
			    p->pings != q->pings || p->pongs != q->pongs ||
			    p->errors != q->errors ||
			    p->close_code != q->close_code ||
			    p->t_close != q->t_close ||
			    !fuzz_str_eq(p->close_reason, q->close_reason))
				return false;
			if (x->rtt[i].n != y->rtt[i].n ||
			    x->rtt[i].sum != y->rtt[i].sum ||
			    x->rtt[i].min != y->rtt[i].min ||
			    x->rtt[i].max != y->rtt[i].max)
				return false;
		}
		return x->pid == y->pid && x->conn_id == y->conn_id &&
		       x->req_seq == y->req_seq && x->flags == y->flags &&
		       fuzz_addr_eq(&x->peer, &y->peer) &&
		       x->t_start == y->t_start && x->t_end == y->t_end &&
		       fuzz_str_eq(x->host, y->host) &&
		       fuzz_str_eq(x->target, y->target) &&
		       fuzz_str_eq(x->dns_name, y->dns_name) &&
		       fuzz_str_eq(x->peer_path, y->peer_path) &&
		       fuzz_str_eq(x->tunnel, y->tunnel);
	}
	case HT_REC_DNS: {
		const ht_rec_dns *x = &a->u.dns, *y = &b->u.dns;

		if (x->n_addrs != y->n_addrs)
			return false;
		for (unsigned i = 0; i < x->n_addrs && i < HT_DNS_ADDRS; i++)
			if (!fuzz_addr_eq(&x->addrs[i], &y->addrs[i]))
				return false;
		return x->pid == y->pid && x->lookup == y->lookup &&
		       x->flags == y->flags && x->err == y->err &&
		       x->sys_errno == y->sys_errno &&
		       x->t_start == y->t_start && x->t_done == y->t_done &&
		       fuzz_str_eq(x->name, y->name);
	}
	default:
		return false;
	}
}

#endif
