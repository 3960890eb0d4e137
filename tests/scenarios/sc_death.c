/*
 * Connections that end while their owner still holds the socket (DEATH):
 * a RST from the peer (in ESTABLISHED and in CLOSE_WAIT), a RST answering
 * the SYN, retransmissions run out (tcp_retries2), TCP_USER_TIMEOUT,
 * keepalive probes unanswered, SYN retransmissions run out, the FIN
 * handshake ending after shutdown(SHUT_WR), and connect(AF_UNSPEC). The peer never answering is a
 * drop-all classic BPF filter on its socket (tcp_filter() runs before
 * anything else looks at the segment, a listener's SYN included).
 *
 * Each case sees the error the way a program does (recv, SO_ERROR after a
 * non-blocking connect: a blocking connect's failure calls tcp_disconnect,
 * which zeroes tcp_info's counters), waits, reads TCP_INFO, SO_COOKIE and
 * SIOCINQ on the dead socket, closes it, and checks the DEATH record
 * against all that, against the kernel's own state change and reset
 * events, and the CLOSE against the DEATH (same close_id, already-closed,
 * since_ns from the death to the close). ct_finish() adds the MIB counters
 * (TCPAbortOnTimeout for every timeout, OutRsts for the keepalive RST),
 * the wire and the BPF oracle.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/sock_diag.h>
#include <linux/sockios.h>
#include <linux/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include "ctlib.h"

#define P_RESET		20500
#define P_RESET_CW	20501
#define P_REFUSED	20502	/* nothing listens there */
#define P_RETRANS	20503
#define P_USER		20504
#define P_KEEPALIVE	20505
#define P_SYN		20506
#define P_SHUTDOWN	20507
#define P_DISCONNECT	20508

#define RETRIES2 "/proc/sys/net/ipv4/tcp_retries2"
#define WAIT_MS 200	/* between seeing the error and close() */

struct dcase {
	const char *name;
	unsigned int cause, state_before;
	int fd, sport, dport;
	int err;			/* the errno the program saw */
	bool rst;			/* the kernel sends a RST at the death */
	bool rst_after;			/* ... right after it (a RESET record) */
	unsigned long long t_trigger;	/* before what kills it */
	unsigned long long t_seen;	/* when the program saw it dead */
	unsigned long long t_before, t_after;	/* around close() */
	unsigned long long cw_lo, cw_hi;	/* CLOSE_WAIT entered between (or 0) */
	struct tcp_info ti;
	unsigned long long cookie;
	unsigned long ino;
	int inq;			/* SIOCINQ right after the death */
	struct tp_event tp[64];		/* the kernel's events since t_trigger */
	size_t ntp;
	/* The kernel's counters from before the trigger to after the death,
	 * and what the peer's side adds to them meanwhile. */
	struct mib mib0, mib1;
	long long est0, est1;
	int peer_rsts, peer_est;
};

static unsigned int ncases, ndeaths_checked, npeer_deaths;

/* /proc/net/snmp Tcp EstabResets: tcp_set_state(CLOSE) from ESTABLISHED
 * or CLOSE_WAIT counts it. */
static long long estab_resets(void)
{
	long long v = net_counter("Tcp", "EstabResets");

	if (v < 0) {
		fprintf(stderr, "death: no Tcp EstabResets in /proc/net/snmp\n");
		exit(2);
	}
	return v;
}

/* Just before what kills the socket. */
static void trigger(struct dcase *d)
{
	mib_read(&d->mib0);
	d->est0 = estab_resets();
	d->t_trigger = now_ns();
}

static void drop_all(int fd)
{
	struct sock_filter code[] = { { BPF_RET | BPF_K, 0, 0, 0 } };
	struct sock_fprog prog = { .len = 1, .filter = code };

	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog))) {
		fprintf(stderr, "death: SO_ATTACH_FILTER: %s\n", strerror(errno));
		exit(2);
	}
}

static void setint(int fd, int level, int opt, int v, const char *what)
{
	if (setsockopt(fd, level, opt, &v, sizeof(v))) {
		fprintf(stderr, "death: setsockopt %s: %s\n", what, strerror(errno));
		exit(2);
	}
}

