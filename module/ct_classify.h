/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The close decision, as pure functions of a captured snapshot: compiled into
 * the module and into the userspace unit tests (tests/unit).
 */
#ifndef CT_CLASSIFY_H
#define CT_CLASSIFY_H

#include "ct_abi.h"

#ifndef __KERNEL__
#include <stdbool.h>
#include <stddef.h>
#endif

/* What tcp_close is about to decide on, read at its entry. */
struct ct_snapshot {
	__u8 state;		/* enum ct_tcp_state at tcp_close entry */
	bool repair;		/* tp->repair */
	bool linger_on;		/* SOCK_LINGER */
	__u32 linger_sec;	/* sk_lingertime in seconds */
	__s32 linger2;		/* tp->linger2 (< 0: abort from FIN_WAIT2) */
	__u32 unread;		/* rcv_nxt - copied_seq, less an unread FIN */
	__u32 unsent;		/* write_seq - snd_nxt */
	bool reset_on_disconnect; /* tcp_disconnect would send a RST */
};

/* What the hooks saw the kernel do during the close. */
struct ct_observed {
	__u32 fins;
	__u32 rsts;
	bool fin_queued;	/* FIN set on an unsent segment */
	bool fin_discarded;	/* a RST came while the FIN was still unsent */
	bool fin_failed;	/* tcp_send_fin ran, but no FIN was queued */
	bool fin_on_sent;	/* ... on the last sent skb (memory pressure) */
	bool disconnect;	/* tcp_disconnect called */
	__u8 krst;		/* enum ct_krst of the first RST */
	__u8 rst_reason;	/* enum ct_reason of the first RST */
};

/* What was known when a RST went out (inside the close or later). */
struct ct_rst_seen {
	__u8 krst;		/* the kernel's own reason (6.10+), or NA */
	__u8 pre_close;		/* the state it leaves (or left) for CLOSE */
	bool reply;		/* answered a segment (tcp_v4/v6_send_reset) */
	bool rcv_reset;		/* tcp_reset() ran first (tcp:tcp_receive_reset) */
	bool in_close;		/* inside tcp_close */
	bool fin_sent;		/* the close had sent its FIN */
	bool disconnect;	/* tcp_disconnect ran in the close */
};

struct ct_verdict {
	__u8 action;		/* enum ct_action */
	__u8 reason;		/* enum ct_reason */
};

struct ct_verdict ct_predict(const struct ct_snapshot *s);
struct ct_verdict ct_observe(const struct ct_snapshot *s,
			     const struct ct_observed *o);
/* Why a RST went out, in the close or in the orphan after it. */
__u8 ct_rst_reason(const struct ct_snapshot *s, const struct ct_rst_seen *r);
/* Would tcp_disconnect() send a RST from this state with unsent bytes? */
bool ct_disconnect_resets(__u8 state, __u32 unsent);
/* Does the kernel's reason krst (6.12+) fit ours? */
bool ct_krst_agrees(__u8 reason, bool reply, __u8 krst);

const char *ct_state_name(unsigned int state);
const char *ct_action_name(unsigned int action);
const char *ct_reason_name(unsigned int reason);
/* A record's death field: the reason's name, "-" for none (0). */
const char *ct_death_name(unsigned int death);
const char *ct_type_name(unsigned int type);
const char *ct_krst_name(unsigned int krst);

/* Lookups by name (for filters and tests); -1 when unknown. */
int ct_reason_from_name(const char *name);
int ct_state_from_name(const char *name);
int ct_action_from_name(const char *name);
int ct_type_from_name(const char *name);
int ct_krst_from_name(const char *name);	/* the kernel's sk_rst_reason name */

#endif /* CT_CLASSIFY_H */
