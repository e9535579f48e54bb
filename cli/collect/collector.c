/* collector.c - socket, peers, decode loop; see collector.h. */
#include "collector.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "live.h"

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
	c->passed_fd = -1;
	c->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (c->epoll_fd < 0)
		return -errno;
	/* The receive buffer (2 MiB) comes with the socket, in
	 * collector_listen(): collector_feed() alone does not need it. */
	return 0;
}

/* ---- connection numbers across exec --------------------------------------
 *
 * A process that execs gets a fresh library whose connection numbers start
 * at 1 again, under the same pid.  Each image has its own socket and says
 * HELLO first, so the collector shifts the numbers of a later image past
 * every number the pid used before: pid + conn stay unique.  Before taking
 * that base, the earlier images' sockets are read to the end (they exec'd:
 * nothing more can come from them), so no late record is missed. */

/* The slot of @pid in the pid table (open addressing), or of the empty
 * slot where it goes; the table always has room (grown at half full). */
static size_t pid_slot(const collector *c, uint32_t pid)
{
	size_t mask = c->pid_cap - 1, i = (pid * 2654435761u) & mask;

	while (c->pids[i].pid != 0 && c->pids[i].pid != pid)
		i = (i + 1) & mask;
	return i;
}

/* Whether a peer of @pid is connected now. */
static bool pid_has_peer(const collector *c, uint32_t pid)
{
	for (size_t fd = 0; fd < c->peer_cap; fd++)
		if (c->peer_open[fd] && c->peer_pid[fd] == pid)
			return true;
	return false;
}

/* Move the pid table into a new one of @cap slots, leaving out, when
 * @prune, the pids with no peer connected.  Returns 0 or -ENOMEM. */
static int pid_table_rebuild(collector *c, size_t cap, bool prune)
{
	struct collector_pid *old = c->pids;
	size_t old_cap = c->pid_cap;
	struct collector_pid *t = calloc(cap, sizeof(*t));

	if (t == NULL)
		return -ENOMEM;
	c->pids = t;
	c->pid_cap = cap;
	c->pid_used = 0;
	for (size_t i = 0; i < old_cap; i++) {
		if (old[i].pid == 0)
			continue;
		if (prune && !pid_has_peer(c, old[i].pid)) {
			c->pids_forgotten++;
			continue;
		}
		c->pids[pid_slot(c, old[i].pid)] = old[i];
		c->pid_used++;
	}
	free(old);
	return 0;
}

/* @pid's entry (created empty), or NULL when out of memory.  The table is
 * bounded: once it holds COLLECTOR_MAX_PIDS pids, those with no peer
 * connected are forgotten (counted in pids_forgotten; a later image of
 * such a pid numbers its connections from 1 again). */
static struct collector_pid *pid_entry(collector *c, uint32_t pid)
{
	if (c->pid_used * 2 >= c->pid_cap) {
		size_t cap = c->pid_cap ? c->pid_cap * 2 : 64;

		if (c->pid_used >= COLLECTOR_MAX_PIDS &&
		    pid_table_rebuild(c, c->pid_cap, true) < 0)
			return NULL;
		/* still half full (every pid kept has a peer): grow */
		if (c->pid_used * 2 >= c->pid_cap &&
		    pid_table_rebuild(c, cap, false) < 0)
			return NULL;
	}
	size_t i = pid_slot(c, pid);
	if (c->pids[i].pid == 0) {
		c->pids[i].pid = pid;
		c->pid_used++;
	}
	return &c->pids[i];
}

/* The highest connection number @pid has shown so far (created at 0). */
static uint32_t *pid_max_conn(collector *c, uint32_t pid)
{
	struct collector_pid *e = pid_entry(c, pid);

	return e != NULL ? &e->max_conn : NULL;
}

/* Hand the sink @inc more records that @pid produced and that never
 * arrived (an HT_REC_DROPS record holding the increment). */
static void give_unseen(collector *c, uint32_t pid, int64_t inc)
{
	ht_record rec = { .type = HT_REC_DROPS };

	if (inc < 0) {
		c->malformed++; /* a count no process could have */
		return;
	}
	if (inc == 0)
		return;
	c->unseen += (uint64_t)inc;
	rec.u.drops.pid = pid;
	rec.u.drops.dropped = (uint64_t)inc;
	c->sink(c->ctx, &rec);
}

