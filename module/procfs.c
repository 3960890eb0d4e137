// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/closetrace/: stats (what was seen, written, read and lost),
 * probes (which symbol serves each role) and summary (summary.c). Human-readable "key value" lines,
 * stable for scripts. Root-only.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include "ct_classify.h"
#include "filter.h"
#include "preclose.h"
#include "probes.h"
#include "procfs.h"
#include "ring.h"
#include "stats.h"
#include "summary.h"
#include "track.h"

static struct proc_dir_entry *ct_proc_dir;
static unsigned long ct_buf_bytes;

static int ct_stats_show(struct seq_file *m, void *v)
{
	u64 written = 0, lost = ct_stat_sum(lost);
	unsigned int i;
	int cpu;

	for_each_possible_cpu(cpu)
		written += ct_ring_written(cpu);

	seq_printf(m, "abi_version %u\n", CT_ABI_VERSION);
	seq_printf(m, "enabled %d\n", READ_ONCE(ct_enabled));
	seq_printf(m, "output %s\n", ct_output_name(ct_ring_output()));
	seq_printf(m, "buffer_bytes_per_cpu %lu\n", ct_buf_bytes);
	ct_filter_show(m);
	seq_printf(m, "closes_tcp %llu\n", ct_stat_sum(closes_tcp));
	seq_printf(m, "closes_udp %llu\n", ct_stat_sum(closes_udp));
	seq_printf(m, "closes_unix %llu\n", ct_stat_sum(closes_unix));
	seq_printf(m, "closes_other %llu\n", ct_stat_sum(closes_other));
	seq_printf(m, "refdrops %llu\n", ct_stat_sum(refdrops));
	for (i = 0; i < CT_ACT_MAX; i++)
		seq_printf(m, "action_%s %llu\n", ct_action_name(i),
			   ct_stat_sum(actions[i]));
	for (i = 0; i < CT_R_MAX; i++) {
		u64 n = ct_stat_sum(reasons[i]);

		if (n)
			seq_printf(m, "reason_%s %llu\n", ct_reason_name(i), n);
	}
	seq_printf(m, "mismatches %llu\n", ct_stat_sum(mismatches));
	seq_printf(m, "orphan_states %llu\n", ct_stat_sum(orphan_states));
	seq_printf(m, "orphan_resets %llu\n", ct_stat_sum(orphan_resets));
	seq_printf(m, "timewaits %llu\n", ct_stat_sum(timewaits));
	seq_printf(m, "ends %llu\n", ct_stat_sum(ends));
	seq_printf(m, "tracked %u\n", ct_track_count());
	seq_printf(m, "untracked %llu\n", ct_stat_sum(untracked));
	seq_printf(m, "incomplete %llu\n", ct_stat_sum(incomplete));
	seq_printf(m, "filtered %llu\n", ct_stat_sum(filtered));
	seq_printf(m, "deaths %llu\n", ct_stat_sum(deaths));
	seq_printf(m, "preclose_max %u\n", ct_pre_max());
	seq_printf(m, "preclose_tracked %u\n", ct_pre_count());
	seq_printf(m, "preclose_full %llu\n", ct_stat_sum(preclose_full));
	seq_printf(m, "twends %llu\n", ct_stat_sum(twends));
	seq_printf(m, "twends_lost %llu\n", ct_stat_sum(tw_lost));
	seq_printf(m, "events_written %llu\n", written);
	seq_printf(m, "events_read %llu\n",
		   (u64)atomic64_read(&ct_events_read));
	seq_printf(m, "events_cleared %llu\n",
		   (u64)atomic64_read(&ct_events_cleared));
	seq_printf(m, "events_discarded %llu\n",
		   (u64)atomic64_read(&ct_events_discarded));
	seq_printf(m, "events_lost %llu\n", lost);
	seq_printf(m, "events_traced %llu\n", ct_stat_sum(traced));
	for_each_possible_cpu(cpu)
		seq_printf(m, "cpu%d_written %llu cpu%d_lost %llu\n", cpu,
			   ct_ring_written(cpu), cpu,
			   per_cpu(ct_stats, cpu).lost);
	seq_printf(m, "probe_nmissed %lu\n", ct_probes_missed());
	return 0;
}

static int ct_summary_seq(struct seq_file *m, void *v)
{
	ct_summary_show(m);
	return 0;
}

static int ct_close_wait_seq(struct seq_file *m, void *v)
{
	ct_pre_show_close_wait(m);
	return 0;
}

static int ct_probes_seq(struct seq_file *m, void *v)
{
	ct_probes_show(m);
	return 0;
}

int ct_procfs_init(unsigned long buf_bytes)
{
	ct_buf_bytes = buf_bytes;
	ct_proc_dir = proc_mkdir_mode("closetrace", 0500, NULL);
	if (!ct_proc_dir)
		return -ENOMEM;
	if (!proc_create_single("stats", 0400, ct_proc_dir, ct_stats_show) ||
	    !proc_create_single("probes", 0400, ct_proc_dir, ct_probes_seq) ||
	    !proc_create_single("summary", 0400, ct_proc_dir, ct_summary_seq) ||
	    !proc_create_single("close_wait", 0400, ct_proc_dir,
				ct_close_wait_seq)) {
		proc_remove(ct_proc_dir);
		return -ENOMEM;
	}
	return 0;
}

void ct_procfs_exit(void)
{
	proc_remove(ct_proc_dir);
}
