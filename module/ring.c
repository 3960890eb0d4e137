// SPDX-License-Identifier: GPL-2.0
/*
 * The event ring: the kernel's tracing ring buffer (kernel/trace/ring_buffer.c),
 * one per-CPU buffer each, in drop-new mode (no RB_FL_OVERWRITE). A writer
 * that cannot reserve counts a loss on its CPU and, once it can write again,
 * first writes a CT_EV_LOST record carrying the count: losses are reported
 * in-band and in /proc/closetrace/stats, never silent.
 *
 * Writers run in kprobe/tracepoint context (preemption off, any context but
 * NMI); they take no lock. Readers are serialised by the debugfs files (one
 * consumer at a time) and woken through irq_work, so a writer never calls
 * wake_up() from inside a probed function.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/irq_work.h>
#include <linux/kprobes.h>
#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/uaccess.h>
#include "compat.h"
#include "ct_rbpage.h"
#include "events.h"
#include "ring.h"
#include "stats.h"
#include "summary.h"

static struct trace_buffer *ct_rb;
/*
 * Consumers (the one open reader, and "clear") take records under this
 * lock: a clear counts exactly what it removed, and never a record a reader
 * has taken (records in a reader's page have left the ring).
 */
static DEFINE_SPINLOCK(ct_consume_lock);
static DEFINE_PER_CPU(atomic64_t, ct_pending_lost);
/*
 * LOST records written, by the CPU whose loss they report. The reader may
 * flush another CPU's loss into its own ring; the record carries the CPU
 * that lost, and so does this count.
 */
static DEFINE_PER_CPU(atomic64_t, ct_lost_records);
/*
 * A sleeping reader is woken once a CPU has written ct_wake_mark records
 * since the last wake-up, not on every record: a wake-up (irq_work, the
 * scheduler, the reader's poll, reads and write of its output) per record
 * was most of closetrace's cost in the benchmark, and one per 64 records
 * still most of the reading's. The mark is a quarter of a CPU's ring, at
 * most CT_WAKE_MARK_MAX records (about 35 pages): three quarters stay
 * free for what comes while the reader wakes. Readers sleep at most
 * 100 ms (the blocking read) or their own poll timeout, so a lone record
 * still arrives.
 */
static DEFINE_PER_CPU(unsigned int, ct_since_wake);
static unsigned int ct_wake_mark;
#define CT_WAKE_MARK_MAX 512
/*
 * What the tracing ring buffer adds to each record, at most: a 4-byte event
 * header and, for data longer than RB_MAX_SMALL_DATA (112 bytes) as a
 * ct_event is, a 4-byte length word; and an 8-byte time extend event before
 * it when the time since the previous event does not fit the header's 27
 * bits (rb_calculate_event_length(), kernel/trace/ring_buffer.c).
 */
#define CT_RB_EVENT_OVERHEAD 16
static bool ct_shutdown;
static unsigned int ct_output = CT_OUT_RING;

DECLARE_WAIT_QUEUE_HEAD(ct_ring_wait);
/* Set by a reader about to sleep; writers then queue the wake-up. */
static bool ct_ring_want_wake;

static void ct_wake_fn(struct irq_work *w)
{
	WRITE_ONCE(ct_ring_want_wake, false);
	wake_up_all(&ct_ring_wait);
}

static struct irq_work ct_wake_work;

int ct_ring_init(unsigned long bytes_per_cpu, unsigned int output)
{
	ct_output = output;
	init_irq_work(&ct_wake_work, ct_wake_fn);
	/* a quarter of a CPU's ring, at most CT_WAKE_MARK_MAX records */
	ct_wake_mark = clamp_t(unsigned long,
			       bytes_per_cpu / (4 * (sizeof(struct ct_event) +
						    CT_RB_EVENT_OVERHEAD)),
			       1, CT_WAKE_MARK_MAX);
	ct_rb = ring_buffer_alloc(bytes_per_cpu, 0);
	if (!ct_rb)
		return -ENOMEM;
	return 0;
}

