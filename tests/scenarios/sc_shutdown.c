/* close() after shutdown(SHUT_WR): the FIN went out already; close sends
 * nothing new and hands the FIN_WAIT2 socket to a timewait socket. */
#include <sys/socket.h>
#include <unistd.h>
#include "ctlib.h"

int main(void)
{
	struct conn k;
	const struct ct_event *e, *tw;

	ct_start("after-shutdown");
	conn_open(&k, AF_INET, 20080, 0);
	shutdown(k.c, SHUT_WR);
	CHECK(peer_outcome(k.s, 3000) == 0, "peer got no FIN from shutdown");
	msleep(100);
	conn_close_client(&k);
	e = wait_close(k.sport);
	REQUIRE(e, "no CLOSE record");
	check_closer(e, k.fd, k.ino);
	CHECK(e->state_before == CT_TCP_FIN_WAIT2, "state_before %s", ct_state_name(e->state_before));
	CHECK(e->action == CT_ACT_NONE && e->reason == CT_R_FIN_ALREADY_SENT, "%s/%s",
	      ct_action_name(e->action), ct_reason_name(e->reason));
	CHECK(e->fins == 0 && e->rsts == 0, "fins %u rsts %u", e->fins, e->rsts);
	CHECK(wait_end(e->close_id, 3000), "no END record");
	tw = ct_find_id(CT_EV_TIMEWAIT, e->close_id, 0);
	CHECK(tw && tw->state_after == CT_TCP_FIN_WAIT2, "no FIN_WAIT2 timewait hand-over");
	check_against_kernel(e->close_id, k.sport, 20080);
	close(k.s);
	close(k.l);
	return ct_finish();
}
