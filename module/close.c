// SPDX-License-Identifier: GPL-2.0
/*
 * Building close records.
 *
 * A close is followed through one context (track.h): created at the fd close
 * (keyed by the struct file) or at the socket release (keyed by the struct
 * sock), it collects the closer's identity in process context, the snapshot
 * tcp_close decides on, and what the kernel was seen doing (FIN, RST,
 * disconnect, state changes). The CLOSE record is written when tcp_close
 * returns; later state changes, resets, the hand-over to a timewait socket
 * and the socket's end are written as they happen, with the same close id
 * and the original closer's pid and comm, whatever context they run in.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fdtable.h>
#include <linux/kprobes.h>
#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/skbuff.h>
#include <net/inet_connection_sock.h>
#include <net/inet_hashtables.h>
#include <net/inet_sock.h>
#include <net/inet_timewait_sock.h>
#include <net/ipv6.h>
#include <net/tcp.h>
#include "compat.h"
#include "close.h"
#include "filter.h"
#include "preclose.h"
#include "ring.h"
#include "stats.h"
#include "summary.h"
#include "track.h"

static atomic64_t ct_next_id = ATOMIC64_INIT(0);
bool ct_sees_rcv_reset;

static bool ct_is_tcp(const struct sock *sk)
{
	return sk->sk_protocol == IPPROTO_TCP && sk->sk_type == SOCK_STREAM &&
	       (sk->sk_family == AF_INET || sk->sk_family == AF_INET6);
}
NOKPROBE_SYMBOL(ct_is_tcp);

static void ct_fill_task(struct ct_event *ev)
{
	ev->pid = task_tgid_nr(current);
	ev->tid = task_pid_nr(current);
	ev->vpid = task_tgid_vnr(current);
	ev->cgroup_id = ct_task_cgroup_id(current);
	/*
	 * A racy copy of comm is fine (as trace events do); zero-padded, as
	 * 5.10's set_task_comm() leaves old bytes after the NUL.
	 */
	strscpy_pad(ev->comm, current->comm, sizeof(ev->comm));
}
NOKPROBE_SYMBOL(ct_fill_task);

void ct_fill_sock(struct ct_event *ev, const struct socket *sock,
		  const struct sock *sk)
{
	const struct inet_sock *inet;

	if (sock)
		ev->ino = SOCK_INODE((struct socket *)sock)->i_ino;
	else if (sk && sk->sk_socket)
		ev->ino = SOCK_INODE(sk->sk_socket)->i_ino;
	if (!sk)
		return;
	ev->family = sk->sk_family;
	ev->protocol = sk->sk_protocol;
	ev->sock_type = sk->sk_type;
	ev->netns = sock_net(sk)->ns.inum;
	ev->uid = ct_sk_uid(sk);
	ev->cookie = ct_sock_cookie(sk);
	if (sk->sk_family == AF_INET) {
		inet = inet_sk(sk);
		memcpy(ev->saddr, &inet->inet_rcv_saddr, 4);
		memcpy(ev->daddr, &sk->sk_daddr, 4);
		ev->sport = ntohs(inet->inet_sport);
		ev->dport = ntohs(sk->sk_dport);
#if IS_ENABLED(CONFIG_IPV6)
	} else if (sk->sk_family == AF_INET6) {
		inet = inet_sk(sk);
		memcpy(ev->saddr, &sk->sk_v6_rcv_saddr, 16);
		memcpy(ev->daddr, &sk->sk_v6_daddr, 16);
		ev->sport = ntohs(inet->inet_sport);
		ev->dport = ntohs(sk->sk_dport);
#endif
	}
}
NOKPROBE_SYMBOL(ct_fill_sock);

/* tcp_info's counters (tcp_get_info()'s sources). */
void ct_read_counts(struct ct_tcp_counts *c, const struct sock *sk)
{
	const struct tcp_sock *tp = tcp_sk(sk);

	c->bytes_acked = READ_ONCE(tp->bytes_acked);
	c->bytes_received = READ_ONCE(tp->bytes_received);
	c->segs_in = READ_ONCE(tp->segs_in);
	c->segs_out = READ_ONCE(tp->segs_out);
	c->total_retrans = READ_ONCE(tp->total_retrans);
	c->srtt_us = READ_ONCE(tp->srtt_us) >> 3;
}
NOKPROBE_SYMBOL(ct_read_counts);

void ct_put_counts(struct ct_event *ev, const struct ct_tcp_counts *c)
{
	ev->bytes_acked = c->bytes_acked;
	ev->bytes_received = c->bytes_received;
	ev->segs_in = c->segs_in;
	ev->segs_out = c->segs_out;
	ev->total_retrans = c->total_retrans;
	ev->srtt_us = c->srtt_us;
}
NOKPROBE_SYMBOL(ct_put_counts);

/* tcp_inq(): bytes the application has not read, less an unread FIN. */
u32 ct_unread(const struct sock *sk)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	u32 n = READ_ONCE(tp->rcv_nxt) - READ_ONCE(tp->copied_seq);

	if (n && sock_flag(sk, SOCK_DONE))
		n--;
	return n;
}
NOKPROBE_SYMBOL(ct_unread);

static u32 ct_unsent(const struct sock *sk)
{
	const struct tcp_sock *tp = tcp_sk(sk);

	return READ_ONCE(tp->write_seq) - READ_ONCE(tp->snd_nxt);
}
NOKPROBE_SYMBOL(ct_unsent);

static u32 ct_unacked(const struct sock *sk)
{
	const struct tcp_sock *tp = tcp_sk(sk);

	return READ_ONCE(tp->snd_nxt) - READ_ONCE(tp->snd_una);
}
NOKPROBE_SYMBOL(ct_unacked);

