/*
 * producer.c - a synthetic traced process for the collector benchmark:
 * WRITERS processes each send RECORDS request records to the collector
 * named by HTTPTRACE_SOCKET, BATCH records per message, with blocking
 * sends so that the collector's pace is what is measured.  With "server",
 * the records are a server's (HT_RF_SERVER: nginx answering a client at a
 * loopback address, as the collector sees a traced nginx under wrk).
 *
 *   producer WRITERS RECORDS BATCH [client|server]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "wire.h"

static ht_str S(const char *s)
{
	ht_str r = {s, (uint16_t)strlen(s)};
	return r;
}

/* The records are a server's (HT_RF_SERVER), not a client's. */
static int server_side;

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
	     strcmp(argv[4], "server") != 0)) {
		fputs("usage: HTTPTRACE_SOCKET=PATH producer WRITERS RECORDS BATCH [client|server]\n",
		      stderr);
		return 2;
	}
	server_side = argc == 5 && strcmp(argv[4], "server") == 0;
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