/* Map the counter page @fd that came with peer @fd_peer's HELLO; the page
 * must be what the library makes (a sealed memfd of one page): a file that
 * could shrink under the mapping would kill the collector with SIGBUS. */
static void *map_page(int fd, uint32_t *len)
{
	struct stat st;
	int seals = fcntl(fd, F_GET_SEALS);
	void *p;

	/* one page of counters (version 1), or a live page (live.h) */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (st.st_size != HT_COUNTERS_SIZE && st.st_size != HT_LIVE_SIZE) ||
	    seals < 0 || !(seals & F_SEAL_SHRINK))
		return NULL;
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return NULL;
	if (((const ht_counters *)p)->magic != HT_COUNTERS_MAGIC) {
		munmap(p, (size_t)st.st_size);
		return NULL;
	}
	*len = (uint32_t)st.st_size;
	return p;
}

static void peer_read(collector *c, int fd, unsigned max, uint8_t *buf);

/* Peer @fd said HELLO @h: finish every other image of the pid, then
 * number this one's connections after theirs (a reconnect of the same
 * image keeps its numbers), and open its books.  @h's RECONNECT flag is
 * kept only when this collector saw the image before. */
static void peer_hello(collector *c, int fd, ht_rec_hello *h)
{
	uint32_t pid = h->pid;
	struct collector_pid *e;
	bool same_image;

	if (pid == 0)
		return;
	c->peer_pid[fd] = pid;
	/* The fd that came with this HELLO, kept aside while other peers'
	 * messages (and theirs) are read. */
	int passed = c->passed_fd;
	c->passed_fd = -1;
	/* A replay has no sockets to read: the capture already holds those
	 * reads, tapped before this HELLO's own part of its message.  Nor
	 * does a HELLO met while draining another peer here: drain_buf is
	 * the outer drain's, still being walked (its pid's other images are
	 * read by that outer drain, or come in their turn). */
	bool drain = !c->replay && !c->draining;
	if (drain)
		c->draining = true;
	for (size_t other = 0; drain && other < c->peer_cap; other++) {
		if ((int)other == fd || !c->peer_open[other] ||
		    c->peer_pid[other] != pid)
			continue;
		/* Not into c->buf: the caller is still reading the messages
		 * it holds there. */
		if (c->drain_buf == NULL)
			c->drain_buf = malloc((size_t)COLLECTOR_BATCH * COLLECTOR_MSG);
		if (c->drain_buf != NULL)
			peer_read(c, (int)other, 0, c->drain_buf);
	}
	if (drain)
		c->draining = false;
	c->passed_fd = passed;
	e = pid_entry(c, pid);
	same_image = e != NULL && (h->flags & HT_HF_RECONNECT) &&
		     h->image != 0 && e->image == h->image;
	if (!same_image)
		h->flags &= ~HT_HF_RECONNECT;
	if (e != NULL) {
		if (!same_image) {
			e->image = h->image;
			e->image_base = e->max_conn;
		}
		c->peer_base[fd] = e->image_base;
	}
	if (c->peer_page[fd] == NULL && c->passed_fd >= 0 &&
	    (h->flags & HT_HF_COUNTERS))
		c->peer_page[fd] = map_page(c->passed_fd,
					    &c->peer_page_len[fd]);
	give_unseen(c, pid, account_hello(&c->peer_acct[fd], h,
					  c->peer_page[fd] != NULL));
}

/* Shift @rec's connection number by its image's base. */
static void renumber(collector *c, int fd, ht_record *rec)
{
	uint32_t *conn, pid;

	switch (rec->type) {
	case HT_REC_REQUEST:
		conn = &rec->u.req.conn_id;
		pid = rec->u.req.pid;
		break;
	case HT_REC_CONN_FAIL:
		conn = &rec->u.fail.conn_id;
		pid = rec->u.fail.pid;
		break;
	case HT_REC_CONN_CLOSE:
		conn = &rec->u.close.conn_id;
		pid = rec->u.close.pid;
		break;
	case HT_REC_WS:
		conn = &rec->u.ws.conn_id;
		pid = rec->u.ws.pid;
		break;
	default:
		return;
	}
	if (fd >= 0 && c->peer_pid[fd] == pid)
		*conn += c->peer_base[fd];
	uint32_t *max = pid_max_conn(c, pid);
	if (max != NULL && *conn > *max)
		*max = *conn;
}

