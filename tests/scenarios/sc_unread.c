/* Close with unread data in the receive queue: RST, with the exact count. */
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include "ctlib.h"

int main(void)
{
	char buf[1234] = { 'x' };
	struct conn k;
	int inq = -1;
	const struct ct_event *e;

	ct_start("unread-rst");
	conn_open(&k, AF_INET, 20020, 0);
	REQUIRE(write(k.s, buf, sizeof(buf)) == (ssize_t)sizeof(buf), "write");
	msleep(100);
	ioctl(k.c, FIONREAD, &inq);	/* the kernel's own count */
	CHECK(inq == 1234, "FIONREAD %d", inq);
	conn_close_client(&k);
	CHECK(peer_outcome(k.s, 3000) == 1, "peer did not receive a RST");
	e = wait_close(k.sport);
	REQUIRE(e, "no CLOSE record for port %d", k.sport);
	check_closer(e, k.fd, k.ino);
	CHECK(e->action == CT_ACT_RST && e->reason == CT_R_ABORT_UNREAD, "%s/%s",
	      ct_action_name(e->action), ct_reason_name(e->reason));
	CHECK((int)e->unread == inq, "unread %u, kernel said %d", e->unread, inq);
	CHECK(e->state_before == CT_TCP_ESTABLISHED && e->state_after == CT_TCP_CLOSE,
	      "%s->%s", ct_state_name(e->state_before), ct_state_name(e->state_after));
	CHECK(e->rsts == 1 && e->fins == 0, "rsts %u fins %u", e->rsts, e->fins);
	CHECK(!(e->flags & CT_F_MISMATCH), "mismatch");
	CHECK(wait_end(e->close_id, 3000), "no END record");
	check_against_kernel(e->close_id, k.sport, 20020);
	/* The peer, reset already, closes in state CLOSE: nothing to send. */
	k.sport = local_port(k.s);
	close(k.s);
	e = wait_close(k.sport);
	REQUIRE(e, "no CLOSE record for the reset peer");
	CHECK(e->state_before == CT_TCP_CLOSE && e->action == CT_ACT_NONE &&
	      e->reason == CT_R_ALREADY_CLOSED, "peer: %s %s/%s", ct_state_name(e->state_before),
	      ct_action_name(e->action), ct_reason_name(e->reason));
	close(k.l);
	return ct_finish();
}
