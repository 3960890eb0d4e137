// SPDX-License-Identifier: GPL-2.0 OR MIT
/* See decode.h. No I/O but to the FILE it is given. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <inttypes.h>
#include <string.h>
#include "ct_classify.h"
#include "ct_format.h"
#include "decode.h"

enum ct_check ct_check_record(const void *buf, size_t len)
{
	struct ct_event ev;

	if (len < 12)
		return CT_ERR_SHORT;
	memcpy(&ev, buf, 12);
	if (ev.magic != CT_MAGIC)
		return CT_ERR_MAGIC;
	if (ev.version != CT_ABI_VERSION)
		return CT_ERR_VERSION;
	if (ev.size != sizeof(struct ct_event))
		return CT_ERR_SIZE;
	if (len < sizeof(struct ct_event))
		return CT_ERR_SHORT;
	if (ev.type == 0 || ev.type >= CT_EV_MAX)
		return CT_ERR_TYPE;
	return CT_OK;
}

const char *ct_check_message(enum ct_check c, const void *buf, size_t len,
			     char *out, size_t outlen)
{
	struct ct_event ev;

	memset(&ev, 0, sizeof(ev));
	memcpy(&ev, buf, len < sizeof(ev) ? len : sizeof(ev));
	switch (c) {
	case CT_OK:
		snprintf(out, outlen, "ok");
		break;
	case CT_ERR_SHORT:
		snprintf(out, outlen, "truncated record (%zu bytes, a record is %zu)",
			 len, sizeof(struct ct_event));
		break;
	case CT_ERR_MAGIC:
		snprintf(out, outlen, "not a closetrace record (magic 0x%08x)",
			 ev.magic);
		break;
	case CT_ERR_VERSION:
		snprintf(out, outlen,
			 "the module writes record ABI version %u, this reader understands version %u: use the reader built with the loaded module",
			 ev.version, CT_ABI_VERSION);
		break;
	case CT_ERR_SIZE:
		snprintf(out, outlen,
			 "record size %u, this reader expects %zu: reader and module do not match",
			 ev.size, sizeof(struct ct_event));
		break;
	case CT_ERR_TYPE:
		snprintf(out, outlen, "unknown record type %u", ev.type);
		break;
	}
	return out;
}

static bool port_in(unsigned int port, const unsigned short *ports, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (ports[i] == port)
			return true;
	return false;
}

static bool net_has(const struct ct_net *net, unsigned int family, const __u8 *addr)
{
	unsigned int full = net->prefix / 8, rest = net->prefix % 8;

	if (family != net->family || memcmp(addr, net->addr, full))
		return false;
	return !rest || !((addr[full] ^ net->addr[full]) & (0xff00u >> rest));
}

/* The record's action for --action: RESET is a RST; STATE and others have none. */
static int action_of(const struct ct_event *ev)
{
	switch (ev->type) {
	case CT_EV_CLOSE:
	case CT_EV_DEATH:
	case CT_EV_TWEND:
		return ev->action;
	case CT_EV_RESET:
		return CT_ACT_RST;
	}
	return -1;
}

bool ct_matches(const struct ct_event *ev, const struct ct_match *m)
{
	char comm[CT_COMM_LEN + 1];
	int act;

	if (ev->type == CT_EV_LOST)
		return true;
	if (m->types && (ev->type >= 32 || !(m->types & (1u << ev->type))))
		return false;
	if (m->actions) {
		act = action_of(ev);
		if (act < 0 || act >= 32 || !(m->actions & (1u << act)))
			return false;
	}
	if (m->pid >= 0 && (long)ev->pid != m->pid)
		return false;
	if (m->port >= 0 && (long)ev->sport != m->port &&
	    (long)ev->dport != m->port)
		return false;
	if (m->comm) {
		memcpy(comm, ev->comm, CT_COMM_LEN);
		comm[CT_COMM_LEN] = '\0';
		if (strcmp(comm, m->comm))
			return false;
	}
	if (m->netns_set && ev->netns != m->netns)
		return false;
	if (m->cgroup_set && ev->cgroup_id != m->cgroup)
		return false;
	if (m->uid >= 0 && ev->uid != m->uid)
		return false;
	if (m->family && ev->family != m->family)
		return false;
	if (m->nlports && !port_in(ev->sport, m->lports, m->nlports))
		return false;
	if (m->ndports && !port_in(ev->dport, m->dports, m->ndports))
		return false;
	if (m->laddr.family && !net_has(&m->laddr, ev->family, ev->saddr))
		return false;
	if (m->raddr.family && !net_has(&m->raddr, ev->family, ev->daddr))
		return false;
	return true;
}

