/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Walking a page read out of the tracing ring buffer (ring_buffer_read_page(),
 * as trace_pipe_raw does): a pure function of the page's bytes, compiled
 * into the module and into the userspace unit tests (tests/unit).
 *
 * The page (tracefs events/header_page): u64 time_stamp; local_t commit;
 * then the events. commit is the number of bytes of events; its two top
 * bits are flags (RB_MISSED_EVENTS, RB_MISSED_STORED: events lost in
 * overwrite mode, which closetrace's drop-new ring never sets).
 *
 * An event (tracefs events/header_event; struct ring_buffer_event in
 * linux/ring_buffer.h) is a 32-bit header, type_len:5 and time_delta:27,
 * then array[]. By type_len (kernel/trace/ring_buffer.c, rb_event_length()
 * and rb_update_event(), the same from 5.10 to 7.2):
 *   0: data, array[0] its length in bytes from array[1] on. Data longer
 *      than RB_MAX_SMALL_DATA (4 * 28 = 112 bytes), as every ct_event is,
 *      always has type_len 0, and array[0] = 4 + the data's length: the
 *      length counts array[0] itself (ring_buffer_event_length() takes it
 *      off again). The data is at array[1].
 *   1..28: data of type_len * 4 bytes at array[0]: never one of ours.
 *   29 (PADDING): time_delta 0: nothing more in this page; else a
 *      discarded event of array[0] + 4 bytes.
 *   30 (TIME_EXTEND), 31 (TIME_STAMP): 8 bytes, before a data event.
 * Events are 4-byte aligned (8 with CONFIG_HAVE_64BIT_ALIGNED_ACCESS,
 * which x86 has not): a ct_event in a page is only 4-byte aligned.
 */
#ifndef CT_RBPAGE_H
#define CT_RBPAGE_H

#include "ct_abi.h"

#ifdef __KERNEL__
#include <linux/ring_buffer.h>
#else
#include <stddef.h>
#include <sys/cdefs.h>	/* __always_inline (glibc) */
/* The kernel's public layout (linux/ring_buffer.h), for the unit tests. */
struct ring_buffer_event {
	__u32 type_len:5, time_delta:27;
	__u32 array[];
};

enum ring_buffer_type {
	RINGBUF_TYPE_DATA_TYPE_LEN_MAX = 28,
	RINGBUF_TYPE_PADDING,
	RINGBUF_TYPE_TIME_EXTEND,
	RINGBUF_TYPE_TIME_STAMP,
};
#endif

/* The page's header before the events (struct buffer_data_page). */
#define CT_RB_PAGE_HDR	16u
/* commit's flag bits (RB_MISSED_EVENTS, RB_MISSED_STORED). */
#define CT_RB_MISSED_MASK (3ul << 30)
/* A ct_event in the ring: header, length word, the record. */
#define CT_RB_EVENT_LEN	(8u + (unsigned int)sizeof(struct ct_event))
/* Before a data event when its time delta does not fit 27 bits. */
#define CT_RB_TIME_EXTEND_LEN 8u

/*
 * The event at data + off, in a page whose events end at end (off < end):
 * returns its length in the page, with *rec the bytes of the ct_event it
 * holds (only 4-byte aligned) or NULL (a time stamp, a discarded event);
 * 0 at the end of the page's events;
 * -1 for an event that cannot be there (not one of ours, or overrunning
 * end). Inline, without calls: the reader runs it with user access open.
 */
static __always_inline int ct_rb_page_event(const unsigned char *data,
					     unsigned int off, unsigned int end,
					     const unsigned char **rec)
{
	const struct ring_buffer_event *e = (const void *)(data + off);
	unsigned int left = end - off, len;

	*rec = NULL;
	if (left < 4)
		return -1;
	switch (e->type_len) {
	case 0:
		if (left < 8 || e->array[0] != 4 + sizeof(struct ct_event))
			return -1;
		len = CT_RB_EVENT_LEN;
		*rec = (const unsigned char *)&e->array[1];
		break;
	case RINGBUF_TYPE_PADDING:
		if (!e->time_delta)
			return 0;
		if (left < 8 || e->array[0] > left - 4)
			return -1;
		len = e->array[0] + 4;
		break;
	case RINGBUF_TYPE_TIME_EXTEND:
	case RINGBUF_TYPE_TIME_STAMP:
		len = CT_RB_TIME_EXTEND_LEN;
		break;
	default:
		return -1;
	}
	return len <= left ? (int)len : -1;
}

#endif /* CT_RBPAGE_H */
