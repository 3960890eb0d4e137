/* SPDX-License-Identifier: GPL-2.0 */
/*
 * closetrace's records as trace events of the module (output=trace or
 * both): closetrace:close, refdrop, release, state, reset, timewait, end,
 * death, twend.
 * One event per record type, all of one class whose fields are the
 * record's, named as the reader's JSON keys (docs/record-format.md);
 * addresses as the kernel's tcp events hold and print them (a
 * sockaddr_in6-sized array, %pISpc), enumerations and flags by name.
 *
 * Emitted only by module/events.c (CREATE_TRACE_POINTS), from the place
 * the ring is written (ct_ring_emit), from the same struct ct_event.
 * LOST has no event: a trace event is never lost by closetrace; the
 * tracing buffer's own losses are reported by the tools that read it.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM closetrace

#if !defined(CT_TRACE_CLOSETRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define CT_TRACE_CLOSETRACE_H

#include <linux/in.h>
#include <linux/in6.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include "ct_abi.h"
#include "ct_names.h"

/*
 * sizeof(struct sockaddr_in6), as a number: the field's type in the
 * format file says __u8 src[28], which every tool can size (events.c
 * checks the value).
 */
#define CT_TP_SOCKADDR_LEN 28

#ifndef CT_TP_ONCE
#define CT_TP_ONCE
/* The record's address and port as the kernel's tcp events store them. */
static inline void ct_tp_sockaddr(__u8 *buf, unsigned int family,
				  const __u8 *addr, __u16 port)
{
	struct sockaddr_in *v4 = (struct sockaddr_in *)buf;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)buf;

	memset(buf, 0, CT_TP_SOCKADDR_LEN);
	if (family == AF_INET) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons(port);
		memcpy(&v4->sin_addr, addr, sizeof(v4->sin_addr));
	} else if (family == AF_INET6) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons(port);
		memcpy(&v6->sin6_addr, addr, sizeof(v6->sin6_addr));
	}
}
#endif

/*
 * Enumeration values in the print format as numbers tools can read. (A
 * list expands as one CT_SEQ() call, ct_names.h.)
 */
#define CT_TP_ENUM(v, s) CT_SEQ(TRACE_DEFINE_ENUM(v);)
CT_STATE_NAMES(CT_TP_ENUM, CT_TP_ENUM)
CT_ACTION_NAMES(CT_TP_ENUM, CT_TP_ENUM)
CT_REASON_NAMES(CT_TP_ENUM, CT_TP_ENUM)
CT_KRST_NAMES(CT_TP_ENUM, CT_TP_ENUM)

#define CT_TP_SYM(v, s) { v, s },
#define CT_TP_SYMe(v, s) { v, s }
#define ct_tp_state(x) __print_symbolic(x, CT_STATE_NAMES(CT_TP_SYM, CT_TP_SYMe))
#define ct_tp_action(x) __print_symbolic(x, CT_ACTION_NAMES(CT_TP_SYM, CT_TP_SYMe))
#define ct_tp_reason(x) __print_symbolic(x, CT_REASON_NAMES(CT_TP_SYM, CT_TP_SYMe))
/* A record's death: a reason, or "-" for none (0; not "unknown"). */
#define ct_tp_death(x) __print_symbolic(x, { 0, "-" }, CT_REASON_NAMES(CT_TP_SYM, CT_TP_SYMe))
#define ct_tp_krst(x) __print_symbolic(x, CT_KRST_NAMES(CT_TP_SYM, CT_TP_SYMe))
#define ct_tp_flags(x) __print_flags(x, ",", CT_FLAG_NAMES(CT_TP_SYM, CT_TP_SYMe))

/* What every event prints first: who closed what. */
#define CT_TP_FMT							\
	"close_id=%llu pid=%u tid=%u comm=%s fd=%d ino=%llu family=%u protocol=%u sock_type=%u src=%pISpc dst=%pISpc cookie=%llu netns=%u cgroup_id=%llu vpid=%u uid=%u"
