/* collector.c - socket, peers, the wait loop, a capture's replay; see
 * collector.h.  Decoding a peer's messages is in collector_feed.c, its
 * live page and its end in collector_live.c. */
#include "collector_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"

/* epoll tags: a peer is its fd; these sit above any fd. */
#define TAG_LISTEN ((uint64_t)1 << 40)
#define TAG_WATCH ((uint64_t)1 << 41)

/* Messages read from one peer per wakeup, so a busy process cannot starve
 * the others (epoll is level-triggered: the rest comes next round). */
#define PEER_BATCH (4 * COLLECTOR_BATCH)

/* Ask for receive buffers this large (the kernel clamps to its limit). */
#define RCVBUF_WANTED (8 << 20)
/* How long a busy collector lets records accumulate between reads. */
#define COALESCE_NS (2 * 1000 * 1000)

int collector_init(collector *c, collector_sink sink, collector_idle idle,
		   void *ctx)
{
	memset(c, 0, sizeof(*c));
	c->sink = sink;
	c->idle = idle;
	c->ctx = ctx;
	c->listen_fd = -1;
	c->spare_fd = -1;
	c->passed_fd = -1;
	c->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (c->epoll_fd < 0)
		return -errno;
	/* The receive buffer (2 MiB) comes with the socket, in
	 * collector_listen(): collector_feed() alone does not need it. */
	return 0;
}

