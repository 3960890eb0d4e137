/* Close with unread data in the receive queue: RST, with the exact count. */
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include "ctlib.h"

int main(void)
{
	char buf[1234] = { 'x' };
	int l, c, s, sport, fd, inq = -1;
	unsigned long ino;
	const struct ct_event *e;

	ct_start("unread-rst");
	l = tcp_listener(AF_INET, 20020, 8);
	c = tcp_connect(AF_INET, 20020);
	s = tcp_accept(l);
	REQUIRE(write(s, buf, sizeof(buf)) == (ssize_t)sizeof(buf), "write");
	msleep(100);
	ioctl(c, FIONREAD, &inq);	/* the kernel's own count */
	CHECK(inq == 1234, "FIONREAD %d", inq);
	sport = local_port(c);
	ino = ino_of(c);
	fd = c;
	tp_clear();
	close(c);
	CHECK(peer_outcome(s, 3000) == 1, "peer did not receive a RST");
	e = wait_close(sport);
	REQUIRE(e, "no CLOSE record for port %d", sport);
	check_closer(e, fd, ino);
	CHECK(e->action == CT_ACT_RST && e->reason == CT_R_ABORT_UNREAD, "%s/%s",
	      ct_action_name(e->action), ct_reason_name(e->reason));
	CHECK((int)e->unread == inq, "unread %u, kernel said %d", e->unread, inq);
	CHECK(e->state_before == CT_TCP_ESTABLISHED && e->state_after == CT_TCP_CLOSE,
	      "%s->%s", ct_state_name(e->state_before), ct_state_name(e->state_after));
	CHECK(e->rsts == 1 && e->fins == 0, "rsts %u fins %u", e->rsts, e->fins);
	CHECK(!(e->flags & CT_F_MISMATCH), "mismatch");
	CHECK(wait_end(e->close_id, 3000), "no END record");
	check_against_kernel(e->close_id, sport, 20020);
	/* The peer, reset already, closes in state CLOSE: nothing to send. */
	sport = local_port(s);
	close(s);
	e = wait_close(sport);
	REQUIRE(e, "no CLOSE record for the reset peer");
	CHECK(e->state_before == CT_TCP_CLOSE && e->action == CT_ACT_NONE &&
	      e->reason == CT_R_ALREADY_CLOSED, "peer: %s %s/%s", ct_state_name(e->state_before),
	      ct_action_name(e->action), ct_reason_name(e->reason));
	close(l);
	return ct_finish();
}
