/*
 * scm_pass.c - passes a TCP socket to itself over a socketpair
 * (SCM_RIGHTS), as a process handing a connection to another does.
 *   scm_pass seccomp      a sandbox launcher's filter that kills getsockopt
 *                         (bwrap --seccomp, minijail, SystemCallFilter=),
 *                         then the program (this one, exec'd): the socket
 *                         is connected to a local listener by the raw
 *                         system call (no connect hook), then passed.
 *   scm_pass unconnected  a socket only created, not connected, passed.
 * Prints "recvmsg N" and exits 0 when the passing worked.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

static int pass_and_receive(int fd)
{
	int sp[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) != 0) {
		perror("socketpair");
		return 1;
	}
	char cb[CMSG_SPACE(sizeof(int))] = { 0 }, b = 'x';
	struct iovec v = { &b, 1 };
	struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1,
			    .msg_control = cb, .msg_controllen = sizeof cb };
	struct cmsghdr *h = CMSG_FIRSTHDR(&m);
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(h), &fd, sizeof fd);
	if (sendmsg(sp[0], &m, 0) != 1) {
		perror("sendmsg");
		return 1;
	}
	m.msg_controllen = sizeof cb;
	ssize_t n = recvmsg(sp[1], &m, 0);
	printf("recvmsg %zd\n", n);
	return n == 1 ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	if (strcmp(argv[1], "unconnected") == 0)
		return pass_and_receive(socket(AF_INET, SOCK_STREAM, 0));
	if (strcmp(argv[1], "seccomp") == 0) {
		struct sock_filter f[] = {
			BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
				 offsetof(struct seccomp_data, nr)),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_getsockopt, 0, 1),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		};
		struct sock_fprog p = { 4, f };
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
		    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &p) != 0) {
			perror("seccomp");
			return 2;
		}
		execl("/proc/self/exe", argv[0], "filtered", (char *)0);
		perror("execl");
		return 3;
	}
	/* "filtered": under the launcher's filter */
	int l = socket(AF_INET, SOCK_STREAM, 0), c = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof a;
	if (bind(l, (struct sockaddr *)&a, sizeof a) != 0 || listen(l, 1) != 0 ||
	    getsockname(l, (struct sockaddr *)&a, &al) != 0 ||
	    syscall(SYS_connect, c, (struct sockaddr *)&a, sizeof a) != 0) {
		perror("connect");
		return 4;
	}
	return pass_and_receive(c);
}
