// SPDX-License-Identifier: GPL-2.0
/*
 * Sockets followed before their close (preclose.h).
 *
 * Everything here is driven by the state tracepoint (sock:inet_sock_set_state)
 * that closetrace has attached anyway, for sockets whose close it is not
 * following: a socket entering CLOSE_WAIT while its owner holds it gets an
 * entry (its age is the CLOSE_WAIT list's); one going to CLOSE while its
 * owner holds it has died without close(2): a DEATH record is written, with
 * the cause read from what the kernel left in the socket (sk_err, the
 * retransmission and probe counters), and the entry keeps that cause for
 * the close that comes later. Entries leave at that close (tcp_close's
 * entry), when the socket leaves CLOSE_WAIT or CLOSE otherwise, and at its
 * destruction, so an entry never outlives its socket: the CLOSE_WAIT list
 * reads the socket under the entry's bucket lock, which the state change
 * out of CLOSE_WAIT takes before the socket can go.
 *
 * The table is bounded by max_preclose (0 turns all this off); an entry
 * not made because it is full is counted (preclose_full).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/build_bug.h>
#include <linux/hash.h>
#include <linux/kprobes.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <net/inet_connection_sock.h>
#include <net/inet_hashtables.h>
#include <net/inet_timewait_sock.h>
#include <net/tcp.h>
#include "close.h"
#include "compat.h"
#include "filter.h"
#include "preclose.h"
#include "ring.h"
#include "stats.h"
#include "track.h"

#define CT_PRE_HASH_BITS 12

struct ct_pre {
	struct hlist_node node;
	const struct sock *sk;	/* key; read only under the bucket lock */
	struct ct_pre_info info;
};
/* One kmalloc-128 object per socket followed (docs/performance.md). */
static_assert(sizeof(struct ct_pre) <= 128);

struct ct_pre_bucket {
	spinlock_t lock;
	struct hlist_head head;
};

static struct ct_pre_bucket *ct_pre_table;
static unsigned int ct_pre_limit;
static atomic_t ct_pre_used = ATOMIC_INIT(0);

static void ct_pre_sweep_fn(struct work_struct *work);
static DECLARE_DEFERRABLE_WORK(ct_pre_sweep_work, ct_pre_sweep_fn);

/* A RST the kernel sent for a socket about to die, on this CPU. */
struct ct_pre_rst {
	const void *sk;		/* key only */
	u8 krst;
};

static DEFINE_PER_CPU(struct ct_pre_rst, ct_pre_rst);

int ct_pre_init(unsigned int max)
{
	unsigned int i;

	ct_pre_limit = max;
	if (!max)
		return 0;
	ct_pre_table = kvcalloc(1u << CT_PRE_HASH_BITS, sizeof(*ct_pre_table),
				GFP_KERNEL);
	if (!ct_pre_table)
		return -ENOMEM;
	for (i = 0; i < (1u << CT_PRE_HASH_BITS); i++) {
		spin_lock_init(&ct_pre_table[i].lock);
		INIT_HLIST_HEAD(&ct_pre_table[i].head);
	}
	schedule_delayed_work(&ct_pre_sweep_work,
			      msecs_to_jiffies(CT_PRE_SWEEP_MS));
	return 0;
}

void ct_pre_exit(void)
{
	struct hlist_node *tmp;
	struct ct_pre *p;
	unsigned int i;

	if (!ct_pre_table)
		return;
	cancel_delayed_work_sync(&ct_pre_sweep_work);
	for (i = 0; i < (1u << CT_PRE_HASH_BITS); i++) {
		hlist_for_each_entry_safe(p, tmp, &ct_pre_table[i].head, node) {
			hlist_del(&p->node);
			kfree(p);
			atomic_dec(&ct_pre_used);
		}
	}
	WARN_ON(atomic_read(&ct_pre_used));
	kvfree(ct_pre_table);
	ct_pre_table = NULL;
}

unsigned int ct_pre_count(void)
{
	return atomic_read(&ct_pre_used);
}

unsigned int ct_pre_max(void)
{
	return ct_pre_limit;
}

static struct ct_pre_bucket *ct_pre_bucket_of(const struct sock *sk)
{
	return &ct_pre_table[hash_ptr(sk, CT_PRE_HASH_BITS)];
}
NOKPROBE_SYMBOL(ct_pre_bucket_of);

/* The caller holds b's lock. */
static struct ct_pre *ct_pre_find_locked(struct ct_pre_bucket *b,
					 const struct sock *sk)
{
	struct ct_pre *p;

	hlist_for_each_entry(p, &b->head, node)
		if (p->sk == sk)
			return p;
	return NULL;
}
NOKPROBE_SYMBOL(ct_pre_find_locked);

