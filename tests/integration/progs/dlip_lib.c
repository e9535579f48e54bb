/*
 * dlip_lib.c - a preloaded library that defines dl_iterate_phdr, as
 * libtsan does, forwarding to the next definition: libhttptrace must not
 * take the object holding the dl_iterate_phdr it binds to for libc.
 * Built with -shared -fPIC -ldl.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>

typedef int walk_fn(int (*)(struct dl_phdr_info *, size_t, void *), void *);

int dl_iterate_phdr(int (*cb)(struct dl_phdr_info *, size_t, void *),
		    void *data)
{
	walk_fn *next = (walk_fn *)dlsym(RTLD_NEXT, "dl_iterate_phdr");
	return next ? next(cb, data) : 0;
}
