// SPDX-License-Identifier: GPL-2.0
/*
 * The hooks, by role. Each role has an ordered list of candidates (kernel
 * tracepoints first where the kernel has one, then kprobes); the first that
 * attaches serves the role and /proc/closetrace/probes says which. A role
 * marked essential that cannot be attached fails the load, naming the role
 * and what was tried.
 *
 * Handlers are thin: count the hit, decode the arguments and hand over to
 * close.c. Only the hooks that start following a close check the enable
 * switch; the others only find closes already followed, so that a close
 * begun before "disable" is still told to its end.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/file.h>
#include <linux/kprobes.h>
#include <linux/percpu.h>
#include <linux/tracepoint.h>
#include <net/tcp.h>	/* before inet_common.h, which needs it on 5.10 */
#include <net/inet_common.h>
#include <net/inet_timewait_sock.h>
#include <net/ipv6.h>
#include <trace/events/sock.h>
#include <trace/events/tcp.h>
#include "compat.h"
#include "close.h"
#include "ct_classify.h"
#include "filter.h"
#include "preclose.h"
#include "probes.h"

enum ct_kind { CT_KPROBE, CT_KRETPROBE, CT_TRACEPOINT };

/* Which function a candidate symbol is, when a role has several. */
enum ct_variant { CT_V_DEFAULT, CT_V_SOCK_CLOSE, CT_V_SOCK_RELEASE };

struct ct_cand {
	enum ct_kind kind;
	const char *name;
	enum ct_variant variant;
};

struct ct_hook {
	const char *role;
	bool essential;
	bool per_file;		/* fires for every file's close */
	const struct ct_cand *cands;	/* ends with a NULL name */
	const struct ct_cand *used;	/* the one attached, or NULL */
	struct kprobe kp;
	struct kretprobe krp;
	struct tracepoint *tp;
};

enum ct_role {
	CT_ROLE_FD_CLOSE,
	CT_ROLE_FINAL_PUT,
	CT_ROLE_SOCK_RELEASE,
	CT_ROLE_INET_RELEASE,
	CT_ROLE_INET6_RELEASE,
	CT_ROLE_TCP_CLOSE,
	CT_ROLE___TCP_CLOSE,
	CT_ROLE_SEND_FIN,
	CT_ROLE_DISCONNECT,
	CT_ROLE_STATE,
	CT_ROLE_RESET,
	CT_ROLE_RCV_RESET,
	CT_ROLE_DESTROY,
	CT_ROLE_TW_EXPIRE,
	CT_ROLE_TW_KILL,
	CT_ROLE_TW_SEGMENT,
	CT_ROLE_TW_PURGE,
	CT_ROLE_MAX
};

static DEFINE_PER_CPU(unsigned long, ct_hits[CT_ROLE_MAX]);
static bool ct_hooks_only;
static int ct_max_closing;
static bool ct_file_hooks = true;

/* Count the hit; true in hooks_only mode, where that is all a handler does. */
static nokprobe_inline bool ct_hit(int role)
{
	this_cpu_inc(ct_hits[role]);
	return ct_hooks_only;
}

/* ---- kprobe handlers */

static int ct_kp_fd_close(struct kprobe *p, struct pt_regs *regs)
{
	if (ct_hit(CT_ROLE_FD_CLOSE))
		return 0;
	if (!READ_ONCE(ct_enabled))
		return 0;
#ifdef CT_HAVE_FD_CLOSE_FILES_ARG
	/* __close_fd(files, fd): only the caller's own table is close(2). */
	if ((struct files_struct *)ct_arg(regs, 0) != current->files)
		return 0;
#endif
	ct_on_fd_close((unsigned int)ct_arg(regs, CT_FD_CLOSE_FD_ARG));
	return 0;
}
NOKPROBE_SYMBOL(ct_kp_fd_close);

static int ct_kp_final_put(struct kprobe *p, struct pt_regs *regs)
{
	struct file *file = (struct file *)ct_arg(regs, 0);

	if (ct_hit(CT_ROLE_FINAL_PUT))
		return 0;
	if (!READ_ONCE(ct_enabled) || !ct_is_sock_file(file))
		return 0;
	ct_on_final_put(file);
	return 0;
}
NOKPROBE_SYMBOL(ct_kp_final_put);

