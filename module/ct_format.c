// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Text rendering of records. Pure: no kernel or libc state, only snprintf,
 * so debugfs closetrace/trace and the userspace reader print the same text.
 */
#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/socket.h>
#else
#include <stdio.h>
#include <sys/socket.h>
#endif
#include "ct_format.h"
#include "ct_classify.h"
#include "ct_names.h"

/* Bit i of ct_event.flags is flag_names[i] (ct_names.h); the list ends with NULL. */
#define CT_FLAG_NAME(f, s) s,

static const char *const flag_names[] = {
	CT_FLAG_NAMES(CT_FLAG_NAME, CT_FLAG_NAME)
	NULL
};
_Static_assert(sizeof(flag_names) == (CT_F_COUNT + 1) * sizeof(flag_names[0]),
	       "one name per flag bit");

/* Advance pos by what snprintf wrote, never past the terminating NUL. */
static size_t adv(size_t pos, size_t len, int n)
{
	if (n <= 0)
		return pos;
	return (size_t)n < len - pos ? pos + (size_t)n : len - 1;
}

#define ADV(n) (pos = adv(pos, len, (n)))

int ct_fmt_flags(char *buf, size_t len, unsigned int flags)
{
	size_t pos = 0;
	unsigned int i;
	int n;

	if (!len)
		return 0;
	buf[0] = '\0';
	for (i = 0; flag_names[i]; i++) {
		if (!(flags & (1u << i)))
			continue;
		n = snprintf(buf + pos, len - pos, "%s%s", pos ? "," : "",
			     flag_names[i]);
		ADV(n);
	}
	if (!pos)
		n = snprintf(buf, len, "-");
	return (int)pos;
}

static int fmt_ip6(char *buf, size_t len, const __u8 *a)
{
	unsigned int w[8], i, best = 8, bestlen = 0, run = 0, start = 0;
	size_t pos = 0;
	int n;

	for (i = 0; i < 8; i++)
		w[i] = (unsigned int)a[2 * i] << 8 | a[2 * i + 1];
	/* IPv4-mapped: ::ffff:a.b.c.d */
	if (!w[0] && !w[1] && !w[2] && !w[3] && !w[4] && w[5] == 0xffff)
		return snprintf(buf, len, "::ffff:%u.%u.%u.%u",
				a[12], a[13], a[14], a[15]);
	for (i = 0; i < 8; i++) {
		if (w[i]) {
			run = 0;
			continue;
		}
		if (!run++)
			start = i;
		if (run > bestlen && run > 1) {
			bestlen = run;
			best = start;
		}
	}
	for (i = 0; i < 8; i++) {
		if (i == best) {
			n = snprintf(buf + pos, len - pos, "::");
			ADV(n);
			i += bestlen - 1;
			continue;
		}
		n = snprintf(buf + pos, len - pos, "%s%x",
			     (pos && buf[pos - 1] != ':') ? ":" : "", w[i]);
		ADV(n);
	}
	return (int)pos;
}

int ct_fmt_addr(char *buf, size_t len, unsigned int family,
		const __u8 *addr, unsigned int port)
{
	char ip[CT_ADDR_LEN];

	if (family == AF_INET)
		return snprintf(buf, len, "%u.%u.%u.%u:%u", addr[0], addr[1],
				addr[2], addr[3], port);
	if (family == AF_INET6) {
		fmt_ip6(ip, sizeof(ip), addr);
		return snprintf(buf, len, "[%s]:%u", ip, port);
	}
	return snprintf(buf, len, "-");
}

