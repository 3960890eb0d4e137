// SPDX-License-Identifier: GPL-2.0 OR MIT
/* See fields.h. No I/O but --help's list; no printf on the record path. */
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include "ct_classify.h"
#include "ct_format.h"
#include "ct_names.h"
#include "fields.h"

/* (A name too long for key is a compile-time error: -Werror.) */
#define F(n, k, m, d) { .name = (n), .key = ",\"" n "\":", .keylen = sizeof(n) + 3, \
			.kind = (k), .off = offsetof(struct ct_event, m), \
			.width = sizeof(((struct ct_event *)0)->m), .doc = (d) }

/* In this order in JSON and CSV; docs/record-format.md describes each. */
const struct ct_field ct_fields[] = {
	F("type", CT_K_TYPE, type, "record type: CLOSE, REFDROP, RELEASE, STATE, RESET, TIMEWAIT, END, LOST, DEATH, TWEND"),
	F("ts_ns", CT_K_UNSIGNED, ts_ns, "CLOCK_MONOTONIC ns (a CLOSE: when tcp_close began)"),
	F("cpu", CT_K_UNSIGNED, cpu, "CPU that wrote the record"),
	F("close_id", CT_K_UNSIGNED, close_id, "the same for every record of one close"),
	F("pid", CT_K_UNSIGNED, pid, "closer's process id (tgid)"),
	F("tid", CT_K_UNSIGNED, tid, "closer's thread id"),
	F("comm", CT_K_COMM, comm, "closer's command name"),
	F("fd", CT_K_SIGNED, fd, "file descriptor closed, -1 for none"),
	F("ino", CT_K_UNSIGNED, ino, "socket inode number (as ss -e)"),
	F("family", CT_K_UNSIGNED, family, "AF_INET 2, AF_INET6 10, AF_UNIX 1, ..."),
	F("protocol", CT_K_UNSIGNED, protocol, "IPPROTO_TCP 6, IPPROTO_UDP 17, ..."),
	F("sock_type", CT_K_UNSIGNED, sock_type, "SOCK_STREAM 1, SOCK_DGRAM 2, ..."),
	F("sport", CT_K_UNSIGNED, sport, "local port"),
	F("dport", CT_K_UNSIGNED, dport, "remote port"),
	F("src", CT_K_SRC, saddr, "local address:port"),
	F("dst", CT_K_DST, daddr, "remote address:port"),
	F("state_before", CT_K_STATE, state_before, "TCP state at the close (STATE: the old one)"),
	F("state_after", CT_K_STATE, state_after, "TCP state after it"),
	F("action", CT_K_ACTION, action, "what the kernel sent: FIN, RST or NONE"),
	F("reason", CT_K_REASON, reason, "why (docs/record-format.md lists them)"),
	F("predicted_action", CT_K_ACTION, pred_action, "the action foreseen at tcp_close's entry"),
	F("predicted_reason", CT_K_REASON, pred_reason, "the reason foreseen at tcp_close's entry"),
	F("kernel_reason", CT_K_KRST, krst, "the kernel's own RST reason (6.10+)"),
	F("linger_on", CT_K_UNSIGNED, linger_on, "SO_LINGER l_onoff"),
	F("linger_sec", CT_K_UNSIGNED, linger_sec, "SO_LINGER l_linger, seconds"),
	F("linger2", CT_K_SIGNED, linger2, "TCP_LINGER2, seconds (< 0: abort)"),
	F("unread", CT_K_UNSIGNED, unread, "bytes left unread"),
	F("unsent", CT_K_UNSIGNED, unsent, "bytes queued, not yet sent"),
	F("unacked", CT_K_UNSIGNED, unacked, "bytes sent, not yet acknowledged"),
	F("refs", CT_K_UNSIGNED, refs, "REFDROP: references left; CLOSE: children"),
	F("fins", CT_K_UNSIGNED, fins, "FINs the close sent"),
	F("rsts", CT_K_UNSIGNED, rsts, "RSTs the close sent"),
	F("timeout_ms", CT_K_SIGNED, timeout_ms, "the timeout tcp_close was given"),
	F("blocked_ns", CT_K_UNSIGNED, blocked_ns, "how long the close blocked"),
	F("count", CT_K_UNSIGNED, count, "END: ns since the close; TWEND: ns as a timewait socket"),
	F("flags", CT_K_FLAGS, flags, "flag names, | in CSV"),
	F("cookie", CT_K_UNSIGNED, cookie, "socket cookie (SO_COOKIE, ss -e)"),
	F("netns", CT_K_UNSIGNED, netns, "network namespace inode"),
	F("cgroup_id", CT_K_UNSIGNED, cgroup_id, "closer's cgroup v2 id"),
	F("vpid", CT_K_UNSIGNED, vpid, "closer's pid in its own pid namespace"),
	F("bytes_acked", CT_K_UNSIGNED, bytes_acked, "TCP_INFO tcpi_bytes_acked"),
	F("bytes_received", CT_K_UNSIGNED, bytes_received, "TCP_INFO tcpi_bytes_received"),
	F("segs_in", CT_K_UNSIGNED, segs_in, "TCP_INFO tcpi_segs_in"),
	F("segs_out", CT_K_UNSIGNED, segs_out, "TCP_INFO tcpi_segs_out"),
	F("total_retrans", CT_K_UNSIGNED, total_retrans, "TCP_INFO tcpi_total_retrans"),
	F("srtt_us", CT_K_UNSIGNED, srtt_us, "smoothed RTT, us"),
	F("since_ns", CT_K_UNSIGNED, since_ns, "CLOSE: ns since the death or since CLOSE_WAIT"),
	F("sk_err", CT_K_SIGNED, sk_err, "the socket's error (errno)"),
	F("death", CT_K_DEATH, death, "CLOSE: how the connection had died, - for not"),
	F("retransmits", CT_K_UNSIGNED, retransmits, "retransmissions when it died"),
	F("lifetime_ns", CT_K_UNSIGNED, lifetime_ns, "ns since connect() or the SYN, 0 unknown"),
	F("uid", CT_K_UNSIGNED, uid, "the socket owner's uid (as ss -e)"),
};