u64 ct_new_close_id(void)
{
	return atomic64_inc_return(&ct_next_id);
}
NOKPROBE_SYMBOL(ct_new_close_id);

static struct ct_ctx *ct_new_ctx(const struct socket *sock,
				 const struct sock *sk)
{
	struct ct_ctx *ctx = ct_ctx_alloc();

	if (!ctx)
		return NULL;
	ctx->ev.close_id = atomic64_inc_return(&ct_next_id);
	ctx->ev.fd = CT_FD_NONE;
	ctx->ts_close = ktime_get_ns();
	ct_fill_task(&ctx->ev);
	ct_fill_sock(&ctx->ev, sock, sk);
	return ctx;
}
NOKPROBE_SYMBOL(ct_new_ctx);

/* Start a record from the context's identity fields (time: now). */
static void ct_ev_from(const struct ct_ctx *ctx, struct ct_event *ev,
		       u16 type, u8 reason)
{
	*ev = ctx->ev;
	ev->type = type;
	ev->reason = reason;
	ev->ts_ns = 0;
}
NOKPROBE_SYMBOL(ct_ev_from);

/* Emit a record that is the context's fields as they stand, at ts. */
static void ct_emit_from(const struct ct_ctx *ctx, struct ct_event *ev,
			 u16 type, u64 ts)
{
	ct_ev_from(ctx, ev, type, ctx->ev.reason);
	ev->ts_ns = ts;
	ct_ring_emit(ev);
}
NOKPROBE_SYMBOL(ct_emit_from);

/* ---- the fd close: fd number, and reference drops that keep the socket */

void ct_on_fd_close(unsigned int fd)
{
	struct files_struct *files = current->files;
	struct socket *sock;
	struct ct_ctx *ctx;
	struct file *file;
	struct sock *sk;
	bool is_sock;
	long refs;

	if (!files)
		return;
	/* The cheap exit for every other file: a hint under RCU alone. */
	rcu_read_lock();
	is_sock = ct_is_sock_file(ct_lookup_fd(files, fd));
	rcu_read_unlock();
	if (!is_sock)
		return;
	/*
	 * Pin what is read. With the fd table's lock held the file cannot
	 * leave the table (a sibling's close or dup2 of the same fd waits), so
	 * it keeps a reference and its socket keeps its sk. The fd-close
	 * function takes this lock itself just after this probe, never before
	 * it; it is only ever taken in process context.
	 */
	spin_lock(&files->file_lock);
	file = ct_lookup_fd(files, fd);
	if (!ct_is_sock_file(file))
		goto out;
	sock = SOCKET_I(file_inode(file));
	sk = READ_ONCE(sock->sk);
	if (!ct_filter_pass(sk)) {
		ct_stat_inc(filtered);
		goto out;
	}
	refs = ct_file_refs(file);
	if (refs > 1) {
		struct ct_event ev = { .type = CT_EV_REFDROP };

		ev.close_id = atomic64_inc_return(&ct_next_id);
		ev.fd = fd;
		ev.refs = refs - 1;
		ev.reason = CT_R_REFDROP;
		ct_fill_task(&ev);
		ct_fill_sock(&ev, sock, sk);
		if (sk && ct_is_tcp(sk))
			ev.state_before = ev.state_after = READ_ONCE(sk->sk_state);
		ct_ring_emit(&ev);
		ct_stat_inc(refdrops);
		goto out;
	}
	ctx = ct_new_ctx(sock, NULL);
	if (!ctx)
		goto out;
	ctx->ev.fd = fd;
	ctx->phase = CT_PH_PENDING;
	ct_track_insert(ctx, file);
out:
	spin_unlock(&files->file_lock);
}
NOKPROBE_SYMBOL(ct_on_fd_close);

void ct_on_final_put(struct file *file)
{
	struct ct_bucket *b;
	struct ct_ctx *ctx;
	unsigned long flags;

	if (!ct_bucket_maybe(file))
		return;
	b = ct_bucket_of(file);
	spin_lock_irqsave(&b->lock, flags);
	ctx = ct_find_locked(b, file);
	if (ctx && ctx->phase == CT_PH_PENDING && ct_file_refs(file) == 1) {
#ifdef CT_HAVE_DEFERRED_CLOSE_PUT
		/* This kernel releases the file later, from task work. */
		ctx->ev.flags |= CT_F_DEFERRED_PUT;
#endif
	}
	spin_unlock_irqrestore(&b->lock, flags);
}
NOKPROBE_SYMBOL(ct_on_final_put);

/* ---- the socket's release (sock_close): every way the last ref goes */

static void ct_count_release(const struct sock *sk)
{
	if (sk->sk_family == AF_UNIX)
		ct_stat_inc(closes_unix);
	else if (sk->sk_protocol == IPPROTO_UDP)
		ct_stat_inc(closes_udp);
	else
		ct_stat_inc(closes_other);
}
NOKPROBE_SYMBOL(ct_count_release);