/* The entry of sk, a new one if it has none; NULL when the table is full. */
static struct ct_pre *ct_pre_get_locked(struct ct_pre_bucket *b,
					const struct sock *sk)
{
	struct ct_pre *p = ct_pre_find_locked(b, sk);

	if (p)
		return p;
	if (atomic_inc_return(&ct_pre_used) > ct_pre_limit)
		goto full;
	p = kzalloc(sizeof(*p), GFP_ATOMIC);
	if (!p)
		goto full;
	p->sk = sk;
	hlist_add_head(&p->node, &b->head);
	return p;
full:
	atomic_dec(&ct_pre_used);
	ct_stat_inc(preclose_full);
	return NULL;
}
NOKPROBE_SYMBOL(ct_pre_get_locked);

static void ct_pre_del_locked(struct ct_pre *p)
{
	hlist_del(&p->node);
	kfree(p);
	atomic_dec(&ct_pre_used);
}
NOKPROBE_SYMBOL(ct_pre_del_locked);

bool ct_pre_take(const struct sock *sk, struct ct_pre_info *out)
{
	struct ct_pre_bucket *b;
	unsigned long flags;
	struct ct_pre *p;

	if (!ct_pre_table)
		return false;
	b = ct_pre_bucket_of(sk);
	if (hlist_empty(&b->head))	/* a hint; the locked look decides */
		return false;
	spin_lock_irqsave(&b->lock, flags);
	p = ct_pre_find_locked(b, sk);
	if (p) {
		if (out)
			*out = p->info;
		ct_pre_del_locked(p);
	}
	spin_unlock_irqrestore(&b->lock, flags);
	return p != NULL;
}
NOKPROBE_SYMBOL(ct_pre_take);

void ct_pre_forget(const struct sock *sk)
{
	ct_pre_take(sk, NULL);
}
NOKPROBE_SYMBOL(ct_pre_forget);

/* Still held by its owner: a file's socket, not orphaned by a close. */
static bool ct_pre_owned(const struct sock *sk)
{
	return READ_ONCE(sk->sk_socket) && !sock_flag(sk, SOCK_DEAD);
}
NOKPROBE_SYMBOL(ct_pre_owned);

static bool ct_pre_wanted(const struct sock *sk)
{
	return ct_pre_owned(sk) && READ_ONCE(ct_enabled) &&
	       ct_filter_pass_sock(sk);
}
NOKPROBE_SYMBOL(ct_pre_wanted);

static void ct_pre_close_wait(const struct sock *sk)
{
	struct ct_pre_bucket *b = ct_pre_bucket_of(sk);
	unsigned long flags;
	struct ct_pre *p;
	u64 born;

	if (!ct_pre_wanted(sk)) {
		ct_pre_forget(sk);
		return;
	}
	spin_lock_irqsave(&b->lock, flags);
	p = ct_pre_get_locked(b, sk);
	if (p) {
		born = p->info.kind == CT_PRE_BORN ? p->info.born_ts : 0;
		memset(&p->info, 0, sizeof(p->info));
		p->info.kind = CT_PRE_CLOSE_WAIT;
		p->info.born_ts = born;
		p->info.cw_ts = ktime_get_ns();
	}
	spin_unlock_irqrestore(&b->lock, flags);
}

/*
 * A connection is born: a connect() (CLOSE to SYN_SENT) or a child socket
 * made by a listener (to SYN_RECV; no owner yet). Its entry keeps the time
 * until the close (the lifetime of CLOSE, END and TWEND records).
 */
static void ct_pre_born(const struct sock *sk)
{
	struct ct_pre_bucket *b = ct_pre_bucket_of(sk);
	unsigned long flags;
	struct ct_pre *p;

	if (!READ_ONCE(ct_enabled) || !ct_filter_pass_sock(sk)) {
		ct_pre_forget(sk);
		return;
	}
	spin_lock_irqsave(&b->lock, flags);
	p = ct_pre_get_locked(b, sk);
	if (p) {
		memset(&p->info, 0, sizeof(p->info));
		p->info.kind = CT_PRE_BORN;
		p->info.born_ts = ktime_get_ns();
	}
	spin_unlock_irqrestore(&b->lock, flags);
}
NOKPROBE_SYMBOL(ct_pre_born);
NOKPROBE_SYMBOL(ct_pre_close_wait);

void ct_pre_on_disconnect(const struct sock *sk)
{
	struct ct_pre_bucket *b;
	unsigned long flags;
	struct ct_pre *p;

	if (!ct_pre_table || READ_ONCE(sk->sk_state) == TCP_CLOSE ||
	    !ct_pre_wanted(sk))
		return;
	b = ct_pre_bucket_of(sk);
	spin_lock_irqsave(&b->lock, flags);
	p = ct_pre_get_locked(b, sk);
	if (p) {
		if (p->info.kind != CT_PRE_CLOSE_WAIT)
			p->info.cw_ts = 0;
		if (p->info.kind != CT_PRE_CLOSE_WAIT && p->info.kind != CT_PRE_BORN)
			p->info.born_ts = 0;
		p->info.kind = CT_PRE_DISCONNECTING;
	}
	spin_unlock_irqrestore(&b->lock, flags);
}
NOKPROBE_SYMBOL(ct_pre_on_disconnect);

/*
 * tcp_disconnect() (connect(AF_UNSPEC)) changes the state to CLOSE, which
 * wrote the DEATH (disconnect), and then sends its RST: a RESET record of
 * that death, as tcp_close()'s RSTs are of their close. Once per death:
 * the socket may connect again.
 */