unsigned int ct_ring_output(void)
{
	return READ_ONCE(ct_output);
}

void ct_ring_set_output(unsigned int output)
{
	WRITE_ONCE(ct_output, output);
}

const char *ct_output_name(unsigned int output)
{
	static const char *const names[] = {
		[CT_OUT_COUNTERS] = "counters",
		[CT_OUT_RING] = "ring",
		[CT_OUT_TRACE] = "trace",
		[CT_OUT_BOTH] = "both",
	};

	return output < ARRAY_SIZE(names) ? names[output] : NULL;
}

void ct_ring_exit(void)
{
	irq_work_sync(&ct_wake_work);
	ring_buffer_free(ct_rb);
	ct_rb = NULL;
}

static bool ct_rb_write(const struct ct_event *ev)
{
	struct ring_buffer_event *rbe;

	rbe = ring_buffer_lock_reserve(ct_rb, sizeof(*ev));
	if (!rbe)
		return false;
	memcpy(ring_buffer_event_data(rbe), ev, sizeof(*ev));
	ct_rb_commit(ct_rb, rbe);
	return true;
}
NOKPROBE_SYMBOL(ct_rb_write);

/*
 * Write the LOST record for a pending count of lost; false if it could not.
 * Apart from ct_write_lost() so that the record is built only when there
 * is a loss to report: its initialiser is a 264-byte memset that every
 * record paid when it was built before the check (a memset call with
 * gcc 14, docs/performance.md).
 */
static noinline bool ct_write_lost_rec(atomic64_t *pending, int cpu, u64 ts,
				       s64 lost)
{
	struct ct_event le = {
		.magic = CT_MAGIC,
		.version = CT_ABI_VERSION,
		.type = CT_EV_LOST,
		.size = sizeof(le),
		.cpu = cpu,
		.ts_ns = ts,
		.fd = CT_FD_NONE,
		.count = lost,
	};

	if (!ct_rb_write(&le)) {
		atomic64_add(lost, pending);
		return false;
	}
	atomic64_inc(per_cpu_ptr(&ct_lost_records, cpu));
	return true;
}
NOKPROBE_SYMBOL(ct_write_lost_rec);

/* Write a LOST record for cpu's pending count; false if it could not. */
static bool ct_write_lost(int cpu, u64 ts)
{
	atomic64_t *pending = per_cpu_ptr(&ct_pending_lost, cpu);
	s64 lost;

	/* Every record passes here: a plain read first, the xchg only on loss. */
	if (atomic64_read(pending) <= 0)
		return true;
	lost = atomic64_xchg(pending, 0);
	if (lost <= 0)
		return true;
	return ct_write_lost_rec(pending, cpu, ts, lost);
}
NOKPROBE_SYMBOL(ct_write_lost);

void ct_ring_emit(struct ct_event *ev)
{
	unsigned int output;
	unsigned long flags;
	bool wake;

	ev->magic = CT_MAGIC;
	ev->version = CT_ABI_VERSION;
	ev->size = sizeof(*ev);
	if (!ev->ts_ns)
		ev->ts_ns = ktime_get_ns();

	/*
	 * Interrupts off so that this CPU's LOST record and its pending count
	 * are not interleaved with a softirq writer on the same CPU.
	 */
	local_irq_save(flags);
	ev->cpu = smp_processor_id();
	ct_summary_account(ev);
	output = READ_ONCE(ct_output);
	if (output & CT_OUT_TRACE) {
		ct_trace_record(ev);
		this_cpu_inc(ct_stats.traced);
	}
	if (!(output & CT_OUT_RING)) {
		local_irq_restore(flags);
		return;
	}
	if (!ct_write_lost(ev->cpu, ev->ts_ns) || !ct_rb_write(ev)) {
		atomic64_inc(this_cpu_ptr(&ct_pending_lost));
		this_cpu_inc(ct_stats.lost);
		local_irq_restore(flags);
		return;
	}
	this_cpu_inc(ct_stats.written);
	wake = this_cpu_inc_return(ct_since_wake) >= ct_wake_mark;
	if (wake)
		this_cpu_write(ct_since_wake, 0);
	local_irq_restore(flags);
	smp_mb();	/* pairs with ct_ring_prepare_wait() */
	if (wake && READ_ONCE(ct_ring_want_wake))
		irq_work_queue(&ct_wake_work);
}
NOKPROBE_SYMBOL(ct_ring_emit);

