#include <arpa/inet.h>
#include <linux/sockios.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "ctlib.h"

int ct_failures;
struct ct_log ct_log;
static int ev_fd = -1;
static const char *scen;
/* The scenario's network namespace (its inode): the only one its oracles see. */
static unsigned int own_netns;

bool ct_own_netns(const struct ct_event *e)
{
	return !e->netns || !own_netns || e->netns == own_netns;
}

#define FAIL_KEEP 4
static char fail_said[FAIL_KEEP][320];

void ct_check_fail(const char *file, int line, const char *cond, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (file)
		fprintf(stderr, "  check failed (%s:%d): %s: %s\n", file, line, cond, msg);
	else
		fprintf(stderr, "  check failed: %s\n", msg);
	if (ct_failures < FAIL_KEEP && file)
		snprintf(fail_said[ct_failures], sizeof(fail_said[0]), "%s:%d: %s", file, line, msg);
	else if (ct_failures < FAIL_KEEP)
		snprintf(fail_said[ct_failures], sizeof(fail_said[0]), "%s", msg);
	ct_failures++;
}

static void mib_snapshot_start(void);
static void wire_start(void);
static void wire_load(void);

#define TRACEFS "/sys/kernel/tracing/"

static void write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_TRUNC);

	if (fd < 0 || write(fd, s, strlen(s)) != (ssize_t)strlen(s)) {
		fprintf(stderr, "%s: write %s: %s\n", scen, path, strerror(errno));
		exit(2);
	}
	close(fd);
}

const char *ct_scenario(void)
{
	return scen;
}

#define KNOB_MAX 8
static struct {
	const char *path;
	char old[64];
} knobs[KNOB_MAX];
static size_t nknobs;

static void knob_put(const char *path, const char *value)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(value, f) < 0 || fclose(f)) {
		fprintf(stderr, "%s: cannot write %s\n", scen ? scen : "scenario", path);
		exit(2);
	}
}

static void knob_restore_all(void)
{
	size_t i;

	for (i = 0; i < nknobs; i++)
		knob_put(knobs[i].path, knobs[i].old);
}

void knob_set(const char *path, const char *value)
{
	size_t i;
	FILE *f;

	for (i = 0; i < nknobs && strcmp(knobs[i].path, path); i++)
		;
	if (i == nknobs) {
		f = fopen(path, "r");
		if (i == KNOB_MAX || !f || !fgets(knobs[i].old, sizeof(knobs[i].old), f)) {
			fprintf(stderr, "%s: cannot read %s\n", scen ? scen : "scenario", path);
			exit(2);
		}
		fclose(f);
		knobs[i].path = path;
		if (!nknobs++)
			atexit(knob_restore_all);
	}
	knob_put(path, value);
}

void knob_restore(const char *path)
{
	size_t i;

	for (i = 0; i < nknobs; i++)
		if (!strcmp(knobs[i].path, path))
			knob_put(path, knobs[i].old);
}

void ct_start(const char *name)
{
	scen = name;
	setvbuf(stdout, NULL, _IOLBF, 0);
	own_netns = (unsigned int)own_netns_ino();
	ev_fd = open("/sys/kernel/debug/closetrace/events", O_RDONLY | O_NONBLOCK);
	if (ev_fd < 0) {
		fprintf(stderr, "%s: open events: %s\n", name, strerror(errno));
		exit(2);
	}
	write_file(TRACEFS "events/sock/inet_sock_set_state/enable", "1");
	write_file(TRACEFS "events/tcp/tcp_send_reset/enable", "1");
	write_file(TRACEFS "events/tcp/tcp_destroy_sock/enable", "1");
	bpf_start();
	wire_start();
	mib_snapshot_start();
	tp_clear();
}

int ct_finish(void)
{
	mib_check();
	wire_load();
	tw_check();
	wire_check();
	bpf_load();
	bpf_check();
	if (ct_failures) {
		size_t i;
		char line[CT_LINE_LEN];

		fprintf(stderr, "  closetrace records seen by %s:\n", scen);
		for (i = 0; i < ct_log.n; i++) {
			ct_fmt_kv(line, sizeof(line), &ct_log.ev[i]);
			fprintf(stderr, "    %s\n", line);
		}
		fprintf(stderr, "  %s: %d check(s) failed, the first:\n", scen, ct_failures);
		for (i = 0; i < FAIL_KEEP && (int)i < ct_failures; i++)
			fprintf(stderr, "    %s\n", fail_said[i]);
	}
	if (bpf_skipped())
		printf("%s %s (without the BPF oracle: %s)\n", ct_failures ? "FAIL" : "PASS", scen,
		       bpf_skipped());
	else
		printf("%s %s\n", ct_failures ? "FAIL" : "PASS", scen);
	return ct_failures ? 1 : 0;
}

/* Drained records by time, then by arrival. */
struct by_time {
	unsigned long long ts;
	size_t i;
};

