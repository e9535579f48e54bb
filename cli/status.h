/*
 * status.h - "httptrace status -s PATH": what a running `listen -s PATH`
 * has in flight now, asked through its control socket PATH.ctl.
 *
 * The control socket is a second socket, not a message on PATH: PATH's
 * connections are traced processes (each counted, tapped into a capture
 * and replayed from it, its messages decoded as records), and a question
 * from a person is none of those.  PATH.ctl is a SOCK_STREAM socket of
 * mode 0600 beside PATH; the collector answers only its own user
 * (SO_PEERCRED, as for records).  The exchange is one line asked
 * ("inflight text\n" or "inflight json\n"), the answer, and the close.
 * Nothing is asked of the traced programs: the answer is read from their
 * live pages (collector_inflight()).
 */
#ifndef HT_STATUS_H
#define HT_STATUS_H

#include <stddef.h>

#include "collector.h"

/* The control socket's suffix after the collector's socket path. */
#define STATUS_CTL_SUFFIX ".ctl"

/*
 * status_ctl_path() - @sock's control socket path (@sock + ".ctl") into
 * @buf (capacity @cap).  Returns 0, or -ENAMETOOLONG.
 */
int status_ctl_path(char *buf, size_t cap, const char *sock);

/*
 * status_listen() - make the control socket @path (a stale one left by a
 * collector that died is replaced; mode 0600), non-blocking.  Returns
 * the listening fd, or -errno.
 */
int status_listen(const char *path);

/*
 * status_serve() - answer every connection pending on the control socket
 * @fd with @c's requests in flight (@mono_to_unix: the report's offset
 * for Unix times).  A client of another user is closed unanswered; one
 * that does not ask within a second is closed too (the collector waits
 * that long at most).
 */
void status_serve(int fd, const collector *c, int64_t mono_to_unix);

/*
 * status_main() - httptrace status -s PATH [-f text|json]: print the
 * answer of the listen at PATH on standard output.  Returns 0, or
 * RUN_EXIT_FAILURE after a message (no listen there, bad usage).
 */
int status_main(int argc, char **argv);

#endif
