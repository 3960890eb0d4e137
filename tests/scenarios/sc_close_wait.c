/*
 * A server that leaks on purpose: three accepted connections whose clients
 * close, never closed by the server, so they stay in CLOSE_WAIT (one with
 * 5 bytes unread, one with its EOF unread, one with everything read). The
 * module's list (/proc/closetrace/close_wait) and the reader's
 * (closetrace --close-wait, table and JSON) must show each one as the
 * kernel shows it to iproute2's ss -tanpe (sock_diag: Recv-Q, addresses,
 * inode, cookie as sk:, the owner from /proc/PID/fd) and as the program
 * knows it (fd, SO_COOKIE, SIOCINQ, when it saw CLOSE_WAIT). A close
 * takes one out of the list, and its CLOSE says how long it was there.
 *
 * tcp_diag_get_info() reports Recv-Q as rcv_nxt - copied_seq: an unread
 * FIN counts one there, not in the module's unread (tcp_inq()'s, SIOCINQ's).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/sockios.h>
#include <linux/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "ctlib.h"

#define PORT 20520
#define N 3
#define FIN_TIMEOUT "/proc/sys/net/ipv4/tcp_fin_timeout"

struct srv {
	int fd, cport;
	unsigned long ino;
	unsigned long long cookie;
	unsigned int unread;		/* bytes left unread */
	bool fin_unread;		/* its EOF not read yet */
	unsigned long long t_close;	/* before the client's close */
	unsigned long long t_cw;	/* CLOSE_WAIT seen (TCP_INFO) */
	char local[64], remote[64];
};

/* One socket as a lister showed it; -1 / "" where it says nothing. */
struct seen {
	long long pid, fd, age_ms, unread, recvq;
	unsigned long long cookie, ino, netns;
	char comm[32], local[64], remote[64];
	bool cookie_known;
};

static struct srv sv[N];

static char comm[16];

static const struct srv *srv_of_ino(unsigned long long ino)
{
	int i;

	for (i = 0; i < N; i++)
		if (sv[i].fd >= 0 && sv[i].ino == ino)
			return &sv[i];
	return NULL;
}

/*
 * Does the kernel answer sock_diag for TCP (ss's way, the one that gives
 * the cookie)? Without it ss reads /proc/net/tcp, whose sk: is a pointer.
 */
static bool diag_works(void)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 r;
	} req = { .nlh = { .nlmsg_len = sizeof(req), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
			   .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
		  .r = { .sdiag_family = AF_INET, .sdiag_protocol = IPPROTO_TCP,
			 .idiag_states = 1u << CT_TCP_CLOSE_WAIT } };
	char buf[8192];
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	ssize_t n;
	bool ok = false;

	if (fd < 0)
		return false;
	if (send(fd, &req, sizeof(req), 0) == (ssize_t)sizeof(req)) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n >= (ssize_t)sizeof(struct nlmsghdr)) {
			const struct nlmsghdr *h = (const struct nlmsghdr *)buf;

			ok = h->nlmsg_type != NLMSG_ERROR ||
			     !((const struct nlmsgerr *)NLMSG_DATA(h))->error;
		}
	}
	close(fd);
	return ok;
}

/* Debian builds inet_diag and tcp_diag as modules: scripts/guest-tools
 * packs each kernel's, uncompressed. */
static void diag_load(void)
{
	static const char *const mods[] = { "inet_diag", "tcp_diag" };
	struct utsname u;
	size_t i;

	if (diag_works() || uname(&u))
		return;
	for (i = 0; i < 2; i++) {
		char path[256];
		int fd;

		snprintf(path, sizeof(path), "/lib/modules/%s/ct-diag/%s.ko", u.release, mods[i]);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (syscall(SYS_finit_module, fd, "", 0) && errno != EEXIST)
			fprintf(stderr, "close-wait: loading %s: %s\n", path, strerror(errno));
		close(fd);
	}
}