static int by_time_cmp(const void *a, const void *b)
{
	const struct by_time *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/*
 * The module's events file gives each CPU's records in order, but a page of
 * one CPU's before a page of another's: order what one drain read by
 * ts_ns, as the reader does (stable: equal times keep their order).
 * Records of earlier drains stay where they are, so that pointers into
 * the log (ct_find's) stay good.
 */
static void sort_by_time(size_t from)
{
	static struct by_time key[sizeof(ct_log.ev) / sizeof(ct_log.ev[0])];
	static struct ct_event tmp[sizeof(ct_log.ev) / sizeof(ct_log.ev[0])];
	size_t n = ct_log.n - from, i;

	for (i = 0; i < n; i++) {
		key[i].ts = ct_log.ev[from + i].ts_ns;
		key[i].i = i;
	}
	qsort(key, n, sizeof(key[0]), by_time_cmp);
	for (i = 0; i < n; i++)
		tmp[i] = ct_log.ev[from + key[i].i];
	memcpy(&ct_log.ev[from], tmp, n * sizeof(tmp[0]));
}

void ct_drain(void)
{
	size_t from = ct_log.n;

	for (;;) {
		size_t room = sizeof(ct_log.ev) / sizeof(ct_log.ev[0]) - ct_log.n;
		ssize_t n;
		size_t i, got;

		if (!room) {
			fprintf(stderr, "%s: record log full\n", scen);
			exit(2);
		}
		n = read(ev_fd, &ct_log.ev[ct_log.n], room * sizeof(struct ct_event));
		if (n < 0 && errno == EAGAIN) {
			sort_by_time(from);
			return;
		}
		if (n <= 0) {
			fprintf(stderr, "%s: read events: %s\n", scen, strerror(errno));
			exit(2);
		}
		got = (size_t)n / sizeof(struct ct_event);
		for (i = 0; i < got; i++) {
			const struct ct_event *e = &ct_log.ev[ct_log.n + i];

			if (e->magic != CT_MAGIC || e->version != CT_ABI_VERSION ||
			    e->size != sizeof(*e)) {
				fprintf(stderr, "%s: bad record header\n", scen);
				exit(2);
			}
		}
		ct_log.n += got;
	}
}

bool ct_wait(bool (*pred)(void *), void *arg, int timeout_ms)
{
	unsigned long long end = now_ns() + (unsigned long long)timeout_ms * 1000000ull;

	for (;;) {
		ct_drain();
		if (pred(arg))
			return true;
		if (now_ns() > end)
			return false;
		msleep(20);
	}
}

const struct ct_event *ct_find(unsigned int type, unsigned int sport,
			       unsigned int dport)
{
	size_t i;

	for (i = 0; i < ct_log.n; i++) {
		const struct ct_event *e = &ct_log.ev[i];

		if (e->type == type && e->sport == sport &&
		    (!dport || e->dport == dport))
			return e;
	}
	return NULL;
}

const struct ct_event *ct_find_id(unsigned int type, unsigned long long id,
				  size_t nth)
{
	size_t i;

	for (i = 0; i < ct_log.n; i++)
		if (ct_log.ev[i].type == type && ct_log.ev[i].close_id == id &&
		    !nth--)
			return &ct_log.ev[i];
	return NULL;
}

size_t ct_count_id(unsigned int type, unsigned long long id)
{
	size_t i, n = 0;

	for (i = 0; i < ct_log.n; i++)
		n += ct_log.ev[i].type == type && ct_log.ev[i].close_id == id;
	return n;
}

const struct ct_event *ct_find_death(unsigned int sport, unsigned int dport)
{
	return ct_find(CT_EV_DEATH, sport, dport);
}

/* The rsts of close_id's records of type. */
static unsigned int rsts_of(unsigned int type, unsigned long long close_id)
{
	unsigned int n = 0;
	size_t i;

	for (i = 0; i < ct_log.n; i++)
		if (ct_log.ev[i].type == type && ct_log.ev[i].close_id == close_id)
			n += ct_log.ev[i].rsts;
	return n;
}

const struct ct_event *ct_conn_of(const struct ct_event *close)
{
	const struct ct_event *d;

	if (close->death != CT_R_DISCONNECT)
		return close;
	d = ct_find_id(CT_EV_DEATH, close->close_id, 0);
	return d ? d : close;
}

unsigned int ct_death_rsts(unsigned long long close_id)
{
	return rsts_of(CT_EV_DEATH, close_id);
}

unsigned int ct_twend_rsts(unsigned long long close_id)
{
	return rsts_of(CT_EV_TWEND, close_id);
}

int sock_inq(int fd)
{
	int n = -1;

	return ioctl(fd, SIOCINQ, &n) ? -1 : n;
}

unsigned long long sock_cookie(int fd)
{
	unsigned long long c = 0;
	socklen_t len = sizeof(c);

	return getsockopt(fd, SOL_SOCKET, SO_COOKIE, &c, &len) ? 0 : c;
}

unsigned long own_netns_ino(void)
{
	struct stat st;

	return stat("/proc/self/ns/net", &st) ? 0 : (unsigned long)st.st_ino;
}

bool ct_has_end(void *p)
{
	return ct_find_id(CT_EV_END, *(unsigned long long *)p, 0) != NULL;
}

static socklen_t mkaddr(int family, int port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		a->sin6_addr = in6addr_loopback;
		return sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		return sizeof(*a);
	}
}

int tcp_listener(int family, int port, int backlog)
{
	struct sockaddr_storage ss;
	socklen_t len = mkaddr(family, port, &ss);
	int one = 1, fd = socket(family, SOCK_STREAM, 0);

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) || listen(fd, backlog)) {
		fprintf(stderr, "%s: listen on %d: %s\n", scen, port, strerror(errno));
		exit(2);
	}
	return fd;
}

int tcp_connect(int family, int port)
{
	struct sockaddr_storage ss;
	socklen_t len = mkaddr(family, port, &ss);
	int fd = socket(family, SOCK_STREAM, 0);

	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len)) {
		fprintf(stderr, "%s: connect to %d: %s\n", scen, port, strerror(errno));
		exit(2);
	}
	return fd;
}

int tcp_accept(int lfd)
{
	int fd = accept(lfd, NULL, NULL);

	if (fd < 0) {
		fprintf(stderr, "%s: accept: %s\n", scen, strerror(errno));
		exit(2);
	}
	return fd;
}

int local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	getsockname(fd, (struct sockaddr *)&ss, &len);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

int peer_outcome(int fd, int timeout_ms)
{
	char buf[65536];

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, timeout_ms) == 0)
			return 2;
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == 0)
			return 0;
		if (n < 0 && errno == ECONNRESET)
			return 1;
		if (n < 0 && errno != EAGAIN)
			return -1;
	}
}

void fill_send_queue(int fd)
{
	static char buf[65536];
	int fl = fcntl(fd, F_GETFL);

	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	while (write(fd, buf, sizeof(buf)) > 0)
		;
	fcntl(fd, F_SETFL, fl);
}

int peer_reset_error(int fd, int timeout_ms)
{
	unsigned long long end = now_ns() + (unsigned long long)timeout_ms * 1000000ull;

	for (;;) {
		struct tcp_info ti;
		socklen_t len = sizeof(ti);
		int err = 0;

		if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len))
			return -1;
		if (ti.tcpi_state == CT_TCP_CLOSE) {
			len = sizeof(err);
			getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
			return err;
		}
		if (now_ns() > end)
			return 0;
		msleep(20);
	}
}

void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

void tp_clear(void)
{
	write_file(TRACEFS "trace", "");
}

static int state_of(const char *s)
{
	static const char *const n[] = { "", "TCP_ESTABLISHED", "TCP_SYN_SENT",
		"TCP_SYN_RECV", "TCP_FIN_WAIT1", "TCP_FIN_WAIT2", "TCP_TIME_WAIT",
		"TCP_CLOSE", "TCP_CLOSE_WAIT", "TCP_LAST_ACK", "TCP_LISTEN",
		"TCP_CLOSING", "TCP_NEW_SYN_RECV" };
	size_t i, l;

	for (i = 1; i < sizeof(n) / sizeof(n[0]); i++) {
		l = strlen(n[i]);
		if (!strncmp(s, n[i], l) && (s[l] == ' ' || s[l] == '\n' || !s[l]))
			return (int)i;
	}
	return -1;
}

static int field_int(const char *line, const char *key)
{
	const char *p = strstr(line, key);

	return p ? atoi(p + strlen(key)) : -1;
}

static void field_str(const char *line, const char *key, char *out, size_t len)
{
	const char *p = strstr(line, key);
	size_t n;

	out[0] = '\0';
	if (!p)
		return;
	p += strlen(key);
	n = strcspn(p, " \n");
	if (n >= len)
		n = len - 1;
	memcpy(out, p, n);
	out[n] = '\0';
}

/* The port of an address field: "src=127.0.0.1:80" or "src=[::1]:80" (6.10+). */
static int field_port(const char *line, const char *key)
{
	const char *p = strstr(line, key), *colon = NULL;

	if (!p)
		return -1;
	for (p += strlen(key); *p && *p != ' ' && *p != '\n'; p++)
		if (*p == ':')
			colon = p;
	return colon ? atoi(colon + 1) : -1;
}

/*
 * An event of the connection (sport, dport). tcp_disconnect (zero linger,
 * repair, a listener's children) zeroes dport before the socket is
 * destroyed: its destruction shows (sport, 0), told apart by the peer
 * address in check_against_events().
 */
