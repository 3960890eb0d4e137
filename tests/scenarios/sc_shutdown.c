/* close() after shutdown(SHUT_WR): the FIN went out already; close sends
 * nothing new and hands the FIN_WAIT2 socket to a timewait socket. */
#include <sys/socket.h>
#include <unistd.h>
#include "ctlib.h"

int main(void)
{
	int l, c, s, sport, fd;
	unsigned long ino;
	const struct ct_event *e, *tw;

	ct_start("after-shutdown");
	l = tcp_listener(AF_INET, 20080, 8);
	c = tcp_connect(AF_INET, 20080);
	s = tcp_accept(l);
	shutdown(c, SHUT_WR);
	CHECK(peer_outcome(s, 3000) == 0, "peer got no FIN from shutdown");
	msleep(100);
	sport = local_port(c);
	ino = ino_of(c);
	fd = c;
	tp_clear();
	close(c);
	e = wait_close(sport);
	REQUIRE(e, "no CLOSE record");
	check_closer(e, fd, ino);
	CHECK(e->state_before == CT_TCP_FIN_WAIT2, "state_before %s", ct_state_name(e->state_before));
	CHECK(e->action == CT_ACT_NONE && e->reason == CT_R_FIN_ALREADY_SENT, "%s/%s",
	      ct_action_name(e->action), ct_reason_name(e->reason));
	CHECK(e->fins == 0 && e->rsts == 0, "fins %u rsts %u", e->fins, e->rsts);
	CHECK(wait_end(e->close_id, 3000), "no END record");
	tw = ct_find_id(CT_EV_TIMEWAIT, e->close_id, 0);
	CHECK(tw && tw->state_after == CT_TCP_FIN_WAIT2, "no FIN_WAIT2 timewait hand-over");
	check_against_kernel(e->close_id, sport, 20080);
	close(s);
	close(l);
	return ct_finish();
}
