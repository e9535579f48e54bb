/*
 * check_search_path.c - cli/check/search_path.c: the loader's search order
 * for a DT_NEEDED name (DT_RPATH, the program's DT_RPATH, LD_LIBRARY_PATH,
 * DT_RUNPATH, the trusted directories, -z nodeflib), $ORIGIN, ld.so.conf
 * with its includes, the default directories, and execvp's PATH lookup,
 * all over a fake file system: every candidate the search asks about is
 * recorded, so the tests assert the order itself, not only the winner.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "search_path.h"
#include "suites.h"

#define MAX_ASKED 32

/* A fake file system: the files that "exist" and the paths asked about. */
typedef struct fake_fs {
	const char *const *present; /* NULL-terminated */
	int present_result;         /* what a probe of a present file gives */
	const char *const *denied;  /* search_command: present, not
				     * executable (-EACCES); may be NULL */
	char asked[MAX_ASKED][256];
	size_t n_asked;
} fake_fs;

static bool listed(const char *const *list, const char *path)
{
	for (size_t i = 0; list != NULL && list[i] != NULL; i++)
		if (strcmp(list[i], path) == 0)
			return true;
	return false;
}

static void record(fake_fs *fs, const char *path)
{
	ck_assert_uint_lt(fs->n_asked, MAX_ASKED);
	snprintf(fs->asked[fs->n_asked++], sizeof(fs->asked[0]), "%s", path);
}

static bool fake_accept(void *ctx, const char *path)
{
	fake_fs *fs = ctx;

	record(fs, path);
	return listed(fs->present, path);
}

static int fake_probe(void *ctx, const char *path)
{
	fake_fs *fs = ctx;

	record(fs, path);
	if (listed(fs->denied, path))
		return -EACCES;
	return listed(fs->present, path) ? 0 : -ENOENT;
}

/* Assert that exactly the NULL-terminated @want were asked, in order. */
static void assert_asked(const fake_fs *fs, const char *const *want)
{
	size_t n = 0;

	for (; want[n] != NULL; n++) {
		ck_assert_msg(n < fs->n_asked, "asked %zu paths, expected %s "
			      "next", fs->n_asked, want[n]);
		ck_assert_str_eq(fs->asked[n], want[n]);
	}
	ck_assert_uint_eq(fs->n_asked, n);
}

static const char *const trusted[] = { "/t1", "/t2", NULL };
static const char *const nothing[] = { NULL };

/* A search environment for a program in /prog/bin over @fs. */
static search_env env_for(fake_fs *fs, const char *llp, const char *exe_rpath)
{
	return (search_env){
		.ld_library_path = llp,
		.exe_origin = "/prog/bin",
		.exe_rpath = exe_rpath,
		.trusted = trusted,
		.accept = fake_accept,
		.ctx = fs,
	};
}

/* A library in /opt/lib needing something. */
static search_needer library(const char *rpath, const char *runpath)
{
	return (search_needer){
		.program = false,
		.origin = "/opt/lib",
		.rpath = rpath,
		.runpath = runpath,
	};
}

/* ---- the library search order ------------------------------------------ */

