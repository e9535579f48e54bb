/* check_urlscrub.c - credentials out of URLs (common/urlscrub.c), and the
 * places the library applies it: the HTTP/1 parser's Location,
 * Content-Location and Referer lines at every split point, the request
 * target, Host and CONNECT authority of a record, HTTP/2 fields. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "http1.h"
#include "suites.h"
#include "urlscrub.h"
#include "conn_fixtures.h"

#define BIG 4096

/* ht_url_scrub() of @in into a buffer of @cap bytes (@cap 0: room enough),
 * with a guard byte after it.  Returns a static NUL-terminated copy. */
static const char *scrub_ex(const char *in, size_t cap,
			    const char *const *names, unsigned flags,
			    bool *lost)
{
	static char out[BIG + 1];
	static char buf[BIG + 2];
	size_t len = strlen(in), n;

	if (cap == 0)
		cap = BIG;
	ck_assert_uint_le(len, cap);
	memset(buf, '#', sizeof(buf));
	memcpy(buf, in, len);
	buf[cap] = '\x7f'; /* must survive */
	n = ht_url_scrub(buf, len, cap, names, flags, lost);
	ck_assert_uint_le(n, cap);
	ck_assert_int_eq(buf[cap], '\x7f');
	memcpy(out, buf, n);
	out[n] = '\0';
	{
		/* the same bytes, and the same loss, with the names' mask */
		static char again[BIG + 2];
		bool lost2 = false, lost1 = lost != NULL && *lost;
		size_t m;

		memset(again, '#', sizeof(again));
		memcpy(again, in, len);
		again[cap] = '\x7f';
		m = ht_url_scrub_masked(again, len, cap, names,
					ht_url_names_mask(names), flags,
					lost != NULL ? &lost2 : NULL);
		ck_assert_uint_eq(m, n);
		ck_assert_int_eq(again[cap], '\x7f');
		ck_assert_msg(memcmp(again, out, n) == 0, "masked: %.*s",
			      (int)m, again);
		if (lost != NULL)
			ck_assert_int_eq(lost2, lost1);
	}
	if (flags == 0 && in[0] == '/' && in[1] != '/' &&
	    memchr(in, '?', len) != NULL) {
		/* an origin-form target with a query: ht_url_scrub_query()
		 * makes the same bytes and loss */
		static char again[BIG + 2];
		bool lost2 = false, lost1 = lost != NULL && *lost;
		size_t m, q = (size_t)((const char *)memchr(in, '?', len) - in);

		memset(again, '#', sizeof(again));
		memcpy(again, in, len);
		again[cap] = '\x7f';
		m = ht_url_scrub_query(again, len, cap, q, names,
				       ht_url_names_mask(names), &lost2);
		ck_assert_uint_eq(m, n);
		ck_assert_int_eq(again[cap], '\x7f');
		ck_assert_msg(memcmp(again, out, n) == 0, "query: %.*s",
			      (int)m, again);
		if (lost != NULL)
			ck_assert_int_eq(lost2, lost1);
		/* plain: nothing changed, nothing lost */
		if (ht_url_query_plain(in, len, q, ht_url_names_mask(names))) {
			ck_assert_msg(n == len && memcmp(out, in, n) == 0,
				      "plain, yet scrubbed: %s", in);
			ck_assert(!lost1);
		}
	}
	return out;
}

static const char *scrub(const char *in)
{
	return scrub_ex(in, 0, ht_url_default_query_names, 0, NULL);
}

/* scrub() equals @want, loses nothing, and is idempotent. */
static void expect(const char *in, const char *want)
{
	char once[BIG + 1];
	bool lost = false;

	snprintf(once, sizeof(once), "%s",
		 scrub_ex(in, 0, ht_url_default_query_names, 0, &lost));
	ck_assert_msg(strcmp(once, want) == 0, "'%s' gave '%s', want '%s'", in,
		      once, want);
	ck_assert(!lost);
	ck_assert_str_eq(scrub(once), once);
}

