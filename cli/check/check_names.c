/* check_names.c - the interposed functions, TLS libraries and language
 * runtimes the ELF checker recognizes; see check_names.h. */
#include "check_names.h"
#include "check_util.h"
#include "symbols.h"

#include <string.h>

/* ---- the interposed functions ------------------------------------------ */

/* The one list of interposed functions (preload/symbols.h), in its order. */
static const struct {
	const char *name;
	enum check_fn_kind kind;
} interposed[] = {
	HT_SYMBOLS(HT_SYMBOL_CHECK_ROW)
};
_Static_assert(ARRAY_SIZE(interposed) <= 128, "check_imports holds 128");

size_t check_interposed_count(void)
{
	return ARRAY_SIZE(interposed);
}

const char *check_interposed_name(size_t i)
{
	return i < ARRAY_SIZE(interposed) ? interposed[i].name : NULL;
}

int check_interposed_index(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(interposed); i++)
		if (strcmp(name, interposed[i].name) == 0)
			return (int)i;
	return -1;
}

bool check_imports_kind(const check_imports *m, enum check_fn_kind kind)
{
	for (size_t i = 0; i < ARRAY_SIZE(interposed); i++)
		if (check_imports_has(m, i) && interposed[i].kind == kind)
			return true;
	return false;
}

/* ---- TLS libraries, by the name a program needs them by --------------- */

static const check_tls_lib tls_libs[] = {
	{ "libssl.so", "OpenSSL", true },
	{ "libgnutls.so", "GnuTLS", true },
	{ "libnss3.so", "NSS", false },
	{ "libmbedtls.so", "Mbed TLS", false },
	{ "libwolfssl.so", "wolfSSL", false },
};

const check_tls_lib *check_tls_lib_find(const char *name)
{
	const char *base = strrchr(name, '/');

	base = base ? base + 1 : name;
	for (size_t i = 0; i < ARRAY_SIZE(tls_libs); i++) {
		size_t n = strlen(tls_libs[i].prefix);

		if (strncmp(base, tls_libs[i].prefix, n) == 0 &&
		    (base[n] == '\0' || base[n] == '.'))
			return &tls_libs[i];
	}
	return NULL;
}

/* ---- language runtimes ------------------------------------------------- */

/* Runtimes whose socket code may be in a module they load with dlopen
 * (Ruby's socket.so; Java's libnet.so, loaded by libjvm.so, which libjli.so
 * loads): the program and its DT_NEEDED closure then import no socket call,
 * yet its connections go through libc and are traced.  Each is recognized
 * by a library of its closure, or by a function its interpreter defines
 * when it is linked into the program itself (Debian's python3 and perl). */
static const check_runtime runtimes[] = {
	{ "Ruby", { "libruby" }, "ruby_init",
	  { "ruby/*/socket.so", "ruby/*/*/socket.so" }, NULL },
	/* bin/java needs lib/libjli.so ($ORIGIN/../lib), which loads
	 * lib/server/libjvm.so: the JAVA_HOME layout since JDK 9. */
	{ "Java", { "libjli", "libjvm" }, NULL, { "server/libjvm.so" },
	  "HTTPS through JSSE is not decoded (Java's own TLS); plain HTTP is "
	  "traced" },
	{ "PHP", { "libphp" }, "php_execute_script", { NULL }, NULL },
	/* Debian's libperl.so, or perl's own CORE/libperl.so. */
	{ "Perl", { "libperl" }, "perl_parse",
	  { "perl/*/auto/Socket/Socket.so", "../auto/Socket/Socket.so" }, NULL },
	{ "Python", { "libpython" }, "Py_Initialize",
	  { "python*/lib-dynload/_socket*.so" }, NULL },
	/* N-API, which node exports for native addons. */
	{ "Node.js", { "libnode" }, "napi_module_register", { NULL }, NULL },
};

/* Whether library name @base is @prefix followed by '.', '-' or a digit
 * and then holds ".so". */
static bool runtime_prefix(const char *base, const char *prefix)
{
	size_t n = strlen(prefix);
	char c;

	if (strncmp(base, prefix, n) != 0)
		return false;
	c = base[n];
	return (c == '.' || c == '-' || (c >= '0' && c <= '9')) &&
	       strstr(base + n, ".so") != NULL;
}

const check_runtime *check_runtime_by_library(const char *name)
{
	const char *base = strrchr(name, '/');

	base = base ? base + 1 : name;
	for (size_t i = 0; i < ARRAY_SIZE(runtimes); i++)
		for (size_t k = 0; k < ARRAY_SIZE(runtimes[i].libs); k++)
			if (runtimes[i].libs[k] != NULL &&
			    runtime_prefix(base, runtimes[i].libs[k]))
				return &runtimes[i];
	return NULL;
}

const check_runtime *check_runtime_by_symbol(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(runtimes); i++)
		if (runtimes[i].symbol != NULL &&
		    strcmp(name, runtimes[i].symbol) == 0)
			return &runtimes[i];
	return NULL;
}

const char *check_runtime_library(const char *name)
{
	const check_runtime *rt = check_runtime_by_library(name);

	return rt != NULL ? rt->name : NULL;
}

const char *check_runtime_symbol(const char *name)
{
	const check_runtime *rt = check_runtime_by_symbol(name);

	return rt != NULL ? rt->name : NULL;
}