static void ct_pre_disconnect_rst(const struct sock *sk, u8 krst)
{
	struct ct_pre_bucket *b = ct_pre_bucket_of(sk);
	struct ct_event ev = { .type = CT_EV_RESET };
	unsigned long flags;
	struct ct_pre *p;

	spin_lock_irqsave(&b->lock, flags);
	p = ct_pre_get_locked(b, sk);
	if (p && p->info.kind == CT_PRE_DEAD &&
	    p->info.death == CT_R_DISCONNECT &&
	    !(p->info.flags & CT_PRE_DEAD_RST_SEEN)) {
		p->info.flags |= CT_PRE_DEAD_RST_SEEN;
		ev.close_id = p->info.close_id;
	}
	spin_unlock_irqrestore(&b->lock, flags);
	if (!ev.close_id)
		return;
	ev.fd = CT_FD_NONE;
	ct_fill_sock(&ev, NULL, sk);
	ev.state_before = TCP_CLOSE;
	ev.state_after = TCP_CLOSE;
	ev.reason = CT_R_DISCONNECT;
	ev.death = CT_R_DISCONNECT;
	ev.action = CT_ACT_RST;
	ev.rsts = 1;
	ev.krst = krst;
	ct_ring_emit(&ev);
}
NOKPROBE_SYMBOL(ct_pre_disconnect_rst);

void ct_pre_on_reset_sent(const struct sock *sk, u8 krst)
{
	struct ct_pre_rst *r;
	unsigned long flags;

	if (!ct_pre_table || !ct_pre_owned(sk))
		return;
	/*
	 * The timers (keepalive) and tcp_abort() send a RST and then end the
	 * socket, on this CPU with bottom halves off: the DEATH to come takes
	 * it. tcp_disconnect() sends its RST after the state change.
	 */
	if (READ_ONCE(sk->sk_state) == TCP_CLOSE) {
		ct_pre_disconnect_rst(sk, krst);
		return;
	}
	local_irq_save(flags);
	r = this_cpu_ptr(&ct_pre_rst);
	r->sk = sk;
	r->krst = krst;
	local_irq_restore(flags);
}
NOKPROBE_SYMBOL(ct_pre_on_reset_sent);

/* Was a RST sent for sk just before its death, on this CPU? */
static bool ct_pre_rst_take(const struct sock *sk, u8 *krst)
{
	struct ct_pre_rst *r;
	unsigned long flags;
	bool hit;

	local_irq_save(flags);
	r = this_cpu_ptr(&ct_pre_rst);
	hit = r->sk == sk;
	if (hit)
		*krst = r->krst;
	r->sk = NULL;
	local_irq_restore(flags);
	return hit;
}
NOKPROBE_SYMBOL(ct_pre_rst_take);

/*
 * Why a socket its owner holds went to CLOSE, from what the kernel left in
 * it: tcp_reset(), tcp_write_err() (tcp_done_with_error() on 6.10+),
 * tcp_abort() and tcp_v4/v6_err() set sk_err before tcp_done() changes the
 * state; the timers leave their counters. docs/how-close-works.md.
 */
static u8 ct_death_cause(const struct sock *sk, int oldstate, int err)
{
	const struct inet_connection_sock *icsk = inet_csk(sk);
	bool syn = oldstate == TCP_SYN_SENT || oldstate == TCP_SYN_RECV;

	switch (err) {
	case 0:
		/* tcp_fin()/tcp_rcv_state_process() after shutdown(SHUT_WR) */
		if (oldstate == TCP_LAST_ACK || oldstate == TCP_FIN_WAIT1 ||
		    oldstate == TCP_FIN_WAIT2 || oldstate == TCP_CLOSING)
			return CT_R_SHUTDOWN_END;
		return CT_R_UNKNOWN;
	case ECONNREFUSED:
		return CT_R_REFUSED;
	case ECONNRESET:
	case EPIPE:
		return CT_R_PEER_RESET;
	case ECONNABORTED:
		return CT_R_ABORTED;
	}
	/* tcp_write_err(): sk_err_soft (an ICMP error seen meanwhile) or ETIMEDOUT. */
	if (err == ETIMEDOUT || err == READ_ONCE(sk->sk_err_soft)) {
		if (syn)
			return CT_R_SYN_TIMEOUT;
		if (READ_ONCE(icsk->icsk_user_timeout))
			return CT_R_USER_TIMEOUT;
		if (READ_ONCE(icsk->icsk_probes_out) &&
		    !READ_ONCE(icsk->icsk_retransmits))
			return sock_flag(sk, SOCK_KEEPOPEN) ?
			       CT_R_KEEPALIVE_TIMEOUT : CT_R_PROBE_TIMEOUT;
		return CT_R_RETRANSMIT_TIMEOUT;
	}
	/* tcp_v4_err()/tcp_v6_err(): hard in SYN_SENT/SYN_RECV, or with IP_RECVERR. */
	return syn || ct_inet_recverr(sk) ? CT_R_ICMP_ERROR : CT_R_ERROR;
}
NOKPROBE_SYMBOL(ct_death_cause);