/*
 * Called by the reader when the ring is empty: write the LOST records that
 * CPUs still owe (a CPU that loses records and then goes quiet would
 * otherwise never report them). Returns true if one was written.
 */
static bool ct_flush_lost(void)
{
	unsigned long flags;
	bool wrote = false;
	int cpu;

	for_each_possible_cpu(cpu) {
		/* ct_write_lost() is also true when nothing is owed: skip those. */
		if (atomic64_read(per_cpu_ptr(&ct_pending_lost, cpu)) <= 0)
			continue;
		local_irq_save(flags);
		wrote |= ct_write_lost(cpu, ktime_get_ns());
		local_irq_restore(flags);
	}
	return wrote;
}

static bool __ct_ring_take(struct ct_event *out)
{
	struct ring_buffer_event *rbe;
	int cpu, best = -1;
	u64 ts, best_ts = U64_MAX;

	for_each_possible_cpu(cpu) {
		if (ring_buffer_empty_cpu(ct_rb, cpu))
			continue;
		rbe = ring_buffer_peek(ct_rb, cpu, &ts, NULL);
		if (rbe && ts < best_ts) {
			best_ts = ts;
			best = cpu;
		}
	}
	if (best < 0)
		return ct_flush_lost() && __ct_ring_take(out);
	rbe = ring_buffer_consume(ct_rb, best, &ts, NULL);
	if (!rbe)
		return false;
	if (ring_buffer_event_length(rbe) < sizeof(*out)) {
		/* Cannot happen: every record is written whole. */
		WARN_ON_ONCE(1);
		return false;
	}
	memcpy(out, ring_buffer_event_data(rbe), sizeof(*out));
	return true;
}

bool ct_ring_take(struct ct_event *out)
{
	bool got;

	spin_lock(&ct_consume_lock);
	got = __ct_ring_take(out);
	spin_unlock(&ct_consume_lock);
	return got;
}

void ct_ring_delivered(unsigned long n)
{
	atomic64_add(n, &ct_events_read);
}

static void ct_ring_discard_cpu(unsigned int cpu)
{
	if (cpu >= nr_cpu_ids || !cpu_possible(cpu))
		cpu = 0;
	atomic64_inc(&ct_events_discarded);
	/* In-band too: the next record written on its CPU is a LOST first. */
	atomic64_inc(per_cpu_ptr(&ct_pending_lost, cpu));
}

void ct_ring_discard(const struct ct_event *ev)
{
	ct_ring_discard_cpu(ev->cpu);
}

/*
 * The events file's reader: takes the ring a page at a time, as
 * trace_pipe_raw does (ring_buffer_read_page(): the CPU's reader page is
 * swapped with ours when it is whole and the writer is off it, else its
 * unread events are copied into ours), then copies the page's records to
 * the user. A page costs one ring_buffer_read_page() where a record cost a
 * peek of every CPU and a consume.
 *
 * The page's records have left the ring: the reader owns them. A read takes
 * from the ring no more records than its buffer has room for, so records
 * wait in the page only after a copy that faulted; what is left there when
 * the file is closed is given up and counted (ct_ring_discard_cpu()), as a
 * half-sent record always was.
 *
 * Pages are taken from the CPUs in turn: each CPU's records come in order,
 * records of different CPUs do not (the reader orders them by time).
 */
struct ct_rb_data_page {	/* struct buffer_data_page */
	u64 time_stamp;
	local_t commit;
	unsigned char data[];
};

struct ct_ring_reader {
	struct ct_rb_read_page page;
	size_t size;			/* of the page, its header included */
	const unsigned char *data;	/* the page's events */
	unsigned int off, end;		/* the unread ones: [off, end) */
	int page_cpu;			/* the CPU the page was allocated for */
	int next_cpu;			/* the CPU the next page comes from */
};