static char *run(const char *cmd)
{
	static char out[65536];
	size_t len = 0, n;
	FILE *f = popen(cmd, "r");
	int rc;

	if (!f) {
		fprintf(stderr, "close-wait: cannot run %s\n", cmd);
		exit(2);
	}
	while (len < sizeof(out) - 1 && (n = fread(out + len, 1, sizeof(out) - 1 - len, f)) > 0)
		len += n;
	out[len] = '\0';
	rc = pclose(f);
	CHECK(rc == 0, "\"%s\" exited with %d", cmd, rc);
	return out;
}

/* "key":NUMBER or "key":"STRING" of a JSON line; false when absent. */
static bool json_num(const char *line, const char *key, long long *v)
{
	char k[64];
	const char *p;

	snprintf(k, sizeof(k), "\"%s\":", key);
	p = strstr(line, k);
	if (!p)
		return false;
	*v = strtoll(p + strlen(k), NULL, 10);
	return true;
}

static bool json_str(const char *line, const char *key, char *out, size_t len)
{
	char k[64];
	const char *p, *q;

	snprintf(k, sizeof(k), "\"%s\":\"", key);
	p = strstr(line, k);
	if (!p)
		return false;
	p += strlen(k);
	q = strchr(p, '"');
	if (!q || (size_t)(q - p) >= len)
		return false;
	memcpy(out, p, (size_t)(q - p));
	out[q - p] = '\0';
	return true;
}

/* closetrace --close-wait SECS --json: every line, in order. */
static size_t parse_json(char *text, struct seen *out, size_t max)
{
	char *line, *save = NULL;
	size_t n = 0;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct seen s;
		long long cookie = 0, ino = 0, netns = 0;

		memset(&s, 0, sizeof(s));
		s.recvq = -1;
		CHECK(line[0] == '{' && json_num(line, "pid", &s.pid) && json_num(line, "fd", &s.fd) &&
		      json_str(line, "comm", s.comm, sizeof(s.comm)) &&
		      json_num(line, "age_ms", &s.age_ms) && json_num(line, "unread", &s.unread) &&
		      json_str(line, "local", s.local, sizeof(s.local)) &&
		      json_str(line, "remote", s.remote, sizeof(s.remote)) &&
		      json_num(line, "cookie", &cookie) && json_num(line, "ino", &ino) &&
		      json_num(line, "netns", &netns),
		      "closetrace --close-wait --json line not understood: %.200s", line);
		s.cookie = (unsigned long long)cookie;
		s.ino = (unsigned long long)ino;
		s.netns = (unsigned long long)netns;
		s.cookie_known = true;
		if (n < max)
			out[n++] = s;
	}
	return n;
}

/* closetrace --close-wait SECS: a header, then PID FD COMM AGE UNREAD LOCAL REMOTE COOKIE INO. */
static size_t parse_table(char *text, struct seen *out, size_t max)
{
	char *line, *save = NULL;
	size_t n = 0;
	bool header = true;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct seen s;
		char pid[16], fd[16];
		unsigned long long sec, ms;

		if (header) {
			CHECK(!strncmp(line, "PID", 3), "closetrace --close-wait: header '%.100s'", line);
			header = false;
			continue;
		}
		memset(&s, 0, sizeof(s));
		s.recvq = -1;
		if (sscanf(line, "%15s %15s %31s %llu.%llu %lld %63s %63s %llu %llu", pid, fd, s.comm,
			   &sec, &ms, &s.unread, s.local, s.remote, &s.cookie, &s.ino) != 10) {
			CHECK(0, "closetrace --close-wait line not understood: %.200s", line);
			continue;
		}
		s.pid = strcmp(pid, "-") ? atoll(pid) : -1;
		s.fd = strcmp(fd, "-") ? atoll(fd) : -1;
		s.age_ms = (long long)(sec * 1000 + ms);
		s.cookie_known = true;
		s.netns = 0;
		if (n < max)
			out[n++] = s;
	}
	CHECK(!header, "closetrace --close-wait printed no header");
	return n;
}

