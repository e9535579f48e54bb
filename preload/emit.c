/*
 * emit.c - hand records to the collector without ever blocking the program.
 *
 * One SOCK_SEQPACKET connection per process: each record is one message, so
 * threads send concurrently without a lock and a record is never split.
 * Sends use MSG_DONTWAIT | MSG_NOSIGNAL: when the collector is slow the
 * socket buffer fills and the record is dropped and counted; the count goes
 * out in an HT_REC_DROPS record as soon as a send succeeds again.  When the
 * collector is gone, tracing stops for this process.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "bufpool.h"
#include "ht.h"

static char sock_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
static volatile int sock_fd = -1;
static uint64_t dropped;        /* records not delivered (atomic) */
static uint64_t dropped_sent;   /* last count the collector was told */
static uint64_t last_retry_ns;  /* when we last tried to reconnect */

/* The records one hook call produces (a read can complete several
 * pipelined responses or HTTP/2 streams) are encoded back to back in
 * batch_buf and go out together when the call leaves the library
 * (ht_leave()).  The buffer is lent by the pool at the call's first record
 * and given back when the batch is flushed: only a pointer lives in TLS,
 * which every thread of the host carries in its stack (a 32 KiB __thread
 * array made small-stack threads fail to start).  Never used re-entrantly
 * (ht_busy). */
static HT_TLS uint8_t *batch_buf;
HT_TLS uint32_t ht_batch_len;
static HT_TLS uint32_t batch_count;
static HT_TLS bool batch_urgent;  /* holds a connection's close or failure */

/* A thread that waits in epoll_wait/poll/select runs an event loop: it
 * comes back to wait as soon as the ready events are handled.  Its request
 * records wait in the process's pending message until then (or until
 * PEND_MAX_NS pass), so one send carries the records of a whole loop
 * iteration instead of one each.  Threads that block in reads send at the
 * end of every hook call, so nothing is held back while they wait. */
HT_TLS bool ht_poller;
#define PEND_MAX_NS 5000000ull
static uint8_t pend_buf[HT_WIRE_MAX_RECORD];
static uint32_t pend_len, pend_count;
static uint64_t pend_t0;
static ht_lock pend_lock;
volatile uint32_t ht_pending; /* pend_len, read without the lock */

static void send_hello(int fd);

/* Move @fd out of the way of the program's own fds: a program expects the
 * lowest free number from open() and socket(), and one that closes or dups
 * fds by number is less likely to hit ours up high.  Returns the fd to use. */
static int move_high(int fd)
{
	struct rlimit rl;
	int base = 3;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		base = rl.rlim_cur > 1100 ? 1000 : (int)(rl.rlim_cur * 3 / 4);
	if (base <= fd)
		return fd;
	int hi = fcntl(fd, F_DUPFD_CLOEXEC, base);
	if (hi < 0)
		return fd;
	ht_real.close(fd);
	return hi;
}

static int connect_collector(void)
{
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	fd = move_high(fd);
	struct sockaddr_un sa;
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, sock_path, sizeof sa.sun_path - 1);
	/* A big send buffer rides out bursts while the collector is busy. */
	int sz = 4 << 20;
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
	if (ht_real.connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		int err = errno;
		ht_real.close(fd);
		errno = err;
		return -1;
	}
	send_hello(fd);
	return fd;
}

