/*
 * script.h - a "#!" script, as the kernel and env(1) run it: which
 * interpreter a script's first line names, and for "#!/usr/bin/env NAME"
 * which command NAME is in PATH.  check_parse_shebang() and
 * check_env_command() (check_elf.h) are here too.
 */
#ifndef HT_SCRIPT_H
#define HT_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>

#include "check_elf.h"

#define SCRIPT_LINE_MAX 256 /* the kernel reads this much of a "#!" line */

/*
 * script_interpreter() - the program the script whose first bytes are
 * @head (@len bytes, a "#!" line) runs, into @out (capacity @cap): the
 * interpreter, or for "#!/usr/bin/env NAME" (env by any directory, with a
 * command among its arguments) NAME found in @o->path_env.  Sets
 * @r->shebang to the line (without "#!") unless it is set already.
 * Returns false, with @r's verdict set to CHECK_ERROR, when the line
 * names no interpreter or env's command is not found.
 */
bool script_interpreter(const char *head, size_t len, const check_opts *o,
			check_result *r, char *out, size_t cap);

#endif
