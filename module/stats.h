/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CT_STATS_H
#define CT_STATS_H

#include <linux/atomic.h>
#include <linux/cpumask.h>
#include <linux/percpu.h>
#include "ct_abi.h"

/* Per-CPU counters: writers never share a cache line. */
struct ct_stats {
	u64 closes_tcp;
	u64 closes_udp;
	u64 closes_unix;
	u64 closes_other;
	u64 refdrops;
	u64 actions[CT_ACT_MAX];
	u64 reasons[CT_R_MAX];
	u64 mismatches;
	u64 orphan_states;
	u64 orphan_resets;
	u64 timewaits;
	u64 ends;
	u64 written;		/* own records; LOST ones: ct_ring_written() */
	u64 traced;		/* records emitted as trace events */
	u64 lost;
	u64 untracked;		/* tracking table full */
	u64 filtered;
	u64 incomplete;
	u64 deaths;		/* DEATH records */
	u64 preclose_full;	/* preclose table full: not kept */
	u64 twends;		/* TWEND records */
	u64 tw_lost;		/* ... of them tw-lost: the sweep's */
};

DECLARE_PER_CPU(struct ct_stats, ct_stats);

#define ct_stat_inc(field) this_cpu_inc(ct_stats.field)

/* A counter's total over all CPUs (racy, as any per-CPU counter's sum). */
#define ct_stat_sum(field) ({					\
	u64 __sum = 0;						\
	int __cpu;						\
								\
	for_each_possible_cpu(__cpu)				\
		__sum += per_cpu(ct_stats, __cpu).field;	\
	__sum;							\
})

extern atomic64_t ct_events_read;
extern atomic64_t ct_events_cleared;
extern atomic64_t ct_events_discarded;

#endif /* CT_STATS_H */
