/*
 * urlscrub.h - credentials out of a URL, in place: the one scrubber the
 * library runs on every URL it records (request targets, Host and
 * :authority, CONNECT authorities, Location / Content-Location / Referer
 * values) and the OTLP writer runs again on url.full.
 *
 * What goes:
 *  - userinfo: "scheme://user:pw@host" becomes "scheme://REDACTED:REDACTED@host"
 *    (OpenTelemetry's rule for url.full); a user name without a password,
 *    "scheme://user@host", becomes "scheme://REDACTED@host" (a token is
 *    often sent as the user name).  The userinfo ends at the authority's
 *    last '@'.
 *  - the value of a query parameter, or of a "name=value" part of the
 *    fragment (OAuth's implicit flow returns "#access_token=..."), whose
 *    name is in a list: "?sig=abc&x=1" becomes "?sig=REDACTED&x=1".
 *    Parameters are separated by '&' only.  Names are compared after
 *    percent-decoding ("%73ig" is "sig") and in any case ("SIG", "Sig").
 *    An empty value ("?token=&x") stays empty: nothing to hide.
 *
 * Pure: no system call, no allocation, no global state.
 */
#ifndef HT_URLSCRUB_H
#define HT_URLSCRUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The query parameter names redacted by default: OpenTelemetry's url.query
 * list (AWSAccessKeyId, Signature, sig, X-Goog-Signature) and the usual
 * token names.  NULL-terminated. */
extern const char *const ht_url_default_query_names[];
#define HT_URL_DEFAULT_QUERY_NAMES 11 /* entries before the NULL */
/* ht_url_names_mask() of those names, by the compiler (the unit test
 * names_mask holds the two equal): the library starts with it without
 * reading the names' bytes or running ht_url_names_mask(), two pages a
 * process that never makes a request would otherwise fault in. */
#define HT_URL_DEFAULT_QUERY_MASK                                            \
	((1u << ('a' & 31)) | (1u << ('s' & 31)) | (1u << ('x' & 31)) |     \
	 (1u << ('t' & 31)) | (1u << ('k' & 31)) | (1u << ('p' & 31)))

/* ht_url_scrub() flags. */
#define HT_URL_AUTHORITY 0x1u /* @s is an authority ("user@host:port", a Host
                                 value, a CONNECT target), not a URL */
#define HT_URL_CUT 0x2u       /* @s was cut short: its last byte is not the
                                 URL's.  An authority that runs to the end
                                 may then be a userinfo whose '@' was cut
                                 off: it is replaced whole by "REDACTED". */

/*
 * ht_url_scrub() - remove the credentials from the @len bytes at @s, in
 * place.  @s is a URL in any form a request or a header carries it:
 * absolute ("http://u:p@h/p?q#f"), network-path ("//u@h/p"), origin or
 * relative ("/p?q", "p?q": no authority), or with HT_URL_AUTHORITY an
 * authority alone.  @names is a NULL-terminated list of query parameter
 * names (NULL: none; userinfo is removed all the same).
 *
 * The result may be longer than @len (a short value becomes "REDACTED"): it
 * is kept within @cap bytes (@cap >= @len), what does not fit is dropped
 * from its end and *@lost (when not NULL) is set to true; *@lost is left
 * alone otherwise.  Dropping bytes never uncovers any: the part kept is
 * scrubbed as a whole.  No NUL is written.  Returns the new length
 * (<= @cap).  Scrubbing twice gives the same bytes as once.
 */
size_t ht_url_scrub(char *s, size_t len, size_t cap, const char *const *names,
		    unsigned flags, bool *lost);

/*
 * ht_url_names_mask() - the first bytes of @names, each lower-cased (OR
 * 0x20), as one bit per value modulo 32: a parameter whose first byte
 * (decoded, OR 0x20) has no bit set begins no listed name.  0 for NULL or
 * an empty list.
 */
uint32_t ht_url_names_mask(const char *const *names);

/*
 * ht_url_scrub_masked() - ht_url_scrub() with @mask, ht_url_names_mask()
 * of @names (or 0: no mask, every parameter compared with the list): the
 * same bytes, a parameter the mask rules out not compared with any name.
 */
size_t ht_url_scrub_masked(char *s, size_t len, size_t cap,
			   const char *const *names, uint32_t mask,
			   unsigned flags, bool *lost);

/*
 * ht_url_scrub_query() - ht_url_scrub_masked() with @flags 0 of a URL @s
 * with no authority (not "//" nor "scheme://" at its start: an
 * origin-form target) whose first '?' is at @q, which the caller found:
 * the same bytes, without looking for the authority and the '?' again.
 */
size_t ht_url_scrub_query(char *s, size_t len, size_t cap, size_t q,
			  const char *const *names, uint32_t mask, bool *lost);

/*
 * ht_url_query_plain() - true when ht_url_scrub_query() of the same @s,
 * @len, @q with a list whose ht_url_names_mask() is @mask would change
 * nothing: no '#' before @q, and no parameter after it whose first byte
 * is '%' or has a bit in @mask.  False when it might change something (or
 * @mask is 0).  Inline, so that a request's target whose query holds no
 * parameter of the list (the usual one) costs a scan of its query and no
 * call (check_urlscrub holds the two in step on every case it scrubs).
 */
static inline bool ht_url_query_plain(const char *s, size_t len, size_t q,
				      uint32_t mask)
{
	if (mask == 0 || q >= len || memchr(s, '#', q) != NULL)
		return false;
	for (size_t i = q + 1; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		/* a parameter begins after each '&' (and, taken as one
		 * too, never missing one, after a '#' of the fragment) */
		if (c == '&' || c == '#')
			continue;
		if (c == '%' || (mask & (1u << ((c | 0x20) & 31))))
			return false;
		/* to the parameter's last byte */
		while (i + 1 < len && s[i + 1] != '&' && s[i + 1] != '#')
			i++;
	}
	return true;
}

#endif
