/* account.c - one peer's books of records not seen; see account.h. */
#include "account.h"

#include <string.h>

int64_t account_hello(account *a, const ht_rec_hello *h, bool shared)
{
	memset(a, 0, sizeof(*a));
	a->shared = shared;
	if (h->away > ACCOUNT_MAX_COUNT)
		return -1;
	a->away = h->away;
	a->told = h->away;
	a->req_away = h->away_requests < h->away ? h->away_requests : h->away;
	a->req_told = a->req_away;
	return (int64_t)h->away;
}

/* The requests among the records lost in all, as total_lost() counts
 * those. */
static uint64_t total_lost_requests(const account *a)
{
	uint64_t lost = a->req_dropped;

	if (a->final && a->req_produced > a->req_received &&
	    a->req_produced - a->req_received > lost)
		lost = a->req_produced - a->req_received;
	return a->req_away + lost;
}

/* What the peer has lost in all, by what it has told so far. */
static uint64_t total_lost(const account *a)
{
	uint64_t lost = a->dropped;

	/* Once nothing more can come, a record produced and never received
	 * is lost too (sent while the process was killed, say). */
	if (a->final && a->produced > a->received &&
	    a->produced - a->received > lost)
		lost = a->produced - a->received;
	return a->away + lost;
}

int64_t account_drops(account *a, const ht_rec_drops *d, bool from_page)
{
	uint64_t total;

	if (d->dropped > ACCOUNT_MAX_COUNT || d->produced > ACCOUNT_MAX_COUNT ||
	    d->dropped < a->dropped ||
	    (d->produced != 0 && d->produced < a->produced) ||
	    (d->produced != 0 && d->dropped > d->produced))
		return -1;
	a->dropped = d->dropped;
	if (d->produced != 0)
		a->produced = d->produced;
	/* With a counter page, only its read at the end is the last word:
	 * other threads of a process may still send after its own.  A read
	 * of a process that runs on (the collector stops) is not final:
	 * what it has not sent yet it counts itself when the send fails, for
	 * the next collector. */
	if ((d->flags & HT_DF_FINAL) && (from_page || !a->shared))
		a->final = true;
	/* The request counts only grow in the books (a sender reads them
	 * apart from the record counts: a believable record count is
	 * enough). */
	if (d->req_dropped <= ACCOUNT_MAX_COUNT && d->req_dropped > a->req_dropped)
		a->req_dropped = d->req_dropped;
	if (d->req_produced <= ACCOUNT_MAX_COUNT &&
	    d->req_produced > a->req_produced)
		a->req_produced = d->req_produced;
	total = total_lost(a);
	int64_t inc = 0;
	if (total > a->told) {
		inc = (int64_t)(total - a->told);
		a->told = total;
	}
	/* never more requests lost than records */
	uint64_t req = total_lost_requests(a);
	if (req > a->told)
		req = a->told;
	if (req > a->req_told)
		a->req_told = req;
	return inc;
}
