/*
 * hook_dns.c - getaddrinfo and gethostbyname*: remember which name gave
 * which addresses and how long the lookup took, so that connect() can name
 * its peer and charge the lookup to the connection's first request.
 *
 * A small ring of recent lookups, under a lock taken only here and in
 * connect (never on plain I/O).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "ht.h"
#include "live.h"

#define DNS_RING 32
#define DNS_ADDRS 8

typedef struct dns_entry {
	uint32_t gen;          /* 0: empty */
	bool consumed;
	char name[CONN_NAME_MAX];
	uint64_t t_start, t_done;
	unsigned n;
	ht_addr addrs[DNS_ADDRS]; /* port unused */
} dns_entry;

static dns_entry ring[DNS_RING];
static unsigned ring_next;
/* The calling thread's last lookup that gave addresses: its entry's gen
 * (high 32 bits) and index, 0: none (ht_dns_thread_name()). */
static HT_TLS uint64_t thread_last;
static uint32_t gen_next = 1;
static ht_lock ring_lock;

void ht_dns_after_fork(void)
{
	HT_RESET(ring_lock.v, 0);
}

static bool same_host(const ht_addr *a, const ht_addr *b)
{
	if (a->family != b->family)
		return false;
	size_t n = a->family == AF_INET ? 4 : 16;
	return memcmp(a->addr, b->addr, n) == 0;
}

/* Record one finished lookup.  @addrs holds @n addresses. */
static void remember(const char *name, uint64_t t0, uint64_t t1,
		     const ht_addr *addrs, unsigned n)
{
	if (!n || !name)
		return;
	ht_lock_acquire(&ring_lock);
	dns_entry *e = &ring[ring_next];
	thread_last = (uint64_t)gen_next << 32 | ring_next;
	ring_next = (ring_next + 1) % DNS_RING;
	e->gen = gen_next++;
	if (!gen_next)
		gen_next = 1;
	e->consumed = false;
	size_t len = strnlen(name, sizeof e->name - 1);
	memcpy(e->name, name, len);
	e->name[len] = '\0';
	e->t_start = t0;
	e->t_done = t1;
	e->n = n;
	memcpy(e->addrs, addrs, n * sizeof *addrs);
	ht_lock_release(&ring_lock);
}

int ht_dns_lookup(const ht_addr *peer, char *name, size_t cap,
		  uint64_t *t_start, uint64_t *t_done, uint32_t *gen)
{
	int found = -1;
	uint32_t best = 0;
	*t_start = *t_done = 0;
	ht_lock_acquire(&ring_lock);
	for (int i = 0; i < DNS_RING; i++) {
		dns_entry *e = &ring[i];
		if (!e->gen || e->gen < best)
			continue;
		for (unsigned k = 0; k < e->n; k++) {
			if (same_host(&e->addrs[k], peer)) {
				found = i;
				best = e->gen;
				break;
			}
		}
	}
	if (found >= 0) {
		dns_entry *e = &ring[found];
		size_t len = strnlen(e->name, cap - 1);
		memcpy(name, e->name, len);
		name[len] = '\0';
		if (!e->consumed) {
			*t_start = e->t_start;
			*t_done = e->t_done;
		}
		*gen = e->gen;
	}
	ht_lock_release(&ring_lock);
	return found;
}

bool ht_dns_thread_name(char *name, size_t cap)
{
	uint64_t last = thread_last;
	dns_entry *e = &ring[(uint32_t)last % DNS_RING];
	bool found = false;
	if (last == 0)
		return false;
	ht_lock_acquire(&ring_lock);
	if (e->gen == (uint32_t)(last >> 32) && !e->consumed) {
		size_t len = strnlen(e->name, cap - 1);
		memcpy(name, e->name, len);
		name[len] = '\0';
		found = true;
	}
	ht_lock_release(&ring_lock);
	return found;
}

void ht_dns_consume(int slot, uint32_t gen)
{
	if (slot < 0 || slot >= DNS_RING)
		return;
	ht_lock_acquire(&ring_lock);
	if (ring[slot].gen == gen)
		ring[slot].consumed = true;
	ht_lock_release(&ring_lock);
}

bool ht_addr_from_sockaddr(const struct sockaddr *sa, socklen_t len,
			   ht_addr *out)
{
	memset(out, 0, sizeof *out);
	/* the family only when the length covers it: a send with
	 * MSG_FASTOPEN and a length of 0 may succeed with an address the
	 * kernel never read */
	if (!sa || len < (socklen_t)sizeof sa->sa_family)
		return false;
	if (sa->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		out->family = AF_INET;
		out->port = ntohs(in->sin_port);
		memcpy(out->addr, &in->sin_addr, 4);
		return true;
	}
	if (sa->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
		out->family = AF_INET6;
		out->port = ntohs(in6->sin6_port);
		memcpy(out->addr, &in6->sin6_addr, 16);
		/* An IPv4-mapped address is the IPv4 peer it names. */
		if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
			out->family = AF_INET;
			memmove(out->addr, out->addr + 12, 4);
			memset(out->addr + 4, 0, 12);
		}
		return true;
	}
	return false;
}

