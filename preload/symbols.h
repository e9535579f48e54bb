/*
 * symbols.h - the one list of the functions libhttptrace.so interposes.
 *
 * Everything else is generated from it: struct ht_real and its resolution
 * (ht.h, init.c), and the checker's table (cli/check: a program that
 * imports none of these is not traced).  The library's exports (the
 * hooks' HT_EXPORT, the version script preload/exports.map.in), the
 * README's list of hooked calls and the checker's table are tested
 * against it (tests/unit/check_symbols.c,
 * tests/integration/test_symbols_listed.sh).
 *
 * HT_SYMBOLS(X) calls X(lib, kind, how, ret, name, params) once per
 * function, in this order:
 *  lib     where the real function lives: LIBC, LIBSSL, LIBGNUTLS
 *  kind    what a program importing it tells `httptrace check` (its
 *          enum fn_kind without FN_): DNS, CONNECT, FD, IO, TLS, LOADER
 *  how     REAL: a pointer ht_real.NAME, looked up at its first use
 *          (HT_REAL(), init.c);
 *          SELF: the hook finds what it calls itself (close_range makes
 *          the system call, dlopen is deepbind.c's, a TLS function is
 *          looked up in the loaded TLS library at the hook's first call,
 *          so a process that never loads one pays nothing for it)
 *          VERS: glibc defines NAME in more than one version
 *          (symvers.h): the hook of each version is exported by .symver
 *          in the hook's file and calls the same version of the real
 *          function, found at its first call (ht_real_version())
 *  ret, name, params   the prototype: params in parentheses
 * Every one is exported (HT_EXPORT; a VERS one in each of its versions),
 * and no other symbol is.
 * The macro needs no header: only X's expansion names the types.
 */
#ifndef HT_SYMBOLS_H
#define HT_SYMBOLS_H

