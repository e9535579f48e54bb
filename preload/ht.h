/*
 * ht.h - what the parts of libhttptrace.so share: the real libc functions,
 * the clock, the per-thread re-entry guard, the fd table and the emitter.
 *
 * Rules every hook follows (see docs/internals.md "How it works"):
 *  - return exactly what the real call returned, with the same errno;
 *  - on an fd the library does not track: no lock, no allocation, no system
 *    call beyond the real one;
 *  - never re-enter: a hook running while the same thread is already inside
 *    the library (a signal handler interrupting a hook) passes straight
 *    through, so no lock is ever taken twice by one thread.
 */
#ifndef HT_PRELOAD_H
#define HT_PRELOAD_H

#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "conn.h"
#include "conn_server.h"
#include "live.h"
#include "symbols.h"


#define HT_HIDDEN __attribute__((visibility("hidden")))
#define HT_EXPORT __attribute__((visibility("default")))
#define HT_TLS __thread __attribute__((tls_model("initial-exec")))
/* A variable every process touches at start or exit, network or not (the
 * constructor, the destructor): kept together, right after .data
 * (preload/lib.lds), on the page the loader writes anyway when it
 * relocates .data, instead of spread over pages of .bss: each page is a
 * page fault in every process (scripts/bench.sh procs). */
#define HT_STARTUP_DATA __attribute__((section(".ht_startup")))
/* Read-only data the constructor reads when tracing is on: next to the
 * start-up code, not in .rodata (preload/lib.lds). */
#define HT_STARTUP_RODATA __attribute__((section(".ht_startup_ro")))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* ht_sys() - the system call @nr with up to six arguments, made by the
 * library itself: what libc's syscall() does (-1 and errno on failure).
 * Every syscall() call in the library's code is this one (the macro): the
 * library exports a syscall() hook (hook_syscall.c), to which both the
 * linker (-Bsymbolic-functions) and the loader (its definition comes
 * before libc's) would bind the library's own calls. */
HT_HIDDEN long ht_sys(long nr, ...);
#define syscall(...) ht_sys(__VA_ARGS__)

/* ht_raw_syscall() - the system call @nr: the kernel's return, -errno on
 * failure (errno untouched).  ht_sys() on a path that counts its
 * instructions (sys.c: fstat before each send). */
static inline long ht_raw_syscall(long nr, long a1, long a2, long a3,
				  long a4, long a5, long a6)
{
#if defined(__x86_64__)
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	register long r9 __asm__("r9") = a6;
	long ret;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10),
			   "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
#elif defined(__aarch64__)
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a1;
	register long x1 __asm__("x1") = a2;
	register long x2 __asm__("x2") = a3;
	register long x3 __asm__("x3") = a4;
	register long x4 __asm__("x4") = a5;
	register long x5 __asm__("x5") = a6;
	__asm__ volatile("svc 0"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
			 : "memory");
	return x0;
#else
#error "ht_raw_syscall: no system call sequence for this machine"
#endif
}

/* ---- real functions (init.c) -------------------------------------------- */

/* The real function of every symbol the list marks REAL: ht_real.NAME has
 * NAME's type; NULL until looked up (HT_REAL()), and when no object after
 * this library defines it. */
#define HT_REAL_FIELD_REAL(ret, name, params) ret(*name) params;
#define HT_REAL_FIELD_VERS(ret, name, params)
#define HT_REAL_FIELD_SELF(ret, name, params)
#define HT_REAL_FIELD(lib, kind, how, ret, name, params) \
	HT_REAL_FIELD_##how(ret, name, params)
struct ht_real {
	HT_SYMBOLS(HT_REAL_FIELD)
};

HT_HIDDEN extern struct ht_real ht_real;

/* Each REAL function's number, in the list's order (HT_RI_NAME). */
#define HT_REAL_INDEX_REAL(name) HT_RI_##name,
#define HT_REAL_INDEX_VERS(name)
#define HT_REAL_INDEX_SELF(name)
#define HT_REAL_INDEX(lib, kind, how, ret, name, params) \
	HT_REAL_INDEX_##how(name)
enum { HT_SYMBOLS(HT_REAL_INDEX) HT_N_REAL };

