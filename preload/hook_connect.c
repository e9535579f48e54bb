/*
 * hook_connect.c - connect, and getsockopt(SO_ERROR): where a traced
 * client connection begins (a send with MSG_FASTOPEN too, through
 * ht_fastopen_seen()), shown connecting in the live page from before the
 * real call, and where a non-blocking connect's outcome is learnt.
 *
 * AF_INET/AF_INET6 stream sockets the program connects are tracked, and
 * AF_UNIX stream sockets on probation: they are followed only if the first
 * bytes written look like HTTP (hook_io.c).
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "ht.h"
#include "live.h"

static uint32_t next_conn_id; /* per process, from 1 (atomic) */

uint32_t ht_next_conn_id(void)
{
	return __atomic_add_fetch(&next_conn_id, 1, __ATOMIC_RELAXED);
}

/* Errors that mean the connection could not be established. */
static bool is_connect_error(int err)
{
	return err == ECONNREFUSED || err == ETIMEDOUT || err == EHOSTUNREACH ||
	       err == ENETUNREACH || err == ECONNRESET || err == EACCES ||
	       err == EPERM || err == EADDRNOTAVAIL || err == ENETDOWN ||
	       err == EHOSTDOWN;
}

/* The path of an AF_UNIX address, in *@path and *@plen (not terminated;
 * an abstract name starts with NUL); false for any other address. */
static bool unix_path(const struct sockaddr *sa, socklen_t len,
		      const char **path, size_t *plen)
{
	size_t off = offsetof(struct sockaddr_un, sun_path);
	if (!sa || sa->sa_family != AF_UNIX || len <= (socklen_t)off)
		return false;
	*path = ((const struct sockaddr_un *)sa)->sun_path;
	*plen = (size_t)len - off;
	if (*plen > sizeof(((struct sockaddr_un *)0)->sun_path))
		*plen = sizeof(((struct sockaddr_un *)0)->sun_path);
	return true;
}

/* The name @t's peer was looked up by, as the library saw the lookup
 * (ht_dns_lookup()): with its moments when it ended before the connect
 * began at @t0, the lookup's slot then kept to be consumed once the
 * connection is up. */
static void connect_dns(ht_tracked *t, const ht_addr *peer, uint64_t t0)
{
	char name[CONN_NAME_MAX];
	uint64_t d0, d1;
	uint32_t gen = 0;
	int slot = ht_dns_lookup(peer, name, sizeof name, &d0, &d1, &gen);
	if (slot >= 0 && d1 <= t0) {
		conn_set_dns(&t->c, name, d0, d1);
		if (d0) {
			t->dns_slot = slot;
			t->dns_gen = gen;
		}
	} else if (slot >= 0) {
		conn_set_dns(&t->c, name, 0, 0);
	}
}

/* Publish @t as @fd's connection (ht_track_fd()).  A child forked since
 * the call began (@fork_gen: by a signal handler inside the hook) holds
 * the attempt as if forked after it: the parent's, which reports it,
 * until the child uses it (ht_home_inherited()); its exit tells nothing
 * of it, nor does its page (conn_fork_in_open()), nor the bytes a send
 * with MSG_FASTOPEN moved (*@gen the parent's reading: ht_gen_forked()).
 * (Only this thread runs in such a child.) */
static ht_tracked *publish_connect(int fd, ht_tracked *t, uint64_t now,
				   unsigned *since, unsigned fork_gen,
				   uint64_t *gen)
{
	if (!ht_track_fd(fd, t, now, since))
		return NULL;
	if (unlikely(fork_gen != ht_fork_gen)) {
		conn_fork_in_open(&t->c);
		__atomic_store_n(&t->fork_gen, fork_gen, __ATOMIC_RELEASE);
		*gen = __atomic_load_n(&t->gen, __ATOMIC_ACQUIRE) ^
		       ((uint64_t)fork_gen << HT_GEN_FORK_SHIFT);
	}
	return t;
}