#define CT_TP_ARGS							\
	CT_SEQ(__entry->close_id, __entry->pid, __entry->tid,		\
	__entry->comm, __entry->fd, __entry->ino, __entry->family,	\
	__entry->protocol, __entry->sock_type, __entry->src, __entry->dst, \
	__entry->cookie, __entry->netns, __entry->cgroup_id, __entry->vpid, \
	__entry->uid)
/* CLOSE and END: tcp_info's counters. */
#define CT_TP_COUNTS_FMT						\
	" bytes_acked=%llu bytes_received=%llu segs_in=%u segs_out=%u total_retrans=%u srtt_us=%u lifetime_ns=%llu"
#define CT_TP_COUNTS_ARGS						\
	CT_SEQ(__entry->bytes_acked, __entry->bytes_received,		\
	__entry->segs_in, __entry->segs_out, __entry->total_retrans,	\
	__entry->srtt_us, __entry->lifetime_ns)

DECLARE_EVENT_CLASS(closetrace_record,

	TP_PROTO(const struct ct_event *ev),

	TP_ARGS(ev),

	TP_STRUCT__entry(
		__field(__u64, ts_ns)
		__field(__u64, close_id)
		__field(__u64, ino)
		__field(__u32, pid)
		__field(__u32, tid)
		__array(char, comm, CT_COMM_LEN)
		__field(__s32, fd)
		__field(__u16, family)
		__field(__u16, protocol)
		__field(__u16, sock_type)
		__field(__u16, sport)
		__field(__u16, dport)
		__array(__u8, src, CT_TP_SOCKADDR_LEN)
		__array(__u8, dst, CT_TP_SOCKADDR_LEN)
		__field(__u8, state_before)
		__field(__u8, state_after)
		__field(__u8, action)
		__field(__u8, reason)
		__field(__u8, predicted_action)
		__field(__u8, predicted_reason)
		__field(__u8, kernel_reason)
		__field(__u8, linger_on)
		__field(__u32, linger_sec)
		__field(__s32, linger2)
		__field(__u32, unread)
		__field(__u32, unsent)
		__field(__u32, unacked)
		__field(__u32, refs)
		__field(__u32, fins)
		__field(__u32, rsts)
		__field(__u32, flags)
		__field(__u32, uid)	/* here: no hole before timeout_ms */
		__field(__s64, timeout_ms)
		__field(__u64, blocked_ns)
		__field(__u64, count)
		__field(__u64, cookie)
		__field(__u64, cgroup_id)
		__field(__u32, netns)
		__field(__u32, vpid)
		__field(__u64, bytes_acked)
		__field(__u64, bytes_received)
		__field(__u32, segs_in)
		__field(__u32, segs_out)
		__field(__u32, total_retrans)
		__field(__u32, srtt_us)
		__field(__u64, since_ns)
		__field(__s32, sk_err)
		__field(__u8, death)
		__field(__u8, retransmits)
		__field(__u64, lifetime_ns)
	),

	TP_fast_assign(
		__entry->ts_ns = ev->ts_ns;
		__entry->close_id = ev->close_id;
		__entry->ino = ev->ino;
		__entry->pid = ev->pid;
		__entry->tid = ev->tid;
		memcpy(__entry->comm, ev->comm, CT_COMM_LEN);
		__entry->comm[CT_COMM_LEN - 1] = '\0';
		__entry->fd = ev->fd;
		__entry->family = ev->family;
		__entry->protocol = ev->protocol;
		__entry->sock_type = ev->sock_type;
		__entry->sport = ev->sport;
		__entry->dport = ev->dport;
		ct_tp_sockaddr(__entry->src, ev->family, ev->saddr, ev->sport);
		ct_tp_sockaddr(__entry->dst, ev->family, ev->daddr, ev->dport);
		__entry->state_before = ev->state_before;
		__entry->state_after = ev->state_after;
		__entry->action = ev->action;
		__entry->reason = ev->reason;
		__entry->predicted_action = ev->pred_action;
		__entry->predicted_reason = ev->pred_reason;
		__entry->kernel_reason = ev->krst;
		__entry->linger_on = ev->linger_on;
		__entry->linger_sec = ev->linger_sec;
		__entry->linger2 = ev->linger2;
		__entry->unread = ev->unread;
		__entry->unsent = ev->unsent;
		__entry->unacked = ev->unacked;
		__entry->refs = ev->refs;
		__entry->fins = ev->fins;
		__entry->rsts = ev->rsts;
		__entry->flags = ev->flags;
		__entry->timeout_ms = ev->timeout_ms;
		__entry->blocked_ns = ev->blocked_ns;
		__entry->count = ev->count;
		__entry->cookie = ev->cookie;
		__entry->cgroup_id = ev->cgroup_id;
		__entry->netns = ev->netns;
		__entry->vpid = ev->vpid;
		__entry->uid = ev->uid;
		__entry->bytes_acked = ev->bytes_acked;
		__entry->bytes_received = ev->bytes_received;
		__entry->segs_in = ev->segs_in;
		__entry->segs_out = ev->segs_out;
		__entry->total_retrans = ev->total_retrans;
		__entry->srtt_us = ev->srtt_us;
		__entry->since_ns = ev->since_ns;
		__entry->sk_err = ev->sk_err;
		__entry->death = ev->death;
		__entry->retransmits = ev->retransmits;
		__entry->lifetime_ns = ev->lifetime_ns;
	),

	TP_printk(CT_TP_FMT " state_before=%s state_after=%s action=%s reason=%s flags=%s",
		  CT_TP_ARGS, ct_tp_state(__entry->state_before),
		  ct_tp_state(__entry->state_after),
		  ct_tp_action(__entry->action), ct_tp_reason(__entry->reason),
		  ct_tp_flags(__entry->flags))
);

