/*
 * listen.h - "httptrace listen": a standing collector for programs started
 * elsewhere with LD_PRELOAD and HTTPTRACE_SOCKET (env.h prints the lines
 * that set those up).
 */
#ifndef HT_LISTEN_H
#define HT_LISTEN_H

/*
 * listen_main() - httptrace listen -s PATH [-f FMT] [-o FILE]: serve PATH
 * until SIGINT or SIGTERM, writing records as they complete (HAR at the
 * end), then flush, remove the socket and return 0.  Returns
 * RUN_EXIT_FAILURE (after a message) when the socket cannot be made.
 */
int listen_main(int argc, char **argv);

#endif
