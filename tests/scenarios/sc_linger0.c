/* SO_LINGER {1, 0}: close aborts the connection with a RST (disconnect). */
#include <sys/socket.h>
#include <unistd.h>
#include "ctlib.h"

int main(void)
{
	struct linger lg = { 1, 0 };
	struct conn k;
	const struct ct_event *e;

	ct_start("linger0-abort");
	conn_open(&k, AF_INET, 20030, 0);
	setsockopt(k.c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	conn_close_client(&k);
	CHECK(peer_outcome(k.s, 3000) == 1, "peer did not receive a RST");
	e = wait_close(k.sport);
	REQUIRE(e, "no CLOSE record");
	check_closer(e, k.fd, k.ino);
	CHECK(e->action == CT_ACT_RST && e->reason == CT_R_ABORT_LINGER0, "%s/%s",
	      ct_action_name(e->action), ct_reason_name(e->reason));
	CHECK(e->flags & CT_F_DISCONNECT, "no disconnect flag");
	CHECK(e->linger_on == 1 && e->linger_sec == 0, "linger %u/%u", e->linger_on, e->linger_sec);
	CHECK(e->state_after == CT_TCP_CLOSE, "state_after %s", ct_state_name(e->state_after));
	CHECK(!(e->flags & CT_F_MISMATCH), "mismatch");
	CHECK(wait_end(e->close_id, 3000), "no END record");
	check_against_kernel(e->close_id, k.sport, 20030);
	close(k.s);
	close(k.l);
	return ct_finish();
}
