/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CT_RING_H
#define CT_RING_H

#include <linux/wait.h>
#include "ct_abi.h"

/* Where records go (module parameter output=): bits. */
enum ct_output {
	CT_OUT_COUNTERS = 0,	/* no record leaves: the summary's counters only */
	CT_OUT_RING = 1,	/* the ring, read from debugfs (the default) */
	CT_OUT_TRACE = 2,	/* the trace events closetrace:* */
	CT_OUT_BOTH = CT_OUT_RING | CT_OUT_TRACE,
};

int ct_ring_init(unsigned long bytes_per_cpu, unsigned int output);
unsigned int ct_ring_output(void);
/* Switch output at run time (the control file's output=). */
void ct_ring_set_output(unsigned int output);
/* "counters", "ring", "trace", "both" (the parameter's values); NULL for others. */
const char *ct_output_name(unsigned int output);
void ct_ring_exit(void);
/*
 * The one place a record leaves: fill the header of ev, then write it to
 * the ring (counting a loss when it is full) and/or emit it as its trace
 * event, as output= says.
 */
void ct_ring_emit(struct ct_event *ev);
/* Take the oldest record across CPUs; false when the ring is empty. */
bool ct_ring_take(struct ct_event *out);
/* n records taken reached the reader (events_read). */
void ct_ring_delivered(unsigned long n);
/*
 * A record taken that will never reach a reader (its reader closed with it
 * half sent): counted in events_discarded and, in-band, in a LOST record
 * of its CPU.
 */
void ct_ring_discard(const struct ct_event *ev);
bool ct_ring_empty(void);
/* Records written with cpu in their header: its own and its LOST records. */
u64 ct_ring_written(int cpu);
/* Discard everything unread; returns how many records were discarded. */
unsigned long ct_ring_clear(void);
void ct_ring_shutdown(void);	/* wake and fail all waiting readers */
bool ct_ring_is_shutdown(void);

/* Before sleeping on ct_ring_wait: true when there is still nothing to read. */
bool ct_ring_prepare_wait(void);

extern wait_queue_head_t ct_ring_wait;

#endif /* CT_RING_H */
