/*
 * inline_ssl.c - OpenSSL linked into the program itself (Node.js embeds
 * OpenSSL 3 statically), or into a library that bundles it: its calls
 * never go through a PLT, so interposition by name cannot reach them.  The
 * entry points are found in the object's symbol tables with libelf and
 * hooked inline:
 *
 *   SSL_read:   endbr64 (kept)      trampoline page (mmap'ed within 2 GiB)
 *               jmp rel32 ------->  entry:  endbr64; jmp *hook  (absolute)
 *               <rest of SSL_read>  real:   endbr64; displaced instructions,
 *                     ^                     relocated; jmp *SSL_read+n
 *                     +-----------------------------------------+
 *
 * The hook (hook_openssl.c's shared bodies) calls "real" as the real
 * function.  The 5-byte jmp rel32 displaces the fewest instructions (a
 * 14-byte absolute jump would move two or three times as many, and is
 * more often refused); it needs the trampoline within +-2 GiB, so the page
 * is mapped near the object's text (MAP_FIXED_NOREPLACE on free addresses
 * below it, then above).
 *
 * Safety, in order: the function is decoded whole (x86dec.c) and refused
 * when any instruction is unknown, when a displaced instruction cannot be
 * moved, or when a branch lands inside the patched bytes; relocation
 * refuses operands out of reach; the text page is made writable only
 * while the 5 bytes are written (keeping it executable, since other code on
 * it may run), then its protection is restored; the jmp is written with one
 * atomic 8-byte store when it fits in an aligned quadword.  Patching happens
 * in the library's constructor, before the program's own constructors and
 * main(), so no other thread of an ordinary program exists yet; when one
 * does (a library's constructor started it), nothing is patched and the
 * run's summary says why.
 *
 * libelf is dlopen'ed only when an object defines OpenSSL functions itself
 * (cheap tests first: a walk over the loaded objects' GNU hash tables, or
 * and closed again once the symbols are read.
 *
 * x86-64 only: other machines need their own patch (aarch64: a B imm26
 * reaches +-128 MiB, or LDR x16/BR x16 in 16 bytes; relocating ADRP, ADR,
 * LDR literal, B.cond/CBZ/TBZ; and an instruction cache flush).
 */
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <unistd.h>

#include "elfgot.h"
#include "elfsym.h"
#include "ossl.h"
#include "x86dec.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

/* The functions hooked, then the helpers the hooks call. */
enum { F_READ, F_READ_EX, F_WRITE, F_WRITE_EX, F_DO_HANDSHAKE, F_CONNECT,
       F_SHUTDOWN, F_FREE, NF };
enum { H_INIT_FINISHED = NF, H_VERSION, H_ALPN, H_ERROR, H_FD, H_CLIENT_RANDOM,
       H_IS_SERVER, H_WBIO, H_BIO_WRITTEN, NSYM };

static const char *const sym_names[NSYM] = {
	"SSL_read", "SSL_read_ex", "SSL_write", "SSL_write_ex",
	"SSL_do_handshake", "SSL_connect", "SSL_shutdown", "SSL_free",
	"SSL_is_init_finished", "SSL_get_version", "SSL_get0_alpn_selected",
	"SSL_get_error", "SSL_get_fd", "SSL_get_client_random", "SSL_is_server",
	"SSL_get_wbio", "BIO_number_written",
};

/* The static OpenSSL's helpers, and the trampolines ("real" functions). */
static ht_ossl st_api = {.fixed = true};
static void *real[NF];

/* ---- the hooks ------------------------------------------------------------- */

static int hk_read(SSL *s, void *b, int n)
{
	return ht_ossl_read(&st_api, real[F_READ], s, b, n);
}

static int hk_read_ex(SSL *s, void *b, size_t n, size_t *got)
{
	return ht_ossl_read_ex(&st_api, real[F_READ_EX], s, b, n, got);
}

static int hk_write(SSL *s, const void *b, int n)
{
	return ht_ossl_write(&st_api, real[F_WRITE], s, b, n);
}