#define HT_SYMBOLS(X)                                                          \
	X(LIBC, DNS, REAL, int, getaddrinfo,                                   \
	  (const char *, const char *, const struct addrinfo *,                \
	   struct addrinfo **))                                                \
	X(LIBC, DNS, REAL, struct hostent *, gethostbyname, (const char *))    \
	X(LIBC, DNS, REAL, int, gethostbyname_r,                               \
	  (const char *, struct hostent *, char *, size_t, struct hostent **,  \
	   int *))                                                             \
	X(LIBC, DNS, REAL, int, gethostbyname2_r,                              \
	  (const char *, int, struct hostent *, char *, size_t,                \
	   struct hostent **, int *))                                          \
	X(LIBC, CONNECT, REAL, int, connect,                                   \
	  (int, const struct sockaddr *, socklen_t))                           \
	X(LIBC, FD, REAL, int, getsockopt,                                     \
	  (int, int, int, void *, socklen_t *))                                \
	X(LIBC, FD, REAL, int, close, (int))                                   \
	X(LIBC, FD, REAL, int, shutdown, (int, int))                           \
	X(LIBC, FD, REAL, int, dup, (int))                                     \
	X(LIBC, FD, REAL, int, dup2, (int, int))                               \
	X(LIBC, FD, REAL, int, dup3, (int, int, int))                          \
	X(LIBC, FD, REAL, int, fcntl, (int, int, ...))                         \
	X(LIBC, FD, REAL, int, fcntl64, (int, int, ...))                       \
	X(LIBC, FD, SELF, int, close_range, (unsigned, unsigned, int))         \
	X(LIBC, FD, SELF, void, _exit, (int))                                  \
	X(LIBC, FD, SELF, void, _Exit, (int))                                  \
	X(LIBC, FD, REAL, void, closefrom, (int))                              \
	X(LIBC, FD, REAL, int, prctl, (int, ...))                              \
	X(LIBC, FD, REAL, FILE *, fdopen, (int, const char *))                 \
	X(LIBC, FD, REAL, long, syscall, (long, ...))                          \
	X(LIBC, CONNECT, REAL, int, accept,                                    \
	  (int, struct sockaddr *, socklen_t *))                               \
	X(LIBC, CONNECT, REAL, int, accept4,                                   \
	  (int, struct sockaddr *, socklen_t *, int))                          \
	X(LIBC, IO, REAL, ssize_t, sendfile, (int, int, off_t *, size_t))      \
	X(LIBC, IO, REAL, ssize_t, sendfile64, (int, int, off_t *, size_t))    \
	X(LIBC, IO, REAL, ssize_t, splice,                                     \
	  (int, loff_t *, int, loff_t *, size_t, unsigned int))                \
	X(LIBC, IO, REAL, ssize_t, read, (int, void *, size_t))                \
	X(LIBC, IO, REAL, ssize_t, write, (int, const void *, size_t))         \
	X(LIBC, IO, REAL, ssize_t, readv, (int, const struct iovec *, int))    \
	X(LIBC, IO, REAL, ssize_t, writev, (int, const struct iovec *, int))   \
	X(LIBC, IO, REAL, ssize_t, send, (int, const void *, size_t, int))     \
	X(LIBC, IO, REAL, ssize_t, recv, (int, void *, size_t, int))           \
	X(LIBC, IO, REAL, ssize_t, sendto,                                     \
	  (int, const void *, size_t, int, const struct sockaddr *,            \
	   socklen_t))                                                         \
	X(LIBC, IO, REAL, ssize_t, recvfrom,                                   \
	  (int, void *, size_t, int, struct sockaddr *, socklen_t *))          \
	X(LIBC, IO, REAL, ssize_t, sendmsg, (int, const struct msghdr *, int)) \
	X(LIBC, IO, REAL, ssize_t, recvmsg, (int, struct msghdr *, int))       \
	X(LIBC, IO, REAL, ssize_t, __read_chk, (int, void *, size_t, size_t))  \
	X(LIBC, IO, REAL, ssize_t, __recv_chk,                                 \
	  (int, void *, size_t, size_t, int))                                  \
	X(LIBC, IO, REAL, ssize_t, __recvfrom_chk,                             \
	  (int, void *, size_t, size_t, int, struct sockaddr *, socklen_t *))  \
	X(LIBC, FD, REAL, int, epoll_wait, (int, struct epoll_event *, int, int)) \
	X(LIBC, FD, REAL, int, epoll_pwait,                                    \
	  (int, struct epoll_event *, int, int, const sigset_t *))             \
	X(LIBC, FD, REAL, int, poll, (struct pollfd *, nfds_t, int))           \
	X(LIBC, FD, REAL, int, ppoll,                                          \
	  (struct pollfd *, nfds_t, const struct timespec *, const sigset_t *)) \
	X(LIBC, FD, REAL, int, select,                                         \
	  (int, fd_set *, fd_set *, fd_set *, struct timeval *))               \
	X(LIBC, FD, REAL, int, pselect,                                        \
	  (int, fd_set *, fd_set *, fd_set *, const struct timespec *,         \
	   const sigset_t *))                                                  \
	X(LIBC, FD, REAL, int, execve,                                         \
	  (const char *, char *const[], char *const[]))                        \
	X(LIBC, FD, REAL, int, execv, (const char *, char *const[]))          \
	X(LIBC, FD, REAL, int, execvp, (const char *, char *const[]))         \
	X(LIBC, FD, REAL, int, execvpe,                                        \
	  (const char *, char *const[], char *const[]))                        \
	X(LIBC, FD, REAL, int, fexecve, (int, char *const[], char *const[]))  \
	X(LIBC, FD, SELF, int, execl, (const char *, const char *, ...))      \
	X(LIBC, FD, SELF, int, execlp, (const char *, const char *, ...))     \
	X(LIBC, FD, SELF, int, execle, (const char *, const char *, ...))     \
	X(LIBC, FD, VERS, int, posix_spawn,                                    \
	  (pid_t *, const char *, const posix_spawn_file_actions_t *,          \
	   const posix_spawnattr_t *, char *const[], char *const[]))           \
	X(LIBC, FD, VERS, int, posix_spawnp,                                   \
	  (pid_t *, const char *, const posix_spawn_file_actions_t *,          \
	   const posix_spawnattr_t *, char *const[], char *const[]))           \
	X(LIBC, LOADER, SELF, void *, dlopen, (const char *, int))             \
	X(LIBSSL, TLS, SELF, int, SSL_connect, (SSL *))                        \
	X(LIBSSL, TLS, SELF, int, SSL_accept, (SSL *))                         \
	X(LIBSSL, TLS, SELF, int, SSL_do_handshake, (SSL *))                   \
	X(LIBSSL, TLS, SELF, int, SSL_read, (SSL *, void *, int))              \
	X(LIBSSL, TLS, SELF, int, SSL_read_ex,                                 \
	  (SSL *, void *, size_t, size_t *))                                   \
	X(LIBSSL, TLS, SELF, int, SSL_peek, (SSL *, void *, int))              \
	X(LIBSSL, TLS, SELF, int, SSL_peek_ex,                                 \
	  (SSL *, void *, size_t, size_t *))                                   \
	X(LIBSSL, TLS, SELF, int, SSL_write, (SSL *, const void *, int))       \
	X(LIBSSL, TLS, SELF, int, SSL_write_ex,                                \
	  (SSL *, const void *, size_t, size_t *))                             \
	X(LIBSSL, TLS, SELF, int, SSL_shutdown, (SSL *))                       \
	X(LIBSSL, TLS, SELF, void, SSL_free, (SSL *))                          \
	X(LIBSSL, TLS, SELF, int, SSL_set_fd, (SSL *, int))                    \
	X(LIBSSL, TLS, SELF, int, SSL_set_rfd, (SSL *, int))                   \
	X(LIBSSL, TLS, SELF, int, SSL_set_wfd, (SSL *, int))                   \
	X(LIBGNUTLS, TLS, SELF, int, gnutls_handshake, (gnutls_session_t))     \
	X(LIBGNUTLS, TLS, SELF, ssize_t, gnutls_record_send,                   \
	  (gnutls_session_t, const void *, size_t))                            \
	X(LIBGNUTLS, TLS, SELF, ssize_t, gnutls_record_recv,                   \
	  (gnutls_session_t, void *, size_t))                                  \
	X(LIBGNUTLS, TLS, SELF, int, gnutls_bye, (gnutls_session_t, int))      \
	X(LIBGNUTLS, TLS, SELF, void, gnutls_deinit, (gnutls_session_t))

/* Expansions for X that more than one user needs. */

/* The name as a string, for a table of names. */
#define HT_SYMBOL_NAME_STR(lib, kind, how, ret, name, params) #name,

/* A row of the checker's table (cli/check, its enum fn_kind):
 *	static const struct { const char *name; enum check_fn_kind kind; }
 *	interposed[] = { HT_SYMBOLS(HT_SYMBOL_CHECK_ROW) }; */
#define HT_SYMBOL_CHECK_ROW(lib, kind, how, ret, name, params) \
	{ #name, CHECK_FN_##kind },

/* How many functions the list holds. */
#define HT_SYMBOL_ONE(lib, kind, how, ret, name, params) +1
#define HT_SYMBOL_COUNT (0 HT_SYMBOLS(HT_SYMBOL_ONE))

#endif
