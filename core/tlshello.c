/* tlshello.c - see tlshello.h. */
#include "tlshello.h"

#include <string.h>

#define TLS_RECORD_HANDSHAKE 0x16
#define TLS_CLIENT_HELLO 0x01
/* record header (5), handshake header (4), client_version (2) */
#define TLS_RANDOM_OFFSET 11

bool tlshello_random(const uint8_t *buf, size_t len,
		     uint8_t out[TLSHELLO_RANDOM_LEN])
{
	if (len < TLS_RANDOM_OFFSET + TLSHELLO_RANDOM_LEN)
		return false;
	if (buf[0] != TLS_RECORD_HANDSHAKE || buf[1] != 3 ||
	    buf[5] != TLS_CLIENT_HELLO || buf[9] != 3)
		return false;
	/* The record must hold the handshake header, version and random. */
	size_t rec = (size_t)buf[3] << 8 | buf[4];
	if (rec < TLS_RANDOM_OFFSET - 5 + TLSHELLO_RANDOM_LEN)
		return false;
	memcpy(out, buf + TLS_RANDOM_OFFSET, TLSHELLO_RANDOM_LEN);
	return true;
}

static int index_of(const tlshello_table *t, const void *session)
{
	for (int i = 0; i < TLSHELLO_MAX; i++)
		if (t->e[i].session == session)
			return i;
	return -1;
}

static void clear(tlshello_table *t, int i)
{
	t->e[i].session = NULL;
	t->used--;
}

void tlshello_put(tlshello_table *t, const void *session,
		  const uint8_t random[TLSHELLO_RANDOM_LEN], uint64_t t0)
{
	int i = index_of(t, session);
	if (i < 0)
		i = index_of(t, NULL);
	if (i < 0) {
		i = (int)(t->next % TLSHELLO_MAX);
		t->next = (unsigned)i + 1;
		clear(t, i);
	}
	if (!t->e[i].session)
		t->used++;
	t->e[i].session = session;
	t->e[i].t0 = t0;
	memcpy(t->e[i].random, random, TLSHELLO_RANDOM_LEN);
}

const void *tlshello_take(tlshello_table *t,
			  const uint8_t random[TLSHELLO_RANDOM_LEN], uint64_t *t0)
{
	for (int i = 0; i < TLSHELLO_MAX; i++) {
		if (t->e[i].session &&
		    memcmp(t->e[i].random, random, TLSHELLO_RANDOM_LEN) == 0) {
			const void *s = t->e[i].session;
			*t0 = t->e[i].t0;
			clear(t, i);
			return s;
		}
	}
	return NULL;
}

bool tlshello_known(const tlshello_table *t, const void *session)
{
	return session && index_of(t, session) >= 0;
}

void tlshello_drop(tlshello_table *t, const void *session)
{
	int i = session ? index_of(t, session) : -1;
	if (i >= 0)
		clear(t, i);
}

static int accepted_index(const tlshello_accepted *t, int fd)
{
	for (int i = 0; i < TLSHELLO_ACCEPTED_MAX; i++)
		if (t->e[i].used && t->e[i].fd == fd)
			return i;
	return -1;
}

static void accepted_clear(tlshello_accepted *t, int i)
{
	t->e[i].used = false;
	t->used--;
}

void tlshello_accepted_put(tlshello_accepted *t, int fd, uint32_t conn_id,
			   const uint8_t random[TLSHELLO_RANDOM_LEN], uint64_t t0)
{
	int i = accepted_index(t, fd);
	for (int k = 0; i < 0 && k < TLSHELLO_ACCEPTED_MAX; k++)
		if (!t->e[k].used)
			i = k;
	if (i < 0) {
		i = (int)(t->next % TLSHELLO_ACCEPTED_MAX);
		t->next = (unsigned)i + 1;
	}
	if (!t->e[i].used)
		t->used++;
	t->e[i].used = true;
	t->e[i].fd = fd;
	t->e[i].conn_id = conn_id;
	t->e[i].t0 = t0;
	memcpy(t->e[i].random, random, TLSHELLO_RANDOM_LEN);
}

bool tlshello_accepted_take(tlshello_accepted *t,
			    const uint8_t random[TLSHELLO_RANDOM_LEN], int *fd,
			    uint32_t *conn_id, uint64_t *t0)
{
	for (int i = 0; i < TLSHELLO_ACCEPTED_MAX; i++) {
		if (t->e[i].used &&
		    memcmp(t->e[i].random, random, TLSHELLO_RANDOM_LEN) == 0) {
			*fd = t->e[i].fd;
			*conn_id = t->e[i].conn_id;
			*t0 = t->e[i].t0;
			accepted_clear(t, i);
			return true;
		}
	}
	return false;
}

void tlshello_accepted_drop(tlshello_accepted *t, int fd, uint32_t conn_id)
{
	int i = accepted_index(t, fd);
	if (i >= 0 && t->e[i].conn_id == conn_id)
		accepted_clear(t, i);
}