static int hk_write_ex(SSL *s, const void *b, size_t n, size_t *put)
{
	return ht_ossl_write_ex(&st_api, real[F_WRITE_EX], s, b, n, put);
}

static int hk_do_handshake(SSL *s)
{
	return ht_ossl_handshake(&st_api, real[F_DO_HANDSHAKE], s);
}

static int hk_connect(SSL *s)
{
	return ht_ossl_handshake(&st_api, real[F_CONNECT], s);
}

static int hk_shutdown(SSL *s)
{
	return ht_ossl_shutdown(&st_api, real[F_SHUTDOWN], s);
}

static void hk_free(SSL *s)
{
	ht_ossl_free(&st_api, real[F_FREE], s);
}

static void *const hooks[NF] = {
	(void *)hk_read, (void *)hk_read_ex, (void *)hk_write,
	(void *)hk_write_ex, (void *)hk_do_handshake, (void *)hk_connect,
	(void *)hk_shutdown, (void *)hk_free,
};

/* ---- what was refused, for the run's summary --------------------------------- */

static char report[1024];
static size_t report_len;

/* Add "NAME: WHY" to the report (just WHY for the whole OpenSSL: NULL). */
static void refuse(const char *name, const char *why)
{
	int n = snprintf(report + report_len, sizeof report - report_len,
			 "%s%s%s%s", report_len ? "; " : "", name ? name : "",
			 name ? ": " : "", why);
	if (n > 0 && report_len + (size_t)n < sizeof report)
		report_len += (size_t)n;
}

/* Send the report for the object @path as a NOTE record. */
static void send_report(const char *path)
{
	static char text[1400]; /* once per process, from the constructor */
	int n = snprintf(text, sizeof text, "%s: OpenSSL not hooked inline: %s",
			 path, report);
	if (n <= 0)
		return;
	ht_record rec;
	memset(&rec, 0, sizeof rec);
	rec.type = HT_REC_NOTE;
	rec.u.note.pid = ht_pid;
	rec.u.note.text.p = text;
	rec.u.note.text.len = (uint16_t)((size_t)n < sizeof text ? (size_t)n : sizeof text - 1);
	ht_emit(NULL, &rec);
}

/* ---- which object ---------------------------------------------------------- */

static int find_obj(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct ht_ssl_obj *o = arg;
	(void)size;
	bool first = !o->found && o->addr == 0;
	bool hit = first;
	for (size_t i = 0; !hit && i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
		hit = ph->p_type == PT_LOAD && o->addr >= lo && o->addr < lo + ph->p_memsz;
	}
	if (!hit)
		return 0;
	o->found = true;
	o->bias = info->dlpi_addr;
	o->phdr = info->dlpi_phdr;
	o->phnum = info->dlpi_phnum;
	o->name = info->dlpi_name;
	return 1;
}

/* The object containing @addr (0: the program, always listed first). */
static bool object_of(uintptr_t addr, struct ht_ssl_obj *o)
{
	memset(o, 0, sizeof *o);
	o->addr = addr;
	dl_iterate_phdr(find_obj, o);
	if (o->found && addr) {
		struct ht_ssl_obj prog;
		memset(&prog, 0, sizeof prog);
		dl_iterate_phdr(find_obj, &prog);
		o->main = prog.found && prog.bias == o->bias && prog.phdr == o->phdr;
	} else if (o->found) {
		o->main = true;
	}
	return o->found;
}

static bool is_libssl(const char *name)
{
	/* (libc's strrchr, not a byte loop: over each object's whole path,
	 * a loop took 440 instructions more per traced process, for a
	 * page fault in one process of twenty) */
	HT_STARTUP_RODATA static const char libssl[] = "libssl.so";
	const char *b = strrchr(name, '/');
	b = b ? b + 1 : name;
	return strncmp(b, libssl, sizeof libssl - 1) == 0;
}

/* Whether the ELF file open at @fd has a .symtab (a few bytes read, no
 * libelf). */
