/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CT_RING_H
#define CT_RING_H

#include <linux/compiler.h>
#include <linux/types.h>
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

/*
 * The events file's reader: takes the ring a page at a time and copies
 * the page's records to the user (ring.c). One per open file, allocated
 * at open (GFP_KERNEL); reads of one reader are serialised by its caller.
 */
struct ct_ring_reader;
struct ct_ring_reader *ct_ring_reader_alloc(void);	/* or ERR_PTR */
/* Gives up the records still in its page, counted as ct_ring_discard(). */
void ct_ring_reader_free(struct ct_ring_reader *rr);
/* Records taken from the ring that the reader has not copied yet. */
bool ct_ring_reader_pending(const struct ct_ring_reader *rr);
/*
 * Copy whole records to buf, at most count bytes, without sleeping: first
 * those waiting in the reader's page, then pages of the CPUs in turn,
 * never taking from the ring more records than buf has room for. Records
 * of one CPU come in order, of different CPUs not. Returns the bytes
 * copied, 0 when there is nothing to read, -EFAULT if the first record
 * could not be copied (it waits for the next read).
 */
ssize_t ct_ring_read(struct ct_ring_reader *rr, char __user *buf,
		     size_t count);
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
