/* verdict.c - check_file(): follow a script to its ELF program, read the
 * program and its closure, and decide whether LD_PRELOAD tracing can see
 * its traffic; see check_elf.h.  (Not check.h: that name is the Check test
 * library's.) */
#include "check_elf.h"
#include "check_names.h"
#include "check_util.h"
#include "closure.h"
#include "elf_read.h"
#include "script.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

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
		check_note(r, "set%s bit without effect: its file system is "
			   "mounted nosuid", suid ? "uid" : "gid");
		return;
	}
	if (suid && st->st_uid != o->uid)
		check_set_verdict(r, CHECK_BLOCKED, "setuid (owner uid %u): the "
				  "loader ignores LD_PRELOAD for it",
				  (unsigned)st->st_uid);
	else if (suid)
		check_note(r, "setuid, but owned by uid %u who runs it: "
			   "LD_PRELOAD applies", (unsigned)st->st_uid);
	if (sgid && st->st_gid != o->gid)
		check_set_verdict(r, CHECK_BLOCKED, "setgid (group gid %u): the "
				  "loader ignores LD_PRELOAD for it",
				  (unsigned)st->st_gid);
	else if (sgid)
		check_note(r, "setgid, but its group gid %u is the one it runs "
			   "with: LD_PRELOAD applies", (unsigned)st->st_gid);
	if (getxattr(path, "security.capability", NULL, 0) > 0) {
		if (o->uid != 0)
			check_set_verdict(r, CHECK_BLOCKED, "has file "
					  "capabilities: the loader ignores "
					  "LD_PRELOAD for it");
		else
			check_note(r, "has file capabilities; run by root they "
				   "gain nothing, so LD_PRELOAD applies");
	}
}

/* Read the closure of the dynamically linked program @path (@elf, stat
 * @st, ELF header @eh, .dynamic @d): its imports, TLS libraries, runtime;
 * a program that makes no connections of its own is CHECK_NO_CALLS. */
static void check_closure(const char *path, Elf *elf, const struct stat *st,
			  const GElf_Ehdr *eh, const elfread_dyn *d,
			  const check_opts *o, check_result *r)
{
	closure cl;
	const check_runtime *runtime = NULL;
	bool complete;

	/* The program is object 0 of its closure. */
	if (closure_init(&cl, o, path, st, eh, d) < 0) {
		check_note(r, "out of memory: libraries not read");
		goto out;
	}

	/* Only sections are read (a program without them, as sstrip
	 * leaves it, is rare): without, nothing is known of its libraries. */
	complete = d->found;
	r->unread = !d->found;
	if (r->unread)
		check_note(r, "no section headers: its libraries and imports "
			   "cannot be read");
	if (!elfread_symbols(elf, &r->imports, &r->tls_builtin, &runtime))
		complete = false;
	if (runtime != NULL) {
		char by[CHECK_NAME_MAX];

		check_format(by, sizeof(by), "linked into the program: "
			     "defines %s", runtime->symbol);
		closure_set_runtime(r, runtime, cl.exe_origin, by);
	}
	if (r->tls_builtin != NULL && strcmp(r->tls_builtin, "OpenSSL") == 0)
		elfread_inline_openssl(elf, eh->e_machine, r);
	complete &= closure_read(&cl, d, r);
	r->n_objects = cl.n - 1;
	if (r->truncated)
		check_note(r, "stopped after %d libraries", CHECK_MAX_OBJECTS);

	/* It makes connections through libc when something connects and
	 * moves bytes, or uses a TLS library the library hooks, or is a
	 * runtime, which loads its socket code later with dlopen. */
	if (!(check_imports_has(&r->imports,
				(size_t)check_interposed_index("connect")) &&
	      check_imports_kind(&r->imports, CHECK_FN_IO)) &&
	    !check_imports_kind(&r->imports, CHECK_FN_TLS)) {
		if (r->runtime != NULL)
			r->runtime_later = true;
		else if (complete && r->n_missing == 0 && !r->truncated)
			check_set_verdict(r, CHECK_NO_CALLS, "imports no socket "
					  "or TLS calls: it makes no "
					  "connections of its own (programs "
					  "it starts are traced on their own)");
		else if (!r->unread)
			check_note(r, "imports no socket calls, but not every "
				   "library could be read");
	}
out:
	closure_free(&cl);
}

