// SPDX-License-Identifier: GPL-2.0
/*
 * closetrace: what the kernel does when a program closes a socket, and why.
 *
 * Module init/exit and parameters only; see the other files of module/ for
 * each concern. Init: ring, table, filters, /proc, debugfs, then the probes
 * last; exit undoes it in exactly the reverse order.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/string.h>
#include "ct_control.h"
#include "debugfs.h"
#include "filter.h"
#include "preclose.h"
#include "probes.h"
#include "procfs.h"
#include "ring.h"
#include "summary.h"
#include "track.h"

#define CT_BUF_KB_MIN 4
#define CT_BUF_KB_MAX 65536
#define CT_TRACKED_MIN 16
#define CT_TRACKED_MAX 1048576
/* tcp_close's kretprobe instances (the kernel's KRETPROBE_MAXACTIVE_MAX). */
#define CT_CLOSING_MIN 16
#define CT_CLOSING_MAX 4096
#define CT_PRECLOSE_MAX 1048576

static unsigned int buf_kb = 1024;
module_param(buf_kb, uint, 0444);
MODULE_PARM_DESC(buf_kb, "ring buffer size per CPU in KiB (4-65536, default 1024)");

static unsigned int max_tracked = 65536;
module_param(max_tracked, uint, 0444);
MODULE_PARM_DESC(max_tracked, "closing sockets followed at once (16-1048576, default 65536)");

static unsigned int max_preclose = 65536;
module_param(max_preclose, uint, 0444);
MODULE_PARM_DESC(max_preclose, "sockets followed outside their close: from their birth (lifetimes), in CLOSE_WAIT, dead before the close (DEATH), in TIME_WAIT after it (TWEND) (0-1048576, default 65536; 0: off)");

static unsigned int filter_pid;
module_param(filter_pid, uint, 0444);
MODULE_PARM_DESC(filter_pid, "only closes by this process (0: any)");

static unsigned int filter_port;
module_param(filter_port, uint, 0444);
MODULE_PARM_DESC(filter_port, "only sockets with this local or remote port (0: any)");

static unsigned int filter_netns;
module_param(filter_netns, uint, 0444);
MODULE_PARM_DESC(filter_netns, "only sockets of this network namespace: its inode, as /proc/PID/ns/net shows (0: any)");

static unsigned long filter_cgroup;
module_param(filter_cgroup, ulong, 0444);
MODULE_PARM_DESC(filter_cgroup, "only closes by tasks in this cgroup v2: its id, its directory's inode under /sys/fs/cgroup (0: any)");

static char *filter_comm;
module_param(filter_comm, charp, 0444);
MODULE_PARM_DESC(filter_comm, "only closes by tasks with this comm (default: any)");

/* A string: 0 is root's uid, so "any" is no value (unset or empty). */
static char *filter_uid;
module_param(filter_uid, charp, 0444);
MODULE_PARM_DESC(filter_uid, "only sockets owned by this uid, as ss -e shows it (0-4294967294; default: any)");

static bool enabled = true;
module_param(enabled, bool, 0444);
MODULE_PARM_DESC(enabled, "start tracing at load (default 1)");

static bool file_hooks = true;
module_param(file_hooks, bool, 0444);
MODULE_PARM_DESC(file_hooks, "hook every file's close for fd numbers and REFDROP records (default 1; 0: non-socket closes cost nothing)");

static unsigned int max_closing;
module_param(max_closing, uint, 0444);
MODULE_PARM_DESC(max_closing, "tcp_close calls followed at once, lingering ones included (16-4096, default 0: max(64, 8 x CPUs)); a close beyond them gets a CLOSE record flagged no-return");

static char *output = "ring";
module_param(output, charp, 0444);
MODULE_PARM_DESC(output, "where records go: ring (the debugfs ring, read by closetrace; default), trace (the trace events closetrace:*, for trace-cmd, perf, bpftrace), both, counters (none: only /proc/closetrace/summary's counters); the control file's output= changes it at run time");

static bool hooks_only;
module_param(hooks_only, bool, 0444);
MODULE_PARM_DESC(hooks_only, "attach every hook but record nothing: the hooks' own cost, for benchmarks (default 0)");

/* output=: one of ct_output_name()'s names, exactly. */
static int __init ct_parse_output(const char *s)
{
	unsigned int i;

	for (i = CT_OUT_COUNTERS; i <= CT_OUT_BOTH; i++)
		if (s && !strcmp(s, ct_output_name(i)))
			return i;
	return -EINVAL;
}

