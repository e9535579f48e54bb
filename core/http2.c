/*
 * http2.c - incremental HTTP/2 frame reader (see http2.h).
 *
 * A frame is read in four phases, each a counted run of bytes, so the result
 * does not depend on how the input was split:
 *
 *   header   9 bytes: length, type, flags, stream id
 *   prefix   the fields before the content: pad length (PADDED), the 5
 *            priority bytes (HEADERS with PRIORITY), the promised stream id
 *            (PUSH_PROMISE)
 *   content  what the frame carries: body bytes (DATA, counted), a header
 *            block fragment (HEADERS, PUSH_PROMISE, CONTINUATION: copied to
 *            the block buffer), SETTINGS entries, the RST_STREAM / GOAWAY
 *            fields; anything else is skipped
 *   padding  the pad length bytes at the end, skipped
 *
 * An empty phase is passed over at once; a frame's event is reported at its
 * last byte (the 9th header byte of an empty frame).  Header blocks are
 * collected whole (up to H2_BLOCK_MAX) and decoded at END_HEADERS, so the
 * HPACK decoder sees every block of every stream in order.  A longer block
 * is an error at once, or with count_undecoded one that cannot be decoded,
 * framed to its END_HEADERS.
 *
 * Choices where RFC 9113 leaves room, or where the reader has to decide
 * whether it is looking at HTTP/2 at all:
 *  - the first frame of each direction (after the client's preface) must be
 *    a SETTINGS frame (RFC 9113 section 3.4); anything else is an error.
 *    That is what tells an HTTP/1.x reply or random bytes from HTTP/2.
 *  - the frame errors RFC 9113 makes connection errors are errors here too:
 *    a length that does not fit the type (PRIORITY 5, RST_STREAM 4,
 *    SETTINGS a multiple of 6 and 0 for an ACK, PING 8, GOAWAY at least 8,
 *    WINDOW_UPDATE 4), stream 0 where a stream is needed and the reverse,
 *    padding longer than the payload, a CONTINUATION on another stream.
 *    A peer that sends them has its connection torn down anyway.
 *  - the length field has 24 bits, so a frame can never exceed 16 MiB; no
 *    SETTINGS_MAX_FRAME_SIZE is enforced (the reader does not see the
 *    other direction's settings).
 *  - unknown frame types, PRIORITY, PING and WINDOW_UPDATE give no event.
 *  - decoded fields (http2_fields.c): the first occurrence of each
 *    pseudo-header, of content-type and of a numeric content-length is
 *    kept; a "host" field fills authority when :authority is absent
 *    (HTTP/1.1-style clients, h2c upgrades).  Control bytes other than HTAB, which make a field
 *    malformed, are stored as '?' so that the strings and msg.hdrs lines
 *    stay printable; in the names of msg.hdrs lines blanks and ':' are '?'
 *    too, and a field with an empty name is left out, so that every line
 *    reads back as "name: value".
 */
#include "http2_internal.h"

#include <string.h>

/* The client connection preface (RFC 9113 section 3.4). */
static const char h2_preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
#define H2_PREFACE_LEN (sizeof(h2_preface) - 1)

#define H2_FRAME_HEADER_LEN 9
#define H2_FRAME_MAX ((1u << 24) - 1) /* the 24-bit length field */
#define H2_STREAM_MASK 0x7fffffffu    /* stream ids: the top bit is reserved */
#define H2_SETTINGS_HEADER_TABLE_SIZE 0x1
#define H2_TABLE_DEFAULT 4096u /* SETTINGS_HEADER_TABLE_SIZE's initial value */
#define H2_SETTINGS_ENTRY_LEN 6

enum h2_internal_state {
	S_PREFACE,      /* client: the connection preface, preface_seen bytes */
	S_FIRST_HEADER, /* header of the first frame, which must be SETTINGS */
	S_HEADER,       /* frame header, fh_len bytes read */
	S_PREFIX,       /* prefix_need bytes of prefix, prefix_len read */
	S_CONTENT,      /* remaining - pad_len content bytes to come */
	S_PADDING,      /* remaining padding bytes to come */
	S_ERROR,
};

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* The reader is dead: report it once. */
static void fail(h2_reader *r, h2_event *ev)
{
	r->state = S_ERROR;
	ev->type = H2_EV_ERROR;
}

