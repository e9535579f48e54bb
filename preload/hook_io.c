/*
 * hook_io.c - the socket I/O calls: read/write, readv/writev, send/recv,
 * sendto/recvfrom, sendmsg/recvmsg and the fortified __*_chk variants.
 *
 * Each hook makes the real call first, then, only when the fd is tracked,
 * hands the bytes that actually moved to the connection's state machine.
 * An untracked fd costs one table probe.  The program's arguments are read
 * only as far as the real call read them, and only after it succeeded (a
 * msghdr the kernel could not read is never touched; of the buffers, only
 * the bytes the call moved).  Peeked bytes (MSG_PEEK) are not fed: the
 * program reads them again; nor are out-of-band bytes (MSG_OOB) and the
 * error queue (MSG_ERRQUEUE), which are not the stream.  Bytes discarded
 * unread (MSG_TRUNC: the kernel drops them and leaves the buffer as it
 * was) are only counted: conn_on_unseen().
 *
 * A write on a tracked fd is counted in flight from before the real call
 * until its bytes are fed (ht_write_begin()): a read that completes in the
 * meantime, on another thread, may carry the answer to them, so its bytes
 * are held (conn_hold()) and fed after the write's, by whichever thread
 * ends last.  Inside a TLS call the socket write ends only when the TLS
 * hook has fed the plaintext it carried (tls.h, ht_tls_owe()).
 *
 * What a call's outcome does to its connection is decided in
 * core/ioplan.c (pure, unit-tested); track_io() performs it.
 */
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "conn_server.h"
#include "ht.h"
#include "ioplan.h"
#include "tls.h"

HT_TLS uint64_t ht_call_ns;

/* Feed the first @n bytes described by @iov to @c in direction @out; read
 * bytes are held when @hold (a write is in flight). */
static void feed(conn *c, bool out, bool hold, const struct iovec *iov,
		 size_t iovcnt, size_t n, uint64_t now)
{
	for (size_t i = 0; i < iovcnt && n > 0; i++) {
		size_t len = iov[i].iov_len < n ? iov[i].iov_len : n;
		if (len == 0)
			continue;
		if (out)
			conn_on_write(c, iov[i].iov_base, len, now);
		else if (hold)
			conn_hold(c, CONN_IN_READ, iov[i].iov_base, len, now);
		else
			conn_in(c, CONN_IN_READ, iov[i].iov_base, len, now);
		n -= len;
	}
}

/* The read-side event @kind (no bytes) on @c: held when @hold. */
static void feed_in(conn *c, bool hold, conn_in_kind kind, size_t len,
		    uint64_t now)
{
	if (hold)
		conn_hold(c, kind, NULL, len, now);
	else
		conn_in(c, kind, NULL, len, now);
}

static size_t iov_total(const struct iovec *iov, size_t iovcnt)
{
	size_t n = 0;
	for (size_t i = 0; i < iovcnt; i++)
		n += iov[i].iov_len;
	return n;
}

/* The first @n bytes described by @iov, ciphertext a TLS session wrote on
 * @c, to conn_tls_hello_out() while it wants them (its ClientHello). */
static void feed_hello(conn *c, const struct iovec *iov, size_t iovcnt,
		       size_t n, uint64_t now)
{
	for (size_t i = 0; i < iovcnt && n > 0 && conn_tls_hello_wanted(c); i++) {
		size_t len = iov[i].iov_len < n ? iov[i].iov_len : n;

		conn_tls_hello_out(c, iov[i].iov_base, len, now);
		n -= len;
	}
}

/* Feed @c what plan @p says the call @k moved (slot locked). */
static void feed_planned(conn *c, const ioplan_call *k, const ioplan *p,
			 const struct iovec *iov, size_t iovcnt, uint64_t now)
{
	size_t n = k->ret > 0 ? (size_t)k->ret : 0;
	switch (p->feed) {
	case IOPLAN_FEED_TRANSPORT:
		/* written by a TLS call in its handshake: the start the hook
		 * reports after it, shown from now on */
		if (k->out && n && ht_tls_call.session)
			conn_tls_call_wrote(c, ht_tls_call.t0, now);
		conn_on_transport(c, k->out, n, now);
		if (k->out && conn_tls_hello_wanted(c))
			feed_hello(c, iov, iovcnt, n, now);
		break;
	case IOPLAN_FEED_UNSEEN:
		feed_in(c, p->hold, CONN_IN_UNSEEN, n, now);
		break;
	case IOPLAN_FEED_BYTES:
		feed(c, k->out, p->hold, iov, iovcnt, n, now);
		break;
	case IOPLAN_FEED_EOF:
		if (p->connect_first)
			conn_connected(c, now);
		feed_in(c, p->hold, CONN_IN_EOF, 0, now);
		break;
	case IOPLAN_FEED_NONE:
		break;
	}
}

