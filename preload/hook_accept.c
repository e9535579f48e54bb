/*
 * hook_accept.c - accept, accept4: where a server's connection begins;
 * sendfile, sendfile64, splice: response bytes a server moves without a
 * buffer the hooks could see; a connection another process passed
 * (SCM_RIGHTS), said not followed.
 *
 * A TCP (AF_INET/AF_INET6) or Unix stream connection the program accepts
 * is tracked on probation (conn_server.h): its first bytes read decide
 * whether it is HTTP (hook_io.c); until they do, the collector is not
 * wanted and nothing is recorded, and a connection they rule out is
 * forgotten.  An accept costs two system calls of the library's
 * (getsockname, and getpeername or SO_TYPE).
 *
 * sendfile and splice into a tracked server connection are response
 * bytes: counted in the response under way (conn_server_sent()); into a
 * client's, request bytes (conn_on_write_unseen()); out of a client's,
 * response bytes consumed unread (conn_on_unseen()).  On every other fd
 * they only call through.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "conn_server.h"
#include "ht.h"

/* Start tracking @fd, a connection the program accepted at @now, on
 * probation.  Caller holds the guard. */
static void track_accept(int fd, uint64_t now)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	ht_addr peer = {0}, local = {0};
	const char *upath = NULL;
	size_t ulen = 0;

	if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0)
		return;
	if (ss.ss_family == AF_UNIX) {
		/* the path it listens on names it (its client has none) */
		int type = 0;
		socklen_t tl = sizeof type;
		size_t off = offsetof(struct sockaddr_un, sun_path);
		if (HT_REAL(getsockopt)(fd, SOL_SOCKET, SO_TYPE, &type, &tl) != 0 ||
		    type != SOCK_STREAM)
			return;
		upath = ((const struct sockaddr_un *)&ss)->sun_path;
		ulen = sl > off ? sl - off : 0;
		if (ulen > sizeof(((struct sockaddr_un *)0)->sun_path))
			ulen = sizeof(((struct sockaddr_un *)0)->sun_path);
	} else if (ss.ss_family == AF_INET || ss.ss_family == AF_INET6) {
		/* (accept works on stream sockets only: TCP here); the
		 * address it was accepted on joins it to its client's end */
		if (!ht_addr_from_sockaddr((struct sockaddr *)&ss, sl, &local))
			local.family = 0;
		sl = sizeof ss;
		if (getpeername(fd, (struct sockaddr *)&ss, &sl) != 0 ||
		    !ht_addr_from_sockaddr((struct sockaddr *)&ss, sl, &peer))
			return;
	} else {
		return;
	}
	ht_tracked *t = ht_tracked_alloc();
	if (!t) {
		/* the program may have closed this fd in a way we did not
		 * see */
		ht_untrack_fd(fd, now);
		return;
	}
	uint32_t id = ht_next_conn_id();
	conn_server_init(&t->c, &ht_conn_env, ht_pid, id, upath ? NULL : &peer,
			 now);
	if (upath)
		conn_set_unix_path(&t->c, upath, ulen);
	else
		t->c.local = local;
	t->probe = true;
	/* A link @fd has names a connection whose fd the program closed in
	 * a way we did not see: left.  (@fd is not known before the call:
	 * a dup2 of another thread's onto it is told from such a link only
	 * when it links @fd after the untrack; then that link is kept, this
	 * connection forgotten: ht_track_fd().) */
	ht_track_fd(fd, t, now, NULL);
}

/* After an accept that returned @ret. */
static void accepted(int ret)
{
	if (ret < 0 || !ht_enabled || !ht_enter())
		return;
	int saved = errno;
	track_accept(ret, ht_now());
	ht_leave();
	errno = saved;
}

HT_EXPORT int accept(int fd, struct sockaddr *addr, socklen_t *len)
{
	HT_ENSURE_INIT();
	int ret;
	if (unlikely(!HT_REAL(accept)))
		ret = (int)syscall(SYS_accept, fd, addr, len);
	else
		ret = ht_real.accept(fd, addr, len);
	accepted(ret);
	return ret;
}

HT_EXPORT int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
	HT_ENSURE_INIT();
	int ret;
	if (unlikely(!HT_REAL(accept4)))
		ret = (int)syscall(SYS_accept4, fd, addr, len, flags);
	else
		ret = ht_real.accept4(fd, addr, len, flags);
	accepted(ret);
	return ret;
}

