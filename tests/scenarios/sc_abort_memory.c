/* Too many orphans (tcp_max_orphans 0): tcp_close's tcp_check_oom() branch
 * resets a socket still in FIN_WAIT1 (its FIN queued behind data the peer
 * does not take), counted as TCPAbortOnMemory. */
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>
#include "ctlib.h"

#define MAX_ORPHANS "/proc/sys/net/ipv4/tcp_max_orphans"

/* A connection whose client has more queued than the peer takes. */
static void stuck(struct conn *k, int port)
{
	conn_open(k, AF_INET, port, 4096);
	fill_send_queue(k->c);
}

/* The kernel's orphan count: "TCP: inuse N orphan N" in /proc/net/sockstat. */
static int sockstat_orphans(void)
{
	char line[256];
	int n = -1;
	FILE *f = fopen("/proc/net/sockstat", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "TCP: inuse %*d orphan %d", &n) == 1)
			break;
	fclose(f);
	return n;
}

int main(void)
{
	struct conn a, b;
	int i;
	const struct ct_event *e, *r;
	unsigned int late;

	ct_start("abort-memory");
	/* One orphan, so that the kernel's orphan count is not 0 ... */
	stuck(&a, 20220);
	conn_close_client(&a);
	/* ... and has been seen by its 100 ms cache (6.1+): first the
	 * kernel's own count (/proc/net/sockstat), then five of the cache's
	 * periods (300 ms once fell short on the debug kernel). */
	for (i = 0; i < 30 && sockstat_orphans() < 1; i++)
		msleep(100);
	CHECK(sockstat_orphans() >= 1, "no orphan in /proc/net/sockstat");
	msleep(500);
	stuck(&b, 20221);
	knob_set(MAX_ORPHANS, "0");
	conn_close_client(&b);
	knob_restore(MAX_ORPHANS);
	e = wait_close(b.sport);
	REQUIRE(e, "no CLOSE record");
	check_closer(e, b.fd, b.ino);
	CHECK(e->state_before == CT_TCP_ESTABLISHED && e->unsent > 0, "%s unsent %u",
	      ct_state_name(e->state_before), e->unsent);
	CHECK(e->action == CT_ACT_RST && e->reason == CT_R_ABORT_MEMORY, "%s/%s",
	      ct_action_name(e->action), ct_reason_name(e->reason));
	/* The FIN queued behind the data never left: the RST discarded it. */
	CHECK(e->fins == 0 && e->rsts == 1 && e->state_after == CT_TCP_CLOSE &&
	      (e->flags & CT_F_FIN_DISCARDED), "fins %u rsts %u %s flags %#x",
	      e->fins, e->rsts, ct_state_name(e->state_after), e->flags);
	/* Predicted from the entry: a FIN behind the data. */
	CHECK(e->pred_reason == CT_R_FIN_BEHIND_DATA && (e->flags & CT_F_MISMATCH),
	      "predicted %s, flags %#x", ct_reason_name(e->pred_reason), e->flags);
	r = ct_find_id(CT_EV_RESET, e->close_id, 0);
	CHECK(r && r->reason == CT_R_ABORT_MEMORY && (r->flags & CT_F_IN_CLOSE) &&
	      !(r->flags & CT_F_REPLY), "RESET %s flags %#x", r ? ct_reason_name(r->reason) : "none",
	      r ? r->flags : 0);
	/* Seen without reading: a read would free the peer's window and
	 * send an update after the RST. */
	CHECK(peer_reset_error(b.s, 3000) == ECONNRESET, "the peer got no RST");
	CHECK(wait_end(e->close_id, 3000), "no END record");
	/* The FIN queued in the close pushes the pending frames: a zero-window
	 * probe whose ACK can cross the RST (most runs on 7.2) and is answered
	 * from no socket. Each such segment on the wire allows one RST. */
	msleep(200);
	late = wire_crossed_rst(e);
	if (late) {
		printf("abort-memory: %u segment(s) of the peer crossed the RST\n", late);
		wire_allow(e, late, "the peer's ACKs that crossed the abort, answered from no socket");
		mib_allow(MIB_OUT_RSTS, late, "the peer's ACKs that crossed the abort");
	}
	check_against_kernel(e->close_id, b.sport, 20221);
	close(b.s);
	close(b.l);
	close(a.s);
	close(a.l);
	return ct_finish();
}
