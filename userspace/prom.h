/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * --prometheus: /proc/closetrace/summary and /proc/closetrace/stats parsed
 * into counts, and the counts rendered in node_exporter's textfile
 * format. No I/O here (closetrace.c reads the files and writes the output
 * atomically), so the unit tests run it on sample text.
 */
#ifndef CT_PROM_H
#define CT_PROM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "ct_abi.h"

/* The summary format this reader knows (the file's first line). */
#define CT_PROM_SUMMARY_VERSION 1

/* close's FAMILY, release's FAMILY, orphan_end's HOW, hist's NAME. */
enum { CT_PROM_INET, CT_PROM_INET6, CT_PROM_CLOSE_FAMILIES };
enum { CT_PROM_REL_INET, CT_PROM_REL_INET6, CT_PROM_REL_UNIX, CT_PROM_REL_OTHER, CT_PROM_RELEASES };
enum { CT_PROM_END_TIMEWAIT, CT_PROM_END_CLOSED, CT_PROM_ENDS };
enum { CT_PROM_H_CLOSE, CT_PROM_H_LINGER_WAIT, CT_PROM_H_ORPHAN_LIFETIME, CT_PROM_HISTS };
/* log2 buckets: bucket k holds values v (ns) with v <= 2^k - 1, k = 0..64. */
#define CT_PROM_BUCKETS 65

struct ct_prom_hist {
	uint64_t bucket[CT_PROM_BUCKETS];	/* not cumulative, as the module gives them */
	int last_k;				/* the last bucket line's k (ascending order) */
	uint64_t sum_ns, count;
	bool have_sum, have_count;
};

struct ct_prom {
	int summary_version;
	char output[16];
	uint64_t close[CT_PROM_CLOSE_FAMILIES][CT_ACT_MAX][CT_R_MAX][CT_TCP_MAX_STATES];
	unsigned char close_seen[CT_PROM_CLOSE_FAMILIES][CT_ACT_MAX][CT_R_MAX][CT_TCP_MAX_STATES];
	uint64_t release[CT_PROM_RELEASES];
	uint64_t reset_sent[CT_R_MAX];
	unsigned char reset_sent_seen[CT_R_MAX];
	uint64_t reset_received, close_wait_entered;
	uint64_t orphan_end[CT_PROM_ENDS];
	struct ct_prom_hist hist[CT_PROM_HISTS];
	/* from /proc/closetrace/stats */
	uint64_t events_lost, untracked, incomplete;
	/* the lines that must appear exactly once (bits of enum in prom.c) */
	uint32_t have;
};

void ct_prom_init(struct ct_prom *p);
/*
 * Parse the summary (TEXT, modified: split into lines and words) into P.
 * 0, or -1 with ERR saying which line and why.
 */
int ct_prom_parse_summary(struct ct_prom *p, char *text, char *err, size_t errlen);
/* The same for the stats file: events_lost, untracked, incomplete. */
int ct_prom_parse_stats(struct ct_prom *p, char *text, char *err, size_t errlen);
/* The metrics, in node_exporter's textfile format; 0, or -1 on an I/O error. */
int ct_prom_write(FILE *f, const struct ct_prom *p);
/* A count of nanoseconds as decimal seconds, exact ("0.000001023"). */
void ct_prom_ns_to_s(char *buf, size_t len, uint64_t ns);

#endif /* CT_PROM_H */
