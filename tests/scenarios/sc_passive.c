/* Passive close: the peer closes first (CLOSE_WAIT); our close sends the
 * FIN from CLOSE_WAIT -> LAST_ACK, and the orphan ends on the last ACK. */
#include <sys/socket.h>
#include <unistd.h>
#include "ctlib.h"

int main(void)
{
	struct conn k;
	const struct ct_event *e;

	ct_start("passive-close");
	conn_open(&k, AF_INET, 20070, 0);
	close(k.s);
	CHECK(peer_outcome(k.c, 3000) == 0, "no FIN from the peer");
	conn_close_client(&k);
	e = wait_close(k.sport);
	REQUIRE(e, "no CLOSE record");
	check_closer(e, k.fd, k.ino);
	CHECK(e->state_before == CT_TCP_CLOSE_WAIT, "state_before %s", ct_state_name(e->state_before));
	CHECK(e->action == CT_ACT_FIN && e->reason == CT_R_FIN, "%s/%s",
	      ct_action_name(e->action), ct_reason_name(e->reason));
	CHECK(wait_end(e->close_id, 3000), "no END record");
	CHECK(ct_find_id(CT_EV_STATE, e->close_id, 0) &&
	      ct_find_id(CT_EV_STATE, e->close_id, 0)->state_after == CT_TCP_LAST_ACK,
	      "no CLOSE_WAIT->LAST_ACK");
	check_against_kernel(e->close_id, k.sport, 20070);
	close(k.l);
	return ct_finish();
}
