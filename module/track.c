// SPDX-License-Identifier: GPL-2.0
/*
 * The table of sockets being closed: a hash of per-bucket IRQ-safe spinlocks
 * (no global lock on any path), keyed by object address. Contexts are
 * allocated with GFP_ATOMIC in process context (the fd close and the socket
 * release); the table is bounded by the max_tracked parameter and a full
 * table is counted (stats: untracked), never silent.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hash.h>
#include <linux/kprobes.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>
#include "stats.h"
#include "track.h"

#define CT_HASH_BITS 10

static struct ct_bucket *ct_table;
static atomic_t ct_tracked = ATOMIC_INIT(0);
static unsigned int ct_max_tracked;

int ct_track_init(unsigned int max_tracked)
{
	unsigned int i;

	ct_table = kvcalloc(1u << CT_HASH_BITS, sizeof(*ct_table), GFP_KERNEL);
	if (!ct_table)
		return -ENOMEM;
	for (i = 0; i < (1u << CT_HASH_BITS); i++) {
		spin_lock_init(&ct_table[i].lock);
		INIT_HLIST_HEAD(&ct_table[i].head);
	}
	ct_max_tracked = max_tracked;
	return 0;
}

void ct_track_exit(void)
{
	struct ct_ctx *ctx;
	struct hlist_node *tmp;
	unsigned int i;

	for (i = 0; i < (1u << CT_HASH_BITS); i++) {
		hlist_for_each_entry_safe(ctx, tmp, &ct_table[i].head, node) {
			hlist_del(&ctx->node);
			ct_ctx_free(ctx);
		}
	}
	WARN_ON(atomic_read(&ct_tracked));
	kvfree(ct_table);
	ct_table = NULL;
}

struct ct_ctx *ct_ctx_alloc(void)
{
	struct ct_ctx *ctx;

	if (atomic_inc_return(&ct_tracked) > ct_max_tracked) {
		atomic_dec(&ct_tracked);
		ct_stat_inc(untracked);
		return NULL;
	}
	ctx = kzalloc(sizeof(*ctx), GFP_ATOMIC);
	if (!ctx) {
		atomic_dec(&ct_tracked);
		ct_stat_inc(untracked);
	}
	return ctx;
}
NOKPROBE_SYMBOL(ct_ctx_alloc);

void ct_ctx_free(struct ct_ctx *ctx)
{
	kfree(ctx);
	atomic_dec(&ct_tracked);
}
NOKPROBE_SYMBOL(ct_ctx_free);

unsigned int ct_track_count(void)
{
	return atomic_read(&ct_tracked);
}

struct ct_bucket *ct_bucket_of(const void *key)
{
	return &ct_table[hash_ptr((void *)key, CT_HASH_BITS)];
}
NOKPROBE_SYMBOL(ct_bucket_of);

bool ct_bucket_maybe(const void *key)
{
	return !hlist_empty(&ct_bucket_of(key)->head);
}
NOKPROBE_SYMBOL(ct_bucket_maybe);

struct ct_ctx *ct_find_locked(struct ct_bucket *b, const void *key)
	__must_hold(&b->lock)
{
	struct ct_ctx *ctx;

	hlist_for_each_entry(ctx, &b->head, node)
		if (ctx->key == key)
			return ctx;
	return NULL;
}
NOKPROBE_SYMBOL(ct_find_locked);

static void ct_insert_locked(struct ct_bucket *b, struct ct_ctx *ctx,
			     const void *key)
	__must_hold(&b->lock)
{
	ctx->key = key;
	hlist_add_head(&ctx->node, &b->head);
}
NOKPROBE_SYMBOL(ct_insert_locked);

void ct_remove_locked(struct ct_ctx *ctx)
{
	hlist_del_init(&ctx->node);
}
NOKPROBE_SYMBOL(ct_remove_locked);

struct ct_ctx *ct_track_remove(const void *key)
{
	struct ct_bucket *b = ct_bucket_of(key);
	struct ct_ctx *ctx;
	unsigned long flags;

	if (hlist_empty(&b->head))
		return NULL;
	spin_lock_irqsave(&b->lock, flags);
	ctx = ct_find_locked(b, key);
	if (ctx)
		ct_remove_locked(ctx);
	spin_unlock_irqrestore(&b->lock, flags);
	return ctx;
}
NOKPROBE_SYMBOL(ct_track_remove);

void ct_track_insert(struct ct_ctx *ctx, const void *key)
{
	struct ct_bucket *b = ct_bucket_of(key);
	struct ct_ctx *old;
	unsigned long flags;

	spin_lock_irqsave(&b->lock, flags);
	old = ct_find_locked(b, key);
	if (old)
		ct_remove_locked(old);
	ct_insert_locked(b, ctx, key);
	spin_unlock_irqrestore(&b->lock, flags);
	if (old) {
		/* A context whose end we never saw: count it, drop it. */
		ct_stat_inc(incomplete);
		ct_ctx_free(old);
	}
}
NOKPROBE_SYMBOL(ct_track_insert);