static int ct_kp_sock_release(struct kprobe *p, struct pt_regs *regs);
static int ct_kp_inet_release(struct kprobe *p, struct pt_regs *regs);
static int ct_kp_inet6_release(struct kprobe *p, struct pt_regs *regs);
static int ct_kp_send_fin(struct kprobe *p, struct pt_regs *regs);
static int ct_kp___tcp_close(struct kprobe *p, struct pt_regs *regs);
static int ct_kp_disconnect(struct kprobe *p, struct pt_regs *regs);
static int ct_kp_destroy(struct kprobe *p, struct pt_regs *regs);
static int ct_kp_tw_expire(struct kprobe *p, struct pt_regs *regs);
static int ct_kp_tw_kill(struct kprobe *p, struct pt_regs *regs);
static int ct_kp_tw_segment(struct kprobe *p, struct pt_regs *regs);
static int ct_kp_tw_purge(struct kprobe *p, struct pt_regs *regs);

static const struct ct_cand c_fd_close[] = {
	{ .kind = CT_KPROBE, .name = CT_FD_CLOSE_SYMBOL },
	{ }
};
static const struct ct_cand c_final_put[] = {
	{ .kind = CT_KPROBE, .name = CT_FINAL_PUT_SYMBOL },
	{ }
};
static const struct ct_cand c_sock_release[] = {
	{ .kind = CT_KPROBE, .name = "sock_close", .variant = CT_V_SOCK_CLOSE },
	{ .kind = CT_KPROBE, .name = "__sock_release",
	  .variant = CT_V_SOCK_RELEASE },
	{ }
};
static const struct ct_cand c_inet_release[] = {
	{ .kind = CT_KPROBE, .name = "inet_release" },
	{ }
};
static const struct ct_cand c_inet6_release[] = {
	{ .kind = CT_KPROBE, .name = "inet6_release" },
	{ }
};
static const struct ct_cand c_tcp_close[] = {
	{ .kind = CT_KRETPROBE, .name = "tcp_close" },
	{ }
};
static const struct ct_cand c___tcp_close[] = {
	{ .kind = CT_KPROBE, .name = "__tcp_close" },
	{ }
};
static const struct ct_cand c_send_fin[] = {
	{ .kind = CT_KPROBE, .name = "tcp_send_fin" },
	{ }
};
static const struct ct_cand c_disconnect[] = {
	{ .kind = CT_KPROBE, .name = "tcp_disconnect" },
	{ }
};
static const struct ct_cand c_state[] = {
	{ .kind = CT_TRACEPOINT, .name = "inet_sock_set_state" },
	{ }
};
static const struct ct_cand c_reset[] = {
	{ .kind = CT_TRACEPOINT, .name = "tcp_send_reset" },
	{ }
};
static const struct ct_cand c_rcv_reset[] = {
	{ .kind = CT_TRACEPOINT, .name = "tcp_receive_reset" },
	{ }
};
static const struct ct_cand c_destroy[] = {
	{ .kind = CT_TRACEPOINT, .name = "tcp_destroy_sock" },
	{ .kind = CT_KPROBE, .name = "inet_csk_destroy_sock" },
	{ }
};

/*
 * A timewait socket's end: its timer (a static function, named the same
 * on 5.10-7.x: timer_setup() takes its address, so it is never inlined),
 * or an early kill; and the segments that reach it, for the kill's cause.
 */
static const struct ct_cand c_tw_expire[] = {
	{ .kind = CT_KPROBE, .name = "tw_timer_handler" },
	{ }
};
static const struct ct_cand c_tw_kill[] = {
	{ .kind = CT_KPROBE, .name = "inet_twsk_deschedule_put" },
	{ }
};
static const struct ct_cand c_tw_segment[] = {
	{ .kind = CT_KPROBE, .name = "tcp_timewait_state_process" },
	{ }
};
static const struct ct_cand c_tw_purge[] = {
	{ .kind = CT_KPROBE, .name = "inet_twsk_purge" },
	{ }
};