START_TEST(userinfo)
{
	expect("http://user:SECRET@example.com/p?x=1",
	       "http://REDACTED:REDACTED@example.com/p?x=1");
	/* a user name alone (often a token) */
	expect("https://ghp_TOKEN@github.com/o/r.git",
	       "https://REDACTED@github.com/o/r.git");
	expect("http://:pw@h/", "http://REDACTED:REDACTED@h/");
	expect("http://@h/", "http://REDACTED@h/");
	/* the userinfo ends at the authority's last '@' */
	expect("http://u:p@ss@h:8080/", "http://REDACTED:REDACTED@h:8080/");
	/* network-path reference, authority to the end, IPv6 */
	expect("//u:p@h/x", "//REDACTED:REDACTED@h/x");
	expect("http://u:p@h", "http://REDACTED:REDACTED@h");
	expect("http://u:p@[::1]:80/", "http://REDACTED:REDACTED@[::1]:80/");
	expect("HTTPS://u:p@h/", "HTTPS://REDACTED:REDACTED@h/");
	expect("git+ssh://u:p@h/", "git+ssh://REDACTED:REDACTED@h/");
}
END_TEST

START_TEST(at_sign_not_userinfo)
{
	expect("http://h/a@b", "http://h/a@b");
	expect("http://h?e=a@b", "http://h?e=a@b");
	expect("http://h#a@b", "http://h#a@b");
	expect("/users/me@example.com?mail=a@b", "/users/me@example.com?mail=a@b");
	expect("mailto:me@example.com", "mailto:me@example.com");
	expect("a@b/c", "a@b/c");      /* relative path, no authority */
	expect("1http://u:p@h/", "1http://u:p@h/"); /* not a scheme */
	expect("*", "*");
	expect("", "");
}
END_TEST

START_TEST(authority_form)
{
	bool lost = false;

	ck_assert_str_eq(scrub_ex("user:pw@proxy.test:443", 0, NULL,
				  HT_URL_AUTHORITY, &lost),
			 "REDACTED:REDACTED@proxy.test:443");
	ck_assert_str_eq(scrub_ex("tok@h", 0, NULL, HT_URL_AUTHORITY, &lost),
			 "REDACTED@h");
	ck_assert_str_eq(scrub_ex("h:443", 0, NULL, HT_URL_AUTHORITY, &lost),
			 "h:443");
	ck_assert(!lost);
	/* userinfo goes with no names at all */
	ck_assert_str_eq(scrub_ex("http://u:p@h/?sig=1", 0, NULL, 0, NULL),
			 "http://REDACTED:REDACTED@h/?sig=1");
}
END_TEST

START_TEST(every_default_name)
{
	char in[256], want[256];
	int n = 0;

	for (const char *const *p = ht_url_default_query_names; *p; p++, n++) {
		snprintf(in, sizeof(in), "/p?a=1&%s=SECRET&b=2", *p);
		snprintf(want, sizeof(want), "/p?a=1&%s=REDACTED&b=2", *p);
		expect(in, want);
		snprintf(in, sizeof(in), "http://h/?%s=SECRET", *p);
		snprintf(want, sizeof(want), "http://h/?%s=REDACTED", *p);
		expect(in, want);
	}
	ck_assert_int_eq(n, HT_URL_DEFAULT_QUERY_NAMES);
	/* OpenTelemetry's four, as its conventions spell them */
	expect("/?AWSAccessKeyId=A&Signature=B&sig=C&X-Goog-Signature=D",
	       "/?AWSAccessKeyId=REDACTED&Signature=REDACTED&sig=REDACTED"
	       "&X-Goog-Signature=REDACTED");
}
END_TEST

START_TEST(names_any_case)
{
	expect("/?SIG=1&Access_Token=2&awsaccesskeyid=3&x-goog-signature=4",
	       "/?SIG=REDACTED&Access_Token=REDACTED&awsaccesskeyid=REDACTED"
	       "&x-goog-signature=REDACTED");
}
END_TEST