/* Start tracking @fd, a connect() to @peer (or, @upath non-NULL, to the
 * Unix socket at @upath, @ulen bytes) begun at @t0, when @fd's slot had
 * @since changes (ht_fd_changes()).  Caller holds the guard.  @ret/@err:
 * the real connect's outcome.  Returns the connection published as @fd's,
 * its generation in *@gen, or NULL.  A link @fd has from before the call
 * names a connection whose fd the program closed in a way we did not see:
 * left (ht_untrack_stale_fd()); one made since, by another thread's dup2
 * onto @fd, is kept (ht_track_fd()).  @fork_gen: ht_fork_gen before the
 * call (publish_connect()).  @pre (NULL: none, a send with MSG_FASTOPEN):
 * what the hook claimed before the call, its slot taken by the connection
 * (pre->ref then 0). */
static ht_tracked *track_connect(int fd, const ht_addr *peer,
				 const char *upath, size_t ulen, uint64_t t0,
				 int ret, int err, unsigned since,
				 unsigned fork_gen, uint64_t *gen,
				 ht_connect_pre *pre)
{
	/* A tracked connection: the collector is wanted from now on (for a
	 * Unix socket only once its first bytes look like HTTP). */
	if (!upath) {
		ht_emit_want();
		if (!ht_enabled)
			return NULL;
	}
	uint64_t now = ht_now();
	/* A Unix socket that failed to connect carried nothing we follow. */
	if (upath && ret != 0 && err != EINPROGRESS && err != EINTR) {
		ht_untrack_stale_fd(fd, now, &since);
		return NULL;
	}
	ht_tracked *t = ht_tracked_alloc();
	if (!t) {
		ht_untrack_stale_fd(fd, now, &since);
		return NULL;
	}
	/* (stable until the block is freed: read before another thread
	 * can find it) */
	*gen = ht_conn_gen(t);
	/* the id and the slot the call's connection was shown with while
	 * the call lasted, its peer there from now on */
	uint32_t id = pre && pre->id ? pre->id : ht_next_conn_id();
	if (pre)
		pre->id = 0; /* used */
	if (pre && pre->ref && peer) {
		conn_init(&t->c, &ht_conn_env, ht_pid, id, NULL, t0);
		t->c.peer = *peer;
		conn_live_conn_take(&t->c, pre->page, pre->ref);
		pre->ref = 0;
	} else {
		conn_init(&t->c, &ht_conn_env, ht_pid, id, peer, t0);
	}
	if (upath) {
		conn_set_unix_path(&t->c, upath, ulen);
		t->probe = true;
		if (ret == 0)
			conn_connected(&t->c, now);
		return publish_connect(fd, t, now, &since, fork_gen, gen);
	}

	connect_dns(t, peer, t0);
	if (ret != 0 && is_connect_error(err)) {
		ht_untrack_stale_fd(fd, now, &since);
		/* checked after conn_init(): forked later, the record carries
		 * the parent's pid, which the child's ht_emit() drops */
		if (likely(fork_gen == ht_fork_gen))
			conn_connect_failed(&t->c, err, now);
		else
			conn_fork_in_open(&t->c);
		ht_tracked_free(t);
		return NULL;
	}
	/* The address the kernel bound for the connect (done, or under
	 * way: the port is chosen before the SYN): one system call per
	 * connection, so that the collector can join this end to a traced
	 * server's (join.h). */
	struct sockaddr_storage ls;
	socklen_t lsl = sizeof ls;
	if (getsockname(fd, (struct sockaddr *)&ls, &lsl) == 0 &&
	    !ht_addr_from_sockaddr((struct sockaddr *)&ls, lsl, &t->c.local))
		t->c.local.family = 0;
	/* A traced server's record of a request on it may now be held for
	 * this end's (join.h): the page says so before the program can send
	 * a byte (the fd is tracked, for other threads, after). */
	if (t->c.local.family == 0 || ht_live_addr_loopback(&t->c.local))
		ht_emit_client_loopback();
	if (ret == 0) {
		conn_connected(&t->c, now);
		ht_dns_consume(t->dns_slot, t->dns_gen);
		t->dns_slot = -1;
	}
	return publish_connect(fd, t, now, &since, fork_gen, gen);
}