/* The tcp_close role's kretprobe handlers are set in ct_attach(). */
static struct ct_hook ct_hooks[CT_ROLE_MAX] = {
	[CT_ROLE_FD_CLOSE] = {
		.role = "fd_close", .essential = false, .per_file = true,
		.cands = c_fd_close, .kp.pre_handler = ct_kp_fd_close,
	},
	[CT_ROLE_FINAL_PUT] = {
		.role = "final_put", .essential = false, .per_file = true,
		.cands = c_final_put, .kp.pre_handler = ct_kp_final_put,
	},
	[CT_ROLE_SOCK_RELEASE] = {
		.role = "sock_release", .essential = true, .per_file = false,
		.cands = c_sock_release, .kp.pre_handler = ct_kp_sock_release,
	},
	[CT_ROLE_INET_RELEASE] = {
		.role = "inet_release", .essential = true, .per_file = false,
		.cands = c_inet_release, .kp.pre_handler = ct_kp_inet_release,
	},
	[CT_ROLE_INET6_RELEASE] = {
		.role = "inet6_release", .essential = false, .per_file = false,
		.cands = c_inet6_release, .kp.pre_handler = ct_kp_inet6_release,
	},
	[CT_ROLE_TCP_CLOSE] = {
		.role = "tcp_close", .essential = true, .per_file = false,
		.cands = c_tcp_close,
	},
	/* "close_locked": the name scripts know it by (/proc/closetrace/probes). */
	[CT_ROLE___TCP_CLOSE] = {
		.role = "close_locked", .essential = false, .per_file = false,
		.cands = c___tcp_close, .kp.pre_handler = ct_kp___tcp_close,
	},
	[CT_ROLE_SEND_FIN] = {
		.role = "tcp_send_fin", .essential = true, .per_file = false,
		.cands = c_send_fin, .kp.pre_handler = ct_kp_send_fin,
	},
	[CT_ROLE_DISCONNECT] = {
		.role = "tcp_disconnect", .essential = true, .per_file = false,
		.cands = c_disconnect, .kp.pre_handler = ct_kp_disconnect,
	},
	[CT_ROLE_STATE] = {
		.role = "state_change", .essential = true, .per_file = false,
		.cands = c_state,
	},
	[CT_ROLE_RESET] = {
		.role = "reset_sent", .essential = true, .per_file = false,
		.cands = c_reset,
	},
	[CT_ROLE_RCV_RESET] = {
		.role = "tcp_reset", .essential = false, .per_file = false,
		.cands = c_rcv_reset,
	},
	[CT_ROLE_DESTROY] = {
		.role = "destroy", .essential = true, .per_file = false,
		.cands = c_destroy, .kp.pre_handler = ct_kp_destroy,
	},
	[CT_ROLE_TW_EXPIRE] = {
		.role = "tw_expire", .essential = false, .per_file = false,
		.cands = c_tw_expire, .kp.pre_handler = ct_kp_tw_expire,
	},
	[CT_ROLE_TW_KILL] = {
		.role = "tw_kill", .essential = false, .per_file = false,
		.cands = c_tw_kill, .kp.pre_handler = ct_kp_tw_kill,
	},
	[CT_ROLE_TW_SEGMENT] = {
		.role = "tw_segment", .essential = false, .per_file = false,
		.cands = c_tw_segment, .kp.pre_handler = ct_kp_tw_segment,
	},
	[CT_ROLE_TW_PURGE] = {
		.role = "tw_purge", .essential = false, .per_file = false,
		.cands = c_tw_purge, .kp.pre_handler = ct_kp_tw_purge,
	},
};

static int ct_kp_sock_release(struct kprobe *p, struct pt_regs *regs)
{
	struct ct_hook *h = &ct_hooks[CT_ROLE_SOCK_RELEASE];
	struct socket *sock;
	struct file *file;

	if (ct_hit(CT_ROLE_SOCK_RELEASE))
		return 0;
	/* Not gated by ct_enabled: a close begun before "disable" ends here. */
	if (h->used->variant == CT_V_SOCK_CLOSE) {
		/* sock_close(struct inode *, struct file *) */
		sock = SOCKET_I((struct inode *)ct_arg(regs, 0));
		file = (struct file *)ct_arg(regs, 1);
	} else {
		/* __sock_release(struct socket *, struct inode *) */
		sock = (struct socket *)ct_arg(regs, 0);
		file = sock ? sock->file : NULL;
	}
	if (sock)
		ct_on_sock_release(sock, file);
	return 0;
}
NOKPROBE_SYMBOL(ct_kp_sock_release);

