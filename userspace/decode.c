// SPDX-License-Identifier: GPL-2.0 OR MIT
/* See decode.h. No I/O but to the FILE it is given. */
#include <errno.h>
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

bool ct_matches(const struct ct_event *ev, const struct ct_match *m)
{
	char comm[CT_COMM_LEN + 1];

	if (ev->type == CT_EV_LOST)
		return true;
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
	return true;
}

static void comm_of(const struct ct_event *ev, char *out)
{
	size_t i;

	for (i = 0; i < CT_COMM_LEN && ev->comm[i]; i++)
		out[i] = (ev->comm[i] >= ' ' && ev->comm[i] <= '~') ?
			 ev->comm[i] : '?';
	out[i] = '\0';
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
	if (ev->family == 1)
		return "unix";
	switch (ev->protocol) {
	case 6:
		return ev->family == 10 ? "tcp6" : "tcp";
	case 17:
		return ev->family == 10 ? "udp6" : "udp";
	case 255:
	case 1:
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

void ct_print_table_header(FILE *f, const struct ct_out_opts *o)
{
	int aw = o->wide ? 47 : 21;

	fprintf(f, "%-12s %-7s %-15s %-4s %-8s %-*s %-*s %-23s %-6s %-16s %7s %7s %s\n",
		"TIME(s)", "PID", "COMM", "FD", "EVENT", aw, "LOCAL", aw,
		"REMOTE", "STATE", "ACTION", "REASON", "UNREAD", "UNSENT",
		"LINGER");
}

void ct_print_table(FILE *f, const struct ct_event *ev,
		    const struct ct_out_opts *o)
{
	char comm[CT_COMM_LEN + 1], fd[16], st[32], lg[24];
	char src[CT_ADDR_LEN], dst[CT_ADDR_LEN], act[8], reason[32], note[96];
	int aw = o->wide ? 47 : 21;
	unsigned long long ts = o->timestamps ? ev->ts_ns :
				ev->ts_ns - (ev->ts_ns >= o->t0 ? o->t0 : ev->ts_ns);

	if (ev->type == CT_EV_LOST) {
		fprintf(f, "%5llu.%06llu LOST %llu records on cpu %u\n",
			ts / 1000000000ull, (ts / 1000ull) % 1000000ull,
			(unsigned long long)ev->count, ev->cpu);
		return;
	}
	comm_of(ev, comm);
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
	fprintf(f, "%5llu.%06llu %-7u %-15s %-4s %-8s %-*s %-*s %-23s %-6s %-16s %7u %7u %s%s\n",
		ts / 1000000000ull, (ts / 1000ull) % 1000000ull, ev->pid, comm,
		fd, ct_type_name(ev->type), aw, src, aw, dst, st, act, reason,
		ev->unread, ev->unsent, lg, note);
}

static void json_str(FILE *f, const char *s, size_t max)
{
	size_t i;

	fputc('"', f);
	for (i = 0; i < max && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c > 0x7e)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void ct_print_json(FILE *f, const struct ct_event *ev)
{
	char src[CT_ADDR_LEN], dst[CT_ADDR_LEN], fl[256];

	fprintf(f, "{\"type\":\"%s\",\"ts_ns\":%" PRIu64 ",\"cpu\":%u,\"close_id\":%" PRIu64,
		ct_type_name(ev->type), (uint64_t)ev->ts_ns, ev->cpu,
		(uint64_t)ev->close_id);
	if (ev->type == CT_EV_LOST) {
		fprintf(f, ",\"lost\":%" PRIu64 "}\n", (uint64_t)ev->count);
		return;
	}
	ct_fmt_addr(src, sizeof(src), ev->family, ev->saddr, ev->sport);
	ct_fmt_addr(dst, sizeof(dst), ev->family, ev->daddr, ev->dport);
	ct_fmt_flags(fl, sizeof(fl), ev->flags);
	fprintf(f, ",\"pid\":%u,\"tid\":%u,\"comm\":", ev->pid, ev->tid);
	json_str(f, ev->comm, CT_COMM_LEN);
	fprintf(f, ",\"fd\":%d,\"ino\":%" PRIu64 ",\"family\":%u,\"protocol\":%u,\"sock_type\":%u"
		",\"sport\":%u,\"dport\":%u,\"src\":\"%s\",\"dst\":\"%s\""
		",\"state_before\":\"%s\",\"state_after\":\"%s\""
		",\"action\":\"%s\",\"reason\":\"%s\""
		",\"predicted_action\":\"%s\",\"predicted_reason\":\"%s\""
		",\"kernel_reason\":\"%s\",\"linger_on\":%u,\"linger_sec\":%u"
		",\"linger2\":%d,\"unread\":%u,\"unsent\":%u,\"unacked\":%u"
		",\"refs\":%u,\"fins\":%u,\"rsts\":%u,\"timeout_ms\":%" PRId64
		",\"blocked_ns\":%" PRIu64 ",\"count\":%" PRIu64 ",\"flags\":\"%s\""
		",\"cookie\":%" PRIu64 ",\"netns\":%u,\"cgroup_id\":%" PRIu64 ",\"vpid\":%u"
		",\"bytes_acked\":%" PRIu64 ",\"bytes_received\":%" PRIu64
		",\"segs_in\":%u,\"segs_out\":%u,\"total_retrans\":%u,\"srtt_us\":%u"
		",\"since_ns\":%" PRIu64 ",\"sk_err\":%d,\"death\":\"%s\",\"retransmits\":%u"
		",\"lifetime_ns\":%" PRIu64 "}\n",
		ev->fd, (uint64_t)ev->ino, ev->family, ev->protocol,
		ev->sock_type, ev->sport, ev->dport, src, dst,
		ct_state_name(ev->state_before), ct_state_name(ev->state_after),
		ct_action_name(ev->action), ct_reason_name(ev->reason),
		ct_action_name(ev->pred_action), ct_reason_name(ev->pred_reason),
		ct_krst_name(ev->krst), ev->linger_on, ev->linger_sec,
		ev->linger2, ev->unread, ev->unsent, ev->unacked, ev->refs,
		ev->fins, ev->rsts, (int64_t)ev->timeout_ms,
		(uint64_t)ev->blocked_ns, (uint64_t)ev->count,
		fl[0] == '-' ? "" : fl, (uint64_t)ev->cookie, ev->netns,
		(uint64_t)ev->cgroup_id, ev->vpid, (uint64_t)ev->bytes_acked,
		(uint64_t)ev->bytes_received, ev->segs_in, ev->segs_out,
		ev->total_retrans, ev->srtt_us, (uint64_t)ev->since_ns,
		ev->sk_err, ct_death_name(ev->death), ev->retransmits,
		(uint64_t)ev->lifetime_ns);
}

void ct_print_csv_header(FILE *f)
{
	fprintf(f, "type,ts_ns,cpu,close_id,pid,tid,comm,fd,ino,family,protocol,src,dst,state_before,state_after,action,reason,predicted_action,predicted_reason,kernel_reason,linger_on,linger_sec,linger2,unread,unsent,unacked,refs,fins,rsts,timeout_ms,blocked_ns,count,flags,cookie,netns,cgroup_id,vpid,bytes_acked,bytes_received,segs_in,segs_out,total_retrans,srtt_us,since_ns,sk_err,death,retransmits,lifetime_ns\n");
}

void ct_print_csv(FILE *f, const struct ct_event *ev)
{
	char src[CT_ADDR_LEN], dst[CT_ADDR_LEN], fl[256], comm[CT_COMM_LEN + 1];
	size_t i;

	comm_of(ev, comm);
	for (i = 0; comm[i]; i++)
		if (comm[i] == ',' || comm[i] == '"')
			comm[i] = '?';
	ct_fmt_addr(src, sizeof(src), ev->family, ev->saddr, ev->sport);
	ct_fmt_addr(dst, sizeof(dst), ev->family, ev->daddr, ev->dport);
	ct_fmt_flags(fl, sizeof(fl), ev->flags);
	for (i = 0; fl[i]; i++)
		if (fl[i] == ',')
			fl[i] = '|';
	fprintf(f, "%s,%" PRIu64 ",%u,%" PRIu64 ",%u,%u,%s,%d,%" PRIu64 ",%u,%u,%s,%s,%s,%s,%s,%s,%s,%s,%s,%u,%u,%d,%u,%u,%u,%u,%u,%u,%" PRId64 ",%" PRIu64 ",%" PRIu64 ",%s,%" PRIu64 ",%u,%" PRIu64 ",%u,%" PRIu64 ",%" PRIu64 ",%u,%u,%u,%u,%" PRIu64 ",%d,%s,%u,%" PRIu64 "\n",
		ct_type_name(ev->type), (uint64_t)ev->ts_ns, ev->cpu,
		(uint64_t)ev->close_id, ev->pid, ev->tid, comm, ev->fd,
		(uint64_t)ev->ino, ev->family, ev->protocol, src, dst,
		ct_state_name(ev->state_before), ct_state_name(ev->state_after),
		ct_action_name(ev->action), ct_reason_name(ev->reason),
		ct_action_name(ev->pred_action), ct_reason_name(ev->pred_reason),
		ct_krst_name(ev->krst), ev->linger_on, ev->linger_sec,
		ev->linger2, ev->unread, ev->unsent, ev->unacked, ev->refs,
		ev->fins, ev->rsts, (int64_t)ev->timeout_ms,
		(uint64_t)ev->blocked_ns, (uint64_t)ev->count, fl,
		(uint64_t)ev->cookie, ev->netns, (uint64_t)ev->cgroup_id, ev->vpid,
		(uint64_t)ev->bytes_acked, (uint64_t)ev->bytes_received,
		ev->segs_in, ev->segs_out, ev->total_retrans, ev->srtt_us,
		(uint64_t)ev->since_ns, ev->sk_err, ct_death_name(ev->death),
		ev->retransmits, (uint64_t)ev->lifetime_ns);
}

void ct_summary_add(struct ct_summary *s, const struct ct_event *ev)
{
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
	fprintf(f, "\nmismatches %llu, records lost %llu\n", s->mismatches, s->lost);
}
