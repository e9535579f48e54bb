/*
 * tls.c - shared machinery of the TLS library hooks (see tls.h).
 */
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <stdint.h>
#include <string.h>

#include "conn_server.h"
#include "ioplan.h"
#include "sessmap.h"
#include "tls.h"
#include "tlshello.h"

HT_TLS struct ht_tls_call ht_tls_call;
HT_TLS struct ht_tls_orphan ht_tls_orphan;
HT_TLS struct ht_tls_owed ht_tls_owed;

/* ---- finding the real functions ---------------------------------------------- */

/* dl_iterate_phdr() holds the loader's list lock (dl_load_write_lock)
 * while it calls back, and dlopen() and dlsym() take the loader's main
 * lock (dl_load_lock), which a dlopen() in another thread holds while it
 * takes the list lock: a loader call from the callback is a lock-order
 * inversion, a deadlock.  So the callback only copies the file name of
 * the @skip'th object whose name starts with the prefix, and the loader
 * is called after dl_iterate_phdr() has returned. */
struct find_ctx {
	const char *prefix;
	unsigned skip;
	unsigned seen;
	char path[1024]; /* a longer name is passed over (stack budget) */
};

static int find_in_object(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct find_ctx *f = arg;
	(void)size;
	if (!info->dlpi_name || !*info->dlpi_name)
		return 0;
	const char *base = strrchr(info->dlpi_name, '/');
	base = base ? base + 1 : info->dlpi_name;
	if (strncmp(base, f->prefix, strlen(f->prefix)) != 0)
		return 0;
	if (f->seen++ < f->skip)
		return 0;
	size_t n = strlen(info->dlpi_name);
	if (n >= sizeof f->path)
		return 0;
	memcpy(f->path, info->dlpi_name, n + 1);
	return 1;
}

/* Out of line: the file name buffer stays off the callers' frames. */
__attribute__((noinline)) void *ht_tls_sym(const char *lib_prefix,
					   const char *name, const void *self)
{
	int saved = errno;
	struct find_ctx f = {.prefix = lib_prefix};
	void *found = NULL;
	/* Bounded: the list can grow while we look. */
	for (f.skip = 0; !found && f.skip < 64; f.skip++) {
		f.seen = 0;
		if (!dl_iterate_phdr(find_in_object, &f))
			break;
		/* Already loaded: RTLD_NOLOAD only hands us a handle (NULL if
		 * the object went away since).  The handle is kept (never
		 * dlclose'd) so the pointer cannot dangle. */
		void *h = dlopen(f.path, RTLD_LAZY | RTLD_NOLOAD);
		if (!h)
			continue;
		void *p = dlsym(h, name);
		if (p && p != self)
			found = p;
	}
	if (!found) {
		void *p = dlsym(RTLD_NEXT, name);
		if (p != self)
			found = p;
	}
	errno = saved;
	return found;
}

void *ht_tls_sym_resolve(void **slot, const char *lib_prefix, const char *name,
			 const void *self)
{
	void *p = ht_tls_sym(lib_prefix, name, self);
	if (p)
		__atomic_store_n(slot, p, __ATOMIC_RELEASE);
	return p;
}

/* ---- session -> fd ---------------------------------------------------------- */

/* Every session the program uses, and the socket it belongs to: mapped
 * (256 KiB, zeroed) under map_lock when the first session is stored, not
 * in .bss, which the library's file holds (Makefile, preload/lib.lds): a
 * process that never uses TLS pays nothing for it.  NULL: no session
 * stored yet, or no memory (map_failed).  A session the map cannot hold
 * (no memory, or the table full) is tied to no socket: its callers say so
 * (map_set()). */
static sessmap *map;
static ht_lock map_lock;

/* The map's mmap failed: it is not tried again in this process, nor in a
 * child forked after (which inherits this flag with the parent's memory
 * and limits), so a process short of memory pays one system call for it,
 * not one per TLS call.  Written under map_lock, read without. */
static bool map_failed;

/* The map, mapped now if it is not yet; NULL when that fails (now or
 * before).  Under map_lock. */
static sessmap *map_here(void)
{
	if (!map && !map_failed) {
		int saved = errno; /* the program's, whatever mmap says */
		map = ht_conn_env.alloc(sizeof *map);
		errno = saved;
		if (!map)
			__atomic_store_n(&map_failed, true, __ATOMIC_RELAXED);
	}
	return map;
}

