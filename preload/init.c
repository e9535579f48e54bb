/*
 * init.c - start-up and shut-down of the library: find the real libc
 * functions (each at its first use), read the environment, connect to the
 * collector, and keep the state right across fork and at exit.
 *
 * Hooks can run before our constructor (another library's constructor may
 * call connect or read), so every hook calls ht_init() when ht_inited is
 * still 0.  Resolution itself is idempotent: racing threads store the same
 * pointers.
 */
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "elfgot.h"
#include "elfsym.h"
#include "ht.h"
#include "ossl.h"
#include "tls.h"
#include "urlscrub.h"

HT_STARTUP_DATA struct ht_real ht_real;
HT_STARTUP_DATA volatile int ht_inited;
HT_STARTUP_DATA volatile int ht_enabled;
HT_STARTUP_DATA volatile uint32_t ht_pid;
HT_TLS volatile sig_atomic_t ht_busy;

/* Values of these request and response headers never leave the process;
 * HTTPTRACE_REDACT (comma-separated names) adds more, HTTPTRACE_NO_REDACT=1
 * turns redaction off. */
#define REDACT_DEFAULTS 4
#define REDACT_MAX 36
static const char *redact_list[REDACT_MAX + 1] = {
	"authorization", "proxy-authorization", "cookie", "set-cookie", NULL,
};
static char redact_names[1024];

/* Userinfo and the values of these query parameters never leave the
 * process in any URL recorded (urlscrub.h); HTTPTRACE_REDACT_QUERY
 * (comma-separated names) adds more, HTTPTRACE_NO_REDACT=1 turns it off. */
#define REDACT_QUERY_MAX (HT_URL_DEFAULT_QUERY_NAMES + 32)
HT_STARTUP_DATA static const char *redact_query_list[REDACT_QUERY_MAX + 1];
static char redact_query_names[1024];

h1_options ht_h1_opts = {.capture_headers = true, .redact = redact_list,
			 .redact_query = redact_query_list};

/* Add the comma-separated names of @spec to @list (of @max entries, the
 * first @n taken), copied into @store (@cap bytes), lower-cased when
 * @lower. */
static void add_names(const char **list, size_t n, size_t max,
		      char *store, size_t cap, const char *spec, bool lower)
{
	size_t used = 0;
	while (*spec && n < max) {
		while (*spec == ',' || *spec == ' ')
			spec++;
		size_t len = 0;
		while (spec[len] && spec[len] != ',' && spec[len] != ' ')
			len++;
		if (len == 0 || used + len + 1 > cap)
			break;
		char *name = store + used;
		for (size_t i = 0; i < len; i++) {
			char ch = spec[i];
			name[i] = (lower && ch >= 'A' && ch <= 'Z') ?
					  (char)(ch - 'A' + 'a') : ch;
		}
		name[len] = '\0';
		used += len + 1;
		list[n++] = name;
		spec += len;
	}
	list[n] = NULL;
}