START_TEST(prefixes_and_suffixes_stay)
{
	expect("/?monkey=1&keys=2&tokens=3&mytoken=4&sigma=5&asig=6"
	       "&secretary=7&passwords=8&key_id=9&api=10",
	       "/?monkey=1&keys=2&tokens=3&mytoken=4&sigma=5&asig=6"
	       "&secretary=7&passwords=8&key_id=9&api=10");
	/* a value that looks like a name is a value */
	expect("/?q=token=abc", "/?q=token=abc");
	expect("/?q=sig&sig=x", "/?q=sig&sig=REDACTED");
}
END_TEST

START_TEST(empty_values_and_oddities)
{
	expect("/?token=&x=1", "/?token=&x=1");
	expect("/?token", "/?token");
	expect("/?token&sig=", "/?token&sig=");
	expect("/?=v&&sig=a&", "/?=v&&sig=REDACTED&");
	expect("/?", "/?");
	expect("/?sig=a=b", "/?sig=REDACTED"); /* the value runs to '&' */
	expect("/?sig=a;b&c=d", "/?sig=REDACTED&c=d");
}
END_TEST

START_TEST(repeated_parameters)
{
	expect("/?sig=a&sig=bb&x=1&sig=ccc",
	       "/?sig=REDACTED&sig=REDACTED&x=1&sig=REDACTED");
	expect("/?token=a&token=b", "/?token=REDACTED&token=REDACTED");
}
END_TEST

START_TEST(fragments)
{
	expect("/p?x=1#frag", "/p?x=1#frag");
	expect("/p?sig=a#b", "/p?sig=REDACTED#b");
	/* OAuth's implicit flow: the token in the fragment */
	expect("https://app/cb#access_token=SECRET&token_type=bearer",
	       "https://app/cb#access_token=REDACTED&token_type=bearer");
	expect("/p#x?token=a&sig=b", "/p#x?token=a&sig=REDACTED");
	expect("/p?a=1#sig=x#y", "/p?a=1#sig=REDACTED");
	expect("http://u:p@h#sig=1", "http://REDACTED:REDACTED@h#sig=REDACTED");
}
END_TEST

START_TEST(percent_encoded_names)
{
	expect("/?%73ig=a", "/?%73ig=REDACTED");
	expect("/?access%5Ftoken=a&access%5ftoken=b",
	       "/?access%5Ftoken=REDACTED&access%5ftoken=REDACTED");
	expect("/?%53%49%47=a", "/?%53%49%47=REDACTED");
	/* not an escape: compared as written */
	expect("/?%7sig=a&sig%=b&%=c&%", "/?%7sig=a&sig%=b&%=c&%");
	/* an encoded '=' is part of the name, not its end */
	expect("/?sig%3Dx=a", "/?sig%3Dx=a");
	/* values are not decoded: the whole value goes */
	expect("/?sig=%41%42", "/?sig=REDACTED");
}
END_TEST

START_TEST(own_names)
{
	static const char *const mine[] = { "mytok", "X-Amz-Signature", NULL };

	ck_assert_str_eq(scrub_ex("/?mytok=1&x-amz-signature=2&sig=3", 0, mine,
				  0, NULL),
			 "/?mytok=REDACTED&x-amz-signature=REDACTED&sig=3");
}
END_TEST

/* A result that does not fit keeps a prefix of the full one, never a byte
 * of a secret; exactly at the limit nothing is lost. */
START_TEST(capacity)
{
	static const char *const ins[] = {
		"/?sig=ab",
		"/?sig=a&x=12345&token=b&y=z",
		"http://u@h/?sig=1",
		"http://u:p@hostname/path?access_token=zz#token=q",
	};
	char full[BIG + 1];

	for (size_t k = 0; k < sizeof(ins) / sizeof(ins[0]); k++) {
		size_t len = strlen(ins[k]), flen;
		bool lost = false;

		snprintf(full, sizeof(full), "%s", scrub(ins[k]));
		flen = strlen(full);
		ck_assert_uint_gt(flen, len);
		for (size_t cap = len; cap <= flen + 1; cap++) {
			const char *got;

			lost = false;
			got = scrub_ex(ins[k], cap, ht_url_default_query_names,
				       0, &lost);
			ck_assert_uint_eq(strlen(got), cap < flen ? cap : flen);
			ck_assert_msg(strncmp(got, full, strlen(got)) == 0,
				      "cap %zu: '%s' not a prefix of '%s'",
				      cap, got, full);
			ck_assert(lost == (cap < flen));
			ck_assert_ptr_null(strstr(got, "zz"));
		}
	}
}
END_TEST

