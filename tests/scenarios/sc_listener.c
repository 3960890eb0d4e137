/* Closing a listener with connections not yet accepted: they are reset. */
#include <sys/socket.h>
#include <unistd.h>
#include "ctlib.h"

int main(void)
{
	int l, c[3], i, fd;
	unsigned long ino;
	const struct ct_event *e;

	ct_start("listener");
	l = tcp_listener(AF_INET, 20060, 8);
	for (i = 0; i < 3; i++)
		c[i] = tcp_connect(AF_INET, 20060);
	msleep(100);
	ino = ino_of(l);
	fd = l;
	tp_clear();
	close(l);
	for (i = 0; i < 3; i++)
		CHECK(peer_outcome(c[i], 3000) == 1, "client %d not reset", i);
	e = wait_close(20060);
	REQUIRE(e, "no CLOSE record");
	check_closer(e, fd, ino);
	CHECK(e->state_before == CT_TCP_LISTEN && e->state_after == CT_TCP_CLOSE, "%s->%s",
	      ct_state_name(e->state_before), ct_state_name(e->state_after));
	CHECK(e->reason == CT_R_LISTENER && e->action == CT_ACT_NONE, "%s/%s",
	      ct_action_name(e->action), ct_reason_name(e->reason));
	CHECK(e->refs == 3, "pending children %u, expected 3", e->refs);
	CHECK(wait_end(e->close_id, 3000), "no END record");
	check_against_kernel(e->close_id, 20060, 0);
	for (i = 0; i < 3; i++)
		close(c[i]);
	return ct_finish();
}