/*
 * ht_real_resolve() - look the real function number @i (HT_RI_NAME) up
 * now, store it in ht_real and return it (NULL: no object after this
 * library defines it, or this thread is resolving already).  The walk at
 * start only records where to look: each name is looked up at its first
 * use (init.c), with reads of memory only (no loader lock) when that walk
 * could set it up, so any hook may call it, a signal handler's or a vfork
 * child's included.
 */
HT_HIDDEN void *ht_real_resolve(unsigned i);

/* HT_REAL(NAME) - the real NAME (ht_real.NAME once looked up; NULL when
 * there is none): what every call of a real function goes through.  Its
 * cost once resolved is the test of the pointer for NULL. */
#define HT_REAL(name)                                                  \
	(likely(ht_real.name != NULL) ?                                \
		 ht_real.name :                                        \
		 (__typeof__(ht_real.name))ht_real_resolve(HT_RI_##name))

/* Tracing state: 0 until init ran; then whether this process traces. */
HT_HIDDEN extern volatile int ht_inited;
HT_HIDDEN extern volatile int ht_enabled;

/* ht_init() - resolve the real functions and read the environment; safe to
 * call from any hook, any number of times (the constructor calls it too). */
HT_HIDDEN void ht_init(void);

/* ht_resolve_real() - make the real functions findable without the rest
 * of ht_init(), for a thread that finds another initialising: unless the
 * walk at start has set the lazy lookups up, every ht_real pointer is
 * stored now.  The pointers may still be NULL after it: looked up at
 * first use (HT_REAL()), the symbol is nowhere, or this thread is already
 * resolving. */
HT_HIDDEN void ht_resolve_real(void);

/* ht_real_version() - the function a program's reference to @name of the
 * version @version ("GLIBC_2.15") binds to among the objects after this
 * library, by the loader's rules (elfsym_find_version()), for the hooks
 * of the list's VERS functions (symbols.h); never @self, our own.  NULL
 * when none defines it.  One walk over the loaded objects, for a hook's
 * first call (at start, in init.c's walk, every process would pay for the
 * names); the loader (dlvsym) is asked only where the walk cannot tell (an
 * indirect function, an object without a GNU hash table).  errno kept. */
HT_HIDDEN void *ht_real_version(const char *name, const char *version,
				void *self);

#define HT_ENSURE_INIT()                 \
	do {                             \
		if (unlikely(!ht_inited)) \
			ht_init();       \
	} while (0)

/* The process id, kept current across fork; 0 when tracing is off. */
HT_HIDDEN extern volatile uint32_t ht_pid;

/* How many forks made this process from the one that loaded the library
 * (counted on in each child, ht_table_after_fork()): a block whose
 * fork_gen differs holds a connection as an ancestor left it at a fork. */
HT_HIDDEN extern unsigned ht_fork_gen;

/* ht_foreign_process() - whether this is not the process our state belongs
 * to: a vfork (or posix_spawn) child shares our memory until it execs, and
 * no fork handler told us about it.  Such a child must leave every piece of
 * state alone.  A system call: only for calls on tracked fds.  The pid and
 * ht_pid are read in one fork generation: a signal handler's fork between
 * the two (the system call's return is where a signal is taken) would
 * have the child compare its parent's pid with its own, and leave its own
 * connection untracked as a vfork child's. */
static inline bool ht_foreign_process(void)
{
	uint32_t pid, mine;
	unsigned gen;

	do {
		gen = __atomic_load_n(&ht_fork_gen, __ATOMIC_RELAXED);
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		mine = ht_pid;
		pid = (uint32_t)syscall(SYS_getpid);
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
	} while (gen != __atomic_load_n(&ht_fork_gen, __ATOMIC_RELAXED));
	return pid != mine;
}

/* Header capture and redaction options for every connection's parsers. */
HT_HIDDEN extern h1_options ht_h1_opts;

/* What every connection's state machine gets: the emitter, the options,
 * mmap-backed memory and the HPACK decoder. */
HT_HIDDEN extern const conn_env ht_conn_env;

/* ---- clock and guard ------------------------------------------------------ */

static inline uint64_t ht_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The clock as this thread's current guarded call read it, 0 until it
 * did: the records it flushes (emit.c) share the reading of the steps
 * that made them.  Cleared by ht_leave(). */
HT_HIDDEN extern HT_TLS uint64_t ht_call_ns;

/* Set while this thread is inside the library's own work. */
HT_HIDDEN extern HT_TLS volatile sig_atomic_t ht_busy;

static inline bool ht_enter(void)
{
	if (ht_busy)
		return false;
	ht_busy = 1;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	return true;
}

/* Bytes of records this thread's current hook call produced (emit.c). */
HT_HIDDEN extern HT_TLS uint32_t ht_batch_len;
/* ht_emit_flush() - the current call's records go out, or, for an event
 * loop's thread (ht_poller), join the pending message. */
HT_HIDDEN void ht_emit_flush(void);
/* Whether this thread waits in epoll_wait/poll/select (hook_poll.c). */
HT_HIDDEN extern HT_TLS bool ht_poller;
/* The calling thread's state for the connections (conn.h, conn_thread);
 * the epoll hooks mark it an event loop's (loop). */
HT_HIDDEN extern HT_TLS conn_thread ht_this_thread;
/* Bytes in the process's pending message (read without its lock). */
HT_HIDDEN extern volatile uint32_t ht_pending;
/* ht_emit_send_pending() - send the pending message now.  Guard held. */
HT_HIDDEN void ht_emit_send_pending(void);

/* ht_emit_pending_left_ms() - how long, in milliseconds rounded up, the
 * pending message may still wait at @now (ht_now()) before it must go out:
 * 0 when it is due (or its age is not known), -1 when the process wants no
 * collector yet (sending would do nothing).  Only meaningful while
 * ht_pending is set.  No lock, no system call. */
HT_HIDDEN int ht_emit_pending_left_ms(uint64_t now);

/* ht_send_pending() - before the thread waits (hook_poll.c) or execs
 * (hook_exec.c): the pending message, if any, goes out now, unless this
 * is a vfork child or the thread is inside the library already.  errno
 * is kept.  A load when nothing is pending. */
HT_HIDDEN void ht_send_pending_slow(void);
static inline void ht_send_pending(void)
{
	if (likely(!__atomic_load_n(&ht_pending, __ATOMIC_RELAXED)))
		return;
	ht_send_pending_slow();
}

/* Leaving the library: what the call produced goes to the collector. */
static inline void ht_leave(void)
{
	if (unlikely(ht_batch_len))
		ht_emit_flush();
	ht_call_ns = 0;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	ht_busy = 0;
}

/* A spin lock that a signal handler never waits on (the guard above keeps
 * the holder's own thread out), so spinning with sched_yield is safe. */
typedef struct ht_lock {
	int v;
} ht_lock;

HT_HIDDEN void ht_lock_acquire(ht_lock *l);

/*
 * HT_RESET() - @var = @value, stored only when it changes @var: for the
 * fork handlers' child side.  In a fork's child each page the library
 * stores to is a page fault (copy on write), even for a store of the value
 * the page holds, and most of what the child resets is at rest already
 * (all of it in a process that never connected: a shell's child that runs
 * /bin/true then paid five faults for nothing).  @var and @value are read
 * twice: no side effects.
 */
#define HT_RESET(var, value)              \
	do {                              \
		if ((var) != (value))     \
			(var) = (value);  \
	} while (0)

static inline void ht_lock_release(ht_lock *l)
{
	__atomic_store_n(&l->v, 0, __ATOMIC_RELEASE);
}

/* ---- fd table (fdtable.c) --------------------------------------------------- */

#include "fdtable.h"

/* ---- TCP Fast Open (hook_socket.c) ------------------------------------------ */

/* ht_connect_began() - whether a connect's outcome (@ret, errno @err) says
 * the kernel read the address (and a sendto/sendmsg's msghdr) and began,
 * or tried, a connection: done, in progress, interrupted while waiting,
 * refused, unreachable... */
HT_HIDDEN bool ht_connect_began(int ret, int err);

/* What a connect hook (connect, or a send with MSG_FASTOPEN) learnt and
 * claimed before its real call (ht_connect_before()), for after it. */
typedef struct ht_connect_pre {
	int proto;      /* the socket's protocol (SO_PROTOCOL); -1: not known */
	uint32_t id;    /* the connection's id, taken before the call; 0: none */
	struct ht_live *page; /* the connection slot that shows the call... */
	unsigned ref;   /* ...(0: none): the connection takes it, or it is
			   released (ht_connect_pre_drop()) */
	bool own;       /* this process's, not a vfork child's, as found in
			   fork generation own_gen (connect_foreign()) */
	unsigned own_gen;
	uint64_t t0;    /* when the call began */
	bool pending;   /* the slot is the thread's pending claim, number
			   seq (ht_connect_fd_gone()), until the call returns */
	unsigned seq;
} ht_connect_pre;

/* fd + 1 of the connect call the calling thread is inside, as far as the
 * library knows (a call whose hook never returned, left by siglongjmp,
 * counts until its fd is closed or the thread connects again); 0: none. */
HT_HIDDEN extern HT_TLS int ht_connect_pend_fd1;

/* ht_connect_fd_gone() - @fd (or, @last >= @fd, every fd from @fd to
 * @last) is about to be closed by this thread: a pending claim on it
 * whose call is over (abandoned: its hook never returned) ends, reported
 * as a connect that failed.  No system call.  errno kept. */
HT_HIDDEN void ht_connect_pend_gone(void);
static inline void ht_connect_fd_gone(unsigned fd, unsigned last)
{
	unsigned p = (unsigned)ht_connect_pend_fd1 - 1;
	if (unlikely(ht_connect_pend_fd1 != 0) && p >= fd && p <= last)
		ht_connect_pend_gone();
}

/*
 * ht_connect_before() - before a connect of @fd begun at @t0 (a connect()
 * call, or a send with MSG_FASTOPEN on an fd not tracked): a TCP socket's
 * connection is followed from the call on.  Its protocol is asked here
 * (one system call, in place of its type after the call, which a TCP or
 * UDP socket then needs no more); for TCP the collector is wanted now,
 * and a connection slot shows the connection in phase connect while the
 * call lasts: a blocking connect to a peer that never answers, or whose
 * accept queue is full, waits for minutes, and a process killed or
 * interrupted meanwhile is reported as a connection cut short while
 * connecting, not as nothing.  The slot has no peer until the call
 * returned (the program's address is read only once the kernel read it),
 * and meanwhile the name of the thread's last lookup not used yet
 * (ht_dns_thread_name()), as a guess, when there is one.  Not for an fd
 * that names a connection already: a connect again on it (after EINTR,
 * EINPROGRESS) is that connection's, shown by its slot.  Fills *@p, for
 * the connection made after the call to take, else ht_connect_pre_drop().
 * errno is kept.
 */
HT_HIDDEN void ht_connect_before(int fd, uint64_t t0, ht_connect_pre *p);

/* ht_connect_pre_drop() - the slot @pre (NULL: none) claimed and no
 * connection took is released; its id given back, when no other was taken
 * since, unless a collector may have told it (shown HT_LIVE_PEER_WAIT_NS
 * or longer). */
HT_HIDDEN void ht_connect_pre_drop(ht_connect_pre *pre);

/* ht_fastopen_seen() - a sendto/sendmsg with MSG_FASTOPEN to @sa (@len
 * bytes), begun at @t0 on @fd, which was not tracked (its slot's changes
 * then @since, ht_fd_changes(); ht_fork_gen then @fork_gen), returned
 * @ret with errno @err: when the outcome says the call began a connection
 * (bytes taken, in progress, refused...) to an AF_INET/AF_INET6 stream
 * peer, track @fd as connect() would (connected when @ret >= 0); @sa is
 * read only then.  Returns the home slot of the connection tracked, its
 * generation in *@gen, a write begun on it (ht_write_begin()), or NULL
 * (none; ht_track_fd() found @fd's slot taken; a child forked inside the
 * call, to which its bytes are not its own): the caller feeds the bytes
 * moved to that one (track_io), never to what @fd names by then.  @pre:
 * what ht_connect_before() claimed before the call, taken or released. */
HT_HIDDEN ht_slot *ht_fastopen_seen(int fd, const struct sockaddr *sa,
				    socklen_t len, uint64_t t0, unsigned since,
				    unsigned fork_gen, ssize_t ret, int err,
				    uint64_t *gen, ht_connect_pre *pre);

/* ---- DNS cache (hook_dns.c) -------------------------------------------------- */

/* ht_dns_lookup() - find the latest lookup whose results held @peer.  Copies
 * its name to @name (cap bytes); sets *t_start and *t_done when the lookup is
 * not consumed yet (else 0).  Returns the cache slot or -1; *gen identifies
 * the entry for ht_dns_consume(). */
HT_HIDDEN int ht_dns_lookup(const ht_addr *peer, char *name, size_t cap,
			    uint64_t *t_start, uint64_t *t_done, uint32_t *gen);

/* ht_dns_thread_name() - the name of the calling thread's last lookup
 * that gave addresses, into @name (@cap bytes, truncated), when no
 * connection to them succeeded yet: the name its next connect most likely
 * goes to, before that connect's address can be read (a guess, shown only
 * while the call lasts: the address names the connection after it).
 * False when there is none. */
HT_HIDDEN bool ht_dns_thread_name(char *name, size_t cap);

/* ht_dns_consume() - a connection to that lookup's address succeeded: its
 * time counts there and nowhere else. */
HT_HIDDEN void ht_dns_consume(int slot, uint32_t gen);

/* ht_dns_after_fork() - in a forked child: the cache's lock is released (a
 * thread of the parent may have held it at fork). */
HT_HIDDEN void ht_dns_after_fork(void);

/* ---- RTLD_DEEPBIND (deepbind.c) ------------------------------------------------ */

/* ht_deepbind_after_fork() - in a forked child: the GOT slot lock is
 * released (a thread of the parent may have held it at fork). */
HT_HIDDEN void ht_deepbind_after_fork(void);

/* ---- emitter (emit.c, emit_connect.c) ------------------------------------- */

/* ht_emit() - encode @rec into this thread's batch; the batch is sent to the
 * collector without blocking when the hook call leaves the library
 * (ht_leave() -> ht_emit_flush()); what cannot be sent is dropped and
 * counted.  conn_sink_fn compatible (@ctx unused).  Caller holds the guard. */
HT_HIDDEN void ht_emit(void *ctx, const ht_record *rec);

/* ht_emit_init() - remember the collector's path @path (copied), and what
 * HTTPTRACE_DEBUG asks (read here only, never on the emit path); nothing
 * is connected yet (see ht_emit_want()).  Returns 0, or -1 when the path
 * cannot be a Unix socket's (tracing stays off). */
HT_HIDDEN int ht_emit_init(const char *path);

/* ht_emit_want() - the process has a tracked connection: connect to the
 * collector now if not yet done (and send what waited).  Caller holds the
 * guard.  When the collector there is not of our user, or when none has
 * come at the path ABSENT_WAIT_NS (emit_connect.c) after a process that
 * never had one first tried, tracing turns off for good (ht_enabled = 0). */
HT_HIDDEN void ht_emit_want(void);

/* ht_emit_client_loopback() - the process began a client TCP connection
 * from a loopback address (or one not known): its live page says so
 * (live.h client_loopback) before this returns, and every later page of
 * the image (a reconnect, a fork child's) from its HELLO on.  Without a
 * collector connection at that moment, one is made now (as a record
 * would): the page that says so must reach the collector before a
 * server's record of a request on this connection can (join.h).  Call
 * it after ht_emit_want(), before the connection is tracked. */
HT_HIDDEN void ht_emit_client_loopback(void);

/* Set when the program installs a seccomp filter (prctl hook): from then on
 * the library opens no fd. */
HT_HIDDEN extern volatile int ht_seccomp_set;

/* ht_emit_stop_for_seccomp() - the program is about to install a seccomp
 * filter, after which any system call of the library's could kill it: say
 * so to the collector (a NOTE, sent now, if the process has one), then
 * stop tracing for good, following nothing more.  Called before the real
 * prctl(). */
HT_HIDDEN void ht_emit_stop_for_seccomp(void);

/* ht_fds_received() - a recvmsg() that succeeded brought control data
 * @m: a connected TCP socket among the fds another process passed
 * (SCM_RIGHTS) is one this process did not connect or accept, whose
 * requests the library cannot follow: a note says so, once per process,
 * so that they are counted as not seen, never lost silently.  errno is
 * kept. */
HT_HIDDEN void ht_fds_received(const struct msghdr *m);

/* ht_note_record() - @rec made a NOTE record of process @pid saying @text
 * (@len bytes, cut at 512: the wire's bound for a note), every other field
 * zero. */
HT_HIDDEN void ht_note_record(ht_record *rec, uint32_t pid, const char *text,
			      size_t len);

/* ht_emit_note_alone() - a NOTE @text (@len bytes, cut at 512) from a
 * vfork (or posix_spawn) child about to exec, which shares its parent's
 * memory and so may change none of the library's state: on a socket of
 * its own (closed before this returns), after a HELLO of its own pid
 * marked HT_HF_NOTE_ONLY (not a traced process), no counters page.  Only
 * while the library is on and may open fds (fd_floor(), no seccomp
 * filter), and a socket is at the path (a stat first: no socket is made
 * for a collector that is gone); a foreign collector gets nothing. */
HT_HIDDEN void ht_emit_note_alone(const char *text, size_t len);

/* ht_emit_may_look() - whether the exec hooks may open the file about to
 * be exec'd to read its head (hook_exec.c): the library is on, a
 * collector can be there to be told (this process is connected, or a
 * socket is at the path: one stat), and the library may open an fd (a
 * limit that leaves it fds of its own, fd_floor(); no seccomp filter of
 * the program's, may_open_fds()).  Without a collector it costs a stat. */
HT_HIDDEN bool ht_emit_may_look(void);

/* ht_emit_after_fork() - in a forked child: forget the parent's socket and
 * counters (closing the socket only if the fd is still it); the child
 * connects when it has something to say. */
HT_HIDDEN void ht_emit_after_fork(void);

/* The current connection's live page (live.h: requests in flight, shown
 * to the collector), or NULL. */
struct ht_live;
HT_HIDDEN extern struct ht_live *volatile ht_live_page;

/* ht_emit_may_call() - whether the library may still make its system
 * calls (fstat, socket, send): no seccomp filter installed since it
 * started but through its own hooks (which stop it first).  One prctl. */
HT_HIDDEN bool ht_emit_may_call(void);

/* ht_emit_no_filter() - whether no seccomp filter is known on this
 * process: none when the library started, none installed since through
 * its hooks.  No system call: for a check a process pays on a path that
 * has nothing to do with a tracked connection (a filter that kills a
 * system call it never expected must never meet one). */
HT_HIDDEN bool ht_emit_no_filter(void);

/* ht_process_exiting() - the process is about to end by _exit (or the
 * exit_group system call through syscall()): what exit's destructor does,
 * once, waiting for another thread's end in progress; nothing in a vfork
 * child or under a seccomp filter the library did not see installed. */
HT_HIDDEN void ht_process_exiting(void);

/* ht_emit_at_exit() - at the image's end, with records or drop counts to
 * tell and no collector: connect once more, even within the retry window. */
HT_HIDDEN void ht_emit_at_exit(void);

/* ht_emit_at_exec() - before an exec, which ends the image as surely as an
 * exit: ht_emit_at_exit(), inside the library's guard (ht_enter()), errno
 * kept; nothing in a vfork child, nor with nothing to tell (no system
 * call then). */
HT_HIDDEN void ht_emit_at_exec(void);

/* ht_emit_goodbye() - the image ends normally (its destructor ran): the
 * live page says so, for the collector reading it after the end. */
HT_HIDDEN void ht_emit_goodbye(void);

/* ht_emit_fd_closed() - the program is closing (or replacing) @fd; if it is
 * the collector socket, forget it (reconnect later). */
HT_HIDDEN void ht_emit_fd_closed(int fd);

/* ht_emit_is_own_fd() - whether @fd is the collector socket;
 * ht_emit_own_fd() - the collector socket, or -1. */
HT_HIDDEN bool ht_emit_is_own_fd(int fd);
HT_HIDDEN int ht_emit_own_fd(void);

/* ht_emit_flush_drops() - send the drop and produced counts if the drop
 * count has grown, or always when @final (the image's last word). */
HT_HIDDEN void ht_emit_flush_drops(bool final);

/* ---- socket address helper ---------------------------------------------------- */

/* ht_addr_from_sockaddr() - fill @out from an AF_INET/AF_INET6 address
 * of @len bytes (nothing past them is read); returns false for anything
 * else. */
HT_HIDDEN bool ht_addr_from_sockaddr(const struct sockaddr *sa, socklen_t len,
				     ht_addr *out);

#endif
