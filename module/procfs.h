/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CT_PROCFS_H
#define CT_PROCFS_H

int ct_procfs_init(unsigned long buf_bytes);
void ct_procfs_exit(void);

#endif /* CT_PROCFS_H */