static bool tp_match(const struct tp_event *e, int sport, int dport)
{
	return e->sport == sport &&
	       (e->dport == dport || (e->kind == 'D' && e->dport == 0));
}

size_t tp_read(struct tp_event *out, size_t max, int sport, int dport)
{
	static struct tp_event all[16384];
	size_t n = tp_read_all(all, sizeof(all) / sizeof(all[0]));

	return tp_select(all, n, out, max, sport, dport);
}

size_t tp_read_all(struct tp_event *out, size_t max)
{
	FILE *f = fopen(TRACEFS "trace", "r");
	char line[1024];
	size_t n = 0;

	if (!f) {
		fprintf(stderr, "%s: open trace: %s\n", scen, strerror(errno));
		exit(2);
	}
	while (fgets(line, sizeof(line), f) && n < max) {
		struct tp_event e = { 0 };
		const char *p;

		if (line[0] == '#')
			continue;
		if (strstr(line, "inet_sock_set_state:")) {
			if (!strstr(line, "IPPROTO_TCP"))
				continue;
			e.kind = 'S';
			p = strstr(line, "oldstate=");
			e.oldstate = p ? state_of(p + 9) : -1;
			p = strstr(line, "newstate=");
			e.newstate = p ? state_of(p + 9) : -1;
		} else if (strstr(line, "tcp_send_reset:")) {
			e.kind = 'R';
			p = strstr(line, " state=");
			e.state = p ? state_of(p + 7) : -1;
			p = strstr(line, " reason=");
			if (p)
				sscanf(p + 8, "%31s", e.reason);
		} else if (strstr(line, "tcp_destroy_sock:")) {
			e.kind = 'D';
		} else {
			continue;
		}
		field_str(line, " daddr=", e.daddr, sizeof(e.daddr));
		field_str(line, " daddrv6=", e.daddr6, sizeof(e.daddr6));
		e.sport = field_int(line, " sport=");
		e.dport = field_int(line, " dport=");
		if (e.sport < 0) {
			/* tcp_send_reset from 6.10 has addresses, no port fields */
			e.sport = field_port(line, " src=");
			e.dport = field_port(line, " dest=");
		}
		out[n++] = e;
	}
	if (n == max && !feof(f)) {
		fprintf(stderr, "%s: more than %zu kernel events\n", scen, max);
		exit(2);
	}
	fclose(f);
	return n;
}

size_t tp_select(const struct tp_event *all, size_t n, struct tp_event *out,
		 size_t max, int sport, int dport)
{
	size_t i, k = 0;

	for (i = 0; i < n && k < max; i++)
		if (tp_match(&all[i], sport, dport))
			out[k++] = all[i];
	return k;
}

size_t tp_count(const struct tp_event *tp, size_t n, char kind)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += tp[i].kind == kind;
	return k;
}

void check_against_kernel(unsigned long long close_id, int sport, int dport)
{
	struct tp_event tp[64];
	size_t n = tp_read(tp, 64, sport, dport);
	int tries;

	/*
	 * closetrace's END and the trace event come from the same tracepoint,
	 * closetrace's probe first: give the kernel's event the moment it
	 * may still need to land in the trace buffer.
	 */
	for (tries = 0; tries < 25 && tp_count(tp, n, 'D') <
	     ct_count_id(CT_EV_END, close_id); tries++) {
		msleep(20);
		n = tp_read(tp, 64, sport, dport);
	}
	check_against_events(close_id, tp, n);
}

void check_against_events(unsigned long long close_id,
			  const struct tp_event *tp, size_t n)
{
	size_t i, ns = 0, nr = 0, k;
	size_t ct_states = ct_count_id(CT_EV_STATE, close_id);
	size_t ct_resets = ct_count_id(CT_EV_RESET, close_id);
	size_t ct_ends = ct_count_id(CT_EV_END, close_id);
	const struct ct_event *c = ct_find_id(CT_EV_CLOSE, close_id, 0);
	size_t nd = 0, early = 0;
	char d4[INET_ADDRSTRLEN] = "", d6[INET6_ADDRSTRLEN] = "";

	/*
	 * A listener's unaccepted children are destroyed after tcp_disconnect
	 * zeroed their dport: they share (sport, 0) with the listener and
	 * differ from it only by the peer address.
	 */
	if (c && c->family == AF_INET)
		inet_ntop(AF_INET, c->daddr, d4, sizeof(d4));
	else if (c && c->family == AF_INET6)
		inet_ntop(AF_INET6, c->daddr, d6, sizeof(d6));
	/*
	 * A RST tcp_disconnect() sent at the death, before the close, has a
	 * RESET record of its own, earlier than the CLOSE (sc_death checks
	 * it against the kernel's events of the death): not one of the
	 * close's. They come first in the log (time order).
	 */
	if (c)
		for (k = 0; k < ct_resets; k++) {
			const struct ct_event *r = ct_find_id(CT_EV_RESET, close_id, k);

			early += r && r->ts_ns < c->ts_ns;
		}
	ct_resets -= early;
	for (i = 0; i < n; i++)
		nd += tp[i].kind == 'D' &&
		      (!c || (d4[0] && !strcmp(tp[i].daddr, d4)) ||
		       (d6[0] && !strcmp(tp[i].daddr6, d6)));

	for (i = 0; i < n; i++) {
		if (tp[i].kind == 'D')
			continue;
		if (tp[i].kind == 'S') {
			const struct ct_event *e = ct_find_id(CT_EV_STATE, close_id, ns);

			CHECK(e && e->state_before == tp[i].oldstate &&
			      e->state_after == tp[i].newstate,
			      "kernel state change #%zu %s->%s not matched by closetrace",
			      ns, ct_state_name(tp[i].oldstate), ct_state_name(tp[i].newstate));
			ns++;
		} else {
			const struct ct_event *r = ct_find_id(CT_EV_RESET, close_id, early + nr);

			/* Where the kernel names its reason, closetrace must agree. */
			if (r && tp[i].reason[0]) {
				CHECK(!strcmp(ct_krst_name(r->krst), tp[i].reason) ||
				      (r->krst == CT_KRST_OTHER && ct_krst_from_name(tp[i].reason) < 0),
				      "reset #%zu: kernel reason %s, closetrace %s", nr,
				      tp[i].reason, ct_krst_name(r->krst));
				bool reply = r->flags & CT_F_REPLY;

				if (r->flags & (CT_F_IN_CLOSE | CT_F_REPLY))
					CHECK(ct_krst_agrees(r->reason, reply, r->krst),
					      "reason %s but kernel reason %s", ct_reason_name(r->reason),
					      tp[i].reason);
			}
			nr++;
		}
	}
	CHECK(ct_states == ns, "closetrace reported %zu state changes, the kernel %zu",
	      ct_states, ns);
	{
		/* RSTs from no socket, said with wire_allow(): on 6.10+ the
		 * tracepoint reports them too, on older kernels it cannot. */
		const char *why = NULL;
		size_t allowed = wire_allowed_rsts(close_id, &why);

		CHECK(nr >= ct_resets && nr - ct_resets <= allowed,
		      "closetrace reported %zu resets, the kernel %zu (%zu allowed%s%s)",
		      ct_resets, nr, allowed, why ? ": " : "", why ? why : "");
	}
	CHECK(ct_ends == nd, "closetrace reported %zu ENDs, the kernel destroyed the socket %zu times",
	      ct_ends, nd);
	for (k = 0; k < ct_resets && k < nr; k++)
		CHECK(ct_find_id(CT_EV_RESET, close_id, early + k) != NULL, "reset %zu", k);
}

