/*
 * producer.c - a synthetic traced process for the collector benchmark:
 * WRITERS processes each send RECORDS request records to the collector
 * named by HTTPTRACE_SOCKET, BATCH records per message, with blocking
 * sends so that the collector's pace is what is measured.  With "server",
 * the records are a server's (HT_RF_SERVER: nginx answering a client at a
 * loopback address, as the collector sees a traced nginx under wrk).
 *
 * Each writer first says HELLO with a live page (live.h), as the library
 * does, counting what it sends there; with "server" that page says no
 * client connection from a loopback address was made (a traced nginx
 * under an untraced wrk), with "server-client" that one was (a traced
 * client may have sent the requests: the joiner holds the records).
 *
 *   producer WRITERS RECORDS BATCH [client|server|server-client]
 */
#define _GNU_SOURCE /* memfd_create */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "live.h"
#include "wire.h"

static ht_str S(const char *s)
{
	ht_str r = {s, (uint16_t)strlen(s)};
	return r;
}

/* The records are a server's (HT_RF_SERVER), not a client's. */
static int server_side;
/* The page says a loopback client connection was made. */
static int client_made;

/* A realistic record: a keep-alive GET with its headers. */
static size_t make_record(uint8_t *buf, size_t cap, uint32_t seq)
{
	ht_record rec;
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	uint64_t now = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	memset(&rec, 0, sizeof rec);
	rec.type = HT_REC_REQUEST;
	ht_rec_request *r = &rec.u.req;
	r->pid = (uint32_t)getpid();
	r->conn_id = 1 + seq / 1000;
	r->req_seq = 1 + seq % 1000;
	r->flags = (seq % 1000 ? HT_RF_REUSED | HT_RF_WAS_IDLE : 0) | HT_RF_KEEPALIVE;
	r->status = 200;
	r->proto = HT_PROTO_HTTP11;
	r->peer.family = 2;
	r->peer.port = 8080;
	r->peer.addr[0] = 127;
	r->peer.addr[3] = 1;
	r->resp_body_bytes = 612;
	r->req_header_bytes = 78;
	r->resp_header_bytes = 238;
	r->t[HT_T_GOT_CONN] = now - 90000;
	r->t[HT_T_WROTE_HEADERS] = now - 89000;
	r->t[HT_T_WROTE_REQUEST] = now - 89000;
	r->t[HT_T_FIRST_BYTE] = now - 20000;
	r->t[HT_T_RESPONSE_DONE] = now;
	r->t[HT_T_IDLE_SINCE] = now - 100000;
	if (server_side) {
		/* nginx's view: the client at 127.0.0.1 on a port of its
		 * own per connection, read and written on one thread */
		r->flags |= HT_RF_SERVER;
		r->peer.port = (uint16_t)(40000 + r->conn_id % 20000);
		r->local.family = 2;
		r->local.port = 8080;
		r->local.addr[0] = 127;
		r->local.addr[3] = 1;
		r->thread = 1;
		r->thread_seq = 1 + seq;
		r->req_headers = S("Host: 127.0.0.1:8080\r\n");
	}
	r->method = S("GET");
	r->target = S("/index.html?q=1");
	r->host = S("127.0.0.1:8080");
	r->reason = S("OK");
	r->content_type = S("text/html");
	if (!server_side)
		r->req_headers = S("Host: 127.0.0.1:8080\r\nUser-Agent: bench\r\nAccept: */*\r\n");
	r->resp_headers = S("Server: nginx\r\nContent-Type: text/html\r\n"
			    "Content-Length: 612\r\nConnection: keep-alive\r\n");
	return ht_wire_encode(buf, cap, &rec);
}

/* Say HELLO on @fd with a live page, as the library does: the page, or
 * NULL (no memfd: HELLO without one). */
static ht_live *hello(int fd)
{
	ht_live *l = NULL;
	int mfd = memfd_create("producer", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (mfd >= 0 && ftruncate(mfd, HT_LIVE_SIZE) == 0) {
		void *p = mmap(NULL, HT_LIVE_SIZE, PROT_READ | PROT_WRITE,
			       MAP_SHARED, mfd, 0);
		if (p != MAP_FAILED &&
		    fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) == 0) {
			l = p;
			ht_live_init(l);
			if (client_made)
				ht_live_mark_client(l);
		}
	}
	ht_record rec;
	uint8_t buf[256];
	memset(&rec, 0, sizeof rec);
	rec.type = HT_REC_HELLO;
	rec.u.hello.pid = (uint32_t)getpid();
	rec.u.hello.ppid = (uint32_t)getppid();
	rec.u.hello.flags = l ? HT_HF_COUNTERS : 0;
	rec.u.hello.exe = S("producer");
	rec.u.hello.image = 1;
	size_t len = ht_wire_encode(buf, sizeof buf, &rec);
	struct iovec iov = {buf, len};
	union {
		struct cmsghdr h;
		char space[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
	if (l) {
		memset(&ctl, 0, sizeof ctl);
		m.msg_control = ctl.space;
		m.msg_controllen = sizeof ctl.space;
		struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &mfd, sizeof mfd);
	}
	if (sendmsg(fd, &m, MSG_NOSIGNAL) < 0)
		perror("producer: hello");
	if (mfd >= 0)
		close(mfd);
	return l;
}

static int writer(const char *path, long records, int batch)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	static uint8_t msg[HT_WIRE_MAX_RECORD];
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		perror("producer: connect");
		return 1;
	}
	ht_live *live = hello(fd);
	for (long sent = 0; sent < records;) {
		size_t len = 0;
		int n = 0;
		while (n < batch && sent + n < records) {
			size_t k = make_record(msg + len, sizeof msg - len,
					       (uint32_t)(sent + n));
			if (k == 0)
				break;
			len += k;
			n++;
		}
		if (live)
			live->produced += (uint64_t)n;
		if (send(fd, msg, len, MSG_NOSIGNAL) != (ssize_t)len) {
			perror("producer: send");
			return 1;
		}
		sent += n;
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	const char *path = getenv("HTTPTRACE_SOCKET");
	if (argc < 4 || argc > 5 || !path ||
	    (argc == 5 && strcmp(argv[4], "client") != 0 &&
	     strcmp(argv[4], "server") != 0 &&
	     strcmp(argv[4], "server-client") != 0)) {
		fputs("usage: HTTPTRACE_SOCKET=PATH producer WRITERS RECORDS BATCH [client|server|server-client]\n",
		      stderr);
		return 2;
	}
	server_side = argc == 5 && strncmp(argv[4], "server", 6) == 0;
	client_made = argc == 5 && strcmp(argv[4], "server-client") == 0;
	int writers = atoi(argv[1]), batch = atoi(argv[3]);
	long records = atol(argv[2]);
	for (int i = 0; i < writers; i++) {
		pid_t p = fork();
		if (p == 0)
			_exit(writer(path, records, batch));
	}
	int bad = 0, st;
	while (wait(&st) > 0)
		bad |= !WIFEXITED(st) || WEXITSTATUS(st) != 0;
	return bad;
}