/* The kernel copies all the address's bytes in before anything else can
 * fail but the fd (EBADF, ENOTSOCK), the copy itself (EFAULT) and the
 * length (EINVAL); every outcome followed here (done, in progress,
 * interrupted while waiting, refused, unreachable...) comes from the
 * protocol, after the copy.  The same holds for a sendto/sendmsg with
 * MSG_FASTOPEN (tcp_sendmsg_fastopen() connects with the address the call
 * copied in, after the msghdr), where errors of its own (EOPNOTSUPP: the
 * client side disabled; EISCONN, EALREADY: connected or connecting) begin
 * nothing. */
bool ht_connect_began(int ret, int err)
{
	return ret == 0 || err == EINPROGRESS || err == EINTR ||
	       is_connect_error(err);
}

/* Whether @fd, whose connect() returned 0, has sent no SYN yet: with
 * TCP_FASTOPEN_CONNECT and a cookie the kernel defers the connect to the
 * first write, which carries the SYN and the data (the socket stays in
 * SYN-SENT meanwhile).  A system call, after each successful connect. */
static bool connect_deferred(int fd)
{
	uint8_t info[8]; /* struct tcp_info begins with tcpi_state */
	socklen_t il = sizeof info;
	return HT_REAL(getsockopt)(fd, IPPROTO_TCP, TCP_INFO, info, &il) == 0 &&
	       il >= 1 && info[0] == TCP_SYN_SENT;
}

/* Whether @fd is a stream socket, as the connect hook follows: its
 * protocol asked before the call (@pre, NULL: not asked) says so for TCP
 * and UDP; any other (a Unix socket's is 0), or none known, is asked its
 * type (a system call). */
static bool connect_stream(int fd, const ht_connect_pre *pre)
{
	if (pre && pre->proto == IPPROTO_TCP)
		return true;
	if (pre && pre->proto == IPPROTO_UDP)
		return false;
	int type = 0;
	socklen_t tl = sizeof type;
	return HT_REAL(getsockopt)(fd, SOL_SOCKET, SO_TYPE, &type, &tl) == 0 &&
	       type == SOCK_STREAM;
}

/* ht_foreign_process(), but without its system call again after a
 * connect whose hook found it false before the call (@pre), in the same
 * fork generation: nothing else makes the caller another process. */
static bool connect_foreign(const ht_connect_pre *pre)
{
	if (pre && pre->own &&
	    pre->own_gen == __atomic_load_n(&ht_fork_gen, __ATOMIC_RELAXED))
		return false;
	return ht_foreign_process();
}

/*
 * The claim of the connect call this thread is inside (ht_connect_before()
 * to the call's return): a call whose hook never returns (left by
 * siglongjmp from a SIGALRM handler, the classic connect timeout; or
 * pthread_cancel) would leave its slot "connecting" for the rest of the
 * process, reported at exit with the process's life as its connect time,
 * and 32 such fill the page.  Such an attempt ends as soon as something
 * shows its call is over: this thread closes its fd (close, dup2/dup3
 * onto it, close_range, closefrom) or enters a connect hook again from no
 * deeper in the stack than the claim's hook was (a connect inside a signal
 * handler that interrupted the call runs deeper, or on the alternate
 * signal stack: it claims nothing, only the outermost claim is kept).  It
 * is reported as a connect that failed with ECANCELED, its duration up to
 * that moment.  Not ended: one whose thread exits meanwhile (its fd left
 * open: reported at exit), or that the thread abandoned and then connects
 * again from deeper in its stack before closing the fd.
 */
