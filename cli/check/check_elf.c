/* check_elf.c - can LD_PRELOAD tracing see a program's traffic; see
 * check_elf.h.  (Not check.h: that name is the Check test library's.) */
#include "check_elf.h"
#include "x86dec.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <glob.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Bounds on untrusted input (libelf bounds-checks the data itself). */
#define MAX_NEEDED 128        /* DT_NEEDED entries followed per object */
#define MAX_DYN 4096          /* .dynamic entries read per object */
#define MAX_SYMS (1u << 20)   /* symbols read per symbol table */
#define MAX_SECTIONS 65536    /* sections looked at per object */
#define MAX_NOTES 4096        /* notes looked at per note section */
#define MAX_LIB_DIRS 128      /* trusted library directories */
#define MAX_CONF_DEPTH 4      /* nested "include" in ld.so.conf */
#define SHEBANG_MAX 256       /* the kernel reads this much of a "#!" line */
#define DEFAULT_PATH "/bin:/usr/bin" /* execvp's PATH when unset */
#define NT_GO_BUILDID 4       /* Go's build ID note: name "Go", type 4 */

/* ---- the interposed functions ------------------------------------------ */

/* FN_LOADER: dlopen, hooked so that objects loaded RTLD_DEEPBIND are
 * traced; it says nothing about a program's sockets. */
enum fn_kind { FN_DNS, FN_CONNECT, FN_FD, FN_IO, FN_TLS, FN_LOADER };

/* preload/exports.map, in its order; the unit tests compare the two. */
static const struct {
	const char *name;
	enum fn_kind kind;
} interposed[] = {
	{ "getaddrinfo", FN_DNS },
	{ "gethostbyname", FN_DNS },
	{ "gethostbyname_r", FN_DNS },
	{ "gethostbyname2_r", FN_DNS },
	{ "connect", FN_CONNECT },
	{ "getsockopt", FN_FD },
	{ "close", FN_FD },
	{ "shutdown", FN_FD },
	{ "dup2", FN_FD },
	{ "dup3", FN_FD },
	{ "close_range", FN_FD },
	{ "closefrom", FN_FD },
	{ "prctl", FN_FD },
	{ "accept", FN_CONNECT },
	{ "accept4", FN_CONNECT },
	{ "sendfile", FN_IO },
	{ "sendfile64", FN_IO },
	{ "splice", FN_IO },
	{ "read", FN_IO },
	{ "write", FN_IO },
	{ "readv", FN_IO },
	{ "writev", FN_IO },
	{ "send", FN_IO },
	{ "recv", FN_IO },
	{ "sendto", FN_IO },
	{ "recvfrom", FN_IO },
	{ "sendmsg", FN_IO },
	{ "recvmsg", FN_IO },
	{ "__read_chk", FN_IO },
	{ "__recv_chk", FN_IO },
	{ "__recvfrom_chk", FN_IO },
	{ "epoll_wait", FN_FD },
	{ "epoll_pwait", FN_FD },
	{ "poll", FN_FD },
	{ "ppoll", FN_FD },
	{ "select", FN_FD },
	{ "pselect", FN_FD },
	{ "execve", FN_FD },
	{ "dlopen", FN_LOADER },
	{ "SSL_connect", FN_TLS },
	{ "SSL_accept", FN_TLS },
	{ "SSL_do_handshake", FN_TLS },
	{ "SSL_read", FN_TLS },
	{ "SSL_read_ex", FN_TLS },
	{ "SSL_peek", FN_TLS },
	{ "SSL_peek_ex", FN_TLS },
	{ "SSL_write", FN_TLS },
	{ "SSL_write_ex", FN_TLS },
	{ "SSL_shutdown", FN_TLS },
	{ "SSL_free", FN_TLS },
	{ "SSL_set_fd", FN_TLS },
	{ "SSL_set_rfd", FN_TLS },
	{ "SSL_set_wfd", FN_TLS },
	{ "gnutls_handshake", FN_TLS },
	{ "gnutls_record_send", FN_TLS },
	{ "gnutls_record_recv", FN_TLS },
	{ "gnutls_bye", FN_TLS },
	{ "gnutls_deinit", FN_TLS },
	{ "gnutls_transport_set_int2", FN_TLS },
	{ "gnutls_transport_set_ptr", FN_TLS },
	{ "gnutls_transport_set_ptr2", FN_TLS },
};
_Static_assert(ARRAY_SIZE(interposed) <= 64, "check_result.imports is 64 bits");

size_t check_interposed_count(void)
{
	return ARRAY_SIZE(interposed);
}

const char *check_interposed_name(size_t i)
{
	return i < ARRAY_SIZE(interposed) ? interposed[i].name : NULL;
}

static int interposed_index(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(interposed); i++)
		if (strcmp(name, interposed[i].name) == 0)
			return (int)i;
	return -1;
}

/* Whether @mask holds a function of @kind. */
static bool imports_kind(uint64_t mask, enum fn_kind kind)
{
	for (size_t i = 0; i < ARRAY_SIZE(interposed); i++)
		if ((mask & (1ULL << i)) && interposed[i].kind == kind)
			return true;
	return false;
}

/* ---- TLS libraries, by the name a program needs them by --------------- */

static const struct {
	const char *prefix; /* "libssl.so" matches libssl.so and libssl.so.3 */
	const char *library;
	bool decoded;       /* libhttptrace.so hooks its plaintext calls */
} tls_libs[] = {
	{ "libssl.so", "OpenSSL", true },
	{ "libgnutls.so", "GnuTLS", true },
	{ "libnss3.so", "NSS", false },
	{ "libmbedtls.so", "Mbed TLS", false },
	{ "libwolfssl.so", "wolfSSL", false },
};

static int tls_lib_index(const char *name)
{
	const char *base = strrchr(name, '/');

	base = base ? base + 1 : name;
	for (size_t i = 0; i < ARRAY_SIZE(tls_libs); i++) {
		size_t n = strlen(tls_libs[i].prefix);

		if (strncmp(base, tls_libs[i].prefix, n) == 0 &&
		    (base[n] == '\0' || base[n] == '.'))
			return (int)i;
	}
	return -1;
}

/* ---- language runtimes ------------------------------------------------- */

/* Runtimes whose socket code may be in a module they load with dlopen
 * (Ruby's socket.so; Java's libnet.so, loaded by libjvm.so, which libjli.so
 * loads): the program and its DT_NEEDED closure then import no socket call,
 * yet its connections go through libc and are traced.  Each is recognized
 * by a library of its closure, or by a function its interpreter defines
 * when it is linked into the program itself (Debian's python3 and perl). */
