/*
 * check_http1_lens.c - review of cost22d (issue 22): every length the
 * HTTP/1.x parser keeps (h1_message method_len, target_len, reason_len,
 * host_len, content_type_len) must equal strlen() of the string it measures,
 * after every h1_feed(), h1_finish_head() and h1_finish(), over generated
 * heads (cut targets, tabs, HTTP/0.9, no reason, long fields, obs-fold,
 * repeated Host) fed in random pieces, with the memo on and off.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "http1.h"
#include "suites.h"

static unsigned fails;
static char first_fail[512];

static void lens_ok(const h1_parser *p, const char *what, const char *in)
{
	const h1_message *m = &p->msg;
	struct { const char *n; const char *s; size_t cap; unsigned kept; } f[] = {
		{ "method", m->method, sizeof m->method, m->method_len },
		{ "target", m->target, sizeof m->target, m->target_len },
		{ "reason", m->reason, sizeof m->reason, m->reason_len },
		{ "host", m->host, sizeof m->host, m->host_len },
		{ "ctype", m->content_type, sizeof m->content_type,
		  m->content_type_len },
	};

	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		size_t real = strnlen(f[i].s, f[i].cap);

		if (real != f[i].kept) {
			if (fails++ == 0)
				snprintf(first_fail, sizeof first_fail,
					 "%s after %s: kept %u, strlen %zu "
					 "(input %.300s)", f[i].n, what,
					 f[i].kept, real, in);
		}
	}
}

static const char *const methods[] = { "GET", "HEAD", "POST", "CONNECT",
	"M-SEARCH", "ABCDEFGHIJKLMNOPQRSTUVW" };
static const char *targets[] = { "/", "/a?b=c", "/a\tb", "*", "h:443",
	"http://h:8/x?y", "/p;q?token=1#f", NULL /* long */ };
static const char *const versions[] = { " HTTP/1.1", " HTTP/1.0", "",
	"\tHTTP/1.1", " HTTP/1.1 " };
static const char *const hosts[] = { "", "Host: a\r\n", "Host:  a  \r\n",
	"Host:\r\n", "Host: a\r\nHost: b\r\n", "Host:\r\nHost: b\r\n",
	"Host: a\r\n b\r\n", "Host: a\r\n\tb\r\n", NULL /* long */ };
static const char *const ctypes[] = { "", "Content-Type: text/html\r\n",
	"Content-Type: a\r\n b\r\n", "content-type:x\r\nContent-Type: y\r\n",
	NULL /* long */ };
static const char *const statuses[] = { "HTTP/1.1 200 OK", "HTTP/1.1 200",
	"HTTP/1.1 200 ", "HTTP/1.0 404 Not\tFound", NULL /* long */,
	"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK" };

static char longtarget[1500], longhost[400], longctype[300], longstatus[200];

static void init_long(void)
{
	memset(longtarget, 'x', sizeof longtarget - 1);
	longtarget[0] = '/';
	longtarget[600] = '?';
	strcpy(longhost, "Host: ");
	memset(longhost + 6, 'h', 300);
	strcpy(longhost + 306, "\r\n");
	strcpy(longctype, "Content-Type: ");
	memset(longctype + 14, 'c', 200);
	strcpy(longctype + 214, "\r\n");
	strcpy(longstatus, "HTTP/1.1 200 ");
	memset(longstatus + 13, 'r', 150);
	longstatus[163] = '\0';
}

static void feed_pieces(const char *s, size_t len, h1_kind kind, bool memo,
			unsigned seed, bool finish_head)
{
	h1_parser *p = malloc(sizeof(*p));
	size_t off = 0;

	srand(seed);
	h1_init(p, kind, NULL);
	h1_memo_enable(p, memo);
	lens_ok(p, "init", s);
	while (off < len) {
		size_t want = seed % 3 == 0 ? len - off
					    : 1 + (size_t)rand() % 40;
		h1_event ev = H1_EV_NONE;
		size_t used;

		if (want > len - off)
			want = len - off;
		used = h1_feed(p, (const uint8_t *)s + off, want, &ev);
		lens_ok(p, "feed", s);
		if (used == 0 && ev == H1_EV_NONE)
			break;
		if (used == 0) {
			/* body: skip */
			used = h1_skip(p, want, &ev);
			if (used == 0)
				break;
		}
		off += used;
	}
	if (finish_head) {
		h1_finish_head(p);
		lens_ok(p, "finish_head", s);
	}
	h1_finish(p);
	lens_ok(p, "finish", s);
	free(p);
}

static void run_stream(const char *s, size_t len, h1_kind kind, unsigned seed)
{
	for (int memo = 0; memo < 2; memo++)
		for (int fh = 0; fh < 2; fh++)
			feed_pieces(s, len, kind, memo, seed, fh);
	/* every prefix (a head cut anywhere) */
	for (size_t cut = 1; cut < len; cut += 1 + len / 64) {
		feed_pieces(s, cut, kind, true, seed, true);
		feed_pieces(s, cut, kind, false, seed, false);
	}
}

START_TEST(test_kept_lengths_are_strlen)
{
	static char buf[8192], one[4096];
	unsigned seed = 1, n = 0;

	init_long();
	targets[7] = longtarget;
	for (size_t mi = 0; mi < sizeof methods / sizeof *methods; mi++)
	for (size_t ti = 0; ti < sizeof targets / sizeof *targets; ti++)
	for (size_t vi = 0; vi < sizeof versions / sizeof *versions; vi++)
	for (size_t hi = 0; hi < sizeof hosts / sizeof *hosts; hi++)
	for (size_t ci = 0; ci < sizeof ctypes / sizeof *ctypes; ci += 2) {
		const char *h = hosts[hi] ? hosts[hi] : longhost;
		const char *c = ctypes[ci] ? ctypes[ci] : longctype;
		int k = snprintf(one, sizeof one, "%s %s%s\r\n%s%s\r\n",
				 methods[mi], targets[ti], versions[vi], h, c);
		size_t len = 0;

		/* the same head three times (the memo), then a different one */
		for (int r = 0; r < 3; r++) {
			memcpy(buf + len, one, (size_t)k);
			len += (size_t)k;
		}
		len += (size_t)snprintf(buf + len, sizeof buf - len,
					"GET /z HTTP/1.1\r\n\r\n");
		run_stream(buf, len, H1_REQUEST, seed++);
		n++;
	}
	for (size_t si = 0; si < sizeof statuses / sizeof *statuses; si++)
	for (size_t ci = 0; ci < sizeof ctypes / sizeof *ctypes; ci++) {
		const char *st = statuses[si] ? statuses[si] : longstatus;
		const char *c = ctypes[ci] ? ctypes[ci] : longctype;
		int k = snprintf(one, sizeof one,
				 "%s\r\n%sContent-Length: 0\r\n\r\n", st, c);
		size_t len = 0;

		for (int r = 0; r < 3; r++) {
			memcpy(buf + len, one, (size_t)k);
			len += (size_t)k;
		}
		len += (size_t)snprintf(buf + len, sizeof buf - len,
					"HTTP/1.1 204 X\r\n\r\n");
		run_stream(buf, len, H1_RESPONSE, seed++);
		n++;
	}
	ck_assert_msg(n > 1000, "generated %u streams", n);
	ck_assert_msg(fails == 0, "%u mismatches; first: %s", fails,
		      first_fail);
}
END_TEST

Suite *http1_lens_suite(void)
{
	Suite *s = suite_create("http1_lens");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_kept_lengths_are_strlen);
	suite_add_tcase(s, tc);
	return s;
}
