/*
 * check_check.c - cli/check/: the pure parts (search path tokens, "#!"
 * lines, env's command, PATH lookup; the interposed list is held to
 * preload/symbols.h by check_symbols.c) and check_file() on programs on this machine and
 * on programs built here with cc: static, a RUNPATH/RPATH/LD_LIBRARY_PATH
 * closure holding a TLS library, Go markers, setuid/setgid, scripts, no
 * socket calls, language runtimes (the runtimes table, Java's layout).
 */
#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check_elf.h"
#include "suites.h"

static char tmp[256];        /* per-test directory (fixture) */
static check_result res;     /* large: not on the stack */

static void setup(void)
{
	const char *t = getenv("TMPDIR");

	snprintf(tmp, sizeof(tmp), "%s/check_check.XXXXXX",
		 t != NULL && t[0] != '\0' ? t : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmp));
}

static void teardown(void)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "check_check: could not remove %s\n", tmp);
}

/* Run a shell command (printf-style) in the test directory; returns its
 * exit status. */
static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[4096], full[4500];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full), "cd '%s' && { %s; } >build.log 2>&1",
		 tmp, cmd);
	st = system(full);
	return st == -1 ? -1 : WEXITSTATUS(st);
}

/* tmp/NAME into @buf. */
static const char *at(char *buf, size_t cap, const char *name)
{
	snprintf(buf, cap, "%s/%s", tmp, name);
	return buf;
}

