/*
 * floor_getenv.c - a preloaded library whose constructor only reads one
 * variable of the environment: the least a library that decides at start
 * whether it is on can do (scripts/bench.sh procs).
 */
#include <stdlib.h>

int httptrace_floor_on;

__attribute__((constructor)) static void floor_init(void)
{
	httptrace_floor_on = getenv("HTTPTRACE_SOCKET") != NULL;
}
