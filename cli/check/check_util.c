/* check_util.c - string and result helpers of the ELF checker; see
 * check_util.h. */
#include "check_util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

bool check_format(char *dst, size_t cap, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(dst, cap, fmt, ap);
	va_end(ap);
	return n >= 0 && (size_t)n < cap;
}

void check_copy(char *dst, size_t cap, const char *src)
{
	check_format(dst, cap, "%s", src);
}

const char *check_base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

void check_dir_name(const char *path, char *out, size_t cap)
{
	const char *s = strrchr(path, '/');

	if (s == NULL)
		check_copy(out, cap, ".");
	else if (s == path)
		check_copy(out, cap, "/");
	else
		snprintf(out, cap, "%.*s", (int)(s - path), path);
}

void check_note(check_result *r, const char *fmt, ...)
{
	va_list ap;

	if (r->n_notes >= CHECK_MAX_NOTES)
		return;
	va_start(ap, fmt);
	vsnprintf(r->notes[r->n_notes++], CHECK_NAME_MAX, fmt, ap);
	va_end(ap);
}

void check_set_verdict(check_result *r, enum check_verdict v,
		       const char *fmt, ...)
{
	va_list ap;

	if (r->verdict != CHECK_TRACEABLE)
		return;
	r->verdict = v;
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
}
