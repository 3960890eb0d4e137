/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Record validation, filtering and rendering: pure, unit-tested on the host. */
#ifndef CT_DECODE_H
#define CT_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "ct_abi.h"
#include "fields.h"

enum ct_check {
	CT_OK = 0,
	CT_ERR_SHORT,		/* fewer bytes than a record */
	CT_ERR_MAGIC,		/* not a closetrace record */
	CT_ERR_VERSION,		/* another ABI version */
	CT_ERR_SIZE,		/* size field disagrees */
	CT_ERR_TYPE,		/* unknown record type */
};

/* Validate the record at buf (len bytes available). */
enum ct_check ct_check_record(const void *buf, size_t len);
/* A message for a failed check, naming both versions where relevant. */
const char *ct_check_message(enum ct_check c, const void *buf, size_t len,
			     char *out, size_t outlen);

/* Most ports in one -L or -D list. */
#define CT_MAX_PORTS 32

/* An address filter: family 0 for none; the first prefix bits of addr. */
struct ct_net {
	unsigned int family;	/* AF_INET or AF_INET6 */
	unsigned int prefix;	/* bits compared */
	unsigned char addr[16];
};

struct ct_match {
	long pid;		/* -1: any */
	long port;		/* -1: any; local or remote */
	const char *comm;	/* NULL: any */
	bool netns_set;		/* only records of network namespace netns */
	unsigned long long netns;
	bool cgroup_set;	/* only records of cgroup v2 id cgroup */
	unsigned long long cgroup;
	unsigned int nlports, ndports;	/* -L, -D: local, remote ports */
	unsigned short lports[CT_MAX_PORTS], dports[CT_MAX_PORTS];
	unsigned int family;	/* -4, -6: AF_INET or AF_INET6; 0 any */
	struct ct_net laddr, raddr;	/* --laddr, --raddr */
	unsigned int types;	/* --type: bit 1 << CT_EV_*; 0 any */
	unsigned int actions;	/* --action: bit 1 << CT_ACT_*; 0 any */
	long long uid;		/* -u: the socket owner's uid; -1 any */
};

/* LOST records always pass: a loss is never filtered away. */
bool ct_matches(const struct ct_event *ev, const struct ct_match *m);
/* "80,443" into ports[]; 0, or -1 for a bad list. */
int ct_parse_ports(const char *s, unsigned short *ports, unsigned int *n);
/* "10.0.0.0/8", "::1", "fe80::/10" into net; 0, or -1. */
int ct_parse_net(const char *s, struct ct_net *net);
/*
 * "CLOSE,death" into a bit mask of 1 << value, by a lookup of each
 * upper-cased name; 0, or -1 naming the bad one in bad[].
 */
int ct_parse_names(const char *s, int (*lookup)(const char *),
		   unsigned int *mask, char *bad, size_t badlen);

/* How the table shows time. */
enum ct_ts_mode {
	CT_TS_REL,		/* seconds since the first record */
	CT_TS_MONO,		/* CLOCK_MONOTONIC seconds, as ts_ns */
	CT_TS_WALL,		/* local wall-clock time HH:MM:SS.nnnnnnnnn */
};

struct ct_out_opts {
	bool wide;		/* full-width address columns */
	enum ct_ts_mode ts;
	unsigned long long t0;	/* first record's ts, for relative times */
	long long wall_off_ns;	/* CLOCK_REALTIME - CLOCK_MONOTONIC */
};

/* Each returns the end of what it wrote at p, at most CT_TEXT_MAX bytes. */
char *ct_put_table_header(char *p, const struct ct_out_opts *o);
char *ct_put_table(char *p, const struct ct_event *ev,
		   const struct ct_out_opts *o);

/* Summary counts. */
struct ct_summary {
	unsigned long long records;
	unsigned long long by_type[CT_EV_MAX];
	unsigned long long by_action[CT_ACT_MAX];
	unsigned long long by_reason[CT_R_MAX];
	unsigned long long by_death[CT_R_MAX];	/* DEATH records by cause */
	/* CLOSE records by action, reason and the state they closed in */
	unsigned long long by_ars[CT_ACT_MAX][CT_R_MAX][CT_TCP_MAX_STATES];
	unsigned long long lost;
	unsigned long long mismatches;
};

void ct_summary_add(struct ct_summary *s, const struct ct_event *ev);
/* At exit (--summary): records by type, closes by action, by reason, ... */
void ct_summary_print(FILE *f, const struct ct_summary *s);
/* The action x reason x state table, largest first (-i, --summary). */
void ct_summary_print_ars(FILE *f, const struct ct_summary *s);

#endif /* CT_DECODE_H */
