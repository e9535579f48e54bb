/* otlp_export.c - the OTLP/HTTP exporter thread; see otlp_export.h. */
#include "otlp_export.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- configuration (pure parts first) ------------------------------------ */

char *otlp_traces_url(const char *base)
{
	static const char suffix[] = "/v1/traces";
	size_t n = strlen(base), sl = sizeof(suffix) - 1;
	char *u;

	if (n >= sl && strcmp(base + n - sl, suffix) == 0)
		return strdup(base);
	while (n > 0 && base[n - 1] == '/')
		n--;
	u = malloc(n + sl + 1);
	if (u == NULL)
		return NULL;
	memcpy(u, base, n);
	memcpy(u + n, suffix, sl + 1);
	return u;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Percent-decode @s[0..n) with the surrounding whitespace trimmed into a
 * new string (*@len its length: it may hold a NUL). */
static char *decode(const char *s, size_t n, size_t *len)
{
	char *o, *p;

	while (n > 0 && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	o = p = malloc(n + 1);
	if (o == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		int h, l;

		if (s[i] == '%' && i + 2 < n && (h = hexval(s[i + 1])) >= 0 &&
		    (l = hexval(s[i + 2])) >= 0) {
			*p++ = (char)(h * 16 + l);
			i += 2;
		} else {
			*p++ = s[i];
		}
	}
	*p = '\0';
	*len = (size_t)(p - o);
	return o;
}

/* An HTTP token (RFC 9110): what a header name may hold. */
static bool is_token(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!(isalnum(c) || strchr("!#$%&'*+-.^_`|~", c) != NULL) || c == 0)
			return false;
	}
	return true;
}

int otlp_parse_headers(const char *s, char ***v, size_t *n)
{
	int skipped = 0;

	while (s != NULL && *s != '\0') {
		const char *comma = strchr(s, ',');
		size_t plen = comma ? (size_t)(comma - s) : strlen(s);
		const char *eq = memchr(s, '=', plen);
		char *key = NULL, *val = NULL, *line, **nv;
		size_t klen = 0, vlen = 0;

		if (eq == NULL) {
			/* an empty element (",,") is not an error */
			bool blank = true;

			for (size_t i = 0; i < plen; i++)
				blank &= isspace((unsigned char)s[i]) != 0;
			skipped += !blank;
			goto next;
		}
		key = decode(s, (size_t)(eq - s), &klen);
		val = decode(eq + 1, plen - (size_t)(eq - s) - 1, &vlen);
		if (key == NULL || val == NULL) {
			free(key);
			free(val);
			return -ENOMEM;
		}
		if (!is_token(key, klen) || strlen(val) != vlen ||
		    strpbrk(val, "\r\n") != NULL) {
			skipped++;
			free(key);
			free(val);
			goto next;
		}
		line = malloc(klen + vlen + 3);
		nv = realloc(*v, (*n + 1) * sizeof(**v));
		if (line == NULL || nv == NULL) {
			free(line);
			if (nv != NULL)
				*v = nv;
			free(key);
			free(val);
			return -ENOMEM;
		}
		*v = nv;
		snprintf(line, klen + vlen + 3, "%s: %s", key, val);
		(*v)[(*n)++] = line;
		free(key);
		free(val);
next:
		s = comma ? comma + 1 : NULL;
	}
	return skipped;
}

/* A positive integer from the environment, else @def; -1 when bad. */
static long env_long(const char *name, long def, FILE *err)
{
	const char *s = getenv(name);
	char *end;
	long v;

	if (s == NULL || *s == '\0')
		return def;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v <= 0) {
		fprintf(err, "httptrace: %s='%s': not a positive integer\n", name, s);
		return -1;
	}
	return v;
}

static const char *env_first(const char *a, const char *b)
{
	const char *s = getenv(a);

	if (s != NULL && *s != '\0')
		return s;
	s = getenv(b);
	return s != NULL && *s != '\0' ? s : NULL;
}

