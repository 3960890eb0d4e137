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
#include "ct_names.h"

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

/* Indexed by value; the lists are in ct_names.h. */
#define CT_NAME_AT(v, s)	\
	[v] = s,

static const char *const state_names[CT_TCP_MAX_STATES] = {
	CT_STATE_NAMES(CT_NAME_AT, CT_NAME_AT)
};

static const char *const action_names[CT_ACT_MAX] = {
	CT_ACTION_NAMES(CT_NAME_AT, CT_NAME_AT)
};

static const char *const reason_names[CT_R_MAX] = {
	CT_REASON_NAMES(CT_NAME_AT, CT_NAME_AT)
};

static const char *const type_names[CT_EV_MAX] = {
	[0] = "?",
	CT_TYPE_NAMES(CT_NAME_AT, CT_NAME_AT)
};

static const char *const krst_names[CT_KRST_MAX] = {
	CT_KRST_NAMES(CT_NAME_AT, CT_NAME_AT)
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

const char *ct_death_name(unsigned int death)
{
	return death ? ct_reason_name(death) : "-";
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

static int ct_index_of(const char *const *tab, unsigned int n, const char *name)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (tab[i] && !strcmp(tab[i], name))
			return i;
	return -1;
}

int ct_state_from_name(const char *name)
{
	return ct_index_of(state_names, CT_TCP_MAX_STATES, name);
}

int ct_action_from_name(const char *name)
{
	return ct_index_of(action_names, CT_ACT_MAX, name);
}

int ct_reason_from_name(const char *name)
{
	return ct_index_of(reason_names, CT_R_MAX, name);
}

int ct_type_from_name(const char *name)
{
	return ct_index_of(type_names, CT_EV_MAX, name);
}