void ct_on_sock_release(struct socket *sock, struct file *file)
{
	struct sock *sk = sock->sk;
	struct ct_ctx *ctx = file ? ct_track_remove(file) : NULL;

	if (!sk) {
		if (ctx)
			ct_ctx_free(ctx);
		return;
	}
	if (!ctx) {
		/* No fd close seen: exit, dup2, close_range, exec, SCM_RIGHTS. */
		if (!READ_ONCE(ct_enabled))
			return;
		if (!ct_filter_pass(sk)) {
			ct_stat_inc(filtered);
			return;
		}
		ctx = ct_new_ctx(sock, sk);
		if (!ctx)
			return;
		if (!file)
			ctx->ev.flags |= CT_F_NO_FILE;
	} else {
		ct_fill_sock(&ctx->ev, sock, sk);
	}

	if (!ct_is_tcp(sk)) {
		struct ct_event ev;

		ctx->ev.reason = CT_R_RELEASE;
		ct_emit_from(ctx, &ev, CT_EV_RELEASE, ctx->ts_close);
		ct_count_release(sk);
		ct_ctx_free(ctx);
		return;
	}
	ctx->phase = CT_PH_RELEASING;
	ctx->state_cur = READ_ONCE(sk->sk_state);
	ct_track_insert(ctx, sk);
}
NOKPROBE_SYMBOL(ct_on_sock_release);

/*
 * Find the context of sk, or start one for a socket released by the kernel.
 * Returns with b's lock held when it returns a context.
 */
static struct ct_ctx *ct_lookup_or_new(struct ct_bucket *b, struct sock *sk,
				       unsigned long *flags)
	__acquires(&b->lock)
{
	struct ct_ctx *ctx;

	spin_lock_irqsave(&b->lock, *flags);
	ctx = ct_find_locked(b, sk);
	if (ctx)
		return ctx;
	spin_unlock_irqrestore(&b->lock, *flags);

	if (!READ_ONCE(ct_enabled) || !ct_is_tcp(sk) || !ct_filter_pass(sk))
		return NULL;
	ctx = ct_new_ctx(sk->sk_socket, sk);
	if (!ctx)
		return NULL;
	if (!sk->sk_socket || !sk->sk_socket->file)
		ctx->ev.flags |= CT_F_NO_FILE;
	ctx->phase = CT_PH_RELEASING;
	ctx->state_cur = READ_ONCE(sk->sk_state);
	ct_track_insert(ctx, sk);
	spin_lock_irqsave(&b->lock, *flags);
	ctx = ct_find_locked(b, sk);
	if (!ctx)
		spin_unlock_irqrestore(&b->lock, *flags);
	return ctx;
}
NOKPROBE_SYMBOL(ct_lookup_or_new);

void ct_on_inet_release(struct socket *sock, bool inet6)
{
	struct sock *sk = sock->sk;
	struct ct_bucket *b;
	struct ct_ctx *ctx;
	unsigned long flags;

	if (!sk || !ct_is_tcp(sk))
		return;
	b = ct_bucket_of(sk);
	ctx = ct_lookup_or_new(b, sk, &flags);
	if (!ctx)
		return;
	if (inet6) {
		ctx->ev.flags |= CT_F_IPV6_RELEASE;
	} else {
		/* inet_release(): linger applies unless the task is exiting. */
		ctx->snap.linger_on = sock_flag(sk, SOCK_LINGER);
		ctx->snap.linger_sec = READ_ONCE(sk->sk_lingertime) / HZ;
		if (current->flags & PF_EXITING)
			ctx->ev.flags |= CT_F_EXITING;
	}
	spin_unlock_irqrestore(&b->lock, flags);
}
NOKPROBE_SYMBOL(ct_on_inet_release);

/* ---- tcp_close: the decision */

static struct ct_ctx *ct_lookup(const struct sock *sk, struct ct_bucket **bp,
				unsigned long *flags)
	__acquires(&(*bp)->lock);

/* What tcp_close decides on, and what it predicts (ctx locked). */
static void ct_take_snapshot(struct ct_ctx *ctx, const struct sock *sk)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	struct ct_snapshot *s = &ctx->snap;
	struct ct_tcp_counts c;
	struct ct_verdict v;

	s->state = READ_ONCE(sk->sk_state);
	ctx->state_cur = s->state;
	s->repair = tp->repair;
	ct_read_counts(&c, sk);
	ct_put_counts(&ctx->ev, &c);
	/* Read again here: inet_release may not have been seen. */
	s->linger_on = sock_flag(sk, SOCK_LINGER);
	s->linger_sec = READ_ONCE(sk->sk_lingertime) / HZ;
	s->linger2 = READ_ONCE(tp->linger2);
	if (s->linger2 > 0)
		s->linger2 /= HZ;
	s->unread = ct_unread(sk);
	s->unsent = ct_unsent(sk);
	/*
	 * Dead by connect(AF_UNSPEC): tcp_disconnect() purged the queues and
	 * then moved write_seq on by the peer's largest window (+2), so
	 * write_seq - snd_nxt is that jump, not data.
	 */
	if (s->state == TCP_CLOSE && ctx->ev.death == CT_R_DISCONNECT)
		s->unsent = 0;
	s->reset_on_disconnect = ct_disconnect_resets(s->state, s->unsent);
	ctx->ev.state_before = s->state;
	ctx->ev.unread = s->unread;
	ctx->ev.unsent = s->unsent;
	ctx->ev.unacked = ct_unacked(sk);
	ctx->ev.linger_on = s->linger_on;
	ctx->ev.linger_sec = s->linger_sec;
	ctx->ev.linger2 = s->linger2;
	ctx->ev.flags &= ~(CT_F_REPAIR | CT_F_LINGER2_NEG);
	if (s->repair)
		ctx->ev.flags |= CT_F_REPAIR;
	if (s->linger2 < 0)
		ctx->ev.flags |= CT_F_LINGER2_NEG;
	if (s->state == TCP_LISTEN)
		ctx->ev.refs = READ_ONCE(sk->sk_ack_backlog) +
			reqsk_queue_len(&inet_csk(sk)->icsk_accept_queue);
	v = ct_predict(s);
	ctx->ev.pred_action = v.action;
	ctx->ev.pred_reason = v.reason;
}
NOKPROBE_SYMBOL(ct_take_snapshot);

