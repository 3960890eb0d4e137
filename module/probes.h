/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CT_PROBES_H
#define CT_PROBES_H

#include <linux/seq_file.h>

int ct_probes_register(void);
void ct_probes_unregister(void);
void ct_probes_show(struct seq_file *m);
unsigned long ct_probes_missed(void);

#endif /* CT_PROBES_H */