int ct_parse_ports(const char *s, unsigned short *ports, unsigned int *n)
{
	unsigned long v;
	char *end;

	*n = 0;
	for (;;) {
		if (*s < '0' || *s > '9' || *n >= CT_MAX_PORTS)
			return -1;
		errno = 0;
		v = strtoul(s, &end, 10);
		if (errno || !v || v > 65535)
			return -1;
		ports[(*n)++] = (unsigned short)v;
		if (!*end)
			return 0;
		if (*end != ',')
			return -1;
		s = end + 1;
	}
}

int ct_parse_net(const char *s, struct ct_net *net)
{
	char ip[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(s, '/');
	size_t len = slash ? (size_t)(slash - s) : strlen(s);
	unsigned long prefix;
	char *end;

	memset(net, 0, sizeof(*net));
	if (!len || len >= sizeof(ip))
		return -1;
	memcpy(ip, s, len);
	ip[len] = '\0';
	if (inet_pton(AF_INET, ip, net->addr) == 1) {
		net->family = AF_INET;
		net->prefix = 32;
	} else if (inet_pton(AF_INET6, ip, net->addr) == 1) {
		net->family = AF_INET6;
		net->prefix = 128;
	} else {
		return -1;
	}
	if (!slash)
		return 0;
	if (slash[1] < '0' || slash[1] > '9') {
		memset(net, 0, sizeof(*net));
		return -1;
	}
	errno = 0;
	prefix = strtoul(slash + 1, &end, 10);
	if (errno || *end || prefix > net->prefix) {
		memset(net, 0, sizeof(*net));
		return -1;
	}
	net->prefix = (unsigned int)prefix;
	return 0;
}

int ct_parse_names(const char *s, int (*lookup)(const char *),
		   unsigned int *mask, char *bad, size_t badlen)
{
	char name[32];
	size_t i, len;
	int v;

	*mask = 0;
	for (;;) {
		len = strcspn(s, ",");
		if (!len || len >= sizeof(name)) {
			snprintf(bad, badlen, "%.*s", (int)len, s);
			return -1;
		}
		for (i = 0; i < len; i++)
			name[i] = (char)toupper((unsigned char)s[i]);
		name[len] = '\0';
		v = lookup(name);
		if (v < 0 || v >= 32) {
			snprintf(bad, badlen, "%.*s", (int)len, s);
			return -1;
		}
		*mask |= 1u << v;
		if (!s[len])
			return 0;
		s += len + 1;
	}
}

static void fd_of(const struct ct_event *ev, char *out, size_t len)
{
	if (ev->fd == CT_FD_NONE)
		snprintf(out, len, "none");
	else
		snprintf(out, len, "%d", ev->fd);
}

/* "ESTABLISHED>FIN_WAIT1" or one state. */
static void states_of(const struct ct_event *ev, char *out, size_t len)
{
	switch (ev->type) {
	case CT_EV_CLOSE:
	case CT_EV_STATE:
	case CT_EV_TIMEWAIT:
		snprintf(out, len, "%s>%s", ct_state_name(ev->state_before),
			 ct_state_name(ev->state_after));
		break;
	case CT_EV_DEATH:
	case CT_EV_TWEND:
		snprintf(out, len, "%s>%s", ct_state_name(ev->state_before),
			 ct_state_name(ev->state_after));
		break;
	case CT_EV_RESET:
	case CT_EV_END:
	case CT_EV_REFDROP:
		snprintf(out, len, "%s", ct_state_name(ev->state_before));
		break;
	default:
		snprintf(out, len, "-");
	}
}

static void linger_of(const struct ct_event *ev, char *out, size_t len)
{
	if (ev->type != CT_EV_CLOSE)
		snprintf(out, len, "-");
	else if (!ev->linger_on)
		snprintf(out, len, "off");
	else
		snprintf(out, len, "%us%s", ev->linger_sec,
			 (ev->flags & CT_F_EXITING) ? "(exit)" : "");
}

static const char *proto_of(const struct ct_event *ev)
{
	if (ev->family == AF_UNIX)
		return "unix";
	switch (ev->protocol) {
	case IPPROTO_TCP:
		return ev->family == AF_INET6 ? "tcp6" : "tcp";
	case IPPROTO_UDP:
		return ev->family == AF_INET6 ? "udp6" : "udp";
	case IPPROTO_RAW:
	case IPPROTO_ICMP:
		return "raw";
	}
	return "other";
}

/* The errors a connection dies of, by name; others as numbers. */
static const char *err_name(int err, char *buf, size_t len)
{
	static const struct {
		int err;
		const char *name;
	} names[] = {
		{ ECONNRESET, "ECONNRESET" }, { EPIPE, "EPIPE" },
		{ ECONNREFUSED, "ECONNREFUSED" }, { ETIMEDOUT, "ETIMEDOUT" },
		{ ECONNABORTED, "ECONNABORTED" }, { EHOSTUNREACH, "EHOSTUNREACH" },
		{ ENETUNREACH, "ENETUNREACH" }, { EPROTO, "EPROTO" },
		{ EMSGSIZE, "EMSGSIZE" }, { EACCES, "EACCES" },
		{ EHOSTDOWN, "EHOSTDOWN" }, { ENONET, "ENONET" },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].err == err)
			return names[i].name;
	snprintf(buf, len, "errno %d", err);
	return buf;
}

