/*
 * floor_sized.c - a preloaded library as large as libhttptrace.so that does
 * no more than floor_getenv.c: its constructor reads one variable of the
 * environment, and it carries as many bytes in its read-only and its
 * writable segment as the library (FLOOR_RX, FLOOR_RW: scripts/bench.sh
 * measures them on the library and builds this with them, Makefile).  What
 * the loader and the kernel charge a process for mapping an object of that
 * size is told apart from what the library's own code costs
 * (scripts/bench.sh procs).
 */
#include <stdlib.h>

#ifndef FLOOR_RX
#define FLOOR_RX 1
#endif
#ifndef FLOOR_RW
#define FLOOR_RW 1
#endif

__attribute__((used)) static const char floor_rx[FLOOR_RX] = { 1 };
__attribute__((used)) char httptrace_floor_rw[FLOOR_RW] = { 1 };
int httptrace_floor_on;

__attribute__((constructor)) static void floor_init(void)
{
	httptrace_floor_on = getenv("HTTPTRACE_SOCKET") != NULL;
}
