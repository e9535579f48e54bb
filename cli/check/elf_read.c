/* elf_read.c - what the ELF checker reads from one ELF object; see
 * elf_read.h. */
#include "elf_read.h"
#include "check_util.h"
#include "x86dec.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Bounds on untrusted input (libelf bounds-checks the data itself). */
#define MAX_DYN 4096          /* .dynamic entries read per object */
#define MAX_SYMS (1u << 20)   /* symbols read per symbol table */
#define MAX_SECTIONS 65536    /* sections looked at per object */
#define MAX_NOTES 4096        /* notes looked at per note section */
#define NT_GO_BUILDID 4       /* Go's build ID note: name "Go", type 4 */

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

void elfread_dynamic(Elf *elf, elfread_dyn *d)
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
			if (dyn.d_tag == DT_NEEDED && d->n_needed < ELFREAD_MAX_NEEDED)
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

bool elfread_symbols(Elf *elf, check_imports *mask, const char **builtin,
		     const check_runtime **runtime)
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
				    check_interposed_index(name) : -1;
				if (k >= 0)
					check_imports_add(mask, (size_t)k);
			} else if (builtin != NULL &&
				   GELF_ST_TYPE(sym.st_info) == STT_FUNC) {
				if (strcmp(name, "SSL_write") == 0)
					*builtin = "OpenSSL";
				else if (strcmp(name, "gnutls_record_send") == 0)
					*builtin = "GnuTLS";
				else if (*runtime == NULL)
					*runtime = check_runtime_by_symbol(name);
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

/* The bytes @elf's executable segments hold in memory. */
static uint64_t code_size(Elf *elf)
{
	size_t phnum = 0;
	uint64_t code = 0;

	if (elf_getphdrnum(elf, &phnum) != 0)
		return 0;
	for (size_t i = 0; i < phnum && i < MAX_SECTIONS; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(elf, (int)i, &ph) != NULL &&
		    ph.p_type == PT_LOAD && (ph.p_flags & PF_X))
			code += ph.p_memsz;
	}
	return code;
}

void elfread_inline_openssl(Elf *elf, int machine, check_result *r)
{
	uint64_t value[ARRAY_SIZE(inline_fns)] = {0}, size[ARRAY_SIZE(inline_fns)] = {0};
	Elf_Scn *scn = NULL;
	size_t count = 0, esz = gelf_fsize(elf, ELF_T_SYM, 1, EV_CURRENT);
	bool read_ok = false, write_ok = false, exported = false;

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
						exported |= pass == 0;
					}
			}
		}
		scn = NULL;
		count = 0;
	}
	if (!exported && value[0] + value[2] != 0 && code_size(elf) < X86_OPENSSL_CODE_MIN) {
		inline_refused(r, "OpenSSL", "its code is under 1 MiB, too small "
			       "to carry OpenSSL: its .symtab is not looked at");
		return;
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

bool elfread_is_go(Elf *elf, size_t phnum)
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

bool elfread_program_headers(Elf *elf, size_t phnum, check_result *r)
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


bool elfread_matches(const char *path, int elf_class, int data, int machine)
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
	    h[EI_CLASS] != elf_class || h[EI_DATA] != data)
		return false;
	m = h[EI_DATA] == ELFDATA2LSB ? h[EI_NIDENT + 2] | h[EI_NIDENT + 3] << 8 :
	    h[EI_NIDENT + 2] << 8 | h[EI_NIDENT + 3];
	return m == machine;
}