static HT_TLS struct {
	ht_live *page;
	unsigned ref;
	uint32_t id;
	uint64_t t0;
	uintptr_t mark;    /* the hook's ht_connect_pre, where it lives */
	unsigned fork_gen; /* ht_fork_gen at the claim */
	unsigned seq;      /* claims so far (ht_connect_pre.seq) */
} pend;
HT_TLS int ht_connect_pend_fd1;

/* The attempt shown in slot @ref of @page since @t0, connection @id,
 * ends at @now as a connect of no known peer that failed with @err (its
 * slot released when that cannot be).  Its id is never given back. */
static void pre_fail(ht_live *page, unsigned ref, uint32_t id, uint64_t t0,
		     uint64_t now, int err)
{
	if (!ref)
		return;
	ht_tracked *t = NULL;
	if (id && ht_enter()) {
		t = ht_tracked_alloc();
		if (t) {
			conn_init(&t->c, &ht_conn_env, ht_pid, id, NULL, t0);
			conn_live_conn_take(&t->c, page, ref);
			conn_connect_failed(&t->c, err, now);
			ht_tracked_free(t);
		}
		ht_leave();
	}
	if (!t)
		ht_live_conn_release(page, ref);
}

/* The thread's pending claim ends (the call abandoned) or, in another
 * process than the one that claimed it (a forked child's copy), is
 * forgotten.  A signal handler's close may come anywhere: the claim is
 * taken by the exchange that clears ht_connect_pend_fd1 (its fields do
 * not change while it is set: no connect nested in a call claims). */
static void pend_end(void)
{
	/* (a vfork child's close: the parent's claim, its thread's) */
	if (!ht_connect_pend_fd1 || ht_foreign_process())
		return;
	ht_live *page = pend.page;
	unsigned ref = pend.ref;
	uint32_t id = pend.id;
	uint64_t t0 = pend.t0;
	bool ours = pend.fork_gen == ht_fork_gen;
	if (!__atomic_exchange_n(&ht_connect_pend_fd1, 0, __ATOMIC_SEQ_CST))
		return;
	pend.seq++;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	if (ours)
		pre_fail(page, ref, id, t0, ht_now(), ECANCELED);
}

void ht_connect_pend_gone(void)
{
	int saved = errno;
	pend_end();
	errno = saved;
}

/* The call of @pre returned: its claim, unless ended meanwhile (a handler
 * that interrupted the call closed the fd), stops being the thread's
 * pending one, and is @pre's to hand on; once ended, @pre has none. */
static void pre_returned(ht_connect_pre *pre)
{
	if (!pre || !pre->pending)
		return;
	pre->pending = false;
	int fd1 = __atomic_exchange_n(&ht_connect_pend_fd1, 0,
				      __ATOMIC_SEQ_CST);
	if (fd1 && pend.seq == pre->seq) {
		pend.seq++;
		return;
	}
	if (fd1) /* (another call's, left pending: not ours to end) */
		__atomic_store_n(&ht_connect_pend_fd1, fd1, __ATOMIC_SEQ_CST);
	pre->ref = 0;
	pre->id = 0;
}

/* Whether a connect hook entered now (its ht_connect_pre at @mark) may
 * claim a slot: not inside a call that claims one (a signal handler that
 * interrupted it: deeper in the stack, or on the alternate signal stack,
 * asked only then and with no seccomp filter known); a pending claim from
 * no deeper is over, ended here. */
static bool pend_may_claim(uintptr_t mark)
{
	if (likely(!ht_connect_pend_fd1))
		return true;
	if (mark < pend.mark)
		return false;
	stack_t ss;
	if (ht_emit_no_filter() && sigaltstack(NULL, &ss) == 0 &&
	    (ss.ss_flags & SS_ONSTACK))
		return false;
	pend_end();
	return !ht_connect_pend_fd1;
}

