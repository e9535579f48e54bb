/*
 * ws.c - WebSocket frame parser and session accounting (see ws.h).
 */
#include "ws.h"

#include <string.h>

enum { S_HDR, S_PAYLOAD, S_FAILED };

void ws_init(ws_parser *p, bool client)
{
	memset(p, 0, sizeof *p);
	p->client = client;
	p->state = S_HDR;
	p->hdr_need = 2;
}

bool ws_failed(const ws_parser *p)
{
	return p->state == S_FAILED;
}

bool ws_idle(const ws_parser *p)
{
	return p->state == S_HDR && p->hdr_len == 0 && !p->in_msg;
}

static bool is_control(uint8_t opcode)
{
	return (opcode & 0x8) != 0;
}

/* The header's first two bytes are in: how long the whole header is. */
static uint8_t header_length(const uint8_t *hdr)
{
	uint8_t len7 = hdr[1] & 0x7f;
	uint8_t n = 2;

	if (len7 == 126)
		n += 2;
	else if (len7 == 127)
		n += 8;
	if (hdr[1] & 0x80)
		n += 4;
	return n;
}

/* The whole header is in p->hdr: start the frame (errors are counted,
 * the frame still followed, unless its length loses the framing). */
static void frame_begin(ws_parser *p)
{
	const uint8_t *h = p->hdr;
	uint8_t len7 = h[1] & 0x7f, o = 2;
	uint64_t len = len7;

	p->fin = (h[0] & 0x80) != 0;
	p->rsv1 = (h[0] & 0x40) != 0;
	p->opcode = h[0] & 0x0f;
	p->masked = (h[1] & 0x80) != 0;
	if (len7 == 126) {
		len = (uint64_t)h[2] << 8 | h[3];
		o = 4;
	} else if (len7 == 127) {
		len = 0;
		for (int i = 0; i < 8; i++)
			len = len << 8 | h[2 + i];
		o = 10;
		if (len >> 63) {
			/* RFC 6455, 5.2: the most significant bit must be
			 * 0; where the frame ends is not known. */
			p->errors++;
			p->state = S_FAILED;
			return;
		}
	}
	if (p->masked)
		memcpy(p->mask, h + o, 4);
	if (p->masked != p->client)
		p->errors++;
	p->frames++;
	p->payload_bytes += len;
	p->remaining = len;
	p->pos = 0;
	p->ctl_len = 0;
	p->ctl_skip = false;
	p->state = S_PAYLOAD;

	if (is_control(p->opcode)) {
		if (!p->fin || len > WS_CTL_MAX) {
			p->errors++;
			p->ctl_skip = len > WS_CTL_MAX;
		}
		if (p->opcode != WS_OP_CLOSE && p->opcode != WS_OP_PING &&
		    p->opcode != WS_OP_PONG)
			p->errors++;
		return;
	}
	if (p->opcode == WS_OP_CONT) {
		if (!p->in_msg) {
			/* a continuation of nothing: a message of its own,
			 * of unknown type */
			p->errors++;
			p->in_msg = true;
			p->msg_opcode = WS_OP_CONT;
			p->msg_compressed = false;
			p->msg_size = 0;
			p->msg_frames = 0;
		}
	} else {
		if (p->opcode != WS_OP_TEXT && p->opcode != WS_OP_BINARY)
			p->errors++; /* reserved: a data message still */
		if (p->in_msg)
			p->errors++; /* the open message never ends */
		p->in_msg = true;
		p->msg_opcode = p->opcode;
		p->msg_compressed = p->rsv1;
		p->msg_size = 0;
		p->msg_frames = 0;
	}
	p->msg_frames++;
	p->msg_size += len;
}

/* The frame's payload is all in: its event, if it makes one. */
static void frame_end(ws_parser *p, ws_event *ev)
{
	p->state = S_HDR;
	p->hdr_len = 0;
	p->hdr_need = 2;
	if (!is_control(p->opcode)) {
		if (!p->fin)
			return;
		p->in_msg = false;
		ev->kind = WS_EV_MESSAGE;
		ev->opcode = p->msg_opcode;
		ev->compressed = p->msg_compressed;
		ev->size = p->msg_size;
		ev->frames = p->msg_frames;
		return;
	}
	ev->payload = p->ctl;
	ev->payload_len = p->ctl_len;
	switch (p->opcode) {
	case WS_OP_PING:
		ev->kind = WS_EV_PING;
		break;
	case WS_OP_PONG:
		ev->kind = WS_EV_PONG;
		break;
	case WS_OP_CLOSE:
		ev->kind = WS_EV_CLOSE;
		if (p->ctl_len == 1)
			p->errors++; /* a code needs two bytes */
		if (p->ctl_len >= 2) {
			ev->close_code = (uint16_t)(p->ctl[0] << 8 | p->ctl[1]);
			ev->payload = p->ctl + 2;
			ev->payload_len = p->ctl_len - 2u;
		} else {
			ev->payload_len = 0;
		}
		break;
	default:
		ev->payload = NULL;
		ev->payload_len = 0;
		break;
	}
}

/* Payload bytes of the current frame: kept (unmasked) for a control
 * frame, counted otherwise.  Returns the bytes taken. */
static size_t payload_bytes(ws_parser *p, const uint8_t *buf, size_t len)
{
	size_t n = len < p->remaining ? len : (size_t)p->remaining;

	if (is_control(p->opcode) && !p->ctl_skip) {
		for (size_t i = 0; i < n; i++) {
			uint8_t b = buf[i];
			if (p->masked)
				b ^= p->mask[(p->pos + i) & 3];
			p->ctl[p->ctl_len++] = b;
		}
	}
	p->pos += n;
	p->remaining -= n;
	return n;
}

