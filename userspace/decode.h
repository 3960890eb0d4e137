/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Record validation, filtering and rendering: pure, unit-tested on the host. */
#ifndef CT_DECODE_H
#define CT_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "ct_abi.h"

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

struct ct_match {
	long pid;		/* -1: any */
	long port;		/* -1: any */
	const char *comm;	/* NULL: any */
	bool netns_set;		/* only records of network namespace netns */
	unsigned long long netns;
	bool cgroup_set;	/* only records of cgroup v2 id cgroup */
	unsigned long long cgroup;
};

bool ct_matches(const struct ct_event *ev, const struct ct_match *m);

struct ct_out_opts {
	bool wide;		/* full-width address columns */
	bool timestamps;	/* absolute CLOCK_MONOTONIC seconds */
	unsigned long long t0;	/* first record's ts, for relative times */
};

void ct_print_table_header(FILE *f, const struct ct_out_opts *o);
void ct_print_table(FILE *f, const struct ct_event *ev,
		    const struct ct_out_opts *o);
void ct_print_json(FILE *f, const struct ct_event *ev);
void ct_print_csv_header(FILE *f);
void ct_print_csv(FILE *f, const struct ct_event *ev);

/* Summary counts. */
struct ct_summary {
	unsigned long long by_type[CT_EV_MAX];
	unsigned long long by_action[CT_ACT_MAX];
	unsigned long long by_reason[CT_R_MAX];
	unsigned long long by_death[CT_R_MAX];	/* DEATH records by cause */
	unsigned long long lost;
	unsigned long long mismatches;
};

void ct_summary_add(struct ct_summary *s, const struct ct_event *ev);
void ct_summary_print(FILE *f, const struct ct_summary *s);

#endif /* CT_DECODE_H */