static bool symtab_in(int fd)
{
	bool yes = false;
	Elf64_Ehdr eh;
	if (pread(fd, &eh, sizeof eh, 0) == (ssize_t)sizeof eh &&
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0 &&
	    eh.e_ident[EI_CLASS] == ELFCLASS64 && eh.e_shentsize == sizeof(Elf64_Shdr)) {
		Elf64_Shdr sh[16];
		for (unsigned i = 0; !yes && i < eh.e_shnum; i += 16) {
			unsigned n = eh.e_shnum - i < 16 ? eh.e_shnum - i : 16;
			ssize_t want = (ssize_t)(n * sizeof sh[0]);
			if (pread(fd, sh, (size_t)want, (off_t)(eh.e_shoff + i * sizeof sh[0])) != want)
				break;
			for (unsigned k = 0; k < n; k++)
				yes |= sh[k].sh_type == SHT_SYMTAB;
		}
	}
	return yes;
}

static void close_fd(int fd)
{
	HT_REAL(close) ? ht_real.close(fd) : close(fd);
}

/* Whether the notes at @p (@len bytes, each field aligned to @align) hold
 * a GNU build ID. */
static bool has_build_id(const uint8_t *p, size_t len, size_t align)
{
	size_t off = 0;
	while (len - off >= sizeof(Elf64_Nhdr)) {
		Elf64_Nhdr nh;
		memcpy(&nh, p + off, sizeof nh);
		size_t name = ((size_t)nh.n_namesz + align - 1) & ~(align - 1);
		size_t desc = ((size_t)nh.n_descsz + align - 1) & ~(align - 1);
		size_t body = len - off - sizeof nh;
		if (name > body || desc > body - name)
			return false;
		if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
		    nh.n_descsz > 0 && memcmp(p + off + sizeof nh, "GNU", 4) == 0)
			return true;
		off += sizeof nh + name + desc;
	}
	return false;
}

/* Whether the file open at @fd is the one the program @o was loaded from:
 * its ELF header and its notes, a GNU build ID among them, are the bytes
 * in memory. */
static bool is_loaded_from(int fd, const struct ht_ssl_obj *o)
{
	bool header = false, build_id = false;
	for (size_t i = 0; i < o->phnum; i++) {
		const ElfW(Phdr) *ph = &o->phdr[i];
		const uint8_t *mem = (const uint8_t *)(o->bias + ph->p_vaddr);
		uint8_t buf[512];
		if (ph->p_type == PT_LOAD && ph->p_offset == 0 &&
		    ph->p_filesz >= sizeof(Elf64_Ehdr)) {
			if (pread(fd, buf, sizeof(Elf64_Ehdr), 0) != (ssize_t)sizeof(Elf64_Ehdr) ||
			    memcmp(buf, mem, sizeof(Elf64_Ehdr)) != 0)
				return false;
			header = true;
		} else if (ph->p_type == PT_NOTE) {
			if (ph->p_filesz > sizeof buf ||
			    pread(fd, buf, ph->p_filesz, (off_t)ph->p_offset) != (ssize_t)ph->p_filesz ||
			    memcmp(buf, mem, ph->p_filesz) != 0)
				return false;
			build_id |= has_build_id(mem, ph->p_filesz,
						 ph->p_align == 8 ? 8 : 4);
		}
	}
	return header && build_id;
}

/* Whether the program @o has a .symtab.  Its file is opened by the name it
 * was executed by (AT_EXECFN): in a new process, cheaper than through
 * /proc/self/exe, whose lookup makes the process's entries in /proc (about
 * 10 µs of each process's start, scripts/bench.sh procs).  The answer from
 * that file stands only when it is the program's own (is_loaded_from());
 * otherwise, and for the symbols themselves (read_symbols()),
 * /proc/self/exe.  O_NONBLOCK: the name may since have become a FIFO. */
static bool program_has_symtab(const struct ht_ssl_obj *o)
{
	const char *name = (const char *)getauxval(AT_EXECFN);
	int fd = name ? open(name, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY) : -1;
	if (fd >= 0) {
		bool same = is_loaded_from(fd, o);
		bool yes = same && symtab_in(fd);
		close_fd(fd);
		if (same)
			return yes;
	}
	fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	bool yes = symtab_in(fd);
	close_fd(fd);
	return yes;
}

