/*
 * An orphan in FIN_WAIT2 reset by its keepalive timer (fin-wait2-timeout).
 *
 * tcp_close() keeps a FIN_WAIT2 orphan as a full socket on its keepalive
 * timer when tcp_fin_time() is above TIME_WAIT's length (60 s), for the
 * difference. When the timer fires, tcp_keepalive_timer() computes
 * tcp_fin_time() again: still above, the socket becomes a timewait socket;
 * not (here: net.ipv4.tcp_fin_timeout lowered meanwhile), it sends a RST
 * and dies. Nothing in the close predicts that RST: only its timer.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>
#include "ctlib.h"

#define FIN_TIMEOUT "/proc/sys/net/ipv4/tcp_fin_timeout"

int main(void)
{
	struct proc_tcp pt[256];
	const struct proc_tcp *o;
	struct conn k;
	const struct ct_event *e, *r;
	unsigned long long end;
	size_t n;

	ct_start("fin-wait2-timeout");
	/* 62 s: the orphan waits 2 s on its keepalive timer, as a full socket. */
	knob_set(FIN_TIMEOUT, "62");
	conn_open(&k, AF_INET, 20140, 0);
	conn_close_client(&k);
	CHECK(peer_outcome(k.s, 3000) == 0, "peer got no FIN");
	e = wait_close(k.sport);
	REQUIRE(e, "no CLOSE record");
	/*
	 * The kernel's table: once the FIN's ACK is in (from softirq, maybe
	 * after close returned), the orphan is a FIN_WAIT2 full socket on its
	 * keepalive timer (2), not a timewait socket (3). Only then may the
	 * sysctl go down, before the timer fires: 5 s is below TIME_WAIT's 60.
	 */
	end = now_ns() + 3000000000ull;
	do {
		n = proc_tcp_read(pt, sizeof(pt) / sizeof(pt[0]));
		o = proc_tcp_of(pt, n, e);
		if (o && o->state == CT_TCP_FIN_WAIT2)
			break;
		msleep(10);
	} while (now_ns() < end);
	REQUIRE(o && o->state == CT_TCP_FIN_WAIT2 && o->timer == 2,
		"the orphan in /proc/net/tcp: %s timer %d", o ? ct_state_name(o->state) : "absent",
		o ? o->timer : -1);
	knob_set(FIN_TIMEOUT, "5");
	check_closer(e, k.fd, k.ino);
	CHECK(e->action == CT_ACT_FIN && e->reason == CT_R_FIN && e->fins == 1 && e->rsts == 0,
	      "CLOSE %s/%s fins %u rsts %u", ct_action_name(e->action), ct_reason_name(e->reason),
	      e->fins, e->rsts);
	CHECK(!ct_find_id(CT_EV_TIMEWAIT, e->close_id, 0), "TIMEWAIT record for a full socket");
	/* The RST when the timer fires, about 2 s after the close. */
	CHECK(peer_reset_error(k.s, 5000) == EPIPE, "peer got no RST in CLOSE_WAIT");
	CHECK(wait_end(e->close_id, 3000), "no END record");
	r = ct_find_id(CT_EV_RESET, e->close_id, 0);
	CHECK(r && ct_count_id(CT_EV_RESET, e->close_id) == 1, "no single RESET record");
	if (r) {
		CHECK(r->reason == CT_R_FIN_WAIT2_TIMEOUT, "RESET reason %s", ct_reason_name(r->reason));
		CHECK(!(r->flags & (CT_F_IN_CLOSE | CT_F_REPLY)), "RESET flags %#x", r->flags);
		CHECK(r->state_before == CT_TCP_FIN_WAIT2, "RESET in %s", ct_state_name(r->state_before));
	}
	CHECK(!ct_find_id(CT_EV_TIMEWAIT, e->close_id, 0), "TIMEWAIT record");
	check_against_kernel(e->close_id, k.sport, 20140);
	close(k.s);
	close(k.l);
	return ct_finish();
}