/* /proc/closetrace/close_wait itself: no owner there. */
static size_t parse_proc(struct seen *out, size_t max)
{
	FILE *f = fopen("/proc/closetrace/close_wait", "r");
	char line[512];
	size_t n = 0;
	bool header = true;

	if (!f) {
		CHECK(0, "/proc/closetrace/close_wait: %s", strerror(errno));
		return 0;
	}
	while (fgets(line, sizeof(line), f)) {
		struct seen s;

		line[strcspn(line, "\n")] = '\0';
		if (header) {
			CHECK(!strcmp(line, "# cookie ino netns age_ms unread local remote"),
			      "/proc/closetrace/close_wait header '%s'", line);
			header = false;
			continue;
		}
		memset(&s, 0, sizeof(s));
		s.pid = s.fd = s.recvq = -1;
		if (sscanf(line, "%llu %llu %llu %lld %lld %63s %63s", &s.cookie, &s.ino, &s.netns,
			   &s.age_ms, &s.unread, s.local, s.remote) != 7) {
			CHECK(0, "/proc/closetrace/close_wait line not understood: '%s'", line);
			continue;
		}
		s.cookie_known = true;
		if (n < max)
			out[n++] = s;
	}
	fclose(f);
	CHECK(!header, "/proc/closetrace/close_wait is empty (no header)");
	return n;
}

/*
 * ss -tanpeH state close-wait: Recv-Q Send-Q Local Peer, then
 * users:(("comm",pid=P,fd=F)) ino:I sk:COOKIE(hex) ... (no State column
 * with a state filter).
 */
static size_t parse_ss(char *text, struct seen *out, size_t max, bool cookie_known)
{
	char *line, *save = NULL;
	size_t n = 0;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct seen s;
		long long sendq;
		const char *p;

		memset(&s, 0, sizeof(s));
		s.pid = s.fd = -1;
		if (sscanf(line, "%lld %lld %63s %63s", &s.recvq, &sendq, s.local, s.remote) != 4) {
			CHECK(0, "ss line not understood: '%.200s'", line);
			continue;
		}
		p = strstr(line, "users:((\"");
		if (p) {
			const char *q = strchr(p + 9, '"');

			if (q && (size_t)(q - (p + 9)) < sizeof(s.comm)) {
				memcpy(s.comm, p + 9, (size_t)(q - (p + 9)));
				s.comm[q - (p + 9)] = '\0';
			}
			p = strstr(p, "pid=");
			if (p)
				s.pid = atoll(p + 4);
			p = p ? strstr(p, "fd=") : NULL;
			if (p)
				s.fd = atoll(p + 3);
			/* a second owner */
			CHECK(!strstr(line, "),(\""), "ss shows more than one owner: %.200s", line);
		}
		p = strstr(line, " ino:");
		if (p)
			s.ino = strtoull(p + 5, NULL, 10);
		p = strstr(line, " sk:");
		if (p)
			s.cookie = strtoull(p + 4, NULL, 16);
		s.cookie_known = cookie_known && p;
		s.age_ms = s.unread = -1;
		if (n < max)
			out[n++] = s;
	}
	return n;
}


static void ss_stderr(void)
{
	FILE *f = fopen("/tmp/ct-ss.err", "r");
	char line[256];

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (!strstr(line, "Failed to find cgroup2 mount"))
			fprintf(stderr, "ss: %s", line);
	fclose(f);
}

static bool on_port(const struct seen *s)
{
	const char *c = strrchr(s->local, ':');

	return c && atoi(c + 1) == PORT;
}

/* How many of v[0..n) are on our port (ours or not). */
static size_t count_ours(const struct seen *v, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += on_port(&v[i]);
	return k;
}

