/* TCP_LINGER2 < 0: a close in FIN_WAIT2 aborts with a RST. */
#include <errno.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>
#include "ctlib.h"

/*
 * TCP_LINGER2 < 0 on an ESTABLISHED close: the FIN goes out, and its ACK
 * finds a dead socket in FIN_WAIT1 (from tcp_close's backlog or later in
 * softirq): FIN_WAIT2, tcp_done(), then a RST from the reply path,
 * counted as TCPAbortOnData.
 */
static void from_fin_wait1(void)
{
	struct conn k;
	int neg = -1;
	const struct ct_event *e, *r;

	conn_open(&k, AF_INET, 20121, 0);
	setsockopt(k.c, IPPROTO_TCP, TCP_LINGER2, &neg, sizeof(neg));
	conn_close_client(&k);
	CHECK(peer_outcome(k.s, 3000) == 0, "FIN_WAIT1: peer got no FIN");
	CHECK(peer_reset_error(k.s, 3000) == EPIPE, "FIN_WAIT1: peer got no RST after the FIN");
	e = wait_close(k.sport);
	if (!e) {
		CHECK(e, "FIN_WAIT1: no CLOSE record");
		return;
	}
	CHECK(e->state_before == CT_TCP_ESTABLISHED && e->fins == 1, "FIN_WAIT1: %s fins %u",
	      ct_state_name(e->state_before), e->fins);
	CHECK(wait_end(e->close_id, 3000), "FIN_WAIT1: no END record");
	r = ct_find_id(CT_EV_RESET, e->close_id, 0);
	CHECK(r && ct_count_id(CT_EV_RESET, e->close_id) == 1, "FIN_WAIT1: no single RESET");
	if (r) {
		CHECK(r->reason == CT_R_ABORT_LINGER2, "FIN_WAIT1: RESET reason %s",
		      ct_reason_name(r->reason));
		CHECK((r->flags & CT_F_REPLY) && (r->flags & CT_F_AFTER_END), "FIN_WAIT1: flags %#x",
		      r->flags);
		/* Inside the close (from the backlog) the close is a RST too. */
		if (r->flags & CT_F_IN_CLOSE)
			CHECK(e->action == CT_ACT_RST && e->reason == CT_R_ABORT_LINGER2 &&
			      e->rsts == 1, "FIN_WAIT1: CLOSE %s/%s", ct_action_name(e->action),
			      ct_reason_name(e->reason));
		else
			CHECK(e->action == CT_ACT_FIN && e->rsts == 0, "FIN_WAIT1: CLOSE %s rsts %u",
			      ct_action_name(e->action), e->rsts);
	}
	CHECK(!ct_find_id(CT_EV_TIMEWAIT, e->close_id, 0), "FIN_WAIT1: TIMEWAIT");
	check_against_kernel(e->close_id, k.sport, 20121);
	close(k.s);
	close(k.l);
}

int main(void)
{
	struct conn k;
	int neg = -1, err = 0;
	socklen_t len = sizeof(err);
	struct tcp_info ti;
	const struct ct_event *e;

	ct_start("linger2-abort");
	conn_open(&k, AF_INET, 20120, 0);
	REQUIRE(setsockopt(k.c, IPPROTO_TCP, TCP_LINGER2, &neg, sizeof(neg)) == 0, "TCP_LINGER2");
	shutdown(k.c, SHUT_WR);
	CHECK(peer_outcome(k.s, 3000) == 0, "peer got no FIN");
	msleep(100);
	conn_close_client(&k);
	e = wait_close(k.sport);
	REQUIRE(e, "no CLOSE record");
	check_closer(e, k.fd, k.ino);
	CHECK(e->state_before == CT_TCP_FIN_WAIT2 && e->state_after == CT_TCP_CLOSE, "%s->%s",
	      ct_state_name(e->state_before), ct_state_name(e->state_after));
	CHECK(e->action == CT_ACT_RST && e->reason == CT_R_ABORT_LINGER2, "%s/%s",
	      ct_action_name(e->action), ct_reason_name(e->reason));
	CHECK(e->linger2 < 0 && (e->flags & CT_F_LINGER2_NEG), "linger2 %d", e->linger2);
	msleep(100);
	/* The peer is in CLOSE_WAIT: tcp_reset() reports a RST there as EPIPE. */
	getsockopt(k.s, SOL_SOCKET, SO_ERROR, &err, &len);
	CHECK(err == EPIPE, "peer SO_ERROR %d, expected EPIPE (RST in CLOSE_WAIT)", err);
	len = sizeof(ti);
	getsockopt(k.s, IPPROTO_TCP, TCP_INFO, &ti, &len);
	CHECK(ti.tcpi_state == CT_TCP_CLOSE, "peer state %s after the RST", ct_state_name(ti.tcpi_state));
	CHECK(wait_end(e->close_id, 3000), "no END record");
	check_against_kernel(e->close_id, k.sport, 20120);
	close(k.s);
	close(k.l);
	from_fin_wait1();
	return ct_finish();
}