/* (ht.h; its id given back so that a call that opened nothing, EFAULT
 * say, leaves no gap in the numbers, unless its slot was shown long
 * enough for the events stream to tell that id: the next connection's
 * events would pair with its connect_start) */
void ht_connect_pre_drop(ht_connect_pre *pre)
{
	pre_returned(pre);
	if (pre && pre->ref) {
		ht_live_conn_release(pre->page, pre->ref);
		pre->ref = 0;
		if (ht_now() - pre->t0 >= HT_LIVE_PEER_WAIT_NS)
			pre->id = 0;
	}
	if (pre && pre->id) {
		uint32_t id = pre->id;
		__atomic_compare_exchange_n(&next_conn_id, &id, id - 1, false,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
		pre->id = 0;
	}
}

/* (ht.h) The slot carries the time and the id only: the program's
 * address is read after the call, once the kernel read it (a bad pointer
 * gives the program EFAULT, never a fault in the hook).  Under a seccomp
 * filter the library did not install (one may forbid getsockopt), no
 * question before the call: nothing claimed, the type asked after a
 * connect that began, as before. */
void ht_connect_before(int fd, uint64_t t0, ht_connect_pre *p)
{
	int saved = errno;
	int proto = -1;
	socklen_t pl = sizeof proto;
	p->proto = -1;
	p->id = 0;
	p->page = NULL;
	p->ref = 0;
	p->own = false;
	p->pending = false;
	p->t0 = t0;
	p->own_gen = __atomic_load_n(&ht_fork_gen, __ATOMIC_RELAXED);
	if (ht_emit_no_filter() &&
	    HT_REAL(getsockopt)(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &pl) ==
		    0 && pl == (socklen_t)sizeof proto)
		p->proto = proto;
	if (p->proto == IPPROTO_TCP && !ht_fd_slot(fd) &&
	    !ht_foreign_process() && pend_may_claim((uintptr_t)p) &&
	    ht_enter()) {
		p->own = true;
		ht_emit_want();
		ht_live *l = ht_enabled ? __atomic_load_n(&ht_live_page,
							  __ATOMIC_ACQUIRE)
					: NULL;
		if (l) {
			char name[CONN_NAME_MAX];
			p->id = ht_next_conn_id();
			p->ref = ht_live_conn_connecting(
				l, p->id, t0,
				ht_dns_thread_name(name, sizeof name) ? name
								      : NULL);
			p->page = l;
		}
		if (p->ref) {
			pend.page = l;
			pend.ref = p->ref;
			pend.id = p->id;
			pend.t0 = t0;
			pend.mark = (uintptr_t)p;
			pend.fork_gen = p->own_gen;
			p->seq = ++pend.seq;
			p->pending = true;
			__atomic_signal_fence(__ATOMIC_SEQ_CST);
			ht_connect_pend_fd1 = fd + 1;
		}
		ht_leave();
	}
	errno = saved;
}

/*
 * A connect again on @fd (to @sa, @len bytes), which names a TCP
 * connection still connecting (its first connect returned EINPROGRESS or
 * EINTR: the kernel goes on with it), that returned @ret with errno @err:
 * its outcome is that connection's (0 or EISCONN: up; a connect error:
 * failed; EALREADY, EINTR: still under way), never a new connection's.
 * A connection whose socket the program closed unseen (a raw system call)
 * and whose number a new socket took is told apart by its peer (the
 * address read only after a call that read it).  Returns whether @fd was
 * such a connection.  Guard not held.
 */
static bool connect_again(int fd, const struct sockaddr *sa, socklen_t len,
			  int ret, int err)
{
	uint64_t gen;
	ht_addr peer;
	ht_slot *s = ht_slot_peek(fd, &gen);
	if (likely(!s) || (ret != 0 && err != EISCONN && err != EALREADY &&
			   err != EINTR && !is_connect_error(err)) ||
	    !ht_addr_from_sockaddr(sa, len, &peer) || ht_foreign_process() ||
	    !ht_enter())
		return false;
	uint64_t now = ht_now();
	ht_tracked *dead = NULL;
	ht_home_lock(s);
	ht_tracked *t = ht_slot_same(s, gen) ? s->t : NULL;
	bool again = t && !t->probe && !t->c.server && !t->c.connected &&
		     !t->c.failed && t->c.bytes_out == 0 &&
		     t->c.peer.family == peer.family &&
		     t->c.peer.port == peer.port &&
		     memcmp(t->c.peer.addr, peer.addr, sizeof peer.addr) == 0;
	if (again && (ret == 0 || err == EISCONN)) {
		conn_connected(&t->c, now);
		ht_dns_consume(t->dns_slot, t->dns_gen);
		t->dns_slot = -1;
	} else if (again && ret != 0 && is_connect_error(err)) {
		conn_connect_failed(&t->c, err, now);
		dead = t;
	}
	ht_slot_release(s, dead);
	ht_leave();
	return again;
}

/* After a connect of @fd to @sa (@len bytes) begun at @t0 that returned
 * @ret with errno @err: start tracking an AF_INET/AF_INET6 stream socket
 * (and, unless @fastopen, an AF_UNIX one on probation).  @fastopen: the
 * connect was a send with MSG_FASTOPEN, whose success says the kernel took
 * its bytes.  The address is read only when ht_connect_began() says the
 * kernel read it.  @since: @fd's slot's changes before the call
 * (ht_fd_changes()); @fork_gen: ht_fork_gen before it.  Returns the
 * connection's home slot, its generation in *@gen, when it is tracked
 * now; else NULL. */
static ht_slot *connect_seen(int fd, const struct sockaddr *sa,
			     socklen_t len, bool fastopen, uint64_t t0, int ret,
			     int err, unsigned since, unsigned fork_gen,
			     uint64_t *gen, ht_connect_pre *pre)
{
	ht_tracked *t = NULL;
	ht_addr peer;
	const char *upath = NULL;
	size_t ulen = 0;
	pre_returned(pre);
	if (ht_connect_began(ret, err) &&
	    (ht_addr_from_sockaddr(sa, len, &peer) ||
	     (!fastopen && unix_path(sa, len, &upath, &ulen))) &&
	    connect_stream(fd, pre) && !connect_foreign(pre) && ht_enter()) {
		/* A deferred connect is under way until its first write. */
		if (ret == 0 && !upath && !fastopen && connect_deferred(fd)) {
			ret = -1;
			err = EINPROGRESS;
		}
		t = track_connect(fd, upath ? NULL : &peer, upath, ulen, t0,
				  ret, ret == 0 ? 0 : err, since, fork_gen, gen,
				  pre);
		ht_leave();
	}
	/* a call that opened nothing after it was shown long enough for the
	 * events stream to tell it (EPIPE: another thread disconnected the
	 * socket): a connect of no known peer that failed; not in a child
	 * forked inside the call (a signal handler's fork: the attempt is
	 * the parent's) */
	uint64_t now = pre && pre->ref ? ht_now() : 0;
	if (pre && pre->ref && ret != 0 && !ht_connect_began(ret, err) &&
	    now - t0 >= HT_LIVE_PEER_WAIT_NS && fork_gen == ht_fork_gen) {
		pre_fail(pre->page, pre->ref, pre->id, t0, now, err);
		pre->ref = 0;
		pre->id = 0;
	}
	/* a call that opened nothing, or a connection not followed: its
	 * slot shows nothing from here */
	ht_connect_pre_drop(pre);
	return t ? &t->home : NULL;
}

HT_EXPORT int connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	HT_ENSURE_INIT();
	if (unlikely(!HT_REAL(connect)))
		return (int)syscall(SYS_connect, fd, sa, len);
	if (!ht_enabled || ht_busy)
		return ht_real.connect(fd, sa, len);

	uint64_t t0 = ht_now();
	unsigned since = ht_fd_changes(fd);
	unsigned fork_gen = ht_fork_gen;
	ht_connect_pre pre;
	ht_connect_before(fd, t0, &pre);
	int ret = ht_real.connect(fd, sa, len);
	int err = errno;
	uint64_t gen;
	if (!connect_again(fd, sa, len, ret, err))
		connect_seen(fd, sa, len, false, t0, ret, err, since, fork_gen,
			     &gen, &pre);
	else
		ht_connect_pre_drop(&pre);
	errno = err;
	return ret;
}

