/* sinks.c - fan a record out to the report and the exporters; see sinks.h. */
#include "sinks.h"

#include "metrics.h"
#include "otlp_export.h"

void sinks_record(void *ctx, const ht_record *rec)
{
	sinks *s = ctx;

	report_record(s->rp, rec);
	if (s->otlp != NULL)
		otlp_exporter_record(s->otlp, rec);
	if (s->metrics != NULL)
		metrics_record(s->metrics, rec);
}

void sinks_flush(void *ctx)
{
	sinks *s = ctx;

	report_flush(s->rp);
}