static int ct_kp_inet_release(struct kprobe *p, struct pt_regs *regs)
{
	if (ct_hit(CT_ROLE_INET_RELEASE))
		return 0;
	ct_on_inet_release((struct socket *)ct_arg(regs, 0), false);
	return 0;
}
NOKPROBE_SYMBOL(ct_kp_inet_release);

static int ct_kp_inet6_release(struct kprobe *p, struct pt_regs *regs)
{
	if (ct_hit(CT_ROLE_INET6_RELEASE))
		return 0;
	ct_on_inet_release((struct socket *)ct_arg(regs, 0), true);
	return 0;
}
NOKPROBE_SYMBOL(ct_kp_inet6_release);

static int ct_kp___tcp_close(struct kprobe *p, struct pt_regs *regs)
{
	if (ct_hit(CT_ROLE___TCP_CLOSE))
		return 0;
	ct_on___tcp_close((struct sock *)ct_arg(regs, 0), (long)ct_arg(regs, 1));
	return 0;
}
NOKPROBE_SYMBOL(ct_kp___tcp_close);

static int ct_kp_send_fin(struct kprobe *p, struct pt_regs *regs)
{
	if (ct_hit(CT_ROLE_SEND_FIN))
		return 0;
	ct_on_tcp_send_fin((struct sock *)ct_arg(regs, 0));
	return 0;
}
NOKPROBE_SYMBOL(ct_kp_send_fin);

static int ct_kp_disconnect(struct kprobe *p, struct pt_regs *regs)
{
	if (ct_hit(CT_ROLE_DISCONNECT))
		return 0;
	ct_on_tcp_disconnect((struct sock *)ct_arg(regs, 0));
	return 0;
}
NOKPROBE_SYMBOL(ct_kp_disconnect);

static int ct_kp_destroy(struct kprobe *p, struct pt_regs *regs)
{
	if (ct_hit(CT_ROLE_DESTROY))
		return 0;
	ct_on_destroy((struct sock *)ct_arg(regs, 0));
	return 0;
}
NOKPROBE_SYMBOL(ct_kp_destroy);

/* tw_timer_handler(struct timer_list *t) */
static int ct_kp_tw_expire(struct kprobe *p, struct pt_regs *regs)
{
	struct timer_list *t = (struct timer_list *)ct_arg(regs, 0);

	if (ct_hit(CT_ROLE_TW_EXPIRE))
		return 0;
	ct_pre_tw_expire((struct sock *)container_of(t, struct inet_timewait_sock,
						     tw_timer));
	return 0;
}
NOKPROBE_SYMBOL(ct_kp_tw_expire);

static int ct_kp_tw_kill(struct kprobe *p, struct pt_regs *regs)
{
	if (ct_hit(CT_ROLE_TW_KILL))
		return 0;
	ct_pre_tw_kill((struct sock *)ct_arg(regs, 0));
	return 0;
}
NOKPROBE_SYMBOL(ct_kp_tw_kill);

/*
 * tcp_timewait_state_process(tw, skb, th, ...): its first three arguments
 * are these on 5.10-7.x (6.12 adds tw_isn, 7.x drop_reason after them).
 */
static int ct_kp_tw_segment(struct kprobe *p, struct pt_regs *regs)
{
	const struct tcphdr *th = (const struct tcphdr *)ct_arg(regs, 2);

	if (ct_hit(CT_ROLE_TW_SEGMENT))
		return 0;
	ct_pre_tw_segment((struct sock *)ct_arg(regs, 0), th->rst, th->syn);
	return 0;
}
NOKPROBE_SYMBOL(ct_kp_tw_segment);

static int ct_kp_tw_purge(struct kprobe *p, struct pt_regs *regs)
{
	if (ct_hit(CT_ROLE_TW_PURGE))
		return 0;
	ct_pre_tw_purge((struct inet_hashinfo *)ct_arg(regs, 0));
	return 0;
}
NOKPROBE_SYMBOL(ct_kp_tw_purge);