ht_slot *ht_fastopen_seen(int fd, const struct sockaddr *sa, socklen_t len,
			  uint64_t t0, unsigned since, unsigned fork_gen,
			  ssize_t ret, int err, uint64_t *gen,
			  ht_connect_pre *pre)
{
	if (!ht_enabled || ht_busy) {
		ht_connect_pre_drop(pre);
		return NULL;
	}
	/* Bytes taken (sent with the SYN, or, blocking, after the
	 * handshake): the connection is usable from the call's return, the
	 * connect phase ends there (the round trip the SYN's data saves is
	 * the request's wait).  EINPROGRESS: no cookie yet, a plain SYN went
	 * out and none of the bytes; the connect completes as any other. */
	/* the connection it published, not whatever @fd names by now (a
	 * dup2 of another thread's onto @fd: ht_track_fd()) */
	ht_slot *s = connect_seen(fd, sa, len, true, t0, ret >= 0 ? 0 : -1,
				  err, since, fork_gen, gen, pre);
	if (s && ht_gen_forked(*gen)) {
		/* forked inside the call (a signal handler): its bytes are the
		 * parent's, in flight on the connection the child shares, as
		 * a write of the parent's: the child's first use makes it
		 * shared (ht_home_inherited()); nothing fed here */
		if (ret > 0)
			__atomic_store_n(&s->writing, 1, __ATOMIC_SEQ_CST);
		return NULL;
	}
	/* the bytes it moved are the connection's first, in flight from
	 * here (ended by the caller's track_io()) */
	if (s && !ht_write_begin(s, *gen))
		return NULL;
	return s;
}

