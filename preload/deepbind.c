/*
 * deepbind.c - objects loaded RTLD_DEEPBIND are traced too.
 *
 * An object loaded RTLD_DEEPBIND, and every object that dlopen() loads
 * with it, looks symbols up in its own dependencies before the global
 * scope: its references to connect, send, recv, SSL_write ... bind to libc
 * and libssl directly, past this preloaded library (PHP loads every
 * extension so: php -r 'curl_exec(...)' was never traced).  After such a
 * dlopen() succeeds, the GOT slots of the objects it loaded that hold a
 * real interposed function are pointed at our hook instead, as a normal
 * lookup would have bound them; PLT slots not yet resolved (RTLD_LAZY) are
 * bound to the hook when the object's own lookup would find the real
 * function.  The slots are found by elfgot.c.
 *
 * Transparency.  dlopen() finds the caller's object from its return
 * address: the caller's RUNPATH/RPATH for a bare file name, its $ORIGIN
 * for a name with '$'.  So every dlopen() that is not RTLD_DEEPBIND, or
 * whose name the caller's object would resolve differently from ours,
 * leaves by a tail call (the loader sees the program's return address) and
 * is not rebound.  A rebound dlopen() returns the real call's handle and
 * errno, and leaves dlerror() with nothing to report, as a successful
 * dlopen() does.  Nothing happens while tracing is off.
 *
 * Not handled: dlmopen() (another namespace has its own libc, which no
 * hook of ours reaches anyway); a lazily bound slot written by the
 * loader's resolver in another thread while we rebind.
 */
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "elfgot.h"
#include "tls.h"

/* Every function the library interposes (preload/exports.map). */
static const char *names[] = {
	"getaddrinfo", "gethostbyname", "gethostbyname_r", "gethostbyname2_r",
	"connect", "getsockopt", "close", "shutdown", "dup2", "dup3",
	"close_range", "read", "write", "readv", "writev", "send", "recv",
	"sendto", "recvfrom", "sendmsg", "recvmsg", "__read_chk", "__recv_chk",
	"__recvfrom_chk", "epoll_wait", "epoll_pwait", "poll", "ppoll",
	"select", "pselect", "execve", "dlopen",
	"SSL_connect", "SSL_do_handshake", "SSL_read", "SSL_read_ex",
	"SSL_peek", "SSL_peek_ex", "SSL_write", "SSL_write_ex", "SSL_shutdown",
	"SSL_free", "SSL_set_fd", "SSL_set_rfd", "SSL_set_wfd",
	"gnutls_handshake", "gnutls_record_send", "gnutls_record_recv",
	"gnutls_bye", "gnutls_deinit", "gnutls_transport_set_int2",
	"gnutls_transport_set_ptr", "gnutls_transport_set_ptr2",
};
#define NNAMES (sizeof names / sizeof names[0])

/* Per name (in sorted order): our hook, the real function (libc's: once;
 * a TLS library's: once it is loaded), and what the loaded object's own
 * lookup finds (for each rebinding). */
static void *hook[NNAMES], *real[NNAMES], *deep[NNAMES];
static bool prepared;
static ht_lock rebind_lock;

void ht_deepbind_after_fork(void)
{
	rebind_lock.v = 0;
}

/* The TLS library that defines @name, or NULL for libc. */
static const char *tls_library(const char *name)
{
	if (strncmp(name, "SSL_", 4) == 0)
		return "libssl.so";
	if (strncmp(name, "gnutls_", 7) == 0)
		return "libgnutls.so";
	return NULL;
}

/* Once: sort the names, find our hooks and libc's functions. */
static void prepare(void)
{
	Dl_info self;
	elfgot_sort_names(names, NNAMES);
	/* Our own definitions, also where the program defines one too. */
	void *h = NULL;
	if (dladdr((void *)prepare, &self) && self.dli_fname)
		h = dlopen(self.dli_fname, RTLD_LAZY | RTLD_NOLOAD);
	for (size_t i = 0; i < NNAMES; i++) {
		hook[i] = h ? dlsym(h, names[i]) : NULL;
		if (!tls_library(names[i])) {
			void *p = dlsym(RTLD_NEXT, names[i]);
			real[i] = p != hook[i] ? p : NULL;
		}
	}
	prepared = true;
}

/* What one rebinding walks. */
struct rebind {
	const struct link_map *cur; /* the last object of the load seen */
	bool started;
	uintptr_t self_base;
	size_t pagesize;
	const ElfW(Phdr) *ph; /* the object being rebound */
	size_t phnum;
	uintptr_t base;
	unsigned rebound;
};

/* Point @slot at @p, making a RELRO page writable for the moment. */
static void write_slot(struct rebind *r, void **slot, void *p)
{
	switch (elfgot_slot_access(r->ph, r->phnum, r->base, (uintptr_t)slot,
				   r->pagesize)) {
	case ELFGOT_WRITABLE:
		__atomic_store_n(slot, p, __ATOMIC_RELEASE);
		break;
	case ELFGOT_RELRO: {
		void *page = (void *)((uintptr_t)slot & ~(uintptr_t)(r->pagesize - 1));
		if (mprotect(page, r->pagesize, PROT_READ | PROT_WRITE) != 0)
			return;
		__atomic_store_n(slot, p, __ATOMIC_RELEASE);
		mprotect(page, r->pagesize, PROT_READ);
		break;
	}
	case ELFGOT_NO_WRITE:
		return;
	}
	r->rebound++;
}