/* @o as the object @info describes. */
static void obj_set(struct ht_ssl_obj *o, const struct dl_phdr_info *info)
{
	o->found = true;
	o->bias = info->dlpi_addr;
	o->phdr = info->dlpi_phdr;
	o->phnum = info->dlpi_phnum;
	o->name = info->dlpi_name;
}

/*
 * Where SSL_read is defined, found as dlsym(RTLD_DEFAULT) and
 * dlsym(RTLD_NEXT) would find it, without their cost in every process
 * (about 2,500 instructions each, and a failed one mallocs its error
 * message): a look in each loaded object's GNU hash table (elfsym.h) as
 * the walk meets it.
 */
/* (next to the start-up code: the scan runs at start when tracing is on) */
HT_STARTUP_RODATA static const char ssl_read_name[] = "SSL_read";

/* An object not found yet: every field zero. */
static void obj_clear(struct ht_ssl_obj *o)
{
	o->addr = 0;
	o->found = false;
	o->bias = 0;
	o->phdr = NULL;
	o->phnum = 0;
	o->name = NULL;
	o->main = false;
}

/* Field by field, not with memset: libc's memset is a page of its text
 * no other start-up code of a process that never connects runs (a page
 * fault in about one process in four, by where the fault-around window
 * falls). */
void ht_inline_ssl_scan_begin(ht_ssl_scan *s, uintptr_t vdso)
{
	s->self = (uintptr_t)hk_read;
	s->vdso = vdso;
	s->hash = ELFSYM_HASH_LIT("SSL_read"); /* by the compiler */
	s->past_self = s->blind = s->libssl = s->done = false;
	s->dflt = s->next = 0;
	obj_clear(&s->dflt_obj);
	obj_clear(&s->next_obj);
	obj_clear(&s->prog);
	obj_clear(&s->lib);
}

void ht_inline_ssl_scan_object(ht_ssl_scan *w, const struct dl_phdr_info *info,
			       const elfsym_obj *opened)
{
	if (!w->prog.found) {
		obj_set(&w->prog, info);
		w->prog.main = true;
	}
	if (info->dlpi_name && is_libssl(info->dlpi_name))
		w->libssl = true;
	if (!w->past_self && elfgot_inside(info->dlpi_phdr, info->dlpi_phnum,
					   info->dlpi_addr, w->self)) {
		w->past_self = true;
		obj_set(&w->lib, info);
		return;
	}
	if (w->blind || info->dlpi_addr == w->vdso ||
	    (w->past_self ? w->next : w->dflt))
		return;
	elfsym_obj own;
	int err = 0;
	if (!opened) {
		err = elfsym_open_phdr(&own, info->dlpi_addr, info->dlpi_phdr,
				       info->dlpi_phnum);
		if (err == -ENOENT)
			return; /* exports nothing */
		opened = &own;
	}
	uintptr_t a = 0;
	enum elfsym_found f = err ? ELFSYM_OTHER :
			      elfsym_find_key(opened, ssl_read_name,
					      sizeof ssl_read_name - 1, w->hash,
					      &a);
	if (f == ELFSYM_NONE)
		return;
	if (f != ELFSYM_FUNC) {
		/* cannot be searched, an indirect function or not a
		 * function: dlsym decides (the walk goes on for libssl) */
		w->blind = true;
		return;
	}
	struct ht_ssl_obj *o = w->past_self ? &w->next_obj : &w->dflt_obj;
	obj_set(o, info);
	o->main = info->dlpi_addr == w->prog.bias &&
		  info->dlpi_phdr == w->prog.phdr;
	if (w->past_self)
		w->next = a;
	else
		w->dflt = a;
}

/* dl_iterate_phdr() callback: the scan of one object.  Only reads memory:
 * no call into the loader (which holds its list lock). */
static int walk_ssl(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)size;
	ht_inline_ssl_scan_object(arg, info, NULL);
	return 0;
}

