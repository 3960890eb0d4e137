/*
 * stress_closes: many socket closes of mixed kinds from threads on every
 * CPU while a reader thread drains closetrace, then the accounting:
 *
 *   per CPU: records written = records read with that CPU's number, and
 *            the LOST records of that CPU add up to its lost count;
 *   when nothing was lost: records by kind (CLOSE for TCP, RELEASE for
 *            UDP and unix) = closes made by kind,
 *            and the module's closes_tcp/udp/unix moved by as much;
 *   every record: no stray bytes in padding, comm tails or unused address
 *            bytes (what uninitialised memory would leave there).
 *
 * usage: stress_closes [-n CLOSES] [-t THREADS] [-l]
 *        stress_closes -x COMMAND
 *   -n CLOSES   at least this many closes in all (default 20000)
 *   -t THREADS  worker threads, spread over the CPUs (default 4)
 *   -l          loss is expected (a tiny ring): the reader takes one record
 *               every 2 ms, so the ring overflows; check the per-CPU
 *               accounting and that something was lost
 *   -x COMMAND  the closes are another program's (a fuzzer, stress-ng): run
 *               COMMAND with sh -c while the reader drains, then check the
 *               per-CPU accounting and, when nothing was lost, that the
 *               records by kind (of every process) equal the moves of
 *               closes_tcp/udp/unix; fails if COMMAND fails
 *
 * One round of a worker closes: a FIN connection (2 TCP closes), one
 * aborted by SO_LINGER 0 (2), one with SO_LINGER 1 s and nothing unsent
 * (2), a listener with an unaccepted child plus that child's client (2), a
 * dup'ed unconnected TCP socket (1 CLOSE, 1 REFDROP), a UDP socket (1) and
 * a unix socketpair (2): 9 TCP, 1 UDP, 2 unix.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "ct_abi.h"
#include "ct_format.h"
#include "ctlib.h"

#define MAXT 64
#define TCP_PER_ROUND 9
#define UDP_PER_ROUND 1
#define UNIX_PER_ROUND 2
#define CLOSES_PER_ROUND (TCP_PER_ROUND + UDP_PER_ROUND + UNIX_PER_ROUND)

static int rounds_per_thread, ncpu, nthreads, slow_reader;
static const char *ext_cmd;
static volatile int workers_done;
static pid_t me;

/* What the reader saw. */
static unsigned long long rd_cpu[CT_MAXCPU], rd_lost[CT_MAXCPU];
static unsigned long long rd_tcp, rd_udp, rd_unix, rd_refdrop, rd_total;
static int rd_bad;
static unsigned long long rd_dirty;

static void die(const char *what)
{
	fprintf(stderr, "stress_closes: %s: %s\n", what, strerror(errno));
	exit(2);
}

/*
 * Bytes no field gives a value must be zero: the padding, the comm after
 * its NUL, the address bytes an IPv4 or unix record does not use. A record
 * built from uninitialised stack would show the stack's leftovers here.
 */
static int uninit_bytes(const struct ct_event *e)
{
	size_t i, alen = e->family == AF_INET ? 4 : e->family == AF_INET6 ? 16 : 0;
	int bad = e->pad0;

	for (i = strnlen(e->comm, CT_COMM_LEN); i < CT_COMM_LEN; i++)
		bad |= e->comm[i];
	for (i = alen; i < 16; i++)
		bad |= e->saddr[i] | e->daddr[i];
	return bad;
}

#define INCOMPLETE_SHOWN 10
static unsigned long long rd_incomplete;

