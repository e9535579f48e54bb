/*
 * search_sys.h - the file system side of search_path.h: this machine's
 * ld.so.conf files read with stdio and glob(3), commands probed with
 * stat(2) and access(2).  check_find_command() (check_elf.h) is here too.
 */
#ifndef HT_SEARCH_SYS_H
#define HT_SEARCH_SYS_H

#include "search_path.h"

/* The ld.so.conf reader over the real file system: whole files (up to
 * SEARCH_SYS_CONF_MAX bytes; the rest of a longer one is not read) and
 * glob(3) without flags. */
#define SEARCH_SYS_CONF_MAX (1 << 20)
extern const search_conf_io search_sys_conf_io;

/*
 * search_sys_trusted_dirs() - add this machine's trusted library
 * directories to @l: those /etc/ld.so.conf names, then
 * search_default_dirs().  The caller frees @l with search_dirs_free().
 */
void search_sys_trusted_dirs(search_dirs *l);

#endif
