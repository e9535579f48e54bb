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
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ht.h"

static char sock_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
static volatile int sock_fd = -1;
static uint64_t dropped;        /* records not delivered (atomic) */
static uint64_t dropped_sent;   /* last count the collector was told */
static uint64_t last_retry_ns;  /* when we last tried to reconnect */

/* Encoding buffer: one per thread, never used re-entrantly (ht_busy). */
static HT_TLS uint8_t enc_buf[HT_WIRE_MAX_RECORD];

static void send_hello(int fd);

static int connect_collector(void)
{
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
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
	static char exe[256];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	ht_record rec;
	memset(&rec, 0, sizeof rec);
	rec.type = HT_REC_HELLO;
	rec.u.hello.pid = ht_pid;
	rec.u.hello.ppid = (uint32_t)getppid();
	rec.u.hello.exe.p = exe;
	rec.u.hello.exe.len = n > 0 ? (uint16_t)n : 0;
	size_t len = ht_wire_encode(enc_buf, sizeof enc_buf, &rec);
	if (len)
		ht_real.send(fd, enc_buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
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
	/* The parent's socket is shared with the parent: the child gets its
	 * own so the collector knows its records and when it ends. */
	if (sock_fd >= 0)
		ht_real.close(sock_fd);
	dropped = dropped_sent = 0;
	sock_fd = connect_collector();
}

void ht_emit_fd_closed(int fd)
{
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

/* Get a usable socket, reconnecting at most once a second after the
 * program closed ours. */
static int current_fd(void)
{
	int fd = sock_fd;
	if (fd >= 0)
		return fd;
	uint64_t now = ht_now();
	if (now - last_retry_ns < 1000000000ull)
		return -1;
	last_retry_ns = now;
	fd = connect_collector();
	if (fd >= 0)
		sock_fd = fd;
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
	size_t len = ht_wire_encode(enc_buf, sizeof enc_buf, &rec);
	if (len && send_msg(fd, enc_buf, len) == 0)
		__atomic_store_n(&dropped_sent, d, __ATOMIC_RELAXED);
}

void ht_emit(void *ctx, const ht_record *rec)
{
	(void)ctx;
	if (!ht_enabled)
		return;
	int fd = current_fd();
	if (fd < 0) {
		__atomic_add_fetch(&dropped, 1, __ATOMIC_RELAXED);
		return;
	}
	size_t len = ht_wire_encode(enc_buf, sizeof enc_buf, rec);
	if (!len) {
		__atomic_add_fetch(&dropped, 1, __ATOMIC_RELAXED);
		return;
	}
	int err = send_msg(fd, enc_buf, len);
	if (err) {
		__atomic_add_fetch(&dropped, 1, __ATOMIC_RELAXED);
		if (collector_gone(err)) {
			/* Nobody listens any more: stop tracing, quietly. */
			ht_enabled = 0;
		}
		return;
	}
	ht_emit_flush_drops();
}