int otlp_config_init(otlp_config *c, const char *arg, FILE *err)
{
	const char *h;
	long q, b, d, t;
	int skipped;

	memset(c, 0, sizeof(*c));
	if (strcmp(arg, "default") != 0) {
		c->url = otlp_traces_url(arg);
	} else if ((h = getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")) != NULL &&
		   *h != '\0') {
		c->url = strdup(h); /* the signal's own variable: used as is */
	} else {
		h = getenv("OTEL_EXPORTER_OTLP_ENDPOINT");
		c->url = otlp_traces_url(h != NULL && *h != '\0' ?
					 h : "http://localhost:4318");
	}
	if (c->url == NULL)
		return -ENOMEM;
	if (strncasecmp(c->url, "http://", 7) != 0 &&
	    strncasecmp(c->url, "https://", 8) != 0) {
		fprintf(err, "httptrace: --otlp %s: not an http:// or https:// URL\n",
			c->url);
		otlp_config_free(c);
		return -EINVAL;
	}
	/* The generic headers first, then the traces-only ones. */
	for (int i = 0; i < 2; i++) {
		const char *name = i == 0 ? "OTEL_EXPORTER_OTLP_HEADERS"
					  : "OTEL_EXPORTER_OTLP_TRACES_HEADERS";

		skipped = otlp_parse_headers(getenv(name), &c->headers,
					     &c->n_headers);
		if (skipped < 0) {
			otlp_config_free(c);
			return -ENOMEM;
		}
		if (skipped > 0)
			fprintf(err, "httptrace: %s: %d malformed entr%s ignored\n",
				name, skipped, skipped == 1 ? "y" : "ies");
	}
	q = env_long("OTEL_BSP_MAX_QUEUE_SIZE", 2048, err);
	b = env_long("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", 512, err);
	d = env_long("OTEL_BSP_SCHEDULE_DELAY", 5000, err);
	h = env_first("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT",
		      "OTEL_EXPORTER_OTLP_TIMEOUT");
	t = 10000;
	if (h != NULL) {
		char *end;

		errno = 0;
		t = strtol(h, &end, 10);
		if (errno != 0 || *end != '\0' || t <= 0) {
			fprintf(err, "httptrace: OTLP timeout '%s': not a "
				"positive integer\n", h);
			t = -1;
		}
	}
	if (q < 0 || b < 0 || d < 0 || t < 0) {
		otlp_config_free(c);
		return -EINVAL;
	}
	c->queue_max = (size_t)q;
	c->batch_max = (size_t)(b > q ? q : b); /* as the BSP spec says */
	c->delay_ms = d;
	c->timeout_ms = t;
	c->exit_wait_ms = t < 5000 ? t : 5000;
	c->max_attempts = 5;
	h = env_first("OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE",
		      "OTEL_EXPORTER_OTLP_CERTIFICATE");
	if (h != NULL && (c->ca_file = strdup(h)) == NULL) {
		otlp_config_free(c);
		return -ENOMEM;
	}
	return 0;
}

void otlp_config_free(otlp_config *c)
{
	for (size_t i = 0; i < c->n_headers; i++)
		free(c->headers[i]);
	free(c->headers);
	free(c->url);
	free(c->ca_file);
	memset(c, 0, sizeof(*c));
}

void otlp_procs_setup(otlp_procs *ps)
{
	static char host[256];
	const char *s = getenv("OTEL_SERVICE_NAME");

	ps->service = s != NULL && *s != '\0' ? s : NULL;
	if (gethostname(host, sizeof(host) - 1) < 0)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	ps->host_name = host;
}

/* ---- the exporter -------------------------------------------------------- */

struct otlp_exporter {
	otlp_config cfg;
	/* Intake side (the collector's thread) only. */
	otlp_procs procs;
	otlp_scratch scratch;
	int64_t mono_to_unix;
	/* Exporter thread only. */
	CURL *curl;
	struct curl_slist *hdrs;
	bool warned;
	/* Shared, under mu. */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t th;
	otlp_item *q;          /* ring of cfg.queue_max */
	size_t head, n;
	bool stopping;
	uint64_t stop_deadline; /* CLOCK_MONOTONIC ns, once stopping */
	otlp_stats st;
};

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static struct timespec ts_of(uint64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000u),
			       (long)(ns % 1000000000u) };
	return ts;
}

/* Past the deadline of the stop?  (Called with mu held or not: a racy read
 * of two words only decides when to give up.) */
static bool out_of_time(otlp_exporter *ex)
{
	bool late;

	pthread_mutex_lock(&ex->mu);
	late = ex->stopping && now_ns(CLOCK_MONOTONIC) >= ex->stop_deadline;
	pthread_mutex_unlock(&ex->mu);
	return late;
}