static void linger0_close(int fd)
{
	struct linger lg = { 1, 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

/* Wait (TCP_INFO, reading nothing) for fd to reach state. */
static bool wait_state(int fd, int state, int timeout_ms)
{
	unsigned long long end = now_ns() + (unsigned long long)timeout_ms * 1000000ull;

	while (tcp_state(fd) != state) {
		if (now_ns() > end)
			return false;
		msleep(5);
	}
	return true;
}

/* Block in recv() until it fails (the death); its errno, or 0 on EOF/timeout. */
static int recv_error(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char buf[256];

	for (;;) {
		ssize_t n;

		if (poll(&p, 1, timeout_ms) <= 0)
			return 0;
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && errno != EAGAIN)
			return errno;
		if (n == 0)
			return 0;
	}
}

/* A non-blocking connect to port; its local port in *sport. */
static int connect_nb(int port, int syncnt, int *sport)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (syncnt)
		setint(fd, IPPROTO_TCP, TCP_SYNCNT, syncnt, "TCP_SYNCNT");
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0 || errno != EINPROGRESS) {
		fprintf(stderr, "death: non-blocking connect to %d: %s\n", port, strerror(errno));
		exit(2);
	}
	*sport = local_port(fd);
	return fd;
}

/* Wait for a non-blocking connect's end; SO_ERROR then (0: none, -1: timeout). */
static int connect_error(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	socklen_t len;
	int err = 0;

	if (poll(&p, 1, timeout_ms) <= 0)
		return -1;
	len = sizeof(err);
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
	return err;
}

/*
 * The program has seen the error (t_seen set): note SIOCINQ before anything
 * reads, wait, read what the dead socket still tells.
 */
static void observe(struct dcase *d)
{
	socklen_t len = sizeof(d->ti);

	d->sport = local_port(d->fd);
	msleep(WAIT_MS);
	/* (the timers count after the wakeup: read them after the wait) */
	mib_read(&d->mib1);
	d->est1 = estab_resets();
	memset(&d->ti, 0, sizeof(d->ti));
	if (getsockopt(d->fd, IPPROTO_TCP, TCP_INFO, &d->ti, &len))
		fprintf(stderr, "death: %s: TCP_INFO: %s\n", d->name, strerror(errno));
	d->cookie = sock_cookie(d->fd);
	d->ino = ino_of(d->fd);
	d->ntp = tp_read(d->tp, 64, d->sport, d->dport);
}