/* An input already cut: an authority that runs to its end may hide a
 * userinfo whose '@' was cut off. */
START_TEST(cut_input)
{
	unsigned cut = HT_URL_CUT;

	ck_assert_str_eq(scrub_ex("http://user:SECR", 0, NULL, cut, NULL),
			 "http://REDACTED");
	ck_assert_str_eq(scrub_ex("http://user:SECR", 0, NULL, 0, NULL),
			 "http://user:SECR"); /* not known to be cut */
	ck_assert_str_eq(scrub_ex("user:SECR", 0, NULL,
				  cut | HT_URL_AUTHORITY, NULL),
			 "REDACTED");
	ck_assert_str_eq(scrub_ex("http://h/x?sig=ab", 0,
				  ht_url_default_query_names, cut, NULL),
			 "http://h/x?sig=REDACTED");
	ck_assert_str_eq(scrub_ex("http://u:p@h", 0, NULL, cut, NULL),
			 "http://REDACTED:REDACTED@h");
}
END_TEST

/* ---- where the library applies it -------------------------------------- */

static const char *const redact_hdr[] = { "authorization", NULL };
/* The parsers and records below scrub with the default names' mask, as
 * the library does (names_mask checks it) */
#define DEFAULT_NAMES_MASK HT_URL_DEFAULT_QUERY_MASK
static const h1_options scrub_opt = {
	.capture_headers = true,
	.redact = redact_hdr,
	.redact_query = ht_url_default_query_names,
	.redact_query_mask = DEFAULT_NAMES_MASK,
};

/* ht_url_query_plain() says so of a query none of whose parameters can be
 * listed (the usual target: the scrub skipped), never of one that can. */
START_TEST(query_plain)
{
	uint32_t m = ht_url_names_mask(ht_url_default_query_names);
	static const struct {
		const char *s;
		bool plain;
	} cases[] = {
		{"/index.html?n=1", true},
		{"/p?id=7&q=abc&lang=en", true},
		{"/p?", true},
		{"/p?&&", true},
		{"/p?n=1#frag", true},
		{"/p?sig=x", false},
		{"/p?n=1&token=x", false},
		{"/p?n=1&Token=x", false},
		{"/p?%73ig=x", false},     /* decoded: "sig" */
		{"/p?n=1#access_token=x", false},
		{"/p#x?n=1", false},       /* a fragment before the '?' */
		{"/p?apikey", false},      /* may: the scrub decides */
		{"/p?&sig=x", false},      /* after an empty parameter */
		{"/p?n=1&&sig=x", false},
		{"/p?n#sig=x", false},     /* the fragment's */
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *s = cases[i].s;
		size_t q = (size_t)(strchr(s, '?') - s);

		ck_assert_msg(ht_url_query_plain(s, strlen(s), q, m) ==
				      cases[i].plain,
			      "%s", s);
		/* scrub_ex(): a plain one comes back unchanged */
		(void)scrub(s);
	}
	/* no mask: never plain (every parameter is compared) */
	ck_assert(!ht_url_query_plain("/p?n=1", 6, 2, 0));
	/* the '?' at the end, or past it */
	ck_assert(!ht_url_query_plain("/p", 2, 2, m));
}
END_TEST

/* The mask of the first bytes: the default list's, none for no list, and
 * names whose first bytes share a value modulo 32 ('!' and 'a', '@' and
 * '`') each set one bit; a parameter it rules out is passed over, one it
 * does not is compared (the masked and unmasked runs of every test above
 * give the same bytes: scrub_ex()). */
