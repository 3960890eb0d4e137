/*
 * A close's timewait socket followed to its end (TWEND), each way it ends:
 *
 *   expired   the client closes first and the peer stays open: once the
 *             FIN is acknowledged the orphan becomes a FIN_WAIT2 timewait
 *             socket for tcp_fin_timeout (5 s in the suite), and its timer
 *             ends it.
 *   reset     the same, and the peer closes with SO_LINGER 0: its RST kills
 *             the timewait socket (tcp_timewait_state_process()).
 *   answered  the same, and the peer sends data: the timewait socket
 *             answers with a RST and goes (TCP_TW_RST).
 *   answered-slow  the same, with the wire made slow: packet sockets on lo
 *             whose eBPF filter counts to a large number run on each
 *             packet sent, so the RST's transmission (between the segment's
 *             tcp_timewait_state_process() and the kill, in the softirq)
 *             takes well over the 5 ms a task's kill allows. A guest's
 *             clock jumps as long while its vCPU waits for the host: the
 *             CI's debug kernel once told this timewait socket "purged".
 *   reused    a TIME_WAIT socket (both closed, the client first) whose
 *             4-tuple a new connect() from the same port takes over
 *             (tcp_tw_reuse: 2, loopback, the default; a second after its
 *             last timestamp). In a child's own network namespace: the
 *             oracles of ct_finish(), which key on the 4-tuple, look at the
 *             scenario's namespace only.
 *   purged    a TIME_WAIT socket in a network namespace that goes away
 *             (the same child's, when it exits).
 *   syn       the server's TIME_WAIT socket (it closed first), and the client
 *             connects again from the same port: its SYN hands the 4-tuple
 *             to the listener (TCP_TW_SYN). In a child's namespace too.
 *   unseen    a FIN_WAIT2 timewait socket that ends while every kprobe is
 *             disarmed (debugfs kprobes/enabled 0), as if its end's hook
 *             missed; then its namespace goes. How it ended cannot be
 *             known, and the purge must not read a socket it cannot find
 *             (KASAN's use-after-free on the debug kernels); closetrace's
 *             sweep (the control file's "sweep", twice) does not find it
 *             in the kernel's hash either, and tells it: one TWEND
 *             tw-lost, flagged incomplete, with its close's identity only.
 *             The expired case sweeps twice while its socket lives: no
 *             tw-lost there.
 *
 * The observers: iproute2's ss (state time-wait, its timer), the kernel's
 * /proc/net/tcp, the MIB counter TcpExt TWRecycled, the peer's errno, and
 * the wire (ct_finish(): every RST one record).
 */
#include <errno.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "ctlib.h"

#define PORT 20300

/*
 * The slow wire: up to SLOW_MAX packet sockets, each with a filter that
 * counts to SLOW_LOOPS and tail-calls itself (up to the kernel's 32 or 33
 * tail calls: the verifier walks one count, the filter runs 33).
 */
#define SLOW_LOOPS 100000
#define SLOW_MAX 1024
#define SLOW_MS 30

static int slow_fd[SLOW_MAX];
static int slow_n;
static int slow_map = -1;

/* The counting filter, its own tail call in a one-slot program array. */
static int slow_prog(void)
{
	struct bpf_insn insn[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = 6, .src_reg = 1 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
		{ .code = BPF_ALU64 | BPF_ADD | BPF_K, .dst_reg = 0, .imm = 1 },
		{ .code = BPF_JMP | BPF_JLT | BPF_K, .dst_reg = 0, .off = -2,
		  .imm = SLOW_LOOPS },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = 1, .src_reg = 6 },
		{ .code = BPF_LD | BPF_DW | BPF_IMM, .dst_reg = 2,
		  .src_reg = BPF_PSEUDO_MAP_FD },	/* .imm: the map, below */
		{ .code = 0 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 3, .imm = 0 },
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_tail_call },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr a;
	int map, prog;
	__u32 key = 0;

	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_PROG_ARRAY;
	a.key_size = 4;
	a.value_size = 4;
	a.max_entries = 1;
	map = ct_bpf(BPF_MAP_CREATE, &a);
	if (map < 0)
		return -1;
	insn[5].imm = map;
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	a.insns = (uintptr_t)insn;
	a.insn_cnt = sizeof(insn) / sizeof(insn[0]);
	a.license = (uintptr_t)"GPL";
	prog = ct_bpf(BPF_PROG_LOAD, &a);
	if (prog >= 0) {
		memset(&a, 0, sizeof(a));
		a.map_fd = (__u32)map;
		a.key = (uintptr_t)&key;
		a.value = (uintptr_t)&prog;
		if (ct_bpf(BPF_MAP_UPDATE_ELEM, &a)) {
			close(prog);
			prog = -1;
		}
	}
	/* kept open: the map's slots are cleared when its last file goes */
	if (prog < 0)
		close(map);
	else
		slow_map = map;
	return prog;
}