static void check_death(struct dcase *d)
{
	const struct ct_event *e, *c;
	static const char zero[CT_COMM_LEN];
	unsigned char lo[4] = { 127, 0, 0, 1 };
	unsigned int want_retx = d->cause == CT_R_KEEPALIVE_TIMEOUT ? d->ti.tcpi_probes :
				 d->ti.tcpi_retransmits;
	size_t i, ncl = 0, nr = 0;
	const struct tp_event *cl = NULL, *rst = NULL;
	int fd = d->fd;

	ncases++;
	CHECK(d->ti.tcpi_state == CT_TCP_CLOSE, "%s: TCP_INFO says %s after the error", d->name,
	      ct_state_name(d->ti.tcpi_state));
	/* The kernel's own account: one change to CLOSE, from state_before. */
	for (i = 0; i < d->ntp; i++) {
		if (d->tp[i].kind == 'S' && d->tp[i].newstate == CT_TCP_CLOSE) {
			cl = &d->tp[i];
			ncl++;
		}
		if (d->tp[i].kind == 'R') {
			rst = &d->tp[i];
			nr++;
		}
	}
	CHECK(ncl == 1 && cl->oldstate == (int)d->state_before,
	      "%s: the kernel reported %zu changes to CLOSE (the first from %s), expected one from %s",
	      d->name, ncl, cl ? ct_state_name(cl->oldstate) : "-", ct_state_name(d->state_before));
	CHECK(nr == (d->rst ? 1u : 0u), "%s: the kernel reported %zu RSTs sent before the close",
	      d->name, nr);
	/* The kernel's counters over the death. */
	{
		bool timeout = d->cause == CT_R_RETRANSMIT_TIMEOUT || d->cause == CT_R_USER_TIMEOUT ||
			       d->cause == CT_R_KEEPALIVE_TIMEOUT || d->cause == CT_R_SYN_TIMEOUT;
		bool estab = d->state_before == CT_TCP_ESTABLISHED ||
			     d->state_before == CT_TCP_CLOSE_WAIT;
		long long to = d->mib1.v[MIB_ABORT_ON_TIMEOUT] - d->mib0.v[MIB_ABORT_ON_TIMEOUT];
		long long rsts = d->mib1.v[MIB_OUT_RSTS] - d->mib0.v[MIB_OUT_RSTS];

		CHECK(to == timeout, "%s: TCPAbortOnTimeout went up by %lld", d->name, to);
		CHECK(rsts == (d->rst ? 1 : 0) + d->peer_rsts,
		      "%s: OutRsts went up by %lld, expected %d (ours) + %d (the peer's)", d->name, rsts,
		      d->rst ? 1 : 0, d->peer_rsts);
		CHECK(d->est1 - d->est0 == estab + d->peer_est,
		      "%s: EstabResets went up by %lld, expected %d (ours) + %d (the peer's)", d->name,
		      d->est1 - d->est0, estab, d->peer_est);
	}

	tp_clear();
	d->t_before = now_ns();
	close(fd);
	d->t_after = now_ns();
	/* tcp_disconnect() left no remote address: its CLOSE has port 0. */
	c = wait_close_to(d->sport, d->cause == CT_R_DISCONNECT ? 0 : d->dport);
	e = ct_find_death(d->sport, d->dport);
	if (!e || !c) {
		CHECK(e, "%s: no DEATH record for port %d->%d", d->name, d->sport, d->dport);
		CHECK(c, "%s: no CLOSE record for port %d->%d", d->name, d->sport, d->dport);
		return;
	}
	ndeaths_checked++;
	/* The DEATH. */
	CHECK(e->close_id && e->close_id == c->close_id, "%s: DEATH close_id %llu, CLOSE %llu",
	      d->name, (unsigned long long)e->close_id, (unsigned long long)c->close_id);
	CHECK(ct_count_id(CT_EV_DEATH, e->close_id) == 1 && ct_count_id(CT_EV_CLOSE, e->close_id) == 1,
	      "%s: %zu DEATH and %zu CLOSE records of close %llu", d->name,
	      ct_count_id(CT_EV_DEATH, e->close_id), ct_count_id(CT_EV_CLOSE, e->close_id),
	      (unsigned long long)e->close_id);
	CHECK(!ct_count_id(CT_EV_STATE, e->close_id) &&
	      ct_count_id(CT_EV_RESET, e->close_id) == (d->rst_after ? 1u : 0u),
	      "%s: %zu STATE and %zu RESET records of an owned socket's death", d->name,
	      ct_count_id(CT_EV_STATE, e->close_id), ct_count_id(CT_EV_RESET, e->close_id));
	CHECK(e->reason == d->cause && e->death == d->cause, "%s: DEATH reason %s death %s, expected %s",
	      d->name, ct_reason_name(e->reason), ct_reason_name(e->death), ct_reason_name(d->cause));
	CHECK(e->state_before == d->state_before && e->state_after == CT_TCP_CLOSE,
	      "%s: DEATH %s->%s, expected %s->CLOSE", d->name, ct_state_name(e->state_before),
	      ct_state_name(e->state_after), ct_state_name(d->state_before));
	CHECK(e->sk_err == d->err, "%s: DEATH sk_err %d, the program saw %d (%s)", d->name, e->sk_err,
	      d->err, strerror(d->err));
	CHECK(e->retransmits == want_retx, "%s: DEATH retransmits %u, TCP_INFO %s %u", d->name,
	      e->retransmits, d->cause == CT_R_KEEPALIVE_TIMEOUT ? "tcpi_probes" : "tcpi_retransmits",
	      want_retx);
	CHECK(e->total_retrans == d->ti.tcpi_total_retrans,
	      "%s: DEATH total_retrans %u, TCP_INFO %u", d->name, e->total_retrans,
	      d->ti.tcpi_total_retrans);
	CHECK(e->bytes_acked == d->ti.tcpi_bytes_acked && e->bytes_received == d->ti.tcpi_bytes_received,
	      "%s: DEATH bytes_acked %llu bytes_received %llu, TCP_INFO %llu %llu", d->name,
	      (unsigned long long)e->bytes_acked, (unsigned long long)e->bytes_received,
	      (unsigned long long)d->ti.tcpi_bytes_acked, (unsigned long long)d->ti.tcpi_bytes_received);
	CHECK(e->segs_in == d->ti.tcpi_segs_in && e->segs_out == d->ti.tcpi_segs_out,
	      "%s: DEATH segs_in %u segs_out %u, TCP_INFO %u %u", d->name, e->segs_in, e->segs_out,
	      d->ti.tcpi_segs_in, d->ti.tcpi_segs_out);
	CHECK(e->srtt_us == d->ti.tcpi_rtt, "%s: DEATH srtt_us %u, TCP_INFO tcpi_rtt %u", d->name,
	      e->srtt_us, d->ti.tcpi_rtt);
	CHECK((int)e->unread == d->inq, "%s: DEATH unread %u, SIOCINQ after the death %d", d->name,
	      e->unread, d->inq);
	CHECK(e->cookie && e->cookie == d->cookie, "%s: DEATH cookie %llu, SO_COOKIE %llu", d->name,
	      (unsigned long long)e->cookie, d->cookie);
	CHECK(e->ino == d->ino, "%s: DEATH ino %llu, the fd's %lu", d->name,
	      (unsigned long long)e->ino, d->ino);
	CHECK(e->netns == own_netns_ino(), "%s: DEATH netns %u, ours %lu", d->name, e->netns, own_netns_ino());
	CHECK(e->family == AF_INET && e->protocol == IPPROTO_TCP && e->sock_type == SOCK_STREAM,
	      "%s: DEATH family %u protocol %u type %u", d->name, e->family, e->protocol, e->sock_type);
	CHECK(e->sport == d->sport && e->dport == d->dport && !memcmp(e->saddr, lo, 4) &&
	      !memcmp(e->daddr, lo, 4), "%s: DEATH ports %u->%u", d->name, e->sport, e->dport);
	/* Written from softirq or a timer: nobody's. */
	CHECK(!e->pid && !e->tid && !e->vpid && !e->cgroup_id && !memcmp(e->comm, zero, CT_COMM_LEN) &&
	      e->fd == CT_FD_NONE, "%s: DEATH pid %u tid %u vpid %u cgroup %llu comm '%.16s' fd %d",
	      d->name, e->pid, e->tid, e->vpid, (unsigned long long)e->cgroup_id, e->comm, e->fd);
	{
		/* The RST: the DEATH's, or the RESET record right after it. */
		bool in_death = d->rst && !d->rst_after;
		const struct ct_event *r = d->rst_after ? ct_find_id(CT_EV_RESET, e->close_id, 0) : e;

		CHECK(e->action == (in_death ? CT_ACT_RST : CT_ACT_NONE) &&
		      e->rsts == (in_death ? 1u : 0u) && !e->fins,
		      "%s: DEATH action %s rsts %u fins %u", d->name, ct_action_name(e->action),
		      e->rsts, e->fins);
		if (d->rst_after && r) {
			CHECK(r->reason == d->cause && r->death == d->cause && r->action == CT_ACT_RST &&
			      r->rsts == 1 && !(r->flags & CT_F_REPLY) &&
			      r->state_before == CT_TCP_CLOSE && r->fd == CT_FD_NONE && !r->pid &&
			      r->cookie == d->cookie && r->sport == d->sport && r->dport == d->dport,
			      "%s: RESET reason %s death %s action %s rsts %u flags %#x state %s fd %d pid %u cookie %llu ports %u->%u",
			      d->name, ct_reason_name(r->reason), ct_reason_name(r->death),
			      ct_action_name(r->action), r->rsts, r->flags, ct_state_name(r->state_before),
			      r->fd, r->pid, (unsigned long long)r->cookie, r->sport, r->dport);
			CHECK(r->ts_ns >= e->ts_ns && r->ts_ns <= d->t_seen,
			      "%s: RESET at %llu, not between the DEATH %llu and the error seen %llu",
			      d->name, (unsigned long long)r->ts_ns, (unsigned long long)e->ts_ns, d->t_seen);
		}
		if (d->rst_after && !r)
			r = e;	/* (its absence failed above) */
		/* Where the kernel names its reason for the RST, closetrace must agree. */
		if (rst && rst->reason[0])
			CHECK(!strcmp(ct_krst_name(r->krst), rst->reason) ||
			      (r->krst == CT_KRST_OTHER && ct_krst_from_name(rst->reason) < 0),
			      "%s: %s krst %s, the kernel's reason %s", d->name,
			      d->rst_after ? "RESET" : "DEATH", ct_krst_name(r->krst), rst->reason);
		else
			CHECK(r->krst == CT_KRST_NA, "%s: krst %s, the kernel names none", d->name,
			      ct_krst_name(r->krst));
		if (d->rst_after)
			CHECK(e->krst == CT_KRST_NA, "%s: DEATH krst %s, its RST came after it", d->name,
			      ct_krst_name(e->krst));
	}
	CHECK(e->ts_ns >= d->t_trigger && e->ts_ns <= d->t_seen,
	      "%s: DEATH at %llu, not between the trigger %llu and the error seen %llu", d->name,
	      (unsigned long long)e->ts_ns, d->t_trigger, d->t_seen);
	if (d->cw_lo)
		CHECK(e->since_ns >= e->ts_ns - d->cw_hi && e->since_ns <= e->ts_ns - d->cw_lo,
		      "%s: DEATH since_ns %llu, the socket entered CLOSE_WAIT %llu to %llu ns before",
		      d->name, (unsigned long long)e->since_ns, e->ts_ns - d->cw_hi, e->ts_ns - d->cw_lo);
	else
		CHECK(!e->since_ns, "%s: DEATH since_ns %llu, not in CLOSE_WAIT", d->name,
		      (unsigned long long)e->since_ns);

	/* The CLOSE. */
	check_closer(c, fd, d->ino);
	CHECK(c->reason == CT_R_ALREADY_CLOSED && c->state_before == CT_TCP_CLOSE &&
	      c->state_after == CT_TCP_CLOSE && c->action == CT_ACT_NONE && !c->fins && !c->rsts,
	      "%s: CLOSE %s %s->%s action %s fins %u rsts %u", d->name, ct_reason_name(c->reason),
	      ct_state_name(c->state_before), ct_state_name(c->state_after),
	      ct_action_name(c->action), c->fins, c->rsts);
	CHECK(c->death == d->cause && c->sk_err == e->sk_err && c->retransmits == e->retransmits,
	      "%s: CLOSE death %s sk_err %d retransmits %u, the DEATH's %s %d %u", d->name,
	      ct_reason_name(c->death), c->sk_err, c->retransmits, ct_reason_name(e->reason),
	      e->sk_err, e->retransmits);
	CHECK(c->cookie == d->cookie, "%s: CLOSE cookie %llu, SO_COOKIE %llu", d->name,
	      (unsigned long long)c->cookie, d->cookie);
	/* From the death to tcp_close's entry, which is inside our close(). */
	CHECK(c->since_ns >= d->t_before - e->ts_ns && c->since_ns <= d->t_after - e->ts_ns,
	      "%s: CLOSE since_ns %llu, the death was %llu to %llu ns before the close", d->name,
	      (unsigned long long)c->since_ns, d->t_before - e->ts_ns, d->t_after - e->ts_ns);
	CHECK(c->since_ns >= (unsigned long long)WAIT_MS * 1000000ull &&
	      c->since_ns <= d->t_after - d->t_trigger,
	      "%s: CLOSE since_ns %llu, the program waited %d ms, %llu ns passed since the trigger",
	      d->name, (unsigned long long)c->since_ns, WAIT_MS, d->t_after - d->t_trigger);
	CHECK(c->ts_ns >= d->t_before && c->ts_ns <= d->t_after && e->ts_ns < c->ts_ns,
	      "%s: CLOSE at %llu, close() ran %llu to %llu, the DEATH at %llu", d->name,
	      (unsigned long long)c->ts_ns, d->t_before, d->t_after, (unsigned long long)e->ts_ns);
	CHECK(wait_end(c->close_id, 3000), "%s: no END record", d->name);
	check_against_kernel(c->close_id, d->sport, d->dport);
	printf("death: %s: DEATH %s from %s sk_err %d retransmits %u rsts %u; CLOSE since_ns %llu\n",
	       d->name, ct_reason_name(e->reason), ct_state_name(e->state_before), e->sk_err,
	       e->retransmits, e->rsts, (unsigned long long)c->since_ns);
}

