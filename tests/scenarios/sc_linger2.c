/* TCP_LINGER2 < 0: a close in FIN_WAIT2 aborts with a RST. */
#include <errno.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>
#include "ctlib.h"

int main(void)
{
	int l, c, s, sport, fd, neg = -1, err = 0;
	socklen_t len = sizeof(err);
	struct tcp_info ti;
	unsigned long ino;
	const struct ct_event *e;

	ct_start("linger2-abort");
	l = tcp_listener(AF_INET, 20120, 8);
	c = tcp_connect(AF_INET, 20120);
	s = tcp_accept(l);
	REQUIRE(setsockopt(c, IPPROTO_TCP, TCP_LINGER2, &neg, sizeof(neg)) == 0, "TCP_LINGER2");
	shutdown(c, SHUT_WR);
	CHECK(peer_outcome(s, 3000) == 0, "peer got no FIN");
	msleep(100);
	sport = local_port(c);
	ino = ino_of(c);
	fd = c;
	tp_clear();
	close(c);
	e = wait_close(sport);
	REQUIRE(e, "no CLOSE record");
	check_closer(e, fd, ino);
	CHECK(e->state_before == CT_TCP_FIN_WAIT2 && e->state_after == CT_TCP_CLOSE, "%s->%s",
	      ct_state_name(e->state_before), ct_state_name(e->state_after));
	CHECK(e->action == CT_ACT_RST && e->reason == CT_R_ABORT_LINGER2, "%s/%s",
	      ct_action_name(e->action), ct_reason_name(e->reason));
	CHECK(e->linger2 < 0 && (e->flags & CT_F_LINGER2_NEG), "linger2 %d", e->linger2);
	msleep(100);
	/* The peer is in CLOSE_WAIT: tcp_reset() reports a RST there as EPIPE. */
	getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len);
	CHECK(err == EPIPE, "peer SO_ERROR %d, expected EPIPE (RST in CLOSE_WAIT)", err);
	len = sizeof(ti);
	getsockopt(s, IPPROTO_TCP, TCP_INFO, &ti, &len);
	CHECK(ti.tcpi_state == CT_TCP_CLOSE, "peer state %s after the RST", ct_state_name(ti.tcpi_state));
	CHECK(wait_end(e->close_id, 3000), "no END record");
	check_against_kernel(e->close_id, sport, 20120);
	close(s);
	close(l);
	return ct_finish();
}
