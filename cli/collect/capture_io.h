/*
 * capture_io.h - writing a capture file ("-w FILE") from the collector's
 * tap; the format itself is capture.h.
 *
 * The writer appends each frame to a large buffer and write(2)s the buffer
 * when it is full, when the collector goes idle and at the end, so a
 * message costs a copy and a checksum, and the disk sees large writes.
 */
#ifndef HT_CAPTURE_IO_H
#define HT_CAPTURE_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collector.h"

/* Bytes buffered before a write(2). */
#define CAP_WRITE_BUF (1 << 20)

typedef struct cap_writer {
	/* READ-ONLY */
	uint64_t bytes;   /* handed to write(2) so far, header included */
	uint64_t frames;  /* frames encoded, CAP_END included */
	int err;          /* the first write error (an errno), 0 if none */
	/* PRIVATE */
	int fd;
	bool ended;       /* CAP_END written: later events are ignored */
	uint8_t *buf;
	size_t used;
} cap_writer;

/*
 * cap_writer_open() - create or truncate @path (mode 0666 minus umask) and
 * buffer the file header, with the Unix time now as the start and
 * @mono_to_unix (the live report's clock offset).  Returns 0 or -errno.
 */
int cap_writer_open(cap_writer *w, const char *path, int64_t mono_to_unix);

/* cap_writer_tap() - a collector_tap: append the event as a frame. */
void cap_writer_tap(void *ctx, enum collector_event ev, uint32_t peer,
		    const uint8_t *buf, size_t len);

/* cap_writer_flush() - write out what is buffered (the collector's idle
 * hook calls it).  After a write error, nothing more is written. */
void cap_writer_flush(cap_writer *w);

/*
 * cap_writer_finish() - append CAP_END with the collector's counts of
 * @records, @malformed and processes @refused, write everything out and
 * close the file.  Returns 0, or -errno of the first write (or close) that
 * failed.
 */
int cap_writer_finish(cap_writer *w, uint64_t records, uint64_t malformed,
		      uint64_t refused);

#endif