/* Empty @m for the next block: its numbers and lengths zero, its strings
 * "" (the bytes after a string's NUL and after hdrs_len, grpc_message_len
 * are never read; clearing all of msg, over 6 KiB, cost more than the rest
 * of a block's fields). */
static void msg_reset(h2_message *m)
{
	m->method[0] = '\0';
	m->scheme[0] = '\0';
	m->authority[0] = '\0';
	m->path[0] = '\0';
	m->method_len = m->authority_len = m->path_len = 0;
	m->path_truncated = false;
	m->status = 0;
	m->content_type[0] = '\0';
	m->content_type_len = 0;
	m->has_content_length = false;
	m->content_length = 0;
	m->header_bytes = 0;
	m->hdrs[0] = '\0';
	m->hdrs_len = 0;
	m->hdrs_truncated = false;
	m->has_grpc_status = false;
	m->grpc_status = 0;
	m->grpc_message_len = 0;
	m->grpc_message[0] = '\0';
}

/* The event of the complete block. */
static void block_event(const h2_reader *r, h2_event *ev)
{
	ev->stream = r->block_stream;
	if (r->block_push) {
		ev->type = H2_EV_PUSH_PROMISE;
		ev->promised = r->block_promised;
	} else {
		ev->type = H2_EV_HEADERS;
		ev->end_stream = r->block_end_stream;
	}
}

/* The complete block cannot be decoded (or was too long to be kept): what
 * it left in msg means nothing, all zero (the same whether or not the memo
 * replayed it, a rare path); with count_undecoded the framing goes on. */
static void block_failed(h2_reader *r, h2_event *ev)
{
	memset(&r->msg, 0, sizeof(r->msg));
	block_event(r, ev);
	ev->undecoded = true;
	ev->oversize = r->block_overflow;
	fail(r, ev);
	if (r->count_undecoded) {
		/* the framing is intact: keep following it */
		r->undecodable = true;
		r->memo_ok = false;
		r->state = S_HEADER;
	}
}

/* The block is complete: decode it into msg (or find msg holds it already:
 * the memo) and report it. */
static void block_done(h2_reader *r, h2_event *ev)
{
	enum h2_memo_use use;
	uint64_t gen = 0;

	r->in_block = false;
	if (r->undecodable) {
		/* framed only; msg stays as the failed block left it, zero */
		ev->undecoded = true;
		block_event(r, ev);
		return;
	}
	if (r->block_overflow) {
		block_failed(r, ev); /* its bytes were not kept */
		return;
	}
	use = h2_memo_use(r);
	if (use != MEMO_AS_IS && (use != MEMO_NONE || h2_memo_can_keep(r)))
		gen = r->hp->generation(r->inflater);
	if (use == MEMO_REPEAT && r->hp->repeat(r->inflater) != 0)
		use = MEMO_REPLAY; /* nothing was done: decode it */
	if (use == MEMO_NONE)
		msg_reset(&r->msg);
	if ((use == MEMO_NONE || use == MEMO_REPLAY) &&
	    (r->hp == NULL || r->inflater == NULL ||
	     r->hp->decode(r->inflater, r->block, r->block_len,
			   use == MEMO_REPLAY ? NULL : on_field, skip_value,
			   r) != 0)) {
		block_failed(r, ev);
		return;
	}
	if (use != MEMO_NONE) {
		r->memo_hits++;
		r->memo_ok = true;
		if (use != MEMO_AS_IS)
			h2_memo_note(r, gen);
	} else if (h2_memo_can_keep(r)) {
		h2_memo_note(r, gen);
	}
	block_event(r, ev);
}

/* ---- SETTINGS_HEADER_TABLE_SIZE ------------------------------------------ */

/* Give the decoder the largest of the acknowledged size and the pending
 * ones, when that changed. */
static void table_limit_update(h2_reader *r)
{
	uint32_t want = r->table_acked;

	for (uint32_t i = 0; i < r->n_pending; i++) {
		int64_t size = r->pending[i].size;

		if (size > (int64_t)want)
			want = size > UINT32_MAX ? UINT32_MAX : (uint32_t)size;
	}
	if (want != r->table_limit)
		h2_set_table_size(r, want);
}

