// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The tcp_close decision tree (net/ipv4/tcp.c, __tcp_close), as pure
 * functions. Kept free of kernel and libc dependencies but for strcmp so
 * that the same file builds into closetrace.ko and the host unit tests.
 * What the probe handlers call is marked NOKPROBE_SYMBOL (nothing on the
 * host).
 */
#ifdef __KERNEL__
#include <linux/kprobes.h>
#include <linux/string.h>
#else
#include <string.h>
#define NOKPROBE_SYMBOL(fn) _Static_assert(1, #fn)
#endif
#include "ct_classify.h"

#define SBIT(s) (1u << (s))

bool ct_disconnect_resets(__u8 state, __u32 unsent)
{
	/*
	 * tcp_disconnect(): tcp_need_reset(state), or unsent data in CLOSING
	 * or LAST_ACK ("adjusts for discrepancy of Linux wrt. RFC states").
	 */
	if (SBIT(state) & (SBIT(CT_TCP_ESTABLISHED) | SBIT(CT_TCP_CLOSE_WAIT) |
			   SBIT(CT_TCP_FIN_WAIT1) | SBIT(CT_TCP_FIN_WAIT2) |
			   SBIT(CT_TCP_SYN_RECV)))
		return true;
	return unsent && (SBIT(state) & (SBIT(CT_TCP_CLOSING) | SBIT(CT_TCP_LAST_ACK)));
}
NOKPROBE_SYMBOL(ct_disconnect_resets);

static bool fin_already_sent(__u8 state)
{
	return SBIT(state) & (SBIT(CT_TCP_FIN_WAIT1) | SBIT(CT_TCP_FIN_WAIT2) |
			      SBIT(CT_TCP_CLOSING) | SBIT(CT_TCP_LAST_ACK));
}
NOKPROBE_SYMBOL(fin_already_sent);

static bool sends_fin(__u8 state)
{
	/* tcp_close_state()'s TCP_ACTION_FIN column. */
	return SBIT(state) & (SBIT(CT_TCP_ESTABLISHED) | SBIT(CT_TCP_SYN_RECV) |
			      SBIT(CT_TCP_CLOSE_WAIT));
}
NOKPROBE_SYMBOL(sends_fin);

struct ct_verdict ct_predict(const struct ct_snapshot *s)
{
	struct ct_verdict v = { CT_ACT_NONE, CT_R_UNKNOWN };

	if (s->state == CT_TCP_LISTEN) {
		v.reason = CT_R_LISTENER;
	} else if (s->state == CT_TCP_CLOSE) {
		v.reason = CT_R_ALREADY_CLOSED;
	} else if (s->repair) {
		v.reason = CT_R_REPAIR;
	} else if (s->unread) {
		v.action = CT_ACT_RST;
		v.reason = CT_R_ABORT_UNREAD;
	} else if (s->linger_on && !s->linger_sec) {
		v.action = s->reset_on_disconnect ? CT_ACT_RST : CT_ACT_NONE;
		v.reason = CT_R_ABORT_LINGER0;
	} else if (sends_fin(s->state)) {
		v.action = CT_ACT_FIN;
		v.reason = s->unsent ? CT_R_FIN_BEHIND_DATA : CT_R_FIN;
	} else if (s->state == CT_TCP_SYN_SENT) {
		v.reason = CT_R_SYN_SENT;
	} else if (s->state == CT_TCP_FIN_WAIT2 && s->linger2 < 0) {
		v.action = CT_ACT_RST;
		v.reason = CT_R_ABORT_LINGER2;
	} else if (fin_already_sent(s->state)) {
		v.reason = CT_R_FIN_ALREADY_SENT;
	}
	return v;
}
NOKPROBE_SYMBOL(ct_predict);

