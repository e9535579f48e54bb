/*
 * read.h - "httptrace read": turn a capture (httptrace -w FILE) into a
 * report, exactly as the live run would have written it.
 */
#ifndef HT_READ_H
#define HT_READ_H

/* Exit statuses of "httptrace read". */
#define READ_EXIT_OK 0      /* the whole capture was read */
#define READ_EXIT_DAMAGED 1 /* cut short or corrupt: reported up to there */
#define READ_EXIT_ERROR 2   /* not a capture, unreadable, usage, output */

/*
 * read_main() - httptrace read [-f FORMAT] [-o FILE] [FILE|-]: replay the
 * capture FILE (standard input for "-" or none) through the collector's
 * decode path into a report on FILE (default: standard output).  Returns
 * one of the READ_EXIT_* statuses, after a message on standard error for
 * anything but READ_EXIT_OK.
 */
int read_main(int argc, char **argv);

#endif