/* The hole marked on @t (track_io_busy(), another thread or a signal
 * handler), cleared; 0 when none.  A load first: the exchange is a locked
 * instruction, paid only when there is a mark (one seen a moment later
 * is the next call's, as it would be had it come after the exchange). */
static inline int take_missed(ht_tracked *t)
{
	if (likely(__atomic_load_n(&t->missed, __ATOMIC_ACQUIRE) == 0))
		return 0;
	return __atomic_exchange_n(&t->missed, 0, __ATOMIC_ACQ_REL);
}

/*
 * The call @k on @t's connection, followed (slot locked, guard held):
 * perform what ioplan.h decides.  @iov/@iovcnt: the program's buffers.
 * Sets *@dead (NULL on entry) to @t when the connection ends here.
 */
static void follow(ht_tracked *t, int fd, const ioplan_call *k,
		   const struct iovec *iov, size_t iovcnt, uint64_t now,
		   ht_tracked **dead)
{
	conn *c = &t->c;
	bool was_connected = c->connected;
	int missed = take_missed(t);
	if (unlikely(missed == HT_MISSED_STDIO && c->mode == CONN_MODE_DETECT)) {
		/* a FILE opened before its first bytes: they say what it
		 * speaks (its requests then counted, not followed): given up
		 * at the call after (server_io() does the same) */
		__atomic_store_n(&t->missed, missed, __ATOMIC_RELEASE);
	} else if (unlikely(missed)) {
		if (!now)
			now = ht_now(); /* io_timed() said none was needed */
		conn_give_up(c, HT_ERR_UNFOLLOWED, ht_missed_why(missed, false),
			     now);
	}
	switch (ioplan_tls_decide(k)) {
	case IOPLAN_TLS_MARK:
		if (ht_tls_call.fd < 0)
			ht_tls_call.fd = fd;
		conn_mark_tls(c);
		t->tls_session = ht_tls_call.session;
		break;
	case IOPLAN_TLS_ADOPT:
		ht_tls_adopt(c, fd, k->first, k->first_len);
		break;
	case IOPLAN_TLS_NONE:
		break;
	}
	ioplan p = ioplan_feed_decide(k, c->tls, c->connected, c->failed);
	feed_planned(c, k, &p, iov, iovcnt, now);
	/* A signal interrupted the call: marked until the next call on the
	 * connection says the program went on (a close first: conn_close()
	 * reports what was in flight as interrupted). */
	ht_intr_set(c, k->ret < 0 && k->err == EINTR);
	if (p.end == IOPLAN_END_CONNECT_FAILED) {
		conn_connect_failed(c, k->err, now);
		*dead = t;
	} else if (p.end == IOPLAN_END_RESET) {
		feed_in(c, p.hold, CONN_IN_RESET, 0, now);
	}
	/* Connected by this call: the lookup's time counts here. */
	if (!*dead && !was_connected && c->connected) {
		ht_dns_consume(t->dns_slot, t->dns_gen);
		t->dns_slot = -1;
	}
}

/* Nothing of the call on @s can be fed (the thread is inside the library;
 * or @s was found before a signal handler forked this child, the call the
 * parent's: ht_gen_forked()): the write ends (what is held waits for the
 * next event); bytes moved leave a hole on @s's connection, if still it. */
static void track_io_busy(ht_slot *s, uint64_t gen, bool out, ssize_t ret)
{
	if (ret > 0) {
		ht_tracked *m = __atomic_load_n(&s->t, __ATOMIC_ACQUIRE);
		if (m && ht_conn_gen(m) == gen)
			__atomic_store_n(&m->missed, HT_MISSED_SIGNAL,
					 __ATOMIC_RELEASE);
	}
	if (out)
		ht_writes_end_unlocked(s, 1);
}

/* What track_io() knows of a call, for ioplan.h (the arguments are
 * track_io()'s; @in_tls: made on the socket of this thread's TLS call,
 * ht_tls_own()); @hold is left for the caller to say under the lock. */
static ioplan_call io_call(bool out, const struct iovec *iov, size_t iovcnt,
			   ssize_t ret, int err, bool unseen, bool in_tls)
{
	ioplan_call k = {
		.ret = ret,
		.err = err,
		.out = out,
		.unseen = unseen,
		.asked = ret == 0 && !out && iov_total(iov, iovcnt) > 0,
		.in_tls = in_tls,
		.adoptable = out && unlikely(ht_tls_adoptable()),
	};
	if (ret > 0 && iovcnt > 0 && !unseen) {
		k.first = iov[0].iov_base;
		k.first_len = iov[0].iov_len < (size_t)ret ? iov[0].iov_len
							   : (size_t)ret;
	}
	return k;
}

/* Whether the call @k uses the time: it moved bytes, saw the end of the
 * stream, or ended the connection (ioplan.h); a call that moved nothing
 * (EAGAIN, EINTR) does not (but for bytes missed before it: follow() and
 * server_io() then read the clock themselves). */