static void ct_pre_death(const struct sock *sk, int oldstate)
{
	struct ct_pre_bucket *b = ct_pre_bucket_of(sk);
	const struct inet_connection_sock *icsk = inet_csk(sk);
	struct ct_event ev = { .type = CT_EV_DEATH };
	struct ct_tcp_counts c;
	struct ct_pre *p;
	unsigned long flags;
	u64 now;
	u8 krst = 0;
	bool rst;

	rst = ct_pre_rst_take(sk, &krst);
	if (!ct_pre_wanted(sk)) {
		ct_pre_forget(sk);
		return;
	}
	now = ktime_get_ns();
	ev.ts_ns = now;
	ev.close_id = ct_new_close_id();
	ev.fd = CT_FD_NONE;
	ct_fill_sock(&ev, NULL, sk);
	ev.state_before = oldstate;
	ev.state_after = TCP_CLOSE;
	ev.sk_err = READ_ONCE(sk->sk_err);
	ev.unread = ct_unread(sk);
	ct_read_counts(&c, sk);
	ct_put_counts(&ev, &c);

	spin_lock_irqsave(&b->lock, flags);
	p = ct_pre_get_locked(b, sk);
	if (p && p->info.kind == CT_PRE_DISCONNECTING)
		ev.reason = CT_R_DISCONNECT;
	else
		ev.reason = ct_death_cause(sk, oldstate, ev.sk_err);
	if (ev.reason == CT_R_KEEPALIVE_TIMEOUT || ev.reason == CT_R_PROBE_TIMEOUT)
		ev.retransmits = READ_ONCE(icsk->icsk_probes_out);
	else
		ev.retransmits = READ_ONCE(icsk->icsk_retransmits);
	ev.death = ev.reason;
	if (p) {
		if (p->info.kind == CT_PRE_CLOSE_WAIT ||
		    p->info.kind == CT_PRE_DISCONNECTING) {
			if (p->info.cw_ts)
				ev.since_ns = now - p->info.cw_ts;
		} else {
			p->info.cw_ts = 0;
			if (p->info.kind != CT_PRE_BORN)
				p->info.born_ts = 0;
		}
		if (p->info.born_ts)
			ev.lifetime_ns = now - p->info.born_ts;
		p->info.kind = CT_PRE_DEAD;
		p->info.flags = 0;
		p->info.ts = now;
		p->info.close_id = ev.close_id;
		p->info.death = ev.reason;
		p->info.sk_err = ev.sk_err;
		p->info.retransmits = ev.retransmits;
	}
	spin_unlock_irqrestore(&b->lock, flags);
	if (rst) {
		ev.action = CT_ACT_RST;
		ev.rsts = 1;
		ev.krst = krst;
	}
	ct_ring_emit(&ev);
	ct_stat_inc(deaths);
}
NOKPROBE_SYMBOL(ct_pre_death);

void ct_pre_on_state(const struct sock *sk, int oldstate, int newstate)
{
	if (!ct_pre_table)
		return;
	if (newstate == TCP_CLOSE_WAIT)
		ct_pre_close_wait(sk);
	else if (newstate == TCP_CLOSE && oldstate != TCP_CLOSE)
		ct_pre_death(sk, oldstate);
	else if (newstate == TCP_SYN_SENT || newstate == TCP_SYN_RECV)
		ct_pre_born(sk);
	else if (oldstate == TCP_CLOSE_WAIT || oldstate == TCP_CLOSE)
		ct_pre_forget(sk);
}
NOKPROBE_SYMBOL(ct_pre_on_state);

static void ct_pre_show_one(struct seq_file *m, const struct sock *sk,
			    const struct ct_pre_info *info, u64 now)
{
	const struct inet_sock *inet = inet_sk(sk);
	struct socket *sock = READ_ONCE(sk->sk_socket);

	seq_printf(m, "%llu %llu %u %llu %u ", ct_sock_cookie(sk),
		   sock ? (u64)SOCK_INODE(sock)->i_ino : 0,
		   sock_net(sk)->ns.inum, div_u64(now - info->cw_ts, NSEC_PER_MSEC),
		   ct_unread(sk));
	if (sk->sk_family == AF_INET)
		seq_printf(m, "%pI4:%u %pI4:%u\n", &inet->inet_rcv_saddr,
			   ntohs(inet->inet_sport), &sk->sk_daddr,
			   ntohs(sk->sk_dport));
#if IS_ENABLED(CONFIG_IPV6)
	else
		seq_printf(m, "[%pI6c]:%u [%pI6c]:%u\n", &sk->sk_v6_rcv_saddr,
			   ntohs(inet->inet_sport), &sk->sk_v6_daddr,
			   ntohs(sk->sk_dport));
#endif
}

