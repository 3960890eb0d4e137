/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* --close-wait: the CLOSE_WAIT list, with the sockets' owners. */
#ifndef CT_CLOSEWAIT_H
#define CT_CLOSEWAIT_H

#include <stdbool.h>

/* text: /proc/closetrace/close_wait's (modified). Returns the exit status. */
int ct_close_wait_main(char *text, long min_secs, bool json);

#endif /* CT_CLOSEWAIT_H */