unsigned long ino_of(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? 0 : (unsigned long)st.st_ino;
}

struct ports {
	int sport, dport;
};

static bool has_close(void *p)
{
	const struct ports *k = p;

	return ct_find(CT_EV_CLOSE, k->sport, k->dport) != NULL;
}

const struct ct_event *wait_close_to(int sport, int dport)
{
	struct ports k = { sport, dport };

	ct_wait(has_close, &k, 3000);
	return ct_find(CT_EV_CLOSE, sport, dport);
}

const struct ct_event *wait_close(int sport)
{
	return wait_close_to(sport, 0);
}

/*
 * Sometimes the kernel leaves an orphan in FIN_WAIT2 as a full socket until
 * its keepalive timer fires tcp_fin_timeout later: the peer's ACK of the FIN
 * was backlogged after tcp_close() last looked at the state (the "bad case"
 * in tcp_rcv_state_process()). The END then comes with that timer, so wait
 * at least that long; run-suite.sh sets tcp_fin_timeout to 5 s.
 */
bool wait_end(unsigned long long id, int ms)
{
	FILE *f = fopen("/proc/sys/net/ipv4/tcp_fin_timeout", "r");
	int fin = 60;

	if (f) {
		if (fscanf(f, "%d", &fin) != 1)
			fin = 60;
		fclose(f);
	}
	if (ms < fin * 1000 + 3000)
		ms = fin * 1000 + 3000;
	return ct_wait(ct_has_end, &id, ms);
}

void check_closer(const struct ct_event *ev, int fd, unsigned long ino)
{
	char comm[16] = { 0 };
	FILE *f = fopen("/proc/self/comm", "r");

	if (f) {
		if (fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = '\0';
		fclose(f);
	}
	CHECK(ev->pid == (unsigned int)getpid(), "pid %u, expected %d", ev->pid, getpid());
	CHECK(!strncmp(ev->comm, comm, 16), "comm '%.16s', expected '%s'", ev->comm, comm);
	CHECK(ev->fd == fd, "fd %d, expected %d", ev->fd, fd);
	CHECK(ev->ino == ino, "ino %llu, expected %lu", (unsigned long long)ev->ino, ino);
}

void conn_open(struct conn *k, int family, int port, int rcvbuf)
{
	k->port = port;
	k->l = tcp_listener(family, port, 8);
	if (rcvbuf)
		setsockopt(k->l, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	k->c = tcp_connect(family, port);
	k->s = tcp_accept(k->l);
}

void conn_close_client(struct conn *k)
{
	k->sport = local_port(k->c);
	k->ino = ino_of(k->c);
	k->fd = k->c;
	tp_clear();
	close(k->c);
}

void ct_read_stats(struct ct_stats *st)
{
	static const struct {
		const char *key;
		size_t off;
	} keys[] = {
		{ "closes_tcp", offsetof(struct ct_stats, closes_tcp) },
		{ "closes_udp", offsetof(struct ct_stats, closes_udp) },
		{ "closes_unix", offsetof(struct ct_stats, closes_unix) },
		{ "refdrops", offsetof(struct ct_stats, refdrops) },
		{ "events_read", offsetof(struct ct_stats, events_read) },
		{ "events_lost", offsetof(struct ct_stats, events_lost) },
		{ "probe_nmissed", offsetof(struct ct_stats, nmissed) },
		{ "incomplete", offsetof(struct ct_stats, incomplete) },
		{ "untracked", offsetof(struct ct_stats, untracked) },
		{ "deaths", offsetof(struct ct_stats, deaths) },
		{ "preclose_tracked", offsetof(struct ct_stats, preclose_tracked) },
		{ "preclose_full", offsetof(struct ct_stats, preclose_full) },
		{ "twends", offsetof(struct ct_stats, twends) },
		{ "twends_lost", offsetof(struct ct_stats, twends_lost) },
	};
	const size_t nkeys = sizeof(keys) / sizeof(keys[0]);
	FILE *f = fopen("/proc/closetrace/stats", "r");
	char key[64], line[256];
	unsigned long long v;
	unsigned int found = 0;
	int cpu, used;
	size_t i;

	memset(st, 0, sizeof(*st));
	if (!f) {
		perror("/proc/closetrace/stats");
		exit(2);
	}
	/* "key value" lines; the per-CPU line has two pairs. */
	while (fgets(line, sizeof(line), f)) {
		char *p = line;

		while (sscanf(p, "%63s %llu%n", key, &v, &used) == 2) {
			p += used;
			if (sscanf(key, "cpu%d_", &cpu) == 1 && cpu >= 0 && cpu < CT_MAXCPU) {
				if (strstr(key, "_written"))
					st->written[cpu] = v;
				else if (strstr(key, "_lost"))
					st->lost[cpu] = v;
				continue;
			}
			for (i = 0; i < nkeys; i++) {
				if (!strcmp(key, keys[i].key)) {
					*(unsigned long long *)((char *)st + keys[i].off) = v;
					found |= 1u << i;
				}
			}
		}
	}
	fclose(f);
	for (i = 0; i < nkeys; i++) {
		if (!(found & (1u << i))) {
			fprintf(stderr, "/proc/closetrace/stats has no %s\n", keys[i].key);
			exit(2);
		}
	}
}

/* ---- the kernel's MIB counters */

const char *const mib_names[MIB_N] = {
	[MIB_ABORT_ON_CLOSE] = "TCPAbortOnClose",
	[MIB_ABORT_ON_DATA] = "TCPAbortOnData",
	[MIB_ABORT_ON_LINGER] = "TCPAbortOnLinger",
	[MIB_ABORT_ON_MEMORY] = "TCPAbortOnMemory",
	[MIB_ABORT_ON_TIMEOUT] = "TCPAbortOnTimeout",
	[MIB_ABORT_FAILED] = "TCPAbortFailed",
	[MIB_OUT_RSTS] = "OutRsts",
};

static struct mib mib_start, mib_allowed;
static const char *mib_why[MIB_N];

long long net_counter(const char *prefix, const char *name)
{
	static const char *const files[] = { "/proc/net/snmp", "/proc/net/netstat" };
	static char names[8192], vals[8192];
	size_t pl = strlen(prefix), i;
	long long r = -1;

	for (i = 0; i < 2 && r < 0; i++) {
		FILE *f = fopen(files[i], "r");

		while (f && fgets(names, sizeof(names), f) && fgets(vals, sizeof(vals), f)) {
			char *sn, *sv, *n, *v;

			if (strncmp(names, prefix, pl) || names[pl] != ':')
				continue;
			n = strtok_r(names + pl + 1, " \n", &sn);
			v = strtok_r(vals + pl + 1, " \n", &sv);
			for (; n && v; n = strtok_r(NULL, " \n", &sn), v = strtok_r(NULL, " \n", &sv))
				if (!strcmp(n, name))
					r = atoll(v);
		}
		if (f)
			fclose(f);
	}
	return r;
}

int tcp_state(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len))
		return -1;
	return ti.tcpi_state;
}

