/*
 * report_chains.c - the redirect chains of a report: each request linked
 * to the hop it follows (redirect.h), and the chains' hops kept for the
 * summary; see report_parts.h.
 */
#include "report_parts.h"

#include <stdlib.h>
#include <string.h>

#include "headers.h"

void report_chains_request(report *rp, report_req *q)
{
	const ht_rec_request *r = q->r;
	report_stats *st = &rp->stats;
	redirect_id id = { r->pid, r->conn_id, r->req_seq };
	ht_str loc = { NULL, 0 };

	memset(&q->redirect, 0, sizeof(q->redirect));
	q->redirect.hop = 1;
	q->redirect.chain = id;
	/* Most requests neither redirect nor follow a redirect of their
	 * process: their link is the default above, without normalizing
	 * their URL or looking for a Location header. */
	bool redirects = redirect_is_status(r->status);
	if (!redirects && !redirect_may_follow(rp->redirects, r->pid))
		return;
	if (rp->redirects == NULL) {
		rp->redirects = malloc(sizeof(*rp->redirects));
		if (rp->redirects == NULL)
			return;
		redirect_init(rp->redirects);
	}
	bool has_loc = redirects &&
		       headers_find(r->resp_headers, "location", &loc);
	redirect_observe(rp->redirects, id, q->url, r->status,
			 has_loc ? loc.p : NULL, loc.len, &q->redirect);
	if (!q->redirect.in_chain)
		return;
	if (q->redirect.followed)
		st->redirects_followed++;

	/* The chain this hop belongs to: the latest ones are searched first. */
	report_chain *c = NULL;
	for (size_t i = st->n_chains; i-- > 0;) {
		redirect_id k = st->chains[i].id;
		if (k.pid == q->redirect.chain.pid &&
		    k.conn == q->redirect.chain.conn &&
		    k.req == q->redirect.chain.req) {
			c = &st->chains[i];
			break;
		}
	}
	if (c == NULL) {
		if (q->redirect.followed || st->n_chains >= REPORT_MAX_CHAINS)
			return; /* its start was not kept */
		if (st->n_chains == st->cap_chains) {
			size_t cap = st->cap_chains ? st->cap_chains * 2 : 16;
			report_chain *v = realloc(st->chains, cap * sizeof(*v));
			if (v == NULL)
				return;
			st->chains = v;
			st->cap_chains = cap;
		}
		c = &st->chains[st->n_chains++];
		memset(c, 0, sizeof(*c));
		c->id = q->redirect.chain;
	}
	if (c->n_hops >= REPORT_MAX_HOPS)
		return;
	if (c->n_hops == c->cap_hops) {
		size_t cap = c->cap_hops ? c->cap_hops * 2 : 4;
		report_hop *v = realloc(c->hops, cap * sizeof(*v));
		if (v == NULL)
			return;
		c->hops = v;
		c->cap_hops = cap;
	}
	report_hop *h = &c->hops[c->n_hops];
	h->method = strndup(r->method.p ? r->method.p : "", r->method.len);
	h->url = strndup(q->url, q->url_len);
	if (h->method == NULL || h->url == NULL) {
		free(h->method);
		free(h->url);
		return;
	}
	h->status = r->status;
	h->conn = r->conn_id;
	h->req = r->req_seq;
	h->reused = (r->flags & HT_RF_REUSED) != 0;
	h->total = q->t.total;
	c->n_hops++;
}

void report_chains_free(report *rp)
{
	report_stats *st = &rp->stats;

	for (size_t i = 0; i < st->n_chains; i++) {
		for (size_t k = 0; k < st->chains[i].n_hops; k++) {
			free(st->chains[i].hops[k].method);
			free(st->chains[i].hops[k].url);
		}
		free(st->chains[i].hops);
	}
	free(st->chains);
	st->chains = NULL;
	st->n_chains = st->cap_chains = 0;
	if (rp->redirects != NULL)
		redirect_free(rp->redirects);
	free(rp->redirects);
	rp->redirects = NULL;
}
