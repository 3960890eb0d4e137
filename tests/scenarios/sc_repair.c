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
	struct conn k;
	int one = 1;
	const struct ct_event *e;

	ct_start("repair");
	conn_open(&k, AF_INET, 20190, 0);
	REQUIRE(setsockopt(k.c, IPPROTO_TCP, TCP_REPAIR, &one, sizeof(one)) == 0, "TCP_REPAIR");
	conn_close_client(&k);
	CHECK(peer_outcome(k.s, 500) == 2, "peer saw a segment from a repair-mode close");
	e = wait_close(k.sport);
	REQUIRE(e, "no CLOSE record");
	check_closer(e, k.fd, k.ino);
	CHECK(e->action == CT_ACT_NONE && e->reason == CT_R_REPAIR, "%s/%s",
	      ct_action_name(e->action), ct_reason_name(e->reason));
	CHECK(e->flags & CT_F_REPAIR, "repair flag");
	CHECK(!(e->flags & CT_F_MISMATCH), "mismatch");
	CHECK(wait_end(e->close_id, 3000), "no END record");
	check_against_kernel(e->close_id, k.sport, 20190);
	/* The peer's FIN reaches no socket: the kernel answers with a RST. */
	mib_allow(MIB_OUT_RSTS, 1, "the peer's FIN reaches no socket: a RST from none");
	wire_allow(e, 1, "the peer's FIN reaches no socket: a RST from none");
	k.sport = local_port(k.s);
	close(k.s);
	/* That RST ends the peer in FIN_WAIT1: a reset, not a timewait. */
	e = wait_close(k.sport);
	REQUIRE(e, "no CLOSE record for the peer");
	REQUIRE(wait_end(e->close_id, 3000), "no END record for the peer");
	CHECK(!ct_find_id(CT_EV_TIMEWAIT, e->close_id, 0), "TIMEWAIT for a peer ended by a RST");
	CHECK(!(ct_find_id(CT_EV_END, e->close_id, 0)->flags & CT_F_TIMEWAIT),
	      "the peer's END says timewait");
	close(k.l);
	return ct_finish();
}
