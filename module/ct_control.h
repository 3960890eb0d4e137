/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Parsing of debugfs closetrace/control writes and of the filter module
 * parameters. Pure: compiled into the module and the host unit tests.
 */
#ifndef CT_CONTROL_H
#define CT_CONTROL_H

#include "ct_abi.h"

#ifndef __KERNEL__
#include <stddef.h>
#endif

#define CT_PID_MAX 4194304	/* PID_MAX_LIMIT on 64-bit */
#define CT_PORT_MAX 65535	/* a TCP or UDP port: 16 bits */
/* A uid: 0 (root) is one; (uid_t)-1 is not (INVALID_UID). */
#define CT_UID_MAX 4294967294u

enum ct_cmd {
	CT_CMD_ENABLE = 1,
	CT_CMD_DISABLE,
	CT_CMD_CLEAR,
	CT_CMD_PID,
	CT_CMD_PORT,
	CT_CMD_COMM,
	CT_CMD_FILTER_OFF,
	CT_CMD_OUTPUT,
	CT_CMD_NETNS,
	CT_CMD_CGROUP,
	CT_CMD_UID,
	CT_CMD_SWEEP,
};

/* output=: the values of enum ct_output (module/ring.h). */
#define CT_CMD_OUT_COUNTERS 0
#define CT_CMD_OUT_RING 1
#define CT_CMD_OUT_TRACE 2
#define CT_CMD_OUT_BOTH 3

struct ct_command {
	enum ct_cmd cmd;
	__u32 value;			/* PID, PORT, OUTPUT, NETNS, UID */
	__u64 value64;			/* CGROUP */
	char comm[CT_COMM_LEN];		/* COMM, NUL-terminated */
};

/*
 * Parse one command: the whole buffer, optionally ending in one newline.
 * Returns 0, or -1 when the input is not exactly one valid command.
 */
int ct_parse_command(const char *buf, size_t len, struct ct_command *out);
/* Validate a comm filter (the module parameter too): 0 when valid. */
int ct_valid_comm(const char *s, size_t len);
/* Parse a uid filter (the module parameter too): 0..CT_UID_MAX, digits. */
int ct_parse_uid(const char *s, size_t len, __u32 *out);

#endif /* CT_CONTROL_H */