/*
 * tcp_send_fin() queues the FIN by advancing write_seq by one, on the tail
 * skb or a new one; when it cannot allocate that skb it returns with
 * nothing queued, and the close sends no FIN at all. So the next look at
 * the socket in the close (a state change, a RST, its destruction, or
 * tcp_close's return while it lives) compares write_seq (ctx locked).
 */
static void ct_check_fin(struct ct_ctx *ctx, const struct sock *sk)
{
	if (!ctx->fin_check)
		return;
	ctx->fin_check = false;
	if (READ_ONCE(tcp_sk(sk)->write_seq) == ctx->fin_seq)
		ctx->obs.fin_failed = true;
}
NOKPROBE_SYMBOL(ct_check_fin);

/*
 * What the socket's life before the close left (preclose.c): its death, and
 * the DEATH record's close id, which the close takes over; or its time in
 * CLOSE_WAIT (ctx locked).
 */
static void ct_apply_pre(struct ct_ctx *ctx, const struct ct_pre_info *pre)
{
	ctx->born_ts = pre->born_ts;
	if (pre->born_ts)
		ctx->ev.lifetime_ns = ctx->ts_tcp_close - pre->born_ts;
	if (pre->kind == CT_PRE_DEAD) {
		ctx->ev.close_id = pre->close_id;
		ctx->ev.death = pre->death;
		ctx->ev.sk_err = pre->sk_err;
		ctx->ev.retransmits = pre->retransmits;
		ctx->ev.since_ns = ctx->ts_tcp_close - pre->ts;
	} else if (pre->kind == CT_PRE_CLOSE_WAIT && pre->cw_ts) {
		ctx->ev.since_ns = ctx->ts_tcp_close - pre->cw_ts;
	}
}
NOKPROBE_SYMBOL(ct_apply_pre);

bool ct_on_tcp_close(struct sock *sk, long timeout, u64 *close_id)
{
	struct ct_bucket *b = ct_bucket_of(sk);
	struct ct_pre_info pre;
	struct ct_ctx *ctx;
	unsigned long flags;
	bool have_pre;

	if (!ct_is_tcp(sk))
		return false;
	/* Taken whether or not this close is followed: the close ends it. */
	have_pre = ct_pre_take(sk, &pre);
	ctx = ct_lookup_or_new(b, sk, &flags);
	if (!ctx)
		return false;
	ctx->phase = CT_PH_IN_CLOSE;
	ctx->ts_tcp_close = ktime_get_ns();
	if (have_pre)
		ct_apply_pre(ctx, &pre);
	ctx->ev.timeout_ms = jiffies_to_msecs(timeout);
	/* A first look; __tcp_close's entry looks again, with the lock held. */
	ct_take_snapshot(ctx, sk);
	*close_id = ctx->ev.close_id;
	spin_unlock_irqrestore(&b->lock, flags);
	return true;
}
NOKPROBE_SYMBOL(ct_on_tcp_close);

/*
 * tcp_close's kretprobe had no free instance (more closes inside tcp_close
 * at once than max_closing): neither its entry nor its return is seen. The
 * CLOSE record is written now, at __tcp_close's entry, from the locked
 * snapshot: action and reason are the prediction, nothing is counted, and
 * the flags say so. The close is followed from here as an orphan, so what
 * the kernel does next is still written, as STATE, RESET, TIMEWAIT and END
 * records that carry the same flags (their in-close is not known).
 */
static void ct_close_no_return(struct ct_ctx *ctx, const struct sock *sk,
			       long timeout, const struct ct_pre_info *pre)
{
	struct ct_event out;

	ctx->ts_tcp_close = ktime_get_ns();
	if (pre)
		ct_apply_pre(ctx, pre);
	ctx->ev.timeout_ms = jiffies_to_msecs(timeout);
	ct_take_snapshot(ctx, sk);
	ctx->ev.flags |= CT_F_SNAP_LOCKED | CT_F_INCOMPLETE | CT_F_NO_RETURN;
	ctx->ev.action = ctx->ev.pred_action;
	ctx->ev.reason = ctx->ev.pred_reason;
	ctx->ev.state_after = ctx->snap.state;
	ct_emit_from(ctx, &out, CT_EV_CLOSE, ctx->ts_close);
	ct_stat_inc(closes_tcp);
	ct_stat_inc(incomplete);
	ctx->phase = CT_PH_ORPHAN;
}
NOKPROBE_SYMBOL(ct_close_no_return);

/*
 * __tcp_close()'s entry. It runs with the socket lock held (lock_sock):
 * softirq only queues to the backlog and the timers wait, so state and
 * queues stand still for the snapshot. tcp_close's own entry comes before
 * lock_sock().
 */
void ct_on___tcp_close(struct sock *sk, long timeout)
{
	struct ct_pre_info pre;
	struct ct_bucket *b;
	struct ct_ctx *ctx;
	unsigned long flags;
	bool have_pre;

	if (!ct_is_tcp(sk))
		return;
	/* tcp_close's entry may have been missed: the close ends it. */
	have_pre = ct_pre_take(sk, &pre);
	ctx = ct_lookup(sk, &b, &flags);
	if (!ctx)
		return;
	if (ctx->phase == CT_PH_IN_CLOSE && !ctx->obs.fins && !ctx->obs.rsts &&
	    !ctx->obs.disconnect) {
		ct_take_snapshot(ctx, sk);
		ctx->ev.flags |= CT_F_SNAP_LOCKED;
	} else if (ctx->phase == CT_PH_RELEASING) {
		ct_close_no_return(ctx, sk, timeout, have_pre ? &pre : NULL);
	}
	spin_unlock_irqrestore(&b->lock, flags);
}
NOKPROBE_SYMBOL(ct_on___tcp_close);