/* libcurl's progress callback: abort a transfer once time is up. */
static int xferinfo(void *p, curl_off_t dt, curl_off_t dn, curl_off_t ut,
		    curl_off_t un)
{
	return out_of_time(p) ? 1 : 0;
}

static size_t discard(char *ptr, size_t size, size_t n, void *ud)
{
	return size * n;
}

/* Wait @ms (or until the stop deadline, whichever is first); false when
 * time is up and the caller should give up. */
static bool backoff(otlp_exporter *ex, long ms)
{
	uint64_t until = now_ns(CLOCK_MONOTONIC) + (uint64_t)ms * 1000000u;
	bool ok = true;

	pthread_mutex_lock(&ex->mu);
	for (;;) {
		uint64_t now = now_ns(CLOCK_MONOTONIC);
		struct timespec ts;

		if (ex->stopping && (until > ex->stop_deadline ||
				     now >= ex->stop_deadline)) {
			ok = false;
			break;
		}
		if (now >= until)
			break;
		ts = ts_of(until);
		pthread_cond_timedwait(&ex->cv, &ex->mu, &ts);
	}
	pthread_mutex_unlock(&ex->mu);
	return ok;
}

static bool retryable_status(long code)
{
	return code == 429 || code == 502 || code == 503 || code == 504;
}

/* POST @body, retrying; returns true when the receiver took it. */
static bool post(otlp_exporter *ex, const char *body, size_t len)
{
	long delay = 250;

	for (int attempt = 1;; attempt++) {
		long code = 0;
		curl_off_t retry_after = 0;
		CURLcode rc;
		bool retry;

		curl_easy_setopt(ex->curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(ex->curl, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)len);
		rc = curl_easy_perform(ex->curl);
		if (rc == CURLE_OK) {
			curl_easy_getinfo(ex->curl, CURLINFO_RESPONSE_CODE, &code);
			if (code >= 200 && code < 300)
				return true;
			curl_easy_getinfo(ex->curl, CURLINFO_RETRY_AFTER,
					  &retry_after);
			retry = retryable_status(code);
		} else {
			/* connection refused, timeouts, resets: the receiver
			 * may be back soon.  An abort means time is up. */
			retry = rc != CURLE_ABORTED_BY_CALLBACK &&
				rc != CURLE_URL_MALFORMAT &&
				rc != CURLE_UNSUPPORTED_PROTOCOL;
		}
		if (!retry || attempt >= ex->cfg.max_attempts) {
			if (!ex->warned) {
				ex->warned = true; /* once: not a line per batch */
				if (rc == CURLE_OK)
					fprintf(stderr, "httptrace: otlp: POST %s: "
						"HTTP %ld\n", ex->cfg.url, code);
				else
					fprintf(stderr, "httptrace: otlp: POST %s: "
						"%s\n", ex->cfg.url,
						curl_easy_strerror(rc));
			}
			return false;
		}
		/* Exponential backoff with up to 25% jitter; Retry-After
		 * (seconds) when the receiver gave one, capped at 30 s. */
		{
			long wait = delay + (long)(now_ns(CLOCK_MONOTONIC) %
						   (uint64_t)(delay / 4 + 1));

			if (retry_after > 0)
				wait = retry_after > 30 ? 30000 : (long)retry_after * 1000;
			if (!backoff(ex, wait))
				return false;
		}
		delay = delay * 2 > 5000 ? 5000 : delay * 2;
		pthread_mutex_lock(&ex->mu);
		ex->st.retries++;
		pthread_mutex_unlock(&ex->mu);
	}
}

static void export_batch(otlp_exporter *ex, otlp_item *items, size_t k)
{
	outbuf b;
	uint64_t spans = 0;
	bool ok;

	outbuf_init_grow(&b);
	otlp_export_json(&b, items, k);
	for (size_t i = 0; i < k; i++)
		spans += items[i].n_spans;
	ok = outbuf_error(&b) == 0 &&
	     post(ex, outbuf_str(&b), outbuf_len(&b));
	outbuf_free(&b);
	pthread_mutex_lock(&ex->mu);
	if (ok) {
		ex->st.sent += k;
		ex->st.spans_sent += spans;
		ex->st.batches++;
	} else {
		ex->st.failed += k;
	}
	pthread_mutex_unlock(&ex->mu);
	for (size_t i = 0; i < k; i++)
		otlp_item_free(&items[i]);
}