/* Changes of the map that may leave a thread's ht_tls_last wrong (tls.h):
 * an entry deleted, or set to another fd.  Written under map_lock, read
 * without. */
uint64_t ht_tls_map_gen;

/* This thread's last session and its fd (tls.h): every call on a session
 * asks the map, and the answer rarely changes: while ht_tls_map_gen has not
 * moved, it is the map's without its lock.  Written under the guard, by
 * last_put() and map_del() only, each moving its seq. */
HT_TLS struct ht_tls_last ht_tls_last;

static bool last_valid(uintptr_t k)
{
	return ht_tls_last.k == k &&
	       ht_tls_last.gen ==
		       __atomic_load_n(&ht_tls_map_gen, __ATOMIC_ACQUIRE);
}

/* ht_tls_last = session @k (0: none) on @fd, the map's at generation @gen. */
static void last_put(uintptr_t k, int fd, uint64_t gen)
{
	ht_tls_last.k = k;
	ht_tls_last.fd = fd;
	ht_tls_last.gen = gen;
	ht_tls_last.seq++;
}

/* Store @fd for session @k.  Returns whether the map holds it: false when
 * the map could not be mapped or is full, and the session then has no
 * socket a later call can find (the caller must not tie it to one). */
static bool map_set(uintptr_t k, int fd)
{
	if (last_valid(k) && ht_tls_last.fd == fd)
		return true; /* stored, and unchanged since */
	if (__atomic_load_n(&map_failed, __ATOMIC_RELAXED))
		return false; /* no map, for good: no lock to take */
	ht_lock_acquire(&map_lock);
	sessmap *m = map_here();
	int old = m ? sessmap_get(m, k) : -1;
	bool stored = m && (old == fd || sessmap_set(m, k, fd) == 0);
	if (old >= 0 && old != fd)
		__atomic_store_n(&ht_tls_map_gen, ht_tls_map_gen + 1,
				 __ATOMIC_RELEASE);
	uint64_t gen = ht_tls_map_gen;
	ht_lock_release(&map_lock);
	last_put(stored ? k : 0, fd, gen);
	return stored;
}

static int map_get(uintptr_t k)
{
	if (last_valid(k))
		return ht_tls_last.fd;
	ht_lock_acquire(&map_lock);
	int fd = map ? sessmap_get(map, k) : -1;
	uint64_t gen = ht_tls_map_gen;
	ht_lock_release(&map_lock);
	last_put(fd >= 0 ? k : 0, fd, gen);
	return fd;
}

static void map_del(uintptr_t k)
{
	ht_lock_acquire(&map_lock);
	if (map)
		sessmap_del(map, k);
	__atomic_store_n(&ht_tls_map_gen, ht_tls_map_gen + 1,
			 __ATOMIC_RELEASE);
	ht_lock_release(&map_lock);
	if (ht_tls_last.k == k) {
		ht_tls_last.k = 0;
		ht_tls_last.seq++;
	}
}

/* Orphan sessions' ClientHello randoms (tlshello.h); the count of entries
 * is mirrored in ht_tls_hellos_waiting for the write hooks. */
static tlshello_table hellos;
static ht_lock hellos_lock;
unsigned ht_tls_hellos_waiting;

/* Accepted connections' ClientHello randoms, waiting for their server
 * session (tlshello.h); the count of entries is mirrored in
 * ht_tls_accepted_waiting.  Lock order: a slot's lock, then this one. */
static tlshello_accepted accepted;
static ht_lock accepted_lock;
unsigned ht_tls_accepted_waiting;

void ht_tls_after_fork(void)
{
	HT_RESET(map_lock.v, 0);
	HT_RESET(hellos_lock.v, 0);
	HT_RESET(accepted_lock.v, 0);
}

static void hellos_publish(void)
{
	__atomic_store_n(&ht_tls_hellos_waiting, hellos.used, __ATOMIC_RELAXED);
}

/* @session is tied to a socket or freed: its random is of no more use. */
static void hellos_drop(const void *session)
{
	if (!__atomic_load_n(&ht_tls_hellos_waiting, __ATOMIC_RELAXED))
		return;
	ht_lock_acquire(&hellos_lock);
	tlshello_drop(&hellos, session);
	hellos_publish();
	ht_lock_release(&hellos_lock);
}

void ht_tls_orphan_hello(const void *session, const uint8_t *random)
{
	if (!session || !ht_enter())
		return;
	uint64_t t0 = ht_tls_orphan.session == session ? ht_tls_orphan.t0 : ht_now();
	ht_lock_acquire(&hellos_lock);
	tlshello_put(&hellos, session, random, t0);
	hellos_publish();
	ht_lock_release(&hellos_lock);
	ht_leave();
}

