/*
 * redirect.h - linking the hops of a redirect chain.
 *
 * A request answered 301, 302, 303, 307 or 308 with a Location header
 * sends a client that follows redirects to that Location next.  The
 * collector sees each hop as an ordinary request; this module recognizes
 * the next hop (the same process requesting the resolved Location) and
 * links it to the one before: redirect_from names the earlier request
 * (pid/conn/req), and every hop of a chain shares a chain id, the
 * pid/conn/req of its first hop.
 *
 * Pure: no I/O; strings are copied into the tracker's own memory.  The
 * tracker keeps at most REDIRECT_PENDING redirects not yet followed (the
 * oldest is forgotten first), so a process that never follows its
 * redirects costs bounded memory.
 */
#ifndef HT_REDIRECT_H
#define HT_REDIRECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define REDIRECT_PENDING 256
#define REDIRECT_URL_MAX 2048
#define REDIRECT_PID_SLOTS 64

/* One request: pid, connection and request number. */
typedef struct redirect_id {
	uint32_t pid, conn, req;
} redirect_id;

/* What redirect_observe() found out about a request. */
typedef struct redirect_link {
	bool followed;     /* this request follows an earlier hop's redirect */
	redirect_id from;  /* that hop (when followed) */
	bool in_chain;     /* followed, or itself redirects: chain is set */
	redirect_id chain; /* the chain's first hop */
	unsigned hop;      /* 1 for the first hop, 2 for the next... */
	const char *target; /* the resolved Location when this request
			     * redirects (valid until the next call), else NULL */
} redirect_link;

typedef struct redirect_tracker {
	struct redirect_pending {
		uint32_t pid;
		char *url;       /* normalized absolute target; NULL: free */
		redirect_id from, chain;
		unsigned hop;
		uint64_t seq;    /* age, for eviction */
	} pending[REDIRECT_PENDING];
	uint64_t seq;
	/* Pending redirects by pid % REDIRECT_PID_SLOTS: a request of a pid
	 * whose count is 0 follows none (no URL to normalize and compare). */
	uint32_t pid_pending[REDIRECT_PID_SLOTS];
	char scratch[REDIRECT_URL_MAX];
} redirect_tracker;

/* redirect_init() / redirect_free() - an empty tracker; release it. */
void redirect_init(redirect_tracker *t);
void redirect_free(redirect_tracker *t);

/*
 * redirect_is_status() - whether @status is a redirect that names a new
 * target in Location (301, 302, 303, 307, 308).
 */
bool redirect_is_status(unsigned status);

/*
 * redirect_may_follow() - false when no redirect of @pid is pending in @t
 * (NULL: none at all), so that a request of it that does not redirect
 * itself needs no redirect_observe() (its link would be the default: hop 1,
 * its own chain id, nothing else).  May be true when none is.
 */
static inline bool redirect_may_follow(const redirect_tracker *t, uint32_t pid)
{
	return t != NULL && t->pid_pending[pid % REDIRECT_PID_SLOTS] != 0;
}

/*
 * redirect_resolve() - the absolute URL that @loc (a Location value, @loc_len
 * bytes) names relative to the request URL @base, as RFC 3986 section 5.2
 * resolves it (dot segments removed, the fragment dropped), normalized as
 * redirect_normalize() does, into @out (capacity @cap).  Returns the length,
 * or 0 when @base is not an absolute http(s) URL, @loc is empty, or the
 * result does not fit.
 */
size_t redirect_resolve(char *out, size_t cap, const char *base,
			const char *loc, size_t loc_len);

/*
 * redirect_normalize() - @url (@len bytes) with its scheme and host in
 * lower case, the scheme's default port (:80 for http, :443 for https)
 * removed, an empty path made "/", and the fragment dropped, into @out
 * (capacity @cap).  Returns the length, or 0 when @url is not an absolute
 * http(s) URL or does not fit.
 */
size_t redirect_normalize(char *out, size_t cap, const char *url, size_t len);

/*
 * redirect_observe() - account for the request @id of URL @url, answered
 * @status with Location @loc (@loc_len bytes; NULL when absent), and fill
 * @link.  A request is linked when an earlier one of the same pid
 * redirected to its (normalized) URL and no request has followed that
 * redirect yet.  Returns 0, or -ENOMEM when a pending redirect could not be
 * remembered (the link of this request is still filled).
 */
int redirect_observe(redirect_tracker *t, redirect_id id, const char *url,
		     unsigned status, const char *loc, size_t loc_len,
		     redirect_link *link);

#endif