static bool io_timed(const ioplan_call *k)
{
	return k->ret >= 0 || ioplan_fatal(k->err) || k->err == ECONNREFUSED;
}

/*
 * track_io() for a server connection @t, the call @k (slot locked, guard
 * held): the direction turned round (conn_server.h), reads never held.
 * @iov/@iovcnt: the program's buffers.  Returns true when @t is to be
 * forgotten: on probation, its first bytes said it is not HTTP.  Sets
 * *@now_http when they said it is.
 */
static bool server_io(ht_tracked *t, int fd, const ioplan_call *k,
		      const struct iovec *iov, size_t iovcnt, uint64_t now,
		      bool *now_http)
{
	conn *c = &t->c;
	bool out = k->out;

	int missed = take_missed(t);
	if (unlikely(missed == HT_MISSED_STDIO && t->probe)) {
		/* a FILE opened before its first bytes: they say whether it
		 * speaks HTTP (its first request then counted): given up at
		 * the call after (follow() does the same) */
		__atomic_store_n(&t->missed, missed, __ATOMIC_RELEASE);
	} else if (unlikely(missed)) {
		if (t->probe)
			return true;
		if (!now)
			now = ht_now(); /* io_timed() said none was needed */
		conn_give_up(c, HT_ERR_UNFOLLOWED, ht_missed_why(missed, true),
			     now);
		c->mode = CONN_MODE_OPAQUE; /* the requests' framing too */
	}
	if (k->in_tls) {
		/* A TLS library moves a session's ciphertext: its plaintext
		 * comes from the TLS hooks, and decides the probation. */
		if (ht_tls_call.fd < 0)
			ht_tls_call.fd = fd;
		conn_mark_tls(c);
		t->tls_session = ht_tls_call.session;
	} else if (t->probe && !c->tls && !out && k->ret > 0 && !k->unseen) {
		/* A ClientHello the program reads itself, for a session with
		 * memory BIOs: marks the connection TLS until it is tied. */
		ht_tls_hello_read(t, fd, k->first, k->first_len, now);
	} else if (t->hello_wait && out && k->ret > 0) {
		/* The server answers a ClientHello no hooked session took:
		 * a TLS library not followed. */
		ht_tls_hello_unclaimed(t, fd);
		return true;
	}
	if (c->tls) {
		if (k->ret > 0)
			conn_on_transport(c, !out, (size_t)k->ret, now);
		else if (k->ret < 0 && ioplan_fatal(k->err) && !t->probe)
			conn_on_reset(c, now);
		return false;
	}
	if (t->probe) {
		if (k->ret < 0 || (k->ret == 0 && out))
			return false; /* nothing moved yet */
		if (k->unseen)
			return true;
		if (ht_server_probe_settle(t, conn_server_probe(c, !out, k->first,
							       k->first_len),
					   now_http))
			return true;
	}
	if (k->ret > 0 && k->unseen) {
		conn_server_read_unseen(c, (size_t)k->ret, now);
	} else if (k->ret > 0) {
		size_t n = (size_t)k->ret;
		if (!out)
			conn_server_read_call(c, n);
		for (size_t i = 0; i < iovcnt && n > 0; i++) {
			size_t len = iov[i].iov_len < n ? iov[i].iov_len : n;
			if (out)
				conn_server_write(c, iov[i].iov_base, len, now);
			else
				conn_server_read(c, iov[i].iov_base, len, now);
			n -= len;
		}
	} else if (k->ret == 0 && !out && k->asked) {
		conn_server_eof(c, now);
	} else if (k->ret < 0 && ioplan_fatal(k->err)) {
		conn_on_reset(c, now);
	}
	return t->probe && ht_server_probe_fed(t, now_http);
}

void ht_want_collector(ht_slot *s)
{
	ht_emit_want();
	/* Adopted whenever there is a page, not only when this call made
	 * it: another thread's connection may have made it after this
	 * one's first requests began without it (a threaded server's first
	 * connections).  Once per connection; a request with a slot is left
	 * alone. */
	if (__atomic_load_n(&ht_live_page, __ATOMIC_ACQUIRE) == NULL)
		return;
	ht_home_lock(s);
	if (s->t) {
		conn_live_adopt(&s->t->c);
		/* the program has these requests: a write of their
		 * responses may be in flight */
		ht_server_wmark_sync(s);
	}
	ht_lock_release(&s->lock);
}

/* A read that would block, inside a TLS call, on a server's connection
 * marked TLS and past its probation (the usual last read of an event
 * loop's SSL_read, once per request served over TLS): it moves nothing,
 * and all server_io() would do is tell the TLS call its socket.  Done so,
 * and true, when the connection is seen so without the lock, read as
 * ht_tls_handshake_needed() reads one: the fields, then its generation
 * again.  Anything else (another connection in the memory by now, a hole
 * marked, a client's connection) takes the locked path: false.  The call
 * is the TLS call's own (ht_tls_own_fast()). */
