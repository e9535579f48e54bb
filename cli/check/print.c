/* print.c - check_print(): a check_result as "httptrace check" prints it;
 * see check_elf.h. */
#include "check_elf.h"

#include <stdio.h>

void check_print(FILE *f, const char *file, const check_result *r)
{
	size_t count = check_interposed_count(), n = 0;

	if (r->verdict == CHECK_ERROR) {
		fprintf(f, "%s: %s\n", file, r->reason);
		return;
	}
	if (r->verdict == CHECK_TRACEABLE && r->runtime_later)
		fprintf(f, "%s: traceable, loads its socket code at run time "
			"(%s)\n", file, r->runtime);
	else if (r->verdict == CHECK_TRACEABLE)
		fprintf(f, "%s: traceable\n", file);
	else
		fprintf(f, "%s: not traceable: %s\n", file, r->reason);
	if (r->shebang[0] != '\0')
		fprintf(f, "  script: #!%s runs %s\n", r->shebang, r->path);
	if (r->go)
		fputs("  a Go binary: its runtime makes the socket system calls "
		      "itself, even when dynamically linked (cgo)\n", f);
	if (r->library) {
		fputs("  a shared library (no program interpreter)\n", f);
	} else if (!r->dynamic) {
		fputs("  statically linked (no program interpreter)\n", f);
	} else if (r->unread) {
		fprintf(f, "  dynamically linked (interpreter %s)\n",
			r->interp[0] ? r->interp : "?");
	} else {
		fprintf(f, "  dynamically linked (interpreter %s), %zu "
			"librar%s\n", r->interp[0] ? r->interp : "?",
			r->n_objects, r->n_objects == 1 ? "y" : "ies");
	}
	for (size_t i = 0; i < r->n_notes; i++)
		fprintf(f, "  %s\n", r->notes[i]);
	if (!r->dynamic || r->unread)
		return;
	if (r->runtime != NULL)
		fprintf(f, "  runtime: %s (%s)%s\n", r->runtime, r->runtime_by,
			r->runtime_later ? ": its socket calls come with code it "
			"loads with dlopen" : "");
	if (r->runtime_loads[0] != '\0')
		fprintf(f, "  loads %s with dlopen\n", r->runtime_loads);
	if (r->runtime_note != NULL)
		fprintf(f, "  %s\n", r->runtime_note);
	for (size_t i = 0; i < r->n_tls; i++) {
		const check_tls *t = &r->tls[i];

		fprintf(f, "  TLS: %s %s%s: %s, %s\n", t->soname,
			t->via[0] ? "via " : "(needed directly)",
			t->via, t->library, t->decoded ? "decoded" :
			"not decoded: its connections are seen only as "
			"ciphertext, so their requests are not reported");
	}
	if (r->tls_builtin != NULL && r->tls_inline) {
		fprintf(f, "  TLS: %s statically linked, decoded by inline hooks "
			"(%u entry points)\n", r->tls_builtin, r->tls_inline_hooked);
		if (r->tls_inline_why[0] != '\0')
			fprintf(f, "  inline hooks refused (never guessed): %s\n",
				r->tls_inline_why);
	} else if (r->tls_builtin != NULL) {
		fprintf(f, "  TLS: %s linked into the program itself: not "
			"decoded, seen only as ciphertext%s%s\n", r->tls_builtin,
			r->tls_inline_why[0] ? ": inline hooks refused: " : "",
			r->tls_inline_why);
	}
	if (r->n_tls == 0 && r->tls_builtin == NULL)
		fputs("  TLS: no TLS library among its libraries (one loaded "
		      "later with dlopen, as Python's ssl module is, is not "
		      "seen here)\n", f);
	for (size_t i = 0; i < count; i++)
		n += check_imports_has(&r->imports, i);
	if (n == 0) {
		fprintf(f, "  imports none of the %zu interposed functions\n",
			count);
		return;
	}
	fprintf(f, "  imports %zu of %zu interposed functions:", n, count);
	for (size_t i = 0, k = 0; i < count; i++)
		if (check_imports_has(&r->imports, i))
			fprintf(f, "%s %s", k++ ? "," : "",
				check_interposed_name(i));
	fputc('\n', f);
}
