/*
 * emit_connect.c - the emitter's connection to the collector: the
 * collector's path, connecting (the retry window, the HELLO that passes
 * the counter page), the checks that keep the socket the library's own,
 * stopping for a seccomp filter, and the note a vfork child sends alone.
 * The records, their batches and their counts are emit.c's; the two share
 * what emit_internal.h declares.  Apart from emit.c, whose half is the
 * record path every traced call takes: this half runs when a process
 * first has something to say, and again only when its collector changes.
 *
 * What the library owns is its own and nobody else's:
 *  - it connects only when there is something to say: at the process's
 *    first tracked connection (ht_emit_want()), never in the constructor or
 *    at fork, so a process that never speaks HTTP has no extra fd;
 *  - it talks only to a collector of its own user (SO_PEERCRED);
 *  - its socket sits high (fd_floor()), and before every send it checks
 *    that the fd is still that socket (device and inode remembered at
 *    connect): a close the hooks did not see (a raw close_range, say) and a
 *    program fd that took the number never get a byte of ours;
 *  - at a limit so low that any fd it took is one the program could have
 *    had, and once the program has installed a seccomp filter of its own,
 *    it opens no fd at all.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "emit_internal.h"
#include "ht.h"
#include "live.h"

HT_STARTUP_DATA static char sock_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
volatile int sock_fd = -1;
static dev_t sock_dev;          /* identity of sock_fd, from connect */
static ino_t sock_ino;
uint64_t last_retry_ns;  /* when we last tried to connect */
/* A process that never reached a collector stops trying this long after
 * its first attempt (ABSENT_WAIT_NS): a client started a little before its
 * `listen` is traced, one that inherited the variable from a session long
 * gone does not stat the path once a second for the rest of its life.  A
 * minute: time to start `listen` by hand in another terminal after the
 * program; at most 60 attempts (a prctl and a stat each) per process.
 * HTTPTRACE_DEBUG's ",wait=SECONDS" sets it for tests (absent_wait()). */
#define ABSENT_WAIT_NS (60 * 1000000000ull)
uint64_t first_try_ns;   /* the first attempt of a process never connected */
HT_STARTUP_DATA static uint64_t absent_wait_ns; /* its window, read at init */
/* HTTPTRACE_DEBUG=1: a line on stderr when tracing stops (debug_line()).
 * The variable is read once, at init: never on the emit path, where
 * another thread's setenv() may be moving the environment. */
HT_STARTUP_DATA static bool debug_on; /* set at start */
/* When this image first said HELLO (0: not yet): the same in every HELLO
 * of the image, so that the collector tells a reconnect from a new image
 * of the same pid (an exec).  Taken at the first HELLO, not at start: a
 * process that never connects never reads the clock (the vDSO's data
 * page is one page fault more in each process). */
uint64_t image_t0;
bool connected_once;     /* this image had a collector */
bool wanted;             /* a tracked connection exists: connect */
/* The image began a client connection from a loopback address (live.h
 * client_loopback): every page it makes says so (a fork child's too). */
static int client_loopback;
HT_STARTUP_DATA static int seccomp_at_init;     /* PR_GET_SECCOMP when the library started */
volatile int ht_seccomp_set;    /* the program installed a filter (prctl) */

ht_lock connect_lock;    /* one thread connects at a time */

/* One line on stderr, only when the user asked (HTTPTRACE_DEBUG=1). */
static void debug_line(const char *what)
{
	if (!debug_on)
		return;
	char line[160];
	size_t n = strlen(what);
	if (n > sizeof line - 12)
		n = sizeof line - 12;
	memcpy(line, "httptrace: ", 11);
	memcpy(line + 11, what, n);
	line[11 + n] = '\n';
	HT_REAL(write)(2, line, 12 + n);
}

/* How long a process that never connected keeps trying: ABSENT_WAIT_NS,
 * or the SECONDS of a ",wait=SECONDS" in HTTPTRACE_DEBUG's value @d (NULL:
 * none; for tests). */