static bool tls_read_blocked(ht_slot *s, uint64_t gen, int fd)
{
	ht_tracked *t = ht_home_tracked(s);
	bool quiet = __atomic_load_n(&t->c.server, __ATOMIC_RELAXED) &&
		     __atomic_load_n(&t->c.tls, __ATOMIC_RELAXED) &&
		     !__atomic_load_n(&t->probe, __ATOMIC_RELAXED) &&
		     __atomic_load_n(&t->missed, __ATOMIC_RELAXED) == 0;
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (!quiet || ht_conn_gen(t) != gen ||
	    __atomic_load_n(&s->t, __ATOMIC_RELAXED) == NULL)
		return false;
	if (ht_tls_call.fd < 0)
		ht_tls_call.fd = fd;
	return true;
}

/*
 * The real call on tracked slot @s moved @ret bytes (or failed with @err):
 * update the connection, if @s still holds the one of generation @gen that
 * ht_slot_peek() found before the call.  @iov/@iovcnt describe the
 * program's buffers, as the call read them (only looked at when @ret >=
 * 0); @unseen: the @ret bytes read went by unread (MSG_TRUNC), the
 * buffers hold none of them.
 * A write (@out) was counted in flight by ht_write_begin(): it ends here.
 */
static void track_io(ht_slot *s, uint64_t gen, int fd, bool out,
		     const struct iovec *iov, size_t iovcnt, ssize_t ret,
		     int err, bool unseen)
{
	/* No vfork-child test here (a system call per I/O): a vfork child
	 * only closes and dups fds before exec, and those hooks check. */
	bool would_block = !out && ret < 0 &&
			   (err == EAGAIN || err == EWOULDBLOCK);
	/* The usual last read of a TLS call, seen to be on its own socket
	 * without the guard (ht_tls_own_fast()). */
	if (ht_tls_call.session && would_block && !ht_busy &&
	    ht_tls_own_fast(fd)) {
		ht_tls_call.blocked = true;
		if (tls_read_blocked(s, gen, fd))
			return;
	}
	if (ht_gen_forked(gen) || !ht_enter()) {
		track_io_busy(s, gen, out, ret);
		return;
	}
	/* Inside a TLS call, only a call on its own socket is the library's
	 * (ht_tls_own()): one on another connection (a signal handler's, a
	 * BIO or info callback's poll) is followed as outside any, and tells
	 * the TLS call nothing. */
	bool in_tls = ht_tls_call.session && ht_tls_own(fd);
	if (in_tls)
		ht_tls_call.blocked = would_block;
	ioplan_call k = io_call(out, iov, iovcnt, ret, err, unseen, in_tls);
	uint64_t now = 0;
	if (io_timed(&k)) {
		/* one reading for the call: the records it flushes, and,
		 * inside a TLS call, the plaintext it moved (ht_tls_close()) */
		now = ht_now();
		ht_call_ns = now;
		if (k.in_tls)
			ht_tls_call.now = now;
	}
	/* A socket write inside a TLS call ends once the TLS hook fed its
	 * plaintext. */
	bool owed = out && k.in_tls;
	if (owed)
		ht_tls_owe(s);
	ht_home_lock(s);
	/* The connection the call was made on, or none: it ended while the
	 * call blocked, and its memory may be another connection's now. */
	ht_tracked *t = ht_slot_same(s, gen) ? s->t : NULL, *dead = NULL;
	bool now_http = false;
	/* shared by a fork with requests in flight: the kernel proves, before
	 * the call is fed, that no other process moved a byte on it */
	ht_tracked *shared = t && unlikely(t->c.fork_shared) && io_timed(&k) ?
				     t : NULL;
	if (shared)
		ht_shared_check(fd, &t->c, out, ret > 0 ? (uint64_t)ret : 0,
				now);
	if (t && t->c.server) {
		if (server_io(t, fd, &k, iov, iovcnt, now, &now_http)) {
			conn_forget(&t->c);
			dead = t;
		}
		t = NULL; /* followed */
	}
	k.hold = !out && ht_writing(s);
	ioplan_probe probe = IOPLAN_PROBE_GO_ON;
	if (t && t->probe)
		probe = ioplan_probe_decide(&k, t->c.tls);
	if (probe == IOPLAN_PROBE_FORGET) {
		/* no record: nothing of it was ever followed */
		conn_forget(&t->c);
		dead = t;
	} else if (t && probe != IOPLAN_PROBE_WAIT) {
		if (probe == IOPLAN_PROBE_HTTP) {
			t->probe = false;
			now_http = true;
		}
		follow(t, fd, &k, iov, iovcnt, now, &dead);
		/* A ClientHello no hooked session claimed: TLS no hook
		 * decodes, followed as on TCP (its close says so). */
		if (probe == IOPLAN_PROBE_TLS && !t->c.tls && !dead) {
			t->probe = false;
			now_http = true;
		}
	}
	if (shared && shared != dead)
		conn_shared_settle(&shared->c);
	if (out && !owed)
		ht_writes_end_locked(s, 1);
	ht_slot_release(s, dead);
	/* A Unix socket, or a server's connection, that carries HTTP (or
	 * TLS no hook decodes): the collector is wanted now. */
	if (now_http)
		ht_want_collector(s);
	ht_leave();
}