/* One entry of a lister against the program's own knowledge. */
static void check_seen(const char *who, const struct seen *s, unsigned long long t_q0,
		       unsigned long long t_q1, bool owner)
{
	const struct srv *k = srv_of_ino(s->ino);

	if (!k) {
		CHECK(0, "%s: port %d socket with ino %llu is none of ours", who, PORT, s->ino);
		return;
	}
	CHECK(!strcmp(s->local, k->local) && !strcmp(s->remote, k->remote),
	      "%s: ino %llu: %s %s, expected %s %s", who, s->ino, s->local, s->remote, k->local,
	      k->remote);
	if (s->cookie_known)
		CHECK(s->cookie == k->cookie, "%s: ino %llu: cookie %llu, SO_COOKIE %llu", who, s->ino,
		      s->cookie, k->cookie);
	if (owner)
		CHECK(s->pid == getpid() && s->fd == k->fd && !strcmp(s->comm, comm),
		      "%s: ino %llu: owner %lld fd %lld comm '%s', expected %d %d '%s'", who, s->ino,
		      s->pid, s->fd, s->comm, getpid(), k->fd, comm);
	if (s->netns)
		CHECK(s->netns == own_netns_ino(), "%s: ino %llu: netns %llu, ours %lu", who, s->ino,
		      s->netns, own_netns_ino());
	if (s->unread >= 0)
		CHECK(s->unread == (long long)k->unread, "%s: ino %llu: unread %lld, %u left unread",
		      who, s->ino, s->unread, k->unread);
	/* tcp_diag: rcv_nxt - copied_seq, the unread FIN included. */
	if (s->recvq >= 0)
		CHECK(s->recvq == (long long)k->unread + k->fin_unread,
		      "%s: ino %llu: Recv-Q %lld, %u bytes%s unread", who, s->ino, s->recvq, k->unread,
		      k->fin_unread ? " and the FIN" : "");
	/* In CLOSE_WAIT from between the client's close and our seeing it. */
	if (s->age_ms >= 0)
		CHECK(s->age_ms >= (long long)((t_q0 - k->t_cw) / 1000000) &&
		      s->age_ms <= (long long)((t_q1 - k->t_close) / 1000000) && s->age_ms >= 1000,
		      "%s: ino %llu: age %lld ms, expected %llu to %llu", who, s->ino, s->age_ms,
		      (t_q0 - k->t_cw) / 1000000, (t_q1 - k->t_close) / 1000000);
}

/* Every one of ours in v[0..n), once each; nothing else on our port. */
static void check_list(const char *who, const struct seen *v, size_t n, unsigned long long t_q0,
		       unsigned long long t_q1, bool owner, int gone)
{
	int i;
	size_t j;

	for (i = 0; i < N; i++) {
		size_t found = 0;

		for (j = 0; j < n; j++)
			found += v[j].ino == sv[i].ino;
		if (i == gone)
			CHECK(found == 0, "%s: the closed socket (ino %lu) still listed", who, sv[i].ino);
		else
			CHECK(found == 1, "%s: socket %d (ino %lu) listed %zu times", who, i, sv[i].ino,
			      found);
	}
	for (j = 0; j < n; j++)
		if (on_port(&v[j]))
			check_seen(who, &v[j], t_q0, t_q1, owner);
}

static void addr_str(int fd, bool peer, char *out, size_t len)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	char ip[INET_ADDRSTRLEN];

	if (peer)
		getpeername(fd, (struct sockaddr *)&a, &al);
	else
		getsockname(fd, (struct sockaddr *)&a, &al);
	inet_ntop(AF_INET, &a.sin_addr, ip, sizeof(ip));
	snprintf(out, len, "%s:%u", ip, ntohs(a.sin_port));
}

static void check_close(int i, unsigned long long t_before, unsigned long long t_after,
			unsigned int reason)
{
	const struct ct_event *e = wait_close_to(PORT, sv[i].cport);

	if (!e) {
		CHECK(0, "no CLOSE record of socket %d (port %d->%d)", i, PORT, sv[i].cport);
		return;
	}
	check_closer(e, sv[i].fd, sv[i].ino);
	CHECK(e->state_before == CT_TCP_CLOSE_WAIT && e->reason == reason,
	      "socket %d: CLOSE %s from %s, expected %s from CLOSE_WAIT", i, ct_reason_name(e->reason),
	      ct_state_name(e->state_before), ct_reason_name(reason));
	CHECK(!e->death && !e->sk_err, "socket %d: CLOSE death %s sk_err %d", i,
	      ct_reason_name(e->death), e->sk_err);
	CHECK(e->cookie == sv[i].cookie, "socket %d: CLOSE cookie %llu, SO_COOKIE %llu", i,
	      (unsigned long long)e->cookie, sv[i].cookie);
	/* Its time in CLOSE_WAIT, to tcp_close's entry. */
	CHECK(e->since_ns >= t_before - sv[i].t_cw && e->since_ns <= t_after - sv[i].t_close,
	      "socket %d: CLOSE since_ns %llu, in CLOSE_WAIT %llu to %llu ns", i,
	      (unsigned long long)e->since_ns, t_before - sv[i].t_cw, t_after - sv[i].t_close);
	CHECK(!ct_find_death(PORT, sv[i].cport), "socket %d: a DEATH record", i);
	printf("close-wait: socket %d closed after %llu ms in CLOSE_WAIT (%s)\n", i,
	       (unsigned long long)e->since_ns / 1000000, ct_reason_name(e->reason));
}