static void on_slot(void *arg, size_t idx, void **slot, bool plt)
{
	struct rebind *r = arg;
	void *v = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
	if (!hook[idx] || !real[idx] || v == hook[idx])
		return;
	if (v == real[idx] ||
	    (plt && deep[idx] == real[idx] &&
	     elfgot_inside(r->ph, r->phnum, r->base, (uintptr_t)v)))
		write_slot(r, slot, hook[idx]);
}

/* Whether @info is the object @l. */
static bool same_object(const struct dl_phdr_info *info, const struct link_map *l)
{
	if (!l || info->dlpi_addr != l->l_addr)
		return false;
	for (size_t i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_DYNAMIC)
			return (void *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr) ==
			       (void *)l->l_ld;
	return false;
}

/* dl_iterate_phdr() callback: the objects from the loaded one to the end
 * of its namespace's list, in order: what this dlopen() added. */
static int visit(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct rebind *r = arg;
	(void)size;
	if (!r->started) {
		if (!same_object(info, r->cur))
			return 0;
		r->started = true;
	} else if (same_object(info, r->cur->l_next)) {
		r->cur = r->cur->l_next;
	} else {
		return 1;
	}
	if (info->dlpi_addr == r->self_base)
		return 0;
	const ElfW(Dyn) *dyn = NULL;
	for (size_t i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_DYNAMIC)
			dyn = (const ElfW(Dyn) *)(info->dlpi_addr +
						   info->dlpi_phdr[i].p_vaddr);
	elfgot_obj o;
	if (!dyn || elfgot_open(&o, info->dlpi_addr, dyn) != 0)
		return 0;
	r->ph = info->dlpi_phdr;
	r->phnum = info->dlpi_phnum;
	r->base = info->dlpi_addr;
	elfgot_for_each(&o, names, NNAMES, on_slot, r);
	return 0;
}

/* Rebind what the successful dlopen() that returned @handle loaded. */
static void rebind_loaded(void *handle)
{
	struct link_map *root = NULL;
	if (dlinfo(handle, RTLD_DI_LINKMAP, &root) != 0 || !root)
		return;
	ht_lock_acquire(&rebind_lock);
	if (!prepared)
		prepare();
	for (size_t i = 0; i < NNAMES; i++) {
		const char *lib = tls_library(names[i]);
		if (lib && !real[i] && hook[i])
			real[i] = ht_tls_sym(lib, names[i], hook[i]);
		deep[i] = real[i] ? dlsym(handle, names[i]) : NULL;
	}
	Dl_info self;
	struct rebind r = {
		.cur = root,
		.pagesize = (size_t)sysconf(_SC_PAGESIZE),
	};
	if (dladdr((void *)rebind_loaded, &self))
		r.self_base = (uintptr_t)self.dli_fbase;
	dl_iterate_phdr(visit, &r);
	ht_lock_release(&rebind_lock);
}

/* Whether the loader, called from here rather than from @caller, opens
 * the same file for @file: no '$' to expand with the caller's origin, and
 * a path, or a bare name and a caller whose own search path (DT_RUNPATH,
 * or DT_RPATH outside the main program, whose RPATH is searched for every
 * caller) does not come into it. */
static bool same_file_from_here(const char *file, const void *caller)
{
	if (!file)
		return true;
	if (strchr(file, '$'))
		return false;
	if (strchr(file, '/'))
		return true;
	Dl_info info;
	struct link_map *l = NULL;
	if (!dladdr1(caller, &info, (void **)&l, RTLD_DL_LINKMAP) || !l || !l->l_ld)
		return false;
	bool runpath;
	if (!elfgot_search_path(l->l_ld, &runpath))
		return true;
	return !runpath && l->l_name && l->l_name[0] == '\0';
}

typedef void *dlopen_fn(const char *, int);

static dlopen_fn *real_dlopen(void)
{
	static dlopen_fn *fn;
	dlopen_fn *p = __atomic_load_n(&fn, __ATOMIC_ACQUIRE);
	if (likely(p != NULL))
		return p;
	p = (dlopen_fn *)dlsym(RTLD_NEXT, "dlopen");
	if (p == (dlopen_fn *)dlopen)
		p = NULL;
	__atomic_store_n(&fn, p, __ATOMIC_RELEASE);
	return p;
}

/* Whether this dlopen() is rebound: RTLD_DEEPBIND, tracing on, and the
 * same file whoever calls the loader. */
static bool rebinds(const char *file, int mode, const void *caller)
{
	if (likely(!(mode & RTLD_DEEPBIND)))
		return false;
	HT_ENSURE_INIT();
	return ht_enabled && same_file_from_here(file, caller);
}

HT_EXPORT void *dlopen(const char *file, int mode)
{
	dlopen_fn *fn = real_dlopen();
	if (unlikely(!fn))
		return NULL;
	if (!rebinds(file, mode, __builtin_return_address(0)))
		return fn(file, mode); /* a tail call: the caller stays the program */
	void *h = fn(file, mode);
	if (h) {
		int saved = errno;
		rebind_loaded(h);
		/* Our lookups may have failed: a successful dlopen() leaves
		 * nothing for dlerror() to report. */
		dlerror();
		errno = saved;
	}
	return h;
}