/*
 * The table's last column: what came before the close. A DEATH: its error
 * and retransmissions; a CLOSE of a socket that died: how and how long
 * ago; of one in CLOSE_WAIT: for how long.
 */
static void note_of(const struct ct_event *ev, char *out, size_t len)
{
	char e[24];
	unsigned long long ms = ev->since_ns / 1000000ull;

	out[0] = '\0';
	if (ev->type == CT_EV_DEATH)
		snprintf(out, len, " %s retransmits=%u", ev->sk_err ?
			 err_name(ev->sk_err, e, sizeof(e)) : "no-error",
			 ev->retransmits);
	else if (ev->type == CT_EV_TWEND)
		snprintf(out, len, " after %llu ms as a timewait socket",
			 (unsigned long long)(ev->count / 1000000ull));
	else if (ev->type == CT_EV_CLOSE && ev->death)
		snprintf(out, len, " %s %llu ms before the close (%s)",
			 ct_reason_name(ev->death), ms, ev->sk_err ?
			 err_name(ev->sk_err, e, sizeof(e)) : "no error");
	else if (ev->type == CT_EV_CLOSE && ev->since_ns &&
		 ev->state_before == CT_TCP_CLOSE_WAIT)
		snprintf(out, len, " in CLOSE_WAIT %llu ms", ms);
}

