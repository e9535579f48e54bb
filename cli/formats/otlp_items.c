/* otlp_items.c - OTLP/JSON export requests, the traced processes'
 * resources, and the items (a record's spans with its resource) the
 * exporters batch; see otlp.h.  The spans themselves are otlp.c's. */
#include "otlp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "join.h"
#include "json.h"
#include "url.h"

/* ---- export requests ---------------------------------------------------- */

void otlp_export_json(outbuf *b, const otlp_item *items, size_t n)
{
	bool *done = calloc(n ? n : 1, sizeof(*done));
	bool first_rs = true;

	if (done == NULL) {
		outbuf_fail(b, ENOMEM);
		return;
	}
	outbuf_puts(b, "{\"resourceSpans\":[");
	for (size_t i = 0; i < n; i++) {
		bool first_span = true;

		if (done[i])
			continue;
		outbuf_puts(b, first_rs ? "{\"resource\":" : ",{\"resource\":");
		first_rs = false;
		outbuf_puts(b, items[i].resource);
		outbuf_puts(b, ",\"scopeSpans\":[{\"scope\":{\"name\":\"httptrace\","
				 "\"version\":\"" HTTPTRACE_VERSION "\"},\"spans\":[");
		/* Every later item of the same resource joins this one. */
		for (size_t j = i; j < n; j++) {
			if (done[j] || strcmp(items[j].resource, items[i].resource) != 0)
				continue;
			done[j] = true;
			if (!first_span)
				outbuf_puts(b, ",");
			first_span = false;
			outbuf_puts(b, items[j].spans);
		}
		outbuf_puts(b, "]}]}");
	}
	outbuf_puts(b, "]}");
	free(done);
}

void otlp_item_free(otlp_item *it)
{
	free(it->resource);
	free(it->spans);
	memset(it, 0, sizeof(*it));
}

/* ---- processes ---------------------------------------------------------- */

static size_t proc_slot(const otlp_procs *ps, uint32_t pid)
{
	size_t mask = ps->cap - 1, i = (pid * 2654435761u) & mask;

	while (ps->v[i].pid != 0 && ps->v[i].pid != pid)
		i = (i + 1) & mask;
	return i;
}

/* The index + 1 of executable @exe in ps->exes, added when new; 0 when
 * there are too many or memory ran out. */
static uint32_t exe_intern(otlp_procs *ps, const char *exe)
{
	for (size_t i = 0; i < ps->n_exes; i++)
		if (strcmp(ps->exes[i], exe) == 0)
			return (uint32_t)i + 1;
	if (ps->n_exes >= OTLP_MAX_EXES)
		return 0;
	if (ps->n_exes == ps->cap_exes) {
		size_t cap = ps->cap_exes ? ps->cap_exes * 2 : 16;
		char **v = realloc(ps->exes, cap * sizeof(*v));

		if (v == NULL)
			return 0;
		ps->exes = v;
		ps->cap_exes = cap;
	}
	ps->exes[ps->n_exes] = strdup(exe);
	if (ps->exes[ps->n_exes] == NULL)
		return 0;
	return (uint32_t)++ps->n_exes;
}

void otlp_procs_hello(otlp_procs *ps, const ht_rec_hello *h)
{
	char exe[1024];
	size_t n, i;

	if (h->pid == 0)
		return;
	if ((ps->n + 1) * 2 > ps->cap) {
		size_t cap = ps->cap ? ps->cap * 2 : 64, old_cap = ps->cap;
		struct otlp_proc *old = ps->v, *v = calloc(cap, sizeof(*v));

		if (v == NULL)
			return;
		ps->v = v;
		ps->cap = cap;
		for (size_t k = 0; k < old_cap; k++)
			if (old[k].pid != 0)
				ps->v[proc_slot(ps, old[k].pid)] = old[k];
		free(old);
	}
	/* A NUL inside a hostile name ends it. */
	n = h->exe.p != NULL ? strnlen(h->exe.p, h->exe.len) : 0;
	if (n >= sizeof(exe))
		n = sizeof(exe) - 1;
	memcpy(exe, h->exe.p != NULL ? h->exe.p : "", n);
	exe[n] = '\0';
	i = proc_slot(ps, h->pid);
	if (ps->v[i].pid == 0) {
		ps->v[i].pid = h->pid;
		ps->n++;
	}
	ps->v[i].exe = n > 0 ? exe_intern(ps, exe) : 0;
}