void mib_read(struct mib *m)
{
	int k;

	memset(m, 0, sizeof(*m));
	for (k = 0; k < MIB_N; k++) {
		m->v[k] = net_counter("TcpExt", mib_names[k]);
		if (m->v[k] < 0)
			m->v[k] = net_counter("Tcp", mib_names[k]);
		if (m->v[k] < 0) {
			fprintf(stderr, "%s: the kernel has no MIB counter %s\n", scen,
				mib_names[k]);
			exit(2);
		}
	}
}

/*
 * The mapping, from the kernel source (net/ipv4/tcp.c __tcp_close,
 * tcp_disconnect, tcp_input.c tcp_rcv_state_process, tcp_timer.c,
 * tcp_output.c tcp_send_active_reset, tcp_ipv4.c tcp_v4_send_reset); the
 * same on 5.10 to 7.x. docs/how-close-works.md has it as a table.
 */
void mib_expected(const struct ct_event *ev, size_t n, struct mib *exp)
{
	size_t i;

	memset(exp, 0, sizeof(*exp));
	for (i = 0; i < n; i++) {
		const struct ct_event *e = &ev[i];

		/* The counters are the scenario's namespace's. */
		if (!ct_own_netns(e))
			continue;
		/* A timewait socket's RST answering a segment (TCP_TW_RST). */
		if (e->type == CT_EV_TWEND) {
			exp->v[MIB_OUT_RSTS] += e->rsts;
			continue;
		}
		if (e->type == CT_EV_DEATH) {
			/*
			 * tcp_write_err() counts TCPAbortOnTimeout (5.10 to
			 * 7.x; tcp_done_with_error() from 6.10 and its stable
			 * backports keeps the count there): retransmissions,
			 * SYN retransmissions, keepalive and zero-window
			 * probes run out, TCP_USER_TIMEOUT.
			 */
			switch (e->reason) {
			case CT_R_RETRANSMIT_TIMEOUT:
			case CT_R_SYN_TIMEOUT:
			case CT_R_KEEPALIVE_TIMEOUT:
			case CT_R_USER_TIMEOUT:
			case CT_R_PROBE_TIMEOUT:
				exp->v[MIB_ABORT_ON_TIMEOUT]++;
				break;
			}
			/* The RST sent at the death (the keepalive timer's,
			 * tcp_abort()'s): tcp_send_active_reset counts it. */
			exp->v[MIB_OUT_RSTS] += e->rsts;
			continue;
		}
		if (e->type == CT_EV_CLOSE) {
			/* Counted by __tcp_close whether or not a RST goes. */
			if (e->reason == CT_R_ABORT_UNREAD)
				exp->v[MIB_ABORT_ON_CLOSE]++;
			else if (e->reason == CT_R_ABORT_LINGER0)
				exp->v[MIB_ABORT_ON_DATA]++;
			/* inet_csk_listen_stop: a RST for each queued child. */
			else if (e->reason == CT_R_LISTENER)
				exp->v[MIB_OUT_RSTS] += e->refs;
			continue;
		}
		if (e->type != CT_EV_RESET)
			continue;
		/* Every RST, active or a reply, counts OutRsts. */
		exp->v[MIB_OUT_RSTS]++;
		switch (e->reason) {
		case CT_R_ABORT_MEMORY:
			/* __tcp_close and tcp_out_of_resources alike. */
			exp->v[MIB_ABORT_ON_MEMORY]++;
			break;
		case CT_R_ABORT_DATA:
			/* tcp_rcv_state_process step 7 (RFC 1122). */
			exp->v[MIB_ABORT_ON_DATA]++;
			break;
		case CT_R_ABORT_LINGER2:
			/*
			 * __tcp_close's FIN_WAIT2 branch counts TCPAbortOnLinger;
			 * a FIN_WAIT1 orphan getting its ACK counts
			 * TCPAbortOnData and is answered from the reply path;
			 * the keepalive timer's abort counts nothing more.
			 */
			if (e->flags & CT_F_REPLY)
				exp->v[MIB_ABORT_ON_DATA]++;
			else if (e->flags & CT_F_IN_CLOSE)
				exp->v[MIB_ABORT_ON_LINGER]++;
			break;
		}
	}
}

void mib_allow(enum mib_key k, long long n, const char *why)
{
	mib_allowed.v[k] += n;
	mib_why[k] = why;
}

bool ct_stats_ring_same(const struct ct_stats *a, const struct ct_stats *b)
{
	int i;

	for (i = 0; i < CT_MAXCPU; i++)
		if (a->written[i] != b->written[i] || a->lost[i] != b->lost[i])
			return false;
	return true;
}

void ct_read_stats_quiet(struct ct_stats *st)
{
	struct ct_stats again;
	size_t n;
	int tries;

	for (tries = 0; tries < 50; tries++) {
		if (tries)
			msleep(100);
		ct_drain();
		n = ct_log.n;
		ct_read_stats(st);
		ct_drain();
		ct_read_stats(&again);
		if (ct_log.n == n && ct_stats_ring_same(st, &again))
			return;
	}
	fprintf(stderr, "%s: records kept coming for 5 s: no quiet moment to read the counters\n",
		scen);
	exit(2);
}

/* Snapshot the counters at a quiet moment: no record between two reads. */
static void mib_snapshot_start(void)
{
	struct mib again;
	int tries;

	for (tries = 0; tries < 20; tries++) {
		mib_read(&mib_start);
		ct_drain();
		ct_log.n = 0;
		mib_read(&again);
		if (!memcmp(&again, &mib_start, sizeof(again)))
			return;
		msleep(50);
	}
	fprintf(stderr, "%s: the MIB counters never stood still\n", scen);
	exit(2);
}

bool mib_check(void)
{
	struct mib now, exp;
	int k, tries;
	bool same = false;

	/* A counter moves before its record is written: let both land. */
	for (tries = 0; tries < 30 && !same; tries++) {
		if (tries)
			msleep(100);
		ct_drain();
		mib_read(&now);
		mib_expected(ct_log.ev, ct_log.n, &exp);
		same = true;
		for (k = 0; k < MIB_N; k++)
			same &= now.v[k] - mib_start.v[k] == exp.v[k] + mib_allowed.v[k];
	}
	if (same)
		return true;
	ct_check_fail(NULL, 0, NULL, "the kernel's MIB counters disagree with closetrace's records");
	fprintf(stderr, "    %-18s %8s %12s %8s\n", "counter", "kernel", "closetrace", "allowed");
	for (k = 0; k < MIB_N; k++)
		fprintf(stderr, "    %-18s %8lld %12lld %8lld%s%s%s\n", mib_names[k],
			now.v[k] - mib_start.v[k], exp.v[k], mib_allowed.v[k],
			now.v[k] - mib_start.v[k] != exp.v[k] + mib_allowed.v[k] ? "  <-- differs" : "",
			mib_why[k] ? "  allowed: " : "", mib_why[k] ? mib_why[k] : "");
	return false;
}