size_t ws_feed(ws_parser *p, const uint8_t *buf, size_t len, ws_event *ev)
{
	size_t i = 0;

	memset(ev, 0, sizeof *ev);
	while (i < len) {
		if (p->state == S_FAILED)
			return len;
		if (p->state == S_HDR) {
			p->hdr[p->hdr_len++] = buf[i++];
			if (p->hdr_len == 2)
				p->hdr_need = header_length(p->hdr);
			if (p->hdr_len < p->hdr_need)
				continue;
			frame_begin(p);
			if (p->state == S_PAYLOAD && p->remaining == 0) {
				frame_end(p, ev);
				if (ev->kind != WS_EV_NONE)
					return i;
			}
			continue;
		}
		i += payload_bytes(p, buf + i, len - i);
		if (p->remaining == 0) {
			frame_end(p, ev);
			if (ev->kind != WS_EV_NONE)
				return i;
		}
	}
	return len;
}

/* ---- the session ----------------------------------------------------------- */

/* FNV-1a over a ping's payload: pongs are matched by it and the length. */
static uint32_t payload_hash(const uint8_t *b, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 16777619u;
	}
	return h;
}

void ws_session_init(ws_session *s, bool client, uint64_t now)
{
	memset(s, 0, sizeof *s);
	ws_init(&s->p[WS_SENT], client);
	ws_init(&s->p[WS_RECV], !client);
	s->t_start = now;
	s->first_close = -1;
}

/* A ping went @dir at @now: kept until its pong comes back (the oldest
 * pending one makes room when all slots are taken). */
static void ping_sent(ws_session *s, int dir, const ws_event *ev, uint64_t now)
{
	ws_ping *q = s->pending[dir], *slot = &q[0];

	for (int i = 0; i < WS_PINGS_PENDING; i++) {
		if (q[i].t == 0) {
			slot = &q[i];
			break;
		}
		if (q[i].t < slot->t)
			slot = &q[i];
	}
	slot->t = now ? now : 1;
	slot->hash = payload_hash(ev->payload, ev->payload_len);
	slot->len = (uint8_t)ev->payload_len;
}

/* A pong went @dir at @now: the round trip of the ping that came the
 * other way with the same payload (RFC 6455, 5.5.3), if one is pending;
 * an unsolicited pong (a heartbeat) matches nothing. */
static void pong_sent(ws_session *s, int dir, const ws_event *ev, uint64_t now)
{
	int pinger = !dir;
	ws_ping *q = s->pending[pinger];
	uint32_t h = payload_hash(ev->payload, ev->payload_len);
	ws_ping *match = NULL;

	for (int i = 0; i < WS_PINGS_PENDING; i++) {
		if (q[i].t && q[i].hash == h && q[i].len == ev->payload_len &&
		    (!match || q[i].t < match->t))
			match = &q[i];
	}
	if (!match)
		return;
	uint64_t rtt = now > match->t ? now - match->t : 0;
	match->t = 0;
	if (s->rtt_n[pinger] == 0 || rtt < s->rtt_min[pinger])
		s->rtt_min[pinger] = rtt;
	if (rtt > s->rtt_max[pinger])
		s->rtt_max[pinger] = rtt;
	s->rtt_sum[pinger] += rtt;
	s->rtt_n[pinger]++;
}

static void session_event(ws_session *s, int dir, const ws_event *ev,
			  uint64_t now)
{
	ws_dir_stats *d = &s->d[dir];

	switch (ev->kind) {
	case WS_EV_MESSAGE:
		d->messages++;
		d->bytes += ev->size;
		if (ev->opcode == WS_OP_TEXT)
			d->text++;
		else if (ev->opcode == WS_OP_BINARY)
			d->binary++;
		if (ev->compressed)
			d->compressed++;
		break;
	case WS_EV_PING:
		d->pings++;
		ping_sent(s, dir, ev, now);
		break;
	case WS_EV_PONG:
		d->pongs++;
		pong_sent(s, dir, ev, now);
		break;
	case WS_EV_CLOSE:
		if (d->closed)
			break; /* only the first counts */
		d->closed = true;
		d->t_close = now;
		d->close_code = ev->close_code;
		d->reason_len = (uint8_t)ev->payload_len;
		if (ev->payload_len)
			memcpy(d->close_reason, ev->payload, ev->payload_len);
		d->close_reason[d->reason_len] = '\0';
		if (s->first_close < 0)
			s->first_close = dir;
		break;
	default:
		break;
	}
}

void ws_session_feed(ws_session *s, int dir, const uint8_t *buf, size_t len,
		     uint64_t now)
{
	ws_parser *p = &s->p[dir];

	while (len > 0) {
		ws_event ev;
		size_t n = ws_feed(p, buf, len, &ev);
		buf += n;
		len -= n;
		session_event(s, dir, &ev, now);
	}
	s->d[dir].frames = p->frames;
	s->d[dir].errors = p->errors;
}

bool ws_session_closed(const ws_session *s)
{
	return s->d[WS_SENT].closed && s->d[WS_RECV].closed;
}

bool ws_session_lost(const ws_session *s)
{
	return ws_failed(&s->p[WS_SENT]) || ws_failed(&s->p[WS_RECV]);
}