static const struct {
	const char *name;
	const char *libs[2];   /* DT_NEEDED name prefixes (check_runtime_library) */
	const char *symbol;    /* defined by the program itself, or NULL */
	/* What it loads with dlopen: globs relative to the directory of the
	 * library it was recognized by, for the note (NULL: none known). */
	const char *loads[2];
	const char *note;      /* a line to print whenever recognized */
} runtimes[] = {
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

static int runtime_lib_index(const char *name)
{
	const char *base = strrchr(name, '/');

	base = base ? base + 1 : name;
	for (size_t i = 0; i < ARRAY_SIZE(runtimes); i++)
		for (size_t k = 0; k < ARRAY_SIZE(runtimes[i].libs); k++)
			if (runtimes[i].libs[k] != NULL &&
			    runtime_prefix(base, runtimes[i].libs[k]))
				return (int)i;
	return -1;
}

static int runtime_symbol_index(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(runtimes); i++)
		if (runtimes[i].symbol != NULL &&
		    strcmp(name, runtimes[i].symbol) == 0)
			return (int)i;
	return -1;
}

const char *check_runtime_library(const char *name)
{
	int i = runtime_lib_index(name);

	return i < 0 ? NULL : runtimes[i].name;
}

const char *check_runtime_symbol(const char *name)
{
	int i = runtime_symbol_index(name);

	return i < 0 ? NULL : runtimes[i].name;
}

/* ---- small helpers ----------------------------------------------------- */

/* snprintf() into @dst (capacity @cap); returns false when the result
 * was truncated (it is still terminated). */