/* Whether @o has room for OpenSSL's code (X86_OPENSSL_CODE_MIN): most
 * programs a shell loop starts (true, sed, grep, bash) do not, and are
 * spared opening their file at every start. */
static bool may_carry_openssl(const struct ht_ssl_obj *o)
{
	size_t code = 0;
	for (size_t i = 0; i < o->phnum; i++)
		if (o->phdr[i].p_type == PT_LOAD && (o->phdr[i].p_flags & PF_X))
			code += o->phdr[i].p_memsz;
	return code >= X86_OPENSSL_CODE_MIN;
}

/* Pick the object whose OpenSSL to hook: one that defines SSL_read and is
 * neither a shared libssl nor this library.  @w: the scan of the loaded
 * objects.  Returns false when none. */
static bool pick_object(const ht_ssl_scan *w, struct ht_ssl_obj *o)
{
	/* (No definition before this library: dlsym(RTLD_DEFAULT) would
	 * find this library's own, passed over below anyway.) */
	void *cand[2] = {(void *)w->dflt, (void *)w->next};
	const struct ht_ssl_obj *def[2] = {&w->dflt_obj, &w->next_obj};
	bool ask = w->blind || !w->past_self;
	if (ask) {
		cand[0] = dlsym(RTLD_DEFAULT, "SSL_read");
		cand[1] = dlsym(RTLD_NEXT, "SSL_read");
	}
	for (int i = 0; i < 2; i++) {
		if (!cand[i])
			continue;
		if (ask ? !object_of((uintptr_t)cand[i], o) : !def[i]->found)
			continue;
		if (!ask)
			*o = *def[i];
		if (o->bias == w->lib.bias && o->phdr == w->lib.phdr)
			continue;
		if (!o->main && is_libssl(o->name))
			continue;
		return true;
	}
	/* Not exported: the program may still carry it, named in .symtab. */
	if (w->libssl || !w->prog.found)
		return false;
	*o = w->prog;
	return may_carry_openssl(o) && program_has_symtab(o);
}

/* ---- reading the symbol tables with libelf ------------------------------------- */

struct elf_api {
	unsigned (*version)(unsigned);
	Elf *(*begin)(int, Elf_Cmd, Elf *);
	int (*end)(Elf *);
	Elf_Scn *(*nextscn)(Elf *, Elf_Scn *);
	GElf_Shdr *(*getshdr)(Elf_Scn *, GElf_Shdr *);
	Elf_Data *(*getdata)(Elf_Scn *, Elf_Data *);
	GElf_Sym *(*getsym)(Elf_Data *, int, GElf_Sym *);
	char *(*strptr)(Elf *, size_t, size_t);
};

struct sym {
	uint64_t value, size;
};

/* Find sym_names[] among the defined functions of @e's tables of @type. */
static void scan_table(const struct elf_api *L, Elf *e, Elf64_Word type,
		       struct sym *out)
{
	for (Elf_Scn *scn = L->nextscn(e, NULL); scn; scn = L->nextscn(e, scn)) {
		GElf_Shdr sh;
		if (!L->getshdr(scn, &sh) || sh.sh_type != type || !sh.sh_entsize)
			continue;
		Elf_Data *d = L->getdata(scn, NULL);
		if (!d)
			continue;
		size_t n = sh.sh_size / sh.sh_entsize;
		for (size_t i = 0; i < n; i++) {
			GElf_Sym s;
			if (!L->getsym(d, (int)i, &s) || s.st_shndx == SHN_UNDEF ||
			    GELF_ST_TYPE(s.st_info) != STT_FUNC || !s.st_value ||
			    GELF_ST_BIND(s.st_info) == STB_LOCAL)
				continue;
			const char *nm = L->strptr(e, sh.sh_link, s.st_name);
			/* (every name sought begins "SSL" but one: a cheap
			 * filter over thousands) */
			if (!nm || ((nm[0] != 'S' || nm[1] != 'S' || nm[2] != 'L') &&
				    (nm[0] != 'B' || nm[1] != 'I' || nm[2] != 'O')))
				continue;
			for (int k = 0; k < NSYM; k++)
				if (!out[k].value && strcmp(nm, sym_names[k]) == 0)
					out[k] = (struct sym){s.st_value, s.st_size};
		}
	}
}

