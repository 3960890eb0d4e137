/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /proc/closetrace/summary: per-CPU counters and log2 histograms kept from
 * every record closetrace makes, whatever output= says (output=counters
 * keeps only these). docs/summary.md documents the text.
 */
#ifndef CT_SUMMARY_H
#define CT_SUMMARY_H

#include <linux/seq_file.h>
#include "ct_abi.h"

#define CT_SUMMARY_VERSION 1

int ct_summary_init(void);
void ct_summary_exit(void);
/* Count one record (CLOSE, RELEASE, RESET, END); irqs off, any context. */
void ct_summary_account(const struct ct_event *ev);
/* Kernel-wide counts, from the state and reset hooks, of every TCP socket. */
void ct_summary_close_wait(void);
void ct_summary_reset_received(void);
void ct_summary_show(struct seq_file *m);

#endif /* CT_SUMMARY_H */