/* A RST from the peer (SO_LINGER 0) in ESTABLISHED, 7 bytes left unread. */
static void case_peer_reset(void)
{
	struct dcase d = { .name = "peer-reset", .cause = CT_R_PEER_RESET,
			   .state_before = CT_TCP_ESTABLISHED, .dport = P_RESET };
	struct conn k;
	char buf[16];
	int i;

	conn_open(&k, AF_INET, P_RESET, 0);
	d.fd = k.c;
	CHECK(send(k.s, "1234567", 7, 0) == 7, "peer-reset: send");
	for (i = 0; i < 200 && sock_inq(k.c) < 7; i++)
		msleep(5);
	CHECK(sock_inq(k.c) == 7, "peer-reset: the 7 bytes did not arrive");
	tp_clear();
	d.peer_rsts = d.peer_est = 1;	/* its linger-0 close: ESTABLISHED to CLOSE, a RST */
	trigger(&d);
	linger0_close(k.s);
	CHECK(wait_state(k.c, CT_TCP_CLOSE, 3000), "peer-reset: the RST did not end it");
	d.t_seen = now_ns();
	d.inq = sock_inq(k.c);
	/* What a program sees: its data, then the error. */
	CHECK(recv(k.c, buf, sizeof(buf), MSG_DONTWAIT) == 7, "peer-reset: the unread data");
	d.err = recv(k.c, buf, sizeof(buf), MSG_DONTWAIT) < 0 ? errno : 0;
	CHECK(d.err == ECONNRESET, "peer-reset: recv: %s", strerror(d.err));
	observe(&d);
	check_death(&d);
	close(k.l);
}