struct ct_verdict ct_observe(const struct ct_snapshot *s,
			     const struct ct_observed *o)
{
	struct ct_verdict v = { CT_ACT_NONE, CT_R_UNKNOWN };
	/* A FIN whose skb could not be allocated is no FIN. */
	__u32 fins = o->fins - (o->fins && o->fin_failed);

	if (o->rsts)
		v.action = CT_ACT_RST;
	else if (fins)
		v.action = CT_ACT_FIN;

	if (s->state == CT_TCP_LISTEN) {
		v.reason = CT_R_LISTENER;
	} else if (s->state == CT_TCP_CLOSE) {
		v.reason = CT_R_ALREADY_CLOSED;
	} else if (o->disconnect) {
		v.reason = s->repair ? CT_R_REPAIR : CT_R_ABORT_LINGER0;
	} else if (o->rsts) {
		/* The first RST's reason (ct_rst_reason) is the close's. */
		v.reason = o->rst_reason;
	} else if (fins) {
		v.reason = o->fin_queued ? CT_R_FIN_BEHIND_DATA : CT_R_FIN;
	} else if (o->fins) {
		v.reason = CT_R_FIN_FAILED;
	} else if (s->state == CT_TCP_SYN_SENT) {
		v.reason = CT_R_SYN_SENT;
	} else if (fin_already_sent(s->state)) {
		v.reason = CT_R_FIN_ALREADY_SENT;
	}
	return v;
}
NOKPROBE_SYMBOL(ct_observe);

/*
 * The senders of a RST for a socket being closed or orphaned
 * (net/ipv4/tcp.c, tcp_input.c, tcp_timer.c, tcp_ipv4.c; 5.10 to 7.x):
 *  - __tcp_close: unread data (before any FIN); TCP_LINGER2 < 0 in
 *    FIN_WAIT2; tcp_check_oom() (too many orphans, memory pressure).
 *  - tcp_disconnect: zero linger (tcp_disconnect_resets()).
 *  - the reply path, after tcp_done() destroyed the socket: data after
 *    close (tcp_reset() first, RFC 1122) and a FIN_WAIT1 orphan with
 *    TCP_LINGER2 < 0 getting its ACK (FIN_WAIT1 -> FIN_WAIT2 -> CLOSE).
 *  - timers: the keepalive timer's FIN_WAIT2 abort (TCP_LINGER2 < 0) and
 *    tcp_out_of_resources() (memory).
 */
__u8 ct_rst_reason(const struct ct_snapshot *s, const struct ct_rst_seen *r)
{
	bool linger2_abort = s->linger2 < 0 && r->pre_close == CT_TCP_FIN_WAIT2;

	/* The kernel's own word wins where it gives one (6.12+). */
	switch (r->krst) {
	case CT_KRST_ABORT_ON_CLOSE:
		return CT_R_ABORT_UNREAD;
	case CT_KRST_ABORT_ON_LINGER:
		return CT_R_ABORT_LINGER2;
	case CT_KRST_ABORT_ON_MEMORY:
		return CT_R_ABORT_MEMORY;
	case CT_KRST_DISCONNECT_WITH_DATA:
		return CT_R_ABORT_LINGER0;
	case CT_KRST_ABORT_ON_DATA:
		/* Both reply paths say ABORT_ON_DATA; tcp_reset() tells them apart. */
		return !r->rcv_reset && linger2_abort ? CT_R_ABORT_LINGER2 :
		       CT_R_ABORT_DATA;
	}
	if (r->reply) {
		if (r->rcv_reset)
			return CT_R_ABORT_DATA;
		return linger2_abort ? CT_R_ABORT_LINGER2 : CT_R_RST_REPLY;
	}
	if (r->disconnect)
		return CT_R_ABORT_LINGER0;
	/*
	 * In a state where the close would send a FIN, a RST came instead:
	 * tcp_close found unread data. Kernels before upstream 5f9238530970
	 * also count skbs consumed but still queued (zero-copy receive,
	 * tcp_read_sock), which rcv_nxt - copied_seq does not: trust the RST.
	 */
	if (r->in_close && !r->fin_sent &&
	    (s->unread || sends_fin(r->pre_close)))
		return CT_R_ABORT_UNREAD;
	if (linger2_abort)
		return CT_R_ABORT_LINGER2;
	/*
	 * tcp_keepalive_timer(): an orphan kept in FIN_WAIT2 as a full socket
	 * whose tcp_fin_time() is not above TIME_WAIT's length when the timer
	 * fires is reset, not handed over.
	 */
	if (!r->in_close && r->pre_close == CT_TCP_FIN_WAIT2)
		return CT_R_FIN_WAIT2_TIMEOUT;
	return CT_R_ABORT_MEMORY;
}
NOKPROBE_SYMBOL(ct_rst_reason);

