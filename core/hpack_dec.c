/*
 * hpack_dec.c - HPACK header block decoder (RFC 7541); see hpack_dec.h.
 *
 * Strings that are not Huffman-coded are handed to the caller where they
 * lie in the block; Huffman-coded ones are decoded into the scratch area;
 * indexed fields are handed from the static table or from the dynamic
 * table's memory.  Nothing is allocated.
 */
#include <string.h>

#include "hpack_dec.h"
#include "hpack_huff.h"

/* The static table (RFC 7541 Appendix A), index 1 first. */
static const struct {
	const char *name, *value;
	uint8_t nlen, vlen;
} static_table[61] = {
#define E(n, v) { n, v, sizeof(n) - 1, sizeof(v) - 1 }
	E(":authority", ""), E(":method", "GET"), E(":method", "POST"),
	E(":path", "/"), E(":path", "/index.html"), E(":scheme", "http"),
	E(":scheme", "https"), E(":status", "200"), E(":status", "204"),
	E(":status", "206"), E(":status", "304"), E(":status", "400"),
	E(":status", "404"), E(":status", "500"), E("accept-charset", ""),
	E("accept-encoding", "gzip, deflate"), E("accept-language", ""),
	E("accept-ranges", ""), E("accept", ""),
	E("access-control-allow-origin", ""), E("age", ""), E("allow", ""),
	E("authorization", ""), E("cache-control", ""),
	E("content-disposition", ""), E("content-encoding", ""),
	E("content-language", ""), E("content-length", ""),
	E("content-location", ""), E("content-range", ""),
	E("content-type", ""), E("cookie", ""), E("date", ""), E("etag", ""),
	E("expect", ""), E("expires", ""), E("from", ""), E("host", ""),
	E("if-match", ""), E("if-modified-since", ""), E("if-none-match", ""),
	E("if-range", ""), E("if-unmodified-since", ""),
	E("last-modified", ""), E("link", ""), E("location", ""),
	E("max-forwards", ""), E("proxy-authenticate", ""),
	E("proxy-authorization", ""), E("range", ""), E("referer", ""),
	E("refresh", ""), E("retry-after", ""), E("server", ""),
	E("set-cookie", ""), E("strict-transport-security", ""),
	E("transfer-encoding", ""), E("user-agent", ""), E("vary", ""),
	E("via", ""), E("www-authenticate", ""),
#undef E
};

#define STATIC_ENTRIES 61u

/* ---- sizes ---------------------------------------------------------------- */

uint32_t hpack_dec_cap(uint32_t want)
{
	uint32_t cap = HPACK_TABLE_DEFAULT;

	while (cap < want && cap < HPACK_TABLE_BOUND)
		cap <<= 1;
	return cap;
}

size_t hpack_dec_table_mem(uint32_t cap)
{
	return (size_t)cap / HPACK_ENTRY_OVERHEAD * sizeof(struct hpack_ent) +
	       HPACK_STRING_ROOM * (size_t)cap;
}

size_t hpack_dec_scratch_len(size_t block_max)
{
	return block_max * 8 / 5 + 1;
}

static void set_table(hpack_dec *d, void *table, uint32_t cap)
{
	d->cap = cap;
	d->ents = table;
	d->bytes = (uint8_t *)table +
		   cap / HPACK_ENTRY_OVERHEAD * sizeof(struct hpack_ent);
	d->n = 0;
	d->size = 0;
	d->newest = 0;
}

void hpack_dec_init(hpack_dec *d, void *table, uint32_t cap,
		    uint8_t *scratch, size_t scratch_len)
{
	memset(d, 0, sizeof(*d));
	set_table(d, table, cap);
	d->limit = HPACK_TABLE_DEFAULT;
	d->low = UINT32_MAX;
	d->max = HPACK_TABLE_DEFAULT < cap ? HPACK_TABLE_DEFAULT : cap;
	d->scratch = scratch;
	d->scratch_len = scratch_len;
}

/* ---- the dynamic table ------------------------------------------------------ */

static uint32_t slot_mask(const hpack_dec *d)
{
	return d->cap / HPACK_ENTRY_OVERHEAD - 1;
}

/* Entry @i of the dynamic table, 0 the newest. */
static const struct hpack_ent *entry(const hpack_dec *d, uint32_t i)
{
	return &d->ents[(d->newest + i) & slot_mask(d)];
}

static void evict_oldest(hpack_dec *d)
{
	const struct hpack_ent *e = entry(d, d->n - 1);

	d->size -= e->nlen + e->vlen + HPACK_ENTRY_OVERHEAD;
	d->n--;
	d->gen++;
}