/* A RST from the peer after its FIN: in CLOSE_WAIT, EPIPE; 3 bytes unread. */
static void case_peer_reset_cw(void)
{
	struct dcase d = { .name = "peer-reset-close-wait", .cause = CT_R_PEER_RESET,
			   .state_before = CT_TCP_CLOSE_WAIT, .dport = P_RESET_CW };
	struct conn k;
	socklen_t len = sizeof(int);

	conn_open(&k, AF_INET, P_RESET_CW, 0);
	d.fd = k.c;
	CHECK(send(k.s, "abc", 3, 0) == 3, "peer-reset-cw: send");
	tp_clear();
	d.peer_rsts = 1;		/* its linger-0 close, from FIN_WAIT2 */
	trigger(&d);
	d.cw_lo = d.t_trigger;
	shutdown(k.s, SHUT_WR);
	CHECK(wait_state(k.c, CT_TCP_CLOSE_WAIT, 3000), "peer-reset-cw: no CLOSE_WAIT");
	d.cw_hi = now_ns();
	CHECK(wait_state(k.s, CT_TCP_FIN_WAIT2, 3000), "peer-reset-cw: peer not in FIN_WAIT2");
	msleep(300);	/* an age in CLOSE_WAIT */
	linger0_close(k.s);
	CHECK(wait_state(k.c, CT_TCP_CLOSE, 3000), "peer-reset-cw: the RST did not end it");
	d.t_seen = now_ns();
	d.inq = sock_inq(k.c);
	getsockopt(k.c, SOL_SOCKET, SO_ERROR, &d.err, &len);
	CHECK(d.err == EPIPE, "peer-reset-cw: SO_ERROR %s", strerror(d.err));
	observe(&d);
	check_death(&d);
	close(k.l);
}