void ct_pre_show_close_wait(struct seq_file *m)
{
	unsigned long flags;
	struct ct_pre *p;
	unsigned int i;
	u64 now = ktime_get_ns();

	seq_puts(m, "# cookie ino netns age_ms unread local remote\n");
	if (!ct_pre_table)
		return;
	for (i = 0; i < (1u << CT_PRE_HASH_BITS); i++) {
		struct ct_pre_bucket *b = &ct_pre_table[i];

		if (hlist_empty(&b->head))
			continue;
		spin_lock_irqsave(&b->lock, flags);
		hlist_for_each_entry(p, &b->head, node)
			if (p->info.kind == CT_PRE_CLOSE_WAIT)
				ct_pre_show_one(m, p->sk, &p->info, now);
		spin_unlock_irqrestore(&b->lock, flags);
	}
}

/* ---- the timewait socket a close handed over to, to its end */

bool ct_pre_tw_hooks;

/* What reached a timewait socket on this CPU, until its kill or the next. */
struct ct_pre_tw_seg {
	const void *tw;		/* key only */
	u64 ts;
	bool rst, syn, answered;
};

/*
 * A kill in a softirq is the last segment's to reach that timewait socket
 * on that CPU, however long ago the clock says: tcp_v4_rcv()/tcp_v6_rcv()
 * kill it at once, with bottom halves off (and a guest's clock may jump
 * while its vCPU waits for the host). In a task (busy polling, threaded
 * NAPI), only a kill this soon after it is: a reuse needs a second since
 * its last timestamp.
 */
#define CT_TW_SEG_NS (5 * NSEC_PER_MSEC)

static DEFINE_PER_CPU(struct ct_pre_tw_seg, ct_pre_tw_seg);

/* A TWEND of the close info keeps: its identity, at now. */
static void ct_pre_tw_ident(struct ct_event *ev, const struct ct_pre_info *info,
			    u8 cause, u64 now)
{
	ev->type = CT_EV_TWEND;
	ev->reason = cause;
	ev->ts_ns = now;
	ev->count = now - info->ts;
	ev->close_id = info->close_id;
	ev->ino = info->tw.ino;
	ev->cookie = info->tw.cookie;
	ev->cgroup_id = info->tw.cgroup_id;
	ev->pid = info->tw.pid;
	ev->tid = info->tw.tid;
	ev->vpid = info->tw.vpid;
	ev->uid = info->tw.uid;
	ev->fd = info->tw.fd;
	memcpy(ev->comm, info->tw.comm, sizeof(ev->comm));
}
NOKPROBE_SYMBOL(ct_pre_tw_ident);

/*
 * The TWEND of a timewait socket whose end went unseen: when and how it
 * ended is not known, nor (its socket gone) its 4-tuple; the TIMEWAIT
 * record of the same close id has it.
 */
static void ct_pre_tw_lost_ev(struct ct_event *ev, const struct ct_pre_info *info,
			      u64 now)
{
	memset(ev, 0, sizeof(*ev));
	ct_pre_tw_ident(ev, info, CT_R_TW_LOST, now);
	ev->protocol = IPPROTO_TCP;
	ev->sock_type = SOCK_STREAM;
	ev->state_after = TCP_CLOSE;
	ev->flags = CT_F_INCOMPLETE;
}
NOKPROBE_SYMBOL(ct_pre_tw_lost_ev);

/* Out of line: its record is on the stack only on this rare path. */
static noinline void ct_pre_tw_emit_lost(const struct ct_pre_info *info,
					 u64 now)
{
	struct ct_event ev;

	ct_pre_tw_lost_ev(&ev, info, now);
	ct_ring_emit(&ev);
	ct_stat_inc(twends);
	ct_stat_inc(tw_lost);
}
NOKPROBE_SYMBOL(ct_pre_tw_emit_lost);

/*
 * The established hash all namespaces share (tcp_hashinfo, which 6.12+ do
 * not export), once a timewait socket in it was filed: the sweep looks
 * there for the sockets of entries flagged CT_PRE_TW_SHARED.
 */
static const struct inet_hashinfo *ct_pre_shared_ehash;

void ct_pre_tw_start(const struct sock *tw, const struct inet_hashinfo *h,
		     u32 hash, u64 close_id, const struct ct_event *identity,
		     u64 born_ts)
{
	struct ct_pre_bucket *b;
	struct ct_pre *p;
	bool shared;

	if (!ct_pre_table || !READ_ONCE(ct_pre_tw_hooks))
		return;
	shared = ct_hashinfo_shared(h);
	if (shared && !READ_ONCE(ct_pre_shared_ehash))
		WRITE_ONCE(ct_pre_shared_ehash, h);
	b = ct_pre_bucket_of(tw);
	spin_lock(&b->lock);	/* interrupts are off: the context's lock */
	p = ct_pre_get_locked(b, tw);
	/* Another close's, whose timewait socket had tw's memory: gone unseen. */
	if (p && p->info.kind == CT_PRE_TIMEWAIT)
		ct_pre_tw_emit_lost(&p->info, ktime_get_ns());
	if (p) {
		memset(&p->info, 0, sizeof(p->info));
		p->info.kind = CT_PRE_TIMEWAIT;
		p->info.flags = shared ? CT_PRE_TW_SHARED : 0;
		p->info.born_ts = born_ts;
		p->info.ts = ktime_get_ns();
		p->info.close_id = close_id;
		p->info.tw.cookie = identity->cookie;
		p->info.tw.ino = identity->ino;
		p->info.tw.cgroup_id = identity->cgroup_id;
		p->info.tw.pid = identity->pid;
		p->info.tw.tid = identity->tid;
		p->info.tw.vpid = identity->vpid;
		p->info.tw.uid = identity->uid;
		p->info.tw.fd = identity->fd;
		p->info.tw.hash = hash;
		memcpy(p->info.tw.comm, identity->comm, sizeof(p->info.tw.comm));
	}
	spin_unlock(&b->lock);
}
NOKPROBE_SYMBOL(ct_pre_tw_start);

