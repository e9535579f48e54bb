/*
 * sinks.h - where the collector's records go: the report (the output file)
 * and, when asked for, the OTLP exporter and the Prometheus metrics.  One
 * collector_sink that hands each record to each of them in turn.
 */
#ifndef HT_SINKS_H
#define HT_SINKS_H

#include "report.h"
#include "wire.h"

struct otlp_exporter;
struct metrics;

typedef struct sinks {
	report *rp;                 /* always */
	struct otlp_exporter *otlp; /* NULL: no --otlp */
	struct metrics *metrics;    /* NULL: no --metrics */
} sinks;

/* sinks_record() - collector_sink: report, then exporter, then metrics. */
void sinks_record(void *ctx, const ht_record *rec);

/* sinks_flush() - collector_idle: flush the report's output. */
void sinks_flush(void *ctx);

#endif