static void *map_zeroed(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

static void unmap(void *p, size_t size)
{
	munmap(p, size);
}

/* The calling thread's state for the connections (conn.h, conn_thread):
 * numbered on its first use, from a process-wide counter (no system
 * call).  A forked child's only thread keeps its number (the pid tells
 * the processes apart) and has no server request open. */
HT_TLS conn_thread ht_this_thread;
static uint32_t thread_ids;

static conn_thread *thread_state(void)
{
	if (unlikely(ht_this_thread.id == 0))
		ht_this_thread.id = __atomic_add_fetch(&thread_ids, 1,
						       __ATOMIC_RELAXED);
	return &ht_this_thread;
}

const conn_env ht_conn_env = {
	.sink = ht_emit,
	/* (not NULL: ht_emit() tells a connection's records by it) */
	.sink_ctx = (void *)&ht_conn_env,
	.opt = &ht_h1_opts,
	.alloc = map_zeroed,
	.release = unmap,
	.hpack = hpack_own,
	.live = &ht_live_page,
	.thread = thread_state,
};

void ht_lock_acquire(ht_lock *l)
{
	unsigned spins = 0;
	while (__atomic_exchange_n(&l->v, 1, __ATOMIC_ACQUIRE)) {
		if (++spins > 64) {
			sched_yield();
			spins = 0;
		}
	}
}

/* ---- the real functions ----------------------------------------------------- */

/* The list's REAL functions (symbols.h), numbered in its order (ht.h). */
#define N_REAL HT_N_REAL

#define REAL_NAME_REAL(name) #name,
#define REAL_NAME_VERS(name)
#define REAL_NAME_SELF(name)
#define REAL_NAME(lib, kind, how, ret, name, params) REAL_NAME_##how(name)

/*
 * libc functions the library itself calls only on rare paths (registering
 * its fork handlers when tracing is on; the dlopen hook, deepbind.c; the
 * TLS libraries' functions, tls.c; DNS errors; the inline hooks' reports):
 * found by the same lookups as the real functions, instead of being
 * imported.  Each
 * import costs the loader a symbol lookup through every loaded object when
 * it relocates the library (full RELRO: -z now), about 800 instructions in
 * every process at start; a name looked up in the walk costs about 150.
 * The library's own definitions below (hidden: the program's calls still
 * reach libc) call through these pointers; deepbind.c keeps the ordinary
 * names.
 */
#define HT_INTERNALS(X)                                                     \
	X(int, __register_atfork,                                           \
	  (void (*)(void), void (*)(void), void (*)(void), void *))         \
	X(int, dladdr, (const void *, Dl_info *))                          \
	X(int, dladdr1, (const void *, Dl_info *, void **, int))           \
	X(int, dlinfo, (void *, int, void *))                              \
	X(char *, dlerror, (void))                                         \
	X(void *, dlsym, (void *, const char *))                           \
	X(int, dlclose, (void *))                                          \
	X(int *, __h_errno_location, (void))                               \
	X(char *, strerror, (int))                                         \
	X(int, vsnprintf, (char *, size_t, const char *, va_list))

#define INTERNAL_INDEX(ret, name, params) II_##name,
enum { HT_INTERNALS(INTERNAL_INDEX) N_INTERNAL };
#define N_WALK (N_REAL + N_INTERNAL)
#define INTERNAL_NAME(ret, name, params) #name,

/* Each name's GNU hash and length, computed by the compiler (the names are
 * fixed): nothing to hash in each process at start.  The walk's names are
 * the REAL ones of the list, then the internal ones. */
#define REAL_KEY_REAL(name) ELFSYM_KEY(#name),
#define REAL_KEY_VERS(name)
#define REAL_KEY_SELF(name)
#define REAL_KEY(lib, kind, how, ret, name, params) REAL_KEY_##how(name)
#define INTERNAL_KEY(ret, name, params) ELFSYM_KEY(#name),
HT_STARTUP_RODATA static const elfsym_key walk_keys[N_WALK] = {
	HT_SYMBOLS(REAL_KEY) HT_INTERNALS(INTERNAL_KEY)
};
/* The names themselves, in place: an array of pointers would be one
 * relocation each for the loader, in every process. */
#define WALK_NAME_MAX 20
HT_STARTUP_RODATA static const char walk_names[N_WALK][WALK_NAME_MAX] = {
	HT_SYMBOLS(REAL_NAME) HT_INTERNALS(INTERNAL_NAME)
};
#define REAL_FITS_REAL(name) \
	_Static_assert(ELFSYM_LIT_FITS(#name), #name ": too long to hash"); \
	_Static_assert(sizeof(#name) <= WALK_NAME_MAX, #name ": too long");
#define REAL_FITS_VERS(name)
#define REAL_FITS_SELF(name)
#define REAL_FITS(lib, kind, how, ret, name, params) REAL_FITS_##how(name)
HT_SYMBOLS(REAL_FITS)
#define INTERNAL_FITS(ret, name, params) REAL_FITS_REAL(name)
HT_INTERNALS(INTERNAL_FITS)

/* The internal functions found (NULL: not found, or not looked up yet:
 * INTERNAL() gets one). */
#define INTERNAL_FIELD(ret, name, params) ret(*name) params;
HT_STARTUP_DATA static struct {
	HT_INTERNALS(INTERNAL_FIELD)
} internal;
#define INTERNAL(name)                                                      \
	(likely(internal.name != NULL) ?                                    \
		 internal.name :                                            \
		 (__typeof__(internal.name))ht_real_resolve(N_REAL + II_##name))
typedef int register_atfork_fn(void (*)(void), void (*)(void),
			       void (*)(void), void *);

/* Our own definitions the system headers do not declare, to refuse them
 * when the loader is asked. */
extern ssize_t __read_chk(int, void *, size_t, size_t);
extern ssize_t __recv_chk(int, void *, size_t, size_t, int);
extern ssize_t __recvfrom_chk(int, void *, size_t, size_t, int,
			      struct sockaddr *, socklen_t *);
extern void closefrom(int);
extern int prctl(int, ...);
extern int fcntl(int, int, ...);
extern int fcntl64(int, int, ...);
extern ssize_t sendfile(int, int, off_t *, size_t);
extern ssize_t sendfile64(int, int, off_t *, size_t);
extern ssize_t splice(int, loff_t *, int, loff_t *, size_t, unsigned int);

/* Where the search for one name stands. */
enum { LOOKING, SETTLED, ASK_LOADER };

/*
 * The real functions are what dlsym(RTLD_NEXT) would return: the first
 * definition in the objects after this library in the loader's list.  Each
 * dlsym() costs close to a thousand instructions; a lookup in the objects'
 * GNU hash tables (elfsym.h) about 150, and most processes never call most
 * of the hooks (a /bin/true calls none of them).  So the walk at start only
 * records where to look (the scope below): each name is looked up at its
 * first use (ht_real_resolve(), through HT_REAL()), with plain reads of
 * memory: no loader lock, safe in a signal handler or a vfork child.
 *
 * The scope is the objects after this library up to and including the libc
 * this library is bound to (the one that defines dl_iterate_phdr), every
 * one loaded before the constructor ran: objects after libc in the list
 * are the ones dlopen() adds, which dlclose() may unmap; libc and the
 * objects before it never are.  Every REAL name is libc's, so a lookup
 * stops there.  When the walk cannot set a lazy scope up (an object
 * without a GNU hash table, more objects than the scope holds, no libc
 * met), every name is resolved in the walk, as before.  The loader is
 * asked only for what the walk cannot tell: an indirect function (its
 * resolver must run), or a name no object of the scope defines.
 */
#define SCOPE_MAX 24
HT_STARTUP_DATA static struct {
	unsigned n;                  /* objects in obj[] */
	unsigned char state[N_WALK]; /* SETTLED: looked up (found or not) */
	elfsym_obj obj[SCOPE_MAX];   /* in the loader's order */
} scope;
/* Set (release) once scope is filled: lookups may use it. */
HT_STARTUP_DATA static int scope_ready;

struct real_walk {
	uintptr_t self;  /* an address inside this library */
	uintptr_t vdso;  /* the vDSO's base: not in the lookup scope */
	bool past_self;  /* the objects seen now come after this library */
	bool past_libc;  /* libc was seen: the scope is complete */
	bool blind;      /* an object could not be searched */
	bool eager;      /* look every name up in the walk (no lazy scope) */
	unsigned left;   /* names still LOOKING */
	unsigned char state[N_WALK];
	void *found[N_WALK];
	ht_ssl_scan *ssl; /* the inline hooks' scan, filled on the way */
};

/* Whether @name, an object's path as the loader lists it, is glibc's
 * libc ("libc.so.6" in any directory).  By name, not by the object that
 * holds one of libc's functions as this library binds it: another library
 * may define that function too (libtsan defines dl_iterate_phdr), and the
 * scope then ended before libc (review11 found TLS handshakes failing). */
static bool is_libc(const char *name)
{
	HT_STARTUP_RODATA static const char libc[] = "libc.so.6";
	const char *base = name;

	if (!name)
		return false;
	for (const char *p = name; *p; p++) /* (no import for a walk) */
		if (*p == '/')
			base = p + 1;
	for (unsigned i = 0; i < sizeof libc; i++)
		if (base[i] != libc[i])
			return false;
	return true;
}

/* Look the names still open from the walk's name @first on up in @o. */
static void look_up_left(struct real_walk *w, const elfsym_obj *o,
			 unsigned first)
{
	for (unsigned i = first; i < N_WALK; i++) {
		if (w->state[i] != LOOKING)
			continue;
		uintptr_t a = 0;
		switch (elfsym_find_key(o, walk_names[i], walk_keys[i].len,
					walk_keys[i].hash, &a)) {
		case ELFSYM_NONE:
			continue;
		case ELFSYM_FUNC:
			w->found[i] = (void *)a;
			w->state[i] = SETTLED;
			break;
		case ELFSYM_IFUNC:
			w->state[i] = ASK_LOADER;
			break;
		case ELFSYM_OTHER: /* not a function: never called */
			w->state[i] = SETTLED;
			break;
		}
		w->left--;
	}
}

/* Add @o (after this library, up to libc) to the lazy scope; false when
 * it is full. */
static bool scope_add(const elfsym_obj *o)
{
	if (scope.n == SCOPE_MAX)
		return false;
	scope.obj[scope.n++] = *o;
	return true;
}

/* dl_iterate_phdr() callback: record one object of the scope (or, eager,
 * look the open names up in it), and hand it to the inline hooks' scan
 * when there is one (which sees every object: the walk then goes to the
 * end).  Eager, the internal functions are looked up in libc wherever it
 * is, also past an object that cannot be searched: the loader is asked
 * for the rest through dlsym, one of them.  Only reads memory and writes
 * the scope: no call into the loader (which holds its list lock). */
static int walk_object(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct real_walk *w = arg;
	(void)size;
	elfsym_obj o;
	bool opened = false, in_scope = false;
	bool libc = is_libc(info->dlpi_name);
	if (!w->past_self)
		w->past_self = elfgot_inside(info->dlpi_phdr, info->dlpi_phnum,
					     info->dlpi_addr, w->self);
	else if (!w->blind && info->dlpi_addr != w->vdso)
		in_scope = w->eager ? w->left != 0 : !w->past_libc;
	if (in_scope || (w->eager && libc && w->left)) {
		int err = elfsym_open_phdr(&o, info->dlpi_addr, info->dlpi_phdr,
					   info->dlpi_phnum);
		if (err == 0)
			opened = true;
		else if (err != -ENOENT && in_scope) /* -ENOENT: exports nothing */
			w->blind = true;
	}
	if (w->eager) {
		if (opened)
			look_up_left(w, &o, in_scope ? 0 : N_REAL);
	} else if (in_scope) {
		w->past_libc = libc;
		if (opened && !scope_add(&o))
			w->blind = true;
	}
	if (w->ssl) {
		ht_inline_ssl_scan_object(w->ssl, info, opened ? &o : NULL);
		return 0;
	}
	if (w->eager)
		return w->left == 0;
	return w->blind || w->past_libc;
}

/* This library's first and last byte in memory (the linker's). */
extern const char __ehdr_start[] HT_HIDDEN;
extern const char _end[] HT_HIDDEN;

/* dlsym(RTLD_NEXT) for @name, refusing a definition of this library's own
 * (a symbol that resolves to itself would recurse forever). */
static void *next_symbol(const char *name)
{
	void *p = dlsym(RTLD_NEXT, name);
	if ((const char *)p >= __ehdr_start && (const char *)p < _end)
		return NULL;
	return p;
}

/* Where ht_real_version()'s walk stands. */
struct version_walk {
	uintptr_t self, vdso; /* as in struct real_walk */
	bool past_self;
	bool ask_loader;      /* an object could not tell: dlvsym() will */
	const char *name, *version;
	uintptr_t addr;       /* the function found */
};

/* dl_iterate_phdr() callback of ht_real_version(): @name of @version in
 * one object after this library; 1 (the walk ends) once it is found or
 * only the loader can tell.  Only reads memory. */
static int walk_version(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct version_walk *w = arg;
	elfsym_obj o;
	int err;

	(void)size;
	if (!w->past_self) {
		w->past_self = elfgot_inside(info->dlpi_phdr, info->dlpi_phnum,
					     info->dlpi_addr, w->self);
		return 0;
	}
	if (info->dlpi_addr == w->vdso)
		return 0;
	err = elfsym_open_phdr(&o, info->dlpi_addr, info->dlpi_phdr,
			       info->dlpi_phnum);
	if (err == -ENOENT) /* exports nothing */
		return 0;
	if (err != 0) {
		w->ask_loader = true;
		return 1;
	}
	switch (elfsym_find_version(&o, w->name, w->version, &w->addr)) {
	case ELFSYM_NONE:
		return 0;
	case ELFSYM_FUNC:
		return 1;
	case ELFSYM_IFUNC:
		w->ask_loader = true;
		return 1;
	case ELFSYM_OTHER: /* not a function: never called */
		w->addr = 0;
		return 1;
	}
	return 0;
}

typedef void *dlvsym_fn(void *, const char *, const char *);

void *ht_real_version(const char *name, const char *version, void *self)
{
	struct version_walk w = {
		.self = (uintptr_t)ht_real_version,
		.vdso = (uintptr_t)getauxval(AT_SYSINFO_EHDR),
		.name = name,
		.version = version,
	};
	int saved = errno;
	void *p;

	dl_iterate_phdr(walk_version, &w);
	if (!w.past_self)
		w.ask_loader = true;
	p = (void *)w.addr;
	if (w.ask_loader) {
		/* dlvsym, found without an import (which would cost every
		 * process a lookup at start); called from here, RTLD_NEXT is
		 * after this library.  It takes the version alone, not an
		 * unversioned definition as the loader binds a reference. */
		dlvsym_fn *vsym = (dlvsym_fn *)dlsym(RTLD_DEFAULT, "dlvsym");
		p = vsym != NULL ? vsym(RTLD_NEXT, name, version) : NULL;
	}
	errno = saved;
	return p == self ? NULL : p;
}

/* Where the walk's name @i is stored: a field of ht_real, then of
 * internal (all function pointers, laid out as an array of them). */
#define REAL_OFFSET_REAL(name) offsetof(struct ht_real, name),
#define REAL_OFFSET_VERS(name)
#define REAL_OFFSET_SELF(name)
#define REAL_OFFSET(lib, kind, how, ret, name, params) REAL_OFFSET_##how(name)
#define INTERNAL_OFFSET(ret, name, params) \
	offsetof(__typeof__(internal), name),
HT_STARTUP_RODATA static const unsigned short real_offset[N_REAL] = {
	HT_SYMBOLS(REAL_OFFSET)
};
HT_STARTUP_RODATA static const unsigned short internal_offset[N_INTERNAL] = {
	HT_INTERNALS(INTERNAL_OFFSET)
};

static void **walk_slot(unsigned i)
{
	if (i < N_REAL)
		return (void **)((char *)&ht_real + real_offset[i]);
	return (void **)((char *)&internal + internal_offset[i - N_REAL]);
}

/* Set (release) once every pointer is stored by an eager walk: a thread
 * that finds another initialising relies on it, not on one pointer (the
 * stores before it may be seen in any order). */
HT_STARTUP_DATA static int resolved;

static void resolve_eager(void);

/* Walk the loaded objects: set the lazy scope up (when @lazy and it can
 * be), else find every real and internal function now; with @ssl, fill
 * the inline hooks' scan of the loaded objects in the same walk (ossl.h). */
static void resolve_all(ht_ssl_scan *ssl, bool lazy)
{
	/* Field by field: the eager walk's arrays (630 bytes) are zeroed
	 * only for it, so that the lazy walk every process makes calls no
	 * memset (a libc page /bin/true does not otherwise touch). */
	struct real_walk w;
	w.self = (uintptr_t)resolve_all;
	w.vdso = (uintptr_t)getauxval(AT_SYSINFO_EHDR);
	w.past_self = w.past_libc = w.blind = false;
	w.eager = !lazy;
	w.left = N_WALK;
	w.ssl = ssl;
	if (!lazy) {
		_Static_assert(LOOKING == 0, "zeroed states are LOOKING");
		memset(w.state, 0, sizeof w.state);
		memset(w.found, 0, sizeof w.found);
	}
	if (ssl)
		ht_inline_ssl_scan_begin(ssl, w.vdso);
	if (lazy)
		scope.n = 0;
	dl_iterate_phdr(walk_object, &w);
	if (ssl)
		ssl->done = true;
	if (!w.past_self)
		w.blind = true;
	if (lazy && !w.blind && w.past_libc) {
		__atomic_store_n(&scope_ready, 1, __ATOMIC_RELEASE);
		return;
	}
	if (lazy) {
		/* No lazy scope: the eager walk, as before. */
		resolve_eager();
		return;
	}
	/* What was found first: asking the loader takes dlsym, one of them.
	 * Never a NULL over a slot: another thread's walk may have filled
	 * it, and a hook that tested it reads it again to call it (a review
	 * saw connect() call NULL when the walk stored its not-yet-found
	 * names first). */
	for (unsigned i = 0; i < N_WALK; i++)
		if (w.found[i])
			__atomic_store_n(walk_slot(i), w.found[i],
					 __ATOMIC_RELAXED);
	/* (after: next_symbol() calls the dlsym found above) */
	for (unsigned i = 0; i < N_WALK; i++) {
		if (w.state[i] != ASK_LOADER &&
		    !(w.blind && w.state[i] == LOOKING))
			continue;
		void *p = next_symbol(walk_names[i]);
		if (p)
			__atomic_store_n(walk_slot(i), p, __ATOMIC_RELAXED);
	}
	__atomic_store_n(&resolved, 1, __ATOMIC_RELEASE);
}

/* The eager walk, unless it ran or this thread is in it already: dlsym()
 * calling back into a hook that calls this (an interposed malloc's
 * fcntl, say) finds the flag set and gets no answer here, instead of
 * recursing. */
static void resolve_eager(void)
{
	static HT_TLS bool resolving;
	if (__atomic_load_n(&resolved, __ATOMIC_ACQUIRE) || resolving)
		return;
	resolving = true;
	resolve_all(NULL, false); /* the same values, stored again */
	resolving = false;
}

void ht_resolve_real(void)
{
	if (!__atomic_load_n(&scope_ready, __ATOMIC_ACQUIRE))
		resolve_eager();
}

/* Look the walk's name @i up in the lazy scope (the loader is asked for
 * a REAL one the scope does not settle). */
static void *look_up_scope(unsigned i)
{
	void *p = NULL;
	bool ask_loader = true; /* unless an object of the scope settles it */
	for (unsigned k = 0; k < scope.n; k++) {
		uintptr_t a = 0;
		enum elfsym_found f = elfsym_find_key(&scope.obj[k],
						      walk_names[i],
						      walk_keys[i].len,
						      walk_keys[i].hash, &a);
		if (f == ELFSYM_NONE)
			continue;
		if (f == ELFSYM_FUNC)
			p = (void *)a;
		ask_loader = f == ELFSYM_IFUNC;
		break;
	}
	/* Not the internal ones: dlsym is one (it would ask itself). */
	if (ask_loader && i < N_REAL)
		p = next_symbol(walk_names[i]);
	return p;
}

void *ht_real_resolve(unsigned i)
{
	void **slot = walk_slot(i);
	void *p = __atomic_load_n(slot, __ATOMIC_RELAXED);
	if (p)
		return p;
	int saved = errno;
	if (!__atomic_load_n(&scope_ready, __ATOMIC_ACQUIRE)) {
		/* Before the walk at start (a hook run from an earlier
		 * constructor, or while another thread initialises). */
		resolve_eager();
		p = __atomic_load_n(slot, __ATOMIC_RELAXED);
	} else if (__atomic_load_n(&scope.state[i], __ATOMIC_RELAXED) !=
		   SETTLED) {
		p = look_up_scope(i);
		/* Racing threads store the same value. */
		if (p)
			__atomic_store_n(slot, p, __ATOMIC_RELAXED);
		else
			__atomic_store_n(&scope.state[i], SETTLED,
					 __ATOMIC_RELAXED);
	}
	errno = saved;
	return p;
}

/* This object's handle for pthread_atfork() (and anything else that
 * registers per object), normally from crtbeginS.o, which the library is
 * linked without (Makefile: -nostartfiles). */
HT_HIDDEN void *__dso_handle = &__dso_handle;

static void on_fork_child(void)
{
	/* Single-threaded here: only this thread exists in the child.  Every
	 * lock is released whether tracing is still on or not: a tracked fd
	 * keeps its slot (and its lock) after tracing turned off, and a
	 * thread of the parent may have held any of them at fork. */
	int saved = errno;
	/* (stores only where they change something: HT_RESET) */
	HT_RESET(ht_busy, 0);
	ht_pid = (uint32_t)syscall(SYS_getpid);
	ht_table_after_fork();
	ht_emit_after_fork();
	ht_tls_after_fork();
	ht_dns_after_fork();
	ht_deepbind_after_fork();
	HT_RESET(ht_this_thread.open, 0);
	HT_RESET(ht_this_thread.loop, false); /* until it waits in epoll again */
	errno = saved;
}

/* After fork, in the parent (after a failed fork too: glibc does not tell
 * the handler, and a connection given up then is only counted as not
 * followed): a connection with requests in flight is the child's too. */
static void on_fork_parent(void)
{
	if (ht_enabled && ht_enter()) {
		int saved = errno;
		ht_table_fork_parent();
		ht_leave();
		errno = saved;
	}
}

/* Before fork: records waiting in the pending message go out now, from
 * the parent, so the child's copy of them is never sent twice. */
static void on_fork_prepare(void)
{
	if (ht_enabled && __atomic_load_n(&ht_pending, __ATOMIC_RELAXED) &&
	    ht_enter()) {
		int saved = errno;
		ht_emit_send_pending();
		ht_leave();
		errno = saved;
	}
}

/* Set by the first thread to enter ht_init(): only that one runs
 * init_once(), so no pthread_once() is needed (whose completion wakes
 * waiters with a futex call, paid by every process at start). */
HT_STARTUP_DATA static volatile int init_running;

/* @ssl: the inline hooks' scan to fill in the walk when tracing is on (or
 * NULL). */
static void init_once(ht_ssl_scan *ssl)
{
	int saved = errno;
	/* The name in the start-up data, not in .rodata: a process that
	 * never traces reads nothing else of it (a page fault fewer). */
	HT_STARTUP_DATA static char socket_var[] = "HTTPTRACE_SOCKET";
	const char *path = getenv(socket_var);
	bool on = path && *path;
	resolve_all(on ? ssl : NULL, true);
	if (on) {
		/* The pid is read here, in the process that owns this memory,
		 * and not at first use: a vfork child (which shares it and
		 * which no fork handler tells about) could be the first user,
		 * and would store its own pid for the parent
		 * (ht_foreign_process()).  Off, nothing reads it: every hook
		 * passes through, and ht_foreign_process() is true. */
		ht_pid = (uint32_t)syscall(SYS_getpid);
		/* (names next to the start-up code: HT_STARTUP_RODATA) */
		HT_STARTUP_RODATA static const char no_redact_var[] =
			"HTTPTRACE_NO_REDACT";
		HT_STARTUP_RODATA static const char redact_var[] =
			"HTTPTRACE_REDACT";
		HT_STARTUP_RODATA static const char query_var[] =
			"HTTPTRACE_REDACT_QUERY";
		const char *nr = getenv(no_redact_var);
		const char *more = getenv(redact_var);
		const char *query = getenv(query_var);
		for (size_t i = 0; i < HT_URL_DEFAULT_QUERY_NAMES; i++)
			redact_query_list[i] = ht_url_default_query_names[i];
		redact_query_list[HT_URL_DEFAULT_QUERY_NAMES] = NULL;
		if (nr && *nr == '1') {
			ht_h1_opts.redact = NULL;
			ht_h1_opts.redact_query = NULL;
		} else {
			if (more)
				add_names(redact_list, REDACT_DEFAULTS,
					  REDACT_MAX, redact_names,
					  sizeof redact_names, more, true);
			/* The defaults' mask by the compiler: no read of
			 * their bytes nor of core's code (urlscrub.h). */
			ht_h1_opts.redact_query_mask =
				HT_URL_DEFAULT_QUERY_MASK;
			if (query) {
				add_names(redact_query_list,
					  HT_URL_DEFAULT_QUERY_NAMES,
					  REDACT_QUERY_MAX, redact_query_names,
					  sizeof redact_query_names, query,
					  false);
				ht_h1_opts.redact_query_mask |=
					ht_url_names_mask(redact_query_list +
						HT_URL_DEFAULT_QUERY_NAMES);
			}
		}
		/* Nothing is connected here: the first tracked connection
		 * connects (ht_emit_want()). */
		/* pthread_atfork() as libc_nonshared.a defines it: without
		 * the fork handlers the state would be wrong in a child, so
		 * tracing stays off when they cannot be registered. */
		register_atfork_fn *atfork = INTERNAL(__register_atfork);
		if (ht_emit_init(path) == 0 && atfork &&
		    atfork(on_fork_prepare, on_fork_parent, on_fork_child,
			   &__dso_handle) == 0)
			ht_enabled = 1;
	}
	errno = saved;
}

/* ht_init(), filling @ssl (when not NULL) in its walk over the loaded
 * objects; whether this call ran init_once(). */
static bool init_here(ht_ssl_scan *ssl)
{
	if (ht_inited)
		return false;
	if (__atomic_exchange_n(&init_running, 1, __ATOMIC_ACQ_REL)) {
		/* Another thread is initialising (or this thread re-entered
		 * through dlsym): make sure the real symbols at least exist so
		 * the caller can pass through, without waiting. */
		ht_resolve_real();
		return false;
	}
	init_once(ssl);
	__atomic_store_n(&ht_inited, 1, __ATOMIC_RELEASE);
	return true;
}

void ht_init(void)
{
	init_here(NULL);
}

__attribute__((constructor)) static void ht_constructor(void)
{
	/* When the constructor is the first to initialise (no hook ran
	 * before it), the walk that finds the real functions also scans the
	 * objects for the inline hooks: they were all loaded before any
	 * constructor ran, and nothing runs between that walk and the use of
	 * its scan below.  Otherwise (a hook initialised from an earlier
	 * constructor, which may also have loaded objects since) the inline
	 * hooks make their own walk. */
	ht_ssl_scan seen;
	seen.done = false;
	bool fresh = init_here(&seen);
	/* An OpenSSL linked into the program is hooked inline now, before the
	 * program's constructors and main() start any thread (inline_ssl.c). */
	if (ht_enabled && ht_enter()) {
		ht_inline_ssl_init(fresh ? &seen : NULL);
		ht_leave();
	}
}

/* ---- the internal functions (HT_INTERNALS) --------------------------------- */

/*
 * The loader's functions the dlopen hook calls (deepbind.c), through the
 * pointers the walk found.  That hook may run before the constructor
 * (another library's constructor may call dlopen): each makes sure the
 * walk ran.  A function not found (a libc without it, which the library
 * could not have been loaded with) fails as the real one fails, with
 * nothing to report: no NULL pointer is ever called.
 */
HT_HIDDEN int dladdr(const void *addr, Dl_info *info)
{
	HT_ENSURE_INIT();
	__typeof__(internal.dladdr) real = INTERNAL(dladdr);
	return real ? real(addr, info) : 0;
}

HT_HIDDEN int dladdr1(const void *addr, Dl_info *info, void **extra, int flags)
{
	HT_ENSURE_INIT();
	__typeof__(internal.dladdr1) real = INTERNAL(dladdr1);
	return real ? real(addr, info, extra, flags) : 0;
}

HT_HIDDEN int dlinfo(void *handle, int request, void *arg)
{
	HT_ENSURE_INIT();
	__typeof__(internal.dlinfo) real = INTERNAL(dlinfo);
	return real ? real(handle, request, arg) : -1;
}

HT_HIDDEN char *dlerror(void)
{
	HT_ENSURE_INIT();
	__typeof__(internal.dlerror) real = INTERNAL(dlerror);
	return real ? real() : NULL;
}

/* The loader's dlsym() and dlclose(), for the TLS hooks (tls.c,
 * inline_ssl.c) and the dlopen hook.  No initialisation here: the walk at
 * start asks dlsym for what it cannot find itself (INTERNAL() then makes
 * no walk of its own).  RTLD_NEXT still means after this library: the
 * caller the loader sees is this function, in this library. */
HT_HIDDEN void *dlsym(void *restrict handle, const char *restrict name)
{
	__typeof__(internal.dlsym) real = INTERNAL(dlsym);
	return real ? real(handle, name) : NULL;
}

HT_HIDDEN int dlclose(void *handle)
{
	__typeof__(internal.dlclose) real = INTERNAL(dlclose);
	return real ? real(handle) : -1;
}

/* h_errno (netdb.h) for the DNS hooks: libc's, or, if there were none, a
 * variable of this library's. */
HT_HIDDEN int *__h_errno_location(void)
{
	static HT_TLS int none;
	__typeof__(internal.__h_errno_location) real =
		INTERNAL(__h_errno_location);
	return real ? real() : &none;
}

HT_HIDDEN char *strerror(int err)
{
	static char unknown[] = "unknown error";
	__typeof__(internal.strerror) real = INTERNAL(strerror);
	return real ? real(err) : unknown;
}

/* snprintf() as libc's (through its vsnprintf): the inline hooks'
 * reports, an exec's note (hook_exec.c), x86dec.c's reasons. */
HT_HIDDEN int snprintf(char *restrict buf, size_t cap,
		       const char *restrict fmt, ...)
{
	__typeof__(internal.vsnprintf) real = INTERNAL(vsnprintf);
	if (!real) {
		if (cap)
			buf[0] = '\0';
		return 0;
	}
	va_list ap;
	va_start(ap, fmt);
	int n = real(buf, cap, fmt, ap);
	va_end(ap);
	return n;
}
