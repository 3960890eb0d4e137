/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CT_DEBUGFS_H
#define CT_DEBUGFS_H

void ct_debugfs_init(void);
void ct_debugfs_exit(void);

#endif /* CT_DEBUGFS_H */