/* Completion of a non-blocking connect, as the program learns it. */
HT_EXPORT int getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	HT_ENSURE_INIT();
	if (unlikely(!HT_REAL(getsockopt)))
		return (int)syscall(SYS_getsockopt, fd, level, name, val, len);
	int ret = ht_real.getsockopt(fd, level, name, val, len);
	if (likely(level != SOL_SOCKET || name != SO_ERROR) || ret != 0 ||
	    !val || !len || *len < (socklen_t)sizeof(int))
		return ret;
	uint64_t gen;
	ht_slot *s = ht_slot_peek(fd, &gen);
	if (!s || ht_foreign_process() || !ht_enter())
		return ret;
	int saved = errno;
	int soerr = *(int *)val;
	uint64_t now = ht_now();
	ht_tracked *dead = NULL;
	ht_home_lock(s);
	ht_tracked *t = ht_slot_same(s, gen) ? s->t : NULL;
	if (t && !t->c.connected && !t->c.failed) {
		if (soerr == 0) {
			/* SO_ERROR is also 0 while still connecting: only a
			 * peer address says the handshake is done. */
			struct sockaddr_storage ss;
			socklen_t sl = sizeof ss;
			if (getpeername(fd, (struct sockaddr *)&ss, &sl) == 0) {
				conn_connected(&t->c, now);
				ht_dns_consume(t->dns_slot, t->dns_gen);
			}
		} else if (is_connect_error(soerr)) {
			conn_connect_failed(&t->c, soerr, now);
			dead = t;
		}
	}
	ht_slot_release(s, dead);
	ht_leave();
	errno = saved;
	return ret;
}