void ct_pre_tw_segment(const struct sock *tw, bool rst, bool syn)
{
	struct ct_pre_tw_seg *s;
	unsigned long flags;

	if (!ct_pre_table)
		return;
	local_irq_save(flags);
	s = this_cpu_ptr(&ct_pre_tw_seg);
	s->tw = tw;
	s->ts = ktime_get_ns();
	s->rst = rst;
	s->syn = syn;
	s->answered = false;
	local_irq_restore(flags);
}
NOKPROBE_SYMBOL(ct_pre_tw_segment);

void ct_pre_tw_reply_rst(const struct sock *tw)
{
	struct ct_pre_tw_seg *s;
	unsigned long flags;

	if (!ct_pre_table)
		return;
	local_irq_save(flags);
	s = this_cpu_ptr(&ct_pre_tw_seg);
	if (s->tw == tw)
		s->answered = true;
	local_irq_restore(flags);
}
NOKPROBE_SYMBOL(ct_pre_tw_reply_rst);

static void ct_pre_tw_fill(struct ct_event *ev, const struct sock *sk)
{
	const struct inet_timewait_sock *tw = inet_twsk(sk);

	ev->family = tw->tw_family;
	ev->protocol = IPPROTO_TCP;
	ev->sock_type = SOCK_STREAM;
	ev->sport = ntohs(tw->tw_sport);
	ev->dport = ntohs(tw->tw_dport);
	ev->netns = twsk_net(tw)->ns.inum;
	if (tw->tw_family == AF_INET) {
		memcpy(ev->saddr, &tw->tw_rcv_saddr, 4);
		memcpy(ev->daddr, &tw->tw_daddr, 4);
#if IS_ENABLED(CONFIG_IPV6)
	} else if (tw->tw_family == AF_INET6) {
		memcpy(ev->saddr, &tw->tw_v6_rcv_saddr, 16);
		memcpy(ev->daddr, &tw->tw_v6_daddr, 16);
#endif
	}
	ev->state_before = READ_ONCE(tw->tw_substate);
	ev->state_after = TCP_CLOSE;
}
NOKPROBE_SYMBOL(ct_pre_tw_fill);

/*
 * Build tw's TWEND from its entry p (p's bucket locked: tw lives, its end's
 * hook waits for the lock) and unfile p. If tw is not p's (another cookie:
 * the entry outlived its socket), the TWEND is p's tw-lost. The caller
 * emits it.
 */
static bool ct_pre_tw_take_locked(struct ct_pre *p, const struct sock *sk,
				  u8 cause, struct ct_event *out)
{
	const struct inet_timewait_sock *tw = inet_twsk(sk);
	struct ct_event ev = { };
	struct ct_pre_info info = p->info;
	long left;
	u64 now;

	ct_pre_del_locked(p);
	now = ktime_get_ns();
	/*
	 * The timewait socket keeps its full socket's cookie: the same one?
	 * If not, p's socket ended unseen and this one has its memory.
	 */
	if ((u64)atomic64_read(&tw->tw_cookie) != info.tw.cookie) {
		ct_pre_tw_lost_ev(out, &info, now);
		return true;
	}
	ct_pre_tw_ident(&ev, &info, cause, now);
	ct_pre_tw_fill(&ev, sk);
	if (info.born_ts)
		ev.lifetime_ns = now - info.born_ts;
	left = (long)(READ_ONCE(tw->tw_timer.expires) - jiffies);
	if (cause != CT_R_TW_EXPIRED && left > 0)
		ev.timeout_ms = jiffies_to_msecs(left);
	*out = ev;
	return true;
}
NOKPROBE_SYMBOL(ct_pre_tw_take_locked);

static void ct_pre_tw_end(const struct sock *sk, u8 cause, bool rst,
			  bool rst_seen)
{
	struct ct_pre_bucket *b;
	unsigned long flags;
	struct ct_event ev;
	struct ct_pre *p;
	bool ok;

	if (!ct_pre_table)
		return;
	b = ct_pre_bucket_of(sk);
	if (hlist_empty(&b->head))
		return;
	spin_lock_irqsave(&b->lock, flags);
	p = ct_pre_find_locked(b, sk);
	if (!p || p->info.kind != CT_PRE_TIMEWAIT) {
		spin_unlock_irqrestore(&b->lock, flags);
		return;
	}
	ok = ct_pre_tw_take_locked(p, sk, cause, &ev);
	spin_unlock_irqrestore(&b->lock, flags);
	if (!ok)
		return;
	if (ev.reason == CT_R_TW_LOST)
		ct_stat_inc(tw_lost);
	else if (rst) {
		ev.action = CT_ACT_RST;
		ev.rsts = 1;
		ev.flags |= CT_F_REPLY | (rst_seen ? 0 : CT_F_NOT_OBSERVED);
	}
	ct_ring_emit(&ev);
	ct_stat_inc(twends);
}
NOKPROBE_SYMBOL(ct_pre_tw_end);