/* The TIME column: seconds.us since the first record or since boot, or wall time. */
static char *put_time(char *p, unsigned long long ts, const struct ct_out_opts *o)
{
	static long long cached_sec = -1;
	static char cached[16];
	time_t sec;
	struct tm tm;
	long long wall;

	if (o->ts == CT_TS_REL)
		ts -= ts >= o->t0 ? o->t0 : ts;
	if (o->ts != CT_TS_WALL)
		return p + sprintf(p, "%5llu.%06llu", ts / 1000000000ull,
				   (ts / 1000ull) % 1000000ull);
	/* ts from a record may be anything: no overflow, no negative time. */
	if (ts > (unsigned long long)LLONG_MAX / 2)
		ts = (unsigned long long)LLONG_MAX / 2;
	wall = (long long)ts + (o->wall_off_ns > LLONG_MAX / 2 ? LLONG_MAX / 2 : o->wall_off_ns);
	if (wall < 0)
		wall = 0;
	/* strftime once a second: a busy second's lines share it. */
	if (wall / 1000000000ll != cached_sec) {
		cached_sec = wall / 1000000000ll;
		sec = (time_t)cached_sec;
		if (!localtime_r(&sec, &tm) || !strftime(cached, sizeof(cached), "%H:%M:%S", &tm))
			snprintf(cached, sizeof(cached), "??:??:??");
	}
	return p + sprintf(p, "%s.%09lld", cached, wall % 1000000000ll);
}

char *ct_put_table_header(char *p, const struct ct_out_opts *o)
{
	int aw = o->wide ? 47 : 21;

	return p + sprintf(p, "%-*s %-7s %-7s %-15s %-4s %-8s %-*s %-*s %-23s %-6s %-16s %7s %7s %s\n",
			   o->ts == CT_TS_WALL ? 18 : 12,
			   o->ts == CT_TS_WALL ? "TIME" : "TIME(s)", "ID", "PID",
			   "COMM", "FD", "EVENT", aw, "LOCAL", aw, "REMOTE", "STATE",
			   "ACTION", "REASON", "UNREAD", "UNSENT", "LINGER");
}

char *ct_put_table(char *p, const struct ct_event *ev,
		   const struct ct_out_opts *o)
{
	char comm[CT_COMM_LEN + 1], fd[16], st[32], lg[24];
	char src[CT_ADDR_LEN], dst[CT_ADDR_LEN], act[8], reason[32], note[96];
	int aw = o->wide ? 47 : 21;

	p = put_time(p, ev->ts_ns, o);
	if (ev->type == CT_EV_LOST)
		return p + sprintf(p, " LOST %llu records on cpu %u\n",
				   (unsigned long long)ev->count, ev->cpu);
	*ct_put_comm(comm, ev->comm, false) = '\0';
	fd_of(ev, fd, sizeof(fd));
	states_of(ev, st, sizeof(st));
	linger_of(ev, lg, sizeof(lg));
	ct_fmt_addr(src, sizeof(src), ev->family, ev->saddr, ev->sport);
	ct_fmt_addr(dst, sizeof(dst), ev->family, ev->daddr, ev->dport);
	snprintf(act, sizeof(act), "%s",
		 (ev->type == CT_EV_CLOSE || ev->type == CT_EV_DEATH ||
		  ev->type == CT_EV_TWEND) ?
		 ct_action_name(ev->action) :
		 (ev->type == CT_EV_RESET) ? "RST" : "-");
	snprintf(reason, sizeof(reason), "%s%s", ct_reason_name(ev->reason),
		 (ev->flags & CT_F_MISMATCH) ? "!" : "");
	if (ev->type == CT_EV_RELEASE)
		snprintf(reason, sizeof(reason), "release:%s", proto_of(ev));
	if (ev->type == CT_EV_REFDROP)
		snprintf(reason, sizeof(reason), "refs-left=%u", ev->refs);
	note_of(ev, note, sizeof(note));
	return p + sprintf(p, " %-7llu %-7u %-15s %-4s %-8s %-*s %-*s %-23s %-6s %-16s %7u %7u %s%s\n",
			   (unsigned long long)ev->close_id, ev->pid, comm, fd,
			   ct_type_name(ev->type), aw, src, aw, dst, st, act,
			   reason, ev->unread, ev->unsent, lg, note);
}