void ht_tls_bind(const void *session, int fd)
{
	if (!session || fd < 0 || !ht_enter())
		return;
	map_set((uintptr_t)session, fd);
	ht_leave();
}

void ht_tls_forget(const void *session)
{
	if (!session || !ht_enter())
		return;
	if (ht_tls_orphan.session == session)
		ht_tls_orphan.session = NULL;
	hellos_drop(session);
	map_del((uintptr_t)session);
	ht_leave();
}

bool ht_tls_own_slow(int fd)
{
	int known = map_get((uintptr_t)ht_tls_call.session);
	/* A known socket no longer followed (closed: the session was put
	 * on another without a call we see, SSL_set_bio, or its free went
	 * unseen and its memory is a new session's) says nothing: the call
	 * ties the session as a first call would. */
	return known < 0 || known == fd || !ht_fd_followed(known);
}

int ht_tls_end(const void *session, int hint_fd)
{
	int seen = ht_tls_call.fd;
	ht_tls_call.session = NULL;
	ht_tls_call.fd = -1;
	/* The usual call: its session is this thread's last one (ht_tls_last,
	 * read whole: ht_tls_last_fd()), still the map's, on the socket the
	 * call used if it used one, and no orphan or ClientHello waits: the
	 * answer, without the guard (whose end flushes records) nor a
	 * call. */
	int last = ht_tls_last_fd(session);
	if (likely(last >= 0 && (seen < 0 || seen == last) &&
		   ht_tls_orphan.session != session && !ht_busy &&
		   !__atomic_load_n(&ht_tls_hellos_waiting, __ATOMIC_RELAXED)))
		return last;
	if (!ht_enter())
		return -1;
	int fd;
	if (seen >= 0) {
		fd = seen;
		map_set((uintptr_t)session, fd);
	} else {
		fd = map_get((uintptr_t)session);
		if (fd < 0 && hint_fd >= 0 && ht_fd_followed(hint_fd)) {
			fd = hint_fd;
			map_set((uintptr_t)session, fd);
		}
	}
	if (fd < 0 && ht_tls_orphan.session != session) {
		ht_tls_orphan.session = session;
		ht_tls_orphan.t0 = ht_now();
	} else if (fd >= 0 && ht_tls_orphan.session == session) {
		ht_tls_orphan.session = NULL;
	}
	if (fd >= 0)
		hellos_drop(session);
	ht_leave();
	return fd;
}

bool ht_tls_adopt(conn *c, int fd, const void *buf, size_t n)
{
	if (c->tls || c->bytes_out != 0 || c->mode != CONN_MODE_DETECT ||
	    n < 1 || ((const uint8_t *)buf)[0] != 0x16)
		return false;
	uint8_t random[TLSHELLO_RANDOM_LEN];
	bool hello = tlshello_random(buf, n, random);
	const void *session = NULL;
	uint64_t t0 = 0;
	if (__atomic_load_n(&ht_tls_hellos_waiting, __ATOMIC_RELAXED)) {
		ht_lock_acquire(&hellos_lock);
		if (hello)
			session = tlshello_take(&hellos, random, &t0);
		/* This thread's orphan, whose own ClientHello is known, can
		 * only be tied by that ClientHello. */
		bool known = !session && tlshello_known(&hellos, ht_tls_orphan.session);
		hellos_publish();
		ht_lock_release(&hellos_lock);
		if (known)
			return false;
	}
	if (!session && ht_tls_orphan.session &&
	    map_get((uintptr_t)ht_tls_orphan.session) < 0) {
		session = ht_tls_orphan.session;
		t0 = ht_tls_orphan.t0;
	}
	if (!session)
		return false;
	if (ht_tls_orphan.session == session)
		ht_tls_orphan.session = NULL;
	/* A session the map cannot hold would be tied to a connection its
	 * later calls cannot find: the connection would carry none of its
	 * plaintext and close as one with no request.  Left to the
	 * following of its records, it is reported as TLS not decoded. */
	if (!map_set((uintptr_t)session, fd))
		return false;
	conn_mark_tls(c);
	/* The session's earlier calls ran on no socket we saw: its handshake
	 * on this connection starts no earlier than the connection. */
	if (c->connected && t0 < c->t_connect_done)
		t0 = c->t_connect_done;
	conn_tls_start(c, t0);
	return true;
}