struct ct_ring_reader *ct_ring_reader_alloc(void)
{
	struct ct_ring_reader *rr;
	int err;

	/* Always a data event of type_len 0, its length exact (ct_rbpage.h). */
	BUILD_BUG_ON(sizeof(struct ct_event) <= 4 * RINGBUF_TYPE_DATA_TYPE_LEN_MAX);
	BUILD_BUG_ON(sizeof(struct ct_event) % 8);
	BUILD_BUG_ON(offsetof(struct ct_rb_data_page, data) != CT_RB_PAGE_HDR);
#ifdef CT_HAVE_RB_DATA_PAGE
	BUILD_BUG_ON(offsetof(struct buffer_data_page, data) != CT_RB_PAGE_HDR);
#endif
	rr = kzalloc(sizeof(*rr), GFP_KERNEL);
	if (!rr)
		return ERR_PTR(-ENOMEM);
	/*
	 * For a CPU the ring has a buffer of: every CPU that has been online
	 * has one (trace_rb_cpu_prepare()), never freed.
	 */
	rr->page_cpu = raw_smp_processor_id();
	err = ct_rb_alloc_read_page(ct_rb, rr->page_cpu, &rr->page);
	if (err) {
		kfree(rr);
		return ERR_PTR(err);
	}
	rr->size = ct_rb_read_page_size(&rr->page);
	return rr;
}

void ct_ring_reader_free(struct ct_ring_reader *rr)
{
	const unsigned char *rec;
	u32 cpu;
	int len;

	for (; rr->off < rr->end; rr->off += len) {
		len = ct_rb_page_event(rr->data, rr->off, rr->end, &rec);
		if (len <= 0)
			break;
		if (!rec)
			continue;
		/* (4-byte aligned in the page) */
		memcpy(&cpu, rec + offsetof(struct ct_event, cpu), sizeof(cpu));
		ct_ring_discard_cpu(cpu);
	}
	ct_rb_free_read_page(ct_rb, rr->page_cpu, &rr->page);
	kfree(rr);
}

bool ct_ring_reader_pending(const struct ct_ring_reader *rr)
{
	return READ_ONCE(rr->off) < READ_ONCE(rr->end);
}

/*
 * Take the next page of records into rr: from the CPUs in turn, starting
 * after the one the last page came from; at most what room has space for
 * (ring_buffer_read_page() takes whole events up to len bytes, and a
 * record's event is CT_RB_EVENT_LEN bytes, a time extend's more). When
 * every CPU is empty, write the LOST records CPUs owe and look once more,
 * as __ct_ring_take() does. false: nothing to take.
 */
static bool ct_reader_fill(struct ct_ring_reader *rr, size_t room)
{
	size_t n = min_t(size_t, room / sizeof(struct ct_event),
			 rr->size / CT_RB_EVENT_LEN);
	size_t len = CT_RB_PAGE_HDR + n * CT_RB_EVENT_LEN + CT_RB_TIME_EXTEND_LEN;
	const struct ct_rb_data_page *dp;
	bool flushed = false;
	unsigned int i;
	int cpu, off;
	long end;

	len = min(len, rr->size);
	spin_lock(&ct_consume_lock);
	for (;;) {
		/* (not cpumask_next(): it scans the mask's NR_CPUS bits) */
		for (i = 0; i < nr_cpu_ids; i++) {
			cpu = rr->next_cpu;
			rr->next_cpu = cpu + 1 < nr_cpu_ids ? cpu + 1 : 0;
			if (!cpu_possible(cpu))
				continue;
			off = ct_rb_read_page(ct_rb, &rr->page, len, cpu);
			if (off < 0)
				continue;
			/* The page may have been swapped: look it up again. */
			dp = ct_rb_read_page_data(&rr->page);
			end = local_read(&dp->commit) & ~CT_RB_MISSED_MASK;
			end = min_t(long, end, rr->size - CT_RB_PAGE_HDR);
			if (off >= end)
				continue;
			rr->data = dp->data;
			WRITE_ONCE(rr->end, end);
			WRITE_ONCE(rr->off, off);
			spin_unlock(&ct_consume_lock);
			return true;
		}
		if (flushed || !ct_flush_lost())
			break;
		flushed = true;
	}
	spin_unlock(&ct_consume_lock);
	return false;
}