static void shrink_to(hpack_dec *d, uint32_t max)
{
	while (d->n > 0 && d->size > max)
		evict_oldest(d);
}

/*
 * Add a field to the table (RFC 7541 section 4.4): evict the oldest
 * entries until it fits, or all of them when it cannot.  @name may lie in
 * the table's memory (in an entry this evicts): it is moved before @value
 * (never in the table) is written.  The strings go after the newest
 * entry's, or at the start of the memory when they do not fit before its
 * end.  Why 2 * cap bytes (T) always leave a gap of len bytes: after the
 * evictions the live strings take U <= cap - len - 32 (the new entry's
 * size counts).  In one run [old, end), when the tail [end, T) is short
 * of len, the head [0, old) holds end - U > T - len - U > cap >= len.
 * Wrapped ([old, X) then [0, end)), the string that wrapped did not fit
 * after X (T - X < cap), so the gap [end, old) holds X - U > T - cap - U
 * > len.  *@added is the new entry, NULL when none was added.  Returns 0,
 * or -1 when the ring is inconsistent (cannot happen).  Inlined: a repeated
 * block (hpack_dec_repeat()) adds its entries again in a loop, and the call
 * and its saved registers were a fifth of each add.
 */
static inline __attribute__((always_inline)) int
table_add(hpack_dec *d, const uint8_t *name, uint32_t nlen,
	  const uint8_t *value, uint32_t vlen, const struct hpack_ent **added)
{
	uint64_t esz = (uint64_t)nlen + vlen + HPACK_ENTRY_OVERHEAD;
	uint32_t len = nlen + vlen, off = 0, mask = slot_mask(d);
	uint32_t n = d->n;
	struct hpack_ent *e;

	*added = NULL;
	if (n > 0 && d->size + esz > d->max) {
		/* the oldest go until it fits: one pass over locals, one
		 * generation for them all (generations are only compared
		 * for equality) */
		uint32_t size = d->size;

		do {
			e = &d->ents[(d->newest + n - 1) & mask];
			size -= e->nlen + e->vlen + HPACK_ENTRY_OVERHEAD;
			n--;
		} while (n > 0 && size + esz > d->max);
		d->n = n;
		d->size = size;
		d->gen++;
	}
	if (esz > d->max)
		return 0;
	if (n > 0) {
		const struct hpack_ent *nw = &d->ents[d->newest];
		const struct hpack_ent *old = &d->ents[(d->newest + n - 1) & mask];
		uint32_t end = nw->off + nw->nlen + nw->vlen;

		if (end >= old->off) {          /* one run of strings */
			bool tail = (uint64_t)end + len <=
				    HPACK_STRING_ROOM * (uint64_t)d->cap;
			/* (end may be 0 itself: entries of empty strings) */
			if (!tail && len > old->off)
				return -1;
			off = tail ? end : 0;
		} else {                         /* wrapped */
			if (end + len > old->off)
				return -1;
			off = end;
		}
	}
	if (value == name + nlen) {
		/* one run (both Huffman-decoded, or an entry copied by
		 * hpack_dec_repeat(), maybe one this evicted) */
		memmove(d->bytes + off, name, len);
	} else {
		memmove(d->bytes + off, name, nlen);
		if (vlen > 0)
			memcpy(d->bytes + off + nlen, value, vlen);
	}
	d->newest = (d->newest - 1) & mask;
	e = &d->ents[d->newest];
	e->off = off;
	e->nlen = nlen;
	e->vlen = vlen;
	d->n++;
	d->size += (uint32_t)esz;
	d->gen++;
	*added = e;
	return 0;
}

void hpack_dec_grow(hpack_dec *d, void *table, uint32_t cap)
{
	hpack_dec old;
	uint32_t i;

	/* the old table alone (the memo is not copied: 2 KiB of stack) */
	old.cap = d->cap;
	old.ents = d->ents;
	old.bytes = d->bytes;
	old.n = d->n;
	old.newest = d->newest;
	set_table(d, table, cap);
	d->gen++;
	for (i = old.n; i > 0; i--) {
		const struct hpack_ent *e = entry(&old, i - 1);
		const struct hpack_ent *added;

		/* they fit: the new memory is larger */
		table_add(d, old.bytes + e->off, e->nlen,
			  old.bytes + e->off + e->nlen, e->vlen, &added);
	}
}

void hpack_dec_set_limit(hpack_dec *d, uint32_t limit)
{
	d->limit = limit;
	d->gen++;
	if (limit < d->max) {
		d->must_update = true;
		if (limit < d->low)
			d->low = limit;
		d->max = limit;
		shrink_to(d, limit);
	}
}

