/*
 * report_stats.c - the running statistics of a report: per-host tables,
 * open connections, the programs seen, notes, and the hosts sorted for
 * the summaries; see report_parts.h.
 */
#include "report_parts.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash_str(const char *s, size_t n)
{
	uint64_t h = 14695981039346656037ULL; /* FNV-1a */

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static size_t host_slot(const report_stats *st, const char *name, size_t n)
{
	size_t mask = st->hosts_cap - 1;
	size_t i = (size_t)hash_str(name, n) & mask;

	while (st->hosts[i].name != NULL &&
	       !(strlen(st->hosts[i].name) == n &&
		 memcmp(st->hosts[i].name, name, n) == 0))
		i = (i + 1) & mask;
	return i;
}

static int hosts_grow(report_stats *st)
{
	size_t cap = st->hosts_cap ? st->hosts_cap * 2 : 16;
	report_host_stat *old = st->hosts;
	size_t old_cap = st->hosts_cap;
	report_host_stat *hosts = calloc(cap, sizeof(*hosts));

	if (hosts == NULL)
		return -ENOMEM;
	st->hosts = hosts;
	st->hosts_cap = cap;
	for (size_t i = 0; i < old_cap; i++) {
		if (old[i].name != NULL)
			hosts[host_slot(st, old[i].name, strlen(old[i].name))] = old[i];
	}
	free(old);
	return 0;
}

/* The stats of host @name, created when new; the shared row of the other
 * hosts when REPORT_MAX_HOSTS are kept already; NULL when out of memory. */
static report_host_stat *host_get(report_stats *st, const char *name, size_t n)
{
	size_t i;

	/* Names are kept as C strings: a hostile name with a NUL is keyed
	 * by what comes before it, or each record would add an entry. */
	n = strnlen(name, n);
	if (st->hosts_cap > 0) {
		i = host_slot(st, name, n);
		if (st->hosts[i].name != NULL)
			return &st->hosts[i];
	}
	if (st->hosts_n >= REPORT_MAX_HOSTS)
		return &st->other_hosts;
	if ((st->hosts_n + 1) * 2 > st->hosts_cap && hosts_grow(st) < 0)
		return NULL;
	i = host_slot(st, name, n);
	st->hosts[i].name = strndup(name, n);
	if (st->hosts[i].name == NULL)
		return NULL;
	sketch_init(&st->hosts[i].totals);
	st->hosts_n++;
	return &st->hosts[i];
}

/* Count the connection of @r once: remembered while it is open (up to
 * REPORT_MAX_OPEN_CONNS), else counted by its first request. */
static void conn_request(report_stats *st, const ht_rec_request *r)
{
	uint64_t key = (uint64_t)r->pid << 32 | r->conn_id;

	if (u64map_has(&st->conns, key))
		return;
	if (st->conns.n < REPORT_MAX_OPEN_CONNS &&
	    u64map_put(&st->conns, key, 1)) {
		st->connections++;
		return;
	}
	/* Not remembered (the table is full, or memory ran out). */
	if (r->req_seq <= 1) {
		st->connections++;
		st->conns_untracked++;
	}
}

void report_stats_req_pid(report_stats *st, uint32_t pid)
{
	if (st->req_pid_last == (uint64_t)pid + 1)
		return; /* the last one looked up: in req_pids already */
	if (u64map_put(&st->req_pids, pid, 1))
		st->req_processes++;
	/* (not stored when out of memory: looked up again at its next
	 * run of records, after another pid's) */
	st->req_pid_last = (uint64_t)pid + 1;
}

void report_stats_request(report_stats *st, const report_req *q)
{
	const ht_rec_request *r = q->r;
	report_host_stat *h;

	st->requests++;
	report_stats_req_pid(st, r->pid);
	if (r->flags & HT_RF_REUSED)
		st->reused++;
	/* a request not followed did not fail: it was not seen through */
	if (ht_error_not_seen(r->error))
		st->not_followed++;
	else if (q->error != NULL)
		st->errors++;
	conn_request(st, r);

	h = host_get(st, q->host, q->host_len);
	if (h == NULL)
		return;
	h->requests++;
	if (q->error != NULL && !ht_error_not_seen(r->error))
		h->errors++;
	if (q->t.total != REPORT_NONE)
		sketch_add(&h->totals, q->t.total);
}

/* Remember the program @h runs (its base name), for naming the ones
 * that made TLS connections not decoded. */
void report_stats_hello(report_stats *st, const ht_rec_hello *h)
{
	const char *name = h->exe.p;
	size_t n = h->exe.len;
	const char *slash = n ? memrchr(name, '/', n) : NULL;
	size_t i;

	if (slash != NULL) {
		n -= (size_t)(slash + 1 - name);
		name = slash + 1;
	}
	if (n == 0 || memchr(name, '\0', n) != NULL)
		return;
	for (i = 0; i < st->n_exes; i++)
		if (strlen(st->exes[i]) == n && memcmp(st->exes[i], name, n) == 0)
			break;
	if (i == st->n_exes) {
		if (i == REPORT_MAX_EXES || (st->exes[i] = strndup(name, n)) == NULL)
			return;
		st->n_exes++;
	}
	u64map_put(&st->pid_exe, h->pid, i + 1);
}

/* A TLS connection no hook decoded closed: it counts as a connection
 * (unless a request it carried, a CONNECT, counted it already). */
static void stats_undecoded(report_stats *st, const ht_rec_conn_close *c,
			    bool counted)
{
	uint64_t exe;

	st->tls_undecoded++;
	if (!counted)
		st->connections++;
	if (c->pid != 0 && u64map_get(&st->pid_exe, c->pid, &exe) && exe > 0)
		st->undecoded_exes |= 1u << (exe - 1);
}

size_t report_undecoded_names(const report *rp, char *buf, size_t cap)
{
	const report_stats *st = &rp->stats;
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < st->n_exes; i++) {
		if (!(st->undecoded_exes & (1u << i)))
			continue;
		int k = snprintf(buf + o, cap - o, "%s%s", o ? ", " : "",
				 st->exes[i]);
		if (k < 0 || (size_t)k >= cap - o) {
			buf[o] = '\0';
			break;
		}
		o += (size_t)k;
	}
	return o;
}

