/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CT_RING_H
#define CT_RING_H

#include <linux/wait.h>
#include "ct_abi.h"

int ct_ring_init(unsigned long bytes_per_cpu);
void ct_ring_exit(void);
/* Fill the header of ev and write it; counts a loss when the ring is full. */
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
