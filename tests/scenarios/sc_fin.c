/* Normal close of an idle ESTABLISHED connection: FIN, then the orphan's
 * FIN_WAIT1 -> FIN_WAIT2 -> timewait hand-over (FIN_WAIT2 substate) and end.
 * Then with TCP_LINGER2 above the timewait length, the orphan waits in
 * FIN_WAIT2 for the peer's FIN and is handed over in TIME_WAIT. */
#include <netinet/tcp.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>
#include "ctlib.h"

static int fin_timeout_ms(void)
{
	FILE *f = fopen("/proc/sys/net/ipv4/tcp_fin_timeout", "r");
	int s = -1;

	if (!f || fscanf(f, "%d", &s) != 1) {
		fprintf(stderr, "fin: cannot read tcp_fin_timeout\n");
		exit(2);
	}
	fclose(f);
	return s * 1000;
}

/*
 * TIMEWAIT's timeout_ms is the time left on the timewait socket's timer at
 * the hand-over: tcp_time_wait() arms it a few jiffies before.
 */
#define TW_SLACK_MS 50

/* The kernel's own timer for the timewait socket agrees with the record. */
static void check_tw_timer(const struct ct_event *tw)
{
	static struct proc_tcp p[4096];
	size_t n = proc_tcp_read(p, 4096);
	const struct proc_tcp *k = proc_tcp_of(p, n, tw);
	long long since = (long long)((now_ns() - tw->ts_ns) / 1000000ull);

	CHECK(k && k->timer == 3, "no timewait socket in /proc/net/tcp");
	if (k && k->timer == 3)
		CHECK(k->when_ms <= tw->timeout_ms && k->when_ms + since + 20 >= tw->timeout_ms,
		      "timer left %ld ms, %lld ms after a TIMEWAIT record saying %lld",
		      k->when_ms, since, (long long)tw->timeout_ms);
}

int main(void)
{
	struct conn k;
	const struct ct_event *e, *tw;
	int linger2 = 120;

	ct_start("fin");
	conn_open(&k, AF_INET, 20010, 0);
	conn_close_client(&k);
	CHECK(peer_outcome(k.s, 3000) == 0, "peer did not receive a FIN");
	e = wait_close(k.sport);
	REQUIRE(e, "no CLOSE record for port %d", k.sport);
	check_closer(e, k.fd, k.ino);
	CHECK(e->state_before == CT_TCP_ESTABLISHED, "state_before %s", ct_state_name(e->state_before));
	CHECK(e->action == CT_ACT_FIN && e->reason == CT_R_FIN, "%s/%s",
	      ct_action_name(e->action), ct_reason_name(e->reason));
	CHECK(e->fins == 1 && e->rsts == 0, "fins %u rsts %u", e->fins, e->rsts);
	CHECK(e->unread == 0 && e->unsent == 0, "unread %u unsent %u", e->unread, e->unsent);
	CHECK(!(e->flags & CT_F_MISMATCH), "prediction %s/%s differs",
	      ct_action_name(e->pred_action), ct_reason_name(e->pred_reason));
	CHECK(!e->linger_on && e->timeout_ms == 0, "linger %u timeout %lld", e->linger_on, (long long)e->timeout_ms);
	CHECK(e->dport == 20010 && e->family == AF_INET && e->saddr[0] == 127, "addresses");
	CHECK(wait_end(e->close_id, 3000), "no END record");
	tw = ct_find_id(CT_EV_TIMEWAIT, e->close_id, 0);
	CHECK(tw && ct_count_id(CT_EV_TIMEWAIT, e->close_id) == 1, "no single TIMEWAIT hand-over");
	if (tw)
		CHECK(tw->state_before == CT_TCP_FIN_WAIT2 && tw->state_after == CT_TCP_FIN_WAIT2 &&
		      tw->timeout_ms <= fin_timeout_ms() &&
		      tw->timeout_ms >= fin_timeout_ms() - TW_SLACK_MS,
		      "hand-over %s>%s after %lld ms, expected FIN_WAIT2>FIN_WAIT2 after %d",
		      ct_state_name(tw->state_before), ct_state_name(tw->state_after),
		      (long long)tw->timeout_ms, fin_timeout_ms());
	check_against_kernel(e->close_id, k.sport, 20010);
	close(k.s);
	close(k.l);

	/* FIN_WAIT2 outlives the close; the peer's FIN ends it in TIME_WAIT. */
	conn_open(&k, AF_INET, 20011, 0);
	setsockopt(k.c, IPPROTO_TCP, TCP_LINGER2, &linger2, sizeof(linger2));
	conn_close_client(&k);
	CHECK(peer_outcome(k.s, 3000) == 0, "peer did not receive a FIN");
	e = wait_close(k.sport);
	REQUIRE(e, "no CLOSE record for port %d", k.sport);
	CHECK(e->action == CT_ACT_FIN && e->linger2 == linger2, "%s linger2 %d",
	      ct_action_name(e->action), e->linger2);
	msleep(200);
	ct_drain();
	CHECK(!ct_find_id(CT_EV_END, e->close_id, 0) && !ct_find_id(CT_EV_TIMEWAIT, e->close_id, 0),
	      "handed over before the peer's FIN");
	close(k.s);
	CHECK(wait_end(e->close_id, 3000), "no END record");
	tw = ct_find_id(CT_EV_TIMEWAIT, e->close_id, 0);
	CHECK(tw && ct_count_id(CT_EV_TIMEWAIT, e->close_id) == 1, "no single TIMEWAIT hand-over");
	if (tw)
		CHECK(tw->state_before == CT_TCP_FIN_WAIT2 && tw->state_after == CT_TCP_TIME_WAIT &&
		      tw->timeout_ms <= 60000 && tw->timeout_ms >= 60000 - TW_SLACK_MS,
		      "hand-over %s>%s after %lld ms, expected FIN_WAIT2>TIME_WAIT after 60000",
		      ct_state_name(tw->state_before), ct_state_name(tw->state_after),
		      (long long)tw->timeout_ms);
	if (tw)
		check_tw_timer(tw);
	check_against_kernel(e->close_id, k.sport, 20011);
	close(k.l);
	return ct_finish();
}
