/*
 * redirect.c - linking the hops of a redirect chain (see redirect.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "outbuf.h"
#include "redirect.h"

void redirect_init(redirect_tracker *t)
{
	memset(t, 0, sizeof *t);
}

void redirect_free(redirect_tracker *t)
{
	for (size_t i = 0; i < REDIRECT_PENDING; i++) {
		free(t->pending[i].url);
		t->pending[i].url = NULL;
	}
	memset(t->pid_pending, 0, sizeof t->pid_pending);
}

/* Forget the pending redirect @p (followed, or evicted). */
static void pending_drop(redirect_tracker *t, struct redirect_pending *p)
{
	if (p->url == NULL)
		return;
	free(p->url);
	p->url = NULL;
	t->pid_pending[p->pid % REDIRECT_PID_SLOTS]--;
}

bool redirect_is_status(unsigned status)
{
	return status == 301 || status == 302 || status == 303 ||
	       status == 307 || status == 308;
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + ('a' - 'A')) : c;
}

/* Length of the "http://" or "https://" that starts @s, else 0; *@tls
 * tells which. */
static size_t scheme_len(const char *s, size_t len, bool *tls)
{
	static const char http[] = "http://", https[] = "https://";
	size_t i;
	for (i = 0; i < len && i < sizeof https - 1; i++)
		if (lower(s[i]) != https[i])
			break;
	if (i == sizeof https - 1) {
		*tls = true;
		return i;
	}
	for (i = 0; i < len && i < sizeof http - 1; i++)
		if (lower(s[i]) != http[i])
			break;
	if (i == sizeof http - 1) {
		*tls = false;
		return i;
	}
	return 0;
}

/* The string built in @b, unless it did not fit: its length, else 0. */
static size_t built(outbuf *b)
{
	outbuf_str(b);
	return outbuf_error(b) == 0 ? outbuf_len(b) : 0;
}

size_t redirect_normalize(char *out, size_t cap, const char *url, size_t len)
{
	bool tls;
	size_t s = scheme_len(url, len, &tls);
	if (!s || cap == 0)
		return 0;
	/* Drop the fragment. */
	const char *hash = memchr(url, '#', len);
	if (hash)
		len = (size_t)(hash - url);
	size_t a = s;
	while (a < len && url[a] != '/' && url[a] != '?')
		a++;
	const char *auth = url + s;
	size_t auth_len = a - s;
	if (auth_len == 0)
		return 0;
	/* Strip the scheme's default port.  An IPv6 literal's colons are
	 * inside brackets, so only a ":digits" at the end is a port. */
	const char *def = tls ? ":443" : ":80";
	size_t dl = strlen(def);
	if (auth_len > dl && memcmp(auth + auth_len - dl, def, dl) == 0)
		auth_len -= dl;

	outbuf b;

	outbuf_init_fixed(&b, out, cap);
	outbuf_put(&b, tls ? "https://" : "http://", tls ? 8 : 7);
	/* The host is case-insensitive; userinfo is not, but keep it as is. */
	const char *at = memchr(auth, '@', auth_len);
	size_t host_from = at ? (size_t)(at - auth) + 1 : 0;
	outbuf_put(&b, auth, host_from);
	for (size_t i = host_from; i < auth_len; i++) {
		char c = lower(auth[i]);
		outbuf_put(&b, &c, 1);
	}
	if (a == len || url[a] == '?')
		outbuf_put(&b, "/", 1);
	outbuf_put(&b, url + a, len - a);
	return built(&b);
}

/* Remove "." and ".." segments from the path @p (NUL-terminated), in place
 * (RFC 3986 section 5.2.4).  The query, if any, must not be in @p.  The
 * output never overtakes the input, so one buffer serves both. */
static void remove_dots(char *p)
{
	char *out = p, *in = p;
	while (*in) {
		if (strncmp(in, "../", 3) == 0) {
			in += 3;
		} else if (strncmp(in, "./", 2) == 0) {
			in += 2;
		} else if (strncmp(in, "/./", 3) == 0) {
			in += 2;
		} else if (strcmp(in, "/.") == 0) {
			in += 1;
			*in = '/';
		} else if (strncmp(in, "/../", 4) == 0 || strcmp(in, "/..") == 0) {
			/* "/../x" -> "/x", "/.." -> "/" */
			in += 2;
			if (in[1] == '/')
				in++;
			else
				*in = '/';
			/* drop the last segment of the output */
			while (out > p && *--out != '/')
				;
		} else if (strcmp(in, ".") == 0 || strcmp(in, "..") == 0) {
			break;
		} else {
			/* move the first segment, with its leading '/' */
			do
				*out++ = *in++;
			while (*in && *in != '/');
		}
	}
	*out = '\0';
}