/* The lookups this image began, numbered from 1 (0 skipped when the count
 * wraps): each lookup is told from the others by its number, in flight
 * (its live slot) and at its end (its HT_REC_DNS record). */
static uint32_t lookups;

/* A lookup under way: its number, its start, its live slot. */
typedef struct lookup {
	uint32_t n;       /* 0: not traced (the library was busy) */
	uint64_t t0;
	ht_live *page;
	unsigned ref;     /* its live slot, 0: not shown */
} lookup;

/* A lookup of @name begins: numbered, and shown in flight (live.h: a
 * connection slot of kind HT_LIVE_LOOKUP in phase dns, its conn_id the
 * lookup's number) until it ends, so that one that hangs is seen
 * (streamed events) and, when the process ends in it, reported as a
 * lookup cut short.  A lookup is network use: the collector is wanted
 * from here (the page comes with it).  errno is kept. */
static void lookup_begin(lookup *k, const char *name)
{
	int before = errno;

	k->n = 0;
	k->t0 = ht_now();
	k->page = NULL;
	k->ref = 0;
	if (!ht_enter())
		return;
	ht_emit_want();
	k->n = __atomic_add_fetch(&lookups, 1, __ATOMIC_RELAXED);
	if (k->n == 0)
		k->n = __atomic_add_fetch(&lookups, 1, __ATOMIC_RELAXED);
	ht_live *l = __atomic_load_n(&ht_live_page, __ATOMIC_ACQUIRE);
	if (l && (k->ref = ht_live_conn_claim(l)) != 0) {
		ht_live_conn *q = ht_live_conn_write_begin(l, k->ref);
		memset(&q->peer, 0, sizeof q->peer);
		q->tls = 0;
		q->kind = HT_LIVE_LOOKUP;
		q->conn_id = k->n;
		q->t_dns_start = k->t0;
		q->t_dns_done = q->t_connect_start = q->t_connect_done = 0;
		q->t_tls_start = q->t_tls_done = 0;
		ht_live_copy_str(q->name, sizeof q->name, name);
		q->active = 1;
		ht_live_conn_write_end(q);
		k->page = l;
	}
	ht_leave();
	errno = before;
}

/* Lookup @k of @name ended at @t1 with @n addresses @addrs (0: none),
 * error @err (0: resolved; EAI_* or, with HT_DNF_HOSTENT in @flags,
 * h_errno; @sys the errno of EAI_SYSTEM or NETDB_INTERNAL): its slot is
 * released, then its end goes to the collector (an HT_REC_DNS record,
 * with the call's own records: one message).  Released first, as a
 * request's slot is before its record: a process that dies between the
 * two loses the lookup's end, never reports it twice.  Guard held. */
static void lookup_end(const lookup *k, const char *name, uint64_t t1,
		       const ht_addr *addrs, unsigned n, int err,
		       uint32_t flags, int sys)
{
	ht_record rec;
	ht_rec_dns *d = &rec.u.dns;

	if (k->ref)
		ht_live_conn_release(k->page, k->ref);
	if (!k->n)
		return;
	memset(&rec, 0, sizeof rec);
	rec.type = HT_REC_DNS;
	d->pid = ht_pid;
	d->lookup = k->n;
	d->flags = flags;
	d->err = err;
	d->sys_errno = err ? sys : 0;
	d->t_start = k->t0;
	d->t_done = t1;
	d->name.p = name;
	d->name.len = (uint16_t)strnlen(name, CONN_NAME_MAX - 1);
	d->n_addrs = (uint8_t)n;
	if (n)
		memcpy(d->addrs, addrs, n * sizeof *addrs);
	ht_emit(NULL, &rec);
}