char *otlp_procs_resource(const otlp_procs *ps, uint32_t pid)
{
	outbuf b;
	otlp_resource res = {
		.pid = pid, .service = ps->service, .host_name = ps->host_name,
	};

	if (ps->cap > 0) {
		const struct otlp_proc *p = &ps->v[proc_slot(ps, pid)];

		if (p->pid == pid && p->exe != 0)
			res.exe = ps->exes[p->exe - 1];
	}
	outbuf_init_grow(&b);
	otlp_resource_json(&b, &res);
	return outbuf_take(&b);
}

void otlp_procs_free(otlp_procs *ps)
{
	for (size_t i = 0; i < ps->n_exes; i++)
		free(ps->exes[i]);
	free(ps->exes);
	free(ps->v);
	ps->v = NULL;
	ps->exes = NULL;
	ps->cap = ps->n = ps->n_exes = ps->cap_exes = 0;
}

/* The item of request @q, or else of failed connect @f, with fresh ids. */
static int make_item(otlp_procs *ps, const report_req *q,
		     const ht_rec_conn_fail *f, int64_t mono_to_unix,
		     otlp_item *out)
{
	outbuf b;
	otlp_ids ids;
	int err;

	memset(out, 0, sizeof(*out));
	err = otlp_random_ids(&ids);
	if (err < 0)
		return err;
	if (q != NULL && q->r->join != NULL && q->r->join->ids) {
		/* the pair's trace (join.h): a client's span has the id its
		 * server's span names as parent */
		memcpy(ids.trace, q->r->join->trace, sizeof(ids.trace));
		if (!(q->r->flags & HT_RF_SERVER))
			memcpy(ids.span, q->r->join->span, sizeof(ids.span));
		else /* its own, which its thread's calls name as parent */
			memcpy(ids.span, q->r->join->self, sizeof(ids.span));
	}
	outbuf_init_grow(&b);
	if (q != NULL)
		out->n_spans = (uint32_t)otlp_spans_json(&b, q, mono_to_unix, &ids);
	else
		out->n_spans = (uint32_t)otlp_fail_spans_json(&b, f, mono_to_unix,
							      &ids);
	out->spans = outbuf_take(&b);
	out->resource = otlp_procs_resource(ps, q != NULL ? q->r->pid : f->pid);
	if (out->spans == NULL || out->resource == NULL) {
		otlp_item_free(out);
		return -ENOMEM;
	}
	return 0;
}

int otlp_make_item(otlp_procs *ps, const report_req *q, int64_t mono_to_unix,
		   otlp_item *out)
{
	return make_item(ps, q, NULL, mono_to_unix, out);
}

int otlp_make_fail_item(otlp_procs *ps, const ht_rec_conn_fail *f,
			int64_t mono_to_unix, otlp_item *out)
{
	return make_item(ps, NULL, f, mono_to_unix, out);
}

int otlp_make_ws_item(otlp_procs *ps, const report_ws *s, int64_t mono_to_unix,
		      otlp_item *out)
{
	outbuf b;
	otlp_ids ids;
	int err = otlp_random_ids(&ids);

	memset(out, 0, sizeof(*out));
	if (err < 0)
		return err;
	outbuf_init_grow(&b);
	out->n_spans = (uint32_t)otlp_ws_spans_json(&b, s, mono_to_unix, &ids);
	out->spans = outbuf_take(&b);
	out->resource = otlp_procs_resource(ps, s->w->pid);
	if (out->spans == NULL || out->resource == NULL) {
		otlp_item_free(out);
		return -ENOMEM;
	}
	return 0;
}

void otlp_req_fill(report_req *q, const ht_rec_request *r, otlp_scratch *s)
{
	memset(q, 0, sizeof(*q));
	q->r = r;
	report_timing_compute(r, &q->t);
	q->url = s->url;
	q->url_len = url_request(s->url, sizeof(s->url), r);
	q->host = s->host;
	q->host_len = url_host(s->host, sizeof(s->host), r);
	q->peer = s->peer;
	q->peer_len = url_peer(s->peer, sizeof(s->peer), &r->peer);
	q->proto = report_proto_str(r->proto);
	q->error = report_error_text(r, s->error, sizeof(s->error));
}