/* The rest of a hook with one contiguous buffer on tracked slot @s (found
 * as generation @gen), once
 * the real call returned @ret with errno @err: follow it (@unseen: see
 * track_io()), and return what the call returned, errno as it left it. */
static ssize_t io_done(ht_slot *s, uint64_t gen, int fd, bool out,
		       const void *buf, size_t len, bool unseen, ssize_t ret,
		       int err)
{
	struct iovec v = {(void *)buf, len};
	track_io(s, gen, fd, out, &v, 1, ret, err, unseen);
	errno = err;
	return ret;
}

#define REAL_OR(fn, fallback) (likely(HT_REAL(fn) != NULL) ? ht_real.fn : (fallback))

static ssize_t sys_read(int fd, void *b, size_t n)
{
	return syscall(SYS_read, fd, b, n);
}
static ssize_t sys_write(int fd, const void *b, size_t n)
{
	return syscall(SYS_write, fd, b, n);
}
static ssize_t sys_readv(int fd, const struct iovec *v, int n)
{
	return syscall(SYS_readv, fd, v, n);
}
static ssize_t sys_writev(int fd, const struct iovec *v, int n)
{
	return syscall(SYS_writev, fd, v, n);
}
static ssize_t sys_send(int fd, const void *b, size_t n, int f)
{
	return syscall(SYS_sendto, fd, b, n, f, NULL, 0);
}
static ssize_t sys_recv(int fd, void *b, size_t n, int f)
{
	return syscall(SYS_recvfrom, fd, b, n, f, NULL, NULL);
}
static ssize_t sys_sendto(int fd, const void *b, size_t n, int f,
			  const struct sockaddr *a, socklen_t l)
{
	return syscall(SYS_sendto, fd, b, n, f, a, l);
}
static ssize_t sys_recvfrom(int fd, void *b, size_t n, int f,
			    struct sockaddr *a, socklen_t *l)
{
	return syscall(SYS_recvfrom, fd, b, n, f, a, l);
}
static ssize_t sys_sendmsg(int fd, const struct msghdr *m, int f)
{
	return syscall(SYS_sendmsg, fd, m, f);
}
static ssize_t sys_recvmsg(int fd, struct msghdr *m, int f)
{
	return syscall(SYS_recvmsg, fd, m, f);
}

/* The rest of read(): not inlined into the hook, so that the hook's
 * fast path saves no registers. */
static __attribute__((noinline)) ssize_t read_traced(int fd, void *buf, size_t n)
{
	HT_ENSURE_INIT();
	uint64_t gen = 0;
	ht_slot *s = ht_slot_peek(fd, &gen);
	if (likely(!s))
		return REAL_OR(read, sys_read)(fd, buf, n);
	ssize_t r = REAL_OR(read, sys_read)(fd, buf, n);
	return io_done(s, gen, fd, false, buf, n, false, r, errno);
}

HT_EXPORT ssize_t read(int fd, void *buf, size_t n)
{
	/* untracked: call through, nothing else (a tail call) */
	if (ht_untracked_fast(fd) && likely(HT_REAL(read) != NULL))
		return ht_real.read(fd, buf, n);
	return read_traced(fd, buf, n);
}

HT_EXPORT ssize_t __read_chk(int fd, void *buf, size_t n, size_t buflen)
{
	/* The fortified read checks the size then reads: do the same. */
	if (unlikely(n > buflen) && HT_REAL(__read_chk))
		return ht_real.__read_chk(fd, buf, n, buflen);
	HT_ENSURE_INIT();
	uint64_t gen = 0;
	ht_slot *s = ht_slot_peek(fd, &gen);
	if (likely(!s))
		return REAL_OR(read, sys_read)(fd, buf, n);
	ssize_t r = REAL_OR(read, sys_read)(fd, buf, n);
	return io_done(s, gen, fd, false, buf, n, false, r, errno);
}

/* The rest of write(): not inlined into the hook, so that the hook's
 * fast path saves no registers. */
static __attribute__((noinline)) ssize_t write_traced(int fd, const void *buf, size_t n)
{
	HT_ENSURE_INIT();
	uint64_t gen = 0;
	ht_slot *s = ht_slot_peek(fd, &gen);
	if (likely(!s) || !ht_write_begin(s, gen))
		return REAL_OR(write, sys_write)(fd, buf, n);
	ssize_t r = REAL_OR(write, sys_write)(fd, buf, n);
	return io_done(s, gen, fd, true, buf, n, false, r, errno);
}

