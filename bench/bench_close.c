/*
 * bench_close MODE ITERS: the closes closetrace watches, timed in the guest.
 * For each workload: ITERS/4 iterations of warm-up, then ITERS timed with
 * CLOCK_MONOTONIC (under QEMU -icount, 1 guest-ns = 1 instruction, so the
 * figures repeat). One line per workload:
 *   BENCH {"mode":"MODE","workload":"open_close","iters":N,"ns_per_iter":X}
 *
 *   open_close    open("/dev/null") + close: the path every file takes
 *   socket_close  socket(TCP) + close, never connected
 *   conn_fin      loopback connect/accept, 1 byte each way, close both
 *                 ends (client first: FIN)
 *   conn_rst      the same, the client closing with SO_LINGER 0 (RST)
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int lfd;
static struct sockaddr_in la;

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void w_open_close(void)
{
	int fd = open("/dev/null", O_RDONLY);

	if (fd < 0)
		die("open");
	close(fd);
}

static void w_socket_close(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);

	if (s < 0)
		die("socket");
	close(s);
}

static void conn(int rst)
{
	struct linger lg = { 1, 0 };
	char b = 'x';
	int c = socket(AF_INET, SOCK_STREAM, 0), s;

	if (c < 0 || connect(c, (struct sockaddr *)&la, sizeof(la)))
		die("connect");
	s = accept(lfd, NULL, NULL);
	if (s < 0)
		die("accept");
	if (write(c, &b, 1) != 1 || read(s, &b, 1) != 1 ||
	    write(s, &b, 1) != 1 || read(c, &b, 1) != 1)
		die("exchange");
	if (rst)
		setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(c);
	close(s);
}

static void w_conn_fin(void)
{
	conn(0);
}

static void w_conn_rst(void)
{
	conn(1);
}

/*
 * Records written so far by closetrace (to its ring, or as trace events
 * with output=trace), or by the kernel's trace buffer.
 */
static double records(void)
{
	char line[256];
	double v = 0, t = 0, x;
	FILE *f = fopen("/proc/closetrace/stats", "r");

	if (f) {
		while (fgets(line, sizeof(line), f)) {
			if (sscanf(line, "events_written %lf", &x) == 1)
				v = x;
			if (sscanf(line, "events_traced %lf", &x) == 1)
				t = x;
		}
		fclose(f);
		return v > 0 ? v : t;
	}
	f = fopen("/sys/kernel/tracing/per_cpu/cpu0/stats", "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "entries: %lf", &x) == 1 ||
		    sscanf(line, "overrun: %lf", &x) == 1 ||
		    sscanf(line, "read events: %lf", &x) == 1)
			v += x;
	fclose(f);
	return v;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} w[] = {
		{ "open_close", w_open_close },
		{ "socket_close", w_socket_close },
		{ "conn_fin", w_conn_fin },
		{ "conn_rst", w_conn_rst },
	};
	socklen_t len = sizeof(la);
	int one = 1;
	long iters, i;
	size_t k;

	if (argc != 3 || (iters = atol(argv[2])) < 1) {
		fprintf(stderr, "usage: bench_close MODE ITERS\n");
		return 2;
	}
	la.sin_family = AF_INET;
	la.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&la, sizeof(la)) || listen(lfd, 16) ||
	    getsockname(lfd, (struct sockaddr *)&la, &len))
		die("listen");
	for (k = 0; k < sizeof(w) / sizeof(w[0]); k++) {
		double t0, t1, r0, r1;

		for (i = 0; i < iters / 4 + 1; i++)
			w[k].fn();
		r0 = records();
		t0 = now_ns();
		for (i = 0; i < iters; i++)
			w[k].fn();
		t1 = now_ns();
		r1 = records();
		printf("BENCH {\"mode\":\"%s\",\"workload\":\"%s\",\"iters\":%ld,\"ns_per_iter\":%.1f,\"records_per_iter\":%.2f}\n",
		       argv[1], w[k].name, iters, (t1 - t0) / iters, (r1 - r0) / iters);
		fflush(stdout);
	}
	close(lfd);
	return 0;
}
