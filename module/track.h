/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CT_TRACK_H
#define CT_TRACK_H

#include <linux/list.h>
#include <linux/spinlock.h>
#include "ct_abi.h"
#include "ct_classify.h"

/* Where a tracked socket is on its way out. */
enum ct_phase {
	CT_PH_PENDING,		/* fd closed, final put not yet run (key: file) */
	CT_PH_RELEASING,	/* sock_close/inet_release running (key: sock) */
	CT_PH_IN_CLOSE,		/* inside tcp_close */
	CT_PH_ORPHAN,		/* tcp_close returned; following the orphan */
};

/*
 * One socket being closed. The key is the address of the object it is filed
 * under (a struct file while pending, then a struct sock): used to find the
 * context only, never dereferenced through the table, never printed.
 */
/* tcp_info's counters, as the END record carries them (read at the end). */
struct ct_tcp_counts {
	u64 bytes_acked;
	u64 bytes_received;
	u32 segs_in;
	u32 segs_out;
	u32 total_retrans;
	u32 srtt_us;
};

struct ct_ctx {
	struct hlist_node node;
	const void *key;
	enum ct_phase phase;
	bool destroyed;
	bool timewait;
	bool rcv_reset;		/* tcp_reset() ran: a RST came in or data after close */
	u8 state_cur;
	u8 pre_close;		/* the state it left for CLOSE */
	bool fin_check;		/* fin_seq waits to be compared */
	u32 fin_seq;		/* write_seq at tcp_send_fin's entry */
	u64 ts_close;		/* when the close began */
	u64 born_ts;		/* the connection's birth (0: not seen) */
	u64 ts_tcp_close;	/* tcp_close entry */
	struct ct_snapshot snap;
	struct ct_observed obs;
	struct ct_event ev;	/* identity fields, filled once */
	bool end_counts_set;	/* the socket's end was seen: end_counts */
	struct ct_tcp_counts end_counts;
};

struct ct_bucket {
	spinlock_t lock;
	struct hlist_head head;
};

int ct_track_init(unsigned int max_tracked);
void ct_track_exit(void);

struct ct_ctx *ct_ctx_alloc(void);
void ct_ctx_free(struct ct_ctx *ctx);

struct ct_bucket *ct_bucket_of(const void *key);
/* Quick unlocked check used on hot paths before taking the lock. */
bool ct_bucket_maybe(const void *key);
/* The suffix _locked: the caller holds the bucket's lock. */
struct ct_ctx *ct_find_locked(struct ct_bucket *b, const void *key);
/*
 * The key of a context whose socket was destroyed inside tcp_close: the
 * socket's memory may be reused (TCP sockets are SLAB_TYPESAFE_BY_RCU) by a
 * new socket, closed on another CPU, before tcp_close's return probe runs.
 * The context stays in its bucket under this key, which is odd and so never
 * the address of an object, until the return probe finds it by close id.
 */
static inline const void *ct_retired_key(u64 close_id)
{
	return (const void *)(uintptr_t)(close_id << 1 | 1);
}
/* Unfile ctx; the caller holds the lock of the bucket ctx is filed in. */
void ct_remove_locked(struct ct_ctx *ctx);

/* Remove and return the context filed under key, or NULL. */
struct ct_ctx *ct_track_remove(const void *key);
/* File ctx under key; an older context under the same key is freed. */
void ct_track_insert(struct ct_ctx *ctx, const void *key);

unsigned int ct_track_count(void);

#endif /* CT_TRACK_H */