HT_EXPORT ssize_t write(int fd, const void *buf, size_t n)
{
	/* untracked: call through, nothing else (a tail call) */
	if (ht_untracked_fast(fd) && likely(HT_REAL(write) != NULL))
		return ht_real.write(fd, buf, n);
	return write_traced(fd, buf, n);
}

/* The rest of send(): not inlined into the hook, so that the hook's
 * fast path saves no registers. */
static __attribute__((noinline)) ssize_t send_traced(int fd, const void *buf, size_t n, int flags)
{
	HT_ENSURE_INIT();
	uint64_t gen = 0;
	ht_slot *s = ht_slot_peek(fd, &gen);
	if (likely(!s) || !ht_write_begin(s, gen))
		return REAL_OR(send, sys_send)(fd, buf, n, flags);
	ssize_t r = REAL_OR(send, sys_send)(fd, buf, n, flags);
	return io_done(s, gen, fd, true, buf, n, false, r, errno);
}

HT_EXPORT ssize_t send(int fd, const void *buf, size_t n, int flags)
{
	/* untracked: call through, nothing else (a tail call) */
	if (ht_untracked_fast(fd) && likely(HT_REAL(send) != NULL))
		return ht_real.send(fd, buf, n, flags);
	return send_traced(fd, buf, n, flags);
}

/* A send with MSG_FASTOPEN on @fd, @t0 its start when @fd is not tracked
 * (@s NULL), returned @ret with errno @err: it may have opened the
 * connection to @a (ht_fastopen_seen(); @since, @fg: before the call).
 * Returns the slot to feed (its generation in *@gen), or NULL. */
static ht_slot *fastopen_done(ht_slot *s, uint64_t *gen, int fd,
			      const struct sockaddr *a, socklen_t alen,
			      uint64_t t0, unsigned since, unsigned fg,
			      ssize_t ret, int err, ht_connect_pre *pre)
{
	return s ? s : ht_fastopen_seen(fd, a, alen, t0, since, fg, ret, err,
					gen, pre);
}

/* The rest of sendto() with MSG_FASTOPEN: it may connect. */
static __attribute__((noinline)) ssize_t
sendto_fastopen(int fd, const void *buf, size_t n, int flags,
		const struct sockaddr *a, socklen_t alen)
{
	HT_ENSURE_INIT();
	uint64_t gen = 0;
	ht_slot *s = ht_slot_peek(fd, &gen);
	/* ended by track_io(), as every write */
	if (s && !ht_write_begin(s, gen))
		return REAL_OR(sendto, sys_sendto)(fd, buf, n, flags, a, alen);
	uint64_t t0 = s ? 0 : ht_now();
	unsigned since = s ? 0 : ht_fd_changes(fd), fg = ht_fork_gen;
	/* the connection shown connecting from before the call */
	ht_connect_pre pre;
	if (!s)
		ht_connect_before(fd, t0, &pre);
	ssize_t r = REAL_OR(sendto, sys_sendto)(fd, buf, n, flags, a, alen);
	int e = errno;
	s = fastopen_done(s, &gen, fd, a, alen, t0, since, fg, r, e, &pre);
	if (!s) {
		errno = e;
		return r;
	}
	return io_done(s, gen, fd, true, buf, n, false, r, e);
}

HT_EXPORT ssize_t sendto(int fd, const void *buf, size_t n, int flags,
			 const struct sockaddr *a, socklen_t alen)
{
	if (unlikely(flags & MSG_FASTOPEN))
		return sendto_fastopen(fd, buf, n, flags, a, alen);
	HT_ENSURE_INIT();
	uint64_t gen = 0;
	ht_slot *s = ht_slot_peek(fd, &gen);
	if (likely(!s) || !ht_write_begin(s, gen))
		return REAL_OR(sendto, sys_sendto)(fd, buf, n, flags, a, alen);
	ssize_t r = REAL_OR(sendto, sys_sendto)(fd, buf, n, flags, a, alen);
	return io_done(s, gen, fd, true, buf, n, false, r, errno);
}

/* Flags with which a read takes nothing from the stream: a peek, the
 * out-of-band byte (not inline: the stream does not hold it), the error
 * queue.  Such reads pass through. */
#define NOT_STREAM (MSG_PEEK | MSG_OOB | MSG_ERRQUEUE)

/* A recv-like read with @flags on tracked slot @s returned @ret with errno
 * @err: only reads of the stream are followed (the caller passed the
 * others through), and with MSG_TRUNC the bytes went by unread (tcp(7):
 * discarded; treated so on any stream socket: never a buffer the kernel
 * may not have written). */
static ssize_t recv_done(ht_slot *s, uint64_t gen, int fd, void *buf,
			 size_t n, int flags, ssize_t ret, int err)
{
	return io_done(s, gen, fd, false, buf, n, (flags & MSG_TRUNC) != 0,
		       ret, err);
}

