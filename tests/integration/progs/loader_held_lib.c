/*
 * loader_held_lib.c - a library whose constructor waits until the program
 * says go (loader_held.c): a thread that dlopen()s it holds the dynamic
 * loader's lock (dlopen runs the constructors with it held) all that time.
 */
#include <sched.h>

extern volatile int loader_held_ctor_in, loader_held_go;

__attribute__((constructor)) static void wait_for_go(void)
{
	loader_held_ctor_in = 1;
	while (!loader_held_go)
		sched_yield();
}