static void write_file(const char *name, const char *text, mode_t mode)
{
	char p[512];
	FILE *f = fopen(at(p, sizeof(p), name), "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	ck_assert_int_eq(chmod(p, mode), 0);
}

static bool has_note(const check_result *r, const char *part)
{
	for (size_t i = 0; i < r->n_notes; i++)
		if (strstr(r->notes[i], part) != NULL)
			return true;
	return false;
}

static bool imports(const check_result *r, const char *name)
{
	for (size_t i = 0; i < check_interposed_count(); i++)
		if (strcmp(check_interposed_name(i), name) == 0)
			return check_imports_has(&r->imports, i);
	ck_abort_msg("%s is not interposed", name);
	return false;
}

/* ---- check_expand_dst ---------------------------------------------------- */

static int expand(const char *entry, char *out, size_t cap)
{
	return check_expand_dst(entry, strlen(entry), "/opt/app/bin", out, cap);
}

START_TEST(expand_origin_forms)
{
	char out[256];

	ck_assert_int_eq(expand("$ORIGIN/../lib", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "/opt/app/bin/../lib");
	ck_assert_int_eq(expand("${ORIGIN}/x", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "/opt/app/bin/x");
	ck_assert_int_eq(expand("$ORIGIN", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "/opt/app/bin");
	ck_assert_int_eq(expand("/usr/lib", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "/usr/lib");
	/* Not a token: kept as written. */
	ck_assert_int_eq(expand("/a/$ORIGINAL/b", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "/a/$ORIGINAL/b");
	ck_assert_int_eq(expand("/a$", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "/a$");
	/* An empty entry is the current directory. */
	ck_assert_int_eq(expand("", out, sizeof(out)), 0);
	ck_assert_str_eq(out, ".");
}
END_TEST

START_TEST(expand_only_the_entry_length)
{
	char out[64];

	/* One entry of "A:B", not NUL-terminated after it. */
	ck_assert_int_eq(check_expand_dst("$ORIGIN/l:/other", 9, "/o", out,
					  sizeof(out)), 0);
	ck_assert_str_eq(out, "/o/l");
}
END_TEST

START_TEST(expand_refuses_lib_platform_and_overflow)
{
	char out[16];

	ck_assert_int_eq(expand("/usr/$LIB", out, sizeof(out)), -EINVAL);
	ck_assert_int_eq(expand("${PLATFORM}/x", out, sizeof(out)), -EINVAL);
	ck_assert_int_eq(expand("$ORIGIN/much/too/long", out, sizeof(out)),
			 -ENAMETOOLONG);
	ck_assert_int_eq(expand("/exactly-16-char", out, sizeof(out)),
			 -ENAMETOOLONG);
	ck_assert_int_eq(expand("/exactly-15-chr", out, sizeof(out)), 0);
}
END_TEST

/* ---- check_parse_shebang, check_env_command ------------------------------ */

static int shebang(const char *line, char *interp, char *arg)
{
	return check_parse_shebang(line, strlen(line), interp, 64, arg, 64);
}

START_TEST(shebang_forms)
{
	char i[64], a[64];

	ck_assert_int_eq(shebang("#!/bin/sh\necho\n", i, a), 0);
	ck_assert_str_eq(i, "/bin/sh");
	ck_assert_str_eq(a, "");
	ck_assert_int_eq(shebang("#! /usr/bin/env  python3 -u \t\nx", i, a), 0);
	ck_assert_str_eq(i, "/usr/bin/env");
	ck_assert_str_eq(a, "python3 -u");
	ck_assert_int_eq(shebang("#!/bin/bash", i, a), 0); /* no newline */
	ck_assert_str_eq(i, "/bin/bash");
	ck_assert_int_eq(shebang("#!\n/bin/sh", i, a), -ENOEXEC);
	ck_assert_int_eq(shebang("#!   \n", i, a), -ENOEXEC);
	ck_assert_int_eq(shebang("echo hi\n", i, a), -ENOEXEC);
	ck_assert_int_eq(shebang("#", i, a), -ENOEXEC);
	ck_assert_int_eq(shebang("#!/a/very/long/interpreter/path/that/does/"
				 "not/fit/in/sixty-four/bytes\n", i, a),
			 -ENAMETOOLONG);
}
END_TEST

START_TEST(env_command_skips_options_and_assignments)
{
	char c[32];

	ck_assert_int_eq(check_env_command("python3", c, sizeof(c)), 0);
	ck_assert_str_eq(c, "python3");
	ck_assert_int_eq(check_env_command("-S python3 -u", c, sizeof(c)), 0);
	ck_assert_str_eq(c, "python3");
	ck_assert_int_eq(check_env_command("-i A=1 B=2 perl -w", c, sizeof(c)), 0);
	ck_assert_str_eq(c, "perl");
	ck_assert_int_eq(check_env_command("-u HOME bash", c, sizeof(c)), 0);
	ck_assert_str_eq(c, "bash");
	ck_assert_int_eq(check_env_command("-uHOME bash", c, sizeof(c)), 0);
	ck_assert_str_eq(c, "bash");
	ck_assert_int_eq(check_env_command("-i", c, sizeof(c)), -ENOENT);
	ck_assert_int_eq(check_env_command("  ", c, sizeof(c)), -ENOENT);
	ck_assert_int_eq(check_env_command("a-command-name-longer-than-32-bytes",
					   c, sizeof(c)), -ENAMETOOLONG);
}
END_TEST

/* ---- check_find_command ------------------------------------------------- */

START_TEST(find_command_as_execvp)
{
	char path[1024], out[1024], want[512];

	write_file("prog", "#!/bin/sh\n", 0755);
	write_file("noexec", "#!/bin/sh\n", 0644);
	snprintf(path, sizeof(path), "/nonexistent:%s", tmp);
	ck_assert_int_eq(check_find_command("prog", path, out, sizeof(out)), 0);
	ck_assert_str_eq(out, at(want, sizeof(want), "prog"));
	ck_assert_int_eq(check_find_command("nothere", path, out, sizeof(out)),
			 -ENOENT);
	if (geteuid() != 0) /* root may execute anything with an x bit */
		ck_assert_int_eq(check_find_command("noexec", path, out,
						    sizeof(out)), -EACCES);
	/* With a slash: used as it is, not searched. */
	ck_assert_int_eq(check_find_command("./x/y", path, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "./x/y");
	ck_assert_int_eq(check_find_command("", path, out, sizeof(out)), -ENOENT);
	/* A directory named like the command is passed over. */
	ck_assert_int_eq(sh("mkdir d d/prog && cp prog d/prog2"), 0);
	snprintf(path, sizeof(path), "%s/d:%s", tmp, tmp);
	ck_assert_int_eq(check_find_command("prog", path, out, sizeof(out)), 0);
	ck_assert_str_eq(out, at(want, sizeof(want), "prog"));
}
END_TEST

/* ---- the runtimes table ------------------------------------------------- */

START_TEST(runtime_library_names)
{
	static const struct {
		const char *name, *runtime;
	} cases[] = {
		{ "libruby-3.1.so.3.1", "Ruby" },
		{ "libruby.so.3.3", "Ruby" },
		{ "/opt/ruby/lib/libruby.so", "Ruby" },
		{ "libjli.so", "Java" },
		{ "libjvm.so", "Java" },
		{ "libpython3.11.so.1.0", "Python" },
		{ "libpython3.so", "Python" },
		{ "libpython2.7.so.1.0", "Python" },
		{ "libperl.so.5.36", "Perl" },
		{ "libphp8.2.so", "PHP" },
		{ "libphp.so", "PHP" },
		{ "libnode.so.108", "Node.js" },
		/* Only the prefix then '.', '-' or a digit, and ".so". */
		{ "librubberband.so.2", NULL },
		{ "libperlio.so", NULL },
		{ "libnodelet.so.1", NULL },
		{ "libjvmti_helper.so", NULL },
		{ "libpython3.11.a", NULL },
		{ "libc.so.6", NULL },
		{ "ruby", NULL },
		{ "", NULL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = check_runtime_library(cases[i].name);

		if (cases[i].runtime == NULL)
			ck_assert_msg(got == NULL, "%s: %s", cases[i].name, got);
		else
			ck_assert_msg(got != NULL &&
				      strcmp(got, cases[i].runtime) == 0,
				      "%s: %s", cases[i].name,
				      got ? got : "(none)");
	}
}
END_TEST

START_TEST(runtime_symbols)
{
	ck_assert_str_eq(check_runtime_symbol("Py_Initialize"), "Python");
	ck_assert_str_eq(check_runtime_symbol("perl_parse"), "Perl");
	ck_assert_str_eq(check_runtime_symbol("ruby_init"), "Ruby");
	ck_assert_str_eq(check_runtime_symbol("php_execute_script"), "PHP");
	ck_assert_str_eq(check_runtime_symbol("napi_module_register"), "Node.js");
	ck_assert_ptr_null(check_runtime_symbol("Py_InitializeEx"));
	ck_assert_ptr_null(check_runtime_symbol("uv_run"));
	ck_assert_ptr_null(check_runtime_symbol("main"));
}
END_TEST

/* ---- check_file: errors ------------------------------------------------- */

static check_opts opts(void)
{
	check_opts o;

	check_default_opts(&o);
	return o;
}

START_TEST(file_missing_text_and_directory_are_errors)
{
	check_opts o = opts();
	char p[512];

	ck_assert_int_eq(check_file(at(p, sizeof(p), "missing"), &o, &res),
			 CHECK_ERROR);
	ck_assert_str_eq(res.reason, strerror(ENOENT));
	write_file("text", "hello, world\n", 0755);
	ck_assert_int_eq(check_file(at(p, sizeof(p), "text"), &o, &res),
			 CHECK_ERROR);
	ck_assert_str_eq(res.reason, "not an ELF file");
	write_file("empty", "", 0755);
	ck_assert_int_eq(check_file(at(p, sizeof(p), "empty"), &o, &res),
			 CHECK_ERROR);
	ck_assert_str_eq(res.reason, "not an ELF file");
	/* The ELF magic and nothing else. */
	write_file("magic", "\177ELF", 0755);
	ck_assert_int_eq(check_file(at(p, sizeof(p), "magic"), &o, &res),
			 CHECK_ERROR);
	ck_assert_str_eq(res.reason, "not an ELF file");
	ck_assert_int_eq(check_file(tmp, &o, &res), CHECK_ERROR);
	ck_assert_str_eq(res.reason, strerror(EISDIR));
}
END_TEST

START_TEST(file_object_is_not_a_program)
{
	check_opts o = opts();
	char p[512];

	write_file("o.c", "int f(void) { return 1; }\n", 0644);
	ck_assert_int_eq(sh("cc -c -o o.o o.c"), 0);
	ck_assert_int_eq(check_file(at(p, sizeof(p), "o.o"), &o, &res),
			 CHECK_ERROR);
	ck_assert_ptr_nonnull(strstr(res.reason, "relocatable"));
}
END_TEST

/* ---- check_file: programs on this machine ------------------------------- */

START_TEST(file_bin_sh_is_dynamic)
{
	check_opts o = opts();

	check_file("/bin/sh", &o, &res);
	ck_assert(res.elf);
	ck_assert(res.dynamic);
	ck_assert(!res.go);
	ck_assert(res.interp[0] == '/');
	ck_assert_uint_ge(res.n_objects, 1); /* libc at least */
	ck_assert_uint_eq(res.n_missing, 0);
	/* dash imports no connect; bash does (/dev/tcp): either way it is
	 * not blocked. */
	ck_assert(res.verdict == CHECK_TRACEABLE || res.verdict == CHECK_NO_CALLS);
}
END_TEST

START_TEST(file_curl_needs_openssl)
{
	check_opts o = opts();
	bool ssl = false;

	if (access("/usr/bin/curl", X_OK) != 0)
		return; /* not installed here */
	ck_assert_int_eq(check_file("/usr/bin/curl", &o, &res), CHECK_TRACEABLE);
	ck_assert(imports(&res, "connect"));
	for (size_t i = 0; i < res.n_tls; i++)
		if (strncmp(res.tls[i].soname, "libssl.so", 9) == 0) {
			ssl = true;
			ck_assert_str_eq(res.tls[i].library, "OpenSSL");
			ck_assert(res.tls[i].decoded);
			ck_assert_ptr_nonnull(strstr(res.tls[i].via, "libcurl"));
		}
	ck_assert(ssl);
}
END_TEST

/* ---- check_file: programs built here ------------------------------------ */

/* tmp/lib/libhtnet.so.1 calls connect and send and needs
 * tmp/lib/libgnutls.so.99 (a stand-in named like GnuTLS). */
static void build_libs(void)
{
	write_file("tls.c", "int fake_tls(void) { return 0; }\n", 0644);
	write_file("net.c",
		   "#include <sys/socket.h>\n"
		   "int fake_tls(void);\n"
		   "int net(int fd) { connect(fd, 0, 0);\n"
		   "  return (int)send(fd, \"x\", 1, 0) + fake_tls(); }\n", 0644);
	write_file("main.c", "int net(int);\n"
		   "int main(int c, char **v) { (void)v; return c > 5 ? net(c) : 0; }\n",
		   0644);
	ck_assert_int_eq(sh("mkdir -p lib && "
			    "cc -shared -fPIC -Wl,-soname,libgnutls.so.99 "
			    "-o lib/libgnutls.so.99 tls.c && "
			    "cc -shared -fPIC -Wl,-soname,libhtnet.so.1 "
			    "-Wl,-rpath,'$ORIGIN' -o lib/libhtnet.so.1 net.c "
			    "lib/libgnutls.so.99"), 0);
}

static void assert_closure_found(const check_result *r)
{
	ck_assert_int_eq(r->verdict, CHECK_TRACEABLE);
	ck_assert_uint_eq(r->n_missing, 0);
	ck_assert(imports(r, "connect"));
	ck_assert(imports(r, "send"));
	ck_assert_uint_eq(r->n_tls, 1);
	ck_assert_str_eq(r->tls[0].soname, "libgnutls.so.99");
	ck_assert_str_eq(r->tls[0].via, "libhtnet.so.1");
	ck_assert_str_eq(r->tls[0].library, "GnuTLS");
	ck_assert(r->tls[0].decoded);
}

START_TEST(closure_runpath_origin)
{
	check_opts o = opts();
	char p[512];

	build_libs();
	ck_assert_int_eq(sh("cc -o prog main.c -Wl,--enable-new-dtags "
			    "-Wl,-rpath,'$ORIGIN/lib' lib/libhtnet.so.1"), 0);
	o.ld_library_path = NULL;
	check_file(at(p, sizeof(p), "prog"), &o, &res);
	assert_closure_found(&res);
	/* The program itself calls neither. */
	ck_assert(res.dynamic);
}
END_TEST

START_TEST(closure_rpath_origin)
{
	check_opts o = opts();
	char p[512];

	build_libs();
	ck_assert_int_eq(sh("cc -o prog main.c -Wl,--disable-new-dtags "
			    "-Wl,-rpath,'${ORIGIN}/lib' lib/libhtnet.so.1"), 0);
	o.ld_library_path = NULL;
	check_file(at(p, sizeof(p), "prog"), &o, &res);
	assert_closure_found(&res);
}
END_TEST

START_TEST(closure_ld_library_path_and_missing)
{
	check_opts o = opts();
	char p[512], lib[1024];

	build_libs();
	ck_assert_int_eq(sh("cc -o prog main.c lib/libhtnet.so.1"), 0);
	o.ld_library_path = NULL;
	check_file(at(p, sizeof(p), "prog"), &o, &res);
	ck_assert_uint_eq(res.n_missing, 1);
	ck_assert(has_note(&res, "libhtnet.so.1 (needed by prog) not found"));
	/* Not found: its imports are unknown, so no "no calls" verdict. */
	ck_assert_int_eq(res.verdict, CHECK_TRACEABLE);

	snprintf(lib, sizeof(lib), "%s/nonexistent:%s/lib", tmp, tmp);
	o.ld_library_path = lib;
	check_file(p, &o, &res);
	assert_closure_found(&res);
}
END_TEST

START_TEST(closure_skips_other_machines)
{
	check_opts o = opts();
	const char *dirs[] = { NULL, NULL, NULL };
	char p[512], d32[512];

	/* An x86-64 program whose library directory first holds a file of
	 * another class under libc's name: it must be passed over. */
	build_libs();
	ck_assert_int_eq(sh("cc -o prog main.c -Wl,-rpath,'$ORIGIN/lib' "
			    "lib/libhtnet.so.1"), 0);
	ck_assert_int_eq(sh("mkdir -p l32 && printf '\\177ELF\\001\\001\\001' "
			    "> l32/libc.so.6 && head -c 60 /dev/zero >> "
			    "l32/libc.so.6"), 0);
	dirs[0] = at(d32, sizeof(d32), "l32");
	o.lib_dirs = dirs;
	o.ld_library_path = NULL;
	check_file(at(p, sizeof(p), "prog"), &o, &res);
	/* Only l32 is trusted: libc is not found there. */
	ck_assert_uint_ge(res.n_missing, 1);
	ck_assert(has_note(&res, "libc.so.6"));
}
END_TEST

START_TEST(static_program_is_blocked)
{
	check_opts o = opts();
	char p[512];

	write_file("s.c", "int main(void) { return 0; }\n", 0644);
	if (sh("cc -static -o s s.c") != 0)
		return; /* no static libc here */
	ck_assert_int_eq(check_file(at(p, sizeof(p), "s"), &o, &res),
			 CHECK_BLOCKED);
	ck_assert_str_eq(res.reason, "statically linked: LD_PRELOAD does not "
			 "apply");
	ck_assert(!res.dynamic);
	/* A static PIE: ET_DYN with PT_DYNAMIC but no interpreter. */
	if (sh("cc -static-pie -o sp s.c") == 0) {
		ck_assert_int_eq(check_file(at(p, sizeof(p), "sp"), &o, &res),
				 CHECK_BLOCKED);
		ck_assert_str_eq(res.reason, "statically linked (static PIE): "
				 "LD_PRELOAD does not apply");
	}
}
END_TEST

/* An OpenSSL "linked into the program": SSL_read and SSL_write defined in
 * it.  Hookable prologues give "decoded by inline hooks"; a loop back into
 * the first bytes or a jrcxz there is refused, with the reason. */
START_TEST(builtin_openssl_inline_verdict)
{
#if defined(__x86_64__)
	check_opts o = opts();
	char p[512];

	write_file("ok.c",
		   "__asm__(\".text\\n.skip 0x100000,0xcc\\n"
		   ".globl SSL_read\\n.type SSL_read,@function\\n"
		   "SSL_read: endbr64\\n push %rbp\\n mov %rsp,%rbp\\n xor %eax,%eax\\n"
		   " pop %rbp\\n ret\\n.size SSL_read,.-SSL_read\\n"
		   ".globl SSL_write\\n.type SSL_write,@function\\n"
		   "SSL_write: test %rdi,%rdi\\n je 1f\\n mov $1,%eax\\n1: ret\\n"
		   ".size SSL_write,.-SSL_write\\n\");\n"
		   "int main(void) { return 0; }\n", 0644);
	write_file("bad.c",
		   "__asm__(\".text\\n.skip 0x100000,0xcc\\n"
		   ".globl SSL_read\\n.type SSL_read,@function\\n"
		   "SSL_read: xor %eax,%eax\\n1: dec %edx\\n jg 1b\\n ret\\n"
		   ".size SSL_read,.-SSL_read\\n"
		   ".globl SSL_write\\n.type SSL_write,@function\\n"
		   "SSL_write: mov %edx,%eax\\n jrcxz 2f\\n nop\\n nop\\n2: ret\\n"
		   ".size SSL_write,.-SSL_write\\n\");\n"
		   "int main(void) { return 0; }\n", 0644);
	ck_assert_int_eq(sh("cc -o ok ok.c && cc -o bad bad.c"), 0);
	/* The same hookable functions in a program under 1 MiB of code:
	 * too small to carry OpenSSL, not looked at (the library skips it
	 * too). */
	ck_assert_int_eq(sh("sed 's/[.]skip 0x100000,0xcc//' ok.c > tiny.c && cc -o tiny tiny.c"), 0);
	check_file(at(p, sizeof(p), "tiny"), &o, &res);
	ck_assert(!res.tls_inline);
	ck_assert_uint_eq(res.tls_inline_hooked, 0);
	ck_assert_str_eq(res.tls_inline_why, "OpenSSL: its code is under 1 MiB, "
			 "too small to carry OpenSSL: its .symtab is not looked at");
	check_file(at(p, sizeof(p), "ok"), &o, &res);
	ck_assert_str_eq(res.tls_builtin, "OpenSSL");
	ck_assert(res.tls_inline);
	ck_assert_uint_eq(res.tls_inline_hooked, 2);
	ck_assert_str_eq(res.tls_inline_why, "");
	check_file(at(p, sizeof(p), "bad"), &o, &res);
	ck_assert_str_eq(res.tls_builtin, "OpenSSL");
	ck_assert(!res.tls_inline);
	ck_assert_uint_eq(res.tls_inline_hooked, 0);
	ck_assert_str_eq(res.tls_inline_why,
			 "SSL_read: the branch at +0x4 lands at +0x2, inside the "
			 "patched bytes; SSL_write: the instruction at +0x2 (loop, "
			 "jrcxz or xbegin) cannot be moved");
#endif
}
END_TEST

START_TEST(shared_library_is_not_a_program)
{
	check_opts o = opts();
	char p[512];

	write_file("l.c", "int f(void) { return 0; }\n", 0644);
	ck_assert_int_eq(sh("cc -shared -fPIC -o l.so l.c && "
			    "cc -shared -fPIC -Wl,-soname,libl.so.1 -o l1.so l.c"), 0);
	ck_assert_int_eq(check_file(at(p, sizeof(p), "l.so"), &o, &res),
			 CHECK_BLOCKED);
	ck_assert_str_eq(res.reason, "a shared library, not a program");
	ck_assert(res.library);
	ck_assert_int_eq(check_file(at(p, sizeof(p), "l1.so"), &o, &res),
			 CHECK_BLOCKED);
	ck_assert(res.library);
}
END_TEST

START_TEST(go_markers_are_blocked)
{
	check_opts o = opts();
	char p[512];
	/* A note as Go's linker writes it: namesz 4, descsz 4, type 4 (Go
	 * build ID), name "Go\0\0", then the ID. */
	static const unsigned char note[] = {
		4, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 'G', 'o', 0, 0,
		'a', 'b', 'c', 'd',
	};
	FILE *f;

	write_file("m.c", "int main(void) { return 0; }\n", 0644);
	ck_assert_int_eq(sh("cc -o plain m.c"), 0);
	ck_assert_int_ne(check_file(at(p, sizeof(p), "plain"), &o, &res),
			 CHECK_BLOCKED);
	ck_assert(!res.go);

	write_file("bi", "\377 Go buildinf:", 0644);
	if (sh("objcopy --add-section .go.buildinfo=bi plain gobi") != 0)
		return; /* no binutils objcopy */
	ck_assert_int_eq(check_file(at(p, sizeof(p), "gobi"), &o, &res),
			 CHECK_BLOCKED);
	ck_assert(res.go);
	ck_assert_str_eq(res.reason, "Go binary: Go makes its own system calls");

	/* Only the build ID note, in a section of another name. */
	f = fopen(at(p, sizeof(p), "note"), "wb");
	ck_assert_ptr_nonnull(f);
	fwrite(note, 1, sizeof(note), f);
	fclose(f);
	ck_assert_int_eq(sh("objcopy --add-section .note.other=note "
			    "--set-section-flags .note.other=alloc,readonly "
			    "plain gonote"), 0);
	ck_assert_int_eq(check_file(at(p, sizeof(p), "gonote"), &o, &res),
			 CHECK_BLOCKED);
	ck_assert(res.go);
}
END_TEST

/* A program without section headers (as sstrip leaves it): traceable as
 * far as can be told, its libraries unknown. */
START_TEST(no_section_headers)
{
	check_opts o = opts();
	Elf64_Ehdr eh;
	char p[512];
	FILE *f;

	write_file("m.c", "int main(void) { return 0; }\n", 0644);
	ck_assert_int_eq(sh("cc -o nosh m.c"), 0);
	f = fopen(at(p, sizeof(p), "nosh"), "r+b");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fread(&eh, sizeof(eh), 1, f), 1);
	if (eh.e_ident[EI_CLASS] != ELFCLASS64) {
		fclose(f);
		return; /* the patch below is for 64-bit ELF */
	}
	eh.e_shoff = 0;
	eh.e_shnum = 0;
	eh.e_shstrndx = 0;
	rewind(f);
	ck_assert_uint_eq(fwrite(&eh, sizeof(eh), 1, f), 1);
	fclose(f);
	ck_assert_int_eq(check_file(p, &o, &res), CHECK_TRACEABLE);
	ck_assert(res.dynamic);
	ck_assert(res.unread);
	ck_assert(has_note(&res, "no section headers"));
}
END_TEST

START_TEST(other_machine_is_blocked)
{
	check_opts o = opts();

	o.elf_class = ELFCLASS64;
	o.machine = o.machine == EM_S390 ? EM_X86_64 : EM_S390;
	ck_assert_int_eq(check_file("/bin/sh", &o, &res), CHECK_BLOCKED);
	ck_assert_ptr_nonnull(strstr(res.reason, "the loader cannot preload it"));
}
END_TEST

START_TEST(setuid_and_setgid)
{
	check_opts o = opts();
	struct statvfs vfs;
	char p[512];

	write_file("m.c", "int main(void) { return 0; }\n", 0644);
	ck_assert_int_eq(sh("cc -o su m.c && chmod 4755 su"), 0);
	at(p, sizeof(p), "su");
	if (statvfs(p, &vfs) == 0 && (vfs.f_flag & ST_NOSUID)) {
		check_file(p, &o, &res);
		ck_assert(has_note(&res, "nosuid"));
		return;
	}
	/* Run by its owner: the bit gains nothing. */
	o.uid = getuid();
	ck_assert_int_ne(check_file(p, &o, &res), CHECK_BLOCKED);
	ck_assert(has_note(&res, "setuid, but owned by"));
	/* Run by someone else: secure-execution mode. */
	o.uid = getuid() + 1;
	ck_assert_int_eq(check_file(p, &o, &res), CHECK_BLOCKED);
	ck_assert_ptr_nonnull(strstr(res.reason, "setuid"));
	ck_assert_ptr_nonnull(strstr(res.reason, "ignores LD_PRELOAD"));

	ck_assert_int_eq(sh("cp su sg && chmod 2755 sg"), 0);
	at(p, sizeof(p), "sg");
	o.uid = getuid() + 1;
	o.gid = getgid();
	ck_assert_int_ne(check_file(p, &o, &res), CHECK_BLOCKED);
	o.gid = getgid() + 1;
	ck_assert_int_eq(check_file(p, &o, &res), CHECK_BLOCKED);
	ck_assert_ptr_nonnull(strstr(res.reason, "setgid"));
	/* Setgid without group execute is a locking mark, not setgid. */
	ck_assert_int_eq(sh("chmod 2745 sg"), 0);
	ck_assert_int_ne(check_file(p, &o, &res), CHECK_BLOCKED);
}
END_TEST

START_TEST(scripts_follow_their_interpreter)
{
	check_opts o = opts();
	char p[512], path[1024], line[1024];

	write_file("m.c", "int main(void) { return 0; }\n", 0644);
	ck_assert_int_eq(sh("cc -o interp m.c"), 0);
	snprintf(path, sizeof(path), "/nonexistent:%s", tmp);
	o.path_env = path;

	/* "#!/usr/bin/env NAME" looks NAME up in PATH. */
	write_file("s1", "#!/usr/bin/env -S interp -x\n", 0755);
	check_file(at(p, sizeof(p), "s1"), &o, &res);
	ck_assert(res.elf);
	ck_assert_str_eq(res.shebang, "/usr/bin/env -S interp -x");
	ck_assert_str_eq(res.path, at(p, sizeof(p), "interp"));

	/* An absolute interpreter, itself a script. */
	snprintf(line, sizeof(line), "#!%s/s1\n", tmp);
	write_file("s2", line, 0755);
	check_file(at(p, sizeof(p), "s2"), &o, &res);
	ck_assert_str_eq(res.path, at(p, sizeof(p), "interp"));

	/* A script for a static program: blocked, saying which program. */
	if (sh("cc -static -o sinterp m.c") == 0) {
		snprintf(line, sizeof(line), "#!%s/sinterp\n", tmp);
		write_file("s3", line, 0755);
		ck_assert_int_eq(check_file(at(p, sizeof(p), "s3"), &o, &res),
				 CHECK_BLOCKED);
		ck_assert_ptr_nonnull(strstr(res.reason, "interpreter "));
		ck_assert_ptr_nonnull(strstr(res.reason, "statically linked"));
	}

	/* Missing interpreter, a loop of scripts, no interpreter at all. */
	write_file("s4", "#!/usr/bin/env no-such-command\n", 0755);
	ck_assert_int_eq(check_file(at(p, sizeof(p), "s4"), &o, &res),
			 CHECK_ERROR);
	ck_assert_ptr_nonnull(strstr(res.reason, "no-such-command"));
	snprintf(line, sizeof(line), "#!%s/s5\n", tmp);
	write_file("s5", line, 0755);
	ck_assert_int_eq(check_file(at(p, sizeof(p), "s5"), &o, &res),
			 CHECK_ERROR);
	ck_assert_ptr_nonnull(strstr(res.reason, "too many levels"));
	write_file("s6", "#!\n", 0755);
	ck_assert_int_eq(check_file(at(p, sizeof(p), "s6"), &o, &res),
			 CHECK_ERROR);
}
END_TEST

/* A program that imports no socket call makes no connections of its own;
 * one that needs a runtime's library, or defines its interpreter's entry
 * point, loads its socket code later and is traceable. */
START_TEST(no_calls_unless_a_runtime)
{
	check_opts o = opts();
	char p[512];

	o.ld_library_path = NULL;
	write_file("m.c", "int main(void) { return 0; }\n", 0644);
	write_file("l.c", "int f(void) { return 0; }\n", 0644);
	write_file("u.c", "int f(void);\n"
		   "int main(int c, char **v) { (void)v; return c > 5 ? f() : 0; }\n",
		   0644);
	ck_assert_int_eq(sh("cc -o plain m.c"), 0);
	ck_assert_int_eq(check_file(at(p, sizeof(p), "plain"), &o, &res),
			 CHECK_NO_CALLS);
	ck_assert_str_eq(res.reason, "imports no socket or TLS calls: it "
			 "makes no connections of its own (programs it starts "
			 "are traced on their own)");
	ck_assert_ptr_null(res.runtime);
	ck_assert(!res.runtime_later);

	/* Named like a runtime's library, but no runtime's. */
	ck_assert_int_eq(sh("mkdir -p lib && cc -shared -fPIC "
			    "-Wl,-soname,librubberband.so.2 -o "
			    "lib/librubberband.so.2 l.c && cc -o rb u.c "
			    "-Wl,-rpath,'$ORIGIN/lib' lib/librubberband.so.2"), 0);
	ck_assert_int_eq(check_file(at(p, sizeof(p), "rb"), &o, &res),
			 CHECK_NO_CALLS);
	ck_assert_ptr_null(res.runtime);

	/* Ruby's library, with its socket.so where Debian keeps it. */
	ck_assert_int_eq(sh("cc -shared -fPIC -Wl,-soname,libruby-3.1.so.3.1 "
			    "-o lib/libruby-3.1.so.3.1 l.c && mkdir -p "
			    "lib/ruby/3.1.0 && cp lib/libruby-3.1.so.3.1 "
			    "lib/ruby/3.1.0/socket.so && cc -o ruby u.c "
			    "-Wl,-rpath,'$ORIGIN/lib' lib/libruby-3.1.so.3.1"), 0);
	ck_assert_int_eq(check_file(at(p, sizeof(p), "ruby"), &o, &res),
			 CHECK_TRACEABLE);
	ck_assert_str_eq(res.runtime, "Ruby");
	ck_assert(res.runtime_later);
	ck_assert_str_eq(res.runtime_by, "libruby-3.1.so.3.1, needed directly");
	ck_assert_ptr_nonnull(strstr(res.runtime_loads,
				     "/lib/ruby/3.1.0/socket.so"));
	ck_assert_ptr_null(res.runtime_note);

	/* Python linked into the program: its entry point is defined. */
	write_file("py.c", "void Py_Initialize(void) {}\n"
		   "int main(void) { Py_Initialize(); return 0; }\n", 0644);
	ck_assert_int_eq(sh("cc -o python py.c"), 0);
	ck_assert_int_eq(check_file(at(p, sizeof(p), "python"), &o, &res),
			 CHECK_TRACEABLE);
	ck_assert_str_eq(res.runtime, "Python");
	ck_assert(res.runtime_later);
	ck_assert_str_eq(res.runtime_by,
			 "linked into the program: defines Py_Initialize");
}
END_TEST

/* Java's layout: bin/java needs lib/libjli.so through $ORIGIN/../lib,
 * which loads lib/server/libjvm.so.  Its note says JSSE is not decoded. */
START_TEST(java_layout)
{
	check_opts o = opts();
	char p[512], *buf = NULL;
	size_t len = 0;
	FILE *f;

	o.ld_library_path = NULL;
	write_file("l.c", "int f(void) { return 0; }\n", 0644);
	write_file("u.c", "int f(void);\n"
		   "int main(int c, char **v) { (void)v; return c > 5 ? f() : 0; }\n",
		   0644);
	ck_assert_int_eq(sh("mkdir -p jdk/bin jdk/lib/server && "
			    "cc -shared -fPIC -Wl,-soname,libjli.so "
			    "-o jdk/lib/libjli.so l.c && "
			    "cp jdk/lib/libjli.so jdk/lib/server/libjvm.so && "
			    "cc -o jdk/bin/java u.c -Wl,--disable-new-dtags "
			    "-Wl,-rpath,'$ORIGIN:$ORIGIN/../lib' jdk/lib/libjli.so"), 0);
	ck_assert_int_eq(check_file(at(p, sizeof(p), "jdk/bin/java"), &o, &res),
			 CHECK_TRACEABLE);
	ck_assert_str_eq(res.runtime, "Java");
	ck_assert(res.runtime_later);
	ck_assert_str_eq(res.runtime_by, "libjli.so, needed directly");
	ck_assert_ptr_nonnull(strstr(res.runtime_loads,
				     "/jdk/lib/server/libjvm.so"));
	ck_assert_str_eq(res.runtime_note, "HTTPS through JSSE is not decoded "
			 "(Java's own TLS); plain HTTP is traced");

	f = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(f);
	check_print(f, "java", &res);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "java: traceable, loads its socket "
				     "code at run time (Java)\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\n  runtime: Java (libjli.so, "
				     "needed directly): "));
	ck_assert_ptr_nonnull(strstr(buf, "\n  HTTPS through JSSE is not "
				     "decoded (Java's own TLS); plain HTTP is "
				     "traced\n"));
	free(buf);

	/* Without lib/server/libjvm.so: still Java, nothing found to load. */
	ck_assert_int_eq(sh("rm jdk/lib/server/libjvm.so"), 0);
	ck_assert_int_eq(check_file(at(p, sizeof(p), "jdk/bin/java"), &o, &res),
			 CHECK_TRACEABLE);
	ck_assert_str_eq(res.runtime, "Java");
	ck_assert_str_eq(res.runtime_loads, "");
}
END_TEST

/* A runtime that imports the socket calls itself: named, not "later". */
START_TEST(runtime_with_its_own_socket_calls)
{
	check_opts o = opts();
	char p[512];

	o.ld_library_path = NULL;
	write_file("n.c", "#include <sys/socket.h>\n"
		   "int f(int fd) { connect(fd, 0, 0);\n"
		   "  return (int)send(fd, \"x\", 1, 0); }\n", 0644);
	write_file("u.c", "int f(int);\n"
		   "int main(int c, char **v) { (void)v; return c > 5 ? f(c) : 0; }\n",
		   0644);
	ck_assert_int_eq(sh("mkdir -p lib && cc -shared -fPIC "
			    "-Wl,-soname,libperl.so.5.36 -o lib/libperl.so.5.36 "
			    "n.c && cc -o perl u.c -Wl,-rpath,'$ORIGIN/lib' "
			    "lib/libperl.so.5.36"), 0);
	ck_assert_int_eq(check_file(at(p, sizeof(p), "perl"), &o, &res),
			 CHECK_TRACEABLE);
	ck_assert_str_eq(res.runtime, "Perl");
	ck_assert(!res.runtime_later);
}
END_TEST

START_TEST(print_lines)
{
	check_opts o = opts();
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	char p[512];

	write_file("text", "hello\n", 0644);
	f = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(f);
	check_file(at(p, sizeof(p), "text"), &o, &res);
	check_print(f, "T", &res);
	check_file("/bin/sh", &o, &res);
	check_print(f, "/bin/sh", &res);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "T: not an ELF file\n/bin/sh: "));
	ck_assert_ptr_nonnull(strstr(buf, "\n  dynamically linked (interpreter /"));
	ck_assert_ptr_nonnull(strstr(buf, "\n  imports "));
	free(buf);
}
END_TEST

Suite *check_suite(void)
{
	Suite *s = suite_create("check");
	TCase *pure = tcase_create("pure");
	TCase *files = tcase_create("files");

	tcase_add_test(pure, expand_origin_forms);
	tcase_add_test(pure, expand_only_the_entry_length);
	tcase_add_test(pure, expand_refuses_lib_platform_and_overflow);
	tcase_add_test(pure, shebang_forms);
	tcase_add_test(pure, env_command_skips_options_and_assignments);
	tcase_add_test(pure, runtime_library_names);
	tcase_add_test(pure, runtime_symbols);
	suite_add_tcase(s, pure);

	/* These build programs with cc: allow for a slow machine. */
	tcase_set_timeout(files, 60);
	tcase_add_checked_fixture(files, setup, teardown);
	tcase_add_test(files, find_command_as_execvp);
	tcase_add_test(files, file_missing_text_and_directory_are_errors);
	tcase_add_test(files, file_object_is_not_a_program);
	tcase_add_test(files, file_bin_sh_is_dynamic);
	tcase_add_test(files, file_curl_needs_openssl);
	tcase_add_test(files, closure_runpath_origin);
	tcase_add_test(files, closure_rpath_origin);
	tcase_add_test(files, closure_ld_library_path_and_missing);
	tcase_add_test(files, closure_skips_other_machines);
	tcase_add_test(files, static_program_is_blocked);
	tcase_add_test(files, shared_library_is_not_a_program);
	tcase_add_test(files, go_markers_are_blocked);
	tcase_add_test(files, no_section_headers);
	tcase_add_test(files, other_machine_is_blocked);
	tcase_add_test(files, setuid_and_setgid);
	tcase_add_test(files, scripts_follow_their_interpreter);
	tcase_add_test(files, no_calls_unless_a_runtime);
	tcase_add_test(files, java_layout);
	tcase_add_test(files, runtime_with_its_own_socket_calls);
	tcase_add_test(files, print_lines);
	tcase_add_test(files, builtin_openssl_inline_verdict);
	suite_add_tcase(s, files);
	return s;
}