/* ---- /proc/net/tcp{,6}: the kernel's own list of its sockets */

static void hex_addr(const char *hex, unsigned char *out, size_t words)
{
	size_t i;

	/* Each 32-bit word as %08X of its value in host (little-endian) order. */
	for (i = 0; i < words; i++) {
		char w[9] = { 0 };
		unsigned int v;

		memcpy(w, hex + 8 * i, 8);
		v = (unsigned int)strtoul(w, NULL, 16);
		memcpy(out + 4 * i, &v, 4);
	}
}

static size_t proc_tcp_file(const char *path, int family, struct proc_tcp *out,
			    size_t max)
{
	FILE *f = fopen(path, "r");
	char line[512], src[40], dst[40];
	size_t n = 0;

	if (!f)
		return 0;	/* no IPv6 */
	while (fgets(line, sizeof(line), f) && n < max) {
		struct proc_tcp p = { .family = family };
		unsigned int sp, dp, st, tr;
		unsigned long when, txq;

		if (sscanf(line, " %*d: %39[0-9A-Fa-f]:%x %39[0-9A-Fa-f]:%x %x %lx:%*x %x:%lx",
			   src, &sp, dst, &dp, &st, &txq, &tr, &when) != 8)
			continue;
		p.tx_queue = txq;
		hex_addr(src, p.saddr, family == AF_INET6 ? 4 : 1);
		hex_addr(dst, p.daddr, family == AF_INET6 ? 4 : 1);
		p.sport = (int)sp;
		p.dport = (int)dp;
		p.state = (int)st;
		p.timer = (int)tr;
		/* clock_t, USER_HZ = 100 */
		p.when_ms = (long)when * 10;
		out[n++] = p;
	}
	fclose(f);
	return n;
}

size_t proc_tcp_read(struct proc_tcp *out, size_t max)
{
	size_t n = proc_tcp_file("/proc/net/tcp", AF_INET, out, max);

	return n + proc_tcp_file("/proc/net/tcp6", AF_INET6, out + n, max - n);
}

/* Is (family, local, remote) the connection of record e, from its side? */
static bool tuple_is(int family, const unsigned char *laddr, int lport,
		     const unsigned char *raddr, int rport, const struct ct_event *e)
{
	size_t alen = e->family == AF_INET6 ? 16 : 4;

	return family == e->family && lport == e->sport && rport == e->dport &&
	       !memcmp(laddr, e->saddr, alen) && !memcmp(raddr, e->daddr, alen);
}

size_t proc_tcp_timewaits(int lo, int hi)
{
	static struct proc_tcp pt[4096];
	size_t n = proc_tcp_read(pt, sizeof(pt) / sizeof(pt[0])), i, k = 0;

	for (i = 0; i < n; i++)
		k += pt[i].timer == 3 && ((pt[i].sport >= lo && pt[i].sport <= hi) ||
					  (pt[i].dport >= lo && pt[i].dport <= hi));
	return k;
}

const struct proc_tcp *proc_tcp_of(const struct proc_tcp *p, size_t n,
				   const struct ct_event *ev)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (tuple_is(p[i].family, p[i].saddr, p[i].sport, p[i].daddr, p[i].dport, ev))
			return &p[i];
	return NULL;
}

/* A TIMEWAIT record of e's 4-tuple for another close, without its TWEND. */
static bool tw_of_another(const struct ct_event *e)
{
	size_t i;

	for (i = 0; i < ct_log.n; i++) {
		const struct ct_event *r = &ct_log.ev[i];

		if (r->type == CT_EV_TIMEWAIT && r->close_id != e->close_id &&
		    r->sport == e->sport && r->dport == e->dport && r->family == e->family &&
		    !memcmp(r->saddr, e->saddr, 16) && !memcmp(r->daddr, e->daddr, 16) &&
		    !ct_find_id(CT_EV_TWEND, r->close_id, 0))
			return true;
	}
	return false;
}

bool tw_check(void)
{
	static struct proc_tcp tw[65536];
	size_t n, ntw = 0, i;
	int before = ct_failures;

	/*
	 * The kernel's timewait sockets (timer 3) first, then the records: a
	 * timewait socket that ends in between has its TWEND written before it
	 * leaves the table (at its timer's or its kill's entry).
	 */
	n = proc_tcp_read(tw, sizeof(tw) / sizeof(tw[0]));
	for (i = 0; i < n; i++)
		if (tw[i].timer == 3)
			tw[ntw++] = tw[i];
	msleep(20);
	ct_drain();
	for (i = 0; i < ct_log.n; i++) {
		const struct ct_event *e = &ct_log.ev[i];
		const struct proc_tcp *p;

		if (e->protocol != IPPROTO_TCP || (e->family != AF_INET && e->family != AF_INET6) ||
		    !ct_own_netns(e))
			continue;
		p = proc_tcp_of(tw, ntw, e);
		if (e->type == CT_EV_TIMEWAIT) {
			const struct ct_event *x = ct_find_id(CT_EV_TWEND, e->close_id, 0);

			/* Ended (TWEND), or still in the kernel's table. */
			CHECK(p || x,
			      "TIMEWAIT record of close %llu (port %u): the kernel has no timewait socket for it, and closetrace no TWEND",
			      (unsigned long long)e->close_id, e->sport);
			if (p && !x)
				CHECK(p->state == e->state_after ||
				      (e->state_after == CT_TCP_FIN_WAIT2 && p->state == CT_TCP_TIME_WAIT),
				      "close %llu: TIMEWAIT says %s, the kernel's timewait socket is in %s",
				      (unsigned long long)e->close_id, ct_state_name(e->state_after),
				      ct_state_name(p->state));
		} else if (e->type == CT_EV_TWEND && ct_find_id(CT_EV_CLOSE, e->close_id, 0)) {
			/* (A TWEND of an earlier scenario's close: not this one's to check.) */
			const struct ct_event *t = ct_find_id(CT_EV_TIMEWAIT, e->close_id, 0);

			CHECK(t, "TWEND of close %llu (port %u) without its TIMEWAIT record",
			      (unsigned long long)e->close_id, e->sport);
			/* Gone, unless another connection of the same 4-tuple has one. */
			CHECK(!p || tw_of_another(e),
			      "TWEND of close %llu (port %u), but the kernel still has its timewait socket",
			      (unsigned long long)e->close_id, e->sport);
		} else if (e->type == CT_EV_CLOSE && p) {
			CHECK(ct_find_id(CT_EV_TIMEWAIT, e->close_id, 0),
			      "the kernel has a timewait socket for close %llu (port %u), closetrace no TIMEWAIT record",
			      (unsigned long long)e->close_id, e->sport);
		}
	}
	return ct_failures == before;
}

/* ---- the wire: tcpdump on loopback */

#define WIRE_PCAP "/tmp/ct-wire.pcap"
/* wire_sync()'s marks: UDP between two of our own sockets, no TCP counter moves. */
#define WIRE_MARK_PORT 29999
#define WIRE_MAX_ALLOW 1024