/* ---- primitives ----------------------------------------------------------- */

/*
 * An integer with an @prefix-bit prefix (RFC 7541 section 5.1) at *@p,
 * before @end, into *@out.  A value beyond 32 bits, or continuation bytes
 * that would shift past them, is an error.  Returns 0 or -1.
 */
static int read_int(const uint8_t **p, const uint8_t *end, unsigned prefix,
		    uint32_t *out)
{
	uint32_t mask = (1u << prefix) - 1, n;
	unsigned shift = 0;

	if (*p >= end)
		return -1;
	n = *(*p)++ & mask;
	if (n < mask) {
		*out = n;
		return 0;
	}
	for (;;) {
		uint32_t add;
		uint8_t b;

		if (*p >= end || shift >= 32)
			return -1;
		b = *(*p)++;
		add = b & 0x7f;
		if ((UINT32_MAX >> shift) < add)
			return -1;
		add <<= shift;
		if (UINT32_MAX - add < n)
			return -1;
		n += add;
		if (!(b & 0x80))
			break;
		shift += 7;
	}
	*out = n;
	return 0;
}

long hpack_huff_decode(const uint8_t *in, size_t len, uint8_t *out,
		       size_t room)
{
	const uint8_t *end = in + len;
	uint64_t acc = 0;  /* the next bits, from the most significant */
	unsigned bits = 0; /* how many of acc's are input */
	size_t n = 0;

	for (;;) {
		unsigned e, clen, sym;

		if (bits < HUFF_MAX_BITS) {
			/* refill: eight bytes at once while eight remain
			 * (the bits of a byte taken in part are taken again,
			 * the same, next time), else byte by byte */
			if (end - in >= 8) {
				uint64_t w;

				memcpy(&w, in, 8);
				acc |= __builtin_bswap64(w) >> bits;
				in += (63 - bits) >> 3;
				bits |= 56;
			} else {
				while (bits <= 56 && in < end) {
					acc |= (uint64_t)*in++ << (56 - bits);
					bits += 8;
				}
			}
		}
		if (bits == 0)
			break;
		e = huff_fast[acc >> (64 - HUFF_FAST_BITS)];
		if (e >> 26 == 2 && ((e >> 21) & 31) <= bits) {
			/* two codes at once, both within the input */
			if (out != NULL) {
				if (room - n < 2)
					return -1;
				out[n] = (uint8_t)e;
				out[n + 1] = (uint8_t)(e >> 8);
			}
			n += 2;
			acc <<= (e >> 21) & 31;
			bits -= (e >> 21) & 31;
			continue;
		}
		if (e != 0) {
			clen = (e >> 16) & 31;
			sym = e & 0xff;
		} else {
			/* a longer code: the first length whose range
			 * holds the window's prefix (the code is canonical
			 * and complete, so one does) */
			uint32_t w = (uint32_t)(acc >> 32), c = 0;

			for (clen = HUFF_FAST_BITS + 1;; clen++) {
				c = w >> (32 - clen);
				if (c - huff_first[clen] < huff_count[clen])
					break;
			}
			sym = huff_sym[huff_base[clen] + c - huff_first[clen]];
		}
		if (clen > bits)
			break;  /* what is left is padding, or an error */
		if (sym == HUFF_EOS)
			return -1;
		if (out != NULL) {
			if (n == room)
				return -1;
			out[n] = (uint8_t)sym;
		}
		n++;
		acc <<= clen;
		bits -= clen;
	}
	/* padding: at most 7 bits, the most significant bits of EOS */
	if (bits > 7 || (bits > 0 && (acc >> (64 - bits)) != (1u << bits) - 1))
		return -1;
	return (long)n;
}

/*
 * hpack_huff_decode() of the block's next Huffman string (@in, @len bytes)
 * through the memo: when the last block's string at this place had the same
 * bytes, its decoding is copied (or only its length taken, @out NULL);
 * else the string is decoded and, when it decoded and fits a slot, kept.
 * A string that did not decode is never kept: it is decoded again, and
 * fails again, each time.  The same result as hpack_huff_decode().
 */