/* How long sending one UDP datagram to itself on lo takes, in ms. */
static double lo_packet_ms(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	unsigned long long t0, t1;
	char c = 0;
	int u;

	u = socket(AF_INET, SOCK_DGRAM, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (u < 0 || bind(u, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(u, (struct sockaddr *)&a, &len)) {
		if (u >= 0)
			close(u);
		return -1;
	}
	t0 = now_ns();
	if (sendto(u, &c, 1, 0, (struct sockaddr *)&a, sizeof(a)) != 1) {
		close(u);
		return -1;
	}
	t1 = now_ns();
	close(u);
	return (t1 - t0) / 1e6;
}

/*
 * Make every packet on lo take SLOW_MS or more to send (its transmission's
 * and, on loopback, its reception's taps): packet sockets bound to lo, each
 * with the counting filter, doubled until it does. Returns the time one
 * datagram takes, or -1.
 */
static double slow_wire_on(void)
{
	struct sockaddr_ll ll = { .sll_family = AF_PACKET };
	struct rlimit rl = { SLOW_MAX + 64, SLOW_MAX + 64 };
	struct rlimit ml = { RLIM_INFINITY, RLIM_INFINITY };
	double ms = lo_packet_ms();
	int prog, want = 1;

	setrlimit(RLIMIT_NOFILE, &rl);
	/* before 5.11, a BPF program is charged to RLIMIT_MEMLOCK (EPERM) */
	setrlimit(RLIMIT_MEMLOCK, &ml);
	prog = slow_prog();
	if (prog < 0) {
		fprintf(stderr, "timewait-end: the slow filter: %s\n", strerror(errno));
		return -1;
	}
	ll.sll_protocol = htons(ETH_P_ALL);
	ll.sll_ifindex = (int)if_nametoindex("lo");
	while (ms >= 0 && ms < SLOW_MS && slow_n < SLOW_MAX) {
		while (slow_n < want) {
			int fd = socket(AF_PACKET, SOCK_RAW, 0);

			if (fd < 0 ||
			    setsockopt(fd, SOL_SOCKET, SO_ATTACH_BPF, &prog, sizeof(prog)) ||
			    bind(fd, (struct sockaddr *)&ll, sizeof(ll))) {
				fprintf(stderr, "timewait-end: packet socket %d: %s\n", slow_n,
					strerror(errno));
				if (fd >= 0)
					close(fd);
				close(prog);
				return -1;
			}
			slow_fd[slow_n++] = fd;
		}
		ms = lo_packet_ms();
		want *= 2;
	}
	close(prog);
	return ms;
}

static void slow_wire_off(void)
{
	while (slow_n > 0)
		close(slow_fd[--slow_n]);
	if (slow_map >= 0)
		close(slow_map);
	slow_map = -1;
}

/*
 * ss's line for the timewait socket of local port sport, and its timer's
 * time left in ms (timer:(timewait,3.9sec,0)); -1 if ss lists none.
 */
static long ss_timewait_ms(int sport, int dport)
{
	char cmd[160], line[512], *t;
	long ms = -1;
	FILE *p;

	/*
	 * (a FIN_WAIT2 timewait socket is listed in FIN-WAIT-2: no state
	 * filter). Both ports: an earlier case's client may have had the same
	 * ephemeral port towards another server port, its TIME_WAIT still there.
	 */
	snprintf(cmd, sizeof(cmd), "ss -tanoH '( sport = :%d and dport = :%d )' 2>&1",
		 sport, dport);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (fgets(line, sizeof(line), p)) {
		char *end;
		double s;

		t = strstr(line, "timer:(timewait,");
		if (!t)
			continue;
		t += strlen("timer:(timewait,");
		/* 1min / 3.9sec / 780ms (a literal after %lf does not count in sscanf) */
		s = strtod(t, &end);
		if (end == t)
			continue;
		if (!strncmp(end, "min", 3))
			ms = (long)(s * 60000);
		else if (!strncmp(end, "sec", 3))
			ms = (long)(s * 1000);
		else if (!strncmp(end, "ms", 2))
			ms = (long)s;
	}
	pclose(p);
	return ms;
}

static bool has_twend(void *p)
{
	return ct_find_id(CT_EV_TWEND, *(unsigned long long *)p, 0) != NULL;
}

/* The CLOSE of the client (port sport) and its TIMEWAIT record. */
static const struct ct_event *closed_to_tw(struct conn *k, const struct ct_event **tw)
{
	const struct ct_event *e = wait_close(k->sport);
	unsigned long long end = now_ns() + 3000000000ull;

	*tw = NULL;
	if (!e)
		return NULL;
	while (!(*tw = ct_find_id(CT_EV_TIMEWAIT, e->close_id, 0)) && now_ns() < end) {
		msleep(20);
		ct_drain();
		e = wait_close(k->sport);
	}
	return e;
}

static void check_twend(const struct ct_event *e, const struct ct_event *tw,
			const struct ct_event *x, unsigned int reason, const char *what)
{
	CHECK(x->reason == reason, "%s: TWEND reason %s", what, ct_reason_name(x->reason));
	CHECK(x->pid == e->pid && !strncmp(x->comm, e->comm, 16) && x->cookie == e->cookie &&
	      x->ino == e->ino && x->fd == e->fd,
	      "%s: TWEND does not carry the close's identity (pid %u comm %.16s cookie %llu)", what,
	      x->pid, x->comm, (unsigned long long)x->cookie);
	CHECK(x->sport == e->sport && x->dport == e->dport && x->family == e->family &&
	      !memcmp(x->saddr, e->saddr, 16) && !memcmp(x->daddr, e->daddr, 16),
	      "%s: TWEND's connection %u->%u, the close's %u->%u", what, x->sport, x->dport,
	      e->sport, e->dport);
	/* A FIN_WAIT2 timewait socket turns TIME_WAIT when the peer's FIN comes. */
	CHECK(x->state_before == tw->state_after ||
	      (tw->state_after == CT_TCP_FIN_WAIT2 && x->state_before == CT_TCP_TIME_WAIT),
	      "%s: TWEND from %s, the TIMEWAIT record says %s", what,
	      ct_state_name(x->state_before), ct_state_name(tw->state_after));
	CHECK(x->ts_ns >= tw->ts_ns && x->count <= x->ts_ns - tw->ts_ns + 1000000,
	      "%s: TWEND lived %llu ns, the TIMEWAIT record was %llu ns before", what,
	      (unsigned long long)x->count, (unsigned long long)(x->ts_ns - tw->ts_ns));
}

#define KPROBES_ENABLED "/sys/kernel/debug/kprobes/enabled"

/* Write value to path; 0, or -1 (said on stderr). */
static int put_str(const char *path, const char *value)
{
	FILE *f = fopen(path, "w");
	int rc;

	if (!f) {
		fprintf(stderr, "timewait-end: %s: %s\n", path, strerror(errno));
		return -1;
	}
	rc = fputs(value, f) < 0;
	rc |= fclose(f) != 0;
	if (rc)
		fprintf(stderr, "timewait-end: writing %s to %s failed\n", value, path);
	return rc ? -1 : 0;
}

#define CT_CONTROL "/sys/kernel/debug/closetrace/control"

/*
 * closetrace's sweep of its timewait entries, twice: a socket the first
 * does not find in the kernel's hash is told lost by the second, 0.6 s on.
 */
static bool sweep_twice(void)
{
	if (put_str(CT_CONTROL, "sweep"))
		return false;
	msleep(600);
	return !put_str(CT_CONTROL, "sweep");
}

/* expired, reset, answered: a FIN_WAIT2 timewait socket, the peer open. */
static void fin_wait2_case(int port, int how)
{
	static const char *const what[] = { "expired", "reset", "answered", "answered-slow" };
	bool answered = how >= 2;
	struct proc_tcp pt[256];
	const struct ct_event *e, *tw, *x;
	struct conn k;
	unsigned long long t0, id;
	struct linger lg = { 1, 0 };
	unsigned long long c0, c1, c2, c3;
	long ss_ms;
	size_t n;

	if (how == 3) {
		/* (first: the filter's verification may take seconds, and the
		 * timewait socket lives 5)
		 */
		double ms = slow_wire_on();

		printf("timewait-end: answered-slow: %d packet sockets, a datagram on lo takes %.1f ms\n",
		       slow_n, ms);
		CHECK(ms >= SLOW_MS, "answered-slow: a datagram on lo takes %.1f ms with %d packet sockets, not %d",
		      ms, slow_n, SLOW_MS);
	}
	c0 = now_ns();
	conn_open(&k, AF_INET, port, 0);
	c1 = now_ns();
	msleep(50);
	c2 = now_ns();
	conn_close_client(&k);
	c3 = now_ns();
	CHECK(peer_outcome(k.s, 3000) == 0, "%s: peer got no FIN", what[how]);
	e = closed_to_tw(&k, &tw);
	if (!e || !tw) {
		CHECK(0, "%s: no CLOSE or no TIMEWAIT record", what[how]);
		slow_wire_off();
		return;
	}
	id = e->close_id;
	CHECK(tw->state_after == CT_TCP_FIN_WAIT2, "%s: timewait substate %s", what[how],
	      ct_state_name(tw->state_after));
	/* Its lifetime: from connect()'s SYN_SENT to tcp_close's entry. */
	CHECK(e->lifetime_ns >= c2 - c1 && e->lifetime_ns <= c3 - c0,
	      "%s: CLOSE lifetime %llu ns, the program saw %llu to %llu", what[how],
	      (unsigned long long)e->lifetime_ns, c2 - c1, c3 - c0);
	/* The kernel's table: the timewait socket is there, with its timer. */
	n = proc_tcp_read(pt, 256);
	CHECK(proc_tcp_of(pt, n, e) && proc_tcp_of(pt, n, e)->timer == 3,
	      "%s: no timewait socket in /proc/net/tcp", what[how]);
	ss_ms = ss_timewait_ms(k.sport, port);
	CHECK(ss_ms >= 0 && ss_ms <= tw->timeout_ms + 1000,
	      "%s: ss says %ld ms left, the TIMEWAIT record %lld ms", what[how], ss_ms,
	      (long long)tw->timeout_ms);
	/* A timewait socket that lives is not lost to closetrace's sweep. */
	if (how == 0)
		CHECK(sweep_twice(), "expired: the sweep command failed");
	t0 = now_ns();
	if (how == 1) {
		setsockopt(k.s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(k.s);
		k.s = -1;
	} else if (answered) {
		CHECK(write(k.s, "data", 4) == 4, "%s: peer write: %s", what[how], strerror(errno));
		/* The timewait socket's RST: the peer's read says so. */
		CHECK(peer_reset_error(k.s, 3000) != 0, "%s: the peer got no RST", what[how]);
		slow_wire_off();
	}
	if (!ct_wait(has_twend, &id, how ? 3000 : 9000)) {
		CHECK(0, "%s: no TWEND record", what[how]);
		return;
	}
	x = ct_find_id(CT_EV_TWEND, id, 0);
	check_twend(e, tw, x, how == 0 ? CT_R_TW_EXPIRED : how == 1 ? CT_R_TW_RESET :
			       CT_R_TW_ANSWERED_RST, what[how]);
	/* ... and to the timewait socket's end: the time since the close, more. */
	CHECK(x->lifetime_ns > e->lifetime_ns &&
	      x->lifetime_ns - e->lifetime_ns <= x->ts_ns - e->ts_ns,
	      "%s: TWEND lifetime %llu ns, CLOSE %llu ns, %llu ns apart", what[how],
	      (unsigned long long)x->lifetime_ns, (unsigned long long)e->lifetime_ns,
	      (unsigned long long)(x->ts_ns - e->ts_ns));
	CHECK(ct_count_id(CT_EV_TWEND, id) == 1, "%s: %zu TWEND records", what[how],
	      ct_count_id(CT_EV_TWEND, id));
	if (how == 0) {
		/* tcp_fin_timeout's 5 s, from the hand-over. */
		CHECK(x->count >= 4000000000ull && x->count <= 8000000000ull && !x->timeout_ms,
		      "expired: lived %llu ns, %lld ms left", (unsigned long long)x->count,
		      (long long)x->timeout_ms);
	} else {
		CHECK(x->count <= now_ns() - t0 + (t0 - tw->ts_ns) && x->timeout_ms > 0,
		      "%s: lived %llu ns, %lld ms left", what[how], (unsigned long long)x->count,
		      (long long)x->timeout_ms);
	}
	/* Its RST is on the wire (ct_finish(): one record each). */
	CHECK(x->rsts == answered && x->action == (answered ? CT_ACT_RST : CT_ACT_NONE) &&
	      !!(x->flags & CT_F_REPLY) == answered,
	      "%s: TWEND action %s rsts %u flags %#x", what[how], ct_action_name(x->action),
	      x->rsts, x->flags);
	/* Gone from the kernel's table and from ss's. */
	n = proc_tcp_read(pt, 256);
	CHECK(!proc_tcp_of(pt, n, e), "%s: /proc/net/tcp still has the timewait socket",
	      what[how]);
	CHECK(ss_timewait_ms(k.sport, port) < 0, "%s: ss still lists the timewait socket", what[how]);
	if (k.s >= 0) {
		setsockopt(k.s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(k.s);
	}
	close(k.l);
}

/* Bring lo up in a new network namespace (this process's). */
static int netns_lo_up(void)
{
	struct ifreq ifr;
	int fd, rc;

	if (unshare(CLONE_NEWNET))
		return -1;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	rc = ioctl(fd, SIOCGIFFLAGS, &ifr);
	ifr.ifr_flags |= IFF_UP;
	if (!rc)
		rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
	close(fd);
	return rc;
}

/* What a case run in its own network namespace reports to the parent. */
struct child_out {
	int sport;		/* the client's port: its timewait socket's */
	long ss_before_ms;	/* ss's timer before the reuse */
	long long recycled;	/* TcpExt TWRecycled's delta */
	int ss_after;		/* ss still lists it after the reuse (1) */
	int sport2;		/* unseen: the witness's client port */
	int err;		/* where it failed, 0: fine */
};

/*
 * Run body(port, arg) in a child, in a network namespace of its own with lo
 * up; its report comes back through a pipe (err 1: no namespace, 99: no
 * report). The namespace goes when the child exits.
 */
static pid_t in_netns_child(void (*body)(int, bool, struct child_out *), int port, bool arg,
			    struct child_out *out)
{
	struct child_out r = { 0 };
	int pipefd[2];
	pid_t pid;

	memset(out, 0, sizeof(*out));
	if (pipe(pipefd))
		return -1;
	pid = fork();
	if (pid) {
		close(pipefd[1]);
		if (read(pipefd[0], out, sizeof(*out)) != sizeof(*out))
			out->err = 99;
		close(pipefd[0]);
		return pid;
	}
	close(pipefd[0]);
	if (netns_lo_up())
		r.err = 1;
	else
		body(port, arg, &r);
	if (write(pipefd[1], &r, sizeof(r)) != sizeof(r))
		_exit(7);
	_exit(0);
}

/*
 * In a child, in its own network namespace (its records are the scenario's,
 * by pid; the oracles of ct_finish() look at this namespace only, where a
 * reused 4-tuple cannot be told from its first connection): a connection
 * whose client closes first, then its peer: a TIME_WAIT socket. reuse: a
 * new connect() from its port takes it over. Then the child exits, and
 * the namespace goes.
 */
static void tw_body(int port, bool reuse, struct child_out *out)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct child_out r = { 0 };
	int one = 1, l, c, s, c2;

	l = tcp_listener(AF_INET, port, 8);
	c = socket(AF_INET, SOCK_STREAM, 0);
	/* Both SO_REUSEADDR: bind() may share the port with the timewait socket. */
	setsockopt(c, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons(port);
	if (connect(c, (struct sockaddr *)&a, sizeof(a))) {
		r.err = 2;
		goto out;
	}
	s = tcp_accept(l);
	r.sport = local_port(c);
	close(c);
	if (peer_outcome(s, 3000) != 0) {
		r.err = 3;
		goto out;
	}
	close(s);
	msleep(200);	/* the peer's FIN in: TIME_WAIT */
	r.ss_before_ms = ss_timewait_ms(r.sport, port);
	if (reuse) {
		long long rec0;

		/* tcp_twsk_unique(): its last timestamp at least a second old. */
		msleep(2100);
		rec0 = net_counter("TcpExt", "TWRecycled");
		c2 = socket(AF_INET, SOCK_STREAM, 0);
		setsockopt(c2, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		a.sin_port = htons(r.sport);
		if (bind(c2, (struct sockaddr *)&a, sizeof(a))) {
			r.err = 4;
			goto out;
		}
		a.sin_port = htons(port);
		if (connect(c2, (struct sockaddr *)&a, sizeof(a))) {
			r.err = 5;
			goto out;
		}
		r.recycled = net_counter("TcpExt", "TWRecycled") - rec0;
		r.ss_after = ss_timewait_ms(r.sport, port) >= 0;
		s = tcp_accept(l);
		close(s);
		close(c2);
	}
	close(l);
out:
	*out = r;
}

/*
 * In a child's own network namespace: the server's side closes first, so
 * the timewait socket is the listener's port's (port -> the client's);
 * the client then connects again from the same port: its SYN, newer than
 * what the timewait socket saw (timestamps), hands the 4-tuple to the
 * listener (TCP_TW_SYN). out->sport: the client's port.
 */
static void syn_body(int port, bool unused, struct child_out *out)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct child_out r = { 0 };
	int one = 1, l, c, s, c2;

	(void)unused;
	l = tcp_listener(AF_INET, port, 8);
	c = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(c, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons(port);
	if (connect(c, (struct sockaddr *)&a, sizeof(a))) {
		r.err = 2;
		goto out;
	}
	s = tcp_accept(l);
	r.sport = local_port(c);
	close(s);		/* the server first: its timewait socket */
	if (peer_outcome(c, 3000) != 0) {
		r.err = 3;
		goto out;
	}
	close(c);
	msleep(200);	/* the client's FIN in: TIME_WAIT */
	r.ss_before_ms = ss_timewait_ms(port, r.sport);
	c2 = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(c2, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	a.sin_port = htons(r.sport);
	if (bind(c2, (struct sockaddr *)&a, sizeof(a))) {
		r.err = 4;
		goto out;
	}
	a.sin_port = htons(port);
	if (connect(c2, (struct sockaddr *)&a, sizeof(a))) {
		r.err = 5;
		goto out;
	}
	s = tcp_accept(l);
	r.ss_after = ss_timewait_ms(port, r.sport) >= 0;
	close(c2);
	close(s);
	close(l);
out:
	*out = r;
}

/* The record of type with pid's connection sport -> port, waiting up to ms. */
static const struct ct_event *child_record(unsigned int type, pid_t pid, int sport, int port,
					   int ms)
{
	unsigned long long end = now_ns() + (unsigned long long)ms * 1000000ull;
	size_t i;

	for (;;) {
		ct_drain();
		for (i = 0; i < ct_log.n; i++)
			if (ct_log.ev[i].type == type && ct_log.ev[i].sport == sport &&
			    ct_log.ev[i].dport == port && ct_log.ev[i].pid == (unsigned int)pid)
				return &ct_log.ev[i];
		if (now_ns() >= end)
			return NULL;
		msleep(50);
	}
}

/* A case run in a child's own namespace, and its socket's first records. */
struct child_case {
	const char *what;
	pid_t pid;
	struct child_out r;
	const struct ct_event *close, *tw;	/* its CLOSE and TIMEWAIT */
};

/*
 * Run body(port, arg) in a child's own namespace and wait for it; then the
 * CLOSE and TIMEWAIT records of its socket sport -> dport (server: the
 * server's, port -> the client's; else the client's). false, and said, if
 * the child failed or a record is missing.
 */
static bool child_case_run(struct child_case *c, void (*body)(int, bool, struct child_out *),
			   int port, bool arg, bool server)
{
	int st, sport, dport;

	c->pid = in_netns_child(body, port, arg, &c->r);
	if (c->pid > 0)
		waitpid(c->pid, &st, 0);
	if (c->pid <= 0 || c->r.err) {
		CHECK(0, "%s: the child in its own netns failed at step %d", c->what, c->r.err);
		return false;
	}
	sport = server ? port : c->r.sport;
	dport = server ? c->r.sport : port;
	c->close = child_record(CT_EV_CLOSE, c->pid, sport, dport, 3000);
	c->tw = c->close ? ct_find_id(CT_EV_TIMEWAIT, c->close->close_id, 0) : NULL;
	if (!c->close || !c->tw) {
		CHECK(0, "%s: no CLOSE or TIMEWAIT record of the child's socket %d -> %d",
		      c->what, sport, dport);
		return false;
	}
	return true;
}

/*
 * reused: its TWEND when the new connect() took the 4-tuple over, against
 * ss (the timer before, gone after) and TcpExt TWRecycled (+1).
 * purged: its TWEND when the namespace went (the kernel's cleanup_net
 * work, after the child's exit).
 */
static void netns_case(int port, bool reuse)
{
	struct child_case c = { .what = reuse ? "reused" : "purged" };
	const char *what = c.what;
	const struct ct_event *e, *tw, *x;
	struct child_out r;
	pid_t pid;

	if (!child_case_run(&c, tw_body, port, reuse, false))
		return;
	e = c.close;
	tw = c.tw;
	r = c.r;
	pid = c.pid;
	CHECK(r.ss_before_ms > 50000 && r.ss_before_ms <= tw->timeout_ms + 1000,
	      "%s: ss said %ld ms left, the TIMEWAIT record %lld ms", what, r.ss_before_ms,
	      (long long)tw->timeout_ms);
	/* The namespace goes after the child: its cleanup work may take a while. */
	x = child_record(CT_EV_TWEND, pid, r.sport, port, 20000);
	if (!x) {
		CHECK(0, "%s: no TWEND for the child's timewait socket (port %d) in 20 s", what,
		      r.sport);
		return;
	}
	check_twend(e, tw, x, reuse ? CT_R_TW_REUSED : CT_R_TW_PURGED, what);
	CHECK(x->state_before == CT_TCP_TIME_WAIT && x->timeout_ms > 30000 && !x->rsts,
	      "%s: TWEND from %s, %lld ms left, rsts %u", what, ct_state_name(x->state_before),
	      (long long)x->timeout_ms, x->rsts);
	CHECK(ct_count_id(CT_EV_TWEND, e->close_id) == 1, "%s: %zu TWEND records", what,
	      ct_count_id(CT_EV_TWEND, e->close_id));
	if (reuse)
		CHECK(r.recycled == 1 && !r.ss_after,
		      "reused: TcpExt TWRecycled moved by %lld, ss %s lists the timewait socket",
		      r.recycled, r.ss_after ? "still" : "no longer");
}

/* syn: the server's timewait socket replaced by the client's new SYN. */
static void syn_case(int port)
{
	struct child_case c = { .what = "syn" };
	const struct ct_event *e, *tw, *x;
	struct child_out r;
	pid_t pid;

	/* The server's socket: port -> the client's. */
	if (!child_case_run(&c, syn_body, port, false, true))
		return;
	e = c.close;
	tw = c.tw;
	r = c.r;
	pid = c.pid;
	CHECK(r.ss_before_ms > 50000 && r.ss_before_ms <= tw->timeout_ms + 1000,
	      "syn: ss said %ld ms left, the TIMEWAIT record %lld ms", r.ss_before_ms,
	      (long long)tw->timeout_ms);
	x = child_record(CT_EV_TWEND, pid, port, r.sport, 5000);
	if (!x) {
		CHECK(0, "syn: no TWEND for the server's timewait socket");
		return;
	}
	check_twend(e, tw, x, CT_R_TW_SYN, "syn");
	CHECK(x->state_before == CT_TCP_TIME_WAIT && x->timeout_ms > 50000 && !x->rsts,
	      "syn: TWEND from %s, %lld ms left, rsts %u", ct_state_name(x->state_before),
	      (long long)x->timeout_ms, x->rsts);
	/* The new connection took the 4-tuple: ss no longer shows a timewait socket. */
	CHECK(!r.ss_after, "syn: ss still lists a timewait socket on port %d", port);
}

/*
 * The unseen socket's FIN_WAIT2 time: long enough for ss to see it first on
 * a loaded debug guest (with 1 s, a second guest beside it made ss miss it
 * and the socket expire, seen, before the kprobes were disarmed).
 */
#define UNSEEN_FIN_S "3"
#define UNSEEN_FIN_MS 3000

/*
 * In a child's own namespace (tcp_fin_timeout 3 s there): the client
 * closes first and its peer stays open, a FIN_WAIT2 timewait socket; every
 * kprobe is disarmed while its timer ends it. Then a witness: a TIME_WAIT
 * socket (60 s), still there when the child exits and the namespace goes.
 */
static void unseen_body(int port, bool unused, struct child_out *out)
{
	struct child_out r = { 0 };
	int l, c, s, c2, s2;

	(void)unused;
	if (put_str("/proc/sys/net/ipv4/tcp_fin_timeout", UNSEEN_FIN_S)) {
		r.err = 2;
		goto out;
	}
	l = tcp_listener(AF_INET, port, 8);
	c = tcp_connect(AF_INET, port);
	s = tcp_accept(l);
	r.sport = local_port(c);
	close(c);
	msleep(200);	/* its FIN acknowledged: a FIN_WAIT2 timewait socket */
	r.ss_before_ms = ss_timewait_ms(r.sport, port);
	if (put_str(KPROBES_ENABLED, "0")) {
		r.err = 3;
		goto out;
	}
	msleep(UNSEEN_FIN_MS + 1500);
	r.ss_after = ss_timewait_ms(r.sport, port) >= 0;
	if (put_str(KPROBES_ENABLED, "1")) {
		r.err = 4;
		goto out;
	}
	/* Before any other timewait socket can take its memory. */
	if (!sweep_twice()) {
		r.err = 6;
		goto out;
	}
	close(s);
	c2 = tcp_connect(AF_INET, port);
	s2 = tcp_accept(l);
	r.sport2 = local_port(c2);
	close(c2);
	if (peer_outcome(s2, 3000) != 0) {
		r.err = 5;
		goto out;
	}
	close(s2);
	msleep(200);	/* the peer's FIN in: TIME_WAIT */
	close(l);
out:
	*out = r;
}

/*
 * unseen: no TWEND for the timewait socket whose end no hook saw, once the
 * purge of its namespace has run (the witness's TWEND, purged, says when).
 */
static void unseen_case(int port)
{
	struct child_case c = { .what = "unseen" };
	const struct ct_event *e, *tw, *x, *w;
	struct child_out r;
	pid_t pid;
	bool ok;

	ok = child_case_run(&c, unseen_body, port, false, false);
	/* Armed again, whatever happened in the child. */
	put_str(KPROBES_ENABLED, "1");
	if (!ok)
		return;
	e = c.close;
	tw = c.tw;
	r = c.r;
	pid = c.pid;
	CHECK(tw->state_after == CT_TCP_FIN_WAIT2 && r.ss_before_ms >= 0 &&
	      r.ss_before_ms <= UNSEEN_FIN_MS + 500,
	      "unseen: TIMEWAIT into %s, ss said %ld ms left (tcp_fin_timeout " UNSEEN_FIN_S " s)",
	      ct_state_name(tw->state_after), r.ss_before_ms);
	CHECK(!r.ss_after, "unseen: ss still lists the timewait socket %d ms later",
	      UNSEEN_FIN_MS + 1500);
	x = child_record(CT_EV_TWEND, pid, r.sport2, port, 20000);
	if (!x) {
		CHECK(0, "unseen: no TWEND for the witness (port %d) in 20 s", r.sport2);
		return;
	}
	CHECK(x->reason == CT_R_TW_PURGED, "unseen: the witness's TWEND says %s",
	      ct_reason_name(x->reason));
	/*
	 * The purge is one pass over closetrace's table: long done a second on.
	 * It cannot tell the unseen socket's end (it cannot find it); the
	 * child's sweeps, not finding it in the kernel's hash either, told it
	 * lost, before its next connection (whose timewait socket might have
	 * taken the unseen one's memory, and told it lost then).
	 */
	msleep(1000);
	ct_drain();
	CHECK(ct_count_id(CT_EV_TWEND, e->close_id) == 1,
	      "unseen: %zu TWEND records for the timewait socket whose end no hook saw",
	      ct_count_id(CT_EV_TWEND, e->close_id));
	x = ct_find_id(CT_EV_TWEND, e->close_id, 0);
	if (!x)
		return;
	w = child_record(CT_EV_CLOSE, pid, r.sport2, port, 0);
	CHECK(w && x->ts_ns < w->ts_ns, "unseen: its TWEND came %s the next connection's CLOSE",
	      w ? "after" : "without");
	/* Its close's identity; nothing it cannot know (4-tuple, substate, end). */
	CHECK(x->reason == CT_R_TW_LOST && (x->flags & CT_F_INCOMPLETE) &&
	      x->cookie == tw->cookie && x->pid == tw->pid && x->fd == tw->fd &&
	      x->ino == tw->ino && !x->family && !x->sport && !x->state_before &&
	      !x->timeout_ms && !x->lifetime_ns && x->count <= x->ts_ns - tw->ts_ns && x->count + 1000000 >= x->ts_ns - tw->ts_ns,
	      "unseen: TWEND %s flags %#x cookie %llu (TIMEWAIT %llu) family %u sport %u "
	      "count %llu ns", ct_reason_name(x->reason), x->flags,
	      (unsigned long long)x->cookie, (unsigned long long)tw->cookie, x->family,
	      x->sport, (unsigned long long)x->count);
}

int main(void)
{
	ct_start("timewait-end");
	if (system("command -v ss > /dev/null") != 0) {
		printf("FAIL timewait-end: iproute2's ss is not in the guest (scripts/guest-tools)\n");
		return 1;
	}
	fin_wait2_case(PORT, 1);
	fin_wait2_case(PORT + 1, 2);
	fin_wait2_case(PORT + 2, 0);
	fin_wait2_case(PORT + 7, 3);
	netns_case(PORT + 3, true);
	netns_case(PORT + 4, false);
	syn_case(PORT + 5);
	unseen_case(PORT + 6);
	return ct_finish();
}
