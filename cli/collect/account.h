/*
 * account.h - every record a traced image produced is received or counted:
 * the collector's books for one peer (one connection of one image).
 *
 * A peer tells its counts three ways: the HELLO's `away` (records dropped
 * while the image had no collector), DROPS records while it runs (the
 * records it could not send, and how many it produced), and a final DROPS
 * the collector makes itself from the image's shared counter page when the
 * peer's socket closes, whatever ended the process.  The books turn these
 * into increments of the run's total of records not seen, so a sum over
 * peers is right however many images a pid had, and a peer cannot claim
 * more than it could have lost.  The same books are kept, alongside, of
 * the request records among them (the requests lost, which is what a
 * reader of the summary wants): never more than the records, 0 from an
 * older peer that does not tell them apart.
 *
 * Pure: no I/O, no allocation.
 */
#ifndef HT_ACCOUNT_H
#define HT_ACCOUNT_H

#include <stdbool.h>
#include <stdint.h>

#include "wire.h"

/* No count above this is believable (2^40 records: years at a million a
 * second); a larger one is malformed. */
#define ACCOUNT_MAX_COUNT (1ull << 40)

typedef struct account {
	uint64_t received; /* records received (HELLO and DROPS aside) */
	uint64_t away;     /* from the HELLO */
	uint64_t dropped;  /* latest valid counts told (monotonic) */
	uint64_t produced;
	uint64_t told;     /* total already handed on as increments */
	bool final;        /* the last word came: received is complete */
	bool shared;       /* a counter page will give the last word */
	/* Of each count above, the request records (HT_REC_REQUEST);
	 * req_told grows with each call as told does (the requests among
	 * the increments returned). */
	uint64_t req_received, req_away, req_dropped, req_produced, req_told;
} account;

/*
 * account_hello() - a HELLO starts the books of @a afresh; @shared: its
 * counter page was mapped (only its final read is taken as the last word).
 * Returns the increment of records not seen (its `away`), or -1 when the
 * count is not believable (then nothing is counted).  req_told is then the
 * requests among it.
 */
int64_t account_hello(account *a, const ht_rec_hello *h, bool shared);

/* account_received() - one record (not HELLO or DROPS) came from the peer;
 * @request: a request record. */
static inline void account_received(account *a, bool request)
{
	a->received++;
	a->req_received += request;
}

/*
 * account_drops() - a DROPS record from the peer; @from_page: made by the
 * collector from the counter page at the peer's end (the last word, final
 * when flagged HT_DF_FINAL: not for a process that runs on).
 * Returns the increment of records not seen (0 or more), or -1 when the
 * counts are not believable: a count that went down, more dropped than
 * produced, more than ACCOUNT_MAX_COUNT (counted as malformed; the books
 * keep the last good counts).  req_told grows by the requests among the
 * increment (never more than it: a peer's request counts, read apart from
 * its record counts, may run ahead of them for a moment).
 */
int64_t account_drops(account *a, const ht_rec_drops *d, bool from_page);

#endif