/* A RST answers the SYN: nothing listens. */
static void case_refused(void)
{
	struct dcase d = { .name = "refused", .cause = CT_R_REFUSED,
			   .state_before = CT_TCP_SYN_SENT, .dport = P_REFUSED };
	int sport;

	tp_clear();
	d.peer_rsts = 1;		/* the answer to the SYN, from no socket */
	trigger(&d);
	d.fd = connect_nb(P_REFUSED, 0, &sport);
	d.err = connect_error(d.fd, 3000);
	d.t_seen = now_ns();
	CHECK(d.err == ECONNREFUSED, "refused: SO_ERROR %d", d.err);
	d.inq = sock_inq(d.fd);
	observe(&d);
	CHECK(d.sport == sport, "refused: local port %d after the death, %d before", d.sport, sport);
	/* The RST came from no socket: no record explains it. */
	mib_allow(MIB_OUT_RSTS, 1, "refused: the kernel answers the SYN to a closed port");
	check_death(&d);
}

/* Data never acknowledged: the peer drops every segment. */
static void case_retransmit(bool user_timeout)
{
	struct dcase d = { .name = user_timeout ? "user-timeout" : "retransmit-timeout",
			   .cause = user_timeout ? CT_R_USER_TIMEOUT : CT_R_RETRANSMIT_TIMEOUT,
			   .state_before = CT_TCP_ESTABLISHED,
			   .dport = user_timeout ? P_USER : P_RETRANS };
	struct conn k;
	static char data[1000];

	conn_open(&k, AF_INET, d.dport, 0);
	d.fd = k.c;
	drop_all(k.s);
	if (user_timeout)
		setint(k.c, IPPROTO_TCP, TCP_USER_TIMEOUT, 1000, "TCP_USER_TIMEOUT");
	else
		knob_set(RETRIES2, "2");
	tp_clear();
	trigger(&d);
	CHECK(send(k.c, data, sizeof(data), 0) == (ssize_t)sizeof(data), "%s: send", d.name);
	d.err = recv_error(k.c, 10000);
	d.t_seen = now_ns();
	if (!user_timeout)
		knob_restore(RETRIES2);
	CHECK(d.err == ETIMEDOUT, "%s: recv: %s", d.name, strerror(d.err));
	d.inq = sock_inq(k.c);
	observe(&d);
	CHECK(d.ti.tcpi_retransmits > 0, "%s: TCP_INFO says no retransmission", d.name);
	check_death(&d);
	linger0_close(k.s);
	close(k.l);
}

