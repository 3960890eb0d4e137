/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Records in time order across CPUs. The module writes a CLOSE at
 * tcp_close's return with the time the close began, and each CPU's records
 * in its own ring: the reader holds each record for a bounded window and
 * lets the oldest go first, as perf's ordered events do. A record that
 * comes later than the window still goes out, out of order, and is counted.
 */
#ifndef CT_ORDER_H
#define CT_ORDER_H

#include <stdbool.h>
#include <stddef.h>
#include "ct_abi.h"

struct ct_order_slot {
	unsigned long long ts;
	unsigned long long seq;	/* arrival order, for equal times */
	unsigned int idx;	/* into recs[] */
};

struct ct_order {
	unsigned long long window_ns;
	unsigned int cap;	/* records held at most */
	unsigned int n;
	unsigned long long seq;
	struct ct_order_slot *heap;
	struct ct_event *recs;
	unsigned int *free_idx;	/* free slots of recs[], n_free of them */
	unsigned int n_free;
	bool any_out;
	unsigned long long last_out;	/* ts of the last record let go */
	unsigned long long late;	/* records let go behind a later one */
	unsigned long long forced;	/* let go early: the window was full */
};

/* 0, or -1 when out of memory. */
int ct_order_init(struct ct_order *q, unsigned long long window_ns,
		  unsigned int cap);
void ct_order_free(struct ct_order *q);
/*
 * Hold ev. When the window is full, the oldest is let go into *out first
 * (returns true); otherwise false.
 */
bool ct_order_push(struct ct_order *q, const struct ct_event *ev,
		   struct ct_event *out);
/* The oldest record whose time is at least window before now: true and *out. */
bool ct_order_pop_ready(struct ct_order *q, unsigned long long now,
			struct ct_event *out);
/* The oldest record, whatever its time (at the end). */
bool ct_order_pop(struct ct_order *q, struct ct_event *out);

#endif /* CT_ORDER_H */