void ct_summary_add(struct ct_summary *s, const struct ct_event *ev)
{
	if (ev->type != CT_EV_LOST)
		s->records++;
	if (ev->type < CT_EV_MAX)
		s->by_type[ev->type]++;
	if (ev->type == CT_EV_LOST)
		s->lost += ev->count;
	if (ev->type == CT_EV_DEATH && ev->reason < CT_R_MAX)
		s->by_death[ev->reason]++;
	if (ev->type != CT_EV_CLOSE)
		return;
	if (ev->action < CT_ACT_MAX)
		s->by_action[ev->action]++;
	if (ev->reason < CT_R_MAX)
		s->by_reason[ev->reason]++;
	if (ev->flags & CT_F_MISMATCH)
		s->mismatches++;
	if (ev->action < CT_ACT_MAX && ev->reason < CT_R_MAX &&
	    ev->state_before < CT_TCP_MAX_STATES)
		s->by_ars[ev->action][ev->reason][ev->state_before]++;
}

void ct_summary_print_ars(FILE *f, const struct ct_summary *s)
{
	unsigned long long last = ~0ull, best;
	unsigned int a, r, st, rows = 0;

	fprintf(f, "%-6s %-22s %-12s %10s\n", "ACTION", "REASON", "STATE", "CLOSES");
	/* Largest count first; equal counts in table order. */
	for (;;) {
		best = 0;
		for (a = 0; a < CT_ACT_MAX; a++)
			for (r = 0; r < CT_R_MAX; r++)
				for (st = 0; st < CT_TCP_MAX_STATES; st++)
					if (s->by_ars[a][r][st] < last && s->by_ars[a][r][st] > best)
						best = s->by_ars[a][r][st];
		if (!best)
			break;
		for (a = 0; a < CT_ACT_MAX; a++)
			for (r = 0; r < CT_R_MAX; r++)
				for (st = 0; st < CT_TCP_MAX_STATES; st++)
					if (s->by_ars[a][r][st] == best) {
						fprintf(f, "%-6s %-22s %-12s %10llu\n",
							ct_action_name(a), ct_reason_name(r),
							ct_state_name(st), best);
						rows++;
					}
		last = best;
	}
	if (!rows)
		fprintf(f, "(no closes)\n");
}

void ct_summary_print(FILE *f, const struct ct_summary *s)
{
	unsigned int i;

	fprintf(f, "\n%-20s %10s\n", "RECORDS", "COUNT");
	for (i = 1; i < CT_EV_MAX; i++)
		if (s->by_type[i])
			fprintf(f, "%-20s %10llu\n", ct_type_name(i), s->by_type[i]);
	fprintf(f, "\n%-20s %10s\n", "CLOSE ACTION", "COUNT");
	for (i = 0; i < CT_ACT_MAX; i++)
		fprintf(f, "%-20s %10llu\n", ct_action_name(i), s->by_action[i]);
	fprintf(f, "\n%-20s %10s\n", "CLOSE REASON", "COUNT");
	for (i = 0; i < CT_R_MAX; i++)
		if (s->by_reason[i])
			fprintf(f, "%-20s %10llu\n", ct_reason_name(i), s->by_reason[i]);
	for (i = 0; i < CT_R_MAX; i++)
		if (s->by_death[i])
			break;
	if (i < CT_R_MAX) {
		fprintf(f, "\n%-20s %10s\n", "DEATH REASON", "COUNT");
		for (i = 0; i < CT_R_MAX; i++)
			if (s->by_death[i])
				fprintf(f, "%-20s %10llu\n", ct_reason_name(i),
					s->by_death[i]);
	}
	fprintf(f, "\nCLOSES BY ACTION, REASON AND STATE\n");
	ct_summary_print_ars(f, s);
	fprintf(f, "\nmismatches %llu, records lost %llu\n", s->mismatches, s->lost);
}
