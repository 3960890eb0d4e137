/* SPDX-License-Identifier: GPL-2.0 */
/* closetrace's records as trace events (trace/closetrace.h; output=trace). */
#ifndef CT_EVENTS_H
#define CT_EVENTS_H

#include "ct_abi.h"

/* Emit ev as the trace event of its type (closetrace:close, ...). */
void ct_trace_record(const struct ct_event *ev);

#endif /* CT_EVENTS_H */