static void *exporter_main(void *arg)
{
	otlp_exporter *ex = arg;
	otlp_item *batch = calloc(ex->cfg.batch_max, sizeof(*batch));
	uint64_t next = now_ns(CLOCK_MONOTONIC) + (uint64_t)ex->cfg.delay_ms * 1000000u;

	pthread_mutex_lock(&ex->mu);
	for (;;) {
		size_t k;

		/* Wait for a full batch, the schedule delay, or the stop. */
		while (!ex->stopping && ex->n < ex->cfg.batch_max &&
		       now_ns(CLOCK_MONOTONIC) < next) {
			struct timespec ts = ts_of(next);

			pthread_cond_timedwait(&ex->cv, &ex->mu, &ts);
		}
		if (ex->n == 0) {
			if (ex->stopping)
				break;
			next = now_ns(CLOCK_MONOTONIC) +
			       (uint64_t)ex->cfg.delay_ms * 1000000u;
			continue;
		}
		if (ex->stopping && now_ns(CLOCK_MONOTONIC) >= ex->stop_deadline)
			break; /* what is left is counted as unsent */
		if (batch == NULL) { /* out of memory: drop rather than spin */
			while (ex->n > 0) {
				otlp_item_free(&ex->q[ex->head]);
				ex->head = (ex->head + 1) % ex->cfg.queue_max;
				ex->n--;
				ex->st.failed++;
			}
			continue;
		}
		k = ex->n < ex->cfg.batch_max ? ex->n : ex->cfg.batch_max;
		for (size_t i = 0; i < k; i++) {
			batch[i] = ex->q[ex->head];
			ex->head = (ex->head + 1) % ex->cfg.queue_max;
		}
		ex->n -= k;
		pthread_mutex_unlock(&ex->mu);
		export_batch(ex, batch, k);
		pthread_mutex_lock(&ex->mu);
		next = now_ns(CLOCK_MONOTONIC) + (uint64_t)ex->cfg.delay_ms * 1000000u;
	}
	pthread_mutex_unlock(&ex->mu);
	free(batch);
	return NULL;
}