START_TEST(names_mask)
{
	static const char *const odd[] = { "!x", "Ab", "@", "`q", NULL };
	static const char *const none[] = { NULL };
	char s[128] = "/p?ab=1&!x=2&@=3&%60q=4&b=5";
	size_t n;

	ck_assert_uint_eq(ht_url_names_mask(ht_url_default_query_names),
			  DEFAULT_NAMES_MASK);
	ck_assert_uint_eq(ht_url_names_mask(NULL), 0);
	ck_assert_uint_eq(ht_url_names_mask(none), 0);
	ck_assert_uint_eq(ht_url_names_mask(odd), (1u << 1) | (1u << 0));
	n = ht_url_scrub_masked(s, strlen(s), sizeof(s) - 1, odd,
				ht_url_names_mask(odd), 0, NULL);
	s[n] = '\0';
	ck_assert_str_eq(s, "/p?ab=REDACTED&!x=REDACTED&@=REDACTED&%60q=REDACTED&b=5");
}
END_TEST

/* Feed @msg to a parser of @kind split at @k (0: whole); the headers. */
static void h1_headers_at(h1_kind kind, const char *msg, size_t k,
			  h1_message *out)
{
	h1_parser *p = calloc(1, sizeof(*p));
	size_t len = strlen(msg), off = 0;
	bool done = false;

	ck_assert_ptr_nonnull(p);
	h1_init(p, kind, &scrub_opt);
	while (off < len && !done) {
		size_t end = (k && off < k) ? k : len;
		while (off < end && !done) {
			h1_event ev;
			off += h1_feed(p, (const uint8_t *)msg + off, end - off,
				       &ev);
			done = ev & (H1_EV_HEADERS | H1_EV_ERROR);
		}
	}
	if (!done)
		h1_finish(p);
	*out = p->msg;
	free(p);
}

START_TEST(h1_url_headers_every_split)
{
	static const char resp[] =
		"HTTP/1.1 302 Found\r\n"
		"Location: http://u:SECRET2@h/?token=SECRET3&x=1\r\n"
		"content-location:/c?sig=SECRET4\r\n"
		"X-Other: http://u:kept@h/?sig=kept\r\n"
		"Referer:  http://v@h/?Key=SECRET5 \r\n"
		"Location: /a\r\n"
		"  ?sig=SECRET6\r\n"
		"Content-Length: 0\r\n\r\n";
	static const char want[] =
		"Location: http://REDACTED:REDACTED@h/?token=REDACTED&x=1\r\n"
		"content-location: /c?sig=REDACTED\r\n"
		"X-Other: http://u:kept@h/?sig=kept\r\n"
		"Referer: http://REDACTED@h/?Key=REDACTED\r\n"
		"Location: /a ?sig=REDACTED\r\n"
		"Content-Length: 0\r\n";
	h1_message m;

	for (size_t k = 0; k < sizeof(resp) - 1; k++) {
		h1_headers_at(H1_RESPONSE, resp, k, &m);
		ck_assert_msg(strcmp(m.hdrs, want) == 0, "split %zu: %s", k,
			      m.hdrs);
		ck_assert_uint_eq(m.hdrs_len, strlen(want));
	}
}
END_TEST

START_TEST(h1_url_header_cut_short)
{
	/* the connection ends inside a Location value */
	static const char resp[] =
		"HTTP/1.1 302 Found\r\nLocation: http://user:SECR";
	h1_message m;

	h1_headers_at(H1_RESPONSE, resp, 0, &m);
	ck_assert_str_eq(m.hdrs, "Location: http://REDACTED\r\n");
}
END_TEST

START_TEST(h1_url_header_that_no_longer_fits)
{
	/* a Location line that fits, whose scrubbed value does not: left
	 * out, and the block flagged truncated */
	char *msg = malloc(H1_HDRS_MAX + 256);
	size_t n = 0, fill = H1_HDRS_MAX - 48;
	h1_message m;

	ck_assert_ptr_nonnull(msg);
	n += (size_t)sprintf(msg + n, "HTTP/1.1 200 OK\r\nX-Fill: ");
	memset(msg + n, 'f', fill);
	n += fill;
	n += (size_t)sprintf(msg + n, "\r\nLocation: /?sig=a&sig=b\r\n\r\n");
	h1_headers_at(H1_RESPONSE, msg, 0, &m);
	ck_assert(m.hdrs_truncated);
	ck_assert_ptr_null(strstr(m.hdrs, "Location"));
	free(msg);
}
END_TEST

