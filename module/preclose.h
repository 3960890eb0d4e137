/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sockets followed outside their close: before it, those in CLOSE_WAIT (for
 * the CLOSE_WAIT list) and those whose connection ended while their owner
 * still held them (the DEATH record, and the reason a later close finds
 * them closed); after it, the timewait socket a close handed over to, to
 * its end (the TWEND record). A table bounded by the max_preclose
 * parameter (0: off).
 */
#ifndef CT_PRECLOSE_H
#define CT_PRECLOSE_H

#include <linux/seq_file.h>
#include <net/sock.h>

struct inet_hashinfo;

enum ct_pre_kind {
	CT_PRE_CLOSE_WAIT = 1,	/* in CLOSE_WAIT since cw_ts */
	CT_PRE_DISCONNECTING,	/* tcp_disconnect() began: the death to come */
	CT_PRE_DEAD,		/* the connection ended at ts (a DEATH record) */
	CT_PRE_TIMEWAIT,	/* key: a close's timewait socket, since ts */
	CT_PRE_BORN,		/* connecting or connected since born_ts */
};

/* Its timewait socket is in the established hash all namespaces share. */
#define CT_PRE_TW_SHARED	(1u << 0)
/* A sweep did not find it there (since cw_ts). */
#define CT_PRE_TW_MISSING	(1u << 1)
/* DEAD by tcp_disconnect(): the RST it sends after the death is recorded. */
#define CT_PRE_DEAD_RST_SEEN	(1u << 0)

/* A timewait socket's close: who closed, for its TWEND record. */
struct ct_tw_id {
	u64 cookie;		/* the socket's, which the timewait socket keeps */
	u64 ino;
	u64 cgroup_id;
	u32 pid, tid, vpid;
	u32 uid;		/* the socket's owner: a timewait socket has none */
	s32 fd;
	u32 hash;		/* its established-hash chain's (sk_hash) */
	char comm[16];
};

/* What a close learns of its socket's life before it. */
struct ct_pre_info {
	u8 kind;		/* enum ct_pre_kind (a byte: an entry stays 128) */
	u8 death;		/* DEAD: enum ct_reason */
	u8 retransmits;
	u8 flags;		/* TIMEWAIT: CT_PRE_TW_*; DEAD: CT_PRE_DEAD_* */
	s32 sk_err;
	u64 born_ts;		/* SYN_SENT or SYN_RECV entered (0: not seen) */
	u64 cw_ts;		/* entered CLOSE_WAIT (0: not seen); TIMEWAIT:
				 * when a sweep first missed it
				 */
	u64 ts;			/* DEAD: the death */
	u64 close_id;		/* DEAD: the DEATH record's */
	struct ct_tw_id tw;	/* TIMEWAIT */
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

/* How often the timewait entries are swept (ct_pre_sweep()). */
#define CT_PRE_SWEEP_MS 10000

/* A walk of an ehash chain that ends on another chain's nulls: retries. */
#define CT_EHASH_RETRIES 4

/*
 * The timewait socket tw took over the close close_id (identity: its
 * CLOSE's fields; hash: the socket's sk_hash, in the established hash h).
 * Called with the close's context locked.
 */
void ct_pre_tw_start(const struct sock *tw, const struct inet_hashinfo *h,
		     u32 hash, u64 close_id, const struct ct_event *identity,
		     u64 born_ts);
/*
 * The timewait entries whose socket's end went unseen (its hook missed):
 * each one's socket looked for in its hash, a TWEND tw-lost for the gone.
 * Also every CT_PRE_SWEEP_MS from ct_pre_init() to ct_pre_exit().
 */
void ct_pre_sweep(void);
/* inet_twsk_purge(h): h's timewait sockets of dying namespaces go. */
void ct_pre_tw_purge(const struct inet_hashinfo *h);
/* tw_timer_handler(): its timer ran out. */
void ct_pre_tw_expire(const struct sock *tw);
/* inet_twsk_deschedule_put(): killed before its time. */
void ct_pre_tw_kill(const struct sock *tw);
/* tcp_timewait_state_process(): a segment reached it (th's RST, SYN bits). */
void ct_pre_tw_segment(const struct sock *tw, bool rst, bool syn);
/* tcp_v4/v6_send_reset() for tw: it answers a segment with a RST. */
void ct_pre_tw_reply_rst(const struct sock *tw);
/* Are the hooks the TWEND record needs attached? Set by probes.c. */
extern bool ct_pre_tw_hooks;
unsigned int ct_pre_max(void);

#endif /* CT_PRECLOSE_H */
