// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Control-file parsing; see ct_control.h. Strict: anything unexpected fails. */
#ifdef __KERNEL__
#include <linux/string.h>
#else
#include <string.h>
#endif
#include "ct_control.h"

static int ct_parse_u32(const char *s, size_t len, __u32 min, __u32 max,
			__u32 *out)
{
	unsigned long long v = 0;
	size_t i;

	if (!len || len > 10)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long long)(s[i] - '0');
	}
	if (v < min || v > max)
		return -1;
	*out = (__u32)v;
	return 0;
}

/* A cgroup id: 1 to 2^64 - 1, at most 20 digits, no overflow. */
static int ct_parse_u64(const char *s, size_t len, __u64 *out)
{
	__u64 v = 0;
	size_t i;

	if (!len || len > 20)
		return -1;
	for (i = 0; i < len; i++) {
		__u64 d;

		if (s[i] < '0' || s[i] > '9')
			return -1;
		d = (__u64)(s[i] - '0');
		if (v > (~(__u64)0 - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (!v)
		return -1;
	*out = v;
	return 0;
}

int ct_valid_comm(const char *s, size_t len)
{
	size_t i;

	if (!len || len >= CT_COMM_LEN)
		return -1;
	for (i = 0; i < len; i++)
		if (s[i] <= ' ' || s[i] > '~')
			return -1;
	return 0;
}

int ct_parse_uid(const char *s, size_t len, __u32 *out)
{
	return ct_parse_u32(s, len, 0, CT_UID_MAX, out);
}

static int is_word(const char *buf, size_t len, const char *word)
{
	size_t n = strlen(word);

	return len == n && !memcmp(buf, word, n);
}

static int has_prefix(const char *buf, size_t len, const char *p)
{
	size_t n = strlen(p);

	return len >= n && !memcmp(buf, p, n);
}

int ct_parse_command(const char *buf, size_t len, struct ct_command *out)
{
	memset(out, 0, sizeof(*out));
	if (len && buf[len - 1] == '\n')
		len--;
	if (!len || memchr(buf, '\0', len) || memchr(buf, '\n', len))
		return -1;
	if (is_word(buf, len, "enable")) {
		out->cmd = CT_CMD_ENABLE;
	} else if (is_word(buf, len, "disable")) {
		out->cmd = CT_CMD_DISABLE;
	} else if (is_word(buf, len, "clear")) {
		out->cmd = CT_CMD_CLEAR;
	} else if (is_word(buf, len, "sweep")) {
		out->cmd = CT_CMD_SWEEP;
	} else if (is_word(buf, len, "filter=off")) {
		out->cmd = CT_CMD_FILTER_OFF;
	} else if (has_prefix(buf, len, "output=")) {
		static const char *const outs[] = {
			[CT_CMD_OUT_COUNTERS] = "counters",
			[CT_CMD_OUT_RING] = "ring",
			[CT_CMD_OUT_TRACE] = "trace",
			[CT_CMD_OUT_BOTH] = "both",
			NULL,
		};
		__u32 i;

		out->cmd = CT_CMD_OUTPUT;
		for (i = 0; outs[i]; i++) {
			if (is_word(buf + 7, len - 7, outs[i])) {
				out->value = i;
				return 0;
			}
		}
		return -1;
	} else if (has_prefix(buf, len, "netns=")) {
		out->cmd = CT_CMD_NETNS;
		return ct_parse_u32(buf + 6, len - 6, 1, 0xffffffffu, &out->value);
	} else if (has_prefix(buf, len, "cgroup=")) {
		out->cmd = CT_CMD_CGROUP;
		return ct_parse_u64(buf + 7, len - 7, &out->value64);
	} else if (has_prefix(buf, len, "pid=")) {
		out->cmd = CT_CMD_PID;
		return ct_parse_u32(buf + 4, len - 4, 1, CT_PID_MAX, &out->value);
	} else if (has_prefix(buf, len, "port=")) {
		out->cmd = CT_CMD_PORT;
		return ct_parse_u32(buf + 5, len - 5, 1, CT_PORT_MAX,
				    &out->value);
	} else if (has_prefix(buf, len, "uid=")) {
		out->cmd = CT_CMD_UID;
		return ct_parse_uid(buf + 4, len - 4, &out->value);
	} else if (has_prefix(buf, len, "comm=")) {
		out->cmd = CT_CMD_COMM;
		if (ct_valid_comm(buf + 5, len - 5))
			return -1;
		memcpy(out->comm, buf + 5, len - 5);
	} else {
		return -1;
	}
	return 0;
}