/* ---- tcp_close: entry and return */

struct ct_kret_data {
	const struct sock *sk;
	u64 close_id;
};

static int ct_tcp_close_entry(struct kretprobe_instance *ri,
			      struct pt_regs *regs)
{
	struct ct_kret_data *d = (struct ct_kret_data *)ri->data;
	struct sock *sk = (struct sock *)ct_arg(regs, 0);

	if (ct_hit(CT_ROLE_TCP_CLOSE))
		return 0;
	d->sk = sk;
	/* Not followed: do not arm the return probe. */
	return ct_on_tcp_close(sk, (long)ct_arg(regs, 1), &d->close_id) ? 0 : 1;
}
NOKPROBE_SYMBOL(ct_tcp_close_entry);

static int ct_tcp_close_ret(struct kretprobe_instance *ri,
			    struct pt_regs *regs)
{
	struct ct_kret_data *d = (struct ct_kret_data *)ri->data;

	if (ct_hooks_only)
		return 0;
	ct_on_tcp_close_ret(d->sk, d->close_id);
	return 0;
}
NOKPROBE_SYMBOL(ct_tcp_close_ret);

/* ---- the kernel's reset reasons, by name */

#ifdef CT_HAVE_RST_REASON
#define CT_RST_NAME(x) { SK_RST_REASON_##x, #x },
#define CT_RST_NONE(x)
static const struct {
	enum sk_rst_reason reason;
	const char *name;
} ct_kernel_rst_names[] = {
	CT_KERNEL_RST_REASONS(CT_RST_NAME, CT_RST_NONE)
};

static u8 ct_krst_of[SK_RST_REASON_MAX];

static void ct_krst_init(void)
{
	size_t i;
	int k;

	for (i = 0; i < SK_RST_REASON_MAX; i++)
		ct_krst_of[i] = CT_KRST_OTHER;
	for (i = 0; i < ARRAY_SIZE(ct_kernel_rst_names); i++) {
		k = ct_krst_from_name(ct_kernel_rst_names[i].name);
		if (k > 0 && ct_kernel_rst_names[i].reason < SK_RST_REASON_MAX)
			ct_krst_of[ct_kernel_rst_names[i].reason] = k;
	}
}

static u8 ct_krst_map(enum sk_rst_reason r)
{
	return (unsigned int)r < SK_RST_REASON_MAX ? ct_krst_of[r] : CT_KRST_OTHER;
}
NOKPROBE_SYMBOL(ct_krst_map);
#else
static void ct_krst_init(void)
{
}
#endif

/* ---- tracepoint probes */

static void ct_tp_state(void *data, const struct sock *sk, const int oldstate,
			const int newstate)
{
	if (ct_hit(CT_ROLE_STATE))
		return;
	ct_on_state(sk, oldstate, newstate);
}
NOKPROBE_SYMBOL(ct_tp_state);

static void ct_tp_reset(CT_RST_TP_PROTO)
{
	if (ct_hit(CT_ROLE_RESET))
		return;
	/* A timewait socket answering a segment with a RST. */
	if (sk && sk->sk_state == TCP_TIME_WAIT) {
		ct_pre_tw_reply_rst(sk);
		return;
	}
	/* sk: NULL for a reset to no socket, or a request sock. */
	if (!sk || !sk_fullsock(sk) || sk->sk_protocol != IPPROTO_TCP)
		return;
	ct_on_reset(sk, skb != NULL, CT_KRST());
}
NOKPROBE_SYMBOL(ct_tp_reset);

/* tcp_reset(): a RST came in, or data reached a closed socket (RFC 1122). */
static void ct_tp_rcv_reset(void *data, struct sock *sk)
{
	if (ct_hit(CT_ROLE_RCV_RESET))
		return;
	ct_on_rcv_reset(sk);
}
NOKPROBE_SYMBOL(ct_tp_rcv_reset);

static void ct_tp_destroy(void *data, struct sock *sk)
{
	if (ct_hit(CT_ROLE_DESTROY))
		return;
	ct_on_destroy(sk);
}
NOKPROBE_SYMBOL(ct_tp_destroy);

