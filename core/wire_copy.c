/*
 * wire_copy.c - a decoded request record kept past the message it was
 * decoded from (the joiner holds one for its other end): how many bytes
 * its strings take, and a copy of it whose strings live in one blob of
 * the caller's.  Apart from wire.c, the encoder and decoder, which never
 * copy a record.  Pure: the caller owns the memory.
 */
#include "wire.h"

#include <stddef.h>
#include <string.h>

/* The strings of a request record, in the order they are encoded. */
static const size_t request_strs[] = {
	offsetof(ht_rec_request, method),
	offsetof(ht_rec_request, target),
	offsetof(ht_rec_request, host),
	offsetof(ht_rec_request, dns_name),
	offsetof(ht_rec_request, reason),
	offsetof(ht_rec_request, content_type),
	offsetof(ht_rec_request, tls_version),
	offsetof(ht_rec_request, alpn),
	offsetof(ht_rec_request, req_headers),
	offsetof(ht_rec_request, resp_headers),
	offsetof(ht_rec_request, peer_path),
	offsetof(ht_rec_request, tunnel),
	offsetof(ht_rec_request, grpc.message),
};
#define N_REQUEST_STRS (sizeof(request_strs) / sizeof(request_strs[0]))

size_t ht_request_strings_len(const ht_rec_request *r)
{
	size_t n = 0;

	for (size_t i = 0; i < N_REQUEST_STRS; i++)
		n += ((const ht_str *)((const char *)r + request_strs[i]))->len;
	return n;
}

void ht_request_copy(ht_rec_request *dst, const ht_rec_request *src,
		     char *blob)
{
	*dst = *src;
	dst->join = NULL;
	for (size_t i = 0; i < N_REQUEST_STRS; i++) {
		ht_str *d = (ht_str *)((char *)dst + request_strs[i]);

		if (d->len == 0) {
			/* (decoding leaves an absent gRPC message NULL) */
			if (d->p != NULL)
				d->p = "";
			continue;
		}
		memcpy(blob, d->p, d->len);
		d->p = blob;
		blob += d->len;
	}
}