/* Analyse the ELF program @path (open as @fd, stat @st). */
static void check_elf(const char *path, int fd, const struct stat *st,
		      const check_opts *o, check_result *r)
{
	GElf_Ehdr eh;
	size_t phnum = 0;
	bool has_dynamic;
	elfread_dyn d;
	char target[64], host[64];
	Elf *elf;

	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (elf == NULL || elf_kind(elf) != ELF_K_ELF ||
	    gelf_getehdr(elf, &eh) == NULL) {
		check_set_verdict(r, CHECK_ERROR, "not an ELF file");
		goto out;
	}
	r->elf = true;
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) {
		check_set_verdict(r, CHECK_ERROR, "not an executable ELF file "
				  "(%s)", eh.e_type == ET_REL ?
				  "a relocatable object" :
				  eh.e_type == ET_CORE ? "a core file" :
				  "unknown type");
		goto out;
	}
	if (elf_getphdrnum(elf, &phnum) != 0)
		phnum = 0;
	has_dynamic = elfread_program_headers(elf, phnum, r);
	elfread_dynamic(elf, &d);
	r->go = elfread_is_go(elf, phnum);

	/* The reasons, strongest first: check_set_verdict() keeps the first. */
	if (r->go)
		check_set_verdict(r, CHECK_BLOCKED, "Go binary: Go makes its "
				  "own system calls");
	/* Without an interpreter the kernel runs it directly: a static
	 * program, or a static PIE (ET_DYN, PT_DYNAMIC and DF_1_PIE), unless
	 * it is a shared library (the same without DF_1_PIE). */
	r->library = !r->dynamic && eh.e_type == ET_DYN && has_dynamic &&
		     !(d.flags_1 & DF_1_PIE);
	if (r->library)
		check_set_verdict(r, CHECK_BLOCKED, "a shared library, not a "
				  "program");
	else if (!r->dynamic)
		check_set_verdict(r, CHECK_BLOCKED, "statically linked%s: "
				  "LD_PRELOAD does not apply",
				  has_dynamic ? " (static PIE)" : "");
	if (o->machine != 0 && (eh.e_ident[EI_CLASS] != o->elf_class ||
				eh.e_machine != o->machine)) {
		describe_target(eh.e_ident[EI_CLASS], eh.e_machine, target,
				sizeof(target));
		describe_target(o->elf_class, o->machine, host, sizeof(host));
		check_set_verdict(r, CHECK_BLOCKED, "built for %s, "
				  "libhttptrace.so for %s: the loader cannot "
				  "preload it", target, host);
	}
	check_secure(path, st, o, r);
	if (r->dynamic)
		check_closure(path, elf, st, &eh, &d, o, r);
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

enum check_verdict check_file(const char *file, const check_opts *o,
			      check_result *r)
{
	char cur[CHECK_PATH_MAX];

	memset(r, 0, sizeof(*r));
	r->verdict = CHECK_TRACEABLE;
	check_copy(cur, sizeof(cur), file);
	/* A script runs its interpreter, which may be a script again. */
	for (int depth = 0;; depth++) {
		char head[SCRIPT_LINE_MAX], next[CHECK_PATH_MAX];
		struct stat st;
		size_t len = 0;
		int fd = open_program(cur, &st, head, sizeof(head), &len);

		check_copy(r->path, sizeof(r->path), cur);
		if (fd < 0) {
			if (depth == 0)
				check_set_verdict(r, CHECK_ERROR, "%s",
						  fd == -EINVAL ?
						  "not a regular file" :
						  strerror(-fd));
			else
				check_set_verdict(r, CHECK_ERROR,
						  "interpreter %s: %s", cur,
						  strerror(-fd));
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
				check_set_verdict(r, CHECK_ERROR,
						  "not an ELF file");
			else
				check_set_verdict(r, CHECK_ERROR,
						  "interpreter %s: not an ELF "
						  "file", cur);
			break;
		}
		if (depth == CHECK_MAX_SCRIPTS) {
			check_set_verdict(r, CHECK_ERROR, "too many levels of "
					  "\"#!\" interpreters");
			break;
		}
		if (!script_interpreter(head, len, o, r, next, sizeof(next)))
			break;
		check_copy(cur, sizeof(cur), next);
	}
	/* Say which program a script's verdict is about. */
	if (r->shebang[0] != '\0' && r->elf &&
	    (r->verdict == CHECK_BLOCKED || r->verdict == CHECK_NO_CALLS)) {
		char reason[sizeof(r->reason)];

		check_copy(reason, sizeof(reason), r->reason);
		check_format(r->reason, sizeof(r->reason), "interpreter %s: %s",
			     r->path, reason);
	}
	return r->verdict;
}

