/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sockets followed before their close: those in CLOSE_WAIT (for the
 * CLOSE_WAIT list) and those whose connection ended while their owner
 * still held them (the DEATH record, and the reason a later close finds
 * them closed). A table bounded by the max_preclose parameter (0: off).
 */
#ifndef CT_PRECLOSE_H
#define CT_PRECLOSE_H

#include <linux/seq_file.h>
#include <net/sock.h>

enum ct_pre_kind {
	CT_PRE_CLOSE_WAIT = 1,	/* in CLOSE_WAIT since cw_ts */
	CT_PRE_DISCONNECTING,	/* tcp_disconnect() began: the death to come */
	CT_PRE_DEAD,		/* the connection ended at ts (a DEATH record) */
};

/* What a close learns of its socket's life before it. */
struct ct_pre_info {
	enum ct_pre_kind kind;
	u64 cw_ts;		/* entered CLOSE_WAIT (0: not seen) */
	u64 ts;			/* DEAD: the death */
	u64 close_id;		/* DEAD: the DEATH record's */
	s32 sk_err;
	u8 death;		/* DEAD: enum ct_reason */
	u8 retransmits;
};

int ct_pre_init(unsigned int max);
void ct_pre_exit(void);
/* A state change of a socket whose close is not followed. */
void ct_pre_on_state(const struct sock *sk, int oldstate, int newstate);
/* tcp_disconnect() of a socket whose close is not followed. */
void ct_pre_on_disconnect(const struct sock *sk);
/* A RST sent on the kernel's own initiative for a socket not followed. */
void ct_pre_on_reset_sent(const struct sock *sk, u8 krst);
/* Remove what is kept for sk; true and *out filled if there was one. */
bool ct_pre_take(const struct sock *sk, struct ct_pre_info *out);
void ct_pre_forget(const struct sock *sk);
/* /proc/closetrace/close_wait */
void ct_pre_show_close_wait(struct seq_file *m);
unsigned int ct_pre_count(void);
unsigned int ct_pre_max(void);

#endif /* CT_PRECLOSE_H */
