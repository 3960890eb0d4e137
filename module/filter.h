/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CT_FILTER_H
#define CT_FILTER_H

#include <net/sock.h>
#include "ct_control.h"

struct ct_filter {
	u32 pid;			/* 0: any */
	u16 port;			/* 0: any; local or remote */
	char comm[CT_COMM_LEN];		/* "": any */
	u32 netns;			/* 0: any; the socket's netns inode */
	u64 cgroup;			/* 0: any; the closer's cgroup v2 id */
	bool uid_set;			/* false: any (0 is root's uid) */
	u32 uid;			/* the socket's owner (ct_sk_uid) */
};

extern bool ct_enabled;

int ct_filter_init(const struct ct_filter *initial);
void ct_filter_exit(void);
/* Apply a parsed control command (filters, enable, disable, clear). */
int ct_filter_command(const struct ct_command *cmd);
/* Does the current task and this socket pass the filters? */
bool ct_filter_pass(const struct sock *sk);
/*
 * The same for a socket whose owner is not known where it is seen (a
 * death or CLOSE_WAIT, in softirq): only the socket's filters (port,
 * netns, uid) can apply, so a task filter (pid, comm, cgroup) lets none
 * pass.
 */
bool ct_filter_pass_sock(const struct sock *sk);
/* Print the active filters (for /proc/closetrace/stats). */
void ct_filter_show(struct seq_file *m);

#endif /* CT_FILTER_H */
