/* collector_feed.c - decoding a peer's messages: the pid table that keeps
 * connection numbers unique across exec, HELLO, and the records handed to
 * the sink; see collector.h. */
#include "collector_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "capture.h"
#include "live.h"

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
 * arrived, @req_inc of them requests (an HT_REC_DROPS record holding the
 * increments). */
static void give_unseen(collector *c, uint32_t pid, int64_t inc,
			uint64_t req_inc)
{
	ht_record rec = { .type = HT_REC_DROPS };

	if (inc < 0) {
		c->malformed++; /* a count no process could have */
		return;
	}
	if (inc == 0 && req_inc == 0)
		return;
	c->unseen += (uint64_t)inc;
	rec.u.drops.pid = pid;
	rec.u.drops.dropped = (uint64_t)inc;
	rec.u.drops.req_dropped = req_inc;
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
	    (st.st_size != HT_COUNTERS_SIZE &&
	     !ht_live_size_known((size_t)st.st_size)) ||
	    seals < 0 || !(seals & F_SEAL_SHRINK) ||
	    (fcntl(fd, F_GETFL) & O_ACCMODE) != O_RDWR)
		return NULL;
	/* Writable: a collector that stops while the process runs says so in
	 * its page (ht_live_read_begin()), the one word it ever writes. */
	p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 fd, 0);
	if (p == MAP_FAILED)
		return NULL;
	if (((const ht_counters *)p)->magic != HT_COUNTERS_MAGIC) {
		munmap(p, (size_t)st.st_size);
		return NULL;
	}
	*len = (uint32_t)st.st_size;
	return p;
}

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
	int64_t inc = account_hello(&c->peer_acct[fd], h,
				    c->peer_page[fd] != NULL);
	give_unseen(c, pid, inc, inc < 0 ? 0 : c->peer_acct[fd].req_told);
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
		/* a lookup cut short: its number, no connection's */
		if (rec->u.fail.flags & HT_FF_LOOKUP)
			return;
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
size_t feed(collector *c, int fd, const uint8_t *buf, size_t len)
{
	const uint8_t *untapped = buf, *end = buf + len;
	bool tap = c->tap != NULL && fd >= 0;
	size_t delivered = 0;

	/* when these records arrived, before them (capture.h, CAP_CLOCK) */
	if (tap && c->now_untapped) {
		uint8_t now[CAP_CLOCK_LEN];

		cap_clock_encode(now, c->now);
		c->tap(c->tap_ctx, COLLECTOR_EV_CLOCK, 0, now, sizeof(now));
		c->now_untapped = false;
	}

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
			account *a = &c->peer_acct[fd];
			uint64_t req_before = a->req_told;
			int64_t inc = account_drops(a, &rec.u.drops,
						    c->in_page_read);
			give_unseen(c, rec.u.drops.pid, inc,
				    a->req_told - req_before);
			buf += n;
			len -= (size_t)n;
			continue;
		} else {
			/* A request a signal cut waits for its process's end
			 * (peer_hold()), tapped when it is fed; a later one
			 * says the process went on. */
			if (fd >= 0 && rec.type == HT_REC_REQUEST &&
			    !(rec.u.req.flags & HT_RF_FROM_PAGE) &&
			    !c->releasing && !c->replay &&
			    (c->n_held || rec.u.req.error == HT_ERR_INTERRUPTED)) {
				if (tap && buf > untapped)
					c->tap(c->tap_ctx, COLLECTOR_EV_MSG,
					       (uint32_t)fd, untapped,
					       (size_t)(buf - untapped));
				untapped = buf;
				if (peer_hold(c, fd, &rec, buf, (size_t)n)) {
					buf += n;
					len -= (size_t)n;
					untapped = buf;
					continue;
				}
				peer_release(c, fd, PEER_WENT_ON);
			}
			if (fd >= 0)
				peer_conns_note(c, fd, &rec);
			renumber(c, fd, &rec);
			/* (a request the collector made from the live page
			 * was never produced: not one the process sent; a
			 * replay of the capture knows it by its flag) */
			if (fd >= 0 && !(rec.type == HT_REC_REQUEST &&
					 (rec.u.req.flags & HT_RF_FROM_PAGE)) &&
			    !(rec.type == HT_REC_CONN_FAIL &&
			      (rec.u.fail.flags & HT_FF_FROM_PAGE)) &&
			    !(rec.type == HT_REC_CONN_CLOSE &&
			      (rec.u.close.flags & HT_CF_PROCESS_END)))
				account_received(&c->peer_acct[fd],
						 rec.type == HT_REC_REQUEST);
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