/* Count note @i once for @pid: a process may send one text many times
 * (once per connection it concerns). */
static void note_pid(report_stats *st, size_t i, uint32_t pid)
{
	if (u64map_put(&st->note_pids, (uint64_t)i << 32 | pid, 0))
		st->note_procs[i]++;
}

/* Count @n's text once per process that sent it; the text is kept as is
 * (formats escape it). */
void report_stats_note(report_stats *st, const ht_rec_note *n)
{
	char *t;

	for (size_t i = 0; i < st->n_notes; i++)
		if (strlen(st->notes[i]) == n->text.len &&
		    memcmp(st->notes[i], n->text.p, n->text.len) == 0 &&
		    memchr(n->text.p, '\0', n->text.len) == NULL) {
			note_pid(st, i, n->pid);
			return;
		}
	if (st->n_notes >= REPORT_MAX_NOTES || n->text.len == 0 ||
	    (t = malloc((size_t)n->text.len + 1)) == NULL)
		return;
	memcpy(t, n->text.p, n->text.len);
	t[n->text.len] = '\0';
	st->notes[st->n_notes] = t;
	st->note_procs[st->n_notes] = 0;
	note_pid(st, st->n_notes++, n->pid);
}

void report_stats_close(report_stats *st, const ht_rec_conn_close *c)
{
	/* Counted already; its requests are all in (they come before the
	 * close). */
	bool counted = u64map_del(&st->conns,
				  (uint64_t)c->pid << 32 | c->conn_id);

	if (c->flags & HT_CF_TLS_UNDECODED)
		stats_undecoded(st, c, counted);
	else if (report_close_no_request(c) && !counted) {
		st->connections++;
		st->conns_no_request++;
	}
}

static int cmp_host(const void *a, const void *b)
{
	const report_host_stat *x = *(report_host_stat *const *)a;
	const report_host_stat *y = *(report_host_stat *const *)b;

	return strcmp(x->name, y->name);
}

report_host_stat **report_hosts_sorted(report *rp, size_t *n)
{
	report_stats *st = &rp->stats;
	report_host_stat **v;
	size_t k = 0;

	*n = 0;
	if (st->hosts_n == 0)
		return NULL;
	v = malloc(st->hosts_n * sizeof(*v));
	if (v == NULL)
		return NULL;
	for (size_t i = 0; i < st->hosts_cap; i++) {
		report_host_stat *h = &st->hosts[i];

		if (h->name != NULL)
			v[k++] = h;
	}
	qsort(v, k, sizeof(*v), cmp_host);
	*n = k;
	return v;
}

void report_stats_free(report_stats *st)
{
	for (size_t i = 0; i < st->hosts_cap; i++) {
		free(st->hosts[i].name);
		sketch_free(&st->hosts[i].totals);
	}
	sketch_free(&st->other_hosts.totals);
	free(st->hosts);
	u64map_free(&st->conns);
	u64map_free(&st->pid_exe);
	u64map_free(&st->req_pids);
	u64map_free(&st->note_pids);
	for (size_t i = 0; i < st->n_exes; i++)
		free(st->exes[i]);
	for (size_t i = 0; i < st->n_notes; i++)
		free(st->notes[i]);
	memset(st, 0, sizeof(*st));
}
