/*
 * hpack.c - the HPACK decoder of libnghttp2 behind hpack_ops (see hpack.h).
 *
 * libnghttp2 is not a link-time dependency of libhttptrace.so: it is
 * dlopen'ed RTLD_LOCAL on first use (so its symbols never interpose on the
 * program's, nor the program's copy on ours) and its inflater functions
 * are looked up in that handle.  The few declarations needed are repeated
 * here rather than taken from <nghttp2/nghttp2.h>, so the library also
 * builds where the -dev package is missing; they are part of the stable ABI
 * of soname 14.
 */
#include "hpack.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <sys/types.h>

#define NGHTTP2_SONAME "libnghttp2.so.14"

/* nghttp2_nv, as in nghttp2.h. */
typedef struct ng_nv {
	uint8_t *name;
	uint8_t *value;
	size_t namelen;
	size_t valuelen;
	uint8_t flags;
} ng_nv;

/* nghttp2_hd_inflate_flag. */
#define NG_HD_INFLATE_FINAL 0x01
#define NG_HD_INFLATE_EMIT 0x02

/* The inflater API, resolved once. */
static struct {
	int (*inflate_new)(void **inflater_ptr);
	void (*inflate_del)(void *inflater);
	int (*change_table_size)(void *inflater, size_t size);
	ssize_t (*inflate_hd2)(void *inflater, ng_nv *nv_out,
			       int *inflate_flags, const uint8_t *in,
			       size_t inlen, int in_final);
	int (*end_headers)(void *inflater);
} ng;

static void *ng_handle;   /* kept for the life of the process */
static bool ng_ok;        /* every function above was found */
static pthread_once_t ng_once = PTHREAD_ONCE_INIT;

static void *ng_create(void)
{
	void *dec = NULL;

	if (ng.inflate_new(&dec) != 0)
		return NULL;
	return dec;
}

static void ng_destroy(void *dec)
{
	ng.inflate_del(dec);
}

static int ng_set_max_table(void *dec, size_t size)
{
	return ng.change_table_size(dec, size) == 0 ? 0 : -1;
}

/* Inflate the whole block (in_final set), one field per call, as
 * nghttp2.h's example does; end_headers() readies the next block. */
static int ng_decode(void *dec, const uint8_t *block, size_t len,
		     hpack_field_fn fn, void *ctx)
{
	for (;;) {
		ng_nv nv;
		int flags = 0;
		ssize_t rv = ng.inflate_hd2(dec, &nv, &flags, block, len, 1);

		if (rv < 0 || (size_t)rv > len)
			return -1;
		block += rv;
		len -= (size_t)rv;
		if (flags & NG_HD_INFLATE_EMIT)
			fn(ctx, nv.name, nv.namelen, nv.value, nv.valuelen);
		if (flags & NG_HD_INFLATE_FINAL) {
			ng.end_headers(dec);
			return 0;
		}
		/* With in_final, all input consumed means FINAL: this
		 * cannot happen, but must not loop. */
		if (!(flags & NG_HD_INFLATE_EMIT) && len == 0)
			return -1;
	}
}

static const hpack_ops ng_ops = {
	.create = ng_create,
	.destroy = ng_destroy,
	.set_max_table = ng_set_max_table,
	.decode = ng_decode,
};

/* dlsym() @name into the function pointer at @fnptr (POSIX makes data and
 * function pointers the same size). */
static bool resolve(void *fnptr, const char *name)
{
	void *p = dlsym(ng_handle, name);

	if (p == NULL)
		return false;
	memcpy(fnptr, &p, sizeof(p));
	return true;
}

static void ng_load(void)
{
	ng_handle = dlopen(NGHTTP2_SONAME, RTLD_LAZY | RTLD_LOCAL);
	if (ng_handle == NULL)
		return;
	ng_ok = resolve(&ng.inflate_new, "nghttp2_hd_inflate_new") &&
		resolve(&ng.inflate_del, "nghttp2_hd_inflate_del") &&
		resolve(&ng.change_table_size,
			"nghttp2_hd_inflate_change_table_size") &&
		resolve(&ng.inflate_hd2, "nghttp2_hd_inflate_hd2") &&
		resolve(&ng.end_headers, "nghttp2_hd_inflate_end_headers");
}

const hpack_ops *hpack_nghttp2(void)
{
	pthread_once(&ng_once, ng_load);
	return ng_ok ? &ng_ops : NULL;
}
