// SPDX-License-Identifier: GPL-2.0
/*
 * The counters of /proc/closetrace/stats: per-CPU ones that the handlers
 * bump (ct_stat_inc), and the reader-side totals.
 */
#include "stats.h"

DEFINE_PER_CPU(struct ct_stats, ct_stats);
atomic64_t ct_events_read = ATOMIC64_INIT(0);
atomic64_t ct_events_cleared = ATOMIC64_INIT(0);
atomic64_t ct_events_discarded = ATOMIC64_INIT(0);