static pid_t wire_pid = -1;
static int wire_errfd = -1;
static char wire_msgs[4096];
static size_t wire_msglen;
static unsigned int wire_mark_sent, wire_mark_seen;
static struct {
	unsigned long long close_id;
	unsigned int rsts;
	const char *why;
} wire_allowed[WIRE_MAX_ALLOW];
static size_t wire_nallowed;

/* Append what tcpdump said on stderr; false at its end. */
static bool wire_read_msgs(int timeout_ms)
{
	struct pollfd p = { .fd = wire_errfd, .events = POLLIN };
	ssize_t n;

	if (poll(&p, 1, timeout_ms) <= 0)
		return true;
	n = read(wire_errfd, wire_msgs + wire_msglen, sizeof(wire_msgs) - 1 - wire_msglen);
	if (n <= 0)
		return false;
	wire_msglen += (size_t)n;
	wire_msgs[wire_msglen] = '\0';
	return wire_msglen < sizeof(wire_msgs) - 1;
}

static void wire_start(void)
{
	unsigned long long end = now_ns() + 20000000000ull;
	int p[2];

	unlink(WIRE_PCAP);
	if (pipe(p)) {
		fprintf(stderr, "%s: pipe: %s\n", scen, strerror(errno));
		exit(2);
	}
	wire_pid = fork();
	if (wire_pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(p[1], 2);
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		/* Immediate mode: nothing waits in a ring block at the end. */
		execlp("tcpdump", "tcpdump", "-i", "lo", "-n", "-U", "--immediate-mode", "-Z", "root",
		       "-s", "128", "-w", WIRE_PCAP, "tcp or (udp and dst port 29999)", (char *)NULL);
		fprintf(stderr, "cannot run tcpdump (the wire oracle): %s\n", strerror(errno));
		_exit(127);
	}
	close(p[1]);
	wire_errfd = p[0];
	wire_msglen = 0;
	while (!strstr(wire_msgs, "listening on")) {
		if (!wire_read_msgs(100) || now_ns() > end) {
			fprintf(stderr, "%s: tcpdump did not start: %s\n", scen, wire_msgs);
			exit(2);
		}
	}
}

/* The number before what in tcpdump's closing statistics, or -1. */
/* tcpdump's "N packets WHAT" (what: " captured"...); "1 packet WHAT" too. */
static long wire_stat(const char *what)
{
	char plural[64], one[64];
	const char *d;

	snprintf(plural, sizeof(plural), " packets%s", what);
	snprintf(one, sizeof(one), " packet%s", what);
	d = strstr(wire_msgs, plural);
	if (!d)
		d = strstr(wire_msgs, one);

	if (!d)
		return -1;
	while (d > wire_msgs && d[-1] >= '0' && d[-1] <= '9')
		d--;
	return atol(d);
}

/* Stop the capture; false (and why) when it is not complete. */
static bool wire_stop(void)
{
	long captured, received, dropped;
	int status;

	if (wire_pid <= 0)
		return false;
	msleep(100);
	kill(wire_pid, SIGINT);
	while (wire_read_msgs(5000))
		;
	waitpid(wire_pid, &status, 0);
	wire_pid = -1;
	close(wire_errfd);
	captured = wire_stat(" captured");
	received = wire_stat(" received by filter");
	dropped = wire_stat(" dropped by kernel");
	if (!WIFEXITED(status) || WEXITSTATUS(status) || captured < 0 || dropped < 0) {
		fprintf(stderr, "  tcpdump ended badly (%s %d): %s\n",
			WIFEXITED(status) ? "exit" : "signal",
			WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), wire_msgs);
		return false;
	}
	/* On lo the filter sees each packet twice: going out, coming in. */
	if (dropped || captured * 2 != received) {
		fprintf(stderr, "  tcpdump lost packets: %s\n", wire_msgs);
		return false;
	}
	return true;
}

static unsigned int be16(const unsigned char *b)
{
	return (unsigned int)b[0] << 8 | b[1];
}

static unsigned int be32(const unsigned char *b)
{
	return be16(b) << 16 | be16(b + 2);
}

size_t wire_read(struct wire_seg *out, size_t max)
{
	unsigned char gh[24], rh[16], pkt[256];
	unsigned int link, hdr;
	size_t n = 0;
	FILE *f = fopen(WIRE_PCAP, "r");

	if (!f || fread(gh, 1, sizeof(gh), f) != sizeof(gh)) {
		if (f)
			fclose(f);
		return 0;
	}
	/* Written on this machine: native byte order. */
	memcpy(&link, gh + 20, 4);
	hdr = link == 1 ? 14 : link == 113 ? 16 : link == 276 ? 20 : 0;
	if (!hdr) {
		fprintf(stderr, "%s: pcap link type %u not understood\n", scen, link);
		exit(2);
	}
	while (fread(rh, 1, sizeof(rh), f) == sizeof(rh)) {
		unsigned int incl, ethertype, ip, t;
		struct wire_seg s = { 0 };

		memcpy(&incl, rh + 8, 4);
		if (incl > sizeof(pkt) || fread(pkt, 1, incl, f) != incl)
			break;
		ethertype = link == 276 ? be16(pkt) : be16(pkt + hdr - 2);
		ip = hdr;
		if (ethertype == 0x0800 && incl >= ip + 20 && pkt[ip + 9] == 6) {
			s.family = AF_INET;
			memcpy(s.src, pkt + ip + 12, 4);
			memcpy(s.dst, pkt + ip + 16, 4);
			t = ip + (pkt[ip] & 0xf) * 4;
			s.len = be16(pkt + ip + 2) - (t - ip);
		} else if (ethertype == 0x86dd && incl >= ip + 40 && pkt[ip + 6] == 6) {
			s.family = AF_INET6;
			memcpy(s.src, pkt + ip + 8, 16);
			memcpy(s.dst, pkt + ip + 24, 16);
			t = ip + 40;
			s.len = be16(pkt + ip + 4);
		} else if (ethertype == 0x0800 && incl >= ip + 20 && pkt[ip + 9] == 17) {
			/* A wire_sync() mark: its number, not a segment. */
			unsigned int mark;

			t = ip + (pkt[ip] & 0xf) * 4;
			if (incl >= t + 12 && be16(pkt + t + 2) == WIRE_MARK_PORT) {
				mark = be32(pkt + t + 8);
				if (mark > wire_mark_seen)
					wire_mark_seen = mark;
			}
			continue;
		} else {
			continue;
		}
		if (incl < t + 20)
			continue;
		s.sport = (int)be16(pkt + t);
		s.dport = (int)be16(pkt + t + 2);
		s.seq = be32(pkt + t + 4);
		s.len -= (pkt[t + 12] >> 4) * 4;
		s.flags = pkt[t + 13];
		if (!max)	/* wire_sync(): only the marks */
			continue;
		if (n == max) {
			fprintf(stderr, "%s: the capture has more than %zu TCP segments\n", scen, max);
			exit(2);
		}
		out[n++] = s;
	}
	fclose(f);
	return n;
}