const unsigned int ct_nfields = sizeof(ct_fields) / sizeof(ct_fields[0]);

/* A LOST record in JSON: the header fields (the first four) and this. */
#define CT_LOST_HEAD 4

#define CT_FLAG_NAME(f, s) s,
static const char *const flag_names[] = {
	CT_FLAG_NAMES(CT_FLAG_NAME, CT_FLAG_NAME)
};
_Static_assert(sizeof(flag_names) == CT_F_COUNT * sizeof(flag_names[0]),
	       "one name per flag bit");

static const char digits2[] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* Digits in v (v > 0), the fast way for the small values most fields hold. */
static unsigned int u64_digits(unsigned long long v)
{
	unsigned int n = 1;

	for (;;) {
		if (v < 10)
			return n;
		if (v < 100)
			return n + 1;
		if (v < 1000)
			return n + 2;
		if (v < 10000)
			return n + 3;
		v /= 10000;
		n += 4;
	}
}

char *ct_put_u64_slow(char *p, unsigned long long v)
{
	char *end = p + u64_digits(v);

	p = end;
	while (v >= 100) {
		unsigned int i = (unsigned int)(v % 100) * 2;

		v /= 100;
		*--p = digits2[i + 1];
		*--p = digits2[i];
	}
	if (v >= 10) {
		*--p = digits2[v * 2 + 1];
		*--p = digits2[v * 2];
	} else {
		*--p = (char)('0' + v);
	}
	return end;
}

char *ct_put_s64(char *p, long long v)
{
	if (v >= 0)
		return ct_put_u64(p, (unsigned long long)v);
	*p++ = '-';
	return ct_put_u64(p, 0ull - (unsigned long long)v);
}

char *ct_put_str(char *p, const char *s)
{
	size_t n = strlen(s);

	memcpy(p, s, n);
	return p + n;
}

char *ct_put_addr(char *p, unsigned int family, const unsigned char *addr,
		  unsigned int port)
{
	unsigned int i;

	if (family == AF_INET) {
		for (i = 0; i < 4; i++) {
			if (i)
				*p++ = '.';
			p = ct_put_u64(p, addr[i]);
		}
		*p++ = ':';
		return ct_put_u64(p, port);
	}
	/* IPv6 and the rest: the shared formatter (rarer, and subtle). */
	return p + ct_fmt_addr(p, CT_ADDR_LEN, family, addr, port);
}

static unsigned long long get_u(const struct ct_event *ev, const struct ct_field *f)
{
	const unsigned char *b = (const unsigned char *)ev + f->off;
	uint64_t v64;
	uint32_t v32;
	uint16_t v16;

	switch (f->width) {
	case 1:
		return *b;
	case 2:
		memcpy(&v16, b, 2);
		return v16;
	case 4:
		memcpy(&v32, b, 4);
		return v32;
	default:
		memcpy(&v64, b, 8);
		return v64;
	}
}

static long long get_s(const struct ct_event *ev, const struct ct_field *f)
{
	unsigned long long v = get_u(ev, f);

	switch (f->width) {
	case 1:
		return (int8_t)v;
	case 2:
		return (int16_t)v;
	case 4:
		return (int32_t)v;
	default:
		return (int64_t)v;
	}
}

/* The flag names joined by sep; none: "" in JSON, "-" in CSV. */
static char *put_flags(char *p, unsigned int flags, char sep, const char *none)
{
	char *start = p;
	unsigned int i;

	for (i = 0; i < CT_F_COUNT; i++) {
		if (!(flags & (1u << i)))
			continue;
		if (p != start)
			*p++ = sep;
		p = ct_put_str(p, flag_names[i]);
	}
	return p == start ? ct_put_str(p, none) : p;
}