/* Decode the records of one message from peer @fd (-1: not a peer), and
 * tap it (see collector_tap for the split at a HELLO). */
static size_t feed(collector *c, int fd, const uint8_t *buf, size_t len)
{
	const uint8_t *untapped = buf, *end = buf + len;
	bool tap = c->tap != NULL && fd >= 0;
	size_t delivered = 0;

	while (len > 0) {
		ht_record rec;
		long n = ht_wire_decode(buf, len, &rec);

		if (n <= 0) {
			/* Garbage (-1) or a record cut short (0): the rest of
			 * the message cannot be trusted to be aligned. */
			c->malformed++;
			break;
		}
		if (rec.type == HT_REC_HELLO && fd >= 0) {
			/* The records before it reached the sink before
			 * what peer_hello() reads from other peers. */
			if (tap && buf > untapped) {
				c->tap(c->tap_ctx, COLLECTOR_EV_MSG, (uint32_t)fd,
				       untapped, (size_t)(buf - untapped));
				untapped = buf;
			}
			peer_hello(c, fd, &rec.u.hello);
		} else if (rec.type == HT_REC_DROPS && fd >= 0) {
			/* The sink gets what is new, summed over images. */
			c->records++;
			delivered++;
			give_unseen(c, rec.u.drops.pid,
				    account_drops(&c->peer_acct[fd], &rec.u.drops,
						  c->in_page_read));
			buf += n;
			len -= (size_t)n;
			continue;
		} else {
			renumber(c, fd, &rec);
			/* (a request the collector made from the live page
			 * was never produced: not one the process sent; a
			 * replay of the capture knows it by its flag) */
			if (fd >= 0 && !(rec.type == HT_REC_REQUEST &&
					 (rec.u.req.flags & HT_RF_FROM_PAGE)) &&
			    !(rec.type == HT_REC_CONN_FAIL &&
			      (rec.u.fail.flags & HT_FF_FROM_PAGE)))
				account_received(&c->peer_acct[fd]);
		}
		c->records++;
		delivered++;
		c->sink(c->ctx, &rec);
		buf += n;
		len -= (size_t)n;
	}
	/* The rest, garbage included: a replay counts it malformed too. */
	if (tap && end > untapped)
		c->tap(c->tap_ctx, COLLECTOR_EV_MSG, (uint32_t)fd, untapped,
		       (size_t)(end - untapped));
	return delivered;
}