HT_EXPORT int getaddrinfo(const char *node, const char *service,
			  const struct addrinfo *hints, struct addrinfo **res)
{
	HT_ENSURE_INIT();
	if (unlikely(!HT_REAL(getaddrinfo)))
		return EAI_SYSTEM;
	if (!ht_enabled || !node || ht_busy)
		return ht_real.getaddrinfo(node, service, hints, res);
	lookup k;
	lookup_begin(&k, node);
	int ret = ht_real.getaddrinfo(node, service, hints, res);
	int saved = errno;
	if (ht_enter()) {
		uint64_t t1 = ht_now();
		ht_addr addrs[DNS_ADDRS];
		unsigned n = 0;
		for (const struct addrinfo *ai = ret == 0 && res ? *res : NULL;
		     ai && n < DNS_ADDRS; ai = ai->ai_next) {
			ht_addr a;
			if (!ht_addr_from_sockaddr(ai->ai_addr, ai->ai_addrlen, &a))
				continue;
			bool dup = false;
			for (unsigned i = 0; i < n && !dup; i++)
				dup = same_host(&addrs[i], &a);
			if (!dup)
				addrs[n++] = a;
		}
		remember(node, k.t0, t1, addrs, n);
		lookup_end(&k, node, t1, addrs, n, ret, 0, saved);
		ht_leave();
	}
	errno = saved;
	return ret;
}

/* The addresses of hostent @h (NULL: none) into @addrs (DNS_ADDRS):
 * their count. */
static unsigned hostent_addrs(const struct hostent *h, ht_addr *addrs)
{
	unsigned n = 0;

	if (!h || !h->h_addr_list)
		return 0;
	for (char **p = h->h_addr_list; *p && n < DNS_ADDRS; p++) {
		memset(&addrs[n], 0, sizeof addrs[n]);
		if (h->h_addrtype == AF_INET && h->h_length == 4) {
			addrs[n].family = AF_INET;
			memcpy(addrs[n].addr, *p, 4);
			n++;
		} else if (h->h_addrtype == AF_INET6 && h->h_length == 16) {
			addrs[n].family = AF_INET6;
			memcpy(addrs[n].addr, *p, 16);
			n++;
		}
	}
	return n;
}

/* Lookup @k of @name by gethostbyname* ended with @h (NULL: failed,
 * @herr its h_errno): remembered for connect, its end sent. */
static void hostent_end(const lookup *k, const char *name,
			const struct hostent *h, int herr, int sys)
{
	ht_addr addrs[DNS_ADDRS];
	unsigned n;
	uint64_t t1;

	if (!ht_enter())
		return;
	t1 = ht_now();
	n = hostent_addrs(h, addrs);
	if (h)
		remember(name, k->t0, t1, addrs, n);
	else if (herr == 0)
		herr = NO_RECOVERY; /* failed, no reason given */
	lookup_end(k, name, t1, addrs, n, h ? 0 : herr, HT_DNF_HOSTENT, sys);
	ht_leave();
}

HT_EXPORT struct hostent *gethostbyname(const char *name)
{
	HT_ENSURE_INIT();
	if (unlikely(!HT_REAL(gethostbyname))) {
		h_errno = NO_RECOVERY;
		return NULL;
	}
	if (!ht_enabled || !name || ht_busy)
		return ht_real.gethostbyname(name);
	lookup k;
	lookup_begin(&k, name);
	struct hostent *h = ht_real.gethostbyname(name);
	int saved = errno, herr = h_errno;
	hostent_end(&k, name, h, herr, saved);
	errno = saved;
	h_errno = herr;
	return h;
}

HT_EXPORT int gethostbyname_r(const char *name, struct hostent *ret, char *buf,
			      size_t buflen, struct hostent **result,
			      int *h_errnop)
{
	HT_ENSURE_INIT();
	if (unlikely(!HT_REAL(gethostbyname_r)))
		return ENOSYS;
	if (!ht_enabled || !name || ht_busy)
		return ht_real.gethostbyname_r(name, ret, buf, buflen, result,
					       h_errnop);
	lookup k;
	lookup_begin(&k, name);
	int r = ht_real.gethostbyname_r(name, ret, buf, buflen, result, h_errnop);
	int saved = errno;
	/* failed: r is the errno (ERANGE: the program's buffer was too
	 * small; it may call again with a larger one, a lookup of its own) */
	hostent_end(&k, name, r == 0 && result ? *result : NULL,
		    h_errnop ? *h_errnop : 0, r ? r : saved);
	errno = saved;
	return r;
}

HT_EXPORT int gethostbyname2_r(const char *name, int af, struct hostent *ret,
			       char *buf, size_t buflen,
			       struct hostent **result, int *h_errnop)
{
	HT_ENSURE_INIT();
	if (unlikely(!HT_REAL(gethostbyname2_r)))
		return ENOSYS;
	if (!ht_enabled || !name || ht_busy)
		return ht_real.gethostbyname2_r(name, af, ret, buf, buflen,
						result, h_errnop);
	lookup k;
	lookup_begin(&k, name);
	int r = ht_real.gethostbyname2_r(name, af, ret, buf, buflen, result,
					 h_errnop);
	int saved = errno;
	hostent_end(&k, name, r == 0 && result ? *result : NULL,
		    h_errnop ? *h_errnop : 0, r ? r : saved); /* as above */
	errno = saved;
	return r;
}
