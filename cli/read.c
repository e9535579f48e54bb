/* read.c - replay a capture into a report; see read.h. */
#include "read.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "collector.h"
#include "options.h"
#include "report.h"
#include "run.h"

/* Input is read this much at a time (and a frame never needs more). */
#define READ_CHUNK (1 << 20)

static const cli_command read_cmd = {
	.prog = "httptrace read",
	.set = CLI_OPT_FORMAT | CLI_OPT_OUTPUT,
	.in_order = false,
	.synopsis =
	"usage: httptrace read [-f text|json|events|har|summary|html|otlp] [-o FILE]"
	" [FILE|-]\n"
	"\n"
	"Write the report of a capture made with 'httptrace -w FILE' (or\n"
	"'httptrace listen -w FILE'), as the live run would have written it.\n"
	"Reads standard input when FILE is '-' or missing; writes to FILE\n"
	"given with -o, or standard output.\n",
	.trailer =
	"Exit status: 0 when the whole capture was read, 1 when it was cut\n"
	"short or damaged (the report covers everything before the damage),\n"
	"2 for other errors.\n",
};

/* The input: a buffer of bytes read but not yet parsed. */
typedef struct input {
	int fd;
	const char *name;  /* for messages */
	uint8_t *buf;
	size_t start, end; /* unparsed bytes: buf[start..end) */
	uint64_t offset;   /* file offset of buf[start] */
	bool eof;
	int err;           /* errno of a failed read */
} input;

/* Move the unparsed bytes to the front and read more after them.  Returns
 * false at end of file (or on an error, in in->err). */
static bool fill(input *in)
{
	if (in->start > 0) {
		memmove(in->buf, in->buf + in->start, in->end - in->start);
		in->end -= in->start;
		in->start = 0;
	}
	while (!in->eof && in->end < READ_CHUNK) {
		ssize_t n = read(in->fd, in->buf + in->end, READ_CHUNK - in->end);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			in->err = errno;
			in->eof = true;
			return false;
		}
		if (n == 0) {
			in->eof = true;
			return false;
		}
		in->end += (size_t)n;
		return true;
	}
	return false;
}

/* Where and why the frames stopped being readable. */
typedef struct damage {
	const char *what;  /* "cut short", "damaged" */
	const char *why;
	uint64_t at;       /* file offset */
	uint64_t frame;    /* number of the frame there, from 1 */
} damage;

/*
 * Replay the frames of @in into @col until the end mark, the end of the
 * input or damage.  Returns true for a clean capture; else fills @d.
 */
static bool replay(input *in, collector *col, run_out *ro, damage *d,
		   uint64_t *n_frames)
{
	uint64_t frame = 0, end_records = 0, end_malformed = 0;
	bool ended = false;
	static char why[160];

	for (;;) {
		cap_frame f;
		long n = cap_frame_parse(in->buf + in->start,
					 in->end - in->start, &f);

		if (n == 0) {
			if (fill(in))
				continue;
			if (in->end > in->start) {
				d->what = "cut short";
				d->why = in->err ? strerror(in->err) :
					 "file ends inside a frame";
				break;
			}
			if (in->err) {
				d->what = "cut short";
				d->why = strerror(in->err);
				break;
			}
			if (!ended) {
				d->what = "cut short";
				d->why = "no end mark (the collector did not "
					 "finish writing it)";
				break;
			}
			*n_frames = frame;
			/* The live collector's counts must be the replay's. */
			if (end_records != col->records ||
			    end_malformed != col->malformed) {
				snprintf(why, sizeof(why),
					 "replayed %llu records and %llu "
					 "malformed, the capture says %llu and "
					 "%llu",
					 (unsigned long long)col->records,
					 (unsigned long long)col->malformed,
					 (unsigned long long)end_records,
					 (unsigned long long)end_malformed);
				d->what = "inconsistent";
				d->why = why;
				d->frame = frame; /* the end mark */
				d->at = in->offset;
				return false;
			}
			return true;
		}
		if (n < 0) {
			d->what = "damaged";
			d->why = cap_strerror((int)-n);
			break;
		}
		if (ended) {
			d->what = "damaged";
			d->why = "data after the end mark";
			break;
		}
		if (f.kind == CAP_END) {
			/* the processes the live collector refused: the
			 * replay cannot count them, the capture says them */
			cap_end_parse(f.data, f.len, &end_records,
				      &end_malformed, &col->refused);
			ended = true;
		} else if (f.kind == CAP_TICK || f.kind == CAP_FLUSH) {
			/* where the live run let held records out */
			run_out_replay(ro, f.kind, f.data, f.len);
		} else if (collector_replay(col, f.kind, f.peer, f.data,
					    f.len) < 0) {
			d->what = "damaged";
			d->why = "peer id out of range";
			break;
		}
		frame++;
		in->start += (size_t)n;
		in->offset += (uint64_t)n;
	}
	/* Damage is in the frame after the last good one. */
	d->at = in->offset;
	d->frame = frame + 1;
	*n_frames = frame;
	return false;
}

/* Read and check the file header into @h.  Returns 0, or -1 after a
 * message. */
