/* SO_LINGER {1, 0}: close aborts the connection with a RST (disconnect). */
#include <errno.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>
#include "ctlib.h"

/*
 * tcp_disconnect() also resets from CLOSING or LAST_ACK while data is
 * unsent: the peer shut down, this side wrote more than the peer takes,
 * shut down too (LAST_ACK, FIN queued behind the data), then closes with
 * zero linger.
 */
static void last_ack_unsent(void)
{
	struct linger lg = { 1, 0 };
	struct conn k;
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	const struct ct_event *e;

	conn_open(&k, AF_INET, 20031, 4096);
	shutdown(k.s, SHUT_WR);
	CHECK(peer_outcome(k.c, 3000) == 0, "no FIN from the peer");
	fill_send_queue(k.c);
	shutdown(k.c, SHUT_WR);
	msleep(100);
	getsockopt(k.c, IPPROTO_TCP, TCP_INFO, &ti, &len);
	CHECK(ti.tcpi_state == CT_TCP_LAST_ACK, "state %s, expected LAST_ACK", ct_state_name(ti.tcpi_state));
	setsockopt(k.c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	conn_close_client(&k);
	e = wait_close(k.sport);
	if (!e) {
		CHECK(e, "LAST_ACK: no CLOSE record");
		return;
	}
	CHECK(e->state_before == CT_TCP_LAST_ACK && e->unsent > 0, "LAST_ACK: %s, unsent %u",
	      ct_state_name(e->state_before), e->unsent);
	CHECK(e->action == CT_ACT_RST && e->reason == CT_R_ABORT_LINGER0 && e->rsts == 1,
	      "LAST_ACK: %s/%s rsts %u", ct_action_name(e->action), ct_reason_name(e->reason), e->rsts);
	CHECK(e->pred_action == CT_ACT_RST && !(e->flags & CT_F_MISMATCH),
	      "LAST_ACK: predicted %s", ct_action_name(e->pred_action));
	/* The peer (FIN_WAIT2) sees the RST as ECONNRESET, in state CLOSE. */
	CHECK(peer_reset_error(k.s, 3000) == ECONNRESET, "LAST_ACK: the peer got no RST");
	CHECK(wait_end(e->close_id, 3000), "LAST_ACK: no END record");
	check_against_kernel(e->close_id, k.sport, 20031);
	close(k.s);
	close(k.l);
}

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
	{
		/* tcp_disconnect() zeroes tcp_info's counters: END keeps the
		 * close's (the client sent SYN and ACK at least). */
		const struct ct_event *end = ct_find_id(CT_EV_END, e->close_id, 0);

		CHECK(e->segs_out >= 2, "CLOSE segs_out %u", e->segs_out);
		CHECK(end && end->segs_out == e->segs_out && end->segs_in == e->segs_in &&
		      end->bytes_acked == e->bytes_acked, "END's counters: segs_out %u, the CLOSE's %u",
		      end ? end->segs_out : 0, e->segs_out);
	}
	check_against_kernel(e->close_id, k.sport, 20030);
	close(k.s);
	close(k.l);
	last_ack_unsent();
	return ct_finish();
}