/* CLOSE: a TCP socket's release, when tcp_close returned. */
DEFINE_EVENT_PRINT(closetrace_record, close,
	TP_PROTO(const struct ct_event *ev),
	TP_ARGS(ev),
	TP_printk(CT_TP_FMT " state_before=%s state_after=%s action=%s reason=%s predicted_action=%s predicted_reason=%s kernel_reason=%s linger_on=%u linger_sec=%u linger2=%d unread=%u unsent=%u unacked=%u refs=%u fins=%u rsts=%u timeout_ms=%lld blocked_ns=%llu flags=%s" CT_TP_COUNTS_FMT " death=%s sk_err=%d since_ns=%llu",
		  CT_TP_ARGS, ct_tp_state(__entry->state_before),
		  ct_tp_state(__entry->state_after),
		  ct_tp_action(__entry->action), ct_tp_reason(__entry->reason),
		  ct_tp_action(__entry->predicted_action),
		  ct_tp_reason(__entry->predicted_reason),
		  ct_tp_krst(__entry->kernel_reason), __entry->linger_on,
		  __entry->linger_sec, __entry->linger2, __entry->unread,
		  __entry->unsent, __entry->unacked, __entry->refs,
		  __entry->fins, __entry->rsts, __entry->timeout_ms,
		  __entry->blocked_ns, ct_tp_flags(__entry->flags),
		  CT_TP_COUNTS_ARGS, ct_tp_death(__entry->death),
		  __entry->sk_err, __entry->since_ns)
);

/* REFDROP: close(2) of an fd whose file has other references. */
DEFINE_EVENT_PRINT(closetrace_record, refdrop,
	TP_PROTO(const struct ct_event *ev),
	TP_ARGS(ev),
	TP_printk(CT_TP_FMT " state_before=%s action=%s reason=%s refs=%u flags=%s",
		  CT_TP_ARGS, ct_tp_state(__entry->state_before),
		  ct_tp_action(__entry->action), ct_tp_reason(__entry->reason),
		  __entry->refs, ct_tp_flags(__entry->flags))
);

/* RELEASE: a UDP, raw, unix or other socket released. */
DEFINE_EVENT_PRINT(closetrace_record, release,
	TP_PROTO(const struct ct_event *ev),
	TP_ARGS(ev),
	TP_printk(CT_TP_FMT " action=%s reason=%s flags=%s",
		  CT_TP_ARGS, ct_tp_action(__entry->action),
		  ct_tp_reason(__entry->reason), ct_tp_flags(__entry->flags))
);