static bool ct_closing_state(u8 state)
{
	return state == TCP_FIN_WAIT1 || state == TCP_CLOSING ||
	       state == TCP_LAST_ACK;
}
NOKPROBE_SYMBOL(ct_closing_state);

static void ct_emit_end(struct ct_ctx *ctx, u64 now)
{
	struct ct_event ev;

	ctx->ev.reason = CT_R_DESTROYED;
	ctx->ev.count = now - ctx->ts_close;
	if (ctx->born_ts)
		ctx->ev.lifetime_ns = now - ctx->born_ts;
	ctx->ev.state_before = ctx->state_cur;
	if (ctx->timewait)
		ctx->ev.flags |= CT_F_TIMEWAIT;
	if (ctx->end_counts_set)
		ct_put_counts(&ctx->ev, &ctx->end_counts);
	ct_emit_from(ctx, &ev, CT_EV_END, now);
	ct_stat_inc(ends);
}
NOKPROBE_SYMBOL(ct_emit_end);

/*
 * sk is only a key here: when tcp_close destroyed the socket it may be freed
 * already, so it is dereferenced only when its context, found under sk's
 * key with the bucket locked, has not seen its destruction (which takes
 * that lock before the socket can be freed).
 */
void ct_on_tcp_close_ret(const struct sock *sk, u64 close_id)
{
	struct ct_bucket *b = ct_bucket_of(sk);
	struct ct_event *ev;
	struct ct_ctx *ctx;
	unsigned long flags;
	struct ct_verdict v;
	struct ct_event out;
	u64 now = ktime_get_ns();

	spin_lock_irqsave(&b->lock, flags);
	ctx = ct_find_locked(b, sk);
	if (!ctx || ctx->ev.close_id != close_id)
		ctx = ct_find_locked(b, ct_retired_key(close_id));
	if (!ctx || ctx->ev.close_id != close_id ||
	    ctx->phase != CT_PH_IN_CLOSE) {
		spin_unlock_irqrestore(&b->lock, flags);
		return;
	}
	if (!ctx->destroyed)
		ct_check_fin(ctx, sk);
	ev = &ctx->ev;
	v = ct_observe(&ctx->snap, &ctx->obs);
	ev->action = v.action;
	ev->reason = v.reason;
	ev->state_after = ctx->state_cur;
	/* A FIN still queued when a RST came never left; one not queued neither. */
	ev->fins = ctx->obs.fins - (ctx->obs.fins && (ctx->obs.fin_discarded ||
						     ctx->obs.fin_failed));
	ev->rsts = ctx->obs.rsts;
	ev->krst = ctx->obs.krst;
	ev->blocked_ns = now - ctx->ts_tcp_close;
	if (ctx->obs.fin_queued)
		ev->flags |= CT_F_FIN_QUEUED;
	if (ctx->obs.fins && ctx->obs.fin_discarded)
		ev->flags |= CT_F_FIN_DISCARDED;
	if (ctx->obs.fins && ctx->obs.fin_failed)
		ev->flags |= CT_F_FIN_FAILED;
	if (ctx->obs.fin_on_sent)
		ev->flags |= CT_F_FIN_RETRANSMIT;
	if (ctx->obs.disconnect)
		ev->flags |= CT_F_DISCONNECT;
	if (ev->timeout_ms && !ctx->obs.disconnect &&
	    (ctx->obs.fins || ct_closing_state(ctx->snap.state))) {
		ev->flags |= CT_F_LINGER_WAIT;
		/*
		 * Still closing: the time ran out, or a signal cut the wait
		 * (sk_stream_wait_close() stops on signal_pending(); the
		 * signal is delivered only on the way back to user space).
		 */
		if (ct_closing_state(ctx->state_cur))
			ev->flags |= signal_pending(current) ?
				     CT_F_LINGER_INTERRUPTED : CT_F_LINGER_EXPIRED;
	}
	if (v.action != ev->pred_action || v.reason != ev->pred_reason) {
		ev->flags |= CT_F_MISMATCH;
		ct_stat_inc(mismatches);
	}
	ct_emit_from(ctx, &out, CT_EV_CLOSE, ctx->ts_close);
	ct_stat_inc(closes_tcp);
	this_cpu_inc(ct_stats.actions[v.action]);
	this_cpu_inc(ct_stats.reasons[v.reason]);
	ctx->phase = CT_PH_ORPHAN;
	if (ctx->destroyed) {
		ct_emit_end(ctx, now);
		ct_remove_locked(ctx);
		spin_unlock_irqrestore(&b->lock, flags);
		ct_ctx_free(ctx);
		return;
	}
	spin_unlock_irqrestore(&b->lock, flags);
}
NOKPROBE_SYMBOL(ct_on_tcp_close_ret);

/* ---- outcomes, seen inside the close or later in the orphan */

/* Look sk up; returns with the bucket (*bp) locked when found. */
static struct ct_ctx *ct_lookup(const struct sock *sk, struct ct_bucket **bp,
				unsigned long *flags)
	__acquires(&(*bp)->lock)
{
	struct ct_bucket *b;
	struct ct_ctx *ctx;

	if (!ct_bucket_maybe(sk))
		return NULL;
	b = ct_bucket_of(sk);
	spin_lock_irqsave(&b->lock, *flags);
	ctx = ct_find_locked(b, sk);
	if (!ctx || ctx->phase == CT_PH_PENDING) {
		spin_unlock_irqrestore(&b->lock, *flags);
		return NULL;
	}
	*bp = b;
	return ctx;
}
NOKPROBE_SYMBOL(ct_lookup);