size_t collector_feed(collector *c, const uint8_t *buf, size_t len)
{
	return feed(c, -1, buf, len);
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

/* Forget peer @fd's state: its id may be reused by a new process. */
static void peer_forget(collector *c, int fd)
{
	if (c->tap != NULL)
		c->tap(c->tap_ctx, COLLECTOR_EV_CLOSE, (uint32_t)fd, NULL, 0);
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

/* Peer @fd is gone: its counter page says what it produced and dropped in
 * all, whatever ended it.  The count is fed as a DROPS record of the peer's
 * own (and so tapped: a replay of the capture counts the same). */
static void peer_last_word(collector *c, int fd)
{
	const ht_counters *pg = c->peer_page[fd];
	ht_record rec = { .type = HT_REC_DROPS };
	uint8_t buf[64];
	size_t len;

	/* At collector_close() the outputs are finished: a process still
	 * running then has no last word yet. */
	if (pg == NULL || c->peer_pid[fd] == 0 || c->closing)
		return;
	rec.u.drops.pid = c->peer_pid[fd];
	rec.u.drops.dropped = __atomic_load_n(&pg->dropped, __ATOMIC_RELAXED);
	rec.u.drops.produced = __atomic_load_n(&pg->produced, __ATOMIC_RELAXED);
	rec.u.drops.flags = HT_DF_FINAL;
	/* A page whose process never produced a record: nothing to say. */
	if (rec.u.drops.produced == 0 && rec.u.drops.dropped == 0)
		return;
	len = ht_wire_encode(buf, sizeof(buf), &rec);
	if (len == 0)
		return;
	c->in_page_read = true;
	feed(c, fd, buf, len);
	c->in_page_read = false;
}

/* The live page of peer @fd, or NULL (none, or a version-1 page). */
static const ht_live *peer_live(const collector *c, int fd)
{
	if (c->peer_page[fd] == NULL || c->peer_page_len[fd] != HT_LIVE_SIZE)
		return NULL;
	return c->peer_page[fd];
}

/* Whether process @pid still runs: its /proc entry exists and it is not a
 * zombie (or dead).  Not known (no /proc, another pid namespace): false. */
static bool process_runs(uint32_t pid)
{
	char path[32], buf[512];
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%u/stat", (unsigned)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	/* "pid (comm) S ...": the state follows the last ')' */
	const char *p = strrchr(buf, ')');
	if (p == NULL || p[1] != ' ')
		return false;
	return p[2] != 'Z' && p[2] != 'X' && p[2] != 'x';
}

/* How the process @pid ended, for its requests still in flight: the
 * error, and the signal (0: none or not known); 0 when it has not ended
 * (its socket to us closed behind its back, a raw close_range, and it
 * reconnects: its requests are still its own to report).  A child of ours
 * (run mode is the subreaper) is asked without being reaped (WNOWAIT);
 * another process by its /proc entry.  Its socket closes as it exits, a
 * moment before it can be waited for or is a zombie, so either is retried
 * a little (at most END_WAIT_MS); @wait: whether to. */
#define END_WAIT_MS 100
static unsigned process_end(const ht_live *l, uint32_t pid, bool wait,
			    uint8_t *sig)
{
	bool child = true;

	*sig = 0;
	if (__atomic_load_n(&l->ended, __ATOMIC_ACQUIRE) == HT_LIVE_EXITED)
		return HT_ERR_EXITED;
	for (unsigned i = 0; i <= END_WAIT_MS; i++) {
		siginfo_t si;

		memset(&si, 0, sizeof(si));
		if (child && waitid(P_PID, (id_t)pid, &si,
				    WEXITED | WNOHANG | WNOWAIT) < 0) {
			if (errno == EINTR)
				continue;
			child = false; /* not our child: by /proc */
		}
		if (child && si.si_pid == (pid_t)pid) {
			if (si.si_code == CLD_EXITED)
				return HT_ERR_EXITED;
			*sig = (uint8_t)si.si_status;
			switch (si.si_status) {
			case SIGINT:
				return HT_ERR_INTERRUPTED;
			case SIGSEGV:
			case SIGBUS:
			case SIGABRT:
			case SIGILL:
			case SIGFPE:
				return HT_ERR_CRASHED;
			default:
				return HT_ERR_KILLED;
			}
		}
		if (!child && !process_runs(pid))
			return HT_ERR_INTERRUPTED; /* ended, how not known */
		if (!wait)
			return HT_ERR_INTERRUPTED;
		struct timespec ts = { 0, 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	return 0; /* still running */
}

/* Connection slot @q of peer @fd, in phase @phase when its process ended
 * (@error, @sig; at @now): reported as a failed connection of the peer's
 * own (HT_REC_CONN_FAIL, HT_FF_FROM_PAGE, HT_FF_TLS in the handshake). */
static void conn_inflight(collector *c, int fd, const ht_live_conn *q,
			  unsigned phase, unsigned error, uint8_t sig,
			  uint64_t now)
{
	ht_record rec = { .type = HT_REC_CONN_FAIL };
	ht_rec_conn_fail *f = &rec.u.fail;
	uint8_t buf[512];

	f->pid = c->peer_pid[fd];
	f->conn_id = q->conn_id;
	f->peer = q->peer;
	f->flags = HT_FF_FROM_PAGE | (phase == HT_PH_TLS ? HT_FF_TLS : 0);
	f->t_dns_start = q->t_dns_start;
	f->t_dns_done = q->t_dns_done;
	f->t_connect_start = q->t_connect_start;
	f->t_connect_done = q->t_connect_done;
	f->t_tls_start = q->t_tls_start;
	f->t_fail = now;
	f->dns_name = (ht_str){ q->name, (uint16_t)strlen(q->name) };
	f->error = (uint8_t)error;
	f->signal = sig;
	f->phase = (uint8_t)phase;
	size_t len = ht_wire_encode(buf, sizeof(buf), &rec);

	if (len == 0)
		return;
	c->in_page_read = true;
	feed(c, fd, buf, len);
	c->in_page_read = false;
}

/* Peer @fd is gone: every request its live page still shows in flight is
 * reported, as a request record of the peer's own (so tapped and
 * replayed), with how the process ended and the phase it was in; so is
 * every connection still in its DNS, connect or TLS phase, as a failed
 * connection (conn_inflight()).  Slots torn for good (the process died
 * writing one) are counted malformed. */
static void peer_inflight(collector *c, int fd)
{
	const ht_live *l = peer_live(c, fd);
	uint8_t buf[1024];
	struct timespec ts;
	unsigned error = 0;
	uint8_t sig = 0;
	bool known = false;

	if (l == NULL || c->peer_pid[fd] == 0 || c->closing)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	uint64_t now = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	/* How the process ended is asked (and waited for) before the slots
	 * are read for good: a process whose socket closed behind its back
	 * runs on, ends its requests itself (releasing their slots) and may
	 * exit within the wait; only what is still in flight after is its
	 * end's. */
	bool any = false;

	for (unsigned i = 0; i < HT_LIVE_REQS && !any; i++) {
		ht_live_req q;

		any = ht_live_read(l, i, &q) == 1 &&
		      q.kind != HT_LIVE_WEBSOCKET;
	}
	for (unsigned i = 0; i < HT_LIVE_CONNS && !any; i++) {
		ht_live_conn q;

		any = ht_live_conn_read(l, i, &q) == 1 &&
		      ht_live_conn_phase(&q) != HT_PH_NONE;
	}
	if (!any)
		return; /* nothing in flight */
	error = process_end(l, c->peer_pid[fd], !c->ending, &sig);
	known = true;
	if (error == 0)
		return; /* it runs on: its own records follow */
	for (unsigned i = 0; i < HT_LIVE_REQS; i++) {
		ht_live_req q;
		int got = ht_live_read(l, i, &q);

		if (got < 0)
			c->malformed++;
		/* A WebSocket session still open is not a request cut short
		 * (its upgrade request has its record already): skipped, as
		 * before sessions were shown. */
		if (got <= 0 || q.kind == HT_LIVE_WEBSOCKET)
			continue;
		ht_record rec = { .type = HT_REC_REQUEST };
		ht_rec_request *r = &rec.u.req;

		r->pid = c->peer_pid[fd];
		r->conn_id = q.conn_id;
		r->req_seq = q.req_seq;
		r->flags = (q.flags & (HT_RF_REUSED | HT_RF_WAS_IDLE | HT_RF_TLS |
				       HT_RF_TARGET_TRUNC | HT_RF_TUNNEL)) |
			   HT_RF_FROM_PAGE;
		if (q.side == HT_LIVE_SERVER)
			r->flags |= HT_RF_SERVER;
		r->proto = q.proto;
		r->error = (uint8_t)error;
		r->peer = q.peer;
		r->req_header_bytes = q.header_bytes;
		memcpy(r->t, q.t, sizeof(r->t));
		r->t[HT_T_RESPONSE_DONE] = now;
		r->method = (ht_str){ q.method, (uint16_t)strlen(q.method) };
		r->target = (ht_str){ q.target, (uint16_t)strlen(q.target) };
		r->host = (ht_str){ q.host, (uint16_t)strlen(q.host) };
		r->dns_name = r->reason = r->content_type = (ht_str){ "", 0 };
		r->tls_version = r->alpn = r->req_headers = (ht_str){ "", 0 };
		r->resp_headers = r->peer_path = r->tunnel = (ht_str){ "", 0 };
		if (c->ending && error == HT_ERR_INTERRUPTED && sig == 0)
			r->flags |= HT_RF_TRACING_ENDED;
		r->signal = sig;
		r->phase = (uint8_t)ht_live_phase(q.t);
		if (r->phase == 0)
			r->phase = HT_PH_SEND;
		size_t len = ht_wire_encode(buf, sizeof(buf), &rec);

		if (len == 0)
			continue;
		c->in_page_read = true;
		feed(c, fd, buf, len);
		c->in_page_read = false;
	}
	for (unsigned i = 0; i < HT_LIVE_CONNS; i++) {
		ht_live_conn q;
		int got = ht_live_conn_read(l, i, &q);
		unsigned phase;

		if (got < 0)
			c->malformed++;
		if (got <= 0 || (phase = ht_live_conn_phase(&q)) == HT_PH_NONE)
			continue;
		if (!known) {
			error = process_end(l, c->peer_pid[fd], !c->ending, &sig);
			known = true;
			if (error == 0)
				return;
			if (ht_live_conn_read(l, i, &q) <= 0 ||
			    (phase = ht_live_conn_phase(&q)) == HT_PH_NONE)
				continue;
		}
		conn_inflight(c, fd, &q, phase, error, sig, now);
	}
}

size_t collector_inflight(const collector *c, uint64_t now,
			  collector_inflight_fn fn, void *ctx)
{
	size_t n = 0;

	for (size_t fd = 0; fd < c->peer_cap; fd++) {
		const ht_live *l;

		if (!c->peer_open[fd] || (l = peer_live(c, (int)fd)) == NULL)
			continue;
		for (unsigned i = 0; i < HT_LIVE_REQS; i++) {
			collector_inflight_req e;

			if (ht_live_read(l, i, &e.slot) <= 0)
				continue;
			e.pid = c->peer_pid[fd];
			e.conn_id = e.slot.conn_id + c->peer_base[fd];
			e.phase = ht_live_req_phase(&e.slot);
			e.since = e.slot.t[HT_T_GOT_CONN];
			for (unsigned k = 0; k < HT_T__COUNT; k++)
				if (e.slot.t[k] && e.slot.t[k] < e.since)
					e.since = e.slot.t[k];
			e.elapsed = now > e.since ? now - e.since : 0;
			n++;
			if (fn != NULL)
				fn(ctx, &e);
		}
	}
	return n;
}

size_t collector_inflight_conns(const collector *c, uint64_t now,
				collector_inflight_conn_fn fn, void *ctx)
{
	size_t n = 0;

	for (size_t fd = 0; fd < c->peer_cap; fd++) {
		const ht_live *l;

		if (!c->peer_open[fd] || (l = peer_live(c, (int)fd)) == NULL)
			continue;
		for (unsigned i = 0; i < HT_LIVE_CONNS; i++) {
			collector_inflight_conn e;

			if (ht_live_conn_read(l, i, &e.slot) <= 0)
				continue;
			e.phase = ht_live_conn_phase(&e.slot);
			if (e.phase == HT_PH_NONE)
				continue;
			e.pid = c->peer_pid[fd];
			e.conn_id = e.slot.conn_id + c->peer_base[fd];
			e.since = e.slot.t_connect_start;
			if (e.slot.t_dns_start && e.slot.t_dns_start < e.since)
				e.since = e.slot.t_dns_start;
			e.elapsed = now > e.since ? now - e.since : 0;
			n++;
			if (fn != NULL)
				fn(ctx, &e);
		}
	}
	return n;
}

static void peer_close(collector *c, int fd)
{
	peer_inflight(c, fd);
	peer_last_word(c, fd);
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

static void peer_read(collector *c, int fd, unsigned max, uint8_t *buf)
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

/* Whether the process at the other end of @fd runs as our user. */
static bool peer_is_us(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return false;
	return cred.uid == geteuid();
}

/* Accept every pending connection. */
static void accept_all(collector *c)
{
	for (;;) {
		int fd = accept4(c->listen_fd, NULL, NULL,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct epoll_event ev = { .events = EPOLLIN };
		int size = RCVBUF_WANTED;

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			/* EMFILE and the like: leave the connection pending
			 * until a peer goes away and frees an fd. */
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				accept_pause(c, true);
			return;
		}
		if (!peer_is_us(fd)) {
			/* Only our own user's processes may report. */
			close(fd);
			c->refused++;
			continue;
		}
		if (peer_table_fit(c, fd) < 0) {
			close(fd);
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
		ev.data.u64 = (uint64_t)fd;
		if (epoll_ctl(c->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			close(fd);
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
	/* Only our own user may connect (the directory is private as well). */
	if (chmod(path, 0600) < 0 || listen(fd, 4096) < 0 ||
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

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
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

void collector_drain(collector *c)
{
	uint64_t closed;

	/* Out of fds, connections wait until peers at EOF are closed: go
	 * round again as long as that frees some. */
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
	c->ending = true;
	for (size_t fd = 0; fd < c->peer_cap; fd++)
		if (c->peer_open[fd])
			peer_close(c, (int)fd);
	c->ending = false;
	if (c->idle != NULL)
		c->idle(c->ctx);
}

int collector_replay(collector *c, unsigned ev, uint32_t peer,
		     const uint8_t *buf, size_t len)
{
	int fd = (int)peer;

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
	if (c->listen_fd >= 0)
		close(c->listen_fd);
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