static void count(const struct ct_event *e)
{
	if (e->magic != CT_MAGIC || e->version != CT_ABI_VERSION ||
	    e->size != sizeof(*e) || e->cpu >= CT_MAXCPU) {
		rd_bad++;
		return;
	}
	rd_total++;
	rd_cpu[e->cpu]++;
	if (uninit_bytes(e))
		rd_dirty++;
	if (e->type == CT_EV_LOST) {
		rd_lost[e->cpu] += e->count;
		return;
	}
	/* The first few are shown (a long run's tw-lost TWENDs are many). */
	if ((e->flags & CT_F_INCOMPLETE) && rd_incomplete++ < INCOMPLETE_SHOWN) {
		char line[CT_LINE_LEN];

		ct_fmt_kv(line, sizeof(line), e);
		printf("stress: incomplete: %s\n", line);
	}
	if (!ext_cmd && e->pid != (unsigned int)me)
		return;
	/* TCP closes end in a CLOSE record, other sockets in a RELEASE. */
	if (e->type == CT_EV_REFDROP)
		rd_refdrop++;
	else if (e->type == CT_EV_CLOSE && e->protocol == IPPROTO_TCP)
		rd_tcp++;
	else if (e->type == CT_EV_RELEASE && e->family == AF_UNIX)
		rd_unix++;
	else if (e->type == CT_EV_RELEASE && e->protocol == IPPROTO_UDP)
		rd_udp++;
}

/* Drain until the workers are done and the ring has stayed empty. */
static struct ct_stats before, after;

/*
 * Has everything written since before been read (per CPU)? A socket
 * followed outside its close keeps writing after the workers are done (a
 * timewait socket's TWEND, up to 60 s later): the reader stops at a moment
 * when it has read all that was written, the stats (after) of that moment.
 */
static bool all_read(void)
{
	int i;

	ct_read_stats(&after);
	for (i = 0; i < ncpu; i++)
		if (after.written[i] - before.written[i] != rd_cpu[i])
			return false;
	return true;
}

static void *reader(void *arg)
{
	static struct ct_event buf[256];
	int fd = open("/sys/kernel/debug/closetrace/events", O_RDONLY | O_NONBLOCK);
	int idle = 0;
	unsigned long long deadline = 0;

	(void)arg;
	if (fd < 0)
		die("open events");
	for (;;) {
		ssize_t n = read(fd, buf, slow_reader ? sizeof(buf[0]) : sizeof(buf));
		size_t i;

		if (slow_reader && !workers_done)
			usleep(2000);

		if (n > 0) {
			for (i = 0; i < (size_t)n / sizeof(buf[0]); i++)
				count(&buf[i]);
			idle = 0;
			continue;
		}
		if (n < 0 && errno != EAGAIN)
			die("read events");
		if (workers_done && ++idle > 5) {
			struct timespec ts;
			unsigned long long now;

			clock_gettime(CLOCK_MONOTONIC, &ts);
			now = ts.tv_sec * 1000000000ull + ts.tv_nsec;
			if (!deadline)
				deadline = now + 90000000000ull;
			/* (past the deadline the check below says what is missing) */
			if (all_read() || now > deadline)
				break;
			idle = 0;
		}
		{
			struct pollfd p = { .fd = fd, .events = POLLIN };

			poll(&p, 1, 100);
		}
	}
	close(fd);
	return NULL;
}

/* Read and drop what the ring holds; returns how many bytes that was. */
static size_t drain_old(void)
{
	static struct ct_event buf[256];
	int fd = open("/sys/kernel/debug/closetrace/events", O_RDONLY | O_NONBLOCK);
	size_t got = 0;
	ssize_t r;

	if (fd < 0)
		die("open events");
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		got += (size_t)r;
	close(fd);
	return got;
}

/*
 * Start from an empty ring and quiet counters: nothing written between a
 * drain and two reads of the counters, or a record counted in before would
 * be read as one of the run's.
 */