/* This direction carried a SETTINGS ACK: the oldest pending SETTINGS took
 * effect.  An ACK with none pending (the implicit ACK of an h2c upgrade's
 * HTTP2-Settings, or SETTINGS sent before we followed) changes nothing. */
static void settings_acked(h2_reader *r)
{
	struct h2_pending_settings *p = &r->pending[0];

	if (r->n_pending == 0)
		return;
	if (--p->frames > 0)
		return;
	if (p->size >= 0)
		r->table_acked = p->size > UINT32_MAX ? UINT32_MAX :
							 (uint32_t)p->size;
	r->n_pending--;
	memmove(r->pending, r->pending + 1, r->n_pending * sizeof(*p));
	table_limit_update(r);
}

/* ---- frame phases -------------------------------------------------------- */

static uint32_t content_left(const h2_reader *r)
{
	return r->remaining - r->pad_len;
}

/* The last byte of the frame was read: report it, expect the next. */
static void frame_end(h2_reader *r, h2_event *ev)
{
	r->state = S_HEADER;
	r->fh_len = 0;
	switch (r->type) {
	case H2_DATA:
		ev->type = H2_EV_DATA;
		ev->stream = r->stream;
		ev->length = r->data_len;
		ev->end_stream = (r->flags & H2_FLAG_END_STREAM) != 0;
		break;
	case H2_HEADERS:
	case H2_PUSH_PROMISE:
	case H2_CONTINUATION:
		if (r->flags & H2_FLAG_END_HEADERS)
			block_done(r, ev);
		break;
	case H2_RST_STREAM:
		ev->type = H2_EV_RST_STREAM;
		ev->stream = r->stream;
		ev->code = be32(r->scratch);
		break;
	case H2_GOAWAY:
		ev->type = H2_EV_GOAWAY;
		ev->last_stream = be32(r->scratch) & H2_STREAM_MASK;
		ev->code = be32(r->scratch + 4);
		break;
	case H2_SETTINGS:
		if (!(r->flags & H2_FLAG_ACK)) {
			ev->type = H2_EV_SETTINGS;
			ev->table_size = r->settings_table;
		} else {
			settings_acked(r);
		}
		break;
	default:
		break;
	}
}

/* The content is read: padding follows, or the frame ends. */
static void content_done(h2_reader *r, h2_event *ev)
{
	if (r->remaining > 0)
		r->state = S_PADDING;
	else
		frame_end(r, ev);
}

/* The prefix is read (or there is none): take the pad length, the promised
 * stream, and check that the fragment fits in the block. */
static void prefix_done(h2_reader *r, h2_event *ev)
{
	uint32_t fragment;

	r->remaining = r->frame_len - r->prefix_need;
	r->pad_len = 0;
	if ((r->flags & H2_FLAG_PADDED) &&
	    (r->type == H2_DATA || r->type == H2_HEADERS ||
	     r->type == H2_PUSH_PROMISE)) {
		r->pad_len = r->prefix[0];
		if (r->pad_len > r->remaining) {
			fail(r, ev);
			return;
		}
	}
	if (r->type == H2_PUSH_PROMISE)
		r->block_promised = be32(r->prefix + r->prefix_need - 4) &
				    H2_STREAM_MASK;
	if (r->type == H2_HEADERS || r->type == H2_PUSH_PROMISE ||
	    r->type == H2_CONTINUATION) {
		fragment = content_left(r);
		if (!r->block_overflow &&
		    fragment > H2_BLOCK_MAX - r->block_len) {
			r->block_overflow = true;
			/* With count_undecoded the block is framed to its end
			 * (its bytes skipped) and fails there as one that
			 * cannot be decoded: the stream it opens and the later
			 * ones are still counted. */
			if (!r->count_undecoded) {
				fail(r, ev);
				return;
			}
		}
	}
	if (content_left(r) > 0)
		r->state = S_CONTENT;
	else
		content_done(r, ev);
}