char *ct_put_comm(char *p, const char *comm, bool csv)
{
	size_t i;

	for (i = 0; i < CT_COMM_LEN && comm[i]; i++) {
		char c = comm[i];

		if (c < ' ' || c > '~' || (csv && (c == ',' || c == '"')))
			c = '?';
		*p++ = c;
	}
	return p;
}

static char *put_comm_json(char *p, const char *comm)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	*p++ = '"';
	for (i = 0; i < CT_COMM_LEN && comm[i]; i++) {
		unsigned char c = (unsigned char)comm[i];

		if (c == '"' || c == '\\') {
			*p++ = '\\';
			*p++ = (char)c;
		} else if (c < 0x20 || c > 0x7e) {
			p = ct_put_str(p, "\\u00");
			*p++ = hex[c >> 4];
			*p++ = hex[c & 15];
		} else {
			*p++ = (char)c;
		}
	}
	*p++ = '"';
	return p;
}

/* One field's value; quoted: as a JSON string where it is a name. */
static char *put_value(char *p, const struct ct_event *ev,
		       const struct ct_field *f, bool json)
{
	const char *name = NULL;

	switch (f->kind) {
	case CT_K_UNSIGNED:
		return ct_put_u64(p, get_u(ev, f));
	case CT_K_SIGNED:
		return ct_put_s64(p, get_s(ev, f));
	case CT_K_TYPE:
		name = ct_type_name((unsigned int)get_u(ev, f));
		break;
	case CT_K_STATE:
		name = ct_state_name((unsigned int)get_u(ev, f));
		break;
	case CT_K_ACTION:
		name = ct_action_name((unsigned int)get_u(ev, f));
		break;
	case CT_K_REASON:
		name = ct_reason_name((unsigned int)get_u(ev, f));
		break;
	case CT_K_DEATH:
		name = ct_death_name((unsigned int)get_u(ev, f));
		break;
	case CT_K_KRST:
		name = ct_krst_name((unsigned int)get_u(ev, f));
		break;
	case CT_K_COMM:
		return json ? put_comm_json(p, ev->comm) : ct_put_comm(p, ev->comm, true);
	case CT_K_FLAGS:
		if (!json)
			return put_flags(p, ev->flags, '|', "-");
		*p++ = '"';
		p = put_flags(p, ev->flags, ',', "");
		*p++ = '"';
		return p;
	case CT_K_SRC:
	case CT_K_DST:
		if (json)
			*p++ = '"';
		p = f->kind == CT_K_SRC ?
		    ct_put_addr(p, ev->family, ev->saddr, ev->sport) :
		    ct_put_addr(p, ev->family, ev->daddr, ev->dport);
		if (json)
			*p++ = '"';
		return p;
	}
	if (!name)
		name = "?";
	if (json)
		*p++ = '"';
	p = ct_put_str(p, name);
	if (json)
		*p++ = '"';
	return p;
}

char *ct_put_json(char *p, const struct ct_event *ev)
{
	unsigned int i, n = ev->type == CT_EV_LOST ? CT_LOST_HEAD : ct_nfields;
	char *start = p;

	for (i = 0; i < n; i++) {
		const struct ct_field *f = &ct_fields[i];

		memcpy(p, f->key, CT_KEY_LEN);
		p += f->keylen;
		/* Most fields: a number, most often one digit. */
		if (f->kind == CT_K_UNSIGNED) {
			p = ct_put_u64(p, get_u(ev, f));
			continue;
		}
		p = put_value(p, ev, f, true);
	}
	*start = '{';	/* in place of the first key's comma */
	if (ev->type == CT_EV_LOST) {
		p = ct_put_str(p, ",\"lost\":");
		p = ct_put_u64(p, ev->count);
	}
	*p++ = '}';
	*p++ = '\n';
	return p;
}

char *ct_put_csv(char *p, const struct ct_event *ev)
{
	unsigned int i;

	for (i = 0; i < ct_nfields; i++) {
		if (i)
			*p++ = ',';
		p = put_value(p, ev, &ct_fields[i], false);
	}
	*p++ = '\n';
	return p;
}

char *ct_put_csv_header(char *p)
{
	unsigned int i;

	for (i = 0; i < ct_nfields; i++) {
		if (i)
			*p++ = ',';
		p = ct_put_str(p, ct_fields[i].name);
	}
	*p++ = '\n';
	return p;
}

void ct_print_field_list(FILE *f)
{
	unsigned int i;

	fprintf(f, "Fields of -j and --csv, in this order (docs/record-format.md):\n");
	for (i = 0; i < ct_nfields; i++)
		fprintf(f, "  %-17s %s\n", ct_fields[i].name, ct_fields[i].doc);
}