/* Keepalive probes the peer drops: a RST, then the death. */
static void case_keepalive(void)
{
	struct dcase d = { .name = "keepalive-timeout", .cause = CT_R_KEEPALIVE_TIMEOUT,
			   .state_before = CT_TCP_ESTABLISHED, .dport = P_KEEPALIVE, .rst = true };
	struct conn k;

	conn_open(&k, AF_INET, P_KEEPALIVE, 0);
	d.fd = k.c;
	drop_all(k.s);
	tp_clear();
	trigger(&d);
	setint(k.c, IPPROTO_TCP, TCP_KEEPIDLE, 1, "TCP_KEEPIDLE");
	setint(k.c, IPPROTO_TCP, TCP_KEEPINTVL, 1, "TCP_KEEPINTVL");
	setint(k.c, IPPROTO_TCP, TCP_KEEPCNT, 1, "TCP_KEEPCNT");
	setint(k.c, SOL_SOCKET, SO_KEEPALIVE, 1, "SO_KEEPALIVE");
	d.err = recv_error(k.c, 10000);
	d.t_seen = now_ns();
	CHECK(d.err == ETIMEDOUT, "keepalive: recv: %s", strerror(d.err));
	d.inq = sock_inq(k.c);
	observe(&d);
	CHECK(d.ti.tcpi_probes > 0, "keepalive: TCP_INFO says no probe");
	check_death(&d);
	linger0_close(k.s);
	close(k.l);
}

/* SYNs the listener drops (its filter runs before the LISTEN branch). */
static void case_syn_timeout(void)
{
	struct dcase d = { .name = "syn-timeout", .cause = CT_R_SYN_TIMEOUT,
			   .state_before = CT_TCP_SYN_SENT, .dport = P_SYN };
	int l = tcp_listener(AF_INET, P_SYN, 8), sport;

	drop_all(l);
	tp_clear();
	trigger(&d);
	/* TCP_SYNCNT 1: dead about 3 s after the first SYN. */
	d.fd = connect_nb(P_SYN, 1, &sport);
	d.err = connect_error(d.fd, 8000);
	d.t_seen = now_ns();
	CHECK(d.err == ETIMEDOUT, "syn-timeout: SO_ERROR %d", d.err);
	d.inq = sock_inq(d.fd);
	observe(&d);
	CHECK(d.sport == sport, "syn-timeout: local port %d after the death, %d before", d.sport,
	      sport);
	CHECK(d.ti.tcpi_retransmits > 0, "syn-timeout: TCP_INFO says no SYN retransmission");
	check_death(&d);
	close(l);
}

/* The peer closes, we read its EOF and shutdown(SHUT_WR): its ACK ends us. */
static void case_shutdown_end(void)
{
	struct dcase d = { .name = "shutdown-end", .cause = CT_R_SHUTDOWN_END,
			   .state_before = CT_TCP_LAST_ACK, .dport = P_SHUTDOWN };
	struct conn k;
	char buf[16];
	socklen_t len = sizeof(int);

	conn_open(&k, AF_INET, P_SHUTDOWN, 0);
	d.fd = k.c;
	close(k.s);
	CHECK(wait_state(k.c, CT_TCP_CLOSE_WAIT, 3000), "shutdown-end: no CLOSE_WAIT");
	CHECK(recv(k.c, buf, sizeof(buf), 0) == 0, "shutdown-end: no EOF");
	tp_clear();
	trigger(&d);
	shutdown(k.c, SHUT_WR);
	CHECK(wait_state(k.c, CT_TCP_CLOSE, 3000), "shutdown-end: the peer's ACK did not end it");
	d.t_seen = now_ns();
	getsockopt(k.c, SOL_SOCKET, SO_ERROR, &d.err, &len);
	CHECK(d.err == 0, "shutdown-end: SO_ERROR %s", strerror(d.err));
	d.inq = sock_inq(k.c);
	observe(&d);
	check_death(&d);
	close(k.l);
}

/*
 * connect(AF_UNSPEC) on an ESTABLISHED socket: tcp_disconnect() moves it to
 * CLOSE, then resets the peer, and leaves it reusable. It zeroes the
 * counters TCP_INFO shows, so those of just before are what the DEATH
 * (written at the change to CLOSE) must match; sk_err is set after it.
 */
