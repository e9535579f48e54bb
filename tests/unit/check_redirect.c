/* check_redirect.c - redirect chains (cli/redirect.c): Location resolution
 * against RFC 3986's examples, normalization, and hop linking. */
#include <stdio.h>
#include <string.h>

#include "redirect.h"
#include "suites.h"

static const char *resolve(const char *base, const char *loc)
{
	static char out[REDIRECT_URL_MAX];
	size_t n = redirect_resolve(out, sizeof out, base, loc, strlen(loc));
	return n ? out : "(none)";
}

START_TEST(rfc3986_examples)
{
	static const struct { const char *ref, *want; } cases[] = {
		{ "g", "http://a/b/c/g" },       { "./g", "http://a/b/c/g" },
		{ "g/", "http://a/b/c/g/" },     { "/g", "http://a/g" },
		{ "//g", "http://g/" },          { "?y", "http://a/b/c/d;p?y" },
		{ "g?y", "http://a/b/c/g?y" },   { "#s", "http://a/b/c/d;p?q" },
		{ "g#s", "http://a/b/c/g" },     { "g?y#s", "http://a/b/c/g?y" },
		{ ";x", "http://a/b/c/;x" },     { "g;x", "http://a/b/c/g;x" },
		{ ".", "http://a/b/c/" },        { "./", "http://a/b/c/" },
		{ "..", "http://a/b/" },         { "../", "http://a/b/" },
		{ "../g", "http://a/b/g" },      { "../..", "http://a/" },
		{ "../../", "http://a/" },       { "../../g", "http://a/g" },
		{ "../../../g", "http://a/g" },  { "../../../../g", "http://a/g" },
		{ "/./g", "http://a/g" },        { "/../g", "http://a/g" },
		{ "g.", "http://a/b/c/g." },     { ".g", "http://a/b/c/.g" },
		{ "g..", "http://a/b/c/g.." },   { "..g", "http://a/b/c/..g" },
		{ "./../g", "http://a/b/g" },    { "./g/.", "http://a/b/c/g/" },
		{ "g/./h", "http://a/b/c/g/h" }, { "g/../h", "http://a/b/c/h" },
		{ "g;x=1/./y", "http://a/b/c/g;x=1/y" },
		{ "g;x=1/../y", "http://a/b/c/y" },
		{ "http://a/b/../g", "http://a/g" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		ck_assert_msg(strcmp(resolve("http://a/b/c/d;p?q", cases[i].ref),
				     cases[i].want) == 0,
			      "%s: got %s, want %s", cases[i].ref,
			      resolve("http://a/b/c/d;p?q", cases[i].ref),
			      cases[i].want);
}
END_TEST

START_TEST(normalizes_and_refuses)
{
	ck_assert_str_eq(resolve("http://x:8080/a", "HTTPS://WWW.Example.COM:443"),
			 "https://www.example.com/");
	ck_assert_str_eq(resolve("https://x/a", "http://User@Host:80/P?Q#f"),
			 "http://User@host/P?Q");
	ck_assert_str_eq(resolve("http://[::1]:8080/a/b", "c"), "http://[::1]:8080/a/c");
	ck_assert_str_eq(resolve("http://h/a", "  /b \r\n"), "http://h/b");
	ck_assert_str_eq(resolve("http://h/a", "ftp://h/b"), "(none)");
	ck_assert_str_eq(resolve("http://h/a", ""), "(none)");
	ck_assert_str_eq(resolve("localhost:80", "/b"), "(none)");
	char small[16];
	ck_assert_uint_eq(redirect_resolve(small, sizeof small, "http://h/",
					   "/a-long-path-here", 17), 0);
}
END_TEST

static redirect_id rid(uint32_t pid, uint32_t conn, uint32_t req)
{
	redirect_id id = { pid, conn, req };
	return id;
}

static redirect_tracker T;

START_TEST(links_a_chain_of_three)
{
	redirect_link l;
	redirect_init(&T);
	/* google.com -> www.google.com -> /en, the last one reusing conn 2 */
	const char *loc1 = "http://www.example.com/";
	ck_assert_int_eq(redirect_observe(&T, rid(7, 1, 1), "http://example.com/",
					  301, loc1, strlen(loc1), &l), 0);
	ck_assert(!l.followed);
	ck_assert(l.in_chain);
	ck_assert_uint_eq(l.hop, 1);
	ck_assert_uint_eq(l.chain.conn, 1);
	ck_assert_str_eq(l.target, "http://www.example.com/");

	/* a request of another process to that URL is not the next hop */
	redirect_observe(&T, rid(8, 1, 1), "http://www.example.com/", 200,
			 NULL, 0, &l);
	ck_assert(!l.followed);
	ck_assert(!l.in_chain);

	redirect_observe(&T, rid(7, 2, 1), "http://www.example.com:80/", 302,
			 "en?x=1", 6, &l);
	ck_assert(l.followed);
	ck_assert_uint_eq(l.hop, 2);
	ck_assert_uint_eq(l.from.conn, 1);
	ck_assert_uint_eq(l.from.req, 1);
	ck_assert_uint_eq(l.chain.pid, 7);
	ck_assert_uint_eq(l.chain.conn, 1);

	redirect_observe(&T, rid(7, 2, 2), "http://www.example.com/en?x=1", 200,
			 NULL, 0, &l);
	ck_assert(l.followed);
	ck_assert(l.in_chain);
	ck_assert_uint_eq(l.hop, 3);
	ck_assert_uint_eq(l.from.conn, 2);
	ck_assert_uint_eq(l.from.req, 1);
	ck_assert_uint_eq(l.chain.conn, 1);
	ck_assert(l.target == NULL);

	/* followed once: the same URL again starts nothing */
	redirect_observe(&T, rid(7, 2, 3), "http://www.example.com/en?x=1", 200,
			 NULL, 0, &l);
	ck_assert(!l.followed);
	/* not a redirect status, or no Location: no chain */
	redirect_observe(&T, rid(7, 3, 1), "http://h/a", 304, "/b", 2, &l);
	ck_assert(!l.in_chain);
	redirect_observe(&T, rid(7, 3, 2), "http://h/a", 302, NULL, 0, &l);
	ck_assert(!l.in_chain);
	redirect_free(&T);
}
END_TEST

START_TEST(pending_redirects_are_bounded)
{
	redirect_link l;
	char url[64], loc[64];
	redirect_init(&T);
	for (uint32_t i = 0; i < REDIRECT_PENDING + 10; i++) {
		snprintf(url, sizeof url, "http://h/%u", i);
		snprintf(loc, sizeof loc, "/to/%u", i);
		redirect_observe(&T, rid(1, 1, i + 1), url, 302, loc,
				 strlen(loc), &l);
	}
	/* the oldest ten were forgotten, the rest are still followed */
	redirect_observe(&T, rid(1, 2, 1), "http://h/to/3", 200, NULL, 0, &l);
	ck_assert(!l.followed);
	redirect_observe(&T, rid(1, 2, 2), "http://h/to/10", 200, NULL, 0, &l);
	ck_assert(l.followed);
	ck_assert_uint_eq(l.from.req, 11);
	redirect_free(&T);
}
END_TEST

/* redirect_may_follow() is false exactly while a pid has nothing pending,
 * evictions included. */
START_TEST(knows_which_pids_have_pending_redirects)
{
	redirect_link l;
	char url[64], loc[64];
	ck_assert(!redirect_may_follow(NULL, 7));
	redirect_init(&T);
	ck_assert(!redirect_may_follow(&T, 7));
	redirect_observe(&T, rid(7, 1, 1), "http://h/a", 200, NULL, 0, &l);
	ck_assert(!redirect_may_follow(&T, 7));
	redirect_observe(&T, rid(7, 1, 2), "http://h/a", 302, "/b", 2, &l);
	ck_assert(redirect_may_follow(&T, 7));
	ck_assert(!redirect_may_follow(&T, 8));
	redirect_observe(&T, rid(7, 1, 3), "http://h/b", 200, NULL, 0, &l);
	ck_assert(l.followed);
	ck_assert(!redirect_may_follow(&T, 7));
	/* pid 8 fills the table, then pid 9's redirects evict all of it */
	for (uint32_t i = 0; i < REDIRECT_PENDING; i++) {
		snprintf(url, sizeof url, "http://h/%u", i);
		snprintf(loc, sizeof loc, "/to/%u", i);
		redirect_observe(&T, rid(8, 1, i + 1), url, 302, loc,
				 strlen(loc), &l);
	}
	ck_assert(redirect_may_follow(&T, 8));
	for (uint32_t i = 0; i < REDIRECT_PENDING; i++) {
		snprintf(url, sizeof url, "http://h/%u", i);
		snprintf(loc, sizeof loc, "/to/%u", i);
		ck_assert(redirect_may_follow(&T, 8));
		redirect_observe(&T, rid(9, 1, i + 1), url, 302, loc,
				 strlen(loc), &l);
	}
	ck_assert(!redirect_may_follow(&T, 8));
	ck_assert(redirect_may_follow(&T, 9));
	redirect_free(&T);
	ck_assert(!redirect_may_follow(&T, 9));
}
END_TEST

Suite *redirect_suite(void)
{
	Suite *s = suite_create("redirect");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, rfc3986_examples);
	tcase_add_test(tc, normalizes_and_refuses);
	tcase_add_test(tc, links_a_chain_of_three);
	tcase_add_test(tc, pending_redirects_are_bounded);
	tcase_add_test(tc, knows_which_pids_have_pending_redirects);
	suite_add_tcase(s, tc);
	return s;
}