static void quiet_before(void)
{
	struct ct_stats again;
	int tries;

	for (tries = 0; tries < 50; tries++) {
		if (tries)
			msleep(100);
		drain_old();
		ct_read_stats(&before);
		if (drain_old())
			continue;
		ct_read_stats(&again);
		if (ct_stats_ring_same(&before, &again))
			return;
	}
	die("records kept coming for 5 s: no quiet moment to start from");
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static int tcp_conn(const struct sockaddr_in *a, int l, int *srv)
{
	int c = socket(AF_INET, SOCK_STREAM, 0);

	if (c < 0 || connect(c, (const struct sockaddr *)a, sizeof(*a)))
		die("connect");
	if (srv) {
		*srv = accept(l, NULL, NULL);
		if (*srv < 0)
			die("accept");
	}
	return c;
}

static int listener(struct sockaddr_in *a, int backlog)
{
	int l = socket(AF_INET, SOCK_STREAM, 0);
	socklen_t len = sizeof(*a);

	a->sin_family = AF_INET;
	a->sin_port = 0;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (l < 0 || bind(l, (struct sockaddr *)a, sizeof(*a)) || listen(l, backlog) ||
	    getsockname(l, (struct sockaddr *)a, &len))
		die("listener");
	return l;
}

static void *worker(void *arg)
{
	long id = (long)arg;
	struct linger abort0 = { 1, 0 }, lg1 = { 1, 1 };
	struct sockaddr_in a, b;
	int l = listener(&a, 64), r, c, s, d, u[2];

	pin(id % ncpu);
	for (r = 0; r < rounds_per_thread; r++) {
		/* FIN both ways */
		c = tcp_conn(&a, l, &s);
		close(c);
		close(s);
		/* abort: SO_LINGER 0 sends a RST */
		c = tcp_conn(&a, l, &s);
		setsockopt(c, SOL_SOCKET, SO_LINGER, &abort0, sizeof(abort0));
		close(c);
		close(s);
		/* SO_LINGER 1 s, nothing unsent: no wait */
		c = tcp_conn(&a, l, &s);
		setsockopt(c, SOL_SOCKET, SO_LINGER, &lg1, sizeof(lg1));
		close(c);
		close(s);
		/* a listener closed with a child not accepted */
		d = listener(&b, 4);
		c = tcp_conn(&b, d, NULL);
		close(d);
		close(c);
		/* dup'ed: the first close drops a reference */
		s = socket(AF_INET, SOCK_STREAM, 0);
		d = dup(s);
		if (s < 0 || d < 0)
			die("dup");
		close(s);
		close(d);
		/* UDP and unix */
		s = socket(AF_INET, SOCK_DGRAM, 0);
		if (s < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, u))
			die("socket");
		close(s);
		close(u[0]);
		close(u[1]);
	}
	close(l);	/* one more TCP close per thread */
	return NULL;
}