/*
 * Copy the page's unread records to buf while room lasts, with user access
 * open once for them all (ct_rb_page_event() is inline: no call while it is
 * open). Returns the bytes copied; *fault if a copy faulted (that record
 * stays in the page), *bad if an event cannot be one of ours (the rest of
 * the page is dropped).
 */
static size_t ct_reader_copy(struct ct_ring_reader *rr, char __user *buf,
			     size_t room, bool *fault, bool *bad)
{
	unsigned int off = rr->off, end = rr->end;
	const unsigned char *rec;
	size_t done = 0;
	int len;

	/* At most the page's records: no more of buf is checked. */
	room = min_t(size_t, room / sizeof(struct ct_event),
		     (end - off) / CT_RB_EVENT_LEN) * sizeof(struct ct_event);
	if (!user_write_access_begin(buf, room)) {
		*fault = true;
		return 0;
	}
	while (off < end) {
		len = ct_rb_page_event(rr->data, off, end, &rec);
		if (len <= 0) {
			*bad = len < 0;
			off = end;
			break;
		}
		if (rec) {
			if (done == room)
				break;
			unsafe_copy_to_user(buf + done, rec,
					    sizeof(struct ct_event), efault);
			done += sizeof(struct ct_event);
		}
		off += len;
	}
	user_write_access_end();
	WRITE_ONCE(rr->off, off);
	return done;
efault:
	user_write_access_end();
	WRITE_ONCE(rr->off, off);
	*fault = true;
	return done;
}

ssize_t ct_ring_read(struct ct_ring_reader *rr, char __user *buf,
		     size_t count)
{
	bool fault = false, bad = false;
	size_t done = 0;

	while (count - done >= sizeof(struct ct_event)) {
		if (rr->off >= rr->end && !ct_reader_fill(rr, count - done))
			break;
		done += ct_reader_copy(rr, buf + done, count - done, &fault,
				       &bad);
		if (fault)
			break;
		/* Cannot happen: the ring holds our records only. */
		if (WARN_ON_ONCE(bad))
			bad = false;
	}
	if (!done && fault)
		return -EFAULT;
	return done;
}

u64 ct_ring_written(int cpu)
{
	return per_cpu(ct_stats, cpu).written +
	       atomic64_read(per_cpu_ptr(&ct_lost_records, cpu));
}

bool ct_ring_empty(void)
{
	return ring_buffer_empty(ct_rb);
}

unsigned long ct_ring_clear(void)
{
	unsigned long n = 0, left;
	int cpu;

	/*
	 * Consume rather than ring_buffer_reset(): what is counted is what
	 * went. Bounded by what each CPU held when the clear began; records
	 * written meanwhile are either cleared (and counted) or kept.
	 */
	spin_lock(&ct_consume_lock);
	for_each_possible_cpu(cpu) {
		left = ring_buffer_entries_cpu(ct_rb, cpu);
		while (left-- && ring_buffer_consume(ct_rb, cpu, NULL, NULL))
			n++;
	}
	spin_unlock(&ct_consume_lock);
	atomic64_add(n, &ct_events_cleared);
	return n;
}

bool ct_ring_prepare_wait(void)
{
	WRITE_ONCE(ct_ring_want_wake, true);
	smp_mb();	/* pairs with ct_ring_emit() */
	return ct_ring_empty() && !ct_ring_is_shutdown();
}

void ct_ring_shutdown(void)
{
	WRITE_ONCE(ct_shutdown, true);
	wake_up_all(&ct_ring_wait);
}

bool ct_ring_is_shutdown(void)
{
	return READ_ONCE(ct_shutdown);
}