void ct_on_tcp_send_fin(struct sock *sk)
{
	struct ct_bucket *b;
	struct ct_ctx *ctx;
	unsigned long flags;

	ctx = ct_lookup(sk, &b, &flags);
	if (!ctx)
		return;
	if (ctx->phase == CT_PH_IN_CLOSE) {
		ctx->obs.fins++;
		ctx->fin_seq = READ_ONCE(tcp_sk(sk)->write_seq);
		ctx->fin_check = true;
		/* Under the socket lock: exact. FIN rides on the tail skb. */
		ctx->ev.unsent = ct_unsent(sk);
		if (tcp_write_queue_tail(sk)) {
			ctx->obs.fin_queued = true;
		} else if (tcp_under_memory_pressure(sk) && tcp_rtx_queue_tail(sk)) {
			/*
			 * Under TCP memory pressure it goes on the last sent
			 * skb instead, and leaves with its retransmission.
			 */
			ctx->obs.fin_queued = true;
			ctx->obs.fin_on_sent = true;
		}
	}
	spin_unlock_irqrestore(&b->lock, flags);
}
NOKPROBE_SYMBOL(ct_on_tcp_send_fin);

void ct_on_tcp_disconnect(struct sock *sk)
{
	struct ct_bucket *b;
	struct ct_ctx *ctx;
	unsigned long flags;

	ctx = ct_lookup(sk, &b, &flags);
	if (!ctx) {
		/* connect(AF_UNSPEC), shutdown() of a listener: no close. */
		ct_pre_on_disconnect(sk);
		return;
	}
	if (ctx->phase == CT_PH_IN_CLOSE)
		ctx->obs.disconnect = true;
	spin_unlock_irqrestore(&b->lock, flags);
}
NOKPROBE_SYMBOL(ct_on_tcp_disconnect);

/*
 * Did tcp_time_wait() hand sk over? It puts a timewait socket for the same
 * connection in the established hash (inet_twsk_hashdance*) before
 * tcp_done() moves sk to CLOSE; no other way to CLOSE creates one. So the
 * hand-over is seen at that state change, from the state tracepoint, with
 * no kprobe in softirq context (where a kprobe hit nested in another
 * handler is lost), by finding the timewait socket itself. It also gives
 * the true substate and lifetime.
 */
static bool ct_twsk_match(const struct sock *tw, const struct sock *sk)
{
	/* tcp_set_state(CLOSE) let go of the port (inet_num 0): use sport. */
	if (tw->sk_state != TCP_TIME_WAIT || tw->sk_hash != sk->sk_hash ||
	    tw->sk_family != sk->sk_family || tw->sk_dport != sk->sk_dport ||
	    inet_twsk(tw)->tw_sport != inet_sk(sk)->inet_sport ||
	    !net_eq(sock_net(tw), sock_net(sk)))
		return false;
	if (sk->sk_family == AF_INET)
		return tw->sk_daddr == sk->sk_daddr &&
		       tw->sk_rcv_saddr == sk->sk_rcv_saddr;
#if IS_ENABLED(CONFIG_IPV6)
	if (sk->sk_family == AF_INET6)
		return ipv6_addr_equal(&tw->sk_v6_daddr, &sk->sk_v6_daddr) &&
		       ipv6_addr_equal(&tw->sk_v6_rcv_saddr, &sk->sk_v6_rcv_saddr);
#endif
	return false;
}
NOKPROBE_SYMBOL(ct_twsk_match);

static const struct sock *ct_twsk_find(const struct sock *sk, u8 *substate,
					long *expires)
{
	struct inet_hashinfo *h = ct_tcp_hashinfo(sk);
	unsigned int slot = sk->sk_hash & h->ehash_mask;
	struct inet_ehash_bucket *head = &h->ehash[slot];
	const struct hlist_nulls_node *node;
	struct sock *tw, *found = NULL;
	int tries = 0;

	rcu_read_lock();
again:
	sk_nulls_for_each_rcu(tw, node, &head->chain) {
		if (ct_twsk_match(tw, sk)) {
			*substate = READ_ONCE(inet_twsk(tw)->tw_substate);
			*expires = (long)(READ_ONCE(inet_twsk(tw)->tw_timer.expires) -
					  jiffies);
			found = tw;
			break;
		}
	}
	if (!found && get_nulls_value(node) != slot && ++tries < CT_EHASH_RETRIES)
		goto again;
	rcu_read_unlock();
	return found;
}
NOKPROBE_SYMBOL(ct_twsk_find);

/*
 * The hand-over (ctx locked). tw is followed to its end from here
 * (preclose.c): a key, and read only while the timewait hooks say it lives.
 */
static void ct_emit_timewait(struct ct_ctx *ctx, int oldstate, u8 substate,
			     long expires, const struct sock *tw,
			     const struct sock *sk)
{
	struct ct_event ev;

	ctx->timewait = true;
	ct_ev_from(ctx, &ev, CT_EV_TIMEWAIT, CT_R_TIMEWAIT);
	ev.state_before = oldstate;
	ev.state_after = substate;
	ev.timeout_ms = expires > 0 ? jiffies_to_msecs(expires) : 0;
	ct_ring_emit(&ev);
	ct_stat_inc(timewaits);
	ct_pre_tw_start(tw, ct_tcp_hashinfo(sk), sk->sk_hash, ctx->ev.close_id,
			&ctx->ev, ctx->born_ts);
}
NOKPROBE_SYMBOL(ct_emit_timewait);

