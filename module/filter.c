// SPDX-License-Identifier: GPL-2.0
/*
 * Filters and the enable switch. The filter is an RCU-published immutable
 * struct: handlers read it without a lock, a control write swaps in a new one.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mutex.h>
#include <linux/kprobes.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <net/inet_sock.h>
#include "compat.h"
#include "filter.h"
#include "preclose.h"
#include "ring.h"

struct ct_filter_rcu {
	struct ct_filter f;
	struct rcu_head rcu;
};

bool ct_enabled = true;
static struct ct_filter_rcu __rcu *ct_filter_cur;
static DEFINE_MUTEX(ct_filter_mutex);

int ct_filter_init(const struct ct_filter *initial)
{
	struct ct_filter_rcu *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return -ENOMEM;
	f->f = *initial;
	rcu_assign_pointer(ct_filter_cur, f);
	return 0;
}

void ct_filter_exit(void)
{
	struct ct_filter_rcu *f = rcu_dereference_protected(ct_filter_cur, 1);

	RCU_INIT_POINTER(ct_filter_cur, NULL);
	synchronize_rcu();
	kfree(f);
}

int ct_filter_command(const struct ct_command *cmd)
{
	struct ct_filter_rcu *old, *new;

	switch (cmd->cmd) {
	case CT_CMD_ENABLE:
		WRITE_ONCE(ct_enabled, true);
		return 0;
	case CT_CMD_DISABLE:
		WRITE_ONCE(ct_enabled, false);
		return 0;
	case CT_CMD_CLEAR:
		ct_ring_clear();
		return 0;
	case CT_CMD_SWEEP:
		ct_pre_sweep();
		return 0;
	case CT_CMD_OUTPUT:
		BUILD_BUG_ON(CT_CMD_OUT_COUNTERS != CT_OUT_COUNTERS ||
			     CT_CMD_OUT_RING != CT_OUT_RING ||
			     CT_CMD_OUT_TRACE != CT_OUT_TRACE ||
			     CT_CMD_OUT_BOTH != CT_OUT_BOTH);
		ct_ring_set_output(cmd->value);
		return 0;
	default:
		break;
	}

	new = kzalloc(sizeof(*new), GFP_KERNEL);
	if (!new)
		return -ENOMEM;
	mutex_lock(&ct_filter_mutex);
	old = rcu_dereference_protected(ct_filter_cur,
					lockdep_is_held(&ct_filter_mutex));
	new->f = old->f;
	switch (cmd->cmd) {
	case CT_CMD_PID:
		new->f.pid = cmd->value;
		break;
	case CT_CMD_PORT:
		new->f.port = cmd->value;
		break;
	case CT_CMD_COMM:
		memcpy(new->f.comm, cmd->comm, sizeof(new->f.comm));
		break;
	case CT_CMD_NETNS:
		new->f.netns = cmd->value;
		break;
	case CT_CMD_CGROUP:
		new->f.cgroup = cmd->value64;
		break;
	case CT_CMD_UID:
		new->f.uid = cmd->value;
		new->f.uid_set = true;
		break;
	case CT_CMD_FILTER_OFF:
		memset(&new->f, 0, sizeof(new->f));
		break;
	default:
		break;
	}
	rcu_assign_pointer(ct_filter_cur, new);
	mutex_unlock(&ct_filter_mutex);
	kfree_rcu(old, rcu);
	return 0;
}

/*
 * The socket's filters (port, netns, uid: its owner, what its records
 * carry); sk may be NULL (they pass).
 */
static bool ct_filter_sock_ok(const struct ct_filter *f, const struct sock *sk)
{
	if (!sk)
		return true;
	if (f->port && (sk->sk_family == AF_INET || sk->sk_family == AF_INET6) &&
	    ntohs(inet_sk(sk)->inet_sport) != f->port &&
	    ntohs(sk->sk_dport) != f->port)
		return false;
	if (f->netns && sock_net(sk)->ns.inum != f->netns)
		return false;
	return !f->uid_set || ct_sk_uid(sk) == f->uid;
}
NOKPROBE_SYMBOL(ct_filter_sock_ok);

/* The task's filters (pid, comm, cgroup): of current. */
static bool ct_filter_task_ok(const struct ct_filter *f)
{
	if (f->pid && task_tgid_nr(current) != f->pid)
		return false;
	if (f->comm[0] && strncmp(current->comm, f->comm, sizeof(f->comm)))
		return false;
	return !f->cgroup || ct_task_cgroup_id(current) == f->cgroup;
}
NOKPROBE_SYMBOL(ct_filter_task_ok);

bool ct_filter_pass(const struct sock *sk)
{
	const struct ct_filter_rcu *fr;
	bool pass;

	rcu_read_lock();
	fr = rcu_dereference(ct_filter_cur);
	pass = !fr || (ct_filter_task_ok(&fr->f) && ct_filter_sock_ok(&fr->f, sk));
	rcu_read_unlock();
	return pass;
}
NOKPROBE_SYMBOL(ct_filter_pass);

bool ct_filter_pass_sock(const struct sock *sk)
{
	const struct ct_filter_rcu *fr;
	bool pass;

	rcu_read_lock();
	fr = rcu_dereference(ct_filter_cur);
	pass = !fr || (!fr->f.pid && !fr->f.comm[0] && !fr->f.cgroup &&
		       ct_filter_sock_ok(&fr->f, sk));
	rcu_read_unlock();
	return pass;
}
NOKPROBE_SYMBOL(ct_filter_pass_sock);

void ct_filter_show(struct seq_file *m)
{
	const struct ct_filter_rcu *fr;

	rcu_read_lock();
	fr = rcu_dereference(ct_filter_cur);
	if (fr) {
		seq_printf(m, "filter_pid %u\nfilter_port %u\nfilter_comm %s\nfilter_netns %u\nfilter_cgroup %llu\n",
			   fr->f.pid, fr->f.port,
			   fr->f.comm[0] ? fr->f.comm : "-", fr->f.netns,
			   fr->f.cgroup);
		/* 0 is root's uid: no filter is "-", as an empty comm */
		if (fr->f.uid_set)
			seq_printf(m, "filter_uid %u\n", fr->f.uid);
		else
			seq_puts(m, "filter_uid -\n");
	}
	rcu_read_unlock();
}
