/*
 * symvers.h - the versions glibc defines the list's VERS functions in
 * (symbols.h: posix_spawn, posix_spawnp), on the machine the library is
 * built for.  Read by the version script (exports.map.in: the nodes that
 * define them) and by hook_exec.c (.symver: each version's hook).  No
 * header needed: plain macros, for the C preprocessor over a non-C file.
 *
 *  HT_VERS_DEFAULT  the default version (name@@VERSION): what a program
 *                   linked today and an unversioned lookup (dlsym) bind to
 *  HT_VERS_COMPAT   an older version kept for programs linked before it
 *                   changed, when glibc has one on this machine
 *
 * posix_spawn and posix_spawnp (objdump -T libc.so.6): on x86_64,
 * GLIBC_2.2.5, whose child runs a file execve refuses with ENOEXEC (a
 * script without "#!") through /bin/sh, and GLIBC_2.15, whose child does
 * not; aarch64's glibc began at 2.17, after the change: one version.  A
 * machine not named here stops the build (as hook_syscall.c does): its
 * versions must be looked up, never guessed (an unversioned hook would
 * send a call bound to an old version to the new one).
 */
#ifndef HT_SYMVERS_H
#define HT_SYMVERS_H

#if defined(__x86_64__) && !defined(__ILP32__)
#define HT_VERS_DEFAULT GLIBC_2.15
#define HT_VERS_COMPAT GLIBC_2.2.5
#elif defined(__aarch64__)
#define HT_VERS_DEFAULT GLIBC_2.17
#else
#error "symvers.h: which versions of posix_spawn has glibc on this machine?"
#endif

/* The version @v as a string literal. */
#define HT_VERS_STR_(v) #v
#define HT_VERS_STR(v) HT_VERS_STR_(v)

#endif
