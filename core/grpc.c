/*
 * grpc.c - gRPC calls over HTTP/2 (see grpc.h).
 */
#include "grpc.h"

#include <string.h>

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* The message being read is whole. */
static void message_done(grpc_framer *f)
{
	f->msgs++;
	f->bytes += f->cur;
	if (f->cur > f->largest)
		f->largest = f->cur;
	if (f->prefix[0] & 1)
		f->compressed = true;
	f->prefix_len = 0;
}

uint32_t grpc_framer_feed(grpc_framer *f, const uint8_t *buf, size_t len)
{
	uint32_t done = 0;
	size_t i = 0;

	while (i < len) {
		if (f->prefix_len < GRPC_PREFIX_LEN) {
			f->prefix[f->prefix_len++] = buf[i++];
			if (f->prefix_len < GRPC_PREFIX_LEN)
				continue;
			f->cur = f->left = be32(f->prefix + 1);
			if (f->left == 0) {
				message_done(f);
				done++;
			}
			continue;
		}
		size_t n = len - i < f->left ? len - i : f->left;
		f->left -= (uint32_t)n;
		i += n;
		if (f->left == 0) {
			message_done(f);
			done++;
		}
	}
	return done;
}

bool grpc_framer_skip(grpc_framer *f, size_t len)
{
	if (len == 0)
		return true;
	/* a whole prefix read means a payload of f->left > 0 bytes to come */
	if (f->prefix_len < GRPC_PREFIX_LEN || len > f->left)
		return false;
	f->left -= (uint32_t)len;
	if (f->left == 0)
		message_done(f);
	return true;
}

bool grpc_content_type(const char *ct)
{
	static const char want[] = "application/grpc";
	size_t i;

	for (i = 0; i < sizeof(want) - 1; i++) {
		char c = ct[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != want[i])
			return false;
	}
	return ct[i] == '\0' || ct[i] == '+' || ct[i] == ';';
}

const char *grpc_status_name(uint32_t code)
{
	static const char *const names[] = {
		"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT",
		"DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
		"PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
		"FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
		"UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
		"UNAUTHENTICATED",
	};

	return code < sizeof(names) / sizeof(names[0]) ? names[code] : NULL;
}

bool grpc_parse_status(const uint8_t *v, size_t n, uint32_t *code)
{
	uint32_t c = 0;

	if (n == 0 || n > 9)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return false;
		c = c * 10 + (uint32_t)(v[i] - '0');
	}
	*code = c;
	return true;
}

static int hex(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t grpc_percent_decode(char *dst, size_t cap, const uint8_t *src,
			   size_t n)
{
	size_t i = 0, o = 0;

	while (i < n && o < cap) {
		uint8_t c = src[i++];

		if (c == '%' && n - i >= 2 && hex(src[i]) >= 0 &&
		    hex(src[i + 1]) >= 0) {
			c = (uint8_t)(hex(src[i]) << 4 | hex(src[i + 1]));
			i += 2;
		}
		dst[o++] = (char)(c < 0x20 || c == 0x7f ? '?' : c);
	}
	return o;
}

bool grpc_path_split(const char *p, size_t n, ht_str *service, ht_str *method)
{
	size_t last;

	if (n < 4 || p[0] != '/')
		return false;
	for (last = n - 1; p[last] != '/'; last--)
		;
	if (last == 0 || last + 1 == n || last - 1 > UINT16_MAX ||
	    n - last - 1 > UINT16_MAX)
		return false;
	service->p = p + 1;
	service->len = (uint16_t)(last - 1);
	method->p = p + last + 1;
	method->len = (uint16_t)(n - last - 1);
	return true;
}

void grpc_call_record(const grpc_call *g, ht_grpc *out)
{
	memset(out, 0, sizeof(*out));
	if (g->has_status) {
		out->flags |= HT_GF_STATUS;
		out->status = g->status;
	}
	if (g->sent.compressed)
		out->flags |= HT_GF_COMPRESSED_SENT;
	if (g->recv.compressed)
		out->flags |= HT_GF_COMPRESSED_RECV;
	out->msgs_sent = g->sent.msgs;
	out->msgs_recv = g->recv.msgs;
	out->bytes_sent = g->sent.bytes;
	out->bytes_recv = g->recv.bytes;
	out->max_sent = g->sent.largest;
	out->max_recv = g->recv.largest;
	out->t_first_sent = g->t_first_sent;
	out->t_first_recv = g->t_first_recv;
	out->message.p = g->message;
	out->message.len = g->message_len;
}
