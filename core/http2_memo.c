/*
 * http2_memo.c - the HTTP/2 frame reader's memo: a header block seen
 * before is not decoded again (see http2_internal.h).
 */
#include "http2_internal.h"

bool h2_memo_can_keep(const h2_reader *r)
{
	return !r->memo_off && r->block_plain && r->hp != NULL &&
	       r->hp->generation != NULL && r->inflater != NULL;
}

/* How the block just assembled may be taken from the memo. */
enum h2_memo_use h2_memo_use(const h2_reader *r)
{
	if (!r->memo_same || r->block_len != r->memo_len)
		return MEMO_NONE;
	if (r->hp->generation(r->inflater) == r->memo_gen) {
		if (r->memo_neutral)
			return MEMO_AS_IS;
		if (r->memo_replay && r->hp->repeat != NULL)
			return MEMO_REPEAT;
	}
	if (r->memo_replay)
		return MEMO_REPLAY;
	return MEMO_NONE;
}

/* The block was decoded (its fields are in msg), from generation @gen:
 * remember it if it can be taken again. */
void h2_memo_note(h2_reader *r, uint64_t gen)
{
	uint64_t now = r->hp->generation(r->inflater);

	r->memo_neutral = now == gen;
	r->memo_replay = r->hp->read_table != NULL &&
			 !r->hp->read_table(r->inflater);
	r->memo_ok = r->memo_neutral || r->memo_replay;
	r->memo_len = r->block_len;
	r->memo_gen = now;
}

