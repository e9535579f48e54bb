/*
 * socks.c - follow a SOCKS4/4a/5 CONNECT handshake (see socks.h), one byte
 * at a time in each direction.
 */
#include "socks.h"

#include <string.h>

/* Client side states. */
enum {
	C_VER,
	C4_CMD, C4_PORT, C4_IP, C4_USER, C4_HOST,
	C5_NMETHODS, C5_METHODS, C5_NEXT, C5_ULEN, C5_USER, C5_PLEN, C5_PASS,
	C5_CMD, C5_RSV, C5_ATYP, C5_ALEN, C5_ADDR, C5_PORT,
	C_DONE,
};

/* Server side states. */
enum {
	S4_VN, S4_CD, S4_REST,
	S5_MVER, S5_METHOD, S5_AVER, S5_ASTATUS,
	S5_RVER, S5_REP, S5_RSV, S5_ATYP, S5_ALEN, S5_ADDR, S5_PORT,
	S_DONE,
};

/* A SOCKS4 user id longer than this is not a handshake we believe in. */
#define USERID_MAX 1024

void socks_init(socks *s)
{
	memset(s, 0, sizeof *s);
	s->cst = C_VER;
}

static void name_put(socks *s, uint8_t c)
{
	if (s->nlen < sizeof s->name)
		s->name[s->nlen++] = (char)c;
}

/* One client byte; false when the bytes are not a handshake we follow. */
static bool client_byte(socks *s, uint8_t c)
{
	switch (s->cst) {
	case C_VER:
		if (c != 4 && c != 5)
			return false;
		s->ver = c;
		s->cst = c == 4 ? C4_CMD : C5_NMETHODS;
		s->sst = c == 4 ? S4_VN : S5_MVER;
		return true;
	/* ---- SOCKS4 / 4a ---- */
	case C4_CMD:
		if (c != 1) /* CONNECT only */
			return false;
		s->cst = C4_PORT;
		return true;
	case C4_PORT:
		s->port = (uint16_t)(s->port << 8 | c);
		if (++s->port_bytes == 2)
			s->cst = C4_IP;
		return true;
	case C4_IP:
		s->addr[s->alen++] = c;
		if (s->alen == 4) {
			s->atyp = 1;
			s->cst = C4_USER;
		}
		return true;
	case C4_USER:
		if (c != 0)
			return ++s->skipped <= USERID_MAX;
		/* 0.0.0.x with x != 0: SOCKS4a, a host name follows. */
		if (!s->addr[0] && !s->addr[1] && !s->addr[2] && s->addr[3]) {
			s->atyp = 3;
			s->cst = C4_HOST;
			return true;
		}
		s->cst = C_DONE;
		s->requested = true;
		return true;
	case C4_HOST:
		if (c != 0) {
			name_put(s, c);
			return ++s->skipped <= 2 * USERID_MAX;
		}
		if (s->nlen == 0)
			return false;
		s->cst = C_DONE;
		s->requested = true;
		return true;
	/* ---- SOCKS5 ---- */
	case C5_NMETHODS:
		if (c == 0)
			return false;
		s->cneed = c;
		s->cst = C5_METHODS;
		return true;
	case C5_METHODS:
		if (--s->cneed == 0)
			s->cst = C5_NEXT;
		return true;
	case C5_NEXT:
		/* After the greeting: password sub-negotiation (version 1)
		 * or the request (version 5); the server's choice came
		 * between them. */
		if (c == 1 && s->method == 2) {
			s->cst = C5_ULEN;
			return true;
		}
		if (c == 5) {
			s->cst = C5_CMD;
			return true;
		}
		return false;
	case C5_ULEN:
	case C5_PLEN:
		s->cneed = c;
		s->cst = s->cst == C5_ULEN ? C5_USER : C5_PASS;
		if (c == 0)
			s->cst = s->cst == C5_USER ? C5_PLEN : C5_NEXT;
		return true;
	case C5_USER:
	case C5_PASS:
		if (--s->cneed == 0)
			s->cst = s->cst == C5_USER ? C5_PLEN : C5_NEXT;
		return true;
	case C5_CMD:
		if (c != 1) /* CONNECT only */
			return false;
		s->cst = C5_RSV;
		return true;
	case C5_RSV:
		s->cst = C5_ATYP;
		return true;
	case C5_ATYP:
		s->atyp = c;
		if (c == 1 || c == 4) {
			s->cneed = c == 1 ? 4 : 16;
			s->cst = C5_ADDR;
		} else if (c == 3) {
			s->cst = C5_ALEN;
		} else {
			return false;
		}
		return true;
	case C5_ALEN:
		if (c == 0)
			return false;
		s->cneed = c;
		s->cst = C5_ADDR;
		return true;
	case C5_ADDR:
		if (s->atyp == 3)
			name_put(s, c);
		else
			s->addr[s->alen++] = c;
		if (--s->cneed == 0)
			s->cst = C5_PORT;
		return true;
	case C5_PORT:
		s->port = (uint16_t)(s->port << 8 | c);
		if (++s->port_bytes == 2) {
			s->cst = C_DONE;
			s->requested = true;
		}
		return true;
	default:
		/* C_DONE: the client spoke again before the proxy answered. */
		return false;
	}
}

socks_result socks_client(socks *s, const uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!client_byte(s, buf[i]))
			return SOCKS_FAIL;
	return SOCKS_MORE;
}

/* One server byte: SOCKS_MORE, SOCKS_DONE at the answer's last byte, or
 * SOCKS_FAIL. */