static void *ct_tp_fn(enum ct_role role)
{
	switch (role) {
	case CT_ROLE_STATE:
		return ct_tp_state;
	case CT_ROLE_RESET:
		return ct_tp_reset;
	case CT_ROLE_RCV_RESET:
		return ct_tp_rcv_reset;
	case CT_ROLE_DESTROY:
		return ct_tp_destroy;
	default:
		return NULL;
	}
}

/* ---- registration */

struct ct_tp_find {
	const char *name;
	struct tracepoint *tp;
};

static void ct_tp_match(struct tracepoint *tp, void *priv)
{
	struct ct_tp_find *f = priv;

	if (!strcmp(tp->name, f->name))
		f->tp = tp;
}

static void ct_pin_signatures(void)
{
	/* A changed signature must fail the build, not crash a kernel. */
	BUILD_BUG_ON(!__same_type(&tcp_close, void (*)(struct sock *, long)));
	BUILD_BUG_ON(!__same_type(&__tcp_close, void (*)(struct sock *, long)));
	BUILD_BUG_ON(!__same_type(&inet_release, int (*)(struct socket *)));
	BUILD_BUG_ON(!__same_type(&tcp_send_fin, void (*)(struct sock *)));
	BUILD_BUG_ON(!__same_type(&tcp_disconnect, int (*)(struct sock *, int)));
	BUILD_BUG_ON(!__same_type(&inet_csk_destroy_sock,
				  void (*)(struct sock *)));
	BUILD_BUG_ON(!__same_type(&inet_twsk_deschedule_put,
				  void (*)(struct inet_timewait_sock *)));
	BUILD_BUG_ON(!__same_type(&inet_twsk_purge, ct_twsk_purge_t));
#if IS_BUILTIN(CONFIG_IPV6)
	BUILD_BUG_ON(!__same_type(&inet6_release, int (*)(struct socket *)));
#endif
	BUILD_BUG_ON(!__same_type(&fput, void (*)(struct file *)));
	/*
	 * The tracepoint probes against the kernel's own prototypes: each
	 * register_trace_*() takes exactly its probe's type (a mismatch is an
	 * incompatible-pointer-types error). Not evaluated, nothing linked.
	 */
	(void)sizeof(register_trace_inet_sock_set_state(ct_tp_state, NULL));
	(void)sizeof(register_trace_tcp_send_reset(ct_tp_reset, NULL));
	(void)sizeof(register_trace_tcp_receive_reset(ct_tp_rcv_reset, NULL));
	(void)sizeof(register_trace_tcp_destroy_sock(ct_tp_destroy, NULL));
}

static int ct_attach(enum ct_role role, const struct ct_cand *c)
{
	struct ct_hook *h = &ct_hooks[role];
	struct ct_tp_find f = { .name = c->name };

	switch (c->kind) {
	case CT_KPROBE:
		memset(&h->kp.hlist, 0, sizeof(h->kp.hlist));
		h->kp.symbol_name = c->name;
		h->kp.addr = NULL;
		h->kp.flags = 0;
		return register_kprobe(&h->kp);
	case CT_KRETPROBE:
		h->krp.kp.symbol_name = c->name;
		h->krp.entry_handler = ct_tcp_close_entry;
		h->krp.handler = ct_tcp_close_ret;
		h->krp.data_size = sizeof(struct ct_kret_data);
		/* close can sleep (linger): room for many at once. */
		h->krp.maxactive = ct_max_closing;
		return register_kretprobe(&h->krp);
	case CT_TRACEPOINT:
		for_each_kernel_tracepoint(ct_tp_match, &f);
		if (!f.tp)
			return -ENOENT;
		h->tp = f.tp;
		return tracepoint_probe_register(f.tp, ct_tp_fn(role), NULL);
	}
	return -EINVAL;
}

static void ct_detach(enum ct_role role)
{
	struct ct_hook *h = &ct_hooks[role];

	if (!h->used)
		return;
	switch (h->used->kind) {
	case CT_KPROBE:
		unregister_kprobe(&h->kp);
		break;
	case CT_KRETPROBE:
		unregister_kretprobe(&h->krp);
		break;
	case CT_TRACEPOINT:
		tracepoint_probe_unregister(h->tp, ct_tp_fn(role), NULL);
		break;
	}
	h->used = NULL;
}