size_t redirect_resolve(char *out, size_t cap, const char *base,
			const char *loc, size_t loc_len)
{
	char tmp[REDIRECT_URL_MAX];
	bool tls;
	size_t n;
	size_t blen = strlen(base);
	size_t bs = scheme_len(base, blen, &tls);
	while (loc_len && (*loc == ' ' || *loc == '\t'))
		loc++, loc_len--;
	while (loc_len && (loc[loc_len - 1] == ' ' || loc[loc_len - 1] == '\t' ||
			   loc[loc_len - 1] == '\r' || loc[loc_len - 1] == '\n'))
		loc_len--;
	if (!bs || !loc_len || loc_len >= sizeof tmp)
		return 0;

	/* Another scheme ("ftp:", "mailto:") is not followed here. */
	size_t i = 0;
	while (i < loc_len && loc[i] != ':' && loc[i] != '/' && loc[i] != '?' &&
	       loc[i] != '#')
		i++;
	if (i < loc_len && loc[i] == ':' && i > 0) {
		bool ltls;
		if (!scheme_len(loc, loc_len, &ltls))
			return 0;
		size_t ls = scheme_len(loc, loc_len, &ltls);
		size_t a = ls;
		while (a < loc_len && loc[a] != '/' && loc[a] != '?' && loc[a] != '#')
			a++;
		outbuf b;

		outbuf_init_fixed(&b, tmp, sizeof tmp);
		outbuf_put(&b, loc, a);
		/* path (with dots removed), then query/fragment as they are */
		size_t q = a;
		while (q < loc_len && loc[q] != '?' && loc[q] != '#')
			q++;
		size_t path_at = outbuf_len(&b);
		outbuf_put(&b, loc + a, q - a);
		if (built(&b) == 0)
			return 0;
		remove_dots(tmp + path_at);
		outbuf_trim(&b, strlen(tmp));
		outbuf_put(&b, loc + q, loc_len - q);
		n = built(&b);
		return n ? redirect_normalize(out, cap, tmp, n) : 0;
	}

	/* Split the base: scheme://authority | path | ?query (no fragment). */
	size_t ba = bs;
	while (ba < blen && base[ba] != '/' && base[ba] != '?' && base[ba] != '#')
		ba++;
	size_t bp = ba;
	while (bp < blen && base[bp] != '?' && base[bp] != '#')
		bp++;
	size_t bq = bp;
	while (bq < blen && base[bq] != '#')
		bq++;

	outbuf b;

	outbuf_init_fixed(&b, tmp, sizeof tmp);
	size_t q = 0; /* where the reference's query or fragment starts */
	while (q < loc_len && loc[q] != '?' && loc[q] != '#')
		q++;
	if (loc_len >= 2 && loc[0] == '/' && loc[1] == '/') {
		/* network-path reference: the base's scheme only */
		outbuf_put(&b, base, bs - 2);
		size_t a = 2;
		while (a < loc_len && loc[a] != '/' && loc[a] != '?' && loc[a] != '#')
			a++;
		outbuf_put(&b, loc, a);
		size_t path_at = outbuf_len(&b);
		outbuf_put(&b, loc + a, q - a);
		if (built(&b) == 0)
			return 0;
		remove_dots(tmp + path_at);
		outbuf_trim(&b, strlen(tmp));
	} else {
		outbuf_put(&b, base, ba);
		size_t path_at = outbuf_len(&b);
		if (q == 0) {
			/* "?query" or "#frag": the base path (and query) */
			outbuf_put(&b, base + ba, bp - ba);
			if (loc[0] == '#')
				outbuf_put(&b, base + bp, bq - bp);
		} else if (loc[0] == '/') {
			outbuf_put(&b, loc, q);
		} else {
			/* merge: the base path up to its last '/', then loc */
			size_t slash = bp;
			while (slash > ba && base[slash - 1] != '/')
				slash--;
			if (slash == ba)
				outbuf_put(&b, "/", 1);
			else
				outbuf_put(&b, base + ba, slash - ba);
			outbuf_put(&b, loc, q);
		}
		if (built(&b) == 0)
			return 0;
		remove_dots(tmp + path_at);
		outbuf_trim(&b, strlen(tmp));
	}
	outbuf_put(&b, loc + q, loc_len - q);
	n = built(&b);
	return n ? redirect_normalize(out, cap, tmp, n) : 0;
}

int redirect_observe(redirect_tracker *t, redirect_id id, const char *url,
		     unsigned status, const char *loc, size_t loc_len,
		     redirect_link *link)
{
	memset(link, 0, sizeof *link);
	link->hop = 1;
	link->chain = id;
	size_t n = 0;
	if (redirect_may_follow(t, id.pid))
		n = redirect_normalize(t->scratch, sizeof t->scratch, url,
				       strlen(url));
	if (n) {
		/* The oldest pending redirect to this URL is followed first. */
		struct redirect_pending *best = NULL;
		for (size_t i = 0; i < REDIRECT_PENDING; i++) {
			struct redirect_pending *p = &t->pending[i];
			if (p->url && p->pid == id.pid &&
			    strcmp(p->url, t->scratch) == 0 &&
			    (!best || p->seq < best->seq))
				best = p;
		}
		if (best) {
			link->followed = link->in_chain = true;
			link->from = best->from;
			link->chain = best->chain;
			link->hop = best->hop + 1;
			pending_drop(t, best);
		}
	}
	if (!loc || !redirect_is_status(status))
		return 0;
	n = redirect_resolve(t->scratch, sizeof t->scratch, url, loc, loc_len);
	if (!n)
		return 0;
	link->in_chain = true;
	link->target = t->scratch;
	/* A free entry, else the oldest is forgotten. */
	struct redirect_pending *slot = &t->pending[0];
	for (size_t i = 0; i < REDIRECT_PENDING; i++) {
		struct redirect_pending *p = &t->pending[i];
		if (!p->url) {
			slot = p;
			break;
		}
		if (p->seq < slot->seq)
			slot = p;
	}
	char *copy = malloc(n + 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, t->scratch, n + 1);
	pending_drop(t, slot);
	slot->url = copy;
	t->pid_pending[id.pid % REDIRECT_PID_SLOTS]++;
	slot->pid = id.pid;
	slot->from = id;
	slot->chain = link->chain;
	slot->hop = link->hop;
	slot->seq = ++t->seq;
	return 0;
}