static socks_result server_byte(socks *s, uint8_t c)
{
	switch (s->sst) {
	/* ---- SOCKS4: VN CD DSTPORT DSTIP ---- */
	case S4_VN:
		if (c != 0 || !s->requested)
			return SOCKS_FAIL;
		s->sst = S4_CD;
		return SOCKS_MORE;
	case S4_CD:
		if (c != 0x5a) /* request granted */
			return SOCKS_FAIL;
		s->sneed = 6;
		s->sst = S4_REST;
		return SOCKS_MORE;
	case S4_REST:
		if (--s->sneed > 0)
			return SOCKS_MORE;
		s->sst = S_DONE;
		return SOCKS_DONE;
	/* ---- SOCKS5 ---- */
	case S5_MVER:
		if (c != 5 || s->cst < C5_NEXT)
			return SOCKS_FAIL;
		s->sst = S5_METHOD;
		return SOCKS_MORE;
	case S5_METHOD:
		if (c != 0 && c != 2) /* none or password; not GSSAPI, 0xff */
			return SOCKS_FAIL;
		s->method = c;
		s->sst = c == 2 ? S5_AVER : S5_RVER;
		return SOCKS_MORE;
	case S5_AVER:
		if (c != 1)
			return SOCKS_FAIL;
		s->sst = S5_ASTATUS;
		return SOCKS_MORE;
	case S5_ASTATUS:
		if (c != 0)
			return SOCKS_FAIL;
		s->sst = S5_RVER;
		return SOCKS_MORE;
	case S5_RVER:
		if (c != 5 || !s->requested)
			return SOCKS_FAIL;
		s->sst = S5_REP;
		return SOCKS_MORE;
	case S5_REP:
		if (c != 0) /* succeeded */
			return SOCKS_FAIL;
		s->sst = S5_RSV;
		return SOCKS_MORE;
	case S5_RSV:
		s->sst = S5_ATYP;
		return SOCKS_MORE;
	case S5_ATYP:
		if (c == 1 || c == 4) {
			s->sneed = c == 1 ? 4 : 16;
			s->sst = S5_ADDR;
		} else if (c == 3) {
			s->sst = S5_ALEN;
		} else {
			return SOCKS_FAIL;
		}
		return SOCKS_MORE;
	case S5_ALEN:
		s->sneed = c;
		s->sst = c ? S5_ADDR : S5_PORT;
		if (!c)
			s->sneed = 2;
		return SOCKS_MORE;
	case S5_ADDR:
		if (--s->sneed == 0) {
			s->sneed = 2;
			s->sst = S5_PORT;
		}
		return SOCKS_MORE;
	case S5_PORT:
		if (--s->sneed > 0)
			return SOCKS_MORE;
		s->sst = S_DONE;
		return SOCKS_DONE;
	default:
		return SOCKS_FAIL;
	}
}

socks_result socks_server(socks *s, const uint8_t *buf, size_t len,
			  size_t *used)
{
	*used = 0;
	if (s->cst == C_VER)
		return SOCKS_FAIL; /* the proxy spoke first */
	for (size_t i = 0; i < len; i++) {
		socks_result r = server_byte(s, buf[i]);
		*used = i + 1;
		if (r != SOCKS_MORE)
			return r;
	}
	return SOCKS_MORE;
}

/* ---- the target as text ---------------------------------------------------- */

typedef struct out {
	char *p;
	size_t cap, len;
} out;

static void out_c(out *o, char c)
{
	if (o->len + 1 < o->cap)
		o->p[o->len++] = c;
}

static void out_uint(out *o, unsigned v)
{
	char d[12];
	int n = 0;
	do {
		d[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		out_c(o, d[--n]);
}

static void out_hex(out *o, unsigned v)
{
	static const char hex[] = "0123456789abcdef";
	bool any = false;
	for (int sh = 12; sh >= 0; sh -= 4) {
		unsigned d = (v >> sh) & 0xf;
		if (d || any || sh == 0) {
			out_c(o, hex[d]);
			any = true;
		}
	}
}

/* An IPv6 address in its usual text form (the longest run of two or more
 * zero groups as "::"). */
static void out_ipv6(out *o, const uint8_t *a)
{
	unsigned g[8];
	int best = -1, best_len = 1;
	for (int i = 0; i < 8; i++)
		g[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
	for (int i = 0; i < 8;) {
		int j = i;
		while (j < 8 && g[j] == 0)
			j++;
		if (j - i > best_len) {
			best = i;
			best_len = j - i;
		}
		i = j > i ? j : i + 1;
	}
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			out_c(o, ':');
			out_c(o, ':');
			i += best_len - 1;
			continue;
		}
		if (i > 0 && i != best + best_len)
			out_c(o, ':');
		out_hex(o, g[i]);
	}
}

size_t socks_target(const socks *s, char *buf, size_t cap)
{
	out o = {buf, cap, 0};
	if (cap == 0)
		return 0;
	if (s->atyp == 3) {
		for (uint16_t i = 0; i < s->nlen; i++)
			out_c(&o, s->name[i]);
	} else if (s->atyp == 1 && s->alen == 4) {
		for (int i = 0; i < 4; i++) {
			if (i)
				out_c(&o, '.');
			out_uint(&o, s->addr[i]);
		}
	} else if (s->atyp == 4 && s->alen == 16) {
		out_c(&o, '[');
		out_ipv6(&o, s->addr);
		out_c(&o, ']');
	}
	out_c(&o, ':');
	out_uint(&o, s->port);
	buf[o.len] = '\0';
	return o.len;
}