static uint64_t absent_wait(const char *d)
{
	for (; d && *d; d++) {
		if (*d != ',' || strncmp(d + 1, "wait=", 5) != 0)
			continue;
		uint64_t sec = 0;
		const char *p = d + 6;
		if (*p < '0' || *p > '9')
			break;
		for (; *p >= '0' && *p <= '9' && sec < 1000000; p++)
			sec = sec * 10 + (uint64_t)(*p - '0');
		return sec * 1000000000ull;
	}
	return ABSENT_WAIT_NS;
}

/* Whether a process that never connected, whose first attempt was at
 * @first (0: none yet) and whose attempt at @now found no collector, stops
 * trying for good: @wait or more after the first (0: at the first).  @now
 * may be older than @first (read by another thread before it waited for
 * the connect lock): not yet. */
static bool absent_for_good(uint64_t first, uint64_t now, uint64_t wait)
{
	return first && now >= first && now - first >= wait;
}

/* The lowest fd number the library may take, or -1 when the soft limit is
 * so low that any fd it took is one the program could have had. */
static int fd_floor(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return -1;
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 1100)
		return 1000;
	if (rl.rlim_cur < HT_MIN_FD_LIMIT)
		return -1;
	return (int)(rl.rlim_cur * 3 / 4);
}

/* Move @fd to @floor or above (closing the low one); -1 when that is not
 * possible: the library never keeps a low fd. */
static int move_high(int fd, int floor)
{
	if (fd >= floor)
		return fd;
	int hi = fcntl(fd, F_DUPFD_CLOEXEC, floor);
	HT_REAL(close)(fd);
	return hi;
}

/* The seccomp mode of this thread (PR_GET_SECCOMP), asked with the
 * system call itself: not through the library's prctl hook, whose code and
 * lookup of libc's prctl a process that never connects would pay for at
 * start. */
static int seccomp_mode(void)
{
	return (int)syscall(SYS_prctl, PR_GET_SECCOMP, 0, 0, 0, 0);
}

/* Whether the library may open an fd now: not once the program has
 * installed a seccomp filter of its own (a socket() call could kill it). */
static bool may_open_fds(void)
{
	if (ht_seccomp_set)
		return false;
	return seccomp_mode() == seccomp_at_init;
}

bool ht_emit_may_call(void)
{
	return may_open_fds();
}

bool ht_emit_no_filter(void)
{
	return !ht_seccomp_set && seccomp_at_init == 0;
}

/* Whether @fd is still the socket the library connected. */
bool fd_is_ours(int fd)
{
	struct stat st;
	return fd >= 0 && fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode) &&
	       st.st_dev == sock_dev && st.st_ino == sock_ino;
}

/* A shared page for this connection's counters and requests in flight
 * (live.h), or NULL (no memfd here).  *@fd_out: the memfd to pass, to
 * close once sent.  Its pages are touched only as far as slots are used. */