int main(void)
{
	static struct seen v[256];
	struct ct_stats st0, st, st1;
	unsigned long long t_q0, t_q1, t0, t1, last;
	int l, c[N], i;
	char buf[16], *out;
	size_t n, tw;
	bool cookie_via_ss;
	FILE *f;

	ct_start("close-wait");
	ct_read_stats(&st0);
	f = fopen("/proc/self/comm", "r");
	if (f) {
		if (fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = '\0';
		fclose(f);
	}
	diag_load();
	cookie_via_ss = diag_works();
	if (cookie_via_ss)
		printf("close-wait: ss asks sock_diag: its sk: is the cookie\n");
	else
		printf("close-wait: SKIP check ss-cookie: the kernel answers no sock_diag for TCP (no inet_diag/tcp_diag for %s in the guest): ss reads /proc/net/tcp, whose sk: is no cookie; the cookies are checked against SO_COOKIE only\n",
		       "this kernel");
	/* The clients' FIN_WAIT2 must outlive the run (our FINs meet them). */
	knob_set(FIN_TIMEOUT, "30");
	l = tcp_listener(AF_INET, PORT, 8);
	fcntl(l, F_SETFD, FD_CLOEXEC);
	for (i = 0; i < N; i++) {
		c[i] = tcp_connect(AF_INET, PORT);
		sv[i].fd = tcp_accept(l);
		/* The lists' children (popen) must not share them. */
		fcntl(c[i], F_SETFD, FD_CLOEXEC);
		fcntl(sv[i].fd, F_SETFD, FD_CLOEXEC);
		sv[i].cport = local_port(c[i]);
		sv[i].ino = ino_of(sv[i].fd);
		sv[i].cookie = sock_cookie(sv[i].fd);
		addr_str(sv[i].fd, false, sv[i].local, sizeof(sv[i].local));
		addr_str(sv[i].fd, true, sv[i].remote, sizeof(sv[i].remote));
	}
	CHECK(send(c[0], "hello", 5, 0) == 5, "send");
	for (i = 0; i < 200 && sock_inq(sv[0].fd) < 5; i++)
		msleep(5);
	sv[0].unread = 5;
	sv[0].fin_unread = sv[1].fin_unread = true;
	for (i = 0; i < N; i++) {
		sv[i].t_close = now_ns();
		close(c[i]);
	}
	for (i = 0; i < N; i++) {
		while (tcp_state(sv[i].fd) != CT_TCP_CLOSE_WAIT && now_ns() - sv[i].t_close < 3000000000ull)
			msleep(2);
		sv[i].t_cw = now_ns();
		REQUIRE(tcp_state(sv[i].fd) == CT_TCP_CLOSE_WAIT, "socket %d not in CLOSE_WAIT", i);
	}
	CHECK(recv(sv[2].fd, buf, sizeof(buf), 0) == 0, "socket 2: no EOF");
	for (i = 0; i < N; i++)
		CHECK(sock_inq(sv[i].fd) == (int)sv[i].unread, "socket %d: SIOCINQ %d, expected %u", i,
		      sock_inq(sv[i].fd), sv[i].unread);
	ct_read_stats(&st);
	CHECK(st.preclose_tracked >= N, "stats: preclose_tracked %llu with %d sockets in CLOSE_WAIT",
	      st.preclose_tracked, N);
	last = sv[N - 1].t_cw;
	while (now_ns() - last < 1200000000ull)
		msleep(20);

	t_q0 = now_ns();
	/* (ss -e says on stderr that the guest has no cgroup2 mount: kept
	 * apart, shown only if it says anything else.) */
	out = run("ss -tanpeH state close-wait 2>/tmp/ct-ss.err");
	t_q1 = now_ns();
	ss_stderr();
	n = parse_ss(out, v, 256, cookie_via_ss);
	CHECK(count_ours(v, n) == N, "ss lists %zu CLOSE_WAIT sockets of port %d, expected %d",
	      count_ours(v, n), PORT, N);
	check_list("ss", v, n, t_q0, t_q1, true, -1);

	t_q0 = now_ns();
	out = run("closetrace --close-wait 1 --json");
	t_q1 = now_ns();
	n = parse_json(out, v, 256);
	check_list("closetrace --close-wait 1 --json", v, n, t_q0, t_q1, true, -1);

	t_q0 = now_ns();
	out = run("closetrace --close-wait 1");
	t_q1 = now_ns();
	n = parse_table(out, v, 256);
	check_list("closetrace --close-wait 1", v, n, t_q0, t_q1, true, -1);

	t_q0 = now_ns();
	n = parse_proc(v, 256);
	t_q1 = now_ns();
	check_list("/proc/closetrace/close_wait", v, n, t_q0, t_q1, false, -1);

	/* Not yet 100 s old: none of them. */
	n = parse_json(run("closetrace --close-wait 100 --json"), v, 256);
	CHECK(count_ours(v, n) == 0, "closetrace --close-wait 100 --json lists %zu of ours",
	      count_ours(v, n));
	n = parse_table(run("closetrace --close-wait 100"), v, 256);
	CHECK(count_ours(v, n) == 0, "closetrace --close-wait 100 lists %zu of ours",
	      count_ours(v, n));

	/* Closed (a FIN: nothing unread but the FIN), it leaves the list. */
	t0 = now_ns();
	close(sv[1].fd);
	t1 = now_ns();
	check_close(1, t0, t1, CT_R_FIN);
	t_q0 = now_ns();
	out = run("closetrace --close-wait 0 --json");
	t_q1 = now_ns();
	n = parse_json(out, v, 256);
	check_list("closetrace --close-wait 0 --json after a close", v, n, t_q0, t_q1, true, 1);
	n = parse_proc(v, 256);
	check_list("/proc/closetrace/close_wait after a close", v, n, t_q0, now_ns(), false, 1);
	sv[1].fd = -1;

	/* The others: 5 bytes unread is a RST, the one read to its EOF a FIN. */
	t0 = now_ns();
	close(sv[0].fd);
	t1 = now_ns();
	check_close(0, t0, t1, CT_R_ABORT_UNREAD);
	t0 = now_ns();
	close(sv[2].fd);
	t1 = now_ns();
	check_close(2, t0, t1, CT_R_FIN);
	sv[0].fd = sv[2].fd = -1;
	n = parse_proc(v, 256);
	CHECK(count_ours(v, n) == 0, "/proc/closetrace/close_wait still lists %zu of port %d",
	      count_ours(v, n), PORT);
	close(l);
	/* Nobody died before a close; the entries left with the closes. */
	ct_drain();
	ct_read_stats(&st1);
	CHECK(!ct_find(CT_EV_DEATH, PORT, 0), "a DEATH record of port %d", PORT);
	tw = proc_tcp_timewaits(PORT, PORT);
	CHECK(st1.deaths == st0.deaths && st1.preclose_full == st0.preclose_full &&
	      st1.preclose_tracked <= st0.preclose_tracked + tw,
	      "stats: deaths %llu -> %llu, preclose_full %llu -> %llu, preclose_tracked %llu -> %llu with %zu timewait sockets of ours",
	      st0.deaths, st1.deaths, st0.preclose_full, st1.preclose_full, st0.preclose_tracked,
	      st1.preclose_tracked, tw);
	return ct_finish();
}
