/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CT_PROBES_H
#define CT_PROBES_H

#include <linux/seq_file.h>

/*
 * file_hooks: attach the hooks every file's close passes (fd close, final
 * fput); without them non-socket closes cost nothing, and records lose the
 * fd number and REFDROP. hooks_only: attach every hook but only count hits
 * (the cost floor of the hooks themselves, for benchmarks). max_closing:
 * tcp_close calls followed at once (the kretprobe's maxactive).
 */
int ct_probes_register(bool file_hooks, bool hooks_only, unsigned int max_closing);
void ct_probes_unregister(void);
void ct_probes_show(struct seq_file *m);
unsigned long ct_probes_missed(void);

#endif /* CT_PROBES_H */