static ht_live *map_counters(int *fd_out)
{
	*fd_out = -1;
	int fd = (int)syscall(SYS_memfd_create, "httptrace",
			      MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return NULL;
	void *p = MAP_FAILED;
	if (ftruncate(fd, HT_LIVE_SIZE) == 0)
		p = mmap(NULL, HT_LIVE_SIZE, PROT_READ | PROT_WRITE,
			 MAP_SHARED, fd, 0);
	/* The collector maps it too: it must never shrink under it. */
	if (p == MAP_FAILED ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0) {
		if (p != MAP_FAILED)
			munmap(p, HT_LIVE_SIZE);
		HT_REAL(close)(fd);
		return NULL;
	}
	ht_live_init(p);
	*fd_out = fd;
	return p;
}

/* Say HELLO on @fd, passing @cfd (the counters' memfd) when >= 0. */
static void send_hello(int fd, int cfd, uint64_t away, uint64_t away_reqs_n)
{
	char exe[256];
	uint8_t buf[512];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	ht_record rec;
	memset(&rec, 0, sizeof rec);
	rec.type = HT_REC_HELLO;
	rec.u.hello.pid = ht_pid;
	rec.u.hello.ppid = (uint32_t)getppid();
	rec.u.hello.flags = (connected_once ? HT_HF_RECONNECT : 0) |
			    (cfd >= 0 ? HT_HF_COUNTERS : 0);
	rec.u.hello.exe.p = exe;
	rec.u.hello.exe.len = n > 0 ? (uint16_t)n : 0;
	if (image_t0 == 0) /* (under connect_lock) */
		image_t0 = ht_now();
	rec.u.hello.image = image_t0;
	rec.u.hello.away = away;
	rec.u.hello.away_requests = away_reqs_n;
	size_t len = ht_wire_encode(buf, sizeof buf, &rec);
	if (!len)
		return;
	struct iovec iov = {buf, len};
	union {
		struct cmsghdr h;
		char space[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
	if (cfd >= 0) {
		memset(&ctl, 0, sizeof ctl);
		m.msg_control = ctl.space;
		m.msg_controllen = sizeof ctl.space;
		struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &cfd, sizeof cfd);
	}
	HT_REAL(sendmsg)(fd, &m, MSG_DONTWAIT | MSG_NOSIGNAL);
}

/* Why a connect attempt failed. */
enum connect_result {
	CONNECT_OK,
	CONNECT_LATER,  /* busy, out of fds, ...: try again later */
	CONNECT_NEVER,  /* not ours, no fd allowed: stay off */
};

/* The collector on @fd is ours: say HELLO with a fresh counter page (and
 * the drops of the connections before), and count in that page from now
 * on. */
static void start_session(int fd)
{
	int cfd;
	ht_live *live = map_counters(&cfd);
	ht_counters *c = (ht_counters *)live;
	/* The page is published before the HELLO passes it, and the image's
	 * client mark read after (both sequentially consistent, as
	 * ht_emit_client_loopback()'s store and load): a thread that marks
	 * meanwhile either finds this page and marks it itself, or its mark
	 * is seen here and the page marked before the HELLO. */
	if (live)
		__atomic_store_n(&ht_live_page, live, __ATOMIC_SEQ_CST);
	if (live && __atomic_load_n(&client_loopback, __ATOMIC_SEQ_CST))
		ht_live_mark_client(live);
	/* (the requests first, as count_dropped() adds them last: never
	 * more of them than of records) */
	uint64_t away_r = __atomic_exchange_n(&dropped_away_reqs, 0,
					      __ATOMIC_SEQ_CST);
	send_hello(fd, cfd, __atomic_exchange_n(&dropped_away, 0,
						__ATOMIC_SEQ_CST), away_r);
	if (cfd >= 0)
		HT_REAL(close)(cfd);
	/* A previous page stays mapped: a thread may still be counting in it
	 * (one page per reconnect, at most one a second). */
	if (!c) {
		c = &private_counters;
		c->produced = c->dropped = 0;
		private_reqs.produced = private_reqs.dropped = 0;
	}
	__atomic_store_n(&counters, c, __ATOMIC_RELEASE);
	__atomic_store_n(&ht_live_page, live, __ATOMIC_RELEASE);
	__atomic_store_n(&dropped_sent, 0, __ATOMIC_RELAXED);
	connected_once = true;
}

/* Connect to the collector: a socket of the collector's own user, high,
 * with this connection's counters passed along.  *@out: the fd. */
static enum connect_result connect_collector(int *out)
{
	*out = -1;
	if (!may_open_fds()) {
		debug_line("the program installed a seccomp filter: "
			   "no more records (tracing stops)");
		return CONNECT_NEVER;
	}
	int floor = fd_floor();
	if (floor < 0) {
		debug_line("the fd limit is too low to take an fd the program "
			   "could not have had: not tracing");
		return CONNECT_NEVER;
	}
	/* No socket at the path: no collector yet (or any more).  Try again
	 * later, at most once a second (current_fd()), counting what is lost
	 * meanwhile for the collector that comes: one stat, no fd. */
	static bool said_absent; /* (under connect_lock) once an image */
	struct stat st;
	if (stat(sock_path, &st) != 0 || !S_ISSOCK(st.st_mode)) {
		if (!connected_once && !said_absent)
			debug_line("no collector at HTTPTRACE_SOCKET yet: "
				   "records counted as lost until one comes");
		said_absent = true;
		return CONNECT_LATER;
	}
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return CONNECT_LATER;
	fd = move_high(fd, floor);
	if (fd < 0)
		return CONNECT_LATER;
	struct sockaddr_un sa;
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, sock_path, sizeof sa.sun_path - 1);
	/* A big send buffer rides out bursts while the collector is busy. */
	int sz = 4 << 20;
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
	if (HT_REAL(connect)(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		/* Busy (a full backlog), gone (a socket file left behind),
		 * or not there yet: a collector may come at the path, and
		 * the first attempt of a process that started before it is
		 * no different from a reconnect.  Try again later. */
		HT_REAL(close)(fd);
		return CONNECT_LATER;
	}
	/* Only a collector of our own user may have the records, or root's
	 * (which may read this process anyway: a server's worker that
	 * switched users reports to the `httptrace --` root started):
	 * whoever else binds the path first gets nothing. */
	struct ucred cred;
	socklen_t cl = sizeof cred;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) != 0 ||
	    (cred.uid != geteuid() && cred.uid != 0) || fstat(fd, &st) != 0) {
		HT_REAL(close)(fd);
		debug_line("the collector socket belongs to another user: "
			   "not tracing");
		return CONNECT_NEVER;
	}
	sock_dev = st.st_dev;
	sock_ino = st.st_ino;
	start_session(fd);
	*out = fd;
	return CONNECT_OK;
}

