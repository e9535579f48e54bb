/* search_sys.c - the real file system behind search_path.c; see
 * search_sys.h. */
#include "search_sys.h"
#include "check_elf.h"

#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static int sys_read_file(void *ctx, const char *path, char **text,
			 size_t *len)
{
	FILE *f = fopen(path, "re");
	size_t cap = 4096, n = 0;
	char *buf;

	if (f == NULL)
		return -errno;
	buf = malloc(cap);
	while (buf != NULL) {
		size_t got = fread(buf + n, 1, cap - n, f);

		n += got;
		if (got == 0 || n >= SEARCH_SYS_CONF_MAX)
			break;
		if (n == cap) {
			char *more = realloc(buf, cap * 2);

			if (more == NULL)
				break;
			buf = more;
			cap *= 2;
		}
	}
	fclose(f);
	if (buf == NULL)
		return -ENOMEM;
	*text = buf;
	*len = n;
	return 0;
}

static void sys_glob(void *ctx, const char *pattern,
		     void (*each)(void *arg, const char *path), void *arg)
{
	glob_t g;

	if (glob(pattern, 0, NULL, &g) != 0)
		return;
	for (size_t i = 0; i < g.gl_pathc; i++)
		each(arg, g.gl_pathv[i]);
	globfree(&g);
}

const search_conf_io search_sys_conf_io = {
	.read_file = sys_read_file,
	.glob = sys_glob,
};

void search_sys_trusted_dirs(search_dirs *l)
{
	search_conf_read(l, "/etc/ld.so.conf", &search_sys_conf_io, 0);
	search_default_dirs(l);
}

/* search_command()'s probe: an executable regular file? */
static int sys_probe_command(void *ctx, const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return -ENOENT;
	return access(path, X_OK) == 0 ? 0 : -EACCES;
}

int check_find_command(const char *name, const char *path_env, char *out,
		       size_t cap)
{
	return search_command(name, path_env, sys_probe_command, NULL, out,
			      cap);
}