int ct_fmt_kv(char *buf, size_t len, const struct ct_event *ev)
{
	char src[CT_ADDR_LEN], dst[CT_ADDR_LEN], fl[256];
	size_t pos = 0;
	int n;

	n = snprintf(buf, len, "%llu.%09llu cpu=%u %s id=%llu",
		     (unsigned long long)(ev->ts_ns / 1000000000ull),
		     (unsigned long long)(ev->ts_ns % 1000000000ull),
		     ev->cpu, ct_type_name(ev->type),
		     (unsigned long long)ev->close_id);
	ADV(n);
	if (ev->type == CT_EV_LOST) {
		n = snprintf(buf + pos, len - pos, " lost=%llu",
			     (unsigned long long)ev->count);
		ADV(n);
		return (int)pos;
	}
	ct_fmt_addr(src, sizeof(src), ev->family, ev->saddr, ev->sport);
	ct_fmt_addr(dst, sizeof(dst), ev->family, ev->daddr, ev->dport);
	ct_fmt_flags(fl, sizeof(fl), ev->flags);
	n = snprintf(buf + pos, len - pos,
		     " pid=%u tid=%u comm=%.16s fd=%d ino=%llu family=%u proto=%u src=%s dst=%s",
		     ev->pid, ev->tid, ev->comm, ev->fd,
		     (unsigned long long)ev->ino, ev->family, ev->protocol,
		     src, dst);
	ADV(n);
	switch (ev->type) {
	case CT_EV_CLOSE:
		n = snprintf(buf + pos, len - pos,
			     " state=%s->%s action=%s reason=%s predicted=%s/%s unread=%u unsent=%u unacked=%u linger=%s/%u timeout_ms=%lld blocked_ns=%llu children=%u fins=%u rsts=%u krst=%s flags=%s",
			     ct_state_name(ev->state_before),
			     ct_state_name(ev->state_after),
			     ct_action_name(ev->action),
			     ct_reason_name(ev->reason),
			     ct_action_name(ev->pred_action),
			     ct_reason_name(ev->pred_reason), ev->unread,
			     ev->unsent, ev->unacked,
			     ev->linger_on ? "on" : "off", ev->linger_sec,
			     (long long)ev->timeout_ms,
			     (unsigned long long)ev->blocked_ns, ev->refs,
			     ev->fins, ev->rsts, ct_krst_name(ev->krst), fl);
		break;
	case CT_EV_REFDROP:
		n = snprintf(buf + pos, len - pos, " refs_left=%u", ev->refs);
		break;
	case CT_EV_STATE:
	case CT_EV_TIMEWAIT:
		n = snprintf(buf + pos, len - pos,
			     " state=%s->%s timeout_ms=%lld flags=%s",
			     ct_state_name(ev->state_before),
			     ct_state_name(ev->state_after),
			     (long long)ev->timeout_ms, fl);
		break;
	case CT_EV_RESET:
		n = snprintf(buf + pos, len - pos,
			     " state=%s reason=%s krst=%s flags=%s",
			     ct_state_name(ev->state_before),
			     ct_reason_name(ev->reason), ct_krst_name(ev->krst),
			     fl);
		break;
	case CT_EV_END:
		n = snprintf(buf + pos, len - pos,
			     " state=%s since_close_ns=%llu flags=%s",
			     ct_state_name(ev->state_before),
			     (unsigned long long)ev->count, fl);
		break;
	case CT_EV_TWEND:
		n = snprintf(buf + pos, len - pos,
			     " state=%s->%s action=%s reason=%s since_timewait_ns=%llu timeout_ms=%lld rsts=%u lifetime_ns=%llu flags=%s",
			     ct_state_name(ev->state_before),
			     ct_state_name(ev->state_after),
			     ct_action_name(ev->action),
			     ct_reason_name(ev->reason),
			     (unsigned long long)ev->count,
			     (long long)ev->timeout_ms, ev->rsts,
			     (unsigned long long)ev->lifetime_ns, fl);
		break;
	case CT_EV_DEATH:
		n = snprintf(buf + pos, len - pos,
			     " state=%s->%s action=%s reason=%s sk_err=%d retransmits=%u unread=%u rsts=%u krst=%s flags=%s",
			     ct_state_name(ev->state_before),
			     ct_state_name(ev->state_after),
			     ct_action_name(ev->action),
			     ct_reason_name(ev->reason), ev->sk_err,
			     ev->retransmits, ev->unread, ev->rsts,
			     ct_krst_name(ev->krst), fl);
		break;
	default:
		n = snprintf(buf + pos, len - pos, " flags=%s", fl);
	}
	ADV(n);
	n = snprintf(buf + pos, len - pos, " cookie=%llu netns=%u cgroup=%llu vpid=%u uid=%u",
		     (unsigned long long)ev->cookie, ev->netns,
		     (unsigned long long)ev->cgroup_id, ev->vpid, ev->uid);
	ADV(n);
	if (ev->type == CT_EV_CLOSE || ev->type == CT_EV_END ||
	    ev->type == CT_EV_DEATH) {
		n = snprintf(buf + pos, len - pos,
			     " bytes_acked=%llu bytes_received=%llu segs_in=%u segs_out=%u retrans=%u srtt_us=%u lifetime_ns=%llu",
			     (unsigned long long)ev->bytes_acked,
			     (unsigned long long)ev->bytes_received,
			     ev->segs_in, ev->segs_out, ev->total_retrans,
			     ev->srtt_us, (unsigned long long)ev->lifetime_ns);
		ADV(n);
	}
	if (ev->type == CT_EV_CLOSE || ev->type == CT_EV_DEATH) {
		n = snprintf(buf + pos, len - pos,
			     " death=%s sk_err=%d since_ns=%llu",
			     ct_death_name(ev->death), ev->sk_err,
			     (unsigned long long)ev->since_ns);
		ADV(n);
	}
	return (int)pos;
}