START_TEST(ld_library_path_in_order)
{
	const char *const present[] = { "/b/libx.so", "/c/libx.so", NULL };
	fake_fs fs = { .present = present };
	search_env e = env_for(&fs, "/a:/b;/c", NULL);
	search_needer n = library(NULL, NULL);
	char out[256];

	/* ':' and ';' both separate; the first entry holding it wins. */
	ck_assert_int_eq(search_library(&e, &n, "libx.so", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "/b/libx.so");
	assert_asked(&fs, (const char *const[]){ "/a/libx.so", "/b/libx.so",
						 NULL });

	/* Found nowhere: every entry, then the trusted directories. */
	fs = (fake_fs){ .present = nothing };
	ck_assert_int_eq(search_library(&e, &n, "libx.so", out, sizeof(out)),
			 -ENOENT);
	assert_asked(&fs, (const char *const[]){ "/a/libx.so", "/b/libx.so",
						 "/c/libx.so", "/t1/libx.so",
						 "/t2/libx.so", NULL });
}
END_TEST

START_TEST(ld_library_path_empty_entry_and_unset)
{
	fake_fs fs = { .present = nothing };
	search_env e = env_for(&fs, "/a::/b", NULL);
	search_needer n = library(NULL, NULL);
	char out[256];

	/* An empty entry is the current directory, as for the loader. */
	search_library(&e, &n, "libx.so", out, sizeof(out));
	assert_asked(&fs, (const char *const[]){ "/a/libx.so", "./libx.so",
						 "/b/libx.so", "/t1/libx.so",
						 "/t2/libx.so", NULL });

	/* Set but empty, or unset: not searched at all. */
	fs = (fake_fs){ .present = nothing };
	e = env_for(&fs, "", NULL);
	search_library(&e, &n, "libx.so", out, sizeof(out));
	assert_asked(&fs, (const char *const[]){ "/t1/libx.so", "/t2/libx.so",
						 NULL });
	fs = (fake_fs){ .present = nothing };
	e = env_for(&fs, NULL, NULL);
	search_library(&e, &n, "libx.so", out, sizeof(out));
	assert_asked(&fs, (const char *const[]){ "/t1/libx.so", "/t2/libx.so",
						 NULL });
}
END_TEST

START_TEST(rpath_before_ld_library_path_runpath_after)
{
	fake_fs fs = { .present = nothing };
	search_env e = env_for(&fs, "/l", NULL);
	search_needer n = library("/r1:/r2", NULL);
	char out[256];

	search_library(&e, &n, "libx.so", out, sizeof(out));
	assert_asked(&fs, (const char *const[]){ "/r1/libx.so", "/r2/libx.so",
						 "/l/libx.so", "/t1/libx.so",
						 "/t2/libx.so", NULL });

	/* With a DT_RUNPATH, DT_RPATH is ignored and LD_LIBRARY_PATH
	 * comes first. */
	fs = (fake_fs){ .present = nothing };
	n = library("/r1", "/rp");
	search_library(&e, &n, "libx.so", out, sizeof(out));
	assert_asked(&fs, (const char *const[]){ "/l/libx.so", "/rp/libx.so",
						 "/t1/libx.so", "/t2/libx.so",
						 NULL });
}
END_TEST

START_TEST(rpath_found_before_ld_library_path)
{
	const char *const present[] = { "/r/libx.so", "/l/libx.so",
					"/rp/libx.so", NULL };
	fake_fs fs = { .present = present };
	search_env e = env_for(&fs, "/l", NULL);
	search_needer n = library("/r", NULL);
	char out[256];

	ck_assert_int_eq(search_library(&e, &n, "libx.so", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "/r/libx.so");
	n = library("/r", "/rp");
	ck_assert_int_eq(search_library(&e, &n, "libx.so", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "/l/libx.so");
	e = env_for(&fs, NULL, NULL);
	ck_assert_int_eq(search_library(&e, &n, "libx.so", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "/rp/libx.so");
}
END_TEST

START_TEST(program_rpath_serves_its_libraries)
{
	fake_fs fs = { .present = nothing };
	search_env e = env_for(&fs, NULL, "$ORIGIN/../lib");
	search_needer n = library("/own", NULL);
	char out[256];

	/* A library without DT_RUNPATH: its DT_RPATH, then the program's,
	 * whose $ORIGIN is the program's directory. */
	search_library(&e, &n, "libx.so", out, sizeof(out));
	assert_asked(&fs, (const char *const[]){ "/own/libx.so",
						 "/prog/bin/../lib/libx.so",
						 "/t1/libx.so", "/t2/libx.so",
						 NULL });

	/* Not for a library with a DT_RUNPATH. */
	fs = (fake_fs){ .present = nothing };
	n = library(NULL, "/rp");
	search_library(&e, &n, "libx.so", out, sizeof(out));
	assert_asked(&fs, (const char *const[]){ "/rp/libx.so", "/t1/libx.so",
						 "/t2/libx.so", NULL });

	/* Not a second time for the program itself. */
	fs = (fake_fs){ .present = nothing };
	n = (search_needer){ .program = true, .origin = "/prog/bin" };
	search_library(&e, &n, "libx.so", out, sizeof(out));
	assert_asked(&fs, (const char *const[]){ "/t1/libx.so", "/t2/libx.so",
						 NULL });
}
END_TEST

START_TEST(origin_is_the_needing_objects_directory)
{
	fake_fs fs = { .present = nothing };
	search_env e = env_for(&fs, "$ORIGIN/l", NULL);
	search_needer n = library(NULL, "$ORIGIN/../x:${ORIGIN}:/a/$LIB:/b");
	char out[256];

	/* LD_LIBRARY_PATH's $ORIGIN is the program's; DT_RUNPATH's the
	 * library's; an entry with $LIB is skipped. */
	search_library(&e, &n, "libx.so", out, sizeof(out));
	assert_asked(&fs, (const char *const[]){ "/prog/bin/l/libx.so",
						 "/opt/lib/../x/libx.so",
						 "/opt/lib/libx.so",
						 "/b/libx.so", "/t1/libx.so",
						 "/t2/libx.so", NULL });
}
END_TEST

START_TEST(nodeflib_skips_the_trusted_directories)
{
	fake_fs fs = { .present = nothing };
	search_env e = env_for(&fs, NULL, NULL);
	search_needer n = library(NULL, "/rp");
	char out[256];

	n.nodeflib = true;
	ck_assert_int_eq(search_library(&e, &n, "libx.so", out, sizeof(out)),
			 -ENOENT);
	assert_asked(&fs, (const char *const[]){ "/rp/libx.so", NULL });
}
END_TEST

START_TEST(trusted_directories_in_order)
{
	const char *const present[] = { "/t2/libx.so", NULL };
	fake_fs fs = { .present = present };
	search_env e = env_for(&fs, NULL, NULL);
	search_needer n = library(NULL, NULL);
	char out[256];

	ck_assert_int_eq(search_library(&e, &n, "libx.so", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "/t2/libx.so");
	assert_asked(&fs, (const char *const[]){ "/t1/libx.so", "/t2/libx.so",
						 NULL });
}
END_TEST

START_TEST(name_with_slash_is_used_as_is)
{
	const char *const present[] = { "sub/libx.so", NULL };
	fake_fs fs = { .present = present };
	search_env e = env_for(&fs, "/l", NULL);
	search_needer n = library("/r", NULL);
	char out[256];

	ck_assert_int_eq(search_library(&e, &n, "sub/libx.so", out,
					sizeof(out)), 0);
	ck_assert_str_eq(out, "sub/libx.so");
	ck_assert_int_eq(search_library(&e, &n, "/abs/liby.so", out,
					sizeof(out)), -ENOENT);
	assert_asked(&fs, (const char *const[]){ "sub/libx.so",
						 "/abs/liby.so", NULL });
}
END_TEST

START_TEST(candidate_too_long_is_passed_over)
{
	const char *const present[] = { "/t1/libx.so", NULL };
	fake_fs fs = { .present = present };
	search_env e = env_for(&fs, "/a-rather-long-directory", NULL);
	search_needer n = library(NULL, NULL);
	char out[16];

	ck_assert_int_eq(search_library(&e, &n, "libx.so", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "/t1/libx.so");
	assert_asked(&fs, (const char *const[]){ "/t1/libx.so", NULL });
}
END_TEST

/* ---- ld.so.conf and the default directories ---------------------------- */

/* A fake tree of ld.so.conf files, in glob's (sorted) order. */
typedef struct fake_file {
	const char *path, *text;
} fake_file;

typedef struct fake_tree {
	const fake_file *files; /* ends with a NULL path */
	int reads;
} fake_tree;

static int tree_read(void *ctx, const char *path, char **text, size_t *len)
{
	fake_tree *t = ctx;

	for (const fake_file *f = t->files; f->path != NULL; f++)
		if (strcmp(f->path, path) == 0) {
			t->reads++;
			*text = strdup(f->text);
			ck_assert_ptr_nonnull(*text);
			*len = strlen(f->text);
			return 0;
		}
	return -ENOENT;
}

static void tree_glob(void *ctx, const char *pattern,
		      void (*each)(void *arg, const char *path), void *arg)
{
	fake_tree *t = ctx;

	for (const fake_file *f = t->files; f->path != NULL; f++)
		if (fnmatch(pattern, f->path, FNM_PATHNAME) == 0)
			each(arg, f->path);
}

static void read_tree(search_dirs *l, fake_tree *t, const char *file)
{
	search_conf_io io = { tree_read, tree_glob, t };

	search_conf_read(l, file, &io, 0);
}

static void assert_dirs(const search_dirs *l, const char *const *want)
{
	size_t n = 0;

	for (; want[n] != NULL; n++) {
		ck_assert_msg(n < l->n, "%zu directories, expected %s next",
			      l->n, want[n]);
		ck_assert_str_eq(l->v[n], want[n]);
	}
	ck_assert_uint_eq(l->n, n);
	ck_assert_ptr_null(l->v[n]);
}

START_TEST(conf_lines)
{
	static const fake_file files[] = {
		{ "/etc/ld.so.conf",
		  "# a comment\n"
		  "  /usr/local/lib  \n"
		  "/opt/a=libc6\n"
		  "/opt/b:/opt/c\n"
		  "/opt/d,/opt/e\n"
		  "relative/dir\n"
		  "hwcap 0 nosegneg\n"
		  "/usr/local/lib\n"
		  "/opt/f # trailing comment\n"
		  "/opt/i#comment-without-space\n"
		  "\t/opt/g\t/opt/h\n"
		  "/opt/last-without-newline" },
		{ NULL, NULL },
	};
	fake_tree t = { files, 0 };
	search_dirs l = { .n = 0 };

	read_tree(&l, &t, "/etc/ld.so.conf");
	assert_dirs(&l, (const char *const[]){ "/usr/local/lib", "/opt/a",
					       "/opt/b", "/opt/d", "/opt/f",
					       "/opt/i", "/opt/g",
					       "/opt/last-without-newline",
					       NULL });
	search_dirs_free(&l);
	ck_assert_uint_eq(l.n, 0);
}
END_TEST

START_TEST(conf_includes_in_place)
{
	static const fake_file files[] = {
		{ "/etc/ld.so.conf", "/first\ninclude ld.so.conf.d/*.conf\n"
				     "/after\n" },
		{ "/etc/ld.so.conf.d/a.conf", "/inc/a\n" },
		{ "/etc/ld.so.conf.d/b.conf", "/inc/b\n"
					      "include   /abs/*.conf\n" },
		{ "/etc/ld.so.conf.d/c.txt", "/not-a-conf\n" },
		{ "/abs/z.conf", "/abs/dir\n" },
		{ NULL, NULL },
	};
	fake_tree t = { files, 0 };
	search_dirs l = { .n = 0 };

	read_tree(&l, &t, "/etc/ld.so.conf");
	assert_dirs(&l, (const char *const[]){ "/first", "/inc/a", "/inc/b",
					       "/abs/dir", "/after", NULL });
	search_dirs_free(&l);
}
END_TEST

START_TEST(conf_include_depth_is_bounded)
{
	static const fake_file files[] = {
		{ "/etc/loop.conf", "/loop\ninclude /etc/loop.conf\n" },
		{ NULL, NULL },
	};
	fake_tree t = { files, 0 };
	search_dirs l = { .n = 0 };

	read_tree(&l, &t, "/etc/loop.conf");
	assert_dirs(&l, (const char *const[]){ "/loop", NULL });
	ck_assert_int_eq(t.reads, SEARCH_CONF_DEPTH + 1);
	search_dirs_free(&l);

	/* A file that cannot be read adds nothing. */
	t.reads = 0;
	read_tree(&l, &t, "/etc/missing.conf");
	ck_assert_uint_eq(l.n, 0);
	ck_assert_int_eq(t.reads, 0);
}
END_TEST

START_TEST(conf_long_line_read_in_pieces)
{
	/* As fgets() with a 1024-byte buffer: the first 1023 bytes are one
	 * line, the rest another. */
	char text[1200], want[SEARCH_CONF_LINE];
	fake_file files[] = { { "/etc/ld.so.conf", text }, { NULL, NULL } };
	fake_tree t = { files, 0 };
	search_dirs l = { .n = 0 };

	want[0] = '/';
	memset(want + 1, 'a', SEARCH_CONF_LINE - 2);
	want[SEARCH_CONF_LINE - 1] = '\0';
	snprintf(text, sizeof(text), "%s/second\n/third\n", want);
	read_tree(&l, &t, "/etc/ld.so.conf");
	assert_dirs(&l, (const char *const[]){ want, "/second", "/third",
					       NULL });
	search_dirs_free(&l);
}
END_TEST

START_TEST(default_dirs_after_the_conf_ones)
{
	static const fake_file files[] = {
		{ "/etc/ld.so.conf", "/usr/lib\n/usr/local/lib\n" },
		{ NULL, NULL },
	};
	fake_tree t = { files, 0 };
	search_dirs l = { .n = 0 };

	read_tree(&l, &t, "/etc/ld.so.conf");
	search_default_dirs(&l);
#if defined(__x86_64__) && !defined(__ILP32__)
	assert_dirs(&l, (const char *const[]){ "/usr/lib", "/usr/local/lib",
					       "/lib/x86_64-linux-gnu",
					       "/usr/lib/x86_64-linux-gnu",
					       "/lib64", "/usr/lib64", "/lib",
					       NULL });
#else
	ck_assert_str_eq(l.v[0], "/usr/lib");
	ck_assert_str_eq(l.v[l.n - 1], "/lib");
#endif
	search_dirs_free(&l);
}
END_TEST

START_TEST(dirs_bounded_absolute_unique)
{
	search_dirs l = { .n = 0 };
	char d[32];

	search_dirs_add(&l, "", 0);
	search_dirs_add(&l, "lib", 3);
	search_dirs_add(&l, "/lib/extra", 4); /* only its first 4 bytes */
	search_dirs_add(&l, "/lib", 4);
	assert_dirs(&l, (const char *const[]){ "/lib", NULL });
	for (int i = 0; i < SEARCH_MAX_DIRS + 10; i++) {
		snprintf(d, sizeof(d), "/d%d", i);
		search_dirs_add(&l, d, strlen(d));
	}
	ck_assert_uint_eq(l.n, SEARCH_MAX_DIRS);
	ck_assert_ptr_null(l.v[SEARCH_MAX_DIRS]);
	ck_assert_str_eq(l.v[SEARCH_MAX_DIRS - 1], "/d126");
	search_dirs_free(&l);
}
END_TEST

/* ---- execvp's PATH ----------------------------------------------------- */

START_TEST(command_path_in_order)
{
	const char *const present[] = { "/b/prog", "prog", NULL };
	fake_fs fs = { .present = present };
	char out[64];

	/* An empty entry is the current directory: the name alone. */
	ck_assert_int_eq(search_command("prog", "/a::/b", fake_probe, &fs,
					out, sizeof(out)), 0);
	ck_assert_str_eq(out, "prog");
	assert_asked(&fs, (const char *const[]){ "/a/prog", "prog", NULL });

	fs = (fake_fs){ .present = present };
	ck_assert_int_eq(search_command("prog", "/a:/b", fake_probe, &fs,
					out, sizeof(out)), 0);
	ck_assert_str_eq(out, "/b/prog");

	/* Unset: execvp's default. */
	fs = (fake_fs){ .present = nothing };
	ck_assert_int_eq(search_command("prog", NULL, fake_probe, &fs, out,
					sizeof(out)), -ENOENT);
	assert_asked(&fs, (const char *const[]){ "/bin/prog", "/usr/bin/prog",
						 NULL });
}
END_TEST

START_TEST(command_not_executable_goes_on)
{
	const char *const present[] = { "/c/prog", NULL };
	const char *const denied[] = { "/a/prog", NULL };
	fake_fs fs = { .present = present, .denied = denied };
	char out[64];

	ck_assert_int_eq(search_command("prog", "/a:/b:/c", fake_probe, &fs,
					out, sizeof(out)), 0);
	ck_assert_str_eq(out, "/c/prog");
	fs = (fake_fs){ .present = nothing, .denied = denied };
	ck_assert_int_eq(search_command("prog", "/a:/b", fake_probe, &fs,
					out, sizeof(out)), -EACCES);
	assert_asked(&fs, (const char *const[]){ "/a/prog", "/b/prog", NULL });
}
END_TEST

START_TEST(command_with_slash_or_empty)
{
	fake_fs fs = { .present = nothing };
	char out[8];

	ck_assert_int_eq(search_command("./x", "/a", fake_probe, &fs, out,
					sizeof(out)), 0);
	ck_assert_str_eq(out, "./x");
	ck_assert_int_eq(search_command("./much/too/long", "/a", fake_probe,
					&fs, out, sizeof(out)), -ENAMETOOLONG);
	ck_assert_int_eq(search_command("", "/a", fake_probe, &fs, out,
					sizeof(out)), -ENOENT);
	ck_assert_uint_eq(fs.n_asked, 0);
}
END_TEST

Suite *search_path_suite(void)
{
	Suite *s = suite_create("search_path");
	TCase *lib = tcase_create("library");
	TCase *conf = tcase_create("conf");
	TCase *cmd = tcase_create("command");

	tcase_add_test(lib, ld_library_path_in_order);
	tcase_add_test(lib, ld_library_path_empty_entry_and_unset);
	tcase_add_test(lib, rpath_before_ld_library_path_runpath_after);
	tcase_add_test(lib, rpath_found_before_ld_library_path);
	tcase_add_test(lib, program_rpath_serves_its_libraries);
	tcase_add_test(lib, origin_is_the_needing_objects_directory);
	tcase_add_test(lib, nodeflib_skips_the_trusted_directories);
	tcase_add_test(lib, trusted_directories_in_order);
	tcase_add_test(lib, name_with_slash_is_used_as_is);
	tcase_add_test(lib, candidate_too_long_is_passed_over);
	suite_add_tcase(s, lib);
	tcase_add_test(conf, conf_lines);
	tcase_add_test(conf, conf_includes_in_place);
	tcase_add_test(conf, conf_include_depth_is_bounded);
	tcase_add_test(conf, conf_long_line_read_in_pieces);
	tcase_add_test(conf, default_dirs_after_the_conf_ones);
	tcase_add_test(conf, dirs_bounded_absolute_unique);
	suite_add_tcase(s, conf);
	tcase_add_test(cmd, command_path_in_order);
	tcase_add_test(cmd, command_not_executable_goes_on);
	tcase_add_test(cmd, command_with_slash_or_empty);
	suite_add_tcase(s, cmd);
	return s;
}
