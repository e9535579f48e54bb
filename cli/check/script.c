/* script.c - "#!" scripts and env's command; see script.h. */
#include "script.h"
#include "check_util.h"

#include <errno.h>
#include <string.h>

int check_parse_shebang(const char *buf, size_t len, char *interp,
			size_t icap, char *arg, size_t acap)
{
	size_t end = 2, i = 2, start;

	if (len < 2 || buf[0] != '#' || buf[1] != '!')
		return -ENOEXEC;
	while (end < len && buf[end] != '\n' && buf[end] != '\0')
		end++;
	while (i < end && (buf[i] == ' ' || buf[i] == '\t'))
		i++;
	start = i;
	while (i < end && buf[i] != ' ' && buf[i] != '\t')
		i++;
	if (i == start)
		return -ENOEXEC;
	if (i - start >= icap)
		return -ENAMETOOLONG;
	memcpy(interp, buf + start, i - start);
	interp[i - start] = '\0';
	/* The rest of the line, trimmed, is one argument (Linux). */
	while (i < end && (buf[i] == ' ' || buf[i] == '\t'))
		i++;
	while (end > i && (buf[end - 1] == ' ' || buf[end - 1] == '\t'))
		end--;
	if (end - i >= acap)
		return -ENAMETOOLONG;
	memcpy(arg, buf + i, end - i);
	arg[end - i] = '\0';
	return 0;
}

int check_env_command(const char *arg, char *out, size_t cap)
{
	const char *p = arg;
	bool skip_next = false;

	for (;;) {
		size_t n;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			return -ENOENT;
		n = strcspn(p, " \t");
		if (skip_next) {
			skip_next = false; /* the value of -u NAME, -C DIR */
		} else if (p[0] == '-') {
			/* Options; -u and -C take the next word as their
			 * value unless it is attached ("-uNAME"). */
			skip_next = n == 2 && (p[1] == 'u' || p[1] == 'C');
			skip_next |= (n == 7 && strncmp(p, "--unset", 7) == 0) ||
				     (n == 7 && strncmp(p, "--chdir", 7) == 0);
		} else if (memchr(p, '=', n) == NULL) {
			if (n >= cap)
				return -ENAMETOOLONG;
			memcpy(out, p, n);
			out[n] = '\0';
			return 0;
		}
		p += n;
	}
}

bool script_interpreter(const char *head, size_t len, const check_opts *o,
			check_result *r, char *out, size_t cap)
{
	char interp[SCRIPT_LINE_MAX], arg[SCRIPT_LINE_MAX], cmd[SCRIPT_LINE_MAX];
	int err;

	if (check_parse_shebang(head, len, interp, sizeof(interp), arg,
				sizeof(arg)) < 0) {
		check_set_verdict(r, CHECK_ERROR, "a \"#!\" line without an "
				  "interpreter");
		return false;
	}
	if (r->shebang[0] == '\0')
		check_format(r->shebang, sizeof(r->shebang), "%s%s%s", interp,
			     arg[0] ? " " : "", arg);
	if (strcmp(check_base_name(interp), "env") != 0 || arg[0] == '\0') {
		check_copy(out, cap, interp);
		return true;
	}
	/* "#!/usr/bin/env NAME": env runs NAME from PATH. */
	if (check_env_command(arg, cmd, sizeof(cmd)) < 0) {
		check_copy(out, cap, interp);
		return true;
	}
	err = check_find_command(cmd, o->path_env, out, cap);
	if (err < 0) {
		check_set_verdict(r, CHECK_ERROR, "interpreter %s (from "
				  "\"#!%s\"): %s", cmd, r->shebang,
				  strerror(-err));
		return false;
	}
	return true;
}