static long huff_string(hpack_dec *d, const uint8_t *in, size_t len,
			uint8_t *out, size_t room)
{
	uint32_t k = d->memo_next++;
	struct hpack_memo *m;
	long n;

	if (k >= HPACK_MEMO_SLOTS || len == 0 || len > HPACK_MEMO_ENC)
		return hpack_huff_decode(in, len, out, room);
	m = &d->memo[k];
	if (m->enc_len == len && memcmp(m->enc, in, len) == 0) {
		if (out != NULL) {
			if (m->dec_len > room)
				return -1;
			memcpy(out, m->dec, m->dec_len);
		}
		return m->dec_len;
	}
	if (out == NULL)
		return hpack_huff_decode(in, len, NULL, 0);
	n = hpack_huff_decode(in, len, out, room);
	if (n < 0 || (size_t)n > HPACK_MEMO_DEC) {
		m->enc_len = 0;
		return n;
	}
	m->enc_len = (uint8_t)len;
	m->dec_len = (uint8_t)n;
	memcpy(m->enc, in, len);
	memcpy(m->dec, out, (size_t)n);
	return n;
}

/*
 * A string literal (RFC 7541 section 5.2) at *@p: its bytes in the block,
 * or Huffman-decoded into the scratch at *@used (which grows), or only
 * counted (@count_only, Huffman strings: *@s is NULL).  Returns 0 or -1.
 */
static int read_string(hpack_dec *d, const uint8_t **p, const uint8_t *end,
		       size_t *used, bool count_only, const uint8_t **s,
		       uint32_t *slen)
{
	bool huff;
	uint32_t len;
	long n;

	if (*p >= end)
		return -1;
	huff = (**p & 0x80) != 0;
	if (read_int(p, end, 7, &len) != 0 || len > (size_t)(end - *p))
		return -1;
	if (!huff) {
		*s = *p;
		*slen = len;
		*p += len;
		return 0;
	}
	if (count_only) {
		n = huff_string(d, *p, len, NULL, 0);
		*s = NULL;
	} else {
		n = huff_string(d, *p, len, d->scratch + *used,
				d->scratch_len - *used);
		*s = d->scratch + *used;
	}
	if (n < 0)
		return -1;
	if (!count_only)
		*used += (size_t)n;
	*slen = (uint32_t)n;
	*p += len;
	return 0;
}

/* The name and value of table index @idx (1-based, static then dynamic). */
static int lookup(const hpack_dec *d, uint32_t idx, const uint8_t **name,
		  uint32_t *nlen, const uint8_t **value, uint32_t *vlen)
{
	const struct hpack_ent *e;

	if (idx == 0)
		return -1;
	if (idx <= STATIC_ENTRIES) {
		*name = (const uint8_t *)static_table[idx - 1].name;
		*nlen = static_table[idx - 1].nlen;
		*value = (const uint8_t *)static_table[idx - 1].value;
		*vlen = static_table[idx - 1].vlen;
		return 0;
	}
	idx -= STATIC_ENTRIES;
	if (idx > d->n)
		return -1;
	e = entry(d, idx - 1);
	*name = d->bytes + e->off;
	*nlen = e->nlen;
	*value = d->bytes + e->off + e->nlen;
	*vlen = e->vlen;
	return 0;
}

/* One literal field (RFC 7541 section 6.2): @prefix bits of index, added
 * to the table when @index. */
static int literal(hpack_dec *d, const uint8_t **p, const uint8_t *end,
		   unsigned prefix, bool index, hpack_field_fn fn,
		   hpack_skip_fn skip, void *ctx)
{
	const uint8_t *name, *value, *unused;
	uint32_t idx, nlen, vlen, unused_len;
	size_t used = 0;
	bool count_only;

	if (read_int(p, end, prefix, &idx) != 0)
		return -1;
	if (idx > STATIC_ENTRIES)
		d->read_table = true;
	if (idx == 0) {
		if (read_string(d, p, end, &used, false, &name, &nlen) != 0)
			return -1;
	} else if (lookup(d, idx, &name, &nlen, &unused, &unused_len) != 0) {
		return -1;
	}
	count_only = !index && skip != NULL && *p < end && (**p & 0x80) &&
		     skip(ctx, name, nlen);
	if (read_string(d, p, end, &used, count_only, &value, &vlen) != 0)
		return -1;
	if (index) {
		const struct hpack_ent *e;

		if (table_add(d, name, nlen, value, vlen, &e) != 0)
			return -1;
		if (e != NULL) {
			name = d->bytes + e->off;
			value = name + e->nlen;
			if (d->added != UINT32_MAX)
				d->added++;
		} else {
			d->added = UINT32_MAX; /* asked for, not added */
		}
	}
	if (fn != NULL)
		fn(ctx, name, nlen, value, vlen);
	return 0;
}

/* ---- blocks ---------------------------------------------------------------- */

