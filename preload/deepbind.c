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
 * Locking: see "Locking" below; no lock of ours is held across a loader
 * call (a constructor run by dlopen() holds the loader's lock and may
 * itself dlopen() RTLD_DEEPBIND).
 *
 * Not handled: dlmopen() (another namespace has its own libc, which no
 * hook of ours reaches anyway); a lazily bound slot written by the
 * loader's resolver in another thread while we rebind.
 */
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <unistd.h>

#include "elfgot.h"
#include "tls.h"

/* Every function the library interposes (the one list, symbols.h). */
static const char *const all_names[] = { HT_SYMBOLS(HT_SYMBOL_NAME_STR) };
#define NNAMES (sizeof all_names / sizeof all_names[0])

/*
 * Locking.  The loader's calls (dlsym, dladdr, dlinfo, dlopen, and
 * ht_tls_sym() which makes them) take the loader's lock, which a thread
 * running constructors inside dlopen() holds, and such a constructor can
 * itself dlopen() RTLD_DEEPBIND: so no lock of ours is ever held across a
 * loader call.  What is looked up once is looked up without a lock and
 * published under slot_lock (each thread finds the same values); what one
 * rebinding looks up stays in its struct rebind.  Two threads may then
 * rebind the same object at once (the second walk reaches the objects the
 * other's dlopen() added): harmless, since a slot is only ever written
 * from the real function to the hook, except that one thread's "RELRO
 * page read-only again" must not come between another's mprotect() and
 * store: slot_lock covers that sequence, and nothing else.
 */

/* Per name (in sorted order, once prepared): our hook, and the real
 * function (libc's: once; a TLS library's: once it is loaded, atomic). */
static const char *names[NNAMES];
static void *hook[NNAMES], *real[NNAMES];
static uintptr_t self_base;
static size_t pagesize;
static bool prepared; /* atomic: the above are set */
static ht_lock slot_lock;

void ht_deepbind_after_fork(void)
{
	HT_RESET(slot_lock.v, 0);
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

/* Once: sort the names, find our hooks and libc's functions.  The lookups
 * are made with no lock held (see Locking) into this thread's own arrays;
 * the first thread to finish publishes them. */
static void prepare(void)
{
	const char *n[NNAMES];
	void *h[NNAMES], *r[NNAMES];
	Dl_info self;
	uintptr_t base = 0;

	if (__atomic_load_n(&prepared, __ATOMIC_ACQUIRE))
		return;
	memcpy(n, all_names, sizeof n);
	elfgot_sort_names(n, NNAMES);
	/* Our own definitions, also where the program defines one too. */
	void *lib = NULL;
	if (dladdr((void *)prepare, &self) && self.dli_fname) {
		base = (uintptr_t)self.dli_fbase;
		lib = dlopen(self.dli_fname, RTLD_LAZY | RTLD_NOLOAD);
	}
	for (size_t i = 0; i < NNAMES; i++) {
		h[i] = lib ? dlsym(lib, n[i]) : NULL;
		r[i] = NULL;
		if (!tls_library(n[i])) {
			void *p = dlsym(RTLD_NEXT, n[i]);
			r[i] = p != h[i] ? p : NULL;
		}
	}
	long ps = (long)getauxval(AT_PAGESZ); /* sysconf(_SC_PAGESIZE) */
	ht_lock_acquire(&slot_lock);
	if (!prepared) {
		memcpy(names, n, sizeof names);
		memcpy(hook, h, sizeof hook);
		memcpy(real, r, sizeof real);
		self_base = base;
		pagesize = ps > 0 ? (size_t)ps : 4096;
		__atomic_store_n(&prepared, true, __ATOMIC_RELEASE);
	}
	ht_lock_release(&slot_lock);
}

/* What one rebinding walks. */
struct rebind {
	const struct link_map *cur; /* the last object of the load seen */
	bool started;
	const ElfW(Phdr) *ph; /* the object being rebound */
	size_t phnum;
	uintptr_t base;
	unsigned rebound;
	/* Per name: what the loaded object's own lookup finds. */
	void *deep[NNAMES];
};

/* Point @slot at @p, making a RELRO page writable for the moment. */
static void write_slot(struct rebind *r, void **slot, void *p)
{
	switch (elfgot_slot_access(r->ph, r->phnum, r->base, (uintptr_t)slot,
				   pagesize)) {
	case ELFGOT_WRITABLE:
		__atomic_store_n(slot, p, __ATOMIC_RELEASE);
		break;
	case ELFGOT_RELRO: {
		void *page = (void *)((uintptr_t)slot & ~(uintptr_t)(pagesize - 1));
		int err;
		/* No loader call in here (see Locking). */
		ht_lock_acquire(&slot_lock);
		err = mprotect(page, pagesize, PROT_READ | PROT_WRITE);
		if (err == 0) {
			__atomic_store_n(slot, p, __ATOMIC_RELEASE);
			mprotect(page, pagesize, PROT_READ);
		}
		ht_lock_release(&slot_lock);
		if (err != 0)
			return;
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
	void *real_fn = __atomic_load_n(&real[idx], __ATOMIC_RELAXED);
	if (!hook[idx] || !real_fn || v == hook[idx])
		return;
	if (v == real_fn ||
	    (plt && r->deep[idx] == real_fn &&
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
	if (info->dlpi_addr == self_base)
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

/* Rebind what the successful dlopen() that returned @handle loaded.  All
 * loader calls come before the walk, none with a lock held (see Locking);
 * the walk itself (dl_iterate_phdr's callback) makes none. */
static void rebind_loaded(void *handle)
{
	struct link_map *root = NULL;
	if (dlinfo(handle, RTLD_DI_LINKMAP, &root) != 0 || !root)
		return;
	prepare();
	struct rebind r = {.cur = root};
	for (size_t i = 0; i < NNAMES; i++) {
		const char *lib = tls_library(names[i]);
		void *p = __atomic_load_n(&real[i], __ATOMIC_RELAXED);
		if (lib && !p && hook[i]) {
			/* Every thread finds the same function. */
			p = ht_tls_sym(lib, names[i], hook[i]);
			if (p)
				__atomic_store_n(&real[i], p, __ATOMIC_RELAXED);
		}
		r.deep[i] = p ? dlsym(handle, names[i]) : NULL;
	}
	dl_iterate_phdr(visit, &r);
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

/* The real dlopen(), or NULL with a reason left for dlerror(), as a
 * failing dlopen() leaves one: the failed lookup's own ("...: undefined
 * symbol: dlopen"), or, if the lookup found our own definition (no real
 * one after us), that of a lookup of a name no object defines, which
 * says why.  Not cached while not found: a later call looks again. */
static dlopen_fn *real_dlopen(void)
{
	static dlopen_fn *fn;
	dlopen_fn *p = __atomic_load_n(&fn, __ATOMIC_ACQUIRE);
	if (likely(p != NULL))
		return p;
	p = (dlopen_fn *)dlsym(RTLD_NEXT, "dlopen");
	if (p == (dlopen_fn *)dlopen) {
		dlsym(RTLD_NEXT, "dlopen (httptrace: no real dlopen after the preloaded library)");
		return NULL;
	}
	if (p)
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
