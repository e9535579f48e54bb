/*
 * fake_ssl.c - a program defining its own SSL_read and SSL_write whose
 * first instructions cannot be moved safely: SSL_read loops back into its
 * first 5 bytes, SSL_write starts with jrcxz (a branch with no 32-bit
 * form).  httptrace must refuse to hook them inline, say why (check and
 * the run's summary), and leave them untouched: the program prints the
 * same traced and untraced.  For test_static_openssl.sh.
 *
 * 1 MiB of padding code makes it as big as a program carrying OpenSSL must
 * be for the library to look for one (inline_ssl.c: may_carry_openssl()).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

__asm__(".text\n"
	".skip 0x100000, 0xcc\n"
	".globl SSL_read\n"
	".type SSL_read, @function\n"
	"SSL_read:\n"
	"	xorl %eax, %eax\n"  /* 2 bytes */
	"1:	decl %edx\n"        /* +2: the loop's head, inside the patch */
	"	addl $1, %eax\n"
	"	testl %edx, %edx\n"
	"	jg 1b\n"
	"	ret\n"
	".size SSL_read, .-SSL_read\n"
	".globl SSL_write\n"
	".type SSL_write, @function\n"
	"SSL_write:\n"
	"	movl %edx, %eax\n"
	"	jrcxz 2f\n"         /* +2: cannot be relocated */
	"	nop\n"
	"	nop\n"
	"2:	ret\n"
	".size SSL_write, .-SSL_write\n");

int SSL_read(void *s, void *buf, int n);
int SSL_write(void *s, const void *buf, int n);

int main(int argc, char **argv)
{
	/* With a port: one TCP connection to 127.0.0.1:PORT first, so that
	 * the process is one the library reports (it connects to the
	 * collector at its first tracked connection). */
	if (argc > 1) {
		struct sockaddr_in sa = { .sin_family = AF_INET };
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		sa.sin_port = htons((unsigned short)atoi(argv[1]));
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			return 2;
		close(fd);
	}
	/* SSL_read counts @n down: returns @n; SSL_write returns @n. */
	printf("%d %d\n", SSL_read(0, 0, 3), SSL_write(0, 0, 5));
	return 0;
}
