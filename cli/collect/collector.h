/*
 * collector.h - the receiving end of the wire: a listening Unix
 * SOCK_SEQPACKET socket, its peers (one per traced process), and the decode
 * loop that hands each valid record to a sink.
 *
 * The collector is an event loop the caller drives: collector_wait() serves
 * the socket until one of the caller's own fds (a signalfd, say) becomes
 * readable, so both "run a command" and a standing listener can use it.
 * A malformed or truncated message is counted and dropped; nothing a peer
 * sends can stop the collector or affect other peers.
 */
#ifndef HT_COLLECTOR_H
#define HT_COLLECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/un.h>

#include "account.h"
#include "live.h"
#include "u64map.h"
#include "wire.h"

/* Called for every valid record; @rec's strings live only for the call. */
typedef void (*collector_sink)(void *ctx, const ht_record *rec);
/* Called when the loop is about to block (flush output here). */
typedef void (*collector_idle)(void *ctx);
struct collector;
/* Called every tick_ms while collector_wait() runs (read the live pages
 * here), with the CLOCK_MONOTONIC time in ns. */
typedef void (*collector_tick)(void *ctx, const struct collector *c,
			       uint64_t now);

/* What the collector received, in the order it handled it (see
 * collector_tap): enough to replay a session through collector_replay(). */
enum collector_event {
	COLLECTOR_EV_OPEN = 1,  /* peer @peer connected */
	COLLECTOR_EV_MSG = 2,   /* a message, or a record-aligned part of one */
	COLLECTOR_EV_TRUNC = 3, /* a message too large: counted malformed */
	COLLECTOR_EV_CLOSE = 4, /* peer @peer's connection ended */
	/* the records that follow arrived at @buf: u64 CLOCK_MONOTONIC ns,
	 * c->now (tapped before the first message handled after a wake-up) */
	COLLECTOR_EV_CLOCK = 6,
	/* tapped by the collector's owner, not the collector: the records
	 * held back for their other end (join.h) whose window had ended by
	 * @buf (u64 ns) went out (7), or all of them (8, no payload) */
	COLLECTOR_EV_TICK = 7,
	COLLECTOR_EV_FLUSH = 8,
};
/*
 * Called for every event before or as it is handled, with the peer's id
 * (its fd).  A message is passed whole, except that one holding a HELLO
 * after other records is split just before it: a HELLO makes the
 * collector read the pid's other peers to the end first, and those reads
 * are tapped in between, so the order of the taps is the order in which
 * the records reached the sink.
 */
typedef void (*collector_tap)(void *ctx, enum collector_event ev,
			      uint32_t peer, const uint8_t *buf, size_t len);

/* Largest message accepted (it may hold several records); a larger one is
 * counted as malformed. */
#define COLLECTOR_MSG HT_WIRE_MAX_RECORD
/* Messages received per system call. */
#define COLLECTOR_BATCH 64