/* Read the symbols of @path: the dynamic table first, then .symtab. */
static bool read_symbols(const char *path, struct sym *out)
{
	void *h = dlopen("libelf.so.1", RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		refuse(NULL, "libelf.so.1 cannot be loaded");
		return false;
	}
	struct elf_api L = {
		.version = (unsigned (*)(unsigned))dlsym(h, "elf_version"),
		.begin = (Elf * (*)(int, Elf_Cmd, Elf *)) dlsym(h, "elf_begin"),
		.end = (int (*)(Elf *))dlsym(h, "elf_end"),
		.nextscn = (Elf_Scn * (*)(Elf *, Elf_Scn *)) dlsym(h, "elf_nextscn"),
		.getshdr = (GElf_Shdr * (*)(Elf_Scn *, GElf_Shdr *)) dlsym(h, "gelf_getshdr"),
		.getdata = (Elf_Data * (*)(Elf_Scn *, Elf_Data *)) dlsym(h, "elf_getdata"),
		.getsym = (GElf_Sym * (*)(Elf_Data *, int, GElf_Sym *)) dlsym(h, "gelf_getsym"),
		.strptr = (char *(*)(Elf *, size_t, size_t))dlsym(h, "elf_strptr"),
	};
	bool ok = false;
	if (L.version && L.begin && L.end && L.nextscn && L.getshdr && L.getdata &&
	    L.getsym && L.strptr && L.version(EV_CURRENT) != EV_NONE) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			Elf *e = L.begin(fd, ELF_C_READ_MMAP, NULL);
			if (e) {
				scan_table(&L, e, SHT_DYNSYM, out);
				scan_table(&L, e, SHT_SYMTAB, out);
				L.end(e);
				ok = true;
			}
			HT_REAL(close) ? ht_real.close(fd) : close(fd);
		}
	}
	dlclose(h);
	if (!ok)
		refuse(NULL, "its symbol tables cannot be read");
	return ok;
}

/* ---- trampolines and patching ---------------------------------------------- */

#define PAGE 4096u
#define SLOT 128u           /* bytes of trampoline per function */
#define ENTRY_LEN 18u       /* endbr64 + absolute jmp to the hook */
#define REAL_OFF 32u        /* where the continuation starts in a slot */
#define REACH 0x7fff0000ull /* what a rel32 safely reaches */

static const uint8_t endbr64[4] = {0xF3, 0x0F, 0x1E, 0xFA};