/* Whether @fd is a TCP connection: a stream socket of AF_INET or AF_INET6
 * with a peer (not a listening one, nor one not connected yet).  Two
 * getsockopt calls and a getpeername at most; one call for an fd that is
 * not an Internet socket. */
static bool tcp_connection(int fd)
{
	int v = 0;
	socklen_t l = sizeof v;
	if (HT_REAL(getsockopt)(fd, SOL_SOCKET, SO_DOMAIN, &v, &l) != 0 ||
	    (v != AF_INET && v != AF_INET6))
		return false;
	l = sizeof v;
	if (HT_REAL(getsockopt)(fd, SOL_SOCKET, SO_TYPE, &v, &l) != 0 ||
	    v != SOCK_STREAM)
		return false;
	struct sockaddr_storage peer;
	l = sizeof peer;
	return getpeername(fd, (struct sockaddr *)&peer, &l) == 0;
}

void ht_fds_received(const struct msghdr *m)
{
	/* the pid the note was made for (a forked child says its own) */
	static uint32_t said_pid;
	static const char why[] =
		"a TCP connection received from another process (SCM_RIGHTS): "
		"its requests in this process not followed";
	int saved = errno;
	bool found = false;

	/* No system call here under a seccomp filter (one that kills
	 * getsockopt would kill the program); the vfork test (a getpid) only
	 * once a connection is found: a UDP server's every recvmsg with
	 * ancillary data passes here. */
	if (!ht_enabled || m->msg_control == NULL ||
	    __atomic_load_n(&said_pid, __ATOMIC_RELAXED) == ht_pid ||
	    !HT_REAL(getsockopt) || !ht_emit_no_filter())
		goto out;
	for (struct cmsghdr *h = CMSG_FIRSTHDR(m); h && !found;
	     h = CMSG_NXTHDR((struct msghdr *)m, h)) {
		if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS ||
		    h->cmsg_len < CMSG_LEN(0))
			continue;
		size_t n = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n && !found; i++) {
			int fd;
			memcpy(&fd, CMSG_DATA(h) + i * sizeof fd, sizeof fd);
			found = tcp_connection(fd);
		}
	}
	/* (not in a vfork child, which shares its parent's memory) */
	if (!found || ht_foreign_process() || !ht_enter())
		goto out;
	__atomic_store_n(&said_pid, ht_pid, __ATOMIC_RELAXED);
	ht_record rec;
	ht_note_record(&rec, ht_pid, why, sizeof why - 1);
	ht_emit_want();
	ht_emit(NULL, &rec);
	ht_leave();
out:
	errno = saved;
}

/* A call on tracked slot @s (found as generation @gen) moved @ret bytes it did not show us
 * (or failed with @err): into the connection when the server wrote them
 * (@out) or read them.  A write was counted in flight (ht_write_begin()):
 * it ends here. */
static void unseen_io(ht_slot *s, uint64_t gen, bool out, ssize_t ret,
		      int err)
{
	if (!ht_enter()) {
		/* the connection's stream has a hole */
		ht_tracked *m = __atomic_load_n(&s->t, __ATOMIC_ACQUIRE);
		if (ret > 0 && m && ht_conn_gen(m) == gen)
			__atomic_store_n(&m->missed, HT_MISSED_SIGNAL,
					 __ATOMIC_RELEASE);
		if (out)
			ht_writes_end_unlocked(s, 1);
		return;
	}
	uint64_t now = ht_now();
	ht_tracked *dead = NULL;
	ht_home_lock(s);
	/* none when the connection ended during the call */
	ht_tracked *t = ht_slot_same(s, gen) ? s->t : NULL;
	/* bytes no hook shows, on a connection a fork shared: not proven
	 * (the fd is not at hand here), given up */
	if (t && unlikely(t->c.fork_shared))
		conn_shared_check(&t->c, NULL, out, 0, now);
	if (t && t->probe && ret > 0) {
		/* no first bytes that say HTTP (a server's, or a Unix
		 * socket's client) */
		conn_forget(&t->c);
		dead = t;
	} else if (t && t->c.server && ret > 0) {
		if (out)
			conn_server_sent(&t->c, (size_t)ret, now);
		else
			conn_server_read_unseen(&t->c, (size_t)ret, now);
	} else if (t && t->c.server && ret < 0 &&
		   (err == ECONNRESET || err == EPIPE)) {
		conn_on_reset(&t->c, now);
	} else if (t && ret > 0 && out) {
		/* a client's request bytes from a file or a pipe */
		conn_on_write_unseen(&t->c, (size_t)ret, now);
	} else if (t && ret > 0) {
		/* a client's response bytes into a pipe: as MSG_TRUNC's, in
		 * order with a write in flight */
		if (ht_writing(s))
			conn_hold(&t->c, CONN_IN_UNSEEN, NULL, (size_t)ret, now);
		else
			conn_in(&t->c, CONN_IN_UNSEEN, NULL, (size_t)ret, now);
	}
	if (out)
		ht_writes_end_locked(s, 1);
	ht_slot_release(s, dead);
	ht_leave();
}