/* The rest of recv(): not inlined into the hook, so that the hook's
 * fast path saves no registers. */
static __attribute__((noinline)) ssize_t recv_traced(int fd, void *buf, size_t n, int flags)
{
	if (unlikely(flags & NOT_STREAM))
		return REAL_OR(recv, sys_recv)(fd, buf, n, flags);
	HT_ENSURE_INIT();
	uint64_t gen = 0;
	ht_slot *s = ht_slot_peek(fd, &gen);
	if (likely(!s))
		return REAL_OR(recv, sys_recv)(fd, buf, n, flags);
	ssize_t r = REAL_OR(recv, sys_recv)(fd, buf, n, flags);
	return recv_done(s, gen, fd, buf, n, flags, r, errno);
}

HT_EXPORT ssize_t recv(int fd, void *buf, size_t n, int flags)
{
	/* untracked: call through, nothing else (a tail call) */
	if (ht_untracked_fast(fd) && likely(HT_REAL(recv) != NULL))
		return ht_real.recv(fd, buf, n, flags);
	return recv_traced(fd, buf, n, flags);
}

HT_EXPORT ssize_t __recv_chk(int fd, void *buf, size_t n, size_t buflen,
			     int flags)
{
	if (unlikely(n > buflen) && HT_REAL(__recv_chk))
		return ht_real.__recv_chk(fd, buf, n, buflen, flags);
	if (unlikely(flags & NOT_STREAM))
		return REAL_OR(recv, sys_recv)(fd, buf, n, flags);
	HT_ENSURE_INIT();
	uint64_t gen = 0;
	ht_slot *s = ht_slot_peek(fd, &gen);
	if (likely(!s))
		return REAL_OR(recv, sys_recv)(fd, buf, n, flags);
	ssize_t r = REAL_OR(recv, sys_recv)(fd, buf, n, flags);
	return recv_done(s, gen, fd, buf, n, flags, r, errno);
}

HT_EXPORT ssize_t recvfrom(int fd, void *buf, size_t n, int flags,
			   struct sockaddr *a, socklen_t *alen)
{
	if (unlikely(flags & NOT_STREAM))
		return REAL_OR(recvfrom, sys_recvfrom)(fd, buf, n, flags, a, alen);
	HT_ENSURE_INIT();
	uint64_t gen = 0;
	ht_slot *s = ht_slot_peek(fd, &gen);
	if (likely(!s))
		return REAL_OR(recvfrom, sys_recvfrom)(fd, buf, n, flags, a, alen);
	ssize_t r = REAL_OR(recvfrom, sys_recvfrom)(fd, buf, n, flags, a, alen);
	return recv_done(s, gen, fd, buf, n, flags, r, errno);
}

HT_EXPORT ssize_t __recvfrom_chk(int fd, void *buf, size_t n, size_t buflen,
				 int flags, struct sockaddr *a, socklen_t *alen)
{
	if (unlikely(n > buflen) && HT_REAL(__recvfrom_chk))
		return ht_real.__recvfrom_chk(fd, buf, n, buflen, flags, a, alen);
	if (unlikely(flags & NOT_STREAM))
		return REAL_OR(recvfrom, sys_recvfrom)(fd, buf, n, flags, a, alen);
	HT_ENSURE_INIT();
	uint64_t gen = 0;
	ht_slot *s = ht_slot_peek(fd, &gen);
	if (likely(!s))
		return REAL_OR(recvfrom, sys_recvfrom)(fd, buf, n, flags, a, alen);
	ssize_t r = REAL_OR(recvfrom, sys_recvfrom)(fd, buf, n, flags, a, alen);
	return recv_done(s, gen, fd, buf, n, flags, r, errno);
}

/* The rest of readv and writev on tracked slot @s, once the real call
 * returned @ret with errno @err.  track_io() reads the iovec array only
 * after a successful call: the kernel then read all @cnt entries.  An
 * empty vector (@counted false) moved nothing: not followed. */
static ssize_t iov_done(ht_slot *s, uint64_t gen, int fd, bool out,
			const struct iovec *iov, int cnt, bool counted,
			ssize_t ret, int err)
{
	if (counted)
		track_io(s, gen, fd, out, iov, (size_t)cnt, ret, err, false);
	errno = err;
	return ret;
}

/* The rest of readv(): not inlined into the hook, so that the hook's
 * fast path saves no registers. */
static __attribute__((noinline)) ssize_t readv_traced(int fd, const struct iovec *iov, int cnt)
{
	HT_ENSURE_INIT();
	uint64_t gen = 0;
	ht_slot *s = ht_slot_peek(fd, &gen);
	if (likely(!s))
		return REAL_OR(readv, sys_readv)(fd, iov, cnt);
	bool counted = iov && cnt > 0;
	ssize_t r = REAL_OR(readv, sys_readv)(fd, iov, cnt);
	return iov_done(s, gen, fd, false, iov, cnt, counted, r, errno);
}