void ct_on_state(const struct sock *sk, int oldstate, int newstate)
{
	struct ct_bucket *b;
	struct ct_ctx *ctx;
	unsigned long flags;
	struct ct_event ev;
	const struct sock *tw;
	long expires;
	u8 substate;

	if (sk->sk_protocol != IPPROTO_TCP)
		return;
	if (newstate == TCP_CLOSE_WAIT)
		ct_summary_close_wait();
	ctx = ct_lookup(sk, &b, &flags);
	if (!ctx) {
		ct_pre_on_state(sk, oldstate, newstate);
		return;
	}
	ct_check_fin(ctx, sk);
	if (newstate == TCP_CLOSE) {
		ctx->pre_close = oldstate;
		if (oldstate == TCP_FIN_WAIT1 || oldstate == TCP_FIN_WAIT2 ||
		    oldstate == TCP_CLOSING) {
			tw = ct_twsk_find(sk, &substate, &expires);
			if (tw)
				ct_emit_timewait(ctx, oldstate, substate,
						 expires, tw, sk);
		}
	}
	ctx->state_cur = newstate;
	ct_ev_from(ctx, &ev, CT_EV_STATE, CT_R_STATE);
	ev.state_before = oldstate;
	ev.state_after = newstate;
	if (ctx->phase != CT_PH_ORPHAN)
		ev.flags |= CT_F_IN_CLOSE;
	ct_ring_emit(&ev);
	spin_unlock_irqrestore(&b->lock, flags);
	ct_stat_inc(orphan_states);
}
NOKPROBE_SYMBOL(ct_on_state);

void ct_on_rcv_reset(const struct sock *sk)
{
	struct ct_bucket *b;
	struct ct_ctx *ctx;
	unsigned long flags;

	ct_summary_reset_received();
	ctx = ct_lookup(sk, &b, &flags);
	if (!ctx)
		return;
	ctx->rcv_reset = true;
	spin_unlock_irqrestore(&b->lock, flags);
}
NOKPROBE_SYMBOL(ct_on_rcv_reset);

/*
 * A RST that follows its socket's END. On the reply paths of a closing or
 * orphaned socket (data after close; a TCP_LINGER2 < 0 FIN_WAIT1 socket
 * getting its ACK) tcp_rcv_state_process() calls tcp_done(), which destroys
 * the socket, and tcp_v4_do_rcv()/tcp_v6_do_rcv() send the RST after, with
 * the socket still referenced, on the same CPU with bottom halves off. So
 * each CPU keeps its last END for that RST. A RST matches it only from the
 * same socket, dead, in CLOSE, with the same ports.
 */
struct ct_last_end {
	const void *sk;		/* key only: never dereferenced */
	bool in_close;		/* the context waits for tcp_close's return */
	bool rcv_reset;
	u8 pre_close;
	struct ct_snapshot snap;
	struct ct_event ev;	/* identity fields */
};

static DEFINE_PER_CPU(struct ct_last_end, ct_last_end);

/* With the context's bucket locked (interrupts off). */
static void ct_keep_last_end(const struct ct_ctx *ctx, const struct sock *sk)
{
	struct ct_last_end *le = this_cpu_ptr(&ct_last_end);

	le->sk = sk;
	le->in_close = ctx->phase == CT_PH_IN_CLOSE;
	le->rcv_reset = ctx->rcv_reset;
	le->pre_close = ctx->pre_close;
	le->snap = ctx->snap;
	le->ev = ctx->ev;
}
NOKPROBE_SYMBOL(ct_keep_last_end);

static bool ct_take_last_end(const struct sock *sk, struct ct_last_end *out)
{
	struct ct_last_end *le;
	unsigned long flags;
	bool hit;

	local_irq_save(flags);
	le = this_cpu_ptr(&ct_last_end);
	hit = le->sk == sk && sock_flag(sk, SOCK_DEAD) &&
	      READ_ONCE(sk->sk_state) == TCP_CLOSE &&
	      le->ev.sport == ntohs(inet_sk(sk)->inet_sport) &&
	      le->ev.dport == ntohs(sk->sk_dport);
	if (hit) {
		*out = *le;
		le->sk = NULL;
	}
	local_irq_restore(flags);
	return hit;
}
NOKPROBE_SYMBOL(ct_take_last_end);

/* Count a RST in the close still running (ctx locked) and give its reason. */
static void ct_rst_in_close(struct ct_ctx *ctx, const struct sock *sk,
			    struct ct_event *ev, struct ct_rst_seen *r)
{
	if (sk)
		ct_check_fin(ctx, sk);
	r->in_close = true;
	r->fin_sent = ctx->obs.fins && !ctx->obs.fin_failed;
	r->disconnect = ctx->obs.disconnect;
	/* The FIN consumes a sequence number: unsent while snd_nxt lags. */
	if (sk && r->fin_sent && !ctx->obs.rsts && ct_unsent(sk))
		ctx->obs.fin_discarded = true;
	if (sk && !ctx->obs.rsts && !ctx->obs.fins && !ctx->obs.disconnect) {
		/* Under the socket lock, after the queue purge: exact. */
		ctx->ev.unread = ct_unread(sk);
		ctx->snap.unread = ctx->ev.unread;
	}
	ev->reason = ct_rst_reason(&ctx->snap, r);
	if (!ctx->obs.rsts++) {
		ctx->obs.krst = r->krst;
		ctx->obs.rst_reason = ev->reason;
	}
	ev->unread = ctx->ev.unread;
	ev->flags |= CT_F_IN_CLOSE;
}
NOKPROBE_SYMBOL(ct_rst_in_close);