int ht_emit_init(const char *path)
{
	/* Copied by hand, not with strlen and memcpy: libc's string code
	 * is a page fault of its own at start in a program that does not
	 * use it. */
	size_t n = 0;
	for (; n < sizeof sock_path; n++) {
		sock_path[n] = path[n];
		if (path[n] == '\0')
			break;
	}
	if (n == sizeof sock_path) {
		sock_path[0] = '\0';
		return -1;
	}
	seccomp_at_init = seccomp_mode();
	HT_STARTUP_RODATA static const char debug_var[] = "HTTPTRACE_DEBUG";
	const char *d = getenv(debug_var);
	debug_on = d != NULL && *d == '1';
	absent_wait_ns = absent_wait(d);
	return 0;
}

/* The connection is over: records made from now on count between
 * connections, not on its page (which the collector may read any time). */
void between_connections(void)
{
	__atomic_store_n(&counters, &away_counters, __ATOMIC_RELEASE);
	__atomic_store_n(&ht_live_page, NULL, __ATOMIC_RELEASE);
}

/* Forget the socket without closing it unless it is still ours. */
void drop_socket(bool close_it)
{
	int fd = sock_fd;
	sock_fd = -1;
	between_connections();
	if (close_it && fd >= 0 && fd_is_ours(fd))
		HT_REAL(close)(fd);
}

void ht_note_record(ht_record *rec, uint32_t pid, const char *text,
		    size_t len)
{
	memset(rec, 0, sizeof *rec);
	rec->type = HT_REC_NOTE;
	rec->u.note.pid = pid;
	rec->u.note.text.p = text;
	rec->u.note.text.len = (uint16_t)(len < 512 ? len : 512);
}

