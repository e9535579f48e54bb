/*
 * env.h - "httptrace env": the shell lines that make programs started
 * elsewhere report to a standing collector (listen.h).
 */
#ifndef HT_ENV_H
#define HT_ENV_H

/*
 * env_main() - httptrace env -s PATH [--redact NAME]...
 * [--redact-query NAME]... [--no-redact]: print the shell lines that make
 * a program report to the collector listening on PATH (LD_PRELOAD in
 * front of any value it had, HTTPTRACE_SOCKET made absolute, and the
 * HTTPTRACE_REDACT* variables of the redaction options).  Returns 0, or
 * RUN_EXIT_FAILURE after a message.
 */
int env_main(int argc, char **argv);

#endif