/*
 * Flags of a RST that answered a segment. Without tcp_reset()'s tracepoint,
 * whether it was abort-data is a guess.
 */
static u32 ct_reply_flags(void)
{
	return CT_F_REPLY | (READ_ONCE(ct_sees_rcv_reset) ? 0 : CT_F_NOT_OBSERVED);
}
NOKPROBE_SYMBOL(ct_reply_flags);

/* The RST of a socket whose END is written already. */
static void ct_reset_after_end(const struct sock *sk, u8 krst)
{
	struct ct_rst_seen r = { .krst = krst, .reply = true };
	struct ct_last_end le;
	struct ct_bucket *b;
	struct ct_ctx *ctx;
	unsigned long flags;
	struct ct_event ev;

	if (!ct_take_last_end(sk, &le))
		return;
	r.rcv_reset = le.rcv_reset;
	r.pre_close = le.pre_close;
	if (le.in_close) {
		/* Destroyed inside tcp_close: its context is retired, not gone. */
		b = ct_bucket_of(sk);
		spin_lock_irqsave(&b->lock, flags);
		ctx = ct_find_locked(b, ct_retired_key(le.ev.close_id));
		if (ctx && ctx->ev.close_id == le.ev.close_id &&
		    ctx->phase == CT_PH_IN_CLOSE) {
			ct_ev_from(ctx, &ev, CT_EV_RESET, CT_R_UNKNOWN);
			ev.krst = krst;
			ev.state_before = TCP_CLOSE;
			ct_rst_in_close(ctx, NULL, &ev, &r);
			ev.flags |= ct_reply_flags() | CT_F_AFTER_END;
			ct_ring_emit(&ev);
			spin_unlock_irqrestore(&b->lock, flags);
			return;
		}
		spin_unlock_irqrestore(&b->lock, flags);
	}
	ev = le.ev;
	ev.type = CT_EV_RESET;
	ev.ts_ns = 0;
	ev.krst = krst;
	ev.state_before = TCP_CLOSE;
	ev.reason = ct_rst_reason(&le.snap, &r);
	ev.flags |= ct_reply_flags() | CT_F_AFTER_END;
	ct_ring_emit(&ev);
	ct_stat_inc(orphan_resets);
}
NOKPROBE_SYMBOL(ct_reset_after_end);

void ct_on_reset(const struct sock *sk, bool reply, u8 krst)
{
	struct ct_rst_seen r = { .krst = krst, .reply = reply };
	struct ct_bucket *b;
	struct ct_ctx *ctx;
	unsigned long flags;
	struct ct_event ev;

	ctx = ct_lookup(sk, &b, &flags);
	if (!ctx) {
		/* Only the reply path sends a RST after tcp_done(). */
		if (reply)
			ct_reset_after_end(sk, krst);
		else
			ct_pre_on_reset_sent(sk, krst);
		return;
	}
	ct_ev_from(ctx, &ev, CT_EV_RESET, CT_R_UNKNOWN);
	ev.krst = krst;
	ev.state_before = READ_ONCE(sk->sk_state);
	r.rcv_reset = ctx->rcv_reset;
	/*
	 * The state it leaves for CLOSE: tcp_close sets CLOSE before its
	 * RSTs, the timers send theirs first and tcp_done() after.
	 */
	r.pre_close = ev.state_before == TCP_CLOSE ? ctx->pre_close : ev.state_before;
	if (ctx->phase != CT_PH_ORPHAN) {
		ct_rst_in_close(ctx, sk, &ev, &r);
	} else {
		ev.reason = ct_rst_reason(&ctx->snap, &r);
		ct_stat_inc(orphan_resets);
	}
	if (reply)
		ev.flags |= ct_reply_flags();
	ct_ring_emit(&ev);
	spin_unlock_irqrestore(&b->lock, flags);
}
NOKPROBE_SYMBOL(ct_on_reset);

void ct_on_destroy(const struct sock *sk)
{
	struct ct_bucket *b;
	struct ct_ctx *ctx;
	unsigned long flags;

	/* Nothing kept for a socket outlives it. */
	ct_pre_forget(sk);
	ctx = ct_lookup(sk, &b, &flags);
	if (!ctx)
		return;
	ct_check_fin(ctx, sk);
	/* tcp_disconnect() zeroed them: END keeps the close's. */
	if (!ctx->obs.disconnect) {
		ct_read_counts(&ctx->end_counts, sk);
		ctx->end_counts_set = true;
	}
	ct_keep_last_end(ctx, sk);
	if (ctx->phase == CT_PH_IN_CLOSE) {
		/*
		 * Destroyed inside tcp_close: its return writes CLOSE, then
		 * END. Until then the context must not answer to sk's address.
		 */
		ctx->destroyed = true;
		ctx->key = ct_retired_key(ctx->ev.close_id);
		spin_unlock_irqrestore(&b->lock, flags);
		return;
	}
	if (ctx->phase == CT_PH_RELEASING) {
		/* tcp_close's entry was missed (nmissed): say so, and let go. */
		ctx->ev.flags |= CT_F_INCOMPLETE;
		ct_stat_inc(incomplete);
	}
	ct_emit_end(ctx, ktime_get_ns());
	ct_remove_locked(ctx);
	spin_unlock_irqrestore(&b->lock, flags);
	ct_ctx_free(ctx);
}
NOKPROBE_SYMBOL(ct_on_destroy);