static void send_hello(int fd)
{
	char exe[256];
	uint8_t buf[512];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	ht_record rec;
	memset(&rec, 0, sizeof rec);
	rec.type = HT_REC_HELLO;
	rec.u.hello.pid = ht_pid;
	rec.u.hello.ppid = (uint32_t)getppid();
	rec.u.hello.exe.p = exe;
	rec.u.hello.exe.len = n > 0 ? (uint16_t)n : 0;
	size_t len = ht_wire_encode(buf, sizeof buf, &rec);
	if (len)
		ht_real.send(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
}

int ht_emit_init(const char *path)
{
	size_t n = strlen(path);
	if (n >= sizeof sock_path)
		return -1;
	memcpy(sock_path, path, n + 1);
	sock_fd = connect_collector();
	if (sock_fd >= 0)
		return 0;
	/* A collector whose backlog is full is busy, not absent: trace, and
	 * connect again when there is something to send. */
	return errno == EAGAIN ? 0 : -1;
}

void ht_emit_after_fork(void)
{
	/* The parent sent what was pending before forking (fork_prepare);
	 * whatever this copy holds is the parent's. */
	pend_lock.v = 0;
	pend_len = pend_count = 0;
	pend_t0 = 0;
	ht_pending = 0;
	/* Only this thread is left, and it holds no batch between calls. */
	ht_buf_reset_after_fork();
	batch_buf = NULL;
	ht_batch_len = 0;
	batch_count = 0;
	batch_urgent = false;
	/* The parent's socket is shared with the parent: the child gets its
	 * own so the collector knows its records and when it ends. */
	if (sock_fd >= 0)
		ht_real.close(sock_fd);
	dropped = dropped_sent = 0;
	sock_fd = connect_collector();
}

void ht_emit_fd_closed(int fd)
{
	/* The next record connects again, after the program's call: the
	 * hooks see every close, dup2 and close_range of the new socket too. */
	if (fd >= 0 && fd == sock_fd)
		sock_fd = -1;
}

bool ht_emit_is_own_fd(int fd)
{
	return fd >= 0 && fd == sock_fd;
}

int ht_emit_own_fd(void)
{
	return sock_fd;
}

/* Send one encoded message; returns 0, or the errno of the failure. */
static int send_msg(int fd, const uint8_t *buf, size_t len)
{
	ssize_t r = ht_real.send(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (r == (ssize_t)len)
		return 0;
	return r < 0 ? errno : EMSGSIZE;
}

/* The socket is unusable: EAGAIN and friends are "slow", the rest "gone". */
static bool collector_gone(int err)
{
	return err == EPIPE || err == ECONNRESET || err == ENOTCONN ||
	       err == ECONNREFUSED || err == EBADF || err == ENOTSOCK;
}

/* Get a usable socket: after the program closed ours, connect again; after
 * a failed attempt, try again at most once a second. */
static int current_fd(void)
{
	int fd = sock_fd;
	if (fd >= 0)
		return fd;
	uint64_t now = ht_now();
	if (last_retry_ns && now - last_retry_ns < 1000000000ull)
		return -1;
	fd = connect_collector();
	if (fd >= 0) {
		sock_fd = fd;
		last_retry_ns = 0;
	} else {
		last_retry_ns = now;
	}
	return fd;
}

void ht_emit_flush_drops(void)
{
	uint64_t d = __atomic_load_n(&dropped, __ATOMIC_RELAXED);
	if (d == __atomic_load_n(&dropped_sent, __ATOMIC_RELAXED))
		return;
	int fd = current_fd();
	if (fd < 0)
		return;
	ht_record rec;
	memset(&rec, 0, sizeof rec);
	rec.type = HT_REC_DROPS;
	rec.u.drops.pid = ht_pid;
	rec.u.drops.dropped = d;
	uint8_t buf[64];
	size_t len = ht_wire_encode(buf, sizeof buf, &rec);
	if (len && send_msg(fd, buf, len) == 0)
		__atomic_store_n(&dropped_sent, d, __ATOMIC_RELAXED);
}

void ht_emit(void *ctx, const ht_record *rec)
{
	(void)ctx;
	if (!ht_enabled)
		return;
	size_t len = 0;
	if (!batch_buf)
		batch_buf = ht_buf_get();
	if (batch_buf) {
		len = ht_wire_encode(batch_buf + ht_batch_len,
				     HT_BUF_SIZE - ht_batch_len, rec);
		if (!len && ht_batch_len) {
			/* no room left in this call's message: send it
			 * first, in a buffer lent anew */
			ht_emit_flush();
			batch_buf = ht_buf_get();
			if (batch_buf)
				len = ht_wire_encode(batch_buf, HT_BUF_SIZE,
						     rec);
		}
	}
	if (!len) {
		__atomic_add_fetch(&dropped, 1, __ATOMIC_RELAXED);
		return;
	}
	ht_batch_len += (uint32_t)len;
	batch_count++;
	if (rec->type != HT_REC_REQUEST)
		batch_urgent = true;
}

/* Send @len bytes holding @n records; count them as dropped on failure. */
static void send_records(const uint8_t *buf, uint32_t len, uint32_t n)
{
	if (!len || !ht_enabled)
		return;
	int fd = current_fd();
	if (fd < 0) {
		__atomic_add_fetch(&dropped, n, __ATOMIC_RELAXED);
		return;
	}
	int err = send_msg(fd, buf, len);
	if (err) {
		__atomic_add_fetch(&dropped, n, __ATOMIC_RELAXED);
		if (collector_gone(err)) {
			/* Nobody listens any more: stop tracing, quietly. */
			ht_enabled = 0;
		}
		return;
	}
	ht_emit_flush_drops();
}

void ht_emit_send_pending(void)
{
	/* The message is copied out so the lock is not held in send(). */
	uint8_t *out = ht_buf_get();
	ht_lock_acquire(&pend_lock);
	uint32_t len = pend_len, n = pend_count;
	if (out)
		memcpy(out, pend_buf, len);
	else if (len)
		__atomic_add_fetch(&dropped, n, __ATOMIC_RELAXED);
	pend_len = pend_count = 0;
	pend_t0 = 0;
	__atomic_store_n(&ht_pending, 0, __ATOMIC_RELAXED);
	ht_lock_release(&pend_lock);
	if (out)
		send_records(out, len, n);
	ht_buf_put(out);
}

/* Send (or, on an event loop's thread, queue) @len bytes of @n records. */
static void flush_batch(const uint8_t *buf, uint32_t len, uint32_t n,
			bool urgent)
{
	if (ht_poller && !urgent) {
		/* An event loop's records wait for its next wait (or for
		 * PEND_MAX_NS), in one message with the others. */
		uint64_t now = ht_now();
		bool send_now = false;
		ht_lock_acquire(&pend_lock);
		if (pend_len + len <= sizeof pend_buf) {
			memcpy(pend_buf + pend_len, buf, len);
			pend_len += len;
			pend_count += n;
			if (!pend_t0)
				pend_t0 = now;
			len = 0;
		}
		send_now = len || now - pend_t0 >= PEND_MAX_NS;
		__atomic_store_n(&ht_pending, pend_len, __ATOMIC_RELAXED);
		ht_lock_release(&pend_lock);
		if (!send_now)
			return;
		ht_emit_send_pending();
		send_records(buf, len, n); /* did not fit in pending */
		return;
	}
	/* Records already pending go first, then this call's. */
	if (__atomic_load_n(&ht_pending, __ATOMIC_RELAXED))
		ht_emit_send_pending();
	send_records(buf, len, n);
}

void ht_emit_flush(void)
{
	uint32_t len = ht_batch_len, n = batch_count;
	bool urgent = batch_urgent;
	uint8_t *buf = batch_buf;
	ht_batch_len = 0;
	batch_count = 0;
	batch_urgent = false;
	batch_buf = NULL;
	if (len)
		flush_batch(buf, len, n, urgent);
	ht_buf_put(buf);
}
