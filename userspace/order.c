// SPDX-License-Identifier: GPL-2.0 OR MIT
/* See order.h: a binary min-heap of (time, arrival) over a pool of records. */
#include <stdlib.h>
#include <string.h>
#include "order.h"

int ct_order_init(struct ct_order *q, unsigned long long window_ns,
		  unsigned int cap)
{
	unsigned int i;

	memset(q, 0, sizeof(*q));
	q->window_ns = window_ns;
	q->cap = cap ? cap : 1;
	q->heap = calloc(q->cap, sizeof(*q->heap));
	q->recs = calloc(q->cap, sizeof(*q->recs));
	q->free_idx = calloc(q->cap, sizeof(*q->free_idx));
	if (!q->heap || !q->recs || !q->free_idx) {
		ct_order_free(q);
		return -1;
	}
	for (i = 0; i < q->cap; i++)
		q->free_idx[i] = q->cap - 1 - i;
	q->n_free = q->cap;
	return 0;
}

void ct_order_free(struct ct_order *q)
{
	free(q->heap);
	free(q->recs);
	free(q->free_idx);
	q->heap = NULL;
	q->recs = NULL;
	q->free_idx = NULL;
}

static bool before(const struct ct_order_slot *a, const struct ct_order_slot *b)
{
	return a->ts < b->ts || (a->ts == b->ts && a->seq < b->seq);
}

static void take_top(struct ct_order *q, struct ct_event *out)
{
	struct ct_order_slot last;
	unsigned int i = 0, c;

	*out = q->recs[q->heap[0].idx];
	q->free_idx[q->n_free++] = q->heap[0].idx;
	last = q->heap[--q->n];
	/* sift the last slot down from the root */
	while ((c = 2 * i + 1) < q->n) {
		if (c + 1 < q->n && before(&q->heap[c + 1], &q->heap[c]))
			c++;
		if (!before(&q->heap[c], &last))
			break;
		q->heap[i] = q->heap[c];
		i = c;
	}
	if (q->n)
		q->heap[i] = last;
	if (q->any_out && out->ts_ns < q->last_out)
		q->late++;
	if (!q->any_out || out->ts_ns > q->last_out)
		q->last_out = out->ts_ns;
	q->any_out = true;
}

bool ct_order_push(struct ct_order *q, const struct ct_event *ev,
		   struct ct_event *out)
{
	struct ct_order_slot s;
	unsigned int i, p;
	bool popped = false;

	if (q->n == q->cap) {
		take_top(q, out);
		q->forced++;
		popped = true;
	}
	s.ts = ev->ts_ns;
	s.seq = q->seq++;
	s.idx = q->free_idx[--q->n_free];
	q->recs[s.idx] = *ev;
	/* sift up */
	for (i = q->n++; i > 0; i = p) {
		p = (i - 1) / 2;
		if (!before(&s, &q->heap[p]))
			break;
		q->heap[i] = q->heap[p];
	}
	q->heap[i] = s;
	return popped;
}

bool ct_order_pop_ready(struct ct_order *q, unsigned long long now,
			struct ct_event *out)
{
	if (!q->n || now < q->heap[0].ts || now - q->heap[0].ts < q->window_ns)
		return false;
	take_top(q, out);
	return true;
}

bool ct_order_pop(struct ct_order *q, struct ct_event *out)
{
	if (!q->n)
		return false;
	take_top(q, out);
	return true;
}