/*
 * Is tw (an entry's key) a timewait socket in h's established hash? Called
 * under rcu_read_lock(): if so, it may be read until the unlock (timewait
 * sockets are SLAB_TYPESAFE_BY_RCU). An entry is no proof of its socket's
 * life: the socket's end may have gone unseen (a kprobe missed as another
 * handler ran on its CPU, or a kill between ct_twsk_find() and the entry's
 * filing), and its memory may be any object since.
 */
static bool ct_pre_tw_hashed(const struct inet_hashinfo *h, const void *tw,
			     u32 hash)
{
	unsigned int slot = hash & h->ehash_mask;
	const struct hlist_nulls_node *node;
	struct sock *sk;
	int tries = 0;

	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "outside RCU");
again:
	sk_nulls_for_each_rcu(sk, node, &h->ehash[slot].chain)
		if (sk == tw && READ_ONCE(sk->sk_state) == TCP_TIME_WAIT)
			return true;
	if (get_nulls_value(node) != slot && ++tries < CT_EHASH_RETRIES)
		goto again;
	return false;
}
NOKPROBE_SYMBOL(ct_pre_tw_hashed);

/*
 * Is sk still the timewait socket whose record was just built, cookie and
 * all? Once unhashed, its memory may be another timewait socket's at once
 * (SLAB_TYPESAFE_BY_RCU). Its end's hook waits for the bucket's lock; when
 * that hook missed, this check is all there is.
 */
static bool ct_pre_tw_same(const struct sock *sk, u64 cookie)
{
	smp_rmb();	/* the record's reads before these */
	return READ_ONCE(sk->sk_state) == TCP_TIME_WAIT &&
	       (u64)atomic64_read(&inet_twsk(sk)->tw_cookie) == cookie;
}
NOKPROBE_SYMBOL(ct_pre_tw_same);

/*
 * inet_twsk_purge(h): a network namespace is going, and its timewait
 * sockets in h with it. (It kills them through inet_twsk_deschedule_put(),
 * which the compiler may inline there: each is told here, at the purge's
 * entry, while it still lives.) Only entries whose socket is found in h are
 * read; the others are another hash's, or stale (left for their key's next
 * timewait socket, or the unload).
 */
void ct_pre_tw_purge(const struct inet_hashinfo *h)
{
	const struct sock *sk;
	struct ct_pre_bucket *b;
	unsigned long flags;
	struct ct_event ev;
	struct ct_pre *p;
	unsigned int i;
	bool ok;

	if (!ct_pre_table || !h)
		return;
	for (i = 0; i < (1u << CT_PRE_HASH_BITS); i++) {
		b = &ct_pre_table[i];
		do {
			if (hlist_empty(&b->head))
				break;
			sk = NULL;
			ok = false;
			spin_lock_irqsave(&b->lock, flags);
			rcu_read_lock();
			hlist_for_each_entry(p, &b->head, node) {
				if (p->info.kind == CT_PRE_TIMEWAIT &&
				    ct_pre_tw_hashed(h, p->sk, p->info.tw.hash) &&
				    !check_net(twsk_net(inet_twsk(p->sk)))) {
					sk = p->sk;
					break;
				}
			}
			/* p is unfiled: the walk starts again. */
			if (sk)
				ok = ct_pre_tw_take_locked(p, sk, CT_R_TW_PURGED, &ev) &&
				     (ev.reason == CT_R_TW_LOST ||
				      ct_pre_tw_same(sk, ev.cookie));
			rcu_read_unlock();
			spin_unlock_irqrestore(&b->lock, flags);
			if (ok) {
				ct_ring_emit(&ev);
				ct_stat_inc(twends);
				if (ev.reason == CT_R_TW_LOST)
					ct_stat_inc(tw_lost);
			}
		} while (sk);
	}
}
NOKPROBE_SYMBOL(ct_pre_tw_purge);

/*
 * A timewait entry whose socket could not be looked for (a namespace's own
 * hash, which may be freed with it) is dropped this long after the
 * hand-over: TIME_WAIT's 60 s, or tcp_fin_timeout, are long past, unless
 * the peer kept retransmitting its FIN. Told tw-lost too.
 */
#define CT_PRE_TW_UNCHECKED_NS (600ULL * NSEC_PER_SEC)
#define CT_PRE_TW_GRACE_NS (500 * NSEC_PER_MSEC)

