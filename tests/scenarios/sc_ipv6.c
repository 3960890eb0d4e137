/* The same FIN close over IPv6 loopback. */
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "ctlib.h"

int main(void)
{
	static const unsigned char lo6[16] = { [15] = 1 };
	int l, c, s, sport, fd;
	unsigned long ino;
	const struct ct_event *e;

	ct_start("ipv6");
	l = tcp_listener(AF_INET6, 20130, 8);
	c = tcp_connect(AF_INET6, 20130);
	s = tcp_accept(l);
	sport = local_port(c);
	ino = ino_of(c);
	fd = c;
	tp_clear();
	close(c);
	CHECK(peer_outcome(s, 3000) == 0, "peer got no FIN");
	e = wait_close(sport);
	REQUIRE(e, "no CLOSE record");
	check_closer(e, fd, ino);
	CHECK(e->family == AF_INET6, "family %u", e->family);
	CHECK(!memcmp(e->saddr, lo6, 16) && !memcmp(e->daddr, lo6, 16), "addresses not ::1");
	CHECK(e->flags & CT_F_IPV6_RELEASE, "not released through inet6_release");
	CHECK(e->action == CT_ACT_FIN && e->reason == CT_R_FIN, "%s/%s",
	      ct_action_name(e->action), ct_reason_name(e->reason));
	CHECK(wait_end(e->close_id, 3000), "no END record");
	check_against_kernel(e->close_id, sport, 20130);
	close(s);
	close(l);
	return ct_finish();
}