/* Is @len a valid payload length for a frame of the current type? */
static bool length_fits_type(const h2_reader *r, uint32_t len)
{
	switch (r->type) {
	case H2_PRIORITY:
		return len == 5;
	case H2_RST_STREAM:
	case H2_WINDOW_UPDATE:
		return len == 4;
	case H2_SETTINGS:
		if (r->flags & H2_FLAG_ACK)
			return len == 0;
		return len % H2_SETTINGS_ENTRY_LEN == 0;
	case H2_PING:
		return len == 8;
	case H2_GOAWAY:
		return len >= 8;
	default:
		return len <= H2_FRAME_MAX;
	}
}

/* Is the stream id right for the current type?  Stream frames need one,
 * connection frames (SETTINGS, PING, GOAWAY) need 0; WINDOW_UPDATE and
 * unknown types may have either. */
static bool stream_fits_type(const h2_reader *r)
{
	switch (r->type) {
	case H2_DATA:
	case H2_HEADERS:
	case H2_PRIORITY:
	case H2_RST_STREAM:
	case H2_PUSH_PROMISE:
	case H2_CONTINUATION:
		return r->stream != 0;
	case H2_SETTINGS:
	case H2_PING:
	case H2_GOAWAY:
		return r->stream == 0;
	default:
		return true;
	}
}

/* A frame header is complete: check the frame and set up its phases. */
static void frame_begin(h2_reader *r, h2_event *ev)
{
	const uint8_t *h = r->fh;
	bool first = r->state == S_FIRST_HEADER;

	r->frame_len = (uint32_t)h[0] << 16 | (uint32_t)h[1] << 8 | h[2];
	r->type = h[3];
	r->flags = h[4];
	r->stream = be32(h + 5) & H2_STREAM_MASK;
	r->prefix_need = 0;
	r->prefix_len = 0;
	r->data_len = 0;
	r->scratch_len = 0;
	r->settings_len = 0;
	r->settings_table = -1;

	if (first && (r->type != H2_SETTINGS || (r->flags & H2_FLAG_ACK))) {
		fail(r, ev);
		return;
	}
	/* A header block being assembled admits only its CONTINUATIONs. */
	if (r->in_block != (r->type == H2_CONTINUATION) ||
	    (r->in_block && r->stream != r->block_stream)) {
		fail(r, ev);
		return;
	}
	if (!length_fits_type(r, r->frame_len) || !stream_fits_type(r)) {
		fail(r, ev);
		return;
	}

	switch (r->type) {
	case H2_DATA:
		r->prefix_need = (r->flags & H2_FLAG_PADDED) ? 1 : 0;
		break;
	case H2_HEADERS:
		r->prefix_need = ((r->flags & H2_FLAG_PADDED) ? 1 : 0) +
				 ((r->flags & H2_FLAG_PRIORITY) ? 5 : 0);
		break;
	case H2_PUSH_PROMISE:
		r->prefix_need = ((r->flags & H2_FLAG_PADDED) ? 1 : 0) + 4;
		break;
	default:
		break;
	}
	if (r->prefix_need > r->frame_len) {
		fail(r, ev);
		return;
	}
	if (r->type == H2_HEADERS || r->type == H2_PUSH_PROMISE) {
		r->in_block = true;
		r->block_len = 0;
		r->block_overflow = false;
		r->block_stream = r->stream;
		r->block_end_stream = (r->flags & H2_FLAG_END_STREAM) != 0;
		r->block_push = r->type == H2_PUSH_PROMISE;
		r->block_promised = 0;
		r->block_plain = r->type == H2_HEADERS &&
				 (r->flags & (H2_FLAG_END_HEADERS |
					      H2_FLAG_PADDED |
					      H2_FLAG_PRIORITY)) ==
					 H2_FLAG_END_HEADERS;
		/* block is about to be written over, unless its bytes come
		 * again (the memo) */
		r->memo_same = r->memo_ok && r->block_plain;
		r->memo_ok = false;
	}
	if (r->prefix_need > 0)
		r->state = S_PREFIX;
	else
		prefix_done(r, ev);
}

