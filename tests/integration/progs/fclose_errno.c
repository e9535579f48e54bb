/* fclose_errno.c - errno after fclose() of FILEs with no fd (fmemopen,
 * open_memstream, fopencookie) and of an ordinary file, each with errno
 * set to a marker before: a successful fclose leaves it as it was.  The
 * library's fclose hook asks fileno(), which sets EBADF for a FILE with no
 * fd.  Prints one line per FILE. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

static ssize_t cookie_write(void *c, const char *b, size_t n)
{
	(void)c;
	(void)b;
	return (ssize_t)n;
}

static void check(const char *what, FILE *f)
{
	if (!f) {
		printf("%s: open failed\n", what);
		return;
	}
	errno = 1234;
	int r = fclose(f);
	printf("%s: fclose=%d errno=%d\n", what, r, errno);
}

int main(void)
{
	static char buf[64];
	char *mem = NULL;
	size_t memlen = 0;
	cookie_io_functions_t io = {.write = cookie_write};

	check("fmemopen", fmemopen(buf, sizeof buf, "w"));
	check("open_memstream", open_memstream(&mem, &memlen));
	check("fopencookie", fopencookie(NULL, "w", io));
	check("file", fopen("/proc/self/stat", "r"));
	free(mem);
	return 0;
}