void wire_sync(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(WIRE_MARK_PORT),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	unsigned long long end = now_ns() + 10000000000ull;
	unsigned char mark[4];
	int r, s;

	if (wire_pid <= 0)
		return;
	r = socket(AF_INET, SOCK_DGRAM, 0);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (r < 0 || s < 0 || bind(r, (struct sockaddr *)&a, sizeof(a))) {
		fprintf(stderr, "%s: wire_sync: %s\n", scen, strerror(errno));
		exit(2);
	}
	wire_mark_sent++;
	mark[0] = wire_mark_sent >> 24;
	mark[1] = wire_mark_sent >> 16;
	mark[2] = wire_mark_sent >> 8;
	mark[3] = wire_mark_sent;
	if (sendto(s, mark, sizeof(mark), 0, (struct sockaddr *)&a, sizeof(a)) != sizeof(mark)) {
		fprintf(stderr, "%s: wire_sync: sendto: %s\n", scen, strerror(errno));
		exit(2);
	}
	while (wire_read(NULL, 0), wire_mark_seen < wire_mark_sent) {
		if (now_ns() > end) {
			fprintf(stderr, "%s: wire_sync: mark %u not in the capture after 10 s\n", scen,
				wire_mark_sent);
			exit(2);
		}
		msleep(10);
	}
	close(s);
	close(r);
}

void wire_allow(const struct ct_event *close, unsigned int rsts, const char *why)
{
	if (wire_nallowed == WIRE_MAX_ALLOW) {
		fprintf(stderr, "%s: too many wire allowances\n", scen);
		exit(2);
	}
	wire_allowed[wire_nallowed].close_id = close->close_id;
	wire_allowed[wire_nallowed].rsts = rsts;
	wire_allowed[wire_nallowed++].why = why;
}

unsigned int wire_allowed_rsts(unsigned long long close_id, const char **why)
{
	unsigned int n = 0;
	size_t j;

	for (j = 0; j < wire_nallowed; j++) {
		if (wire_allowed[j].close_id == close_id) {
			n += wire_allowed[j].rsts;
			*why = wire_allowed[j].why;
		}
	}
	return n;
}

static bool wire_from(const struct wire_seg *w, const struct ct_event *e)
{
	return tuple_is(w->family, w->src, w->sport, w->dst, w->dport, e);
}

static bool wire_toward(const struct wire_seg *w, const struct ct_event *e)
{
	return tuple_is(w->family, w->dst, w->dport, w->src, w->sport, e);
}

unsigned int wire_crossed_rst(const struct ct_event *e)
{
	static struct wire_seg segs[8192];
	size_t n, i;
	unsigned int late = 0;

	wire_sync();
	n = wire_read(segs, sizeof(segs) / sizeof(segs[0]));
	bool rst = false;

	for (i = 0; i < n; i++) {
		if (wire_from(&segs[i], e) && (segs[i].flags & 0x04))
			rst = true;
		else if (rst && wire_toward(&segs[i], e) && !(segs[i].flags & 0x04))
			late++;
	}
	return late;
}

/* Did the records see this close's FIN acknowledged (so it was sent)? */
static bool fin_acked(unsigned long long id)
{
	size_t i;

	if (ct_find_id(CT_EV_TIMEWAIT, id, 0))
		return true;
	for (i = 0; i < ct_log.n; i++) {
		const struct ct_event *s = &ct_log.ev[i];

		if (s->type == CT_EV_STATE && s->close_id == id && s->state_before == CT_TCP_FIN_WAIT1 &&
		    (s->state_after == CT_TCP_FIN_WAIT2 || s->state_after == CT_TCP_CLOSING))
			return true;
	}
	return false;
}

static struct wire_seg wire_segs[262144];
static size_t wire_n;
static bool wire_ok;

/* Stop the capture and read it (once, in ct_finish()). */
static void wire_load(void)
{
	wire_ok = wire_stop();
	if (!wire_ok) {
		ct_check_fail(NULL, 0, NULL, "the wire capture is not complete");
		return;
	}
	wire_n = wire_read(wire_segs, sizeof(wire_segs) / sizeof(wire_segs[0]));
}

bool wire_check(void)
{
	const struct wire_seg *w = wire_segs;
	size_t n = wire_n, i, j;
	int before = ct_failures;

	if (!wire_ok)
		return false;
	for (i = 0; i < ct_log.n; i++) {
		const struct ct_event *e = &ct_log.ev[i], *conn;
		unsigned int rsts = 0, fins = 0, allowed, fin_seq = 0, want, fin_before, drsts;
		const char *why = "";
		bool exact;

		/* tcpdump captures the scenario's own namespace's loopback. */
		if (e->type != CT_EV_CLOSE || e->protocol != IPPROTO_TCP ||
		    e->state_before == CT_TCP_LISTEN || !ct_own_netns(e) ||
		    (e->family != AF_INET && e->family != AF_INET6))
			continue;
		conn = ct_conn_of(e);
		for (j = 0; j < n; j++) {
			if (!wire_from(&w[j], conn))
				continue;
			rsts += !!(w[j].flags & 0x04);
			/* A retransmitted FIN has the same sequence number. */
			if ((w[j].flags & 0x01) && (!fins || w[j].seq + w[j].len != fin_seq)) {
				fins++;
				fin_seq = w[j].seq + w[j].len;
			}
		}
		allowed = wire_allowed_rsts(e->close_id, &why);
		/* A RST sent at a death before the close is on the wire too,
		 * and one its timewait socket answered a segment with. */
		drsts = ct_death_rsts(e->close_id) + ct_twend_rsts(e->close_id);
		CHECK(rsts == ct_count_id(CT_EV_RESET, e->close_id) + drsts + allowed,
		      "close %llu (port %u): %u RSTs on the wire, %zu RESET records, %u at its DEATH or TWEND%s%s",
		      (unsigned long long)e->close_id, e->sport, rsts,
		      ct_count_id(CT_EV_RESET, e->close_id), drsts, allowed ? ", allowed: " : "", why);
		/* The FIN of a shutdown() or a passive close went before. */
		fin_before = e->state_before == CT_TCP_FIN_WAIT1 || e->state_before == CT_TCP_FIN_WAIT2 ||
			     e->state_before == CT_TCP_CLOSING || e->state_before == CT_TCP_LAST_ACK;
		/*
		 * A FIN behind unsent data leaves only when the data does. A
		 * socket reset before its close (already-closed) may have sent
		 * a FIN before the RST came, by shutdown() or a passive close.
		 */
		exact = (!e->unsent && !(e->flags & CT_F_FIN_QUEUED)) || fin_acked(e->close_id) ||
			(e->flags & CT_F_FIN_DISCARDED);
		if (e->state_before == CT_TCP_CLOSE) {
			fin_before = 1;
			exact = false;
		}
		want = fin_before + e->fins;
		/* Written at __tcp_close's entry, before its FIN: at most one. */
		if (e->flags & CT_F_NO_RETURN) {
			want = fin_before + 1;
			exact = false;
		}
		CHECK(exact ? fins == want : fins <= want,
		      "close %llu (port %u): %u FINs on the wire, closetrace says %u%s (%u before the close)",
		      (unsigned long long)e->close_id, e->sport, fins, e->fins,
		      exact ? "" : " at most", fin_before);
	}
	return ct_failures == before;
}