typedef struct collector {
	/* PUBLIC: set before collector_open(), or by it. */
	collector_sink sink;
	collector_idle idle;
	void *ctx;
	collector_tap tap;  /* optional; NULL for none */
	void *tap_ctx;
	collector_tick tick; /* optional; called with ctx every tick_ms (> 0)
	                        from collector_wait(), busy or not */
	unsigned tick_ms;
	/* Run mode started by root: a process of another user may report
	 * when it descends from this collector's process (a server that
	 * switched to its worker user: nginx, Apache, postgres); the
	 * socket is then open to every user, the descent checked at each
	 * connection (collector_listen()).  Set before collector_listen(). */
	bool tree_users;
	/* READ-ONLY */
	uint64_t records;   /* valid records delivered to the sink */
	uint64_t malformed; /* messages or records rejected */
	uint64_t peers_seen;  /* connections accepted */
	uint64_t peers_closed;
	uint64_t refused;   /* processes of another user whose connections
			       were closed at once: each counted once,
			       however often it connects again (its
			       library reconnects, and once more at its
			       exit), by its pid (refused_pids) */
	uint64_t refused_no_room; /* processes refused, counted as those, for
				     want of room: memory, the user's epoll
				     watches, or fds (pending at the end
				     while accept4 failed, collector_drain()) */
	uint64_t pids_forgotten; /* pid entries dropped to bound the table */
	uint64_t unseen;    /* records the traced processes produced that
	                       never arrived (also handed to the sink as
	                       increments, in HT_REC_DROPS records) */
	uint64_t now;       /* CLOCK_MONOTONIC ns the records being handed to
	                       the sink arrived at (the loop's last wake-up;
	                       a replay's last COLLECTOR_EV_CLOCK); 0: none */
	/* PRIVATE */
	u64map refused_pids; /* the pids counted in refused */
	/* the connections peers opened and did not close yet, by
	 * fd << 32 | their own conn id: a struct collector_open_conn *
	 * each (peer_conns_note()) */
	u64map open_conns;
	bool now_untapped;        /* now changed, not tapped yet */
	uint64_t records_at_wake; /* records when the loop last paused */
	uint64_t next_tick;       /* monotonic ns the tick is due; 0: now */
	int listen_fd, epoll_fd;
	int spare_fd; /* held for the end: freed to accept when out of fds */
	unsigned char *peer_open; /* indexed by fd: 1 for a peer socket */
	uint32_t *peer_pid;       /* indexed by fd: the pid of its HELLO */
	uint32_t *peer_base;      /* indexed by fd: added to its conn ids */
	account *peer_acct;       /* indexed by fd: its books (account.h) */
	void **peer_page;         /* indexed by fd: its counter page, or NULL;
	                             a live page (live.h) when its length is
	                             HT_LIVE_SIZE */
	uint32_t *peer_page_len;  /* indexed by fd: the page's mapped length */
	int passed_fd;            /* an fd that came with the message being
	                             fed (SCM_RIGHTS), until taken or closed */
	bool in_page_read;        /* feeding what the collector read from a
	                             page (the last word, requests in flight) */
	bool ending;              /* collector_end_peers(): the processes left
	                             are not waited for */
	bool closing;             /* collector_close(): the sink is done */
	bool draining;            /* peer_hello() is reading other peers */
	/* Request records a signal cut (HT_ERR_INTERRUPTED, no signal yet)
	 * that their processes sent, held until each process's end says
	 * which signal (collector_live.c: peer_hold()). */
	struct collector_held *held;
	unsigned n_held;
	/* The wait statuses of the last children run mode reaped
	 * (collector_reaped()): a child's socket close can be read after
	 * it was reaped, when waitid() no longer knows it. */
	struct collector_reaped {
		uint32_t pid;   /* 0: free */
		int status;
	} reaped[16];
	unsigned reaped_next;
	bool releasing;           /* feeding held records: not held again */
	struct collector_pid {
		uint32_t pid;
		uint32_t max_conn; /* highest connection number shown */
		uint64_t image;    /* the latest image's HELLO `image` */
		uint32_t image_base; /* and the base of its numbers */
	} *pids;                  /* open addressing, power-of-two size */
	size_t pid_cap, pid_used;
	size_t peer_cap;
	size_t n_peers;
	bool accept_paused;       /* out of fds: listening socket not polled */
	/* collector_loopback_clients(): */
	uint64_t reads;           /* messages received: recvmmsg() calls that
	                             returned some, peers closed */
	uint64_t clients_none_at; /* `reads` when none was found; 0: never */
	bool clients_ever;        /* a page said one (or could not say) */
	bool replay;              /* fed by collector_replay(): no sockets */
	uint8_t *buf;
	uint8_t *drain_buf;       /* for reading one peer from inside another */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
} collector;

/*
 * collector_reaped() - run mode reaped its child @pid with wait status
 * @status: how it ended, for its requests in flight whose socket's end is
 * read after (the last 16 are kept).
 */
void collector_reaped(collector *c, pid_t pid, int status);

/*
 * collector_init() - set up @c with no socket, delivering records to
 * @sink and calling @idle (may be NULL) before blocking, both with @ctx.
 * Returns 0, or the -errno of epoll_create1().
 */
