/* Normal close of an idle ESTABLISHED connection: FIN, then the orphan's
 * FIN_WAIT1 -> FIN_WAIT2 -> timewait hand-over and end. */
#include <sys/socket.h>
#include <unistd.h>
#include "ctlib.h"

int main(void)
{
	struct conn k;
	const struct ct_event *e;

	ct_start("fin");
	conn_open(&k, AF_INET, 20010, 0);
	conn_close_client(&k);
	CHECK(peer_outcome(k.s, 3000) == 0, "peer did not receive a FIN");
	e = wait_close(k.sport);
	REQUIRE(e, "no CLOSE record for port %d", k.sport);
	check_closer(e, k.fd, k.ino);
	CHECK(e->state_before == CT_TCP_ESTABLISHED, "state_before %s", ct_state_name(e->state_before));
	CHECK(e->action == CT_ACT_FIN && e->reason == CT_R_FIN, "%s/%s",
	      ct_action_name(e->action), ct_reason_name(e->reason));
	CHECK(e->fins == 1 && e->rsts == 0, "fins %u rsts %u", e->fins, e->rsts);
	CHECK(e->unread == 0 && e->unsent == 0, "unread %u unsent %u", e->unread, e->unsent);
	CHECK(!(e->flags & CT_F_MISMATCH), "prediction %s/%s differs",
	      ct_action_name(e->pred_action), ct_reason_name(e->pred_reason));
	CHECK(!e->linger_on && e->timeout_ms == 0, "linger %u timeout %lld", e->linger_on, (long long)e->timeout_ms);
	CHECK(e->dport == 20010 && e->family == AF_INET && e->saddr[0] == 127, "addresses");
	CHECK(wait_end(e->close_id, 3000), "no END record");
	CHECK(ct_find_id(CT_EV_TIMEWAIT, e->close_id, 0) != NULL, "no TIMEWAIT hand-over");
	check_against_kernel(e->close_id, k.sport, 20010);
	close(k.s);
	close(k.l);
	return ct_finish();
}
