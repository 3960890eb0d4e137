// SPDX-License-Identifier: GPL-2.0
/*
 * The summary's counters: one block per CPU (alloc_percpu: 15 KiB, more
 * than a module's static per-CPU area should take), written only by its
 * own CPU with interrupts off (ct_ring_emit) or by this_cpu_inc(), summed
 * when /proc/closetrace/summary is read. A sum is racy as any per-CPU
 * counter's: each counter only grows, so a read never goes backwards.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitops.h>
#include <linux/kprobes.h>
#include <linux/percpu.h>
#include <linux/socket.h>
#include "ct_classify.h"
#include "filter.h"
#include "ring.h"
#include "summary.h"

enum { CT_SF_INET, CT_SF_INET6, CT_SF_CLOSE_FAMILIES };
enum { CT_SR_INET, CT_SR_INET6, CT_SR_UNIX, CT_SR_OTHER, CT_SR_FAMILIES };
enum { CT_H_CLOSE, CT_H_LINGER, CT_H_ORPHAN, CT_H_MAX };
enum { CT_OE_TIMEWAIT, CT_OE_CLOSED, CT_OE_MAX };

#define CT_H_BUCKETS 65		/* fls64(): 0 (the value 0) to 64 */

struct ct_hist {
	u64 bucket[CT_H_BUCKETS];
	u64 sum;
	u64 count;
};

struct ct_summary {
	u64 close[CT_SF_CLOSE_FAMILIES][CT_ACT_MAX][CT_R_MAX][CT_TCP_MAX_STATES];
	u64 release[CT_SR_FAMILIES];
	u64 reset_sent[CT_R_MAX];
	u64 reset_received;
	u64 close_wait_entered;
	u64 orphan_end[CT_OE_MAX];
	struct ct_hist hist[CT_H_MAX];
};

static struct ct_summary __percpu *ct_sum;

static const char *const ct_close_family[CT_SF_CLOSE_FAMILIES] = {
	"inet", "inet6",
};
static const char *const ct_release_family[CT_SR_FAMILIES] = {
	"inet", "inet6", "unix", "other",
};
static const char *const ct_hist_name[CT_H_MAX] = {
	"close_ns", "linger_wait_ns", "orphan_lifetime_ns",
};
static const char *const ct_orphan_end[CT_OE_MAX] = {
	"timewait", "closed",
};

int ct_summary_init(void)
{
	ct_sum = alloc_percpu(struct ct_summary);
	return ct_sum ? 0 : -ENOMEM;
}

void ct_summary_exit(void)
{
	free_percpu(ct_sum);
	ct_sum = NULL;
}

static void ct_hist_add(struct ct_hist *h, u64 v)
{
	h->bucket[fls64(v)]++;
	h->sum += v;
	h->count++;
}
NOKPROBE_SYMBOL(ct_hist_add);

void ct_summary_account(const struct ct_event *ev)
{
	struct ct_summary *s = this_cpu_ptr(ct_sum);
	unsigned int f;

	switch (ev->type) {
	case CT_EV_CLOSE:
		f = ev->family == AF_INET6 ? CT_SF_INET6 : CT_SF_INET;
		if (ev->action < CT_ACT_MAX && ev->reason < CT_R_MAX &&
		    ev->state_before < CT_TCP_MAX_STATES)
			s->close[f][ev->action][ev->reason][ev->state_before]++;
		ct_hist_add(&s->hist[CT_H_CLOSE], ev->blocked_ns);
		if (ev->flags & CT_F_LINGER_WAIT)
			ct_hist_add(&s->hist[CT_H_LINGER], ev->blocked_ns);
		break;
	case CT_EV_RELEASE:
		f = ev->family == AF_INET ? CT_SR_INET :
		    ev->family == AF_INET6 ? CT_SR_INET6 :
		    ev->family == AF_UNIX ? CT_SR_UNIX : CT_SR_OTHER;
		s->release[f]++;
		break;
	case CT_EV_RESET:
		if (ev->reason < CT_R_MAX)
			s->reset_sent[ev->reason]++;
		break;
	case CT_EV_END:
		s->orphan_end[ev->flags & CT_F_TIMEWAIT ? CT_OE_TIMEWAIT : CT_OE_CLOSED]++;
		ct_hist_add(&s->hist[CT_H_ORPHAN], ev->count);
		break;
	default:
		break;
	}
}
NOKPROBE_SYMBOL(ct_summary_account);

void ct_summary_close_wait(void)
{
	if (READ_ONCE(ct_enabled))
		this_cpu_inc(ct_sum->close_wait_entered);
}
NOKPROBE_SYMBOL(ct_summary_close_wait);

void ct_summary_reset_received(void)
{
	if (READ_ONCE(ct_enabled))
		this_cpu_inc(ct_sum->reset_received);
}
NOKPROBE_SYMBOL(ct_summary_reset_received);

/* A counter's sum over all CPUs. */
#define CT_SUM(member) ({					\
	u64 __n = 0;						\
	int __cpu;						\
								\
	for_each_possible_cpu(__cpu)				\
		__n += per_cpu_ptr(ct_sum, __cpu)->member;	\
	__n;							\
})

void ct_summary_show(struct seq_file *m)
{
	unsigned int f, a, r, st, h, k;
	u64 n;

	seq_printf(m, "summary_version %u\n", CT_SUMMARY_VERSION);
	seq_printf(m, "output %s\n", ct_output_name(ct_ring_output()));
	for (f = 0; f < CT_SF_CLOSE_FAMILIES; f++)
		for (a = 0; a < CT_ACT_MAX; a++)
			for (r = 0; r < CT_R_MAX; r++)
				for (st = 0; st < CT_TCP_MAX_STATES; st++) {
					n = CT_SUM(close[f][a][r][st]);
					if (n)
						seq_printf(m, "close %s %s %s %s %llu\n",
							   ct_close_family[f],
							   ct_action_name(a),
							   ct_reason_name(r),
							   ct_state_name(st), n);
				}
	for (f = 0; f < CT_SR_FAMILIES; f++)
		seq_printf(m, "release %s %llu\n", ct_release_family[f],
			   CT_SUM(release[f]));
	for (r = 0; r < CT_R_MAX; r++) {
		n = CT_SUM(reset_sent[r]);
		if (n)
			seq_printf(m, "reset_sent %s %llu\n", ct_reason_name(r), n);
	}
	seq_printf(m, "reset_received %llu\n", CT_SUM(reset_received));
	seq_printf(m, "close_wait_entered %llu\n", CT_SUM(close_wait_entered));
	for (k = 0; k < CT_OE_MAX; k++)
		seq_printf(m, "orphan_end %s %llu\n", ct_orphan_end[k],
			   CT_SUM(orphan_end[k]));
	for (h = 0; h < CT_H_MAX; h++) {
		for (k = 0; k < CT_H_BUCKETS; k++) {
			n = CT_SUM(hist[h].bucket[k]);
			/* bucket k: values v with fls64(v) == k, v <= 2^k - 1 */
			if (n)
				seq_printf(m, "hist %s %llu %llu\n", ct_hist_name[h],
					   k == 64 ? U64_MAX : (1ULL << k) - 1, n);
		}
		seq_printf(m, "hist_sum %s %llu\n", ct_hist_name[h],
			   CT_SUM(hist[h].sum));
		seq_printf(m, "hist_count %s %llu\n", ct_hist_name[h],
			   CT_SUM(hist[h].count));
	}
}
