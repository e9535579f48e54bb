/*
 * exechead.c - tell a static program from a dynamic one, or a script, by
 * its first bytes (exechead.h).
 */
#include <elf.h>
#include <stdint.h>
#include <string.h>

#include "exechead.h"

/* A 16-bit or 32-bit field at @p in the file's byte order (@msb: ELFDATA2MSB). */
static uint32_t get16(const uint8_t *p, int msb)
{
	return msb ? (uint32_t)p[0] << 8 | p[1] : (uint32_t)p[1] << 8 | p[0];
}

static uint32_t get32(const uint8_t *p, int msb)
{
	return msb ? get16(p, 1) << 16 | get16(p + 2, 1)
		   : get16(p + 2, 0) << 16 | get16(p, 0);
}

static uint64_t get64(const uint8_t *p, int msb)
{
	return msb ? (uint64_t)get32(p, 1) << 32 | get32(p + 4, 1)
		   : (uint64_t)get32(p + 4, 0) << 32 | get32(p, 0);
}

static enum exechead_kind classify_elf(const uint8_t *h, size_t len,
				       int elf_class, unsigned machine)
{
	int is64 = h[EI_CLASS] == ELFCLASS64;
	int msb = h[EI_DATA] == ELFDATA2MSB;
	size_t ehsize = is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	size_t phsize = is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	uint64_t phoff;
	uint32_t type, phentsize, phnum;
	int interp = 0, dynamic = 0;

	if (h[EI_CLASS] != elf_class ||
	    (h[EI_DATA] != ELFDATA2LSB && h[EI_DATA] != ELFDATA2MSB) ||
	    len < ehsize)
		return EXECHEAD_UNKNOWN;
	type = get16(h + offsetof(Elf64_Ehdr, e_type), msb);
	if (machine != 0 &&
	    get16(h + offsetof(Elf64_Ehdr, e_machine), msb) != machine)
		return EXECHEAD_UNKNOWN;
	if (is64) {
		phoff = get64(h + offsetof(Elf64_Ehdr, e_phoff), msb);
		phentsize = get16(h + offsetof(Elf64_Ehdr, e_phentsize), msb);
		phnum = get16(h + offsetof(Elf64_Ehdr, e_phnum), msb);
	} else {
		phoff = get32(h + offsetof(Elf32_Ehdr, e_phoff), msb);
		phentsize = get16(h + offsetof(Elf32_Ehdr, e_phentsize), msb);
		phnum = get16(h + offsetof(Elf32_Ehdr, e_phnum), msb);
	}
	if ((type != ET_EXEC && type != ET_DYN) || phentsize != phsize ||
	    phnum == 0 || phnum == PN_XNUM || phoff > len ||
	    (uint64_t)phnum * phsize > len - phoff)
		return EXECHEAD_UNKNOWN;
	for (uint32_t i = 0; i < phnum; i++) {
		/* p_type is the first word in both classes */
		uint32_t pt = get32(h + phoff + (uint64_t)i * phsize, msb);

		if (pt == PT_INTERP)
			interp = 1;
		else if (pt == PT_DYNAMIC)
			dynamic = 1;
	}
	if (interp)
		return EXECHEAD_DYNAMIC;
	return type == ET_DYN && dynamic ? EXECHEAD_STATIC_PIE
					 : EXECHEAD_STATIC;
}

/* "#!" then blanks, then the interpreter's path up to a blank or the end
 * of the line (as the kernel's binfmt_script reads it). */
static enum exechead_kind classify_script(const uint8_t *h, size_t len,
					  char *interp, size_t cap)
{
	size_t i = 2, start;

	while (i < len && (h[i] == ' ' || h[i] == '\t'))
		i++;
	start = i;
	while (i < len && h[i] != ' ' && h[i] != '\t' && h[i] != '\n' &&
	       h[i] != '\0')
		i++;
	if (i == len || i == start || i - start >= cap)
		return EXECHEAD_UNKNOWN;
	memcpy(interp, h + start, i - start);
	interp[i - start] = '\0';
	return EXECHEAD_SCRIPT;
}

enum exechead_kind exechead_classify(const void *head, size_t len,
				     int elf_class, unsigned machine,
				     char *interp, size_t cap)
{
	const uint8_t *h = head;

	if (len >= 2 && h[0] == '#' && h[1] == '!')
		return classify_script(h, len, interp, cap);
	if (len >= EI_NIDENT && memcmp(h, ELFMAG, SELFMAG) == 0)
		return classify_elf(h, len, elf_class, machine);
	return EXECHEAD_UNKNOWN;
}
