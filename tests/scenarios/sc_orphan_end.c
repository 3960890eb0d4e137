/* How an orphan ends when the peer does not play along. A FIN_WAIT2
 * orphan reset by its peer is a reset, not a timewait hand-over. Data
 * reaching a closed socket, in FIN_WAIT2 after close or during a SO_LINGER
 * wait in FIN_WAIT1, is answered with a RST (RFC 1122, TCPAbortOnData),
 * sent after tcp_done() has destroyed the orphan. */
#include <errno.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "ctlib.h"

/* A full socket in FIN_WAIT2 after close: TCP_LINGER2 beyond TIME_WAIT. */
static const struct ct_event *close_to_fin_wait2(struct conn *k, int port)
{
	int linger2 = 120;
	const struct ct_event *e;

	conn_open(k, AF_INET, port, 0);
	setsockopt(k->c, IPPROTO_TCP, TCP_LINGER2, &linger2, sizeof(linger2));
	conn_close_client(k);
	CHECK(peer_outcome(k->s, 3000) == 0, "port %d: peer got no FIN", port);
	e = wait_close(k->sport);
	if (e) {
		msleep(100);
		ct_drain();
		CHECK(!ct_find_id(CT_EV_END, e->close_id, 0), "port %d: orphan gone early", port);
	}
	return e;
}

static void peer_reset(void)
{
	struct linger lg = { 1, 0 };
	struct conn k;
	const struct ct_event *e, *end;

	e = close_to_fin_wait2(&k, 20210);
	if (!e) {
		CHECK(e, "no CLOSE record");
		return;
	}
	setsockopt(k.s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(k.s);
	CHECK(wait_end(e->close_id, 3000), "peer reset: no END record");
	end = ct_find_id(CT_EV_END, e->close_id, 0);
	CHECK(!ct_find_id(CT_EV_TIMEWAIT, e->close_id, 0),
	      "peer reset: a TIMEWAIT record for an orphan ended by a RST");
	CHECK(end && !(end->flags & CT_F_TIMEWAIT), "peer reset: END says timewait");
	CHECK(!ct_find_id(CT_EV_RESET, e->close_id, 0), "peer reset: the orphan sent a RST");
	check_against_kernel(e->close_id, k.sport, 20210);
	close(k.l);
}

static void data_after_close(void)
{
	struct conn k;
	const struct ct_event *e, *r;
	char b[100] = { 0 };

	e = close_to_fin_wait2(&k, 20211);
	if (!e) {
		CHECK(e, "no CLOSE record");
		return;
	}
	CHECK(write(k.s, b, sizeof(b)) == (ssize_t)sizeof(b), "peer write");
	/* The peer (CLOSE_WAIT) sees the RST as EPIPE, in state CLOSE. */
	CHECK(peer_reset_error(k.s, 3000) == EPIPE, "data after close: the peer got no RST");
	CHECK(wait_end(e->close_id, 3000), "data after close: no END record");
	r = ct_find_id(CT_EV_RESET, e->close_id, 0);
	CHECK(r && ct_count_id(CT_EV_RESET, e->close_id) == 1, "data after close: no single RESET");
	if (r) {
		CHECK(r->reason == CT_R_ABORT_DATA, "data after close: reason %s",
		      ct_reason_name(r->reason));
		CHECK((r->flags & CT_F_REPLY) && (r->flags & CT_F_AFTER_END) &&
		      !(r->flags & CT_F_IN_CLOSE), "data after close: flags %#x", r->flags);
		CHECK(r->pid == (unsigned int)getpid(), "data after close: pid %u", r->pid);
	}
	CHECK(!ct_find_id(CT_EV_TIMEWAIT, e->close_id, 0), "data after close: TIMEWAIT");
	check_against_kernel(e->close_id, k.sport, 20211);
	close(k.s);
	close(k.l);
}

static int lpeer;

static void *write_later(void *arg)
{
	char b[100] = { 0 };

	(void)arg;
	msleep(300);
	if (write(lpeer, b, sizeof(b)) != (ssize_t)sizeof(b))
		fprintf(stderr, "linger: peer write: %s\n", strerror(errno));
	return NULL;
}

/* The close waits (SO_LINGER 5 s) behind data the peer does not read; the
 * peer sends data meanwhile. */
static void data_during_linger(void)
{
	struct linger lg = { 1, 5 };
	int l, c, small = 4096, sport;
	unsigned long long t0, dt;
	const struct ct_event *e, *r;
	pthread_t th;

	l = tcp_listener(AF_INET, 20212, 8);
	setsockopt(l, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	c = tcp_connect(AF_INET, 20212);
	lpeer = tcp_accept(l);
	setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	fill_send_queue(c);
	sport = local_port(c);
	tp_clear();
	pthread_create(&th, NULL, write_later, NULL);
	t0 = now_ns();
	close(c);
	dt = now_ns() - t0;
	pthread_join(th, NULL);
	CHECK(dt < 4000000000ull, "linger: close waited %llu ns, the RST did not end it", dt);
	CHECK(peer_outcome(lpeer, 3000) == 1, "linger: the peer got no RST");
	e = wait_close(sport);
	if (!e) {
		CHECK(e, "linger: no CLOSE record");
		return;
	}
	CHECK(e->action == CT_ACT_RST && e->reason == CT_R_ABORT_DATA, "linger: %s/%s",
	      ct_action_name(e->action), ct_reason_name(e->reason));
	/* The FIN was queued behind the data the peer did not take: never sent. */
	CHECK(e->fins == 0 && e->rsts == 1 && (e->flags & CT_F_FIN_QUEUED) &&
	      (e->flags & CT_F_FIN_DISCARDED), "linger: fins %u rsts %u flags %#x", e->fins,
	      e->rsts, e->flags);
	CHECK(e->state_after == CT_TCP_CLOSE, "linger: state_after %s", ct_state_name(e->state_after));
	r = ct_find_id(CT_EV_RESET, e->close_id, 0);
	CHECK(r && r->reason == CT_R_ABORT_DATA && (r->flags & CT_F_REPLY) &&
	      (r->flags & CT_F_IN_CLOSE), "linger: RESET %s flags %#x",
	      r ? ct_reason_name(r->reason) : "none", r ? r->flags : 0);
	CHECK(wait_end(e->close_id, 3000), "linger: no END record");
	check_against_kernel(e->close_id, sport, 20212);
	close(lpeer);
	close(l);
}

int main(void)
{
	ct_start("orphan-end");
	peer_reset();
	data_after_close();
	data_during_linger();
	return ct_finish();
}