int start_thread(pthread_t *th, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	int rc;

	/* The thread inherits a mask blocking every signal, so the signals
	 * the collector reads from its signalfd never land in it. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(th, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

otlp_exporter *otlp_exporter_start(otlp_config *cfg)
{
	otlp_exporter *ex = calloc(1, sizeof(*ex));
	pthread_condattr_t ca;

	if (ex == NULL) {
		otlp_config_free(cfg);
		fputs("httptrace: otlp: out of memory\n", stderr);
		return NULL;
	}
	ex->cfg = *cfg;
	memset(cfg, 0, sizeof(*cfg));
	ex->q = calloc(ex->cfg.queue_max, sizeof(*ex->q));
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    ex->q == NULL || (ex->curl = curl_easy_init()) == NULL) {
		fputs("httptrace: otlp: cannot set up libcurl\n", stderr);
		goto fail;
	}
	otlp_procs_setup(&ex->procs);
	ex->mono_to_unix = report_clock_offset(); /* the report's own */

	ex->hdrs = curl_slist_append(NULL, "Content-Type: application/json");
	for (size_t i = 0; ex->hdrs != NULL && i < ex->cfg.n_headers; i++) {
		struct curl_slist *h = curl_slist_append(ex->hdrs, ex->cfg.headers[i]);

		if (h == NULL) {
			curl_slist_free_all(ex->hdrs);
			ex->hdrs = NULL;
		} else {
			ex->hdrs = h;
		}
	}
	/* libcurl sends "Expect: 100-continue" before a large POST and waits
	 * a second for the answer: not worth it on a collector link. */
	if (ex->hdrs != NULL)
		ex->hdrs = curl_slist_append(ex->hdrs, "Expect:");
	if (ex->hdrs == NULL) {
		fputs("httptrace: otlp: out of memory\n", stderr);
		goto fail;
	}
	curl_easy_setopt(ex->curl, CURLOPT_URL, ex->cfg.url);
	curl_easy_setopt(ex->curl, CURLOPT_HTTPHEADER, ex->hdrs);
	curl_easy_setopt(ex->curl, CURLOPT_USERAGENT, "httptrace/" HTTPTRACE_VERSION);
	curl_easy_setopt(ex->curl, CURLOPT_NOSIGNAL, 1L); /* a thread of its own */
	curl_easy_setopt(ex->curl, CURLOPT_TIMEOUT_MS, ex->cfg.timeout_ms);
	curl_easy_setopt(ex->curl, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(ex->curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(ex->curl, CURLOPT_XFERINFOFUNCTION, xferinfo);
	curl_easy_setopt(ex->curl, CURLOPT_XFERINFODATA, ex);
	if (ex->cfg.ca_file != NULL) /* a CA to trust instead of the system's */
		curl_easy_setopt(ex->curl, CURLOPT_CAINFO, ex->cfg.ca_file);

	pthread_mutex_init(&ex->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&ex->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (start_thread(&ex->th, exporter_main, ex) != 0) {
		fputs("httptrace: otlp: cannot start the exporter thread\n", stderr);
		pthread_cond_destroy(&ex->cv);
		pthread_mutex_destroy(&ex->mu);
		goto fail;
	}
	return ex;
fail:
	if (ex->curl != NULL)
		curl_easy_cleanup(ex->curl);
	curl_slist_free_all(ex->hdrs);
	otlp_procs_free(&ex->procs);
	free(ex->q);
	otlp_config_free(&ex->cfg);
	free(ex);
	return NULL;
}

void otlp_exporter_record(otlp_exporter *ex, const ht_record *rec)
{
	report_req q;
	otlp_item it;
	bool full;

	if (rec->type == HT_REC_HELLO) {
		otlp_procs_hello(&ex->procs, &rec->u.hello);
		return;
	}
	if (rec->type != HT_REC_REQUEST && rec->type != HT_REC_CONN_FAIL)
		return;
	/* Only the intake thread adds, so a queue with room now still has
	 * room after the encoding below. */
	pthread_mutex_lock(&ex->mu);
	full = ex->n >= ex->cfg.queue_max;
	if (full)
		ex->st.dropped_full++;
	pthread_mutex_unlock(&ex->mu);
	if (full)
		return;
	if (rec->type == HT_REC_REQUEST)
		otlp_req_fill(&q, &rec->u.req, &ex->scratch);
	if ((rec->type == HT_REC_REQUEST ?
		     otlp_make_item(&ex->procs, &q, ex->mono_to_unix, &it) :
		     otlp_make_fail_item(&ex->procs, &rec->u.fail, ex->mono_to_unix,
					 &it)) < 0) {
		pthread_mutex_lock(&ex->mu);
		ex->st.failed++;
		pthread_mutex_unlock(&ex->mu);
		return;
	}
	pthread_mutex_lock(&ex->mu);
	ex->q[(ex->head + ex->n) % ex->cfg.queue_max] = it;
	ex->n++;
	if (ex->n >= ex->cfg.batch_max)
		pthread_cond_signal(&ex->cv);
	pthread_mutex_unlock(&ex->mu);
}

void otlp_exporter_stop(otlp_exporter *ex, otlp_stats *st)
{
	pthread_mutex_lock(&ex->mu);
	ex->stopping = true;
	ex->stop_deadline = now_ns(CLOCK_MONOTONIC) +
			    (uint64_t)ex->cfg.exit_wait_ms * 1000000u;
	pthread_cond_broadcast(&ex->cv);
	pthread_mutex_unlock(&ex->mu);
	pthread_join(ex->th, NULL);

	while (ex->n > 0) {
		otlp_item_free(&ex->q[ex->head]);
		ex->head = (ex->head + 1) % ex->cfg.queue_max;
		ex->n--;
		ex->st.unsent++;
	}
	*st = ex->st;
	curl_easy_cleanup(ex->curl);
	curl_slist_free_all(ex->hdrs);
	curl_global_cleanup();
	pthread_cond_destroy(&ex->cv);
	pthread_mutex_destroy(&ex->mu);
	otlp_procs_free(&ex->procs);
	free(ex->q);
	otlp_config_free(&ex->cfg);
	free(ex);
}

void otlp_stats_print(FILE *f, const otlp_stats *st)
{
	fprintf(f, "httptrace: otlp: %llu requests sent (%llu spans in %llu "
		"batches), %llu retries, %llu dropped (%llu queue full, %llu "
		"failed, %llu unsent at exit)\n",
		(unsigned long long)st->sent, (unsigned long long)st->spans_sent,
		(unsigned long long)st->batches, (unsigned long long)st->retries,
		(unsigned long long)(st->dropped_full + st->failed + st->unsent),
		(unsigned long long)st->dropped_full,
		(unsigned long long)st->failed, (unsigned long long)st->unsent);
}
