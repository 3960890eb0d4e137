/* The same FIN close over IPv6 loopback. */
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "ctlib.h"

int main(void)
{
	static const unsigned char lo6[16] = { [15] = 1 };
	struct conn k;
	const struct ct_event *e;

	ct_start("ipv6");
	conn_open(&k, AF_INET6, 20130, 0);
	conn_close_client(&k);
	CHECK(peer_outcome(k.s, 3000) == 0, "peer got no FIN");
	e = wait_close(k.sport);
	REQUIRE(e, "no CLOSE record");
	check_closer(e, k.fd, k.ino);
	CHECK(e->family == AF_INET6, "family %u", e->family);
	CHECK(!memcmp(e->saddr, lo6, 16) && !memcmp(e->daddr, lo6, 16), "addresses not ::1");
	CHECK(e->flags & CT_F_IPV6_RELEASE, "not released through inet6_release");
	CHECK(e->action == CT_ACT_FIN && e->reason == CT_R_FIN, "%s/%s",
	      ct_action_name(e->action), ct_reason_name(e->reason));
	CHECK(wait_end(e->close_id, 3000), "no END record");
	check_against_kernel(e->close_id, k.sport, 20130);
	close(k.s);
	close(k.l);
	return ct_finish();
}