static int read_header(input *in, cap_header *h)
{
	long n;

	for (;;) {
		n = cap_header_parse(in->buf + in->start, in->end - in->start, h);
		if (n != -CAP_E_SHORT || !fill(in))
			break;
	}
	if (in->err) {
		fprintf(stderr, "httptrace: %s: %s\n", in->name, strerror(in->err));
		return -1;
	}
	if (n == -CAP_E_SHORT) {
		fprintf(stderr, "httptrace: %s: %s\n", in->name,
			in->end == 0 ? "empty file, not a capture" :
				       "capture cut short inside its header");
		return -1;
	}
	if (n == -CAP_E_VERSION) {
		fprintf(stderr, "httptrace: %s: capture format version %u; "
			"this httptrace reads versions %u to %u\n", in->name,
			h->version, CAP_VERSION_MIN, CAP_VERSION);
		return -1;
	}
	if (n < 0) {
		fprintf(stderr, "httptrace: %s: %s\n", in->name,
			cap_strerror((int)-n));
		return -1;
	}
	if (h->wire_version != HT_WIRE_VERSION) {
		fprintf(stderr, "httptrace: %s: records in wire format version "
			"%u; this httptrace reads version %u\n", in->name,
			h->wire_version, HT_WIRE_VERSION);
		return -1;
	}
	in->start += (size_t)n;
	in->offset = (uint64_t)n;
	return 0;
}

int read_main(int argc, char **argv)
{
	static report rp; /* large: not on the stack */
	static cli_opts co; /* large: not on the stack */
	enum report_format format;
	const char *output;
	input in = { .fd = -1 };
	collector col;
	static run_out ro; /* large (the joiner): not on the stack */
	cap_header h;
	damage d = { 0 };
	uint64_t frames = 0;
	FILE *out;
	int err, ret = READ_EXIT_OK;
	bool clean;

	err = cli_parse(&read_cmd, argc, argv, &co);
	if (err != CLI_PARSE_GO_ON)
		return err == CLI_PARSE_DONE ? READ_EXIT_OK : READ_EXIT_ERROR;
	format = co.format;
	output = co.output;
	if (argc - optind > 1) {
		fputs("httptrace: read: one capture FILE at most\n", stderr);
		cli_usage(&read_cmd, stderr);
		return READ_EXIT_ERROR;
	}
	if (optind == argc || strcmp(argv[optind], "-") == 0) {
		in.fd = STDIN_FILENO;
		in.name = "standard input";
		if (isatty(in.fd)) {
			fputs("httptrace: read: give a capture FILE, or pipe "
			      "one in\n", stderr);
			return READ_EXIT_ERROR;
		}
	} else {
		in.name = argv[optind];
		in.fd = open(in.name, O_RDONLY | O_CLOEXEC);
		if (in.fd < 0) {
			fprintf(stderr, "httptrace: %s: %s\n", in.name,
				strerror(errno));
			return READ_EXIT_ERROR;
		}
	}
	in.buf = malloc(READ_CHUNK);
	if (in.buf == NULL) {
		fprintf(stderr, "httptrace: %s\n", strerror(ENOMEM));
		ret = READ_EXIT_ERROR;
		goto close_in;
	}
	if (read_header(&in, &h) < 0) {
		ret = READ_EXIT_ERROR;
		goto close_in;
	}
	out = run_open_output(output, STDOUT_FILENO);
	if (out == NULL) {
		fprintf(stderr, "httptrace: %s: %s\n",
			output ? output : "standard output", strerror(errno));
		ret = READ_EXIT_ERROR;
		goto close_in;
	}
	report_init(&rp, out, format,
		    format == REPORT_TEXT && getenv("NO_COLOR") == NULL &&
			    isatty(fileno(out)));
	if (output != NULL)
		report_own_output(&rp);
	run_ignore_sigxfsz(NULL);
	/* Times convert as they did in the live run. */
	rp.mono_to_unix = h.mono_to_unix;
	if (collector_init(&col, report_record, NULL, &rp) < 0) {
		fprintf(stderr, "httptrace: epoll_create1: %s\n", strerror(errno));
		ret = READ_EXIT_ERROR;
		goto close_out;
	}
	/* The records go out as the live run's did: through the joiner
	 * (join.h), on the clock the capture kept.  A version 1 capture
	 * kept none: its records go out as they came. */
	ro = (run_out){ .rp = &rp, .replay = true };
	if (h.version >= 2)
		run_out_attach(&ro, &col, false);
	clean = replay(&in, &col, &ro, &d, &frames);
	/* the records still held go out, as at the live run's end */
	run_out_replay(&ro, COLLECTOR_EV_FLUSH, NULL, 0);
	run_out_discard(&ro);
	/* Whatever came before the damage is reported, summary included. */
	err = report_finish(&rp, col.malformed, col.refused);
	if (err < 0) {
		fprintf(stderr, "httptrace: writing the report to %s failed: "
			"%s\n", output ? output : "standard output",
			strerror(-err));
		ret = READ_EXIT_ERROR;
	}
	if (!clean) {
		fprintf(stderr, "httptrace: %s: capture %s at byte %llu "
			"(frame %llu): %s; reported the %llu frames (%llu "
			"records) before it\n", in.name, d.what,
			(unsigned long long)d.at, (unsigned long long)d.frame,
			d.why, (unsigned long long)frames,
			(unsigned long long)col.records);
		if (ret == READ_EXIT_OK)
			ret = READ_EXIT_DAMAGED;
	}
	collector_close(&col);
close_out:
	report_free(&rp);
	fclose(out);
close_in:
	free(in.buf);
	if (in.fd != STDIN_FILENO)
		close(in.fd);
	return ret;
}