void ht_emit_stop_for_seccomp(void)
{
	ht_seccomp_set = 1;
	if (!ht_enabled || !ht_enter())
		return;
	int saved = errno;
	if (wanted) {
		static const char text[] = "tracing stopped when the program "
			"installed a seccomp filter: later requests not seen";
		ht_record rec;
		ht_note_record(&rec, ht_pid, text, sizeof text - 1);
		ht_emit(NULL, &rec);
		ht_emit_flush();
		if (__atomic_load_n(&ht_pending, __ATOMIC_RELAXED))
			ht_emit_send_pending();
		ht_emit_flush_drops(false);
	}
	ht_enabled = 0;
	ht_table_forget_all();
	/* the collector reads the counter page at this end */
	drop_socket(true);
	errno = saved;
	ht_leave();
}

/* Whether a collector can be at the path: a socket is there (one stat, no
 * fd).  A file left behind by one that is gone passes; its connect fails. */
static bool collector_may_be_there(void)
{
	struct stat st;

	return stat(sock_path, &st) == 0 && S_ISSOCK(st.st_mode);
}

bool ht_emit_may_look(void)
{
	if (!ht_enabled || ht_seccomp_set)
		return false;
	/* (the cheapest test first: without a collector, one stat) */
	if (sock_fd < 0 && !collector_may_be_there())
		return false;
	return fd_floor() >= 0 && may_open_fds();
}

void ht_emit_note_alone(const char *text, size_t len)
{
	uint8_t buf[1024]; /* a HELLO's exe or a 512-byte note and more */
	char exe[256];
	struct sockaddr_un sa;
	struct ucred cred;
	socklen_t cl = sizeof(cred);
	ht_record rec;
	ssize_t n;
	size_t blen;
	uint32_t pid;
	int fd;

	/* No collector at the path: no socket either (one stat).  The
	 * socket is the lowest free fd, not moved high: this child's fd
	 * table is its own (vfork shares memory, not fds), no other thread
	 * uses it, and the socket is closed before the exec. */
	if (!ht_enabled || !collector_may_be_there() || fd_floor() < 0 ||
	    !may_open_fds())
		return;
	/* non-blocking: a collector whose backlog is full gets nothing */
	fd = (int)syscall(SYS_socket, AF_UNIX,
			  SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, sock_path, sizeof(sa.sun_path) - 1);
	if (syscall(SYS_connect, fd, &sa, sizeof(sa)) != 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) != 0 ||
	    (cred.uid != geteuid() && cred.uid != 0))
		goto out;
	pid = (uint32_t)syscall(SYS_getpid);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	memset(&rec, 0, sizeof(rec));
	rec.type = HT_REC_HELLO;
	rec.u.hello.pid = pid;
	rec.u.hello.ppid = (uint32_t)getppid();
	rec.u.hello.flags = HT_HF_NOTE_ONLY;
	rec.u.hello.exe.p = exe;
	rec.u.hello.exe.len = n > 0 ? (uint16_t)n : 0;
	rec.u.hello.image = ht_now();
	blen = ht_wire_encode(buf, sizeof(buf), &rec);
	if (blen == 0 || syscall(SYS_sendto, fd, buf, blen,
				 MSG_DONTWAIT | MSG_NOSIGNAL, NULL, 0) < 0)
		goto out;
	ht_note_record(&rec, pid, text, len);
	blen = ht_wire_encode(buf, sizeof(buf), &rec);
	if (blen != 0)
		syscall(SYS_sendto, fd, buf, blen, MSG_DONTWAIT | MSG_NOSIGNAL,
			NULL, 0);
out:
	syscall(SYS_close, fd);
}

void ht_emit_fd_closed(int fd)
{
	/* The next record connects again, after the program's call: the
	 * hooks see every close, dup2 and close_range of the new socket too. */
	if (fd >= 0 && fd == sock_fd) {
		sock_fd = -1;
		between_connections();
	}
}

bool ht_emit_is_own_fd(int fd)
{
	return fd >= 0 && fd == sock_fd;
}