int hpack_dec_decode(hpack_dec *d, const uint8_t *block, size_t len,
		     hpack_field_fn fn, hpack_skip_fn skip, void *ctx)
{
	const uint8_t *p = block, *end = block + len;
	bool at_start = true;

	if (d->broken)
		return -1;
	d->memo_next = 0;
	d->read_table = false;
	d->added = 0;
	while (p < end) {
		uint8_t b = *p;
		int rv;

		if ((b & 0xe0) == 0x20) {
			/* dynamic table size update: only before the first
			 * field, within the limit (the smallest one announced
			 * since the last block, for the first update) */
			uint32_t max;

			if (!at_start || read_int(&p, end, 5, &max) != 0 ||
			    max > d->limit || max > d->cap ||
			    (d->must_update && max > d->low))
				goto fail;
			d->must_update = false;
			d->low = UINT32_MAX;
			d->max = max;
			d->gen++;
			d->added = UINT32_MAX;
			shrink_to(d, max);
			continue;
		}
		if (d->must_update)
			goto fail;
		at_start = false;
		if (b & 0x80) {
			const uint8_t *name, *value;
			uint32_t idx, nlen, vlen;

			if (read_int(&p, end, 7, &idx) != 0)
				goto fail;
			if (idx > STATIC_ENTRIES)
				d->read_table = true;
			if (lookup(d, idx, &name, &nlen, &value, &vlen) != 0)
				goto fail;
			if (fn != NULL)
				fn(ctx, name, nlen, value, vlen);
			continue;
		}
		if (b & 0x40)
			rv = literal(d, &p, end, 6, true, fn, skip, ctx);
		else
			rv = literal(d, &p, end, 4, false, fn, skip, ctx);
		if (rv != 0)
			goto fail;
	}
	if (d->must_update)
		goto fail;
	if (d->added > d->n)   /* some were evicted (or UINT32_MAX) */
		d->added = UINT32_MAX;
	d->periodic = d->added; /* (older entries are not compared) */
	return 0;
fail:
	d->broken = true;
	d->gen++;
	d->added = UINT32_MAX;
	return -1;
}

/*
 * Whether repeating the block changes nothing a block can see.  The table
 * (newest first) is a prefix of B B B ... (B the block's k entries,
 * d->periodic); the copies make it B followed by it, less the oldest
 * entries evicted: a prefix of B B B ... again, of the same length when k
 * are evicted, so the same entry at every index.  The evictions are
 * counted as table_add() makes them, on sizes alone: copy i goes in when
 * the entries left and the copies before it fit in d->max with it.
 */
static bool repeat_is_noop(const hpack_dec *d, uint32_t k)
{
	uint32_t size = d->size, left = d->n, i;

	if (d->periodic < d->n)
		return false;
	for (i = k; i-- > 0;) {
		const struct hpack_ent *e = entry(d, i);
		uint32_t esz = e->nlen + e->vlen + HPACK_ENTRY_OVERHEAD;

		while (size + esz > d->max) {
			if (left == 0)
				return false; /* copies would go too */
			e = entry(d, --left);
			size -= e->nlen + e->vlen + HPACK_ENTRY_OVERHEAD;
		}
		size += esz;
	}
	return d->n - left == k;
}

/*
 * The block's entries are the newest d->added, its first the oldest of
 * them (index added - 1).  Adding a copy of it makes every index one
 * larger, so the block's next entry is at added - 1 again.  An entry's
 * strings are one run in the table memory (the value follows the name):
 * table_add() evicts first, which writes nothing, then moves the run with
 * one memmove, so a copy that cannot fit beside its original (the table
 * no larger than the block's entries) evicts it, exactly as decoding the
 * block again would, and is still copied from its bytes.
 */
int hpack_dec_repeat(hpack_dec *d)
{
	uint32_t i, k = d->added, known;

	if (d->broken || k == UINT32_MAX || k > d->n)
		return -1;
	if (repeat_is_noop(d, k))
		return 0;
	/* the copies, then the known prefix of the old table (what of it
	 * stays) */
	known = (d->periodic < d->n ? d->periodic : d->n) + k;
	for (i = 0; i < k; i++) {
		const struct hpack_ent *e = entry(d, k - 1);
		const uint8_t *name = d->bytes + e->off;
		uint32_t nlen = e->nlen, vlen = e->vlen;
		const struct hpack_ent *added;

		/* (e's slot may be the one the copy takes: read first) */
		if (table_add(d, name, nlen, name + nlen, vlen, &added) != 0 ||
		    added == NULL) {
			d->broken = true; /* cannot happen (see above) */
			d->gen++;
			return -1;
		}
	}
	d->periodic = known < d->n ? known : d->n;
	return 0;
}

uint64_t hpack_dec_generation(const hpack_dec *d)
{
	return d->gen;
}

bool hpack_dec_read_table(const hpack_dec *d)
{
	return d->read_table;
}