int collector_init(collector *c, collector_sink sink, collector_idle idle,
		   void *ctx);

/*
 * collector_listen() - bind a listening socket at @path (mode 0600) and
 * start serving it (its receive buffer is allocated here).  Returns 0;
 * -ENAMETOOLONG when @path does not fit a sockaddr_un; -ENOMEM; or the
 * -errno of the failing socket call.
 */
int collector_listen(collector *c, const char *path);

/*
 * collector_watch() - also wait for @fd to become readable: collector_wait()
 * returns 1 when it is.  The caller keeps owning @fd.  Returns 0 or -errno.
 */
int collector_watch(collector *c, int fd);

/*
 * collector_wait() - serve the socket (accept peers, read and dispatch
 * records) until a watched fd is readable (returns 1) or @timeout_ms passes
 * (returns 0; -1 waits forever).  Calls the idle hook before blocking, and
 * the tick hook (when set) every tick_ms, however busy the socket is.
 * Returns -errno only if epoll itself fails.
 */
int collector_wait(collector *c, int timeout_ms);

/*
 * collector_drain() - accept every pending connection and read every peer
 * until it has nothing more (EOF or EAGAIN), then call the idle hook.  For
 * the end, when no process can send any more: data queued by processes
 * that already exited is still delivered.  (A live peer that keeps sending
 * keeps it reading: a standing listener should shut peers down first.)
 * Connections left pending because accept4 kept failing (out of fds or
 * memory) are refused for want of room, counted in refused_no_room.
 */
void collector_drain(collector *c);

/*
 * collector_end_peers() - close every peer still connected: each is shut
 * down for reading (the process's later sends fail, and it counts what
 * they carried for the next collector), what it sent before is read, then
 * its counter page.  For a process that ended, what it produced and this
 * collector never received counts as not seen; for one that runs on, only
 * what it counted dropped (the rest is its own to count), and the requests
 * its page shows in flight are reported, the page marked so that their
 * own records count for nobody else (ht_live_read_begin()).  For the end,
 * after collector_drain() and before the summary is written
 * (collector_close() would count it too late for the report).
 */
void collector_end_peers(collector *c);

/*
 * collector_feed() - decode every record in the message @buf/@len and hand
 * each to the sink.  A record that does not decode ends the message and is
 * counted in c->malformed, as is a record cut short by the message's end.
 * Pure apart from the sink; returns the number of records delivered.
 */
size_t collector_feed(collector *c, const uint8_t *buf, size_t len);

/*
 * collector_replay() - handle event @ev from peer @peer as the live
 * collector did when it tapped it (@buf/@len: the message of
 * COLLECTOR_EV_MSG), so that the sink gets the same records, numbered the
 * same way (COLLECTOR_EV_CLOCK: c->now set from @buf, CAP_CLOCK_LEN
 * bytes).  A collector that replays has no socket: use it only with
 * collector_init() and collector_close().  Returns 0, or -EINVAL for an
 * unknown event (COLLECTOR_EV_TICK and _FLUSH are its owner's) or a
 * @peer over COLLECTOR_MAX_PEER, -ENOMEM.
 */
#define COLLECTOR_MAX_PEER (1u << 22)
/* Pids the collector remembers at most (for numbering the connections of
 * a pid's later images after its earlier ones). */
#define COLLECTOR_MAX_PIDS 65536
int collector_replay(collector *c, unsigned ev, uint32_t peer,
		     const uint8_t *buf, size_t len);

/* One request in flight, as collector_inflight() shows it. */
typedef struct collector_inflight_req {
	uint32_t pid;        /* the traced process */
	uint32_t conn_id;    /* numbered as in its records (after exec too) */
	unsigned phase;      /* enum ht_live_phase */
	uint64_t since;      /* its earliest timestamp (monotonic ns) */
	uint64_t elapsed;    /* now - since */
	/* The slot as read: conn_id (the image's own number), req_seq,
	 * stream (HTTP/2, else 0), side (enum ht_live_side), proto, flags
	 * (HT_RF_*), peer, t[] (HT_T_*: 0 = not yet), method, target (the
	 * scrubbed request target, truncated), host: NUL-terminated. */
	ht_live_req slot;
	/* The TLS session of the handshake the request carries (its
	 * connection's first): version and ALPN, "" when none or not
	 * known. */
	ht_live_tls tls;
} collector_inflight_req;

