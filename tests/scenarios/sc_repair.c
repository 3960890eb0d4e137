/* TCP_REPAIR mode: close disconnects silently, the peer sees nothing. */
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>
#include "ctlib.h"

#ifndef TCP_REPAIR
#define TCP_REPAIR 19
#endif

int main(void)
{
	int l, c, s, sport, fd, one = 1;
	unsigned long ino;
	const struct ct_event *e;

	ct_start("repair");
	l = tcp_listener(AF_INET, 20190, 8);
	c = tcp_connect(AF_INET, 20190);
	s = tcp_accept(l);
	REQUIRE(setsockopt(c, IPPROTO_TCP, TCP_REPAIR, &one, sizeof(one)) == 0, "TCP_REPAIR");
	sport = local_port(c);
	ino = ino_of(c);
	fd = c;
	tp_clear();
	close(c);
	CHECK(peer_outcome(s, 500) == 2, "peer saw a segment from a repair-mode close");
	e = wait_close(sport);
	REQUIRE(e, "no CLOSE record");
	check_closer(e, fd, ino);
	CHECK(e->action == CT_ACT_NONE && e->reason == CT_R_REPAIR, "%s/%s",
	      ct_action_name(e->action), ct_reason_name(e->reason));
	CHECK(e->flags & CT_F_REPAIR, "repair flag");
	CHECK(!(e->flags & CT_F_MISMATCH), "mismatch");
	CHECK(wait_end(e->close_id, 3000), "no END record");
	check_against_kernel(e->close_id, sport, 20190);
	close(s);
	close(l);
	return ct_finish();
}