/* Map a page within rel32 reach of every address in [lo, hi). */
static uint8_t *map_near(uintptr_t lo, uintptr_t hi)
{
	const uintptr_t step = 1u << 20;
	for (unsigned i = 1; i < 2047; i++) {
		uintptr_t cand[2] = {(lo & ~(step - 1)) - i * step,
				     ((hi + step - 1) & ~(step - 1)) + i * step};
		for (int k = 0; k < 2; k++) {
			uintptr_t a = cand[k];
			if (a < 0x100000 || a > lo + REACH || a + PAGE + REACH < hi ||
			    (k == 0 && a > lo))
				continue;
			void *p = mmap((void *)a, PAGE, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
			if (p == MAP_FAILED)
				continue;
			uintptr_t got = (uintptr_t)p;
			if (got + PAGE <= lo + REACH && got + REACH >= hi)
				return p;
			munmap(p, PAGE); /* an old kernel took the address as a hint */
		}
	}
	return NULL;
}

/* The protection of the loaded segment of @o holding @addr, or -1. */
static int prot_of(const struct ht_ssl_obj *o, uintptr_t addr, size_t len)
{
	for (size_t i = 0; i < o->phnum; i++) {
		const ElfW(Phdr) *ph = &o->phdr[i];
		uintptr_t a = o->bias + ph->p_vaddr;
		if (ph->p_type != PT_LOAD || addr < a || addr + len > a + ph->p_memsz)
			continue;
		if (!(ph->p_flags & PF_X))
			return -1;
		return (ph->p_flags & PF_R ? PROT_READ : 0) |
		       (ph->p_flags & PF_W ? PROT_WRITE : 0) | PROT_EXEC;
	}
	return -1;
}

/* Write @jmp (5 bytes) at @at, whose text has protection @prot. */
static bool write_jump(uint8_t *at, const uint8_t *jmp, int prot, char *why,
		       size_t why_cap)
{
	uintptr_t pg = (uintptr_t)at & ~(uintptr_t)(PAGE - 1);
	size_t len = ((uintptr_t)at + X86_JMP_LEN - pg + PAGE - 1) & ~(size_t)(PAGE - 1);
	if (mprotect((void *)pg, len, PROT_READ | PROT_WRITE | PROT_EXEC) != 0) {
		snprintf(why, why_cap, "its text cannot be made writable (%s)",
			 strerror(errno));
		return false;
	}
	if (((uintptr_t)at & 7) <= 8 - X86_JMP_LEN) {
		/* One aligned 8-byte store: another thread sees old or new. */
		uint64_t *q = (uint64_t *)((uintptr_t)at & ~(uintptr_t)7);
		uint64_t v = __atomic_load_n(q, __ATOMIC_RELAXED);
		memcpy((uint8_t *)&v + ((uintptr_t)at & 7), jmp, X86_JMP_LEN);
		__atomic_store_n(q, v, __ATOMIC_SEQ_CST);
	} else {
		memcpy(at, jmp, X86_JMP_LEN);
	}
	mprotect((void *)pg, len, prot);
	__builtin___clear_cache((char *)at, (char *)at + X86_JMP_LEN);
	return true;
}

/* Build @f's trampolines (function at @addr, @size bytes) in @slot, with
 * the page still writable; set real[f] and the jump to write in @jmp.
 * Returns the address to patch, or NULL (refused: @why). */
static uint8_t *build_slot(int f, uintptr_t addr, size_t size, uint8_t *slot,
			   uint8_t jmp[X86_JMP_LEN], char *why, size_t why_cap)
{
	x86_plan plan;
	if (!x86_plan_hook((const uint8_t *)addr, size, addr, &plan, why, why_cap))
		return NULL;
	uint8_t *at = (uint8_t *)addr + plan.patch_off;
	int64_t d = (int64_t)((uintptr_t)slot - ((uintptr_t)at + X86_JMP_LEN));
	if (d < INT32_MIN || d > INT32_MAX) {
		snprintf(why, why_cap, "the trampoline is out of reach");
		return NULL;
	}
	/* continuation: endbr64 (the hook calls it indirectly), the
	 * displaced instructions, the jump back after them */
	uint8_t *r = slot + REAL_OFF;
	memcpy(r, endbr64, 4);
	int n = x86_relocate(at, (uintptr_t)at, plan.displaced, r + 4,
			     (uintptr_t)r + 4, SLOT - REAL_OFF - 4 - X86_ABS_JMP_LEN,
			     why, why_cap);
	if (n < 0)
		return NULL;
	x86_abs_jmp(r + 4 + n, (uintptr_t)at + plan.displaced);
	/* entry: endbr64, jump to the hook (anywhere in memory) */
	memcpy(slot, endbr64, 4);
	x86_abs_jmp(slot + 4, (uintptr_t)hooks[f]);
	jmp[0] = 0xE9;
	for (int k = 0; k < 4; k++)
		jmp[1 + k] = (uint8_t)((uint64_t)d >> (8 * k));
	real[f] = r;
	return at;
}

/* The number of threads of this process (/proc/self/stat's 20th field),
 * or 0 when it cannot be read. */
static long thread_count(void)
{
	char buf[512];
	int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = HT_REAL(read) ? ht_real.read(fd, buf, sizeof buf - 1)
				 : read(fd, buf, sizeof buf - 1);
	HT_REAL(close) ? ht_real.close(fd) : close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* After "pid (comm) ": comm may hold spaces, so count from its ')'. */
	const char *p = strrchr(buf, ')');
	for (int field = 2; p && field < 20; field++)
		p = strchr(p + 1, ' ');
	long threads = 0;
	for (p = p ? p + 1 : ""; *p >= '0' && *p <= '9' && threads < 1000000; p++)
		threads = threads * 10 + (*p - '0');
	return threads;
}

/* Hook what can be hooked of the OpenSSL in @o, whose symbols are @syms. */
static void hook_all(const struct ht_ssl_obj *o, const struct sym *syms)
{
	void **helpers[NSYM - NF] = {&st_api.is_init_finished, &st_api.get_version,
				     &st_api.get0_alpn_selected, &st_api.get_error,
				     &st_api.get_fd, &st_api.get_client_random,
				     &st_api.is_server, &st_api.get_wbio,
				     &st_api.bio_written};
	for (int k = NF; k < NSYM; k++)
		if (syms[k].value)
			*helpers[k - NF] = (void *)(o->bias + syms[k].value);
	uintptr_t lo = UINTPTR_MAX, hi = 0;
	for (int f = 0; f < NF; f++) {
		if (!syms[f].value)
			continue;
		uintptr_t a = o->bias + syms[f].value;
		lo = a < lo ? a : lo;
		hi = a + syms[f].size > hi ? a + syms[f].size : hi;
	}
	/* Another thread could be executing a prologue while it changes: the
	 * constructor normally runs before any exists; when one does, refuse
	 * rather than guess. */
	long threads = thread_count();
	if (threads != 1) {
		char why[96];
		if (threads > 1)
			snprintf(why, sizeof why, "%ld threads were already running "
				 "when the library started", threads);
		else
			snprintf(why, sizeof why, "the number of threads cannot be read");
		refuse(NULL, why);
		return;
	}
	uint8_t *page = map_near(lo, hi);
	if (!page) {
		refuse(NULL, "no free memory within 2 GiB of its code for trampolines");
		return;
	}
	/* Every trampoline is written and made executable before the first
	 * patch sends anything there. */
	uint8_t *at[NF] = {0};
	uint8_t jmp[NF][X86_JMP_LEN];
	int prot[NF];
	char why[160];
	for (int f = 0; f < NF; f++) {
		if (!syms[f].value)
			continue;
		uintptr_t a = o->bias + syms[f].value;
		prot[f] = prot_of(o, a, syms[f].size);
		if (prot[f] < 0)
			snprintf(why, sizeof why, "not in an executable segment");
		else
			at[f] = build_slot(f, a, syms[f].size, page + f * SLOT, jmp[f],
					   why, sizeof why);
		if (!at[f])
			refuse(sym_names[f], why);
	}
	if (mprotect(page, PAGE, PROT_READ | PROT_EXEC) != 0) {
		refuse(NULL, "the trampoline page cannot be made executable");
		return;
	}
	for (int f = 0; f < NF; f++)
		if (at[f] && !write_jump(at[f], jmp[f], prot[f], why, sizeof why))
			refuse(sym_names[f], why);
}

void ht_inline_ssl_init(const ht_ssl_scan *seen)
{
#if defined(__x86_64__)
	int saved = errno;
	ht_ssl_scan own;
	if (!seen || !seen->done) {
		ht_inline_ssl_scan_begin(&own,
					 (uintptr_t)getauxval(AT_SYSINFO_EHDR));
		dl_iterate_phdr(walk_ssl, &own);
		own.done = true;
		seen = &own;
	}
	struct ht_ssl_obj o;
	struct sym syms[NSYM];
	if (pick_object(seen, &o)) {
		const char *path = o.main ? "/proc/self/exe" : o.name;
		/* (only here: libc's memset, see scan_begin) */
		memset(syms, 0, sizeof syms);
		if (read_symbols(path, syms) && syms[F_READ].value)
			hook_all(&o, syms);
		if (report_len) {
			char exe[256];
			ssize_t n = o.main ? readlink(path, exe, sizeof exe - 1) : -1;
			if (n > 0)
				exe[n] = '\0';
			send_report(n > 0 ? exe : path);
		}
	}
	errno = saved;
#else
	(void)seen;
#endif
}