/* STATE: a state change of a closing or closed TCP socket. */
DEFINE_EVENT(closetrace_record, state,
	TP_PROTO(const struct ct_event *ev),
	TP_ARGS(ev)
);

/* RESET: a RST the kernel sent for it. */
DEFINE_EVENT_PRINT(closetrace_record, reset,
	TP_PROTO(const struct ct_event *ev),
	TP_ARGS(ev),
	TP_printk(CT_TP_FMT " state_before=%s action=%s reason=%s kernel_reason=%s flags=%s",
		  CT_TP_ARGS, ct_tp_state(__entry->state_before),
		  ct_tp_action(__entry->action), ct_tp_reason(__entry->reason),
		  ct_tp_krst(__entry->kernel_reason),
		  ct_tp_flags(__entry->flags))
);

/* TIMEWAIT: handed over to a timewait socket; timeout_ms: its timer. */
DEFINE_EVENT_PRINT(closetrace_record, timewait,
	TP_PROTO(const struct ct_event *ev),
	TP_ARGS(ev),
	TP_printk(CT_TP_FMT " state_before=%s state_after=%s action=%s reason=%s timeout_ms=%lld flags=%s",
		  CT_TP_ARGS, ct_tp_state(__entry->state_before),
		  ct_tp_state(__entry->state_after),
		  ct_tp_action(__entry->action), ct_tp_reason(__entry->reason),
		  __entry->timeout_ms, ct_tp_flags(__entry->flags))
);

/* END: the socket was destroyed; count: ns since the close. */
DEFINE_EVENT_PRINT(closetrace_record, end,
	TP_PROTO(const struct ct_event *ev),
	TP_ARGS(ev),
	TP_printk(CT_TP_FMT " state_before=%s action=%s reason=%s count=%llu flags=%s" CT_TP_COUNTS_FMT,
		  CT_TP_ARGS, ct_tp_state(__entry->state_before),
		  ct_tp_action(__entry->action), ct_tp_reason(__entry->reason),
		  __entry->count, ct_tp_flags(__entry->flags),
		  CT_TP_COUNTS_ARGS)
);

/* DEATH: a connection ended while its owner held it (no close yet). */
DEFINE_EVENT_PRINT(closetrace_record, death,
	TP_PROTO(const struct ct_event *ev),
	TP_ARGS(ev),
	TP_printk(CT_TP_FMT " state_before=%s action=%s reason=%s kernel_reason=%s sk_err=%d retransmits=%u unread=%u rsts=%u since_ns=%llu flags=%s" CT_TP_COUNTS_FMT,
		  CT_TP_ARGS, ct_tp_state(__entry->state_before),
		  ct_tp_action(__entry->action), ct_tp_reason(__entry->reason),
		  ct_tp_krst(__entry->kernel_reason), __entry->sk_err,
		  __entry->retransmits, __entry->unread, __entry->rsts,
		  __entry->since_ns, ct_tp_flags(__entry->flags),
		  CT_TP_COUNTS_ARGS)
);

/* TWEND: the close's timewait socket ended; count: ns as one. */
DEFINE_EVENT_PRINT(closetrace_record, twend,
	TP_PROTO(const struct ct_event *ev),
	TP_ARGS(ev),
	TP_printk(CT_TP_FMT " state_before=%s action=%s reason=%s count=%llu timeout_ms=%lld rsts=%u lifetime_ns=%llu flags=%s",
		  CT_TP_ARGS, ct_tp_state(__entry->state_before),
		  ct_tp_action(__entry->action), ct_tp_reason(__entry->reason),
		  __entry->count, __entry->timeout_ms, __entry->rsts,
		  __entry->lifetime_ns, ct_tp_flags(__entry->flags))
);

#endif /* CT_TRACE_CLOSETRACE_H */

/* Out of tree: define_trace.h finds this file through events.o's -I. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE closetrace
#include <trace/define_trace.h>
