/*
 * deepbind_ctor_lib.c - a shared object for test_deepbind_ctor.sh whose
 * constructor dlopen()s another object RTLD_NOW | RTLD_DEEPBIND (the file
 * named by $DEEPCTOR_INNER): a dlopen() from inside dlopen(), with the
 * loader's lock held.  Its destructor closes it again.
 */
#include <dlfcn.h>
#include <stdlib.h>

static void *inner;

/* Whether the constructor's dlopen() succeeded. */
int ctor_ok(void)
{
	return inner != NULL;
}

/* The inner object's handle. */
void *ctor_inner(void)
{
	return inner;
}

__attribute__((constructor)) static void open_inner(void)
{
	const char *path = getenv("DEEPCTOR_INNER");
	if (path)
		inner = dlopen(path, RTLD_NOW | RTLD_DEEPBIND);
}

__attribute__((destructor)) static void close_inner(void)
{
	if (inner)
		dlclose(inner);
	inner = NULL;
}