static bool format_str(char *dst, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static bool format_str(char *dst, size_t cap, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(dst, cap, fmt, ap);
	va_end(ap);
	return n >= 0 && (size_t)n < cap;
}

/* Copy @src into @dst (capacity @cap), truncating; always terminated. */
static void copy_str(char *dst, size_t cap, const char *src)
{
	format_str(dst, cap, "%s", src);
}

static void add_note(check_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void add_note(check_result *r, const char *fmt, ...)
{
	va_list ap;

	if (r->n_notes >= CHECK_MAX_NOTES)
		return;
	va_start(ap, fmt);
	vsnprintf(r->notes[r->n_notes++], CHECK_NAME_MAX, fmt, ap);
	va_end(ap);
}

/* Set the verdict and its reason, unless an earlier, stronger one is set. */
static void set_verdict(check_result *r, enum check_verdict v,
			const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_verdict(check_result *r, enum check_verdict v,
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

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* The directory part of @path into @out ("." when there is none). */
static void dir_name(const char *path, char *out, size_t cap)
{
	const char *s = strrchr(path, '/');

	if (s == NULL)
		copy_str(out, cap, ".");
	else if (s == path)
		copy_str(out, cap, "/");
	else
		snprintf(out, cap, "%.*s", (int)(s - path), path);
}

static const char *machine_name(int m)
{
	switch (m) {
	case EM_386: return "i386";
	case EM_X86_64: return "x86-64";
	case EM_AARCH64: return "AArch64";
	case EM_ARM: return "ARM";
	case EM_RISCV: return "RISC-V";
	case EM_PPC64: return "PowerPC64";
	case EM_S390: return "S/390";
	case EM_MIPS: return "MIPS";
	default: return NULL;
	}
}

/* "64-bit x86-64" for an ELF class and machine. */
static void describe_target(int elf_class, int machine, char *out, size_t cap)
{
	const char *m = machine_name(machine);
	const char *bits = elf_class == ELFCLASS64 ? "64-bit" :
			   elf_class == ELFCLASS32 ? "32-bit" : "?-bit";

	if (m != NULL)
		snprintf(out, cap, "%s %s", bits, m);
	else
		snprintf(out, cap, "%s machine %d", bits, machine);
}

/* ---- pure parts -------------------------------------------------------- */

int check_find_command(const char *name, const char *path_env, char *out,
		       size_t cap)
{
	bool denied = false;
	const char *p;

	if (name[0] == '\0')
		return -ENOENT;
	if (strchr(name, '/') != NULL) {
		if ((size_t)snprintf(out, cap, "%s", name) >= cap)
			return -ENAMETOOLONG;
		return 0;
	}
	p = path_env != NULL ? path_env : DEFAULT_PATH;
	for (;;) {
		size_t len = strcspn(p, ":");
		struct stat st;

		if ((size_t)snprintf(out, cap, "%.*s%s%s", (int)len, p,
				     len ? "/" : "", name) < cap &&
		    stat(out, &st) == 0 && S_ISREG(st.st_mode)) {
			if (access(out, X_OK) == 0)
				return 0;
			denied = true; /* execvp goes on, then says EACCES */
		}
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
	return denied ? -EACCES : -ENOENT;
}

/* Whether @s (length @len) starts with the token @tok, written $TOK or
 * ${TOK}; sets *@used to the characters it takes.  Unbraced, the token
 * must end the entry or be followed by '/', as for glibc. */
static bool dst_token(const char *s, size_t len, const char *tok, size_t *used)
{
	size_t n = strlen(tok);

	if (len >= n + 3 && s[1] == '{' && strncmp(s + 2, tok, n) == 0 &&
	    s[n + 2] == '}') {
		*used = n + 3;
		return true;
	}
	if (len >= n + 1 && strncmp(s + 1, tok, n) == 0 &&
	    (len == n + 1 || s[n + 1] == '/')) {
		*used = n + 1;
		return true;
	}
	return false;
}

int check_expand_dst(const char *entry, size_t len, const char *origin,
		     char *out, size_t cap)
{
	size_t o = 0, i = 0, used;

	if (cap == 0)
		return -ENAMETOOLONG;
	if (len == 0)
		entry = ".", len = 1;
	while (i < len) {
		const char *add = entry + i;
		size_t n = 1;

		if (entry[i] == '$') {
			if (dst_token(entry + i, len - i, "ORIGIN", &used)) {
				add = origin;
				n = strlen(origin);
				i += used;
			} else if (dst_token(entry + i, len - i, "LIB", &used) ||
				   dst_token(entry + i, len - i, "PLATFORM",
					     &used)) {
				return -EINVAL;
			} else {
				i++;
			}
		} else {
			i++;
		}
		if (o + n >= cap)
			return -ENAMETOOLONG;
		memcpy(out + o, add, n);
		o += n;
	}
	out[o] = '\0';
	return 0;
}

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

/* ---- the loader's trusted directories --------------------------------- */

typedef struct str_list {
	char *v[MAX_LIB_DIRS + 1]; /* NULL-terminated */
	size_t n;
} str_list;

static void str_list_add(str_list *l, const char *s, size_t len)
{
	char *d;

	if (l->n >= MAX_LIB_DIRS || len == 0 || s[0] != '/')
		return;
	for (size_t i = 0; i < l->n; i++)
		if (strlen(l->v[i]) == len && strncmp(l->v[i], s, len) == 0)
			return;
	d = strndup(s, len);
	if (d != NULL)
		l->v[l->n++] = d;
	l->v[l->n] = NULL;
}

static void str_list_free(str_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	l->n = 0;
	l->v[0] = NULL;
}

/* The directories an ld.so.conf file names, following "include" globs
 * (relative ones from the file's directory), as ldconfig does when it
 * builds the cache the loader searches. */
static void read_ld_conf(str_list *l, const char *file, int depth)
{
	char line[1024];
	FILE *f = fopen(file, "re");

	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *p = line, *hash = strchr(line, '#');
		size_t n;

		if (hash != NULL)
			*hash = '\0';
		while (isspace((unsigned char)*p))
			p++;
		n = strlen(p);
		while (n > 0 && isspace((unsigned char)p[n - 1]))
			p[--n] = '\0';
		if (strncmp(p, "include", 7) == 0 &&
		    isspace((unsigned char)p[7])) {
			char pattern[CHECK_PATH_MAX], dir[CHECK_PATH_MAX];
			glob_t g;

			p += 8;
			while (isspace((unsigned char)*p))
				p++;
			dir_name(file, dir, sizeof(dir));
			if (p[0] == '/')
				copy_str(pattern, sizeof(pattern), p);
			else if (!format_str(pattern, sizeof(pattern), "%s/%s",
					     dir, p))
				continue;
			if (depth < MAX_CONF_DEPTH &&
			    glob(pattern, 0, NULL, &g) == 0) {
				for (size_t i = 0; i < g.gl_pathc; i++)
					read_ld_conf(l, g.gl_pathv[i], depth + 1);
				globfree(&g);
			}
		} else if (strncmp(p, "hwcap", 5) != 0) {
			/* "DIR" or "DIR=TYPE"; ldconfig also splits on ':'
			 * and ','. */
			str_list_add(l, p, strcspn(p, " \t:,="));
		}
	}
	fclose(f);
}

/* The multiarch directory of this build, where Debian keeps libraries. */
#if defined(__x86_64__) && !defined(__ILP32__)
#define MULTIARCH "x86_64-linux-gnu"
#elif defined(__aarch64__)
#define MULTIARCH "aarch64-linux-gnu"
#elif defined(__i386__)
#define MULTIARCH "i386-linux-gnu"
#endif

static void load_lib_dirs(str_list *l)
{
	static const char *const defaults[] = {
#ifdef MULTIARCH
		"/lib/" MULTIARCH, "/usr/lib/" MULTIARCH,
#endif
		"/lib64", "/usr/lib64", "/lib", "/usr/lib",
	};

	read_ld_conf(l, "/etc/ld.so.conf", 0);
	for (size_t i = 0; i < ARRAY_SIZE(defaults); i++)
		str_list_add(l, defaults[i], strlen(defaults[i]));
}

void check_default_opts(check_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->path_env = getenv("PATH");
	o->ld_library_path = getenv("LD_LIBRARY_PATH");
	o->uid = getuid();
	o->gid = getgid();
	o->elf_class = sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32;
#if defined(__x86_64__)
	o->machine = EM_X86_64;
#elif defined(__aarch64__)
	o->machine = EM_AARCH64;
#elif defined(__i386__)
	o->machine = EM_386;
#elif defined(__arm__)
	o->machine = EM_ARM;
#elif defined(__riscv)
	o->machine = EM_RISCV;
#elif defined(__powerpc64__)
	o->machine = EM_PPC64;
#elif defined(__s390x__)
	o->machine = EM_S390;
#else
	o->machine = 0;
#endif
}

/* ---- reading one ELF object -------------------------------------------- */

/* What .dynamic says; the strings point into the Elf's data. */
typedef struct dyn_info {
	bool found;        /* a SHT_DYNAMIC section was read */
	const char *needed[MAX_NEEDED];
	size_t n_needed;
	const char *rpath, *runpath, *soname;
	uint64_t flags_1;
} dyn_info;

/* The section named @name, or NULL. */
static Elf_Scn *find_section(Elf *elf, const char *name)
{
	size_t shstrndx, count = 0;
	Elf_Scn *scn = NULL;

	if (elf_getshdrstrndx(elf, &shstrndx) != 0)
		return NULL;
	while ((scn = elf_nextscn(elf, scn)) != NULL && count++ < MAX_SECTIONS) {
		GElf_Shdr sh;
		const char *n;

		if (gelf_getshdr(scn, &sh) == NULL)
			continue;
		n = elf_strptr(elf, shstrndx, sh.sh_name);
		if (n != NULL && strcmp(n, name) == 0)
			return scn;
	}
	return NULL;
}

static void read_dynamic(Elf *elf, dyn_info *d)
{
	Elf_Scn *scn = NULL;
	size_t count = 0;

	memset(d, 0, sizeof(*d));
	while ((scn = elf_nextscn(elf, scn)) != NULL && count++ < MAX_SECTIONS) {
		GElf_Shdr sh;
		Elf_Data *data;
		size_t n, esz = gelf_fsize(elf, ELF_T_DYN, 1, EV_CURRENT);

		if (gelf_getshdr(scn, &sh) == NULL || sh.sh_type != SHT_DYNAMIC)
			continue;
		data = elf_getdata(scn, NULL);
		if (data == NULL || esz == 0)
			return;
		d->found = true;
		n = data->d_size / esz;
		if (n > MAX_DYN)
			n = MAX_DYN;
		for (size_t i = 0; i < n; i++) {
			GElf_Dyn dyn;
			const char *s;

			if (gelf_getdyn(data, (int)i, &dyn) == NULL ||
			    dyn.d_tag == DT_NULL)
				break;
			if (dyn.d_tag == DT_FLAGS_1) {
				d->flags_1 = dyn.d_un.d_val;
				continue;
			}
			if (dyn.d_tag != DT_NEEDED && dyn.d_tag != DT_RPATH &&
			    dyn.d_tag != DT_RUNPATH && dyn.d_tag != DT_SONAME)
				continue;
			/* libelf checks the offset and the terminating NUL. */
			s = elf_strptr(elf, sh.sh_link, dyn.d_un.d_val);
			if (s == NULL)
				continue;
			if (dyn.d_tag == DT_NEEDED && d->n_needed < MAX_NEEDED)
				d->needed[d->n_needed++] = s;
			else if (dyn.d_tag == DT_RPATH)
				d->rpath = s;
			else if (dyn.d_tag == DT_RUNPATH)
				d->runpath = s;
			else if (dyn.d_tag == DT_SONAME)
				d->soname = s;
		}
		return;
	}
}

/* The undefined symbols of .dynsym that are interposed go into *@mask;
 * with @builtin (the program itself), a TLS library defined in it (.dynsym
 * or .symtab) sets *@builtin, and the first runtime interpreter defined in
 * it sets *@runtime (an index of runtimes[], left as it is when none).
 * Returns whether a .dynsym was read. */
static bool read_symbols(Elf *elf, uint64_t *mask, const char **builtin,
			 int *runtime)
{
	Elf_Scn *scn = NULL;
	size_t count = 0;
	bool dynsym = false;

	while ((scn = elf_nextscn(elf, scn)) != NULL && count++ < MAX_SECTIONS) {
		GElf_Shdr sh;
		Elf_Data *data;
		size_t n, esz = gelf_fsize(elf, ELF_T_SYM, 1, EV_CURRENT);

		if (gelf_getshdr(scn, &sh) == NULL ||
		    (sh.sh_type != SHT_DYNSYM &&
		     !(sh.sh_type == SHT_SYMTAB && builtin != NULL)))
			continue;
		data = elf_getdata(scn, NULL);
		if (data == NULL || esz == 0)
			continue;
		if (sh.sh_type == SHT_DYNSYM)
			dynsym = true;
		n = data->d_size / esz;
		if (n > MAX_SYMS)
			n = MAX_SYMS;
		for (size_t i = 1; i < n; i++) { /* 0 is the null symbol */
			GElf_Sym sym;
			const char *name;
			int bind;
			int k;

			if (gelf_getsym(data, (int)i, &sym) == NULL)
				break;
			bind = GELF_ST_BIND(sym.st_info);
			if (bind != STB_GLOBAL && bind != STB_WEAK)
				continue;
			name = elf_strptr(elf, sh.sh_link, sym.st_name);
			if (name == NULL || name[0] == '\0')
				continue;
			if (sym.st_shndx == SHN_UNDEF) {
				k = sh.sh_type == SHT_DYNSYM ?
				    interposed_index(name) : -1;
				if (k >= 0)
					*mask |= 1ULL << k;
			} else if (builtin != NULL &&
				   GELF_ST_TYPE(sym.st_info) == STT_FUNC) {
				if (strcmp(name, "SSL_write") == 0)
					*builtin = "OpenSSL";
				else if (strcmp(name, "gnutls_record_send") == 0)
					*builtin = "GnuTLS";
				else if (*runtime < 0)
					*runtime = runtime_symbol_index(name);
			}
		}
	}
	return dynsym;
}

/* The entry points libhttptrace.so hooks inline in an OpenSSL linked into
 * the program (preload/inline_ssl.c): the same decision from the same
 * bytes (x86dec.c), read from the file instead of memory. */
static const char *const inline_fns[] = {
	"SSL_read", "SSL_read_ex", "SSL_write", "SSL_write_ex",
	"SSL_do_handshake", "SSL_connect", "SSL_shutdown", "SSL_free",
};

/* Append "NAME: WHY" to @r->tls_inline_why. */
static void inline_refused(check_result *r, const char *name, const char *why)
{
	size_t used = strlen(r->tls_inline_why);
	snprintf(r->tls_inline_why + used, sizeof(r->tls_inline_why) - used,
		 "%s%s: %s", used ? "; " : "", name, why);
}

/* The bytes of the function at @addr (@size bytes) from the executable
 * section holding it, or NULL. */
static const uint8_t *function_bytes(Elf *elf, uint64_t addr, uint64_t size)
{
	Elf_Scn *scn = NULL;
	size_t count = 0;

	while ((scn = elf_nextscn(elf, scn)) != NULL && count++ < MAX_SECTIONS) {
		GElf_Shdr sh;
		Elf_Data *data;

		if (gelf_getshdr(scn, &sh) == NULL || sh.sh_type != SHT_PROGBITS ||
		    !(sh.sh_flags & SHF_EXECINSTR) || addr < sh.sh_addr ||
		    addr + size > sh.sh_addr + sh.sh_size)
			continue;
		data = elf_getdata(scn, NULL);
		if (data == NULL || data->d_buf == NULL ||
		    data->d_size < addr + size - sh.sh_addr)
			return NULL;
		return (const uint8_t *)data->d_buf + (addr - sh.sh_addr);
	}
	return NULL;
}

/* Can the OpenSSL defined in the program be hooked inline? */
static void check_inline(Elf *elf, int machine, check_result *r)
{
	uint64_t value[ARRAY_SIZE(inline_fns)] = {0}, size[ARRAY_SIZE(inline_fns)] = {0};
	Elf_Scn *scn = NULL;
	size_t count = 0, esz = gelf_fsize(elf, ELF_T_SYM, 1, EV_CURRENT);
	bool read_ok = false, write_ok = false;

	if (machine != EM_X86_64) {
		inline_refused(r, "OpenSSL", "inline hooks are built for x86-64 only");
		return;
	}
	/* The dynamic table first, then .symtab, as the library reads them. */
	for (int pass = 0; pass < 2; pass++) {
		while ((scn = elf_nextscn(elf, scn)) != NULL && count++ < MAX_SECTIONS) {
			GElf_Shdr sh;
			Elf_Data *data;

			if (gelf_getshdr(scn, &sh) == NULL || esz == 0 ||
			    sh.sh_type != (pass ? SHT_SYMTAB : SHT_DYNSYM) ||
			    (data = elf_getdata(scn, NULL)) == NULL)
				continue;
			size_t n = data->d_size / esz;
			for (size_t i = 1; i < n && i < MAX_SYMS; i++) {
				GElf_Sym sym;
				const char *name;

				if (gelf_getsym(data, (int)i, &sym) == NULL)
					break;
				if (sym.st_shndx == SHN_UNDEF || sym.st_value == 0 ||
				    GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
				    GELF_ST_BIND(sym.st_info) == STB_LOCAL)
					continue;
				name = elf_strptr(elf, sh.sh_link, sym.st_name);
				if (name == NULL || strncmp(name, "SSL_", 4) != 0)
					continue;
				for (size_t k = 0; k < ARRAY_SIZE(inline_fns); k++)
					if (value[k] == 0 && strcmp(name, inline_fns[k]) == 0) {
						value[k] = sym.st_value;
						size[k] = sym.st_size;
					}
			}
		}
		scn = NULL;
		count = 0;
	}
	for (size_t k = 0; k < ARRAY_SIZE(inline_fns); k++) {
		const uint8_t *code;
		x86_plan plan;
		char why[160];

		if (value[k] == 0)
			continue;
		code = function_bytes(elf, value[k], size[k]);
		if (code == NULL) {
			inline_refused(r, inline_fns[k], "its code is not in the file");
			continue;
		}
		if (!x86_plan_hook(code, size[k], value[k], &plan, why, sizeof(why))) {
			inline_refused(r, inline_fns[k], why);
			continue;
		}
		r->tls_inline_hooked++;
		read_ok |= k <= 1;
		write_ok |= k == 2 || k == 3;
	}
	r->tls_inline = read_ok && write_ok;
	if (!r->tls_inline && r->tls_inline_why[0] == '\0')
		inline_refused(r, "OpenSSL", "no SSL_read or SSL_write found");
}

/* Whether note data @data holds Go's build ID note. */
static bool has_go_note(Elf_Data *data)
{
	size_t off = 0, count = 0;
	GElf_Nhdr nh;
	size_t name_off, desc_off;

	while (off < data->d_size && count++ < MAX_NOTES) {
		size_t next = gelf_getnote(data, off, &nh, &name_off, &desc_off);

		if (next == 0 || next <= off)
			break;
		/* Go's linker writes the name as "Go\0\0" (namesz 4). */
		if (nh.n_type == NT_GO_BUILDID &&
		    (nh.n_namesz == 3 || nh.n_namesz == 4) &&
		    memcmp((const char *)data->d_buf + name_off, "Go", 3) == 0)
			return true;
		off = next;
	}
	return false;
}

/* Go binaries carry .go.buildinfo, .gopclntab or a "Go" build ID note
 * (in a note section, or a PT_NOTE segment when sections are stripped). */
static bool is_go(Elf *elf, size_t phnum)
{
	Elf_Scn *scn = NULL;
	size_t count = 0;
	bool sections = false;

	if (find_section(elf, ".go.buildinfo") != NULL ||
	    find_section(elf, ".gopclntab") != NULL ||
	    find_section(elf, ".note.go.buildid") != NULL)
		return true;
	while ((scn = elf_nextscn(elf, scn)) != NULL && count++ < MAX_SECTIONS) {
		GElf_Shdr sh;
		Elf_Data *data;

		sections = true;
		if (gelf_getshdr(scn, &sh) == NULL || sh.sh_type != SHT_NOTE)
			continue;
		data = elf_getdata(scn, NULL);
		if (data != NULL && has_go_note(data))
			return true;
	}
	if (sections)
		return false;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		Elf_Data *data;

		if (gelf_getphdr(elf, (int)i, &ph) == NULL || ph.p_type != PT_NOTE)
			continue;
		data = elf_getdata_rawchunk(elf, (int64_t)ph.p_offset,
					    ph.p_filesz, ELF_T_NHDR);
		if (data != NULL && has_go_note(data))
			return true;
	}
	return false;
}

/* ---- the DT_NEEDED closure --------------------------------------------- */

typedef struct object {
	char *path;   /* where it was found */
	char *name;   /* the DT_NEEDED name it was found by (program: base) */
	char *soname; /* its DT_SONAME once read, or NULL */
	dev_t dev;
	ino_t ino;
	int parent;   /* the object that needs it; -1 for the program */
} object;

typedef struct closure {
	const check_opts *o;
	const char *const *dirs;   /* trusted directories */
	int elf_class, data, machine; /* the program's: libraries must match */
	char exe_origin[CHECK_PATH_MAX];
	char *exe_rpath;           /* program's DT_RPATH if no DT_RUNPATH */
	object *objs;
	size_t n;
} closure;

/* Whether @path is an ELF file of the program's class, byte order and
 * machine: the loader skips others (a 32-bit libc in /usr/lib32...). */
static bool compatible(const closure *cl, const char *path)
{
	unsigned char h[EI_NIDENT + 4]; /* e_ident, e_type, e_machine */
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	int m;

	if (fd < 0)
		return false;
	n = pread(fd, h, sizeof(h), 0);
	close(fd);
	if (n != (ssize_t)sizeof(h) || memcmp(h, ELFMAG, SELFMAG) != 0 ||
	    h[EI_CLASS] != cl->elf_class || h[EI_DATA] != cl->data)
		return false;
	m = h[EI_DATA] == ELFDATA2LSB ? h[EI_NIDENT + 2] | h[EI_NIDENT + 3] << 8 :
	    h[EI_NIDENT + 2] << 8 | h[EI_NIDENT + 3];
	return m == cl->machine;
}

/* Search the entries of @list (separated by any of @seps), each expanded
 * with @origin, for @name; the path found goes to @out. */
static int search_list(const closure *cl, const char *list, const char *seps,
		       const char *origin, const char *name, char *out,
		       size_t cap)
{
	const char *p = list;

	for (;;) {
		size_t len = strcspn(p, seps);
		char dir[CHECK_PATH_MAX];

		if (check_expand_dst(p, len, origin, dir, sizeof(dir)) == 0 &&
		    (size_t)snprintf(out, cap, "%s/%s", dir, name) < cap &&
		    compatible(cl, out))
			return 0;
		if (p[len] == '\0')
			return -ENOENT;
		p += len + 1;
	}
}

/* Find the library @name needed by object @req (whose .dynamic is @d) in
 * the loader's order: DT_RPATH of @req and then of the program (only when
 * @req has no DT_RUNPATH), LD_LIBRARY_PATH, DT_RUNPATH of @req, then the
 * trusted directories (the cache and defaults) unless DF_1_NODEFLIB. */
static int find_library(const closure *cl, size_t req, const dyn_info *d,
			const char *name, char *out, size_t cap)
{
	char origin[CHECK_PATH_MAX];
	const char *llp = cl->o->ld_library_path;

	if (strchr(name, '/') != NULL) {
		copy_str(out, cap, name);
		return compatible(cl, out) ? 0 : -ENOENT;
	}
	if (req == 0)
		copy_str(origin, sizeof(origin), cl->exe_origin);
	else
		dir_name(cl->objs[req].path, origin, sizeof(origin));
	if (d->runpath == NULL) {
		if (d->rpath != NULL &&
		    search_list(cl, d->rpath, ":", origin, name, out, cap) == 0)
			return 0;
		if (req != 0 && cl->exe_rpath != NULL &&
		    search_list(cl, cl->exe_rpath, ":", cl->exe_origin, name,
				out, cap) == 0)
			return 0;
	}
	if (llp != NULL && llp[0] != '\0' &&
	    search_list(cl, llp, ":;", cl->exe_origin, name, out, cap) == 0)
		return 0;
	if (d->runpath != NULL &&
	    search_list(cl, d->runpath, ":", origin, name, out, cap) == 0)
		return 0;
	if (d->flags_1 & DF_1_NODEFLIB)
		return -ENOENT;
	for (size_t i = 0; cl->dirs[i] != NULL; i++)
		if ((size_t)snprintf(out, cap, "%s/%s", cl->dirs[i], name) < cap &&
		    compatible(cl, out))
			return 0;
	return -ENOENT;
}

/* Whether @name is already in the closure, by the name it was needed by
 * or its DT_SONAME. */
static bool known_name(const closure *cl, const char *name)
{
	for (size_t i = 0; i < cl->n; i++)
		if (strcmp(cl->objs[i].name, name) == 0 ||
		    (cl->objs[i].soname && strcmp(cl->objs[i].soname, name) == 0))
			return true;
	return false;
}

/* Add object @i's needed libraries to the closure (breadth first: they
 * are read after everything queued before them). */
static void queue_needed(closure *cl, size_t i, const dyn_info *d,
			 check_result *r)
{
	for (size_t k = 0; k < d->n_needed; k++) {
		const char *name = d->needed[k];
		char path[CHECK_PATH_MAX];
		struct stat st;
		bool dup = false;
		object *ob;

		if (known_name(cl, name))
			continue;
		if (find_library(cl, i, d, name, path, sizeof(path)) < 0 ||
		    stat(path, &st) < 0) {
			if (r->n_missing++ == 0)
				add_note(r, "%s (needed by %s) not found: the "
					 "loader would not start it", name,
					 cl->objs[i].name);
			continue;
		}
		for (size_t j = 0; j < cl->n && !dup; j++)
			dup = cl->objs[j].dev == st.st_dev &&
			      cl->objs[j].ino == st.st_ino;
		if (dup)
			continue;
		if (cl->n >= CHECK_MAX_OBJECTS + 1) {
			r->truncated = true;
			continue;
		}
		ob = &cl->objs[cl->n];
		ob->path = strdup(path);
		ob->name = strdup(name);
		ob->soname = NULL;
		ob->dev = st.st_dev;
		ob->ino = st.st_ino;
		ob->parent = (int)i;
		if (ob->path == NULL || ob->name == NULL) {
			free(ob->path);
			free(ob->name);
			r->truncated = true;
			continue;
		}
		cl->n++;
	}
}

/* Note a TLS library found as object @i. */
static void note_tls(const closure *cl, size_t i, check_result *r)
{
	int t = tls_lib_index(cl->objs[i].name);
	check_tls *tls;
	int parent = cl->objs[i].parent;

	if (t < 0 || r->n_tls >= CHECK_MAX_TLS)
		return;
	tls = &r->tls[r->n_tls++];
	copy_str(tls->soname, sizeof(tls->soname), base_name(cl->objs[i].name));
	copy_str(tls->via, sizeof(tls->via),
		 parent > 0 ? base_name(cl->objs[parent].name) : "");
	tls->library = tls_libs[t].library;
	tls->decoded = tls_libs[t].decoded;
}

/* Record runtime @k, recognized by what @by says, in @r; a file it loads
 * is looked for from directory @dir. */
static void set_runtime(check_result *r, int k, const char *dir,
			const char *by)
{
	char real[CHECK_PATH_MAX], pattern[CHECK_PATH_MAX];

	r->runtime = runtimes[k].name;
	r->runtime_note = runtimes[k].note;
	copy_str(r->runtime_by, sizeof(r->runtime_by), by);
	if (realpath(dir, real) == NULL)
		copy_str(real, sizeof(real), dir);
	for (size_t i = 0; i < ARRAY_SIZE(runtimes[k].loads) &&
			   runtimes[k].loads[i] != NULL; i++) {
		glob_t g;

		if (!format_str(pattern, sizeof(pattern), "%s/%s", real,
				runtimes[k].loads[i]) ||
		    glob(pattern, 0, NULL, &g) != 0)
			continue;
		if (g.gl_pathc > 0)
			copy_str(r->runtime_loads, sizeof(r->runtime_loads),
				 g.gl_pathv[0]);
		globfree(&g);
		if (r->runtime_loads[0] != '\0')
			break;
	}
}

/* Note a language runtime found as object @i, unless one was. */
static void note_runtime(const closure *cl, size_t i, check_result *r)
{
	int k = runtime_lib_index(cl->objs[i].name);
	int parent = cl->objs[i].parent;
	char dir[CHECK_PATH_MAX], by[CHECK_NAME_MAX];

	if (k < 0 || r->runtime != NULL)
		return;
	if (parent > 0)
		format_str(by, sizeof(by), "%s via %s",
			   base_name(cl->objs[i].name),
			   base_name(cl->objs[parent].name));
	else
		format_str(by, sizeof(by), "%s, needed directly",
			   base_name(cl->objs[i].name));
	dir_name(cl->objs[i].path, dir, sizeof(dir));
	set_runtime(r, k, dir, by);
}

/* Read each library of the closure after the program (object 0, already
 * read): its imports, its DT_SONAME and its own needed libraries.
 * Returns whether every library's symbols could be read. */
static bool walk_closure(closure *cl, check_result *r)
{
	bool complete = true;

	for (size_t i = 1; i < cl->n; i++) {
		int fd = open(cl->objs[i].path, O_RDONLY | O_CLOEXEC);
		Elf *elf = fd >= 0 ? elf_begin(fd, ELF_C_READ_MMAP, NULL) : NULL;
		dyn_info d;

		note_tls(cl, i, r);
		note_runtime(cl, i, r);
		if (elf == NULL || elf_kind(elf) != ELF_K_ELF) {
			complete = false;
		} else {
			read_dynamic(elf, &d);
			if (d.soname != NULL)
				cl->objs[i].soname = strdup(d.soname);
			if (!read_symbols(elf, &r->imports, NULL, NULL))
				complete = false;
			queue_needed(cl, i, &d, r);
		}
		if (elf != NULL)
			elf_end(elf);
		if (fd >= 0)
			close(fd);
	}
	return complete;
}

static void closure_free(closure *cl)
{
	for (size_t i = 0; i < cl->n; i++) {
		free(cl->objs[i].path);
		free(cl->objs[i].name);
		free(cl->objs[i].soname);
	}
	free(cl->objs);
	free(cl->exe_rpath);
}

/* ---- the verdict ------------------------------------------------------- */

/* Secure-execution mode: the kernel sets AT_SECURE when the program runs
 * with ids it gained from the file's setuid/setgid bits or capabilities,
 * and the loader then ignores LD_PRELOAD.  The bits gain nothing when the
 * user already has the owner's uid (gid), or on a nosuid file system. */
static void check_secure(const char *path, const struct stat *st,
			 const check_opts *o, check_result *r)
{
	struct statvfs vfs;
	bool suid = st->st_mode & S_ISUID;
	/* setgid without group execute means mandatory locking, not setgid */
	bool sgid = (st->st_mode & S_ISGID) && (st->st_mode & S_IXGRP);

	if ((suid || sgid) && statvfs(path, &vfs) == 0 &&
	    (vfs.f_flag & ST_NOSUID)) {
		add_note(r, "set%s bit without effect: its file system is "
			 "mounted nosuid", suid ? "uid" : "gid");
		return;
	}
	if (suid && st->st_uid != o->uid)
		set_verdict(r, CHECK_BLOCKED, "setuid (owner uid %u): the "
			    "loader ignores LD_PRELOAD for it",
			    (unsigned)st->st_uid);
	else if (suid)
		add_note(r, "setuid, but owned by uid %u who runs it: "
			 "LD_PRELOAD applies", (unsigned)st->st_uid);
	if (sgid && st->st_gid != o->gid)
		set_verdict(r, CHECK_BLOCKED, "setgid (group gid %u): the "
			    "loader ignores LD_PRELOAD for it",
			    (unsigned)st->st_gid);
	else if (sgid)
		add_note(r, "setgid, but its group gid %u is the one it runs "
			 "with: LD_PRELOAD applies", (unsigned)st->st_gid);
	if (getxattr(path, "security.capability", NULL, 0) > 0) {
		if (o->uid != 0)
			set_verdict(r, CHECK_BLOCKED, "has file capabilities: "
				    "the loader ignores LD_PRELOAD for it");
		else
			add_note(r, "has file capabilities; run by root they "
				 "gain nothing, so LD_PRELOAD applies");
	}
}

/* The program header facts: PT_INTERP into r->interp; whether there is a
 * PT_DYNAMIC. */
static bool read_program_headers(Elf *elf, size_t phnum, check_result *r)
{
	bool dynamic = false;

	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		Elf_Data *data;

		if (gelf_getphdr(elf, (int)i, &ph) == NULL)
			continue;
		if (ph.p_type == PT_DYNAMIC)
			dynamic = true;
		if (ph.p_type != PT_INTERP || r->dynamic)
			continue;
		r->dynamic = true;
		data = elf_getdata_rawchunk(elf, (int64_t)ph.p_offset,
					    ph.p_filesz, ELF_T_BYTE);
		if (data != NULL && data->d_size > 0) {
			size_t n = strnlen(data->d_buf, data->d_size);

			snprintf(r->interp, sizeof(r->interp), "%.*s", (int)n,
				 (const char *)data->d_buf);
		}
	}
	return dynamic;
}

/* Analyse the ELF program @path (open as @fd, stat @st). */
static void check_elf(const char *path, int fd, const struct stat *st,
		      const check_opts *o, check_result *r)
{
	closure cl = { .o = o };
	str_list dirs = { .n = 0 };
	GElf_Ehdr eh;
	size_t phnum = 0;
	bool has_dynamic, complete;
	int runtime = -1;
	dyn_info d;
	char real[CHECK_PATH_MAX], target[64], host[64];
	Elf *elf;

	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (elf == NULL || elf_kind(elf) != ELF_K_ELF ||
	    gelf_getehdr(elf, &eh) == NULL) {
		set_verdict(r, CHECK_ERROR, "not an ELF file");
		goto out;
	}
	r->elf = true;
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) {
		set_verdict(r, CHECK_ERROR, "not an executable ELF file (%s)",
			    eh.e_type == ET_REL ? "a relocatable object" :
			    eh.e_type == ET_CORE ? "a core file" : "unknown type");
		goto out;
	}
	if (elf_getphdrnum(elf, &phnum) != 0)
		phnum = 0;
	has_dynamic = read_program_headers(elf, phnum, r);
	read_dynamic(elf, &d);
	r->go = is_go(elf, phnum);

	/* The reasons, strongest first: set_verdict() keeps the first. */
	if (r->go)
		set_verdict(r, CHECK_BLOCKED, "Go binary: Go makes its own "
			    "system calls");
	/* Without an interpreter the kernel runs it directly: a static
	 * program, or a static PIE (ET_DYN, PT_DYNAMIC and DF_1_PIE), unless
	 * it is a shared library (the same without DF_1_PIE). */
	r->library = !r->dynamic && eh.e_type == ET_DYN && has_dynamic &&
		     !(d.flags_1 & DF_1_PIE);
	if (r->library)
		set_verdict(r, CHECK_BLOCKED, "a shared library, not a program");
	else if (!r->dynamic)
		set_verdict(r, CHECK_BLOCKED, "statically linked%s: LD_PRELOAD "
			    "does not apply", has_dynamic ? " (static PIE)" : "");
	if (o->machine != 0 && (eh.e_ident[EI_CLASS] != o->elf_class ||
				eh.e_machine != o->machine)) {
		describe_target(eh.e_ident[EI_CLASS], eh.e_machine, target,
				sizeof(target));
		describe_target(o->elf_class, o->machine, host, sizeof(host));
		set_verdict(r, CHECK_BLOCKED, "built for %s, libhttptrace.so "
			    "for %s: the loader cannot preload it", target, host);
	}
	check_secure(path, st, o, r);
	if (!r->dynamic)
		goto out;

	/* The program is object 0 of its closure. */
	cl.objs = calloc(CHECK_MAX_OBJECTS + 1, sizeof(*cl.objs));
	if (cl.objs == NULL) {
		add_note(r, "out of memory: libraries not read");
		goto out;
	}
	cl.elf_class = eh.e_ident[EI_CLASS];
	cl.data = eh.e_ident[EI_DATA];
	cl.machine = eh.e_machine;
	if (o->lib_dirs != NULL) {
		cl.dirs = o->lib_dirs;
	} else {
		load_lib_dirs(&dirs);
		cl.dirs = (const char *const *)dirs.v;
	}
	/* The loader takes the program's $ORIGIN from its real path. */
	if (realpath(path, real) != NULL)
		dir_name(real, cl.exe_origin, sizeof(cl.exe_origin));
	else
		dir_name(path, cl.exe_origin, sizeof(cl.exe_origin));
	if (d.rpath != NULL && d.runpath == NULL)
		cl.exe_rpath = strdup(d.rpath);
	cl.objs[0].path = strdup(path);
	cl.objs[0].name = strdup(base_name(path));
	cl.objs[0].soname = d.soname ? strdup(d.soname) : NULL;
	cl.objs[0].dev = st->st_dev;
	cl.objs[0].ino = st->st_ino;
	cl.objs[0].parent = -1;
	cl.n = 1;
	if (cl.objs[0].path == NULL || cl.objs[0].name == NULL) {
		add_note(r, "out of memory: libraries not read");
		goto free_closure;
	}

	/* Only sections are read (a program without them, as sstrip
	 * leaves it, is rare): without, nothing is known of its libraries. */
	complete = d.found;
	r->unread = !d.found;
	if (r->unread)
		add_note(r, "no section headers: its libraries and imports "
			 "cannot be read");
	if (!read_symbols(elf, &r->imports, &r->tls_builtin, &runtime))
		complete = false;
	if (runtime >= 0) {
		char by[CHECK_NAME_MAX];

		format_str(by, sizeof(by), "linked into the program: defines %s",
			   runtimes[runtime].symbol);
		set_runtime(r, runtime, cl.exe_origin, by);
	}
	if (r->tls_builtin != NULL && strcmp(r->tls_builtin, "OpenSSL") == 0)
		check_inline(elf, eh.e_machine, r);
	queue_needed(&cl, 0, &d, r);
	complete &= walk_closure(&cl, r);
	r->n_objects = cl.n - 1;
	if (r->truncated)
		add_note(r, "stopped after %d libraries", CHECK_MAX_OBJECTS);

	/* It makes connections through libc when something connects and
	 * moves bytes, or uses a TLS library the library hooks, or is a
	 * runtime, which loads its socket code later with dlopen. */
	if (!((r->imports & (1ULL << interposed_index("connect"))) &&
	      imports_kind(r->imports, FN_IO)) &&
	    !imports_kind(r->imports, FN_TLS)) {
		if (r->runtime != NULL)
			r->runtime_later = true;
		else if (complete && r->n_missing == 0 && !r->truncated)
			set_verdict(r, CHECK_NO_CALLS, "imports no socket or "
				    "TLS calls: it makes no connections of its "
				    "own (programs it starts are traced on "
				    "their own)");
		else if (!r->unread)
			add_note(r, "imports no socket calls, but not every "
				 "library could be read");
	}

free_closure:
	closure_free(&cl);
	str_list_free(&dirs);
out:
	if (elf != NULL)
		elf_end(elf);
}

/* Open @path as a regular file; reads its first bytes into @head.
 * Returns the fd or -errno (-EISDIR, -EINVAL for other non-regular). */
static int open_program(const char *path, struct stat *st, char *head,
			size_t cap, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	if (fstat(fd, st) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	if (!S_ISREG(st->st_mode)) {
		close(fd);
		return S_ISDIR(st->st_mode) ? -EISDIR : -EINVAL;
	}
	n = pread(fd, head, cap, 0);
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	*len = (size_t)n;
	return fd;
}

/* The interpreter a "#!" line names, into @out; an error goes to @r. */
static bool resolve_interpreter(const char *head, size_t len,
				const check_opts *o, check_result *r,
				char *out, size_t cap)
{
	char interp[SHEBANG_MAX], arg[SHEBANG_MAX], cmd[SHEBANG_MAX];
	int err;

	if (check_parse_shebang(head, len, interp, sizeof(interp), arg,
				sizeof(arg)) < 0) {
		set_verdict(r, CHECK_ERROR, "a \"#!\" line without an "
			    "interpreter");
		return false;
	}
	if (r->shebang[0] == '\0')
		format_str(r->shebang, sizeof(r->shebang), "%s%s%s", interp,
			   arg[0] ? " " : "", arg);
	if (strcmp(base_name(interp), "env") != 0 || arg[0] == '\0') {
		copy_str(out, cap, interp);
		return true;
	}
	/* "#!/usr/bin/env NAME": env runs NAME from PATH. */
	if (check_env_command(arg, cmd, sizeof(cmd)) < 0) {
		copy_str(out, cap, interp);
		return true;
	}
	err = check_find_command(cmd, o->path_env, out, cap);
	if (err < 0) {
		set_verdict(r, CHECK_ERROR, "interpreter %s (from \"#!%s\"): "
			    "%s", cmd, r->shebang, strerror(-err));
		return false;
	}
	return true;
}

enum check_verdict check_file(const char *file, const check_opts *o,
			      check_result *r)
{
	char cur[CHECK_PATH_MAX];

	memset(r, 0, sizeof(*r));
	r->verdict = CHECK_TRACEABLE;
	copy_str(cur, sizeof(cur), file);
	/* A script runs its interpreter, which may be a script again. */
	for (int depth = 0;; depth++) {
		char head[SHEBANG_MAX], next[CHECK_PATH_MAX];
		struct stat st;
		size_t len = 0;
		int fd = open_program(cur, &st, head, sizeof(head), &len);

		copy_str(r->path, sizeof(r->path), cur);
		if (fd < 0) {
			if (depth == 0)
				set_verdict(r, CHECK_ERROR, "%s",
					    fd == -EINVAL ? "not a regular file" :
					    strerror(-fd));
			else
				set_verdict(r, CHECK_ERROR, "interpreter %s: %s",
					    cur, strerror(-fd));
			break;
		}
		if (len >= SELFMAG && memcmp(head, ELFMAG, SELFMAG) == 0) {
			check_elf(cur, fd, &st, o, r);
			close(fd);
			break;
		}
		close(fd);
		if (len < 2 || head[0] != '#' || head[1] != '!') {
			if (depth == 0)
				set_verdict(r, CHECK_ERROR, "not an ELF file");
			else
				set_verdict(r, CHECK_ERROR, "interpreter %s: not "
					    "an ELF file", cur);
			break;
		}
		if (depth == CHECK_MAX_SCRIPTS) {
			set_verdict(r, CHECK_ERROR, "too many levels of \"#!\" "
				    "interpreters");
			break;
		}
		if (!resolve_interpreter(head, len, o, r, next, sizeof(next)))
			break;
		copy_str(cur, sizeof(cur), next);
	}
	/* Say which program a script's verdict is about. */
	if (r->shebang[0] != '\0' && r->elf &&
	    (r->verdict == CHECK_BLOCKED || r->verdict == CHECK_NO_CALLS)) {
		char reason[sizeof(r->reason)];

		copy_str(reason, sizeof(reason), r->reason);
		format_str(r->reason, sizeof(r->reason), "interpreter %s: %s",
			   r->path, reason);
	}
	return r->verdict;
}

/* ---- printing and the commands ---------------------------------------- */

void check_print(FILE *f, const char *file, const check_result *r)
{
	size_t n = 0;

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
	for (size_t i = 0; i < ARRAY_SIZE(interposed); i++)
		n += (r->imports >> i) & 1;
	if (n == 0) {
		fprintf(f, "  imports none of the %zu interposed functions\n",
			ARRAY_SIZE(interposed));
		return;
	}
	fprintf(f, "  imports %zu of %zu interposed functions:", n,
		ARRAY_SIZE(interposed));
	for (size_t i = 0, k = 0; i < ARRAY_SIZE(interposed); i++)
		if (r->imports & (1ULL << i))
			fprintf(f, "%s %s", k++ ? "," : "", interposed[i].name);
	fputc('\n', f);
}

static void check_usage(FILE *f)
{
	fputs("usage: httptrace check FILE...\n"
	      "\n"
	      "Say whether httptrace can trace each program FILE (a path, or a\n"
	      "command name looked up in PATH), and why: dynamically or statically\n"
	      "linked, Go, setuid/setgid, its TLS libraries, the interposed\n"
	      "functions it imports.\n"
	      "\n"
	      "Exit status: 0 all traceable, 1 one is not, 2 an error (a missing\n"
	      "or unreadable file, not an ELF file).\n", f);
}

int check_main(int argc, char **argv)
{
	check_opts o;
	check_result *r;
	int i = 1, status = 0;

	if (argc > 1 && (strcmp(argv[1], "-h") == 0 ||
			 strcmp(argv[1], "--help") == 0)) {
		check_usage(stdout);
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "--") == 0)
		i++;
	else if (argc > 1 && argv[1][0] == '-' && argv[1][1] != '\0') {
		fprintf(stderr, "httptrace check: unknown option '%s'\n", argv[1]);
		check_usage(stderr);
		return 2;
	}
	if (i >= argc) {
		fputs("httptrace check: no FILE given\n", stderr);
		check_usage(stderr);
		return 2;
	}
	r = malloc(sizeof(*r));
	if (r == NULL) {
		fputs("httptrace check: out of memory\n", stderr);
		return 2;
	}
	check_default_opts(&o);
	for (; i < argc; i++) {
		char path[CHECK_PATH_MAX];
		const char *file = argv[i];
		struct stat st;

		/* "check curl": a name that is not a file here is a command. */
		if (strchr(file, '/') == NULL && stat(file, &st) < 0 &&
		    check_find_command(file, o.path_env, path, sizeof(path)) == 0)
			file = path;
		switch (check_file(file, &o, r)) {
		case CHECK_TRACEABLE:
			break;
		case CHECK_NO_CALLS:
		case CHECK_BLOCKED:
			if (status < 1)
				status = 1;
			break;
		case CHECK_ERROR:
			status = 2;
			break;
		}
		if (r->verdict == CHECK_ERROR) {
			fflush(stdout);
			fputs("httptrace: ", stderr);
			check_print(stderr, file, r);
		} else {
			check_print(stdout, file, r);
		}
	}
	free(r);
	return status;
}

void check_warn_command(FILE *err, const char *name)
{
	char path[CHECK_PATH_MAX];
	check_opts o;
	check_result *r;

	check_default_opts(&o);
	if (check_find_command(name, o.path_env, path, sizeof(path)) < 0)
		return;
	r = malloc(sizeof(*r));
	if (r == NULL)
		return;
	if (check_file(path, &o, r) == CHECK_BLOCKED) {
		if (strcmp(name, path) == 0)
			fprintf(err, "httptrace: warning: %s: %s; tracing will "
				"not see its traffic\n", name, r->reason);
		else
			fprintf(err, "httptrace: warning: %s (%s): %s; tracing "
				"will not see its traffic\n", name, path,
				r->reason);
	}
	free(r);
}
