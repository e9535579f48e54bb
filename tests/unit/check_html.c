/*
 * check_html.c - the html format (cli/format_html.c): the two escapes
 * (HTML text, JSON inside a script element) and whole pages written from
 * hostile records, checked for anything that could end the data block or
 * become markup.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "format_html.h"
#include "report.h"
#include "fixtures.h"
#include "suites.h"

/* @fn(@s) into a fresh NUL-terminated string (freed by the caller). */
static char *run_escape(void (*fn)(FILE *, const char *, size_t),
			const char *s, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	fn(f, s, n);
	fclose(f);
	return buf;
}

static void expect_text(const char *in, size_t n, const char *want)
{
	char *got = run_escape(html_text, in, n);

	ck_assert_str_eq(got, want);
	free(got);
}

START_TEST(text_markup_characters)
{
	const char *in = "<script>alert(\"x\" & 'y')</script>";

	expect_text(in, strlen(in),
		    "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)"
		    "&lt;/script&gt;");
	expect_text("plain host.example:80", 21, "plain host.example:80");
	expect_text("", 0, "");
	/* A character reference in the input stays text. */
	expect_text("&lt;", 4, "&amp;lt;");
}
END_TEST

START_TEST(text_controls_and_bytes)
{
	/* NUL, ESC, DEL, a C1 control (U+009B as UTF-8), a lone
	 * continuation byte, an overlong '/', a cut-short sequence. */
	static const char in[] = "a\0b\x1b[2J\x7f\xc2\x9b\x80\xc0\xaf\xe2\x82";

	expect_text(in, sizeof(in) - 1,
		    "a\\x00b\\x1b[2J\\x7f\\xc2\\x9b\\x80\\xc0\\xaf\\xe2\\x82");
	/* Well-formed UTF-8 passes through: é, €, U+1F600. */
	expect_text("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9,
		    "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	/* Surrogates and code points above U+10FFFF are not. */
	expect_text("\xed\xa0\x80", 3, "\\xed\\xa0\\x80");
	expect_text("\xf4\x90\x80\x80", 4, "\\xf4\\x90\\x80\\x80");
}
END_TEST

/* Every byte value alone and in pairs: the output never holds a byte the
 * HTML parser treats as markup, a control, or a bare '&'. */
START_TEST(text_every_byte)
{
	for (int a = 0; a < 256; a++) {
		for (int b = 0; b < 256; b += 7) {
			char in[2] = { (char)a, (char)b };
			char *got = run_escape(html_text, in, 2);

			for (const unsigned char *p = (unsigned char *)got; *p; p++) {
				ck_assert_msg(*p != '<' && *p != '>' && *p != '"' &&
					      *p != '\'' && *p >= 0x20 && *p != 0x7f,
					      "byte %02x in the escape of %02x %02x",
					      *p, a, b);
				if (*p == '&')
					ck_assert_msg(strncmp((char *)p, "&amp;", 5) == 0 ||
						      strncmp((char *)p, "&lt;", 4) == 0 ||
						      strncmp((char *)p, "&gt;", 4) == 0 ||
						      strncmp((char *)p, "&quot;", 6) == 0 ||
						      strncmp((char *)p, "&#39;", 5) == 0,
						      "bare & for %02x %02x", a, b);
			}
			free(got);
		}
	}
}
END_TEST

START_TEST(script_json_escapes)
{
	const char *in = "{\"url\":\"/x</script><!--&amp;\",\"n\":1}";
	char *got = run_escape(html_script_json, in, strlen(in));

	ck_assert_str_eq(got, "{\"url\":\"/x\\u003c/script\\u003e\\u003c!--"
			      "\\u0026amp;\",\"n\":1}");
	free(got);
	got = run_escape(html_script_json, "no markup", 9);
	ck_assert_str_eq(got, "no markup");
	free(got);
	got = run_escape(html_script_json, "<<>>", 4);
	ck_assert_str_eq(got, "\\u003c\\u003c\\u003e\\u003e");
	free(got);
}
END_TEST

/* A whole page for the records fed by @feed. */
static char *page(void (*feed)(report *))
{
	report *rp = malloc(sizeof(*rp));
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(rp);
	ck_assert_ptr_nonnull(f);
	report_init(rp, f, REPORT_HTML, false);
	rp->mono_to_unix = 1700000000LL * 1000000000LL;
	feed(rp);
	ck_assert_int_eq(report_finish(rp, 0, 0), 0);
	report_free(rp);
	fclose(f);
	free(rp);
	return buf;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static void feed_hostile(report *rp)
{
	ht_record rec = { .type = HT_REC_REQUEST };
	ht_rec_request *r = &rec.u.req;

	make_request(r);
	r->target = S("/</script><script>alert(1)</script><!--");
	r->dns_name = S("<img src=x onerror=alert(2)>");
	r->host = S("");
	r->reason = S("</SCRIPT >");
	r->content_type = S("text/html&<b>");
	report_record(rp, &rec);
	/* A reused request on the same connection, idle 2 ms. */
	make_request(r);
	r->req_seq = 2;
	r->flags = HT_RF_REUSED | HT_RF_WAS_IDLE;
	for (int i = HT_T_DNS_START; i <= HT_T_CONNECT_DONE; i++)
		r->t[i] = 0;
	r->t[HT_T_IDLE_SINCE] = r->t[HT_T_GOT_CONN] - 2 * MS;
	report_record(rp, &rec);
}

START_TEST(page_hostile_record)
{
	char *doc = page(feed_hostile);
	const char *data = strstr(doc, "<script type=\"application/json\"");
	const char *end;

	ck_assert_ptr_nonnull(data);
	end = strstr(data, "</script>");
	ck_assert_ptr_nonnull(end);
	/* The data block ends where the page ends it: right before the
	 * page's own script, and nothing in it can be markup. */
	ck_assert_msg(strncmp(end, "</script>\n<script nonce=\"", 25) == 0,
		      "data block closed early: %.80s", end);
	for (const char *p = data + 1; p < end; p++)
		ck_assert_msg(*p != '<', "'<' inside the data block at %.40s", p);
	ck_assert(strstr(data, "\\u003c/script\\u003e\\u003cscript\\u003e"
			       "alert(1)\\u003c/script\\u003e\\u003c!--") != NULL);
	ck_assert(strstr(data, "text/html\\u0026\\u003cb\\u003e") != NULL);
	/* Case-insensitive: "</SCRIPT" would close the element too. */
	ck_assert_uint_eq(count(doc, "</script>"), 2); /* the page's two */
	ck_assert(strcasestr(data, "</script") == end);
	/* The host in the summary table is text. */
	ck_assert(strstr(doc, "<tr><td>&lt;img src=x onerror=alert(2)&gt;</td>") != NULL);
	ck_assert(strstr(doc, "<img") == NULL);
	/* Exactly the page's scripts, each with the policy's nonce. */
	ck_assert_uint_eq(count(doc, "<script"), 2);
	ck_assert(strstr(doc, "script-src 'nonce-") != NULL);
	ck_assert(strstr(doc, "default-src 'none'") != NULL);
	free(doc);
}
END_TEST

START_TEST(page_phases_and_reuse)
{
	char *doc = page(feed_hostile);

	/* First request: each phase at its own offset from the start. */
	ck_assert(strstr(doc, "\"ph\":[[\"dns\",0.000,1.000],"
			      "[\"connect\",1.000,2.000],[\"send\",3.000,1.000],"
			      "[\"wait\",4.000,10.000],[\"receive\",14.000,1.250]]") != NULL);
	ck_assert(strstr(doc, "\"start\":1700000001.000000,\"total\":15.250") != NULL);
	/* The reused one: idle, no dns/connect, starting at GOT_CONN. */
	ck_assert(strstr(doc, "\"req\":2,\"reused\":true,\"idle\":2.000") != NULL);
	ck_assert(strstr(doc, "\"start\":1700000001.003000,\"total\":12.250,"
			      "\"ph\":[[\"send\",0.000,1.000],") != NULL);
	ck_assert(strstr(doc, "2 requests, 1 connections, 1 on a reused") != NULL);
	free(doc);
}
END_TEST

static void feed_nothing(report *rp)
{
	(void)rp;
}

static void feed_conn_fail(report *rp)
{
	ht_record rec = { .type = HT_REC_CONN_FAIL };
	ht_rec_conn_fail *c = &rec.u.fail;

	c->pid = 7;
	c->conn_id = 3;
	c->err = 111; /* ECONNREFUSED */
	c->peer.family = AF_INET;
	c->peer.port = 9;
	inet_pton(AF_INET, "127.0.0.1", c->peer.addr);
	c->t_connect_start = 500 * MS;
	c->t_fail = 500 * MS + 250000;
	report_record(rp, &rec);
}

START_TEST(page_empty_and_conn_fail)
{
	char *doc = page(feed_nothing);

	ck_assert(strstr(doc, "\"records\":[\n]}</script>") != NULL);
	ck_assert(strstr(doc, "0 requests, 0 connections") != NULL);
	ck_assert(strstr(doc, "</html>\n") != NULL);
	free(doc);

	doc = page(feed_conn_fail);
	ck_assert(strstr(doc, "{\"k\":\"fail\",\"pid\":7,\"conn\":3,"
			      "\"host\":\"127.0.0.1\",\"peer\":\"127.0.0.1:9\","
			      "\"tls\":false,\"error\":\"Connection refused\","
			      "\"start\":1700000000.500000,\"total\":0.250,"
			      "\"ph\":[[\"connect\",0.000,0.250]]}") != NULL);
	ck_assert(strstr(doc, "1 failed connects") != NULL);
	free(doc);
}
END_TEST

Suite *html_suite(void)
{
	Suite *s = suite_create("html");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, text_markup_characters);
	tcase_add_test(tc, text_controls_and_bytes);
	tcase_add_test(tc, text_every_byte);
	tcase_add_test(tc, script_json_escapes);
	tcase_add_test(tc, page_hostile_record);
	tcase_add_test(tc, page_phases_and_reuse);
	tcase_add_test(tc, page_empty_and_conn_fail);
	suite_add_tcase(s, tc);
	return s;
}