HT_EXPORT ssize_t readv(int fd, const struct iovec *iov, int cnt)
{
	/* untracked: call through, nothing else (a tail call) */
	if (ht_untracked_fast(fd) && likely(HT_REAL(readv) != NULL))
		return ht_real.readv(fd, iov, cnt);
	return readv_traced(fd, iov, cnt);
}

/* The rest of writev(): not inlined into the hook, so that the hook's
 * fast path saves no registers. */
static __attribute__((noinline)) ssize_t writev_traced(int fd, const struct iovec *iov, int cnt)
{
	HT_ENSURE_INIT();
	uint64_t gen = 0;
	ht_slot *s = ht_slot_peek(fd, &gen);
	bool counted = iov && cnt > 0;
	if (likely(!s) || (counted && !ht_write_begin(s, gen)))
		return REAL_OR(writev, sys_writev)(fd, iov, cnt);
	ssize_t r = REAL_OR(writev, sys_writev)(fd, iov, cnt);
	return iov_done(s, gen, fd, true, iov, cnt, counted, r, errno);
}

HT_EXPORT ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
	/* untracked: call through, nothing else (a tail call) */
	if (ht_untracked_fast(fd) && likely(HT_REAL(writev) != NULL))
		return ht_real.writev(fd, iov, cnt);
	return writev_traced(fd, iov, cnt);
}

/*
 * After sendmsg/recvmsg on tracked slot @s returned @ret with errno @err:
 * @m is read only when the call succeeded (the kernel then read it and its
 * whole iovec array); a failed call may have failed reading it.  Returns
 * @ret with errno @err.
 */
static ssize_t msg_done(ht_slot *s, uint64_t gen, int fd, bool out,
			const struct msghdr *m, ssize_t ret, int err,
			bool unseen)
{
	if (ret >= 0)
		track_io(s, gen, fd, out, m->msg_iov, m->msg_iovlen, ret, err,
			 unseen);
	else
		track_io(s, gen, fd, out, NULL, 0, ret, err, false);
	errno = err;
	return ret;
}

/* The rest of sendmsg() with MSG_FASTOPEN: it may connect.  @m is read
 * only when the outcome says the kernel read it. */
static __attribute__((noinline)) ssize_t
sendmsg_fastopen(int fd, const struct msghdr *m, int flags)
{
	HT_ENSURE_INIT();
	uint64_t gen = 0;
	ht_slot *s = ht_slot_peek(fd, &gen);
	/* ended by msg_done(), as every write */
	if (s && !ht_write_begin(s, gen))
		return REAL_OR(sendmsg, sys_sendmsg)(fd, m, flags);
	uint64_t t0 = s ? 0 : ht_now();
	unsigned since = s ? 0 : ht_fd_changes(fd), fg = ht_fork_gen;
	ht_connect_pre pre;
	if (!s)
		ht_connect_before(fd, t0, &pre);
	ssize_t ret = REAL_OR(sendmsg, sys_sendmsg)(fd, m, flags);
	int err = errno;
	if (!s && ht_connect_began(ret >= 0 ? 0 : -1, err))
		s = fastopen_done(s, &gen, fd, m->msg_name, m->msg_namelen, t0,
				  since, fg, ret, err, &pre);
	else if (!s)
		ht_connect_pre_drop(&pre);
	if (!s) {
		errno = err;
		return ret;
	}
	return msg_done(s, gen, fd, true, m, ret, err, false);
}

HT_EXPORT ssize_t sendmsg(int fd, const struct msghdr *m, int flags)
{
	if (unlikely(flags & MSG_FASTOPEN))
		return sendmsg_fastopen(fd, m, flags);
	HT_ENSURE_INIT();
	uint64_t gen = 0;
	ht_slot *s = ht_slot_peek(fd, &gen);
	if (likely(!s) || !ht_write_begin(s, gen))
		return REAL_OR(sendmsg, sys_sendmsg)(fd, m, flags);
	ssize_t ret = REAL_OR(sendmsg, sys_sendmsg)(fd, m, flags);
	int err = errno;
	return msg_done(s, gen, fd, true, m, ret, err, false);
}

HT_EXPORT ssize_t recvmsg(int fd, struct msghdr *m, int flags)
{
	HT_ENSURE_INIT();
	uint64_t gen = 0;
	ht_slot *s = ht_slot_peek(fd, &gen);
	ssize_t ret = REAL_OR(recvmsg, sys_recvmsg)(fd, m, flags);
	int err = errno;
	/* fds passed (SCM_RIGHTS): a connection among them is said not
	 * followed (the kernel wrote msg_controllen: 0 when none came) */
	if (unlikely(ret >= 0 && m->msg_controllen != 0))
		ht_fds_received(m);
	if (likely(!s) || unlikely(flags & NOT_STREAM))
		return ret;
	return msg_done(s, gen, fd, false, m, ret, err, (flags & MSG_TRUNC) != 0);
}
