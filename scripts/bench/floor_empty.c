/*
 * floor_empty.c - the smallest library to preload: one function, nothing
 * run at load.  Built with the library's own flags (Makefile), it is the
 * floor of scripts/bench.sh procs: what any preloaded library costs a
 * process (the loader opening, mapping and relocating one more object).
 */
int httptrace_floor(void);

int httptrace_floor(void)
{
	return 0;
}
