/* capture_io.c - the capture writer; see capture_io.h. */
#include "capture_io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"

/* The tap's events are the capture's frame kinds. */
_Static_assert((int)COLLECTOR_EV_OPEN == (int)CAP_OPEN &&
		       (int)COLLECTOR_EV_MSG == (int)CAP_MSG &&
		       (int)COLLECTOR_EV_TRUNC == (int)CAP_TRUNC &&
		       (int)COLLECTOR_EV_CLOSE == (int)CAP_CLOSE &&
		       (int)COLLECTOR_EV_CLOCK == (int)CAP_CLOCK &&
		       (int)COLLECTOR_EV_TICK == (int)CAP_TICK &&
		       (int)COLLECTOR_EV_FLUSH == (int)CAP_FLUSH,
	       "collector events and capture frame kinds differ");
_Static_assert(CAP_WRITE_BUF >= CAP_HDR_LEN + CAP_MAX_FRAME,
	       "the write buffer must hold any frame");
_Static_assert(COLLECTOR_MSG <= CAP_MAX_PAYLOAD,
	       "a capture frame must hold any message the collector takes");

int cap_writer_open(cap_writer *w, const char *path, int64_t mono_to_unix)
{
	struct timespec now;
	cap_header h = {
		.wire_version = HT_WIRE_VERSION,
		.mono_to_unix = mono_to_unix,
	};

	*w = (cap_writer){ .fd = -1 };
	w->buf = malloc(CAP_WRITE_BUF);
	if (w->buf == NULL)
		return -ENOMEM;
	w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (w->fd < 0) {
		int err = -errno;

		free(w->buf);
		w->buf = NULL;
		return err;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	h.start_ns = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
	w->used = cap_header_encode(w->buf, &h);
	return 0;
}

void cap_writer_flush(cap_writer *w)
{
	size_t done = 0;

	while (w->err == 0 && done < w->used) {
		ssize_t n = write(w->fd, w->buf + done, w->used - done);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			w->err = errno;
			break;
		}
		done += (size_t)n;
		w->bytes += (uint64_t)n;
	}
	/* After an error the rest is dropped: the capture ends at the
	 * damage, and the error is reported at the end. */
	w->used = 0;
}

/* Append one frame, writing the buffer out first when it would not fit. */
static void append(cap_writer *w, unsigned kind, uint32_t peer,
		   const void *data, size_t len)
{
	size_t n;

	if (w->buf == NULL)
		return;
	if (CAP_WRITE_BUF - w->used < CAP_FRAME_HDR + len)
		cap_writer_flush(w);
	n = cap_frame_encode(w->buf + w->used, CAP_WRITE_BUF - w->used, kind,
			     peer, data, len);
	w->used += n;
	w->frames += n > 0;
}

void cap_writer_tap(void *ctx, enum collector_event ev, uint32_t peer,
		    const uint8_t *buf, size_t len)
{
	cap_writer *w = ctx;

	if (!w->ended)
		append(w, (unsigned)ev, peer, buf, len);
}

int cap_writer_finish(cap_writer *w, uint64_t records, uint64_t malformed,
		      uint64_t refused)
{
	uint8_t end[CAP_END_LEN_REFUSED];
	size_t len;

	if (w->buf == NULL)
		return 0;
	len = cap_end_encode(end, records, malformed, refused);
	append(w, CAP_END, 0, end, len);
	w->ended = true;
	cap_writer_flush(w);
	if (close(w->fd) < 0 && w->err == 0)
		w->err = errno;
	w->fd = -1;
	free(w->buf);
	w->buf = NULL;
	return -w->err;
}
