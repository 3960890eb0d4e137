// SPDX-License-Identifier: GPL-2.0
/*
 * The trace events closetrace:close, refdrop, release, state, reset,
 * timewait and end (trace/closetrace.h), created here and only here.
 * ct_ring_emit() calls ct_trace_record() with the record it writes to the
 * ring, so the two outputs carry the same content. A disabled event costs
 * a static branch.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/build_bug.h>
#include <linux/kprobes.h>
#include <linux/sched.h>
#include "events.h"

#define CREATE_TRACE_POINTS
#include "trace/closetrace.h"

static_assert(CT_TP_SOCKADDR_LEN == sizeof(struct sockaddr_in6));
static_assert(CT_COMM_LEN == TASK_COMM_LEN);

void ct_trace_record(const struct ct_event *ev)
{
	switch (ev->type) {
	case CT_EV_CLOSE:
		trace_close(ev);
		break;
	case CT_EV_REFDROP:
		trace_refdrop(ev);
		break;
	case CT_EV_RELEASE:
		trace_release(ev);
		break;
	case CT_EV_STATE:
		trace_state(ev);
		break;
	case CT_EV_RESET:
		trace_reset(ev);
		break;
	case CT_EV_TIMEWAIT:
		trace_timewait(ev);
		break;
	case CT_EV_END:
		trace_end(ev);
		break;
	case CT_EV_DEATH:
		trace_death(ev);
		break;
	case CT_EV_TWEND:
		trace_twend(ev);
		break;
	}
}
NOKPROBE_SYMBOL(ct_trace_record);