static int __init ct_check_params(struct ct_filter *f, unsigned int *out)
{
	bool uid_set = filter_uid && filter_uid[0];
	u32 uid = 0;
	int o;

	if (buf_kb < CT_BUF_KB_MIN || buf_kb > CT_BUF_KB_MAX) {
		pr_err("invalid buf_kb=%u (allowed %u-%u)\n", buf_kb,
		       CT_BUF_KB_MIN, CT_BUF_KB_MAX);
		return -EINVAL;
	}
	if (max_tracked < CT_TRACKED_MIN || max_tracked > CT_TRACKED_MAX) {
		pr_err("invalid max_tracked=%u (allowed %u-%u)\n", max_tracked,
		       CT_TRACKED_MIN, CT_TRACKED_MAX);
		return -EINVAL;
	}
	if (max_closing && (max_closing < CT_CLOSING_MIN || max_closing > CT_CLOSING_MAX)) {
		pr_err("invalid max_closing=%u (allowed 0 or %u-%u)\n", max_closing,
		       CT_CLOSING_MIN, CT_CLOSING_MAX);
		return -EINVAL;
	}
	if (max_preclose > CT_PRECLOSE_MAX) {
		pr_err("invalid max_preclose=%u (allowed 0-%u)\n", max_preclose,
		       CT_PRECLOSE_MAX);
		return -EINVAL;
	}
	if (!max_closing)
		max_closing = max_t(unsigned int, 64, 8 * num_possible_cpus());
	if (filter_pid > CT_PID_MAX) {
		pr_err("invalid filter_pid=%u (allowed 0-%u)\n", filter_pid,
		       CT_PID_MAX);
		return -EINVAL;
	}
	if (filter_port > CT_PORT_MAX) {
		pr_err("invalid filter_port=%u (allowed 0-%u)\n", filter_port,
		       CT_PORT_MAX);
		return -EINVAL;
	}
	if (filter_comm && filter_comm[0] &&
	    ct_valid_comm(filter_comm, strlen(filter_comm))) {
		pr_err("invalid filter_comm (1-15 printable characters, no spaces)\n");
		return -EINVAL;
	}
	if (uid_set && ct_parse_uid(filter_uid, strlen(filter_uid), &uid)) {
		pr_err("invalid filter_uid=%s (allowed 0-%u)\n", filter_uid,
		       CT_UID_MAX);
		return -EINVAL;
	}
	o = ct_parse_output(output);
	if (o < 0) {
		pr_err("invalid output=%s (allowed ring, trace, both, counters)\n",
		       output ?: "");
		return -EINVAL;
	}
	*out = o;
	memset(f, 0, sizeof(*f));
	f->pid = filter_pid;
	f->netns = filter_netns;
	f->cgroup = filter_cgroup;
	f->port = filter_port;
	f->uid_set = uid_set;
	f->uid = uid;
	if (filter_comm)
		strscpy(f->comm, filter_comm, sizeof(f->comm));
	return 0;
}

static int __init closetrace_init(void)
{
	struct ct_filter f;
	unsigned int out;
	int err;

	err = ct_check_params(&f, &out);
	if (err)
		return err;
	ct_enabled = enabled;

	err = ct_summary_init();
	if (err)
		goto err_out;
	err = ct_ring_init((unsigned long)buf_kb * 1024, out);
	if (err)
		goto err_summary;
	err = ct_track_init(max_tracked);
	if (err)
		goto err_ring;
	err = ct_pre_init(max_preclose);
	if (err)
		goto err_track;
	err = ct_filter_init(&f);
	if (err)
		goto err_pre;
	err = ct_probes_register(file_hooks, hooks_only, max_closing);
	if (err)
		goto err_filter;
	/*
	 * The files come last, and debugfs cannot fail: once a reader can open
	 * a file (and debugfs holds a module reference for it), nothing fails
	 * and frees the module under the open file.
	 */
	err = ct_procfs_init((unsigned long)buf_kb * 1024);
	if (err)
		goto err_probes;
	ct_debugfs_init();
	pr_info("loaded (abi %u, %u KiB per CPU, output %s%s%s)\n",
		CT_ABI_VERSION, buf_kb, ct_output_name(out),
		file_hooks ? "" : ", no per-file hooks",
		hooks_only ? ", hooks only: nothing recorded" : "");
	return 0;

err_probes:
	ct_probes_unregister();
err_filter:
	ct_filter_exit();
err_pre:
	ct_pre_exit();
err_track:
	ct_track_exit();
err_ring:
	ct_ring_exit();
err_summary:
	ct_summary_exit();
err_out:
	return err;
}

static void __exit closetrace_exit(void)
{
	/* No debugfs file is open (each holds a module reference). */
	ct_ring_shutdown();
	ct_debugfs_exit();
	ct_procfs_exit();
	ct_probes_unregister();
	ct_filter_exit();
	ct_pre_exit();
	ct_track_exit();
	ct_ring_exit();
	ct_summary_exit();
	pr_info("unloaded\n");
}

module_init(closetrace_init);
module_exit(closetrace_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("closetrace developers");
MODULE_DESCRIPTION("Trace what the kernel does when a socket is closed, and why");
MODULE_VERSION("0.1");