int ht_emit_own_fd(void)
{
	return sock_fd;
}

/* A socket that is the library's own, or -1: after the program closed ours
 * (seen or not), connect again; after a failed attempt, try again at most
 * once a second.  Never a program's fd: the identity is checked here,
 * before every send. */
int current_fd(void)
{
	int fd = sock_fd;
	if (fd >= 0) {
		if (likely(fd_is_ours(fd)))
			return fd;
		/* Closed behind our back and maybe reused: not ours to
		 * close, and tell nothing into it. */
		if (__atomic_compare_exchange_n(&sock_fd, &fd, -1, false,
						__ATOMIC_ACQ_REL,
						__ATOMIC_RELAXED)) {
			between_connections();
			last_retry_ns = 0;
		}
	}
	if (!ht_enabled || !wanted)
		return -1;
	/* Within a second of a failed attempt: no system call at all (the
	 * clock is the vDSO's), however many records come meanwhile. */
	uint64_t now = ht_now();
	if (last_retry_ns && now - last_retry_ns < 1000000000ull)
		return -1;
	/* A vfork child shares our memory until it execs: it must not set up
	 * a connection (and a counter page) the parent would then use. */
	if (ht_foreign_process())
		return -1;
	/* One thread connects; the others wait for it (a few system calls;
	 * the guard keeps a signal handler of this thread out). */
	ht_lock_acquire(&connect_lock);
	fd = sock_fd;
	/* (another thread may have tried, and failed, while this one waited) */
	if (fd < 0 && ht_enabled &&
	    !(last_retry_ns && now - last_retry_ns < 1000000000ull)) {
		switch (connect_collector(&fd)) {
		case CONNECT_OK:
			sock_fd = fd;
			last_retry_ns = 0;
			break;
		case CONNECT_LATER:
			last_retry_ns = now;
			if (connected_once)
				break; /* a reconnect: tried as long as it runs */
			if (!first_try_ns)
				first_try_ns = now;
			if (!absent_for_good(first_try_ns, now, absent_wait_ns))
				break;
			debug_line("no collector came at HTTPTRACE_SOCKET: "
				   "not tracing");
			ht_enabled = 0;
			break;
		case CONNECT_NEVER:
			ht_enabled = 0;
			break;
		}
	}
	ht_lock_release(&connect_lock);
	return fd;
}

void ht_emit_client_loopback(void)
{
	__atomic_store_n(&client_loopback, 1, __ATOMIC_SEQ_CST);
	ht_live *live = __atomic_load_n(&ht_live_page, __ATOMIC_SEQ_CST);
	if (unlikely(live == NULL)) {
		/* No connection now: make one, as a record would, or wait
		 * for the thread making one (connect_lock): its HELLO must be
		 * sent before this connection's first byte.  A page published
		 * from now on is marked before its HELLO (start_session() reads
		 * the mark after publishing).  Within a second of a failed
		 * attempt none is made: a request begun then, whose record
		 * comes after the next connection, may find its server's
		 * record gone out alone (linked on the client's side only, as
		 * when the hold's window ends). */
		(void)current_fd();
		live = __atomic_load_n(&ht_live_page, __ATOMIC_SEQ_CST);
	}
	if (live)
		ht_live_mark_client(live);
}

void ht_emit_want(void)
{
	/* A forked child inherits wanted, not the connection (nor its page):
	 * it connects at its own first tracked connection too, so that its
	 * requests in flight are on a page from their start.  A prefork
	 * server's worker killed in its first request left nothing when it
	 * waited for its first record.  With no collector there, the
	 * retry window keeps this to a clock read (current_fd()). */
	if (likely(wanted) && likely(sock_fd >= 0))
		return;
	wanted = true;
	if (current_fd() >= 0 && __atomic_load_n(&ht_pending, __ATOMIC_RELAXED))
		ht_emit_send_pending();
}