/* Make room in the peer table for index @fd. */
static int peer_table_fit(collector *c, int fd)
{
	size_t cap = c->peer_cap ? c->peer_cap : 64;
	unsigned char *t;

	if ((size_t)fd < c->peer_cap)
		return 0;
	while (cap <= (size_t)fd)
		cap *= 2;
	t = realloc(c->peer_open, cap);
	if (t == NULL)
		return -ENOMEM;
	memset(t + c->peer_cap, 0, cap - c->peer_cap);
	c->peer_open = t;
	uint32_t *p = realloc(c->peer_pid, cap * sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	memset(p + c->peer_cap, 0, (cap - c->peer_cap) * sizeof(*p));
	c->peer_pid = p;
	p = realloc(c->peer_base, cap * sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	memset(p + c->peer_cap, 0, (cap - c->peer_cap) * sizeof(*p));
	c->peer_base = p;
	account *a = realloc(c->peer_acct, cap * sizeof(*a));
	if (a == NULL)
		return -ENOMEM;
	memset(a + c->peer_cap, 0, (cap - c->peer_cap) * sizeof(*a));
	c->peer_acct = a;
	void **pg = realloc(c->peer_page, cap * sizeof(*pg));
	if (pg == NULL)
		return -ENOMEM;
	memset(pg + c->peer_cap, 0, (cap - c->peer_cap) * sizeof(*pg));
	c->peer_page = pg;
	uint32_t *pl = realloc(c->peer_page_len, cap * sizeof(*pl));
	if (pl == NULL)
		return -ENOMEM;
	memset(pl + c->peer_cap, 0, (cap - c->peer_cap) * sizeof(*pl));
	c->peer_page_len = pl;
	c->peer_cap = cap;
	return 0;
}

/* Stop or resume polling the listening socket.  Accepting is paused while
 * we are out of fds, or a pending connection would wake epoll forever. */
static void accept_pause(collector *c, bool pause)
{
	struct epoll_event ev = {
		.events = pause ? 0 : EPOLLIN,
		.data.u64 = TAG_LISTEN,
	};

	if (c->accept_paused == pause)
		return;
	c->accept_paused = pause;
	epoll_ctl(c->epoll_fd, EPOLL_CTL_MOD, c->listen_fd, &ev);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Forget peer @fd's state: its id may be reused by a new process. */
static void peer_forget(collector *c, int fd)
{
	/* what its page said stays said: a fork child, a later image or
	 * session of the process may use the connections it marked */
	if (c->peer_pid[fd] != 0 &&
	    (c->peer_page[fd] == NULL ||
	     ht_live_may_have_client(c->peer_page[fd], c->peer_page_len[fd])))
		c->clients_ever = true;
	c->reads++;
	if (c->tap != NULL)
		c->tap(c->tap_ctx, COLLECTOR_EV_CLOSE, (uint32_t)fd, NULL, 0);
	peer_conns_forget(c, fd);
	c->peer_open[fd] = 0;
	c->peer_pid[fd] = 0;
	c->peer_base[fd] = 0;
	memset(&c->peer_acct[fd], 0, sizeof(c->peer_acct[fd]));
	if (c->peer_page[fd] != NULL)
		munmap(c->peer_page[fd], c->peer_page_len[fd]);
	c->peer_page[fd] = NULL;
	c->peer_page_len[fd] = 0;
	c->n_peers--;
	c->peers_closed++;
}

static void peer_close(collector *c, int fd)
{
	/* Stopping while the process may run on: the requests its page shows
	 * in flight are reported (or counted not seen) here, so it must
	 * neither send nor count their own records for a next collector: the
	 * page says so while its slots are read, then that they were (no
	 * clock: the library decides per request, live.h ht_live_taken();
	 * a page of version 8 gets our clock, which its library compares). */
	ht_live *l = NULL;

	if (c->ending && c->peer_pid[fd] != 0 && c->peer_page[fd] != NULL &&
	    ht_live_size_known(c->peer_page_len[fd]))
		l = c->peer_page[fd];
	if (l != NULL)
		ht_live_read_begin(l);
	unsigned unsent = peer_inflight(c, fd);
	if (l != NULL)
		ht_live_read_end(l, mono_ns());
	peer_conns_end(c, fd);
	peer_last_word(c, fd, unsent);
	epoll_ctl(c->epoll_fd, EPOLL_CTL_DEL, fd, NULL);
	close(fd);
	peer_forget(c, fd);
	if (c->accept_paused)
		accept_pause(c, false); /* an fd is free again */
}

/* Read up to @max messages from peer @fd (0 = until it has none), a batch
 * of COLLECTOR_BATCH per recvmmsg() call to save system calls. */
/* Room for the fds a message may carry: the library passes one (its
 * counter page, with the HELLO); any more are closed unread. */
#define CTL_FDS 4
typedef union ctl_buf {
	struct cmsghdr h;
	char space[CMSG_SPACE(CTL_FDS * sizeof(int))];
} ctl_buf;

/* Take the fds that came with message @m: the first is kept in
 * c->passed_fd for the HELLO it came with, the others closed. */
static void take_fds(collector *c, struct msghdr *m)
{
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(m); cm != NULL;
	     cm = CMSG_NXTHDR(m, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		size_t n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int pfd;

			memcpy(&pfd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
			if (c->passed_fd < 0)
				c->passed_fd = pfd;
			else
				close(pfd);
		}
	}
}

static void drop_passed_fd(collector *c)
{
	if (c->passed_fd >= 0)
		close(c->passed_fd);
	c->passed_fd = -1;
}

void peer_read(collector *c, int fd, unsigned max, uint8_t *buf)
{
	struct mmsghdr msgs[COLLECTOR_BATCH];
	struct iovec iov[COLLECTOR_BATCH];
	ctl_buf ctl[COLLECTOR_BATCH];
	unsigned done = 0;

	for (unsigned i = 0; i < COLLECTOR_BATCH; i++) {
		iov[i].iov_base = buf + (size_t)i * COLLECTOR_MSG;
		iov[i].iov_len = COLLECTOR_MSG;
		memset(&msgs[i].msg_hdr, 0, sizeof(msgs[i].msg_hdr));
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	while (max == 0 || done < max) {
		for (unsigned i = 0; i < COLLECTOR_BATCH; i++) {
			msgs[i].msg_hdr.msg_control = ctl[i].space;
			msgs[i].msg_hdr.msg_controllen = sizeof(ctl[i].space);
		}
		int n = recvmmsg(fd, msgs, COLLECTOR_BATCH,
				 MSG_DONTWAIT | MSG_CMSG_CLOEXEC, NULL);

		if (n > 0)
			c->reads++;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				peer_close(c, fd); /* reset: nothing more */
			return;
		}
		for (int i = 0; i < n; i++) {
			if (msgs[i].msg_hdr.msg_controllen > 0)
				take_fds(c, &msgs[i].msg_hdr);
			if (msgs[i].msg_len == 0) {
				/* The process closed the socket or exited. */
				drop_passed_fd(c);
				for (int j = i + 1; j < n; j++) {
					take_fds(c, &msgs[j].msg_hdr);
					drop_passed_fd(c);
				}
				peer_close(c, fd);
				return;
			}
			if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
				drop_passed_fd(c);
				if (c->tap != NULL)
					c->tap(c->tap_ctx, COLLECTOR_EV_TRUNC,
					       (uint32_t)fd, NULL, 0);
				c->malformed++; /* larger than any valid message */
				continue;
			}
			feed(c, fd, iov[i].iov_base, msgs[i].msg_len);
			drop_passed_fd(c);
			if (!c->peer_open[fd]) {
				/* closed while feeding: the rest's fds too */
				for (int j = i + 1; j < n; j++) {
					take_fds(c, &msgs[j].msg_hdr);
					drop_passed_fd(c);
				}
				return;
			}
		}
		done += (unsigned)n;
		if (n < COLLECTOR_BATCH)
			return; /* the queue is empty for now */
	}
}

/* The parent of process @pid (/proc), or 0 when it cannot be read. */
static pid_t parent_of(pid_t pid)
{
	char path[32], buf[512];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* "pid (comm) state ppid ...": comm may hold anything, ')' too */
	const char *p = strrchr(buf, ')');
	int ppid;

	if (p == NULL || sscanf(p + 1, " %*c %d", &ppid) != 1)
		return 0;
	return (pid_t)ppid;
}

/* Whether process @pid descends from this one (run mode is the
 * subreaper: an orphan of the command's tree is re-parented here). */
static bool descends_from_us(pid_t pid)
{
	pid_t self = getpid();

	for (int depth = 0; pid > 1 && depth < 256; depth++) {
		pid = parent_of(pid);
		if (pid == self)
			return true;
	}
	return false;
}

/* Whether the process at the other end of @fd may report: one of our
 * user, or (tree_users) one of our process tree whatever its user.  Its
 * pid into *@pid (0: not known). */
static bool peer_may_report(const collector *c, int fd, pid_t *pid)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	*pid = 0;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return false;
	*pid = cred.pid;
	if (cred.uid == geteuid())
		return true;
	if (!c->tree_users || cred.pid <= 0)
		return false;
	/* the pid still the connecting process's (its user; root's when
	 * it is not dumpable, as a process that switched users may be),
	 * not reused by another since */
	char path[32];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d", (int)cred.pid);
	return stat(path, &st) == 0 &&
	       (st.st_uid == cred.uid || st.st_uid == 0) &&
	       descends_from_us(cred.pid);
}

/* Whether a refusal of process @pid is its first (each process is counted
 * once: its library connects again after the close, and at its exit).  A
 * pid not known counts each time; so does one the map has no memory to
 * hold (counted again, rather than not at all). */
static bool refused_first(collector *c, int pid)
{
	if (pid <= 0 || u64map_has(&c->refused_pids, (uint64_t)pid))
		return pid <= 0;
	(void)u64map_put(&c->refused_pids, (uint64_t)pid, 1);
	return true;
}

/* Accept every pending connection. */
static void accept_all(collector *c)
{
	for (;;) {
		int fd = accept4(c->listen_fd, NULL, NULL,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct epoll_event ev = { .events = EPOLLIN };
		int size = RCVBUF_WANTED;
		pid_t pid;

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			/* EMFILE and the like: leave the connection pending
			 * until a peer goes away and frees an fd. */
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				accept_pause(c, true);
			return;
		}
		if (!peer_may_report(c, fd, &pid)) {
			/* Only our own user's processes may report (and, in
			 * run mode as root, the command's tree). */
			close(fd);
			if (refused_first(c, pid))
				c->refused++;
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
		ev.data.u64 = (uint64_t)fd;
		if (peer_table_fit(c, fd) < 0 ||
		    epoll_ctl(c->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			/* No room for one more process (memory, or the
			 * user's epoll watches: fs.epoll.max_user_watches):
			 * refused, its records lost, counted as above */
			close(fd);
			if (refused_first(c, pid))
				c->refused_no_room++;
			continue;
		}
		c->peer_open[fd] = 1;
		c->n_peers++;
		c->peers_seen++;
		if (c->tap != NULL)
			c->tap(c->tap_ctx, COLLECTOR_EV_OPEN, (uint32_t)fd,
			       NULL, 0);
	}
}

int collector_listen(collector *c, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = TAG_LISTEN };
	size_t len = strlen(path);
	int fd;
	int err;

	if (len >= sizeof(sa.sun_path) || len >= sizeof(c->path))
		return -ENAMETOOLONG;
	if (c->buf == NULL) {
		c->buf = malloc((size_t)COLLECTOR_BATCH * COLLECTOR_MSG);
		if (c->buf == NULL)
			return -ENOMEM;
	}
	memcpy(sa.sun_path, path, len + 1);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	memcpy(c->path, path, len + 1); /* from now on collector_close unlinks */
	c->listen_fd = fd;
	/* an fd kept so that connections left pending at the end, out of
	 * fds, can still be read (end_pending()) */
	c->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	/* Only our own user may connect (the directory is private as well);
	 * with tree_users, anyone may, and accept_all() refuses whoever is
	 * neither our user nor of our tree. */
	if (chmod(path, c->tree_users ? 0666 : 0600) < 0 ||
	    listen(fd, 4096) < 0 ||
	    epoll_ctl(c->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -errno;
	return 0;
}

int collector_watch(collector *c, int fd)
{
	struct epoll_event ev = {
		.events = EPOLLIN,
		.data.u64 = TAG_WATCH | (uint64_t)(unsigned)fd,
	};

	if (epoll_ctl(c->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -errno;
	return 0;
}

/* The loop woke up to read: what it hands the sink now arrived now (the
 * tap learns it before the first message, feed()). */
static void wake_clock(collector *c)
{
	c->now = mono_ns();
	c->now_untapped = true;
}

/* Run the tick hook when it is due; returns how long epoll may block
 * before the next one (ms, rounded up), at most @timeout_ms (-1: no
 * bound).  Without a tick hook, or while no peer is connected (a new
 * one wakes epoll), @timeout_ms: an idle listener does not wake. */
static int tick_due(collector *c, int timeout_ms)
{
	uint64_t now, ms;

	if (c->tick == NULL || c->tick_ms == 0 || c->n_peers == 0)
		return timeout_ms;
	now = mono_ns();
	if (now >= c->next_tick) {
		c->tick(c->ctx, c, now);
		c->next_tick = now + (uint64_t)c->tick_ms * 1000000u;
	}
	ms = (c->next_tick - now + 999999u) / 1000000u;
	if (timeout_ms >= 0 && (uint64_t)timeout_ms < ms)
		return timeout_ms;
	return (int)ms;
}

int collector_wait(collector *c, int timeout_ms)
{
	struct epoll_event evs[64];
	uint64_t deadline = 0;

	if (timeout_ms >= 0 && c->tick != NULL && c->tick_ms != 0)
		deadline = mono_ns() + (uint64_t)timeout_ms * 1000000u;
	for (;;) {
		bool watched = false;
		int n, block;

		/* While records flow, let them pile up for a moment: one
		 * wake-up then reads a batch instead of a record (each
		 * wake-up costs the traced program's CPU as much as ours).
		 * The senders' socket buffers hold far more than arrives in
		 * COALESCE_NS. */
		if (c->records != c->records_at_wake) {
			struct timespec ts = { 0, COALESCE_NS };

			c->records_at_wake = c->records;
			nanosleep(&ts, NULL);
		}
		block = tick_due(c, timeout_ms);
		n = epoll_wait(c->epoll_fd, evs, 64, 0);
		if (n == 0) {
			/* Nothing pending: this is when output goes out. */
			if (c->idle != NULL)
				c->idle(c->ctx);
			n = epoll_wait(c->epoll_fd, evs, 64, block);
			if (n == 0 && block == timeout_ms)
				return 0;
			if (n == 0 && deadline != 0) {
				uint64_t now = mono_ns();

				if (now >= deadline)
					return 0;
				timeout_ms = (int)((deadline - now + 999999u) /
						   1000000u);
			}
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n > 0)
			wake_clock(c);
		for (int i = 0; i < n; i++) {
			uint64_t tag = evs[i].data.u64;

			if (tag == TAG_LISTEN)
				accept_all(c);
			else if (tag & TAG_WATCH)
				watched = true;
			else if ((size_t)tag < c->peer_cap && c->peer_open[tag])
				peer_read(c, (int)tag, PEER_BATCH, c->buf);
		}
		if (watched)
			return 1;
	}
}

/* At the end, once every peer is closed: the connections still pending
 * because accept4 failed (out of fds, ENFILE, ENOMEM: accepting paused)
 * are accepted now that the peers' fds are free, and read to their end as
 * the others were, one at a time with the spare fd if need be; what still
 * cannot be accepted would be lost with the socket, unsaid: refused for
 * want of room.  Which processes wait cannot be told then: at least one
 * does (the socket is readable), counted as one. */
static void end_pending(collector *c)
{
	struct pollfd p = { .fd = c->listen_fd, .events = POLLIN };

	for (;;) {
		uint64_t seen = c->peers_seen, refused = c->refused +
							 c->refused_no_room;

		accept_all(c);
		if (c->peers_seen == seen &&
		    c->refused + c->refused_no_room == refused) {
			if (!c->accept_paused || c->spare_fd < 0)
				break;
			close(c->spare_fd); /* out of fds: one more */
			c->spare_fd = -1;
			continue;
		}
		for (size_t fd = 0; fd < c->peer_cap; fd++)
			if (c->peer_open[fd])
				shutdown((int)fd, SHUT_RD);
		for (size_t fd = 0; fd < c->peer_cap; fd++)
			if (c->peer_open[fd])
				peer_read(c, (int)fd, 0, c->buf);
		for (size_t fd = 0; fd < c->peer_cap; fd++)
			if (c->peer_open[fd])
				peer_close(c, (int)fd);
	}
	if (c->accept_paused && poll(&p, 1, 0) == 1 && (p.revents & POLLIN))
		c->refused_no_room++;
}

void collector_drain(collector *c)
{
	uint64_t closed;

	/* Out of fds, connections wait until peers at EOF are closed: go
	 * round again as long as that frees some. */
	wake_clock(c);
	do {
		closed = c->peers_closed;
		if (c->listen_fd >= 0)
			accept_all(c);
		for (size_t fd = 0; fd < c->peer_cap; fd++)
			if (c->peer_open[fd])
				peer_read(c, (int)fd, 0, c->buf);
	} while (c->peers_closed != closed);
	if (c->idle != NULL)
		c->idle(c->ctx);
}

void collector_end_peers(collector *c)
{
	if (c->replay)
		return; /* a replay's peers are ids: the capture ends them */
	wake_clock(c);
	c->ending = true;
	/* Nothing more comes in: a process that runs on finds us gone at
	 * its next send and counts what it sends from then on for the next
	 * collector.  What it sent before is read, then its page: what that
	 * shows made and not received is the process's to count, not ours
	 * (peer_last_word()), so nothing is counted twice and nothing sent
	 * after our last read is lost uncounted. */
	for (size_t fd = 0; fd < c->peer_cap; fd++)
		if (c->peer_open[fd])
			shutdown((int)fd, SHUT_RD);
	for (size_t fd = 0; fd < c->peer_cap; fd++)
		if (c->peer_open[fd])
			peer_read(c, (int)fd, 0, c->buf); /* (to its end) */
	for (size_t fd = 0; fd < c->peer_cap; fd++)
		if (c->peer_open[fd])
			peer_close(c, (int)fd);
	if (c->listen_fd >= 0)
		end_pending(c);
	c->ending = false;
	if (c->idle != NULL)
		c->idle(c->ctx);
}

int collector_replay(collector *c, unsigned ev, uint32_t peer,
		     const uint8_t *buf, size_t len)
{
	int fd = (int)peer;

	if (ev == COLLECTOR_EV_CLOCK) {
		if (len != CAP_CLOCK_LEN)
			return -EINVAL;
		c->now = cap_clock_parse(buf);
		c->replay = true;
		return 0;
	}
	if (peer >= COLLECTOR_MAX_PEER)
		return -EINVAL;
	c->replay = true;
	if (peer_table_fit(c, fd) < 0)
		return -ENOMEM;
	switch (ev) {
	case COLLECTOR_EV_OPEN:
		if (c->peer_open[fd])
			peer_forget(c, fd); /* a capture joined badly */
		c->peer_open[fd] = 1;
		c->n_peers++;
		c->peers_seen++;
		return 0;
	case COLLECTOR_EV_MSG:
		feed(c, fd, buf, len);
		return 0;
	case COLLECTOR_EV_TRUNC:
		c->malformed++;
		return 0;
	case COLLECTOR_EV_CLOSE:
		if (c->peer_open[fd]) {
			peer_forget(c, fd);
		} else {
			/* Messages came without an open (a crafted file):
			 * the id is still free for the next process. */
			c->peer_pid[fd] = 0;
			c->peer_base[fd] = 0;
		}
		return 0;
	default:
		return -EINVAL;
	}
}

void collector_close(collector *c)
{
	c->closing = true;
	for (size_t fd = 0; fd < c->peer_cap; fd++)
		if (c->peer_open[fd]) {
			/* A replay's peers are only ids, not fds. */
			if (c->replay)
				peer_forget(c, (int)fd);
			else
				peer_close(c, (int)fd);
		}
	peer_release(c, -1, 0); /* none is left: each peer's end fed its own */
	if (c->listen_fd >= 0)
		close(c->listen_fd);
	if (c->spare_fd >= 0)
		close(c->spare_fd);
	if (c->path[0] != '\0')
		unlink(c->path);
	if (c->epoll_fd >= 0)
		close(c->epoll_fd);
	free(c->peer_open);
	free(c->peer_pid);
	free(c->peer_base);
	free(c->peer_acct);
	free(c->peer_page);
	free(c->peer_page_len);
	c->peer_acct = NULL;
	c->peer_page = NULL;
	c->peer_page_len = NULL;
	free(c->pids);
	free(c->drain_buf);
	u64map_free(&c->refused_pids);
	peer_conns_forget(c, -1);
	u64map_free(&c->open_conns);
	c->drain_buf = NULL;
	c->peer_pid = c->peer_base = NULL;
	c->pids = NULL;
	c->pid_cap = c->pid_used = 0;
	free(c->buf);
	c->listen_fd = c->epoll_fd = -1;
	c->peer_open = NULL;
	c->buf = NULL;
	c->peer_cap = 0;
	c->path[0] = '\0';
}