static void case_disconnect(void)
{
	struct dcase d = { .name = "disconnect", .cause = CT_R_DISCONNECT,
			   .state_before = CT_TCP_ESTABLISHED, .dport = P_DISCONNECT,
			   .rst = true, .rst_after = true };
	struct sockaddr_in un = { .sin_family = AF_UNSPEC };
	struct tcp_info before;
	socklen_t len = sizeof(before);
	__u32 mem[SK_MEMINFO_VARS] = { 0 };
	struct conn k;
	int state, notsent;

	conn_open(&k, AF_INET, P_DISCONNECT, 0);
	d.fd = k.c;
	d.peer_est = 1;		/* the peer, reset: ESTABLISHED to CLOSE */
	tp_clear();
	memset(&before, 0, sizeof(before));
	CHECK(!getsockopt(k.c, IPPROTO_TCP, TCP_INFO, &before, &len), "disconnect: TCP_INFO: %s",
	      strerror(errno));
	trigger(&d);
	CHECK(!connect(k.c, (struct sockaddr *)&un, sizeof(un)), "disconnect: connect(AF_UNSPEC): %s",
	      strerror(errno));
	d.t_seen = now_ns();
	d.err = 0;		/* connect() returned 0 */
	CHECK(wait_state(k.s, CT_TCP_CLOSE, 3000), "disconnect: the peer was not reset");
	d.inq = sock_inq(k.c);
	observe(&d);
	CHECK(d.ti.tcpi_segs_out == 0 && d.ti.tcpi_segs_in == 0,
	      "disconnect: TCP_INFO after it says segs_out %u segs_in %u (zeroed on 5.10-7.x)",
	      d.ti.tcpi_segs_out, d.ti.tcpi_segs_in);
	state = d.ti.tcpi_state;
	d.ti = before;
	d.ti.tcpi_state = (__u8)state;
	/*
	 * Nothing is left to send: the write queue is purged (SO_MEMINFO's
	 * wmem_queued 0), though write_seq - snd_nxt (SIOCOUTQNSD) is now
	 * the jump tcp_disconnect() gave write_seq.
	 */
	len = sizeof(mem);
	CHECK(!getsockopt(k.c, SOL_SOCKET, SO_MEMINFO, mem, &len) && !mem[SK_MEMINFO_WMEM_QUEUED],
	      "disconnect: SO_MEMINFO wmem_queued %u", mem[SK_MEMINFO_WMEM_QUEUED]);
	if (ioctl(k.c, SIOCOUTQNSD, &notsent))
		notsent = -1;
	check_death(&d);
	{
		const struct ct_event *e = ct_find_death(d.sport, P_DISCONNECT);
		const struct ct_event *c = e ? ct_find_id(CT_EV_CLOSE, e->close_id, 0) : NULL;

		CHECK(c && !c->unsent, "disconnect: CLOSE unsent %u with nothing queued (SIOCOUTQNSD %d)",
		      c ? c->unsent : 0, notsent);
	}
	/* The peer's socket, still its owner's, died of the RST. */
	{
		const struct ct_event *p = ct_find_death(P_DISCONNECT, d.sport);

		CHECK(p && p->reason == CT_R_PEER_RESET && p->state_before == CT_TCP_ESTABLISHED &&
		      p->sk_err == ECONNRESET,
		      "disconnect: the peer's DEATH %s from %s sk_err %d, expected peer-reset from ESTABLISHED, ECONNRESET",
		      p ? ct_reason_name(p->reason) : "(none)",
		      p ? ct_state_name(p->state_before) : "-", p ? p->sk_err : 0);
		npeer_deaths++;
	}
	linger0_close(k.s);
	close(k.l);
}

int main(void)
{
	struct ct_stats st0, st1;
	size_t i, ndeath = 0, tw;

	ct_start("death");
	ct_read_stats(&st0);
	case_peer_reset();
	case_peer_reset_cw();
	case_refused();
	case_retransmit(false);
	case_retransmit(true);
	case_keepalive();
	case_syn_timeout();
	case_shutdown_end();
	case_disconnect();
	ct_drain();
	ct_read_stats(&st1);
	for (i = 0; i < ct_log.n; i++)
		ndeath += ct_log.ev[i].type == CT_EV_DEATH;
	CHECK(ndeaths_checked == ncases, "%u of %u cases had their records", ndeaths_checked, ncases);
	CHECK(ndeath == ncases + npeer_deaths, "%zu DEATH records, %u deaths caused (%u of them peers')",
	      ndeath, ncases + npeer_deaths, npeer_deaths);
	CHECK(st1.deaths - st0.deaths == ndeath, "stats: deaths went up by %llu, %zu DEATH records",
	      st1.deaths - st0.deaths, ndeath);
	/* Every dead socket's entry left at its close: what is left of ours
	 * are timewait sockets. */
	tw = proc_tcp_timewaits(P_RESET, P_DISCONNECT);
	CHECK(st1.preclose_tracked <= st0.preclose_tracked + tw && st1.preclose_full == st0.preclose_full,
	      "stats: preclose_tracked %llu -> %llu with %zu timewait sockets of ours, preclose_full %llu -> %llu",
	      st0.preclose_tracked, st1.preclose_tracked, tw, st0.preclose_full, st1.preclose_full);
	return ct_finish();
}