/* ---- a server's session tied by its ClientHello ---------------------------- */

bool ht_tls_hello_read(ht_tracked *t, int fd, const void *buf, size_t n,
		       uint64_t now)
{
	uint8_t random[TLSHELLO_RANDOM_LEN];
	if (!tlshello_random(buf, n, random))
		return false;
	ht_lock_acquire(&accepted_lock);
	tlshello_accepted_put(&accepted, fd, t->c.id, random, now);
	__atomic_store_n(&ht_tls_accepted_waiting, accepted.used, __ATOMIC_RELAXED);
	ht_lock_release(&accepted_lock);
	conn_mark_tls(&t->c);
	t->hello_wait = true;
	return true;
}

void ht_tls_hello_unclaimed(ht_tracked *t, int fd)
{
	t->hello_wait = false;
	ht_lock_acquire(&accepted_lock);
	tlshello_accepted_drop(&accepted, fd, t->c.id);
	__atomic_store_n(&ht_tls_accepted_waiting, accepted.used, __ATOMIC_RELAXED);
	ht_lock_release(&accepted_lock);
}

/* Whether the @n bytes at @p are all zero (a random not set yet). */
static bool all_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;
	for (size_t i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

int ht_tls_server_session(const void *session, const uint8_t *random)
{
	if (!session || !ht_enter())
		return -1;
	/* A server's session never writes a client's ClientHello. */
	if (ht_tls_orphan.session == session)
		ht_tls_orphan.session = NULL;
	int fd = -1;
	uint32_t id = 0;
	uint64_t t0 = 0;
	bool found = false;
	if (random && !all_zero(random, TLSHELLO_RANDOM_LEN) &&
	    __atomic_load_n(&ht_tls_accepted_waiting, __ATOMIC_RELAXED)) {
		ht_lock_acquire(&accepted_lock);
		found = tlshello_accepted_take(&accepted, random, &fd, &id, &t0);
		__atomic_store_n(&ht_tls_accepted_waiting, accepted.used,
				 __ATOMIC_RELAXED);
		ht_lock_release(&accepted_lock);
	}
	/* The connection must still be the one whose ClientHello that was,
	 * waiting: never another that took its fd since. */
	uint64_t gen = 0;
	ht_slot *s = found ? ht_slot_peek(fd, &gen) : NULL;
	bool tied = false, undecoded = false;
	if (s) {
		ht_home_lock(s);
		ht_tracked *t = ht_slot_same(s, gen) ? s->t : NULL;
		/* Tied only when the map holds the session, which its later
		 * calls find its socket by.  Otherwise (no memory for the
		 * map, or full) none of its plaintext would reach the
		 * connection: its records are followed instead, and its
		 * close says TLS not decoded (counted, as a client's is in
		 * ht_tls_adopt()), never let go unseen.  Lock order: the
		 * slot's lock, then map_lock (as in ht_tls_adopt()). */
		if (t && t->c.server && t->hello_wait && t->c.id == id) {
			t->hello_wait = false;
			if (map_set((uintptr_t)session, fd)) {
				conn_tls_start(&t->c, t0);
				t->tls_session = session;
				tied = true;
			} else {
				t->probe = false;
				conn_server_tls_undecoded(&t->c, t0);
				undecoded = true;
			}
		}
		ht_lock_release(&s->lock);
	}
	/* the collector is wanted for its close */
	if (undecoded)
		ht_want_collector(s);
	ht_leave();
	return tied ? fd : -1;
}

/* ---- delivering to the connection ------------------------------------------- */

/* Lock @fd's slot and return its tracked connection, marked TLS; NULL (and
 * nothing locked) when the fd is not tracked, or its connection ended
 * before the lock was had (its memory may be another's by then).  Caller
 * holds the guard. */
static ht_tracked *lock_tls_conn(int fd, ht_slot **sp)
{
	uint64_t gen;
	ht_slot *s = ht_slot_peek(fd, &gen);
	if (!s)
		return NULL;
	ht_home_lock(s);
	if (!ht_slot_same(s, gen)) {
		ht_lock_release(&s->lock);
		return NULL;
	}
	conn_mark_tls(&s->t->c);
	*sp = s;
	return s->t;
}

bool ht_tls_session_conn(const void *session, int fd)
{
	if (!session || !ht_enter())
		return false;
	uint64_t gen;
	ht_slot *s = ht_slot_peek(fd, &gen);
	bool mine = false;
	if (s) {
		ht_home_lock(s);
		mine = ht_slot_same(s, gen) && s->t->c.tls &&
		       s->t->tls_session == session;
		ht_lock_release(&s->lock);
	}
	ht_leave();
	return mine;
}

void ht_tls_handshake_started(int fd, uint64_t t0)
{
	if (fd < 0 || !ht_enter())
		return;
	ht_slot *s;
	ht_tracked *t = lock_tls_conn(fd, &s);
	if (t) {
		conn_tls_start(&t->c, t0);
		ht_lock_release(&s->lock);
	}
	ht_leave();
}

bool ht_tls_handshake_needed(int fd)
{
	bool needed = false;
	/* Asked after every TLS call: a connection marked TLS whose
	 * handshake is done is seen so without the lock (nothing to mark,
	 * nothing needed).  Read as ht_write_begin() reads a connection,
	 * then its generation again: memory another connection took
	 * meanwhile (this fd's ended) takes the locked path, as does an fd
	 * reused for a new connection (a new one here, or the same memory
	 * reset by conn_init(): not done), and one whose TLS starts again
	 * (the session inside a tunnel, tunnel_open(): t_tls_done 0). */
	uint64_t gen;
	ht_slot *ps = ht_slot_peek(fd, &gen);
	if (!ps)
		return false;
	ht_tracked *pt = ht_home_tracked(ps);
	bool done = __atomic_load_n(&pt->c.tls, __ATOMIC_RELAXED) &&
		    __atomic_load_n(&pt->c.t_tls_done, __ATOMIC_RELAXED) != 0;
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (done && ht_conn_gen(pt) == gen &&
	    __atomic_load_n(&ps->t, __ATOMIC_RELAXED) != NULL)
		return false;
	if (!ht_enter())
		return false;
	ht_slot *s;
	ht_tracked *t = lock_tls_conn(fd, &s);
	if (t) {
		needed = !t->c.t_tls_done && conn_wants_bytes(&t->c);
		ht_lock_release(&s->lock);
	}
	ht_leave();
	return needed;
}

void ht_tls_handshake_done(int fd, uint64_t now, const char *version,
			   const char *alpn, size_t alpn_len)
{
	if (fd < 0 || !ht_enter())
		return;
	char a[CONN_ALPN_MAX];
	size_t n = alpn ? (alpn_len < sizeof a - 1 ? alpn_len : sizeof a - 1) : 0;
	if (n)
		memcpy(a, alpn, n);
	a[n] = '\0';
	ht_slot *s;
	ht_tracked *t = lock_tls_conn(fd, &s);
	if (t) {
		conn_tls_done(&t->c, now, version, a);
		ht_lock_release(&s->lock);
	}
	ht_leave();
}

void ht_tls_handshake_failed(int fd, uint64_t now)
{
	if (fd < 0 || !ht_enter())
		return;
	ht_slot *s;
	ht_tracked *t = lock_tls_conn(fd, &s);
	if (t && t->probe) {
		/* a server's client, or a client's Unix socket, that never
		 * got as far as HTTP: nothing to say (no record, no
		 * collector wanted) */
		conn_forget(&t->c);
		ht_slot_release(s, t);
	} else if (t) {
		conn_tls_failed(&t->c, now);
		ht_lock_release(&s->lock);
	}
	ht_leave();
}

/* ---- writes in flight ---------------------------------------------------------- */

void ht_tls_owe(ht_slot *s)
{
	if (ht_tls_owed.slot != s && ht_tls_owed.n) {
		/* another socket in the same call: the first one's writes
		 * end now */
		ht_writes_end(ht_tls_owed.slot, ht_tls_owed.n);
		ht_tls_owed.n = 0;
	}
	ht_tls_owed.slot = s;
	ht_tls_owed.n++;
}

/* Take what this thread owes on @s (0 when nothing). */
static unsigned take_owed(ht_slot *s)
{
	if (ht_tls_owed.slot != s)
		return 0;
	unsigned n = ht_tls_owed.n;
	ht_tls_owed.slot = NULL;
	ht_tls_owed.n = 0;
	return n;
}

void ht_tls_settle_slow(void)
{
	ht_slot *s = ht_tls_owed.slot;
	unsigned n = take_owed(s);
	if (!ht_enter()) {
		/* nothing can be fed now: the writes end, what is held waits
		 * for the connection's next event */
		ht_writes_end_unlocked(s, n);
		return;
	}
	ht_writes_end(s, n);
	ht_leave();
}

/* ---- delivering to the connection ------------------------------------------- */

/* ht_tls_plaintext() for a server's connection @t (slot locked): what it
 * read is the request, what it wrote the response (conn_server.h); on
 * probation, its first plaintext read decides.  Returns true when @t is to
 * be forgotten; sets *@now_http when it passed probation. */
static bool server_plaintext(ht_tracked *t, bool out, const void *buf,
			     size_t n, uint64_t now, bool *now_http)
{
	conn *c = &t->c;

	if (t->probe) {
		if (n == 0 && out)
			return false;
		if (ht_server_probe_settle(t, conn_server_probe(c, !out, buf, n),
					   now_http))
			return true;
	}
	if (n > 0 && out)
		conn_server_write(c, buf, n, now);
	else if (n > 0) {
		conn_server_read_call(c, n);
		conn_server_read(c, buf, n, now);
	} else {
		conn_server_eof(c, now);
	}
	return ht_server_probe_fed(t, now_http);
}

/* ht_tls_plaintext() for a client's Unix socket @t on probation, its TLS a
 * hooked session's (slot @s locked, released here): the first plaintext
 * decides (ioplan_probe_plain()); anything but HTTP and it is forgotten
 * without a record, as it would have been in the clear. */
static void client_probe_plaintext(ht_slot *s, ht_tracked *t, bool out,
				   const void *buf, size_t n, uint64_t now)
{
	conn *c = &t->c;
	unsigned owed;

	switch (ioplan_probe_plain(out, buf, n, c->mode == CONN_MODE_HTTP2)) {
	case IOPLAN_PROBE_HTTP:
		t->probe = false;
		owed = take_owed(s);
		if (out)
			conn_on_write(c, buf, n, now);
		if (owed)
			ht_writes_end_locked(s, owed);
		if (!out && ht_writing(s))
			conn_hold(c, CONN_IN_READ, buf, n, now);
		else if (!out)
			conn_in(c, CONN_IN_READ, buf, n, now);
		ht_lock_release(&s->lock);
		/* the collector is wanted now */
		ht_want_collector(s);
		return;
	case IOPLAN_PROBE_FORGET:
		owed = take_owed(s);
		conn_forget(c);
		if (owed)
			ht_writes_end_locked(s, owed);
		ht_slot_release(s, t);
		return;
	default:
		/* an empty write: nothing yet */
		owed = take_owed(s);
		if (owed)
			ht_writes_end_locked(s, owed);
		ht_lock_release(&s->lock);
		return;
	}
}

void ht_tls_made(int fd, uint64_t n)
{
	if (fd < 0 || !ht_enter())
		return;
	ht_slot *s;
	ht_tracked *t = lock_tls_conn(fd, &s);
	if (t) {
		conn_tls_made(&t->c, n);
		ht_lock_release(&s->lock);
	}
	ht_leave();
}

void ht_tls_plaintext(int fd, bool out, const void *buf, size_t n, uint64_t now)
{
	if (fd < 0 || !ht_enter())
		return;
	ht_call_ns = now; /* the records this makes flush with it */
	ht_slot *s;
	ht_tracked *t = lock_tls_conn(fd, &s);
	if (t && t->c.server) {
		bool now_http = false;
		unsigned owed = take_owed(s);
		bool forget = server_plaintext(t, out, buf, n, now, &now_http);
		if (forget)
			conn_forget(&t->c);
		if (owed)
			ht_writes_end_locked(s, owed);
		ht_slot_release(s, forget ? t : NULL);
		if (now_http)
			ht_want_collector(s);
	} else if (t && t->probe) {
		client_probe_plaintext(s, t, out, buf, n, now);
	} else if (t) {
		conn *c = &t->c;
		/* This call's own socket writes carry the plaintext written
		 * (fed first) or none (a read's handshake messages). */
		unsigned owed = take_owed(s);
		if (n > 0 && out)
			conn_on_write(c, buf, n, now);
		if (owed)
			ht_writes_end_locked(s, owed);
		bool hold = ht_writing(s);
		if (n > 0 && !out && hold)
			conn_hold(c, CONN_IN_READ, buf, n, now);
		else if (n > 0 && !out)
			conn_in(c, CONN_IN_READ, buf, n, now);
		else if (!out && hold)
			conn_hold(c, CONN_IN_EOF, NULL, 0, now);
		else if (!out)
			conn_in(c, CONN_IN_EOF, NULL, 0, now);
		ht_lock_release(&s->lock);
	}
	ht_leave();
}