static ssize_t sys_sendfile(int out_fd, int in_fd, off_t *off, size_t n)
{
	return syscall(SYS_sendfile, out_fd, in_fd, off, n);
}

/* The rest of sendfile(): out_fd is tracked (not inlined: see read()). */
static __attribute__((noinline)) ssize_t
sendfile_traced(ssize_t (*real)(int, int, off_t *, size_t), int out_fd,
		int in_fd, off_t *off, size_t n)
{
	HT_ENSURE_INIT();
	uint64_t gen = 0;
	ht_slot *s = ht_slot_peek(out_fd, &gen);
	if (!s || !ht_write_begin(s, gen))
		return real(out_fd, in_fd, off, n);
	ssize_t ret = real(out_fd, in_fd, off, n);
	int err = errno;
	unseen_io(s, gen, true, ret, err);
	errno = err;
	return ret;
}

HT_EXPORT ssize_t sendfile(int out_fd, int in_fd, off_t *off, size_t n)
{
	if (ht_untracked_fast(out_fd) && likely(HT_REAL(sendfile) != NULL))
		return ht_real.sendfile(out_fd, in_fd, off, n);
	return sendfile_traced(HT_REAL(sendfile) ? ht_real.sendfile : sys_sendfile,
			       out_fd, in_fd, off, n);
}

HT_EXPORT ssize_t sendfile64(int out_fd, int in_fd, off_t *off, size_t n)
{
	if (ht_untracked_fast(out_fd) && likely(HT_REAL(sendfile64) != NULL))
		return ht_real.sendfile64(out_fd, in_fd, off, n);
	return sendfile_traced(HT_REAL(sendfile64) ? ht_real.sendfile64 :
			       sys_sendfile, out_fd, in_fd, off, n);
}

HT_EXPORT ssize_t splice(int in_fd, loff_t *in_off, int out_fd,
			 loff_t *out_off, size_t n, unsigned int flags)
{
	HT_ENSURE_INIT();
	uint64_t gi = 0, go = 0;
	ht_slot *si = ht_slot_peek(in_fd, &gi), *so = ht_slot_peek(out_fd, &go);
	if (so && !ht_write_begin(so, go))
		so = NULL; /* over: not followed */
	if (likely(!si && !so)) {
		if (likely(HT_REAL(splice) != NULL))
			return ht_real.splice(in_fd, in_off, out_fd, out_off, n,
					      flags);
		return syscall(SYS_splice, in_fd, in_off, out_fd, out_off, n,
			       flags);
	}
	ssize_t ret = HT_REAL(splice) ?
		ht_real.splice(in_fd, in_off, out_fd, out_off, n, flags) :
		syscall(SYS_splice, in_fd, in_off, out_fd, out_off, n, flags);
	int err = errno;
	if (so)
		unseen_io(so, go, true, ret, err);
	if (si)
		unseen_io(si, gi, false, ret, err);
	errno = err;
	return ret;
}

bool ht_server_probe_settle(ht_tracked *t, conn_probe verdict, bool *now_http)
{
	switch (verdict) {
	case CONN_PROBE_NOT:
		return true;
	case CONN_PROBE_HTTP:
		t->probe = false;
		*now_http = true;
		break;
	case CONN_PROBE_WAIT:
		break;
	}
	return false;
}

bool ht_server_probe_fed(ht_tracked *t, bool *now_http)
{
	return t->probe &&
	       ht_server_probe_settle(t, conn_server_probe_fed(&t->c), now_http);
}