bool ct_krst_agrees(__u8 reason, bool reply, __u8 krst)
{
	switch (reason) {
	case CT_R_ABORT_UNREAD:
		return krst == CT_KRST_ABORT_ON_CLOSE;
	case CT_R_ABORT_LINGER0:
		/* tcp_disconnect names unsent data in CLOSING/LAST_ACK (6.12+). */
		return krst == CT_KRST_TCP_STATE || krst == CT_KRST_DISCONNECT_WITH_DATA;
	case CT_R_ABORT_LINGER2:
		/* The FIN_WAIT1 reply path counts it as data (TCPAbortOnData). */
		return krst == (reply ? CT_KRST_ABORT_ON_DATA : CT_KRST_ABORT_ON_LINGER);
	case CT_R_ABORT_MEMORY:
		return krst == CT_KRST_ABORT_ON_MEMORY;
	case CT_R_ABORT_DATA:
		return krst == CT_KRST_ABORT_ON_DATA;
	}
	return true;	/* no kernel reason belongs to the others */
}

static const char *const state_names[CT_TCP_MAX_STATES] = {
	[CT_TCP_NONE] = "-",
	[CT_TCP_ESTABLISHED] = "ESTABLISHED",
	[CT_TCP_SYN_SENT] = "SYN_SENT",
	[CT_TCP_SYN_RECV] = "SYN_RECV",
	[CT_TCP_FIN_WAIT1] = "FIN_WAIT1",
	[CT_TCP_FIN_WAIT2] = "FIN_WAIT2",
	[CT_TCP_TIME_WAIT] = "TIME_WAIT",
	[CT_TCP_CLOSE] = "CLOSE",
	[CT_TCP_CLOSE_WAIT] = "CLOSE_WAIT",
	[CT_TCP_LAST_ACK] = "LAST_ACK",
	[CT_TCP_LISTEN] = "LISTEN",
	[CT_TCP_CLOSING] = "CLOSING",
	[CT_TCP_NEW_SYN_RECV] = "NEW_SYN_RECV",
};

static const char *const action_names[CT_ACT_MAX] = {
	[CT_ACT_NONE] = "NONE",
	[CT_ACT_FIN] = "FIN",
	[CT_ACT_RST] = "RST",
};

static const char *const reason_names[CT_R_MAX] = {
	[CT_R_UNKNOWN] = "unknown",
	[CT_R_FIN] = "fin",
	[CT_R_FIN_BEHIND_DATA] = "fin-behind-data",
	[CT_R_ABORT_UNREAD] = "abort-unread",
	[CT_R_ABORT_LINGER0] = "abort-linger0",
	[CT_R_LISTENER] = "listener",
	[CT_R_ALREADY_CLOSED] = "already-closed",
	[CT_R_SYN_SENT] = "syn-sent",
	[CT_R_FIN_ALREADY_SENT] = "fin-already-sent",
	[CT_R_REPAIR] = "repair",
	[CT_R_ABORT_LINGER2] = "abort-linger2",
	[CT_R_ABORT_MEMORY] = "abort-memory",
	[CT_R_RST_REPLY] = "rst-reply",
	[CT_R_RELEASE] = "release",
	[CT_R_REFDROP] = "refdrop",
	[CT_R_STATE] = "state",
	[CT_R_TIMEWAIT] = "timewait",
	[CT_R_DESTROYED] = "destroyed",
	[CT_R_ABORT_DATA] = "abort-data",
	[CT_R_FIN_WAIT2_TIMEOUT] = "fin-wait2-timeout",
	[CT_R_FIN_FAILED] = "fin-failed",
};

static const char *const type_names[CT_EV_MAX] = {
	[0] = "?",
	[CT_EV_CLOSE] = "CLOSE",
	[CT_EV_REFDROP] = "REFDROP",
	[CT_EV_RELEASE] = "RELEASE",
	[CT_EV_STATE] = "STATE",
	[CT_EV_RESET] = "RESET",
	[CT_EV_TIMEWAIT] = "TIMEWAIT",
	[CT_EV_END] = "END",
	[CT_EV_LOST] = "LOST",
};