/* @n content bytes of the current frame. */
static void content_bytes(h2_reader *r, const uint8_t *buf, size_t n)
{
	size_t i, k;

	switch (r->type) {
	case H2_DATA:
		r->data_len += (uint32_t)n;
		break;
	case H2_HEADERS:
	case H2_PUSH_PROMISE:
	case H2_CONTINUATION:
		/* prefix_done() checked that the fragment fits, or it did
		 * not and the block is only framed.  Bytes the remembered
		 * block has at this place are there already. */
		if (r->block_overflow) {
			r->memo_same = false;
			break;
		}
		if (!r->memo_same || n > r->memo_len - r->block_len ||
		    memcmp(r->block + r->block_len, buf, n) != 0) {
			r->memo_same = false;
			memcpy(r->block + r->block_len, buf, n);
		}
		r->block_len += (uint32_t)n;
		break;
	case H2_RST_STREAM:
	case H2_GOAWAY:
		/* The fixed fields; GOAWAY's debug data is skipped. */
		k = min_size(n, sizeof(r->scratch) - r->scratch_len);
		memcpy(r->scratch + r->scratch_len, buf, k);
		r->scratch_len += (uint32_t)k;
		break;
	case H2_SETTINGS:
		for (i = 0; i < n; i++) {
			r->settings_entry[r->settings_len++] = buf[i];
			if (r->settings_len < H2_SETTINGS_ENTRY_LEN)
				continue;
			r->settings_len = 0;
			if (((unsigned)r->settings_entry[0] << 8 |
			     r->settings_entry[1]) ==
			    H2_SETTINGS_HEADER_TABLE_SIZE)
				r->settings_table =
					be32(r->settings_entry + 2);
		}
		break;
	default:
		break;
	}
}

/* ---- public interface ---------------------------------------------------- */

int h2_init(h2_reader *r, bool client, const hpack_ops *hp,
	    const h1_options *opt)
{
	memset(r, 0, sizeof(*r));
	r->hp = hp;
	r->opt = opt;
	r->client = client;
	r->state = client ? S_PREFACE : S_FIRST_HEADER;
	r->settings_table = -1;
	r->table_acked = H2_TABLE_DEFAULT;
	r->table_limit = H2_TABLE_DEFAULT;
	if (opt != NULL && opt->redact != NULL) {
		const char *const *red;

		for (red = opt->redact; *red != NULL; red++) {
			size_t n = strlen(*red);

			if (n > 0)
				r->redact_mask |= redact_bit(
					n, (uint8_t)(*red)[0],
					(uint8_t)(*red)[n - 1]);
		}
	}
	if (hp != NULL)
		r->inflater = hp->create();
	return r->inflater != NULL ? 0 : -1;
}

bool h2_server_preface_start(const uint8_t *buf, size_t len)
{
	size_t i;

	if (len >= 3) {
		uint32_t n = (uint32_t)buf[0] << 16 | (uint32_t)buf[1] << 8 | buf[2];
		if (n % H2_SETTINGS_ENTRY_LEN != 0)
			return false;
	}
	if (len >= 4 && buf[3] != H2_SETTINGS)
		return false;
	if (len >= 5 && (buf[4] & H2_FLAG_ACK))
		return false;
	/* stream 0: the reserved bit aside, the id's bytes are all zero */
	for (i = 5; i < len && i < H2_FRAME_HEADER_LEN; i++) {
		if ((i == 5 ? buf[i] & 0x7f : buf[i]) != 0)
			return false;
	}
	return true;
}

void h2_free(h2_reader *r)
{
	if (r->hp != NULL && r->inflater != NULL)
		r->hp->destroy(r->inflater);
	r->inflater = NULL;
}

void h2_memo_enable(h2_reader *r, bool on)
{
	r->memo_off = !on;
	r->memo_ok = false;
	r->memo_same = false;
}

void h2_set_table_size(h2_reader *r, uint32_t size)
{
	r->table_limit = size;
	if (r->hp != NULL && r->inflater != NULL)
		r->hp->set_max_table(r->inflater, size);
}