START_TEST(h1_no_scrub_without_list)
{
	static const h1_options plain = { .capture_headers = true };
	static const char resp[] =
		"HTTP/1.1 302 Found\r\nLocation: http://u:p@h/?sig=1\r\n\r\n";
	h1_parser *p = calloc(1, sizeof(*p));
	h1_event ev = 0;
	size_t off = 0;

	ck_assert_ptr_nonnull(p);
	h1_init(p, H1_RESPONSE, &plain);
	while (off < sizeof(resp) - 1 && !(ev & H1_EV_HEADERS))
		off += h1_feed(p, (const uint8_t *)resp + off,
			       sizeof(resp) - 1 - off, &ev);
	ck_assert_str_eq(p->msg.hdrs, "Location: http://u:p@h/?sig=1\r\n");
	free(p);
}
END_TEST

/* Records: the target, Host and CONNECT authority as the sink sees them. */
static char seen_target[H1_TARGET_MAX + 1], seen_host[H1_HOST_MAX + 1];
static char seen_resp[H1_HDRS_MAX + 1];
static uint32_t seen_flags;
static int seen_n;

static void copy_out(char *dst, size_t cap, ht_str s)
{
	size_t n = s.len < cap - 1 ? s.len : cap - 1;

	memcpy(dst, s.p, n);
	dst[n] = '\0';
}

static void sink(void *ctx, const ht_record *rec)
{
	(void)ctx;
	if (rec->type != HT_REC_REQUEST || seen_n++ > 0)
		return;
	copy_out(seen_target, sizeof(seen_target), rec->u.req.target);
	copy_out(seen_host, sizeof(seen_host), rec->u.req.host);
	copy_out(seen_resp, sizeof(seen_resp), rec->u.req.resp_headers);
	seen_flags = rec->u.req.flags;
}

static const conn_env scrub_env = {
	.sink = sink,
	.opt = &scrub_opt,
	.alloc = zalloc,
	.release = release,
	.hpack = hpack_own,
};

/* One request @req and its response @resp on a fresh connection. */
static void exchange(const char *req, const char *resp)
{
	conn *c = calloc(1, sizeof(*c));
	ht_addr peer = { .family = 2, .port = 8080, .addr = { 127, 0, 0, 1 } };

	ck_assert_ptr_nonnull(c);
	seen_n = 0;
	conn_init(c, &scrub_env, 100, 1, &peer, 1000);
	conn_connected(c, 2000);
	conn_on_write(c, (const uint8_t *)req, strlen(req), 3000);
	conn_on_read(c, (const uint8_t *)resp, strlen(resp), 4000);
	conn_close(c, 5000);
	free(c);
	ck_assert_int_ge(seen_n, 1);
}

START_TEST(record_target_and_host)
{
	exchange("GET http://user:SECRET1@h.test/p?access_token=SECRET4&monkey=1"
		 " HTTP/1.1\r\nHost: u:SECRET7@h.test\r\n\r\n",
		 "HTTP/1.1 302 Found\r\nLocation: http://u:SECRET2@h/?token="
		 "SECRET3\r\nContent-Length: 0\r\n\r\n");
	ck_assert_str_eq(seen_target, "http://REDACTED:REDACTED@h.test/p?"
				      "access_token=REDACTED&monkey=1");
	ck_assert_str_eq(seen_host, "REDACTED:REDACTED@h.test");
	ck_assert_str_eq(seen_resp, "Location: http://REDACTED:REDACTED@h/"
				    "?token=REDACTED\r\nContent-Length: 0\r\n");
	ck_assert(!(seen_flags & HT_RF_TARGET_TRUNC));

	/* the usual target is left as it is */
	exchange("GET /plain/path HTTP/1.1\r\nHost: h\r\n\r\n",
		 "HTTP/1.1 204 No Content\r\n\r\n");
	ck_assert_str_eq(seen_target, "/plain/path");
	ck_assert_str_eq(seen_host, "h");
}
END_TEST