/*
 * Room for the candidates named when an essential role fails to attach
 * (" kprobe sock_close kprobe __sock_release" and the like); a longer
 * list is cut short.
 */
#define CT_TRIED_LEN 160

static const char *ct_kind_name(enum ct_kind k)
{
	return k == CT_KPROBE ? "kprobe" :
	       k == CT_KRETPROBE ? "kretprobe" : "tracepoint";
}

int ct_probes_register(bool file_hooks, bool hooks_only, unsigned int max_closing)
{
	const struct ct_cand *c;
	int role, err = 0;

	ct_pin_signatures();
	ct_krst_init();
	ct_hooks_only = hooks_only;
	ct_max_closing = max_closing;
	ct_file_hooks = file_hooks;
	for (role = 0; role < CT_ROLE_MAX; role++) {
		struct ct_hook *h = &ct_hooks[role];

		if (h->per_file && !file_hooks)
			continue;

		for (c = h->cands; c->name; c++) {
			/* Set before arming: the handler may run at once. */
			h->used = c;
			err = ct_attach(role, c);
			if (!err)
				break;
			h->used = NULL;
		}
		if (h->used)
			continue;
		if (h->essential) {
			char tried[CT_TRIED_LEN] = "";
			size_t n = 0;

			for (c = h->cands; c->name && n < sizeof(tried); c++)
				n += scnprintf(tried + n, sizeof(tried) - n, " %s %s",
					       ct_kind_name(c->kind), c->name);
			pr_err("role %s: could not attach any of:%s (last error %d)\n",
			       h->role, tried, err);
			goto undo;
		}
		pr_info("role %s: absent (tried %s %s, error %d)\n", h->role,
			ct_kind_name(h->cands[0].kind), h->cands[0].name, err);
	}
	WRITE_ONCE(ct_sees_rcv_reset, ct_hooks[CT_ROLE_RCV_RESET].used != NULL);
	/* Timewait sockets are followed only if both of their ends are seen. */
	WRITE_ONCE(ct_pre_tw_hooks, ct_hooks[CT_ROLE_TW_EXPIRE].used &&
		   ct_hooks[CT_ROLE_TW_KILL].used);
	return 0;
undo:
	while (--role >= 0)
		ct_detach(role);
	tracepoint_synchronize_unregister();
	return err ? err : -ENOENT;
}

void ct_probes_unregister(void)
{
	int role;

	WRITE_ONCE(ct_sees_rcv_reset, false);
	WRITE_ONCE(ct_pre_tw_hooks, false);
	for (role = CT_ROLE_MAX - 1; role >= 0; role--)
		ct_detach(role);
	tracepoint_synchronize_unregister();
}

static unsigned long ct_hook_missed(const struct ct_hook *h)
{
	if (!h->used)
		return 0;
	if (h->used->kind == CT_KPROBE)
		return h->kp.nmissed;
	if (h->used->kind == CT_KRETPROBE)
		return h->krp.nmissed + h->krp.kp.nmissed;
	return 0;
}

unsigned long ct_probes_missed(void)
{
	unsigned long n = 0;
	int role;

	for (role = 0; role < CT_ROLE_MAX; role++)
		n += ct_hook_missed(&ct_hooks[role]);
	return n;
}

void ct_probes_show(struct seq_file *m)
{
	int role, cpu;

	seq_printf(m, "%-14s %-10s %-11s %-24s %12s %8s\n", "role", "need",
		   "kind", "symbol", "hits", "nmissed");
	for (role = 0; role < CT_ROLE_MAX; role++) {
		const struct ct_hook *h = &ct_hooks[role];
		unsigned long hits = 0;

		for_each_possible_cpu(cpu)
			hits += per_cpu(ct_hits[role], cpu);
		seq_printf(m, "%-14s %-10s %-11s %-24s %12lu %8lu\n", h->role,
			   h->essential ? "essential" : "optional",
			   h->used ? ct_kind_name(h->used->kind) : "-",
			   h->used ? h->used->name :
			   h->per_file && !ct_file_hooks ? "off" : "absent", hits,
			   ct_hook_missed(h));
	}
}
