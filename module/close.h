/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The close-decision logic: what each hook contributes to a close record.
 * Called from the probe handlers in probes.c; never sleeps, takes only the
 * IRQ-safe bucket locks of track.c.
 */
#ifndef CT_CLOSE_H
#define CT_CLOSE_H

#include <linux/fs.h>
#include <linux/net.h>
#include <net/sock.h>
#include "ct_abi.h"

void ct_on_fd_close(unsigned int fd);
void ct_on_final_put(struct file *file);
void ct_on_sock_release(struct socket *sock, struct file *file);
void ct_on_inet_release(struct socket *sock, bool inet6);
/* Returns false when the socket is not followed (no return probe needed). */
bool ct_on_tcp_close(struct sock *sk, long timeout, u64 *close_id);
void ct_on_tcp_close_ret(const struct sock *sk, u64 close_id);
void ct_on_tcp_send_fin(struct sock *sk);
void ct_on_tcp_disconnect(struct sock *sk);
/* State changes; also the hand-over to a timewait socket. */
void ct_on_state(const struct sock *sk, int oldstate, int newstate);
/* __tcp_close()'s entry, with the socket lock held: the snapshot again. */
void ct_on___tcp_close(struct sock *sk, long timeout);
void ct_on_reset(const struct sock *sk, bool reply, u8 krst);
void ct_on_rcv_reset(const struct sock *sk);
/* Set once the hooks are in: is tcp:tcp_receive_reset seen (role tcp_reset)? */
extern bool ct_sees_rcv_reset;
void ct_on_destroy(const struct sock *sk);

/* Shared with preclose.c, which writes DEATH records. */
struct ct_tcp_counts;
u64 ct_new_close_id(void);
void ct_fill_sock(struct ct_event *ev, const struct socket *sock,
		  const struct sock *sk);
void ct_read_counts(struct ct_tcp_counts *c, const struct sock *sk);
void ct_put_counts(struct ct_event *ev, const struct ct_tcp_counts *c);
u32 ct_unread(const struct sock *sk);

#endif /* CT_CLOSE_H */