START_TEST(record_connect_authority)
{
	exchange("CONNECT user:SECRET@proxy.test:443 HTTP/1.1\r\n"
		 "Host: proxy.test:443\r\n\r\n",
		 "HTTP/1.1 407 Proxy Authentication Required\r\n"
		 "Content-Length: 0\r\n\r\n");
	ck_assert_str_eq(seen_target, "REDACTED:REDACTED@proxy.test:443");
}
END_TEST

/* A target at the parser's limit is flagged truncated; one that grows
 * past it by the scrub is too, and neither keeps a secret. */
START_TEST(record_target_at_and_over_limit)
{
	char *req = malloc(2 * H1_TARGET_MAX + 128);
	size_t n;

	ck_assert_ptr_nonnull(req);
	/* exactly the limit once scrubbed: "/?x...x&sig=REDACTED" */
	n = (size_t)sprintf(req, "GET /?");
	memset(req + n, 'x', H1_TARGET_MAX - 1 - 2 - 13);
	n += H1_TARGET_MAX - 1 - 2 - 13;
	n += (size_t)sprintf(req + n, "&sig=SE HTTP/1.1\r\nHost: h\r\n\r\n");
	exchange(req, "HTTP/1.1 204 No Content\r\n\r\n");
	ck_assert_uint_eq(strlen(seen_target), H1_TARGET_MAX - 1);
	ck_assert_ptr_nonnull(strstr(seen_target, "&sig=REDACTED"));
	ck_assert(!(seen_flags & HT_RF_TARGET_TRUNC));

	/* one byte more: the scrubbed target is cut, and flagged */
	n = (size_t)sprintf(req, "GET /?");
	memset(req + n, 'x', H1_TARGET_MAX - 1 - 2 - 12);
	n += H1_TARGET_MAX - 1 - 2 - 12;
	n += (size_t)sprintf(req + n, "&sig=SE HTTP/1.1\r\nHost: h\r\n\r\n");
	exchange(req, "HTTP/1.1 204 No Content\r\n\r\n");
	ck_assert_uint_eq(strlen(seen_target), H1_TARGET_MAX - 1);
	ck_assert_ptr_null(strstr(seen_target, "SE"));
	ck_assert(seen_flags & HT_RF_TARGET_TRUNC);

	/* over the parser's limit, cut inside the userinfo */
	n = (size_t)sprintf(req, "GET http://user:");
	memset(req + n, 'S', H1_TARGET_MAX + 10);
	n += H1_TARGET_MAX + 10;
	n += (size_t)sprintf(req + n, "@h/ HTTP/1.1\r\nHost: h\r\n\r\n");
	exchange(req, "HTTP/1.1 204 No Content\r\n\r\n");
	ck_assert_str_eq(seen_target, "http://REDACTED");
	ck_assert(seen_flags & HT_RF_TARGET_TRUNC);
	free(req);
}
END_TEST

Suite *urlscrub_suite(void)
{
	Suite *s = suite_create("urlscrub");
	TCase *tc = tcase_create("scrub");

	tcase_add_test(tc, userinfo);
	tcase_add_test(tc, names_mask);
	tcase_add_test(tc, query_plain);
	tcase_add_test(tc, at_sign_not_userinfo);
	tcase_add_test(tc, authority_form);
	tcase_add_test(tc, every_default_name);
	tcase_add_test(tc, names_any_case);
	tcase_add_test(tc, prefixes_and_suffixes_stay);
	tcase_add_test(tc, empty_values_and_oddities);
	tcase_add_test(tc, repeated_parameters);
	tcase_add_test(tc, fragments);
	tcase_add_test(tc, percent_encoded_names);
	tcase_add_test(tc, own_names);
	tcase_add_test(tc, capacity);
	tcase_add_test(tc, cut_input);
	suite_add_tcase(s, tc);

	tc = tcase_create("library");
	tcase_add_test(tc, h1_url_headers_every_split);
	tcase_add_test(tc, h1_url_header_cut_short);
	tcase_add_test(tc, h1_url_header_that_no_longer_fits);
	tcase_add_test(tc, h1_no_scrub_without_list);
	tcase_add_test(tc, record_target_and_host);
	tcase_add_test(tc, record_connect_authority);
	tcase_add_test(tc, record_target_at_and_over_limit);
	suite_add_tcase(s, tc);
	return s;
}
