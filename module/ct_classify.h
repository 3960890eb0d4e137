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
	bool disconnect;	/* tcp_disconnect called */
	bool rst_after_fin;	/* a RST followed the FIN within the close */
	__u8 state_after;	/* state when close returned */
	__u8 krst;		/* enum ct_krst of the (first) RST */
};

struct ct_verdict {
	__u8 action;		/* enum ct_action */
	__u8 reason;		/* enum ct_reason */
};

struct ct_verdict ct_predict(const struct ct_snapshot *s);
struct ct_verdict ct_observe(const struct ct_snapshot *s,
			     const struct ct_observed *o);
/* Reason of a RST seen after close returned (in an orphan). */
__u8 ct_orphan_rst_reason(__u8 state, __s32 linger2, bool reply, __u8 krst);
/* Would tcp_disconnect() from this state send a RST (tcp_need_reset)? */
bool ct_need_reset(__u8 state);
/* The kernel reason that must accompany our reason on 6.12+ (or NA). */
__u8 ct_expected_krst(__u8 reason);

const char *ct_state_name(unsigned int state);
const char *ct_action_name(unsigned int action);
const char *ct_reason_name(unsigned int reason);
const char *ct_type_name(unsigned int type);
const char *ct_krst_name(unsigned int krst);

/* Lookups by name (for filters and tests); -1 when unknown. */
int ct_reason_from_name(const char *name);

#endif /* CT_CLASSIFY_H */