/*
 * Is p's timewait socket gone unseen? Under its bucket's lock (its end's
 * hook, at the entry of tw_timer_handler() or inet_twsk_deschedule_put(),
 * waits for it while the socket is still hashed) and rcu_read_lock().
 */
static bool ct_pre_tw_lost(struct ct_pre *p, u64 now)
{
	const struct inet_hashinfo *h = READ_ONCE(ct_pre_shared_ehash);

	if (p->info.kind != CT_PRE_TIMEWAIT)
		return false;
	if (!(p->info.flags & CT_PRE_TW_SHARED) || !h)
		return now - p->info.ts > CT_PRE_TW_UNCHECKED_NS;
	if (ct_pre_tw_hashed(h, p->sk, p->info.tw.hash)) {
		p->info.flags &= ~CT_PRE_TW_MISSING;
		return false;
	}
	/*
	 * A connect() taking its 4-tuple over unhashes it before the kill
	 * (__inet_check_established() or its IPv6 twin, then
	 * inet_twsk_deschedule_put(), microseconds later): lost only if
	 * still filed a while after a sweep first missed it.
	 */
	if (!(p->info.flags & CT_PRE_TW_MISSING)) {
		p->info.flags |= CT_PRE_TW_MISSING;
		p->info.cw_ts = now;
		return false;
	}
	return now - p->info.cw_ts >= CT_PRE_TW_GRACE_NS;
}
NOKPROBE_SYMBOL(ct_pre_tw_lost);

void ct_pre_sweep(void)
{
	struct ct_pre_bucket *b;
	struct hlist_node *tmp;
	unsigned long flags;
	struct ct_pre *p;
	unsigned int i;
	u64 now;

	if (!ct_pre_table)
		return;
	for (i = 0; i < (1u << CT_PRE_HASH_BITS); i++) {
		b = &ct_pre_table[i];
		if (hlist_empty(&b->head))
			continue;
		now = ktime_get_ns();
		spin_lock_irqsave(&b->lock, flags);
		rcu_read_lock();
		hlist_for_each_entry_safe(p, tmp, &b->head, node) {
			if (!ct_pre_tw_lost(p, now))
				continue;
			ct_pre_tw_emit_lost(&p->info, now);
			ct_pre_del_locked(p);
		}
		rcu_read_unlock();
		spin_unlock_irqrestore(&b->lock, flags);
		if (!(i & 255))
			cond_resched();
	}
}

static void ct_pre_sweep_fn(struct work_struct *work)
{
	ct_pre_sweep();
	schedule_delayed_work(&ct_pre_sweep_work,
			      msecs_to_jiffies(CT_PRE_SWEEP_MS));
}

void ct_pre_tw_expire(const struct sock *tw)
{
	ct_pre_tw_end(tw, CT_R_TW_EXPIRED, false, false);
}
NOKPROBE_SYMBOL(ct_pre_tw_expire);

/*
 * Why inet_twsk_deschedule_put() kills tw. Right after a segment reached it
 * (tcp_timewait_state_process(), same CPU): a RST kills it (RFC 1337 off);
 * a SYN in TIME_WAIT hands its 4-tuple to a listener (TCP_TW_SYN); any other
 * segment that kills it (data or a SYN in the FIN_WAIT2 substate) was
 * answered with a RST (TCP_TW_RST: tcp_v4/v6_send_reset(), then the kill).
 * That RST is seen by tcp:tcp_send_reset on kernels that trace timewait
 * sockets' RSTs; before, it is inferred (flag not-observed). Otherwise, a
 * task's connect() reusing its 4-tuple (__inet_check_established(),
 * __inet_hash_connect()), or a kernel thread purging a dying network
 * namespace (inet_twsk_purge()).
 */
void ct_pre_tw_kill(const struct sock *tw)
{
	struct ct_pre_tw_seg *s, seg = { };
	bool softirq = !in_task();
	unsigned long flags;
	u8 cause;

	if (!ct_pre_table)
		return;
	local_irq_save(flags);
	s = this_cpu_ptr(&ct_pre_tw_seg);
	if (s->tw == tw && (softirq || ktime_get_ns() - s->ts < CT_TW_SEG_NS))
		seg = *s;
	s->tw = NULL;
	local_irq_restore(flags);
	if (seg.tw && seg.rst)
		cause = CT_R_TW_RESET;
	else if (seg.tw && seg.syn && !seg.answered &&
		 READ_ONCE(inet_twsk(tw)->tw_substate) == TCP_TIME_WAIT)
		cause = CT_R_TW_SYN;
	else if (seg.tw || softirq)
		/*
		 * A softirq's kill whose segment went unseen (its hook
		 * missed): a RST in, a SYN, or a RST answered. Told as the
		 * last, its RST flagged not-observed.
		 */
		cause = CT_R_TW_ANSWERED_RST;
	else if (!(current->flags & PF_KTHREAD))
		cause = CT_R_TW_REUSED;
	else
		cause = CT_R_TW_PURGED;
	ct_pre_tw_end(tw, cause, cause == CT_R_TW_ANSWERED_RST, seg.answered);
}
NOKPROBE_SYMBOL(ct_pre_tw_kill);