void h2_settings_sent(h2_reader *r, int64_t table_size)
{
	if (r->n_pending == H2_PENDING_SETTINGS) {
		/* more pending than slots: the last one stands for them all,
		 * with the largest size they announced (a fall is then
		 * missed, the decoder allowing more than the encoder may use:
		 * never a block refused that the peer would decode) */
		struct h2_pending_settings *last =
			&r->pending[H2_PENDING_SETTINGS - 1];

		last->frames++;
		if (table_size > last->size)
			last->size = table_size;
	} else {
		r->pending[r->n_pending].size = table_size;
		r->pending[r->n_pending].frames = 1;
		r->n_pending++;
	}
	table_limit_update(r);
}

bool h2_framing(const h2_reader *r)
{
	return r->state != S_ERROR;
}

size_t h2_feed(h2_reader *r, const uint8_t *buf, size_t len, h2_event *ev)
{
	size_t i = 0, n;

	memset(ev, 0, sizeof(*ev));
	ev->type = H2_EV_NONE;
	while (i < len && ev->type == H2_EV_NONE) {
		switch (r->state) {
		case S_PREFACE:
			if (buf[i] != (uint8_t)h2_preface[r->preface_seen]) {
				fail(r, ev);
				i++; /* the byte that did not match */
				break;
			}
			i++;
			if (++r->preface_seen == H2_PREFACE_LEN)
				r->state = S_FIRST_HEADER;
			break;
		case S_FIRST_HEADER:
		case S_HEADER:
			if (r->fh_len == 0 && len - i >= H2_FRAME_HEADER_LEN) {
				/* a whole header (nearly always): a copy of
				 * a constant size, inlined, where the general
				 * one is a call to memcpy per frame */
				n = H2_FRAME_HEADER_LEN;
				memcpy(r->fh, buf + i, H2_FRAME_HEADER_LEN);
			} else {
				n = min_size(len - i,
					     H2_FRAME_HEADER_LEN - r->fh_len);
				memcpy(r->fh + r->fh_len, buf + i, n);
			}
			r->fh_len += (uint32_t)n;
			i += n;
			if (r->fh_len == H2_FRAME_HEADER_LEN)
				frame_begin(r, ev);
			break;
		case S_PREFIX:
			n = min_size(len - i, r->prefix_need - r->prefix_len);
			memcpy(r->prefix + r->prefix_len, buf + i, n);
			r->prefix_len += (uint32_t)n;
			i += n;
			if (r->prefix_len == r->prefix_need)
				prefix_done(r, ev);
			break;
		case S_CONTENT:
			n = min_size(len - i, content_left(r));
			content_bytes(r, buf + i, n);
			r->remaining -= (uint32_t)n;
			if (r->want_data && r->type == H2_DATA) {
				ev->type = H2_EV_DATA_CHUNK;
				ev->stream = r->stream;
				ev->data = buf + i;
				ev->data_len = (uint32_t)n;
			}
			i += n;
			if (content_left(r) == 0)
				content_done(r, ev);
			break;
		case S_PADDING:
			n = min_size(len - i, r->remaining);
			r->remaining -= (uint32_t)n;
			i += n;
			if (r->remaining == 0)
				frame_end(r, ev);
			break;
		default: /* S_ERROR */
			i = len;
			break;
		}
	}
	return i;
}

size_t h2_skip(h2_reader *r, size_t len, h2_event *ev)
{
	size_t i = 0, n;

	memset(ev, 0, sizeof(*ev));
	ev->type = H2_EV_NONE;
	while (i < len && ev->type == H2_EV_NONE && r->type == H2_DATA) {
		if (r->state == S_CONTENT) {
			/* body bytes: counted, as content_bytes() does */
			n = min_size(len - i, content_left(r));
			r->data_len += (uint32_t)n;
			r->remaining -= (uint32_t)n;
			if (r->want_data) {
				ev->type = H2_EV_DATA_CHUNK;
				ev->stream = r->stream;
				ev->data_len = (uint32_t)n;
				ev->unseen = true;
			}
			i += n;
			if (content_left(r) == 0)
				content_done(r, ev);
		} else if (r->state == S_PADDING) {
			n = min_size(len - i, r->remaining);
			r->remaining -= (uint32_t)n;
			i += n;
			if (r->remaining == 0)
				frame_end(r, ev);
		} else {
			break;
		}
	}
	return i;
}
