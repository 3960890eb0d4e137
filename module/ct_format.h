/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Text rendering of records, shared by debugfs closetrace/trace and the reader. */
#ifndef CT_FORMAT_H
#define CT_FORMAT_H

#include "ct_abi.h"

#ifndef __KERNEL__
#include <stddef.h>
#endif

#define CT_ADDR_LEN 48		/* "[ffff:...:ffff]:65535" fits */
#define CT_LINE_LEN 1024

/* "1.2.3.4:80", "[::1]:80", or "-" for families without addresses. */
int ct_fmt_addr(char *buf, size_t len, unsigned int family,
		const __u8 *addr, unsigned int port);
/* One record as a line of key=value pairs, without a newline. */
int ct_fmt_kv(char *buf, size_t len, const struct ct_event *ev);
/* Comma-separated flag names, "-" for none. */
int ct_fmt_flags(char *buf, size_t len, unsigned int flags);

#endif /* CT_FORMAT_H */