/* -x: COMMAND under sh -c; its exit status (or 128 + the signal). */
static int run_external(const char *cmd)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die("waitpid");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(int argc, char **argv)
{
	pthread_t w[MAXT], rt;
	struct timespec t0, t1;
	double secs;
	unsigned long long closes = 20000, made_tcp, made_udp, made_unix;
	unsigned long long sum_lost = 0;
	int opt, i, fail = 0, expect_loss = 0, ext_status = 0;

	nthreads = 4;
	while ((opt = getopt(argc, argv, "n:t:lx:h")) != -1) {
		switch (opt) {
		case 'n':
			closes = strtoull(optarg, NULL, 10);
			break;
		case 't':
			nthreads = atoi(optarg);
			break;
		case 'l':
			expect_loss = 1;
			slow_reader = 1;
			break;
		case 'x':
			ext_cmd = optarg;
			break;
		default:
			fprintf(stderr, "usage: stress_closes [-n CLOSES] [-t THREADS] [-l] | -x COMMAND\n");
			return 2;
		}
	}
	if (nthreads < 1 || nthreads > MAXT)
		nthreads = 4;
	ncpu = get_nprocs();
	if (ncpu > CT_MAXCPU)
		ncpu = CT_MAXCPU;
	me = getpid();
	rounds_per_thread = (int)((closes + (unsigned long long)nthreads * CLOSES_PER_ROUND - 1) /
				  ((unsigned long long)nthreads * CLOSES_PER_ROUND));
	made_tcp = (unsigned long long)nthreads * (rounds_per_thread * TCP_PER_ROUND + 1);
	made_udp = (unsigned long long)nthreads * rounds_per_thread * UDP_PER_ROUND;
	made_unix = (unsigned long long)nthreads * rounds_per_thread * UNIX_PER_ROUND;

	quiet_before();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (pthread_create(&rt, NULL, reader, NULL))
		die("reader thread");
	if (ext_cmd) {
		ext_status = run_external(ext_cmd);
		nthreads = 0;
		made_tcp = made_udp = made_unix = 0;
	}
	for (i = 0; i < nthreads; i++)
		if (pthread_create(&w[i], NULL, worker, (void *)(long)i))
			die("worker thread");
	for (i = 0; i < nthreads; i++)
		pthread_join(w[i], NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	workers_done = 1;
	/* The reader stops when it has read all that was written: after. */
	pthread_join(rt, NULL);

	if (ext_cmd) {
		printf("stress: '%s' exited %d; records of its closes: CLOSE tcp %llu, RELEASE udp %llu, unix %llu; closes_tcp %llu, closes_udp %llu, closes_unix %llu\n",
		       ext_cmd, ext_status, rd_tcp, rd_udp, rd_unix,
		       after.closes_tcp - before.closes_tcp,
		       after.closes_udp - before.closes_udp,
		       after.closes_unix - before.closes_unix);
		if (ext_status) {
			printf("FAIL the command exited %d\n", ext_status);
			fail = 1;
		}
	}
	printf("stress: %d threads on %d CPUs, %llu closes (tcp %llu, udp %llu, unix %llu), %llu records read\n",
	       nthreads, ncpu, made_tcp + made_udp + made_unix, made_tcp, made_udp,
	       made_unix, rd_total);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("stress: %.1f s of closes: %.0f closes/s, %.0f records/s written and read\n",
	       secs, (made_tcp + made_udp + made_unix) / secs, rd_total / secs);
	printf("stress: probe hits missed %llu, closes incomplete %llu, untracked %llu\n",
	       after.nmissed - before.nmissed, after.incomplete - before.incomplete,
	       after.untracked - before.untracked);
	printf("stress: timewait sockets followed to their end %llu, of them lost (end unseen) %llu; "
	       "sockets followed outside their close now %llu\n",
	       after.twends - before.twends, after.twends_lost - before.twends_lost,
	       after.preclose_tracked);
	printf("stress: records flagged incomplete %llu%s\n", rd_incomplete,
	       rd_incomplete > INCOMPLETE_SHOWN ? " (the first 10 shown)" : "");
	if (rd_dirty) {
		printf("FAIL %llu records with non-zero bytes where no field is\n", rd_dirty);
		fail = 1;
	}
	if (rd_bad) {
		printf("FAIL %d records with a bad header\n", rd_bad);
		fail = 1;
	}
	for (i = 0; i < ncpu; i++) {
		unsigned long long wr = after.written[i] - before.written[i];
		unsigned long long lo = after.lost[i] - before.lost[i];

		printf("stress: cpu%d written %llu read %llu lost %llu (LOST records say %llu)\n",
		       i, wr, rd_cpu[i], lo, rd_lost[i]);
		if (wr != rd_cpu[i]) {
			printf("FAIL cpu%d: written %llu != read %llu\n", i, wr, rd_cpu[i]);
			fail = 1;
		}
		if (lo != rd_lost[i]) {
			printf("FAIL cpu%d: lost %llu but LOST records add up to %llu\n",
			       i, lo, rd_lost[i]);
			fail = 1;
		}
		sum_lost += lo;
	}
	if (expect_loss) {
		if (!sum_lost) {
			printf("FAIL nothing lost with a tiny ring\n");
			fail = 1;
		}
	} else {
		if (sum_lost) {
			printf("FAIL %llu records lost with a reader draining\n", sum_lost);
			fail = 1;
		}
#define KIND(name, seen, stat)								\
		do {									\
			unsigned long long st = after.stat - before.stat;		\
			if (ext_cmd)							\
				made_##name = st;					\
			if (seen != made_##name || st != made_##name) {			\
				printf("FAIL %s: %llu closes made, %llu CLOSE records, "	\
				       "%s moved by %llu\n", #name, made_##name, seen,	\
				       #stat, st);					\
				fail = 1;						\
			}								\
		} while (0)
		KIND(tcp, rd_tcp, closes_tcp);
		KIND(udp, rd_udp, closes_udp);
		KIND(unix, rd_unix, closes_unix);
		if (!ext_cmd && rd_refdrop != (unsigned long long)nthreads * rounds_per_thread) {
			printf("FAIL %llu REFDROP records, %llu dup'ed closes\n", rd_refdrop,
			       (unsigned long long)nthreads * rounds_per_thread);
			fail = 1;
		}
	}
	printf("%s stress_closes\n", fail ? "FAIL" : "PASS");
	return fail;
}