static const char *const krst_names[CT_KRST_MAX] = {
	[CT_KRST_NA] = "-",
	[CT_KRST_NOT_SPECIFIED] = "NOT_SPECIFIED",
	[CT_KRST_ABORT_ON_CLOSE] = "TCP_ABORT_ON_CLOSE",
	[CT_KRST_ABORT_ON_LINGER] = "TCP_ABORT_ON_LINGER",
	[CT_KRST_ABORT_ON_MEMORY] = "TCP_ABORT_ON_MEMORY",
	[CT_KRST_TCP_STATE] = "TCP_STATE",
	[CT_KRST_ABORT_ON_DATA] = "TCP_ABORT_ON_DATA",
	[CT_KRST_OTHER] = "OTHER",
	[CT_KRST_DISCONNECT_WITH_DATA] = "TCP_DISCONNECT_WITH_DATA",
	[CT_KRST_NO_SOCKET] = "NO_SOCKET",
	[CT_KRST_INVALID_ACK_SEQUENCE] = "TCP_INVALID_ACK_SEQUENCE",
	[CT_KRST_RFC7323_PAWS] = "TCP_RFC7323_PAWS",
	[CT_KRST_TOO_OLD_ACK] = "TCP_TOO_OLD_ACK",
	[CT_KRST_ACK_UNSENT_DATA] = "TCP_ACK_UNSENT_DATA",
	[CT_KRST_TCP_FLAGS] = "TCP_FLAGS",
	[CT_KRST_OLD_ACK] = "TCP_OLD_ACK",
	[CT_KRST_TIMEWAIT_SOCKET] = "TCP_TIMEWAIT_SOCKET",
	[CT_KRST_INVALID_SYN] = "INVALID_SYN",
	[CT_KRST_KEEPALIVE_TIMEOUT] = "TCP_KEEPALIVE_TIMEOUT",
	[CT_KRST_MPTCP_EUNSPEC] = "MPTCP_RST_EUNSPEC",
	[CT_KRST_MPTCP_EMPTCP] = "MPTCP_RST_EMPTCP",
	[CT_KRST_MPTCP_ERESOURCE] = "MPTCP_RST_ERESOURCE",
	[CT_KRST_MPTCP_EPROHIBIT] = "MPTCP_RST_EPROHIBIT",
	[CT_KRST_MPTCP_EWQ2BIG] = "MPTCP_RST_EWQ2BIG",
	[CT_KRST_MPTCP_EBADPERF] = "MPTCP_RST_EBADPERF",
	[CT_KRST_MPTCP_EMIDDLEBOX] = "MPTCP_RST_EMIDDLEBOX",
	[CT_KRST_ERROR] = "ERROR",
};

#define NAME_OF(tab, i) ((i) < sizeof(tab) / sizeof((tab)[0]) && (tab)[i] ? (tab)[i] : "?")

const char *ct_state_name(unsigned int state)
{
	return NAME_OF(state_names, state);
}

const char *ct_action_name(unsigned int action)
{
	return NAME_OF(action_names, action);
}

const char *ct_reason_name(unsigned int reason)
{
	return NAME_OF(reason_names, reason);
}

const char *ct_type_name(unsigned int type)
{
	return NAME_OF(type_names, type);
}

const char *ct_krst_name(unsigned int krst)
{
	return NAME_OF(krst_names, krst);
}

int ct_krst_from_name(const char *name)
{
	unsigned int i;

	/* OTHER is no kernel's name; NA ("-") neither. */
	for (i = CT_KRST_NOT_SPECIFIED; i < CT_KRST_MAX; i++)
		if (i != CT_KRST_OTHER && krst_names[i] && !strcmp(krst_names[i], name))
			return i;
	return -1;
}

int ct_reason_from_name(const char *name)
{
	unsigned int i;

	for (i = 0; i < CT_R_MAX; i++)
		if (reason_names[i] && !strcmp(reason_names[i], name))
			return i;
	return -1;
}