typedef void (*collector_inflight_fn)(void *ctx,
				      const collector_inflight_req *e);

/*
 * collector_inflight() - the requests in flight now in every connected
 * peer's live page, each handed to @fn (may be NULL: only counted) with
 * @ctx; @now (CLOCK_MONOTONIC ns) gives their elapsed time.  Reads shared
 * memory only: no system call, nothing asked of the traced processes.  A
 * slot being written at that moment is retried, then left out.  Returns
 * the number of requests handed.
 */
size_t collector_inflight(const collector *c, uint64_t now,
			  collector_inflight_fn fn, void *ctx);

/*
 * collector_unlisted() - the requests in flight now in every connected
 * peer's live page that no slot shows (ht_live_unlisted(): each page's
 * slots were all taken when they began), beyond collector_inflight()'s.
 * Reads shared memory only.
 */
size_t collector_unlisted(const collector *c);

/* One connection in flight with no request yet, or a name lookup in
 * flight (slot.kind HT_LIVE_LOOKUP), as collector_inflight_conns() shows
 * it. */
typedef struct collector_inflight_conn {
	uint32_t pid;        /* the traced process */
	uint32_t conn_id;    /* numbered as in its records (after exec too);
				0 for a lookup (its number: slot.conn_id) */
	unsigned phase;      /* HT_PH_DNS, HT_PH_CONNECT or HT_PH_TLS (or
				HT_PH_NONE: collector_live_conns()) */
	uint64_t since;      /* its earliest timestamp (monotonic ns) */
	uint64_t elapsed;    /* now - since */
	/* The slot as read (conn_id is the image's own number; name
	 * NUL-terminated). */
	ht_live_conn slot;
	ht_live_tls tls;     /* its TLS session once the handshake is over */
} collector_inflight_conn;

typedef void (*collector_inflight_conn_fn)(void *ctx,
					   const collector_inflight_conn *e);

/*
 * collector_inflight_conns() - as collector_inflight(), for the
 * connections in every connected peer's live page that are in their DNS,
 * connect or TLS phase and carry no request yet (a version-3 page).
 * Returns the number of connections handed.
 */
size_t collector_inflight_conns(const collector *c, uint64_t now,
				collector_inflight_conn_fn fn, void *ctx);

/*
 * collector_live_conns() - collector_inflight_conns(), and the client
 * connections of version-4 pages whose TLS handshake is over with no
 * request begun yet (phase HT_PH_NONE), for the events format: their
 * tls_handshake_done streams as it happens, with the session.  Returns the
 * number of connections handed.
 */
size_t collector_live_conns(const collector *c, uint64_t now,
			    collector_inflight_conn_fn fn, void *ctx);

/*
 * collector_loopback_clients() - whether a process that may have begun a
 * client TCP connection from a loopback address (live.h client_loopback)
 * is, or was in this collector's lifetime, a peer: a page that says so,
 * a page that cannot say (none, older than version 5: from then on for
 * good), a peer whose HELLO is not read yet or a connection not accepted
 * yet (one system call, poll(), at most once per message received), more
 * than COLLECTOR_CLIENT_SCAN peers (not looked at), a replay.  A client
 * marks its page before its connect hook returns, and its HELLO, which
 * passes the page, comes before: so when this says no after a server's
 * record was received, no traced client of this collector sent the
 * request that record answered from a loopback address (join.h).
 */
#define COLLECTOR_CLIENT_SCAN 256
bool collector_loopback_clients(collector *c);

/*
 * collector_close() - close the socket and every peer, remove the socket
 * file, free the buffers.  Safe on a collector that never listened.
 */
void collector_close(collector *c);

#endif
