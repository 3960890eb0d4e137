// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * closetrace — read what the closetrace module saw: one line per socket
 * close, and the orphan's later life. I/O and options here; validation and
 * rendering in decode.c.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>
#include "ct_abi.h"
#include "ct_classify.h"
#include "ct_control.h"
#include "closewait.h"
#include "decode.h"
#include "fields.h"
#include "order.h"
#include "prom.h"

#define CT_VERSION "0.1"
#define DEFAULT_EVENTS "/sys/kernel/debug/closetrace/events"
/* Records taken by one read(2). */
#define CT_READ_BATCH 256
/* Output written in chunks of at most this. */
#define CT_OUT_BUFFER (256 * 1024)
/* How long the reader waits in poll(2) for records, ms. */
#define CT_POLL_MS 200
/* Time order: the default window, its limit (ms), and most records held. */
#define CT_REORDER_MS 1000
#define CT_MAX_REORDER_MS 60000
#define CT_ORDER_MAX 131072
/* -i and --prometheus --interval: at most a day. */
#define CT_MAX_INTERVAL 86400
/* Where --prometheus reads summary and stats; CLOSETRACE_PROC overrides it (tests). */
#define DEFAULT_PROC "/proc/closetrace"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
"Usage: closetrace [OPTIONS]\n"
"Print what the kernel did for each socket close, and why (needs the\n"
"closetrace module loaded, debugfs mounted, and root).\n"
"\n"
"Filters (pid, port, comm, uid, netns and cgroup are also set in the module\n"
"while the reader runs, so records it would drop are never written):\n"
"  -p, --pid PID        only closes by process PID\n"
"  -P, --port PORT      only sockets with local or remote port PORT\n"
"  -L, --lport PORTS    only sockets with one of these local ports (80,443)\n"
"  -D, --dport PORTS    only sockets with one of these remote ports\n"
"  -4, --ipv4           only IPv4 sockets\n"
"  -6, --ipv6           only IPv6 sockets\n"
"      --laddr ADDR[/N] only sockets whose local address is ADDR (or in ADDR/N)\n"
"      --raddr ADDR[/N] only sockets whose remote address is ADDR (or in ADDR/N)\n"
"  -c, --comm COMM      only closes by tasks named COMM\n"
"  -u, --uid UID        only sockets owned by UID (a number, or a user name of\n"
"                       /etc/passwd; the socket's creator, as ss -e shows)\n"
"      --netns NS       only sockets of network namespace NS: its inode number,\n"
"                       or a file of it (/proc/PID/ns/net, /run/netns/NAME)\n"
"      --cgroup CG      only closes by tasks in cgroup v2 CG: its id, or its\n"
"                       directory (/sys/fs/cgroup/system.slice/x.service)\n"
"      --type TYPES     only these record types (CLOSE,DEATH,TWEND,RESET,...)\n"
"      --action ACTS    only records whose kernel answer was one of fin, rst,\n"
"                       none (CLOSE, DEATH, TWEND; a RESET is an rst)\n"
"Output:\n"
"  -j, --json           JSON lines (the fields below)\n"
"      --csv            comma-separated values with a header line\n"
"  -r, --raw            the records unchanged (binary), to decode later with\n"
"                       -f; the cheapest way to drain (not to a terminal)\n"
"  -w, --wide           wide address columns (IPv6)\n"
"  -T, --wallclock      wall-clock times (HH:MM:SS.nnnnnnnnn) in the table\n"
"      --timestamp MODE the table's times: rel (since the first record, the\n"
"                       default), mono (CLOCK_MONOTONIC, as ts_ns) or wall (-T)\n"
"      --reorder-window MS\n"
"                       hold records MS ms to print them in time order across\n"
"                       CPUs (default %d; 0: as they come); later ones are\n"
"                       counted and said at exit\n"
"  -d, --duration SECS  stop after SECS seconds\n"
"  -n, --count N        stop after N records\n"
"  -s, --summary        print counts by type, action, reason and state at exit\n"
"  -i, --interval SECS  print those counts every SECS seconds instead of the\n"
"                       records (1-%d); with --prometheus: rewrite FILE\n"
"      --drain          read what is buffered now and exit\n"
"  -f, --file PATH      read records from PATH (default %s)\n"
"      --prometheus FILE\n"
"                       write the counts and histograms of /proc/closetrace/\n"
"                       summary and stats to FILE in node_exporter's textfile\n"
"                       format (atomically: FILE.tmp.PID, then rename), exit\n"
"      --close-wait [SECS]\n"
"                       list the sockets in CLOSE_WAIT for at least SECS\n"
"                       seconds (default 0): the peer closed, the owner has\n"
"                       not; with their process, fd, age and unread bytes\n"
"                       (-j: JSON lines), and exit\n"
"  -h, --help           this help\n"
"  -V, --version        version and record ABI version\n"
"\n"
"Examples:\n"
"  closetrace                      # every close, as a table, until Ctrl-C\n"
"  closetrace -T -P 8080 --summary # port 8080, wall-clock times, then counts\n"
"  closetrace --action rst -4      # only the IPv4 closes answered with a RST\n"
"  closetrace -L 80,443 --raddr 10.0.0.0/8  # servers' closes to 10/8\n"
"  closetrace -i 5                 # closes by action, reason, state every 5 s\n"
"  closetrace -p 1234 -j           # one process, as JSON lines\n"
"  closetrace --netns /proc/4321/ns/net  # a container's closes (its netns)\n"
"  closetrace --drain --csv > x.csv  # what is buffered, as CSV\n"
"  closetrace --close-wait 60      # sockets left in CLOSE_WAIT for a minute\n"
"  closetrace -r > saved.bin       # record now ...\n"
"  closetrace -f saved.bin -j      # ... decode later (or saved with cat events)\n"
"  closetrace --prometheus /var/lib/prometheus/node-exporter/closetrace.prom \\\n"
"             --interval 15        # for node_exporter's textfile collector\n"
"\n"
"One reader at a time: the ring is consumed as it is read, so two readers\n"
"would each see part of it (a second one gets \"in use\"). Several consumers\n"
"can follow the trace events instead (output=both; perf, trace-cmd, bpftrace).\n\n",
		CT_REORDER_MS, CT_MAX_INTERVAL, DEFAULT_EVENTS);
	ct_print_field_list(f);
}

static int parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* name's uid from /etc/passwd ("name:x:uid:..."); 0, or -1 if not there. */
static int passwd_uid(const char *name, long long *out)
{
	FILE *f = fopen("/etc/passwd", "re");
	char line[1024], *uid, *end;
	size_t n = strlen(name);
	unsigned long long v;
	int rc = -1;

	if (!f)
		return -1;
	while (rc && fgets(line, sizeof(line), f)) {
		if (strncmp(line, name, n) || line[n] != ':')
			continue;
		uid = strchr(line + n + 1, ':');
		if (!uid)
			continue;
		errno = 0;
		v = strtoull(uid + 1, &end, 10);
		if (!errno && end != uid + 1 && *end == ':' && v <= CT_UID_MAX) {
			*out = (long long)v;
			rc = 0;
		}
	}
	fclose(f);
	return rc;
}

/* -u: a uid (0-4294967294, as the control file's uid=) or a user name. */
static int parse_uid(const char *s, long long *out)
{
	long v;

	if (*s >= '0' && *s <= '9') {
		if (parse_long(s, 0, CT_UID_MAX, &v)) {
			fprintf(stderr, "closetrace: invalid uid '%s' (0-%lu, or a user name)\n", s,
				(unsigned long)CT_UID_MAX);
			return -1;
		}
		*out = v;
		return 0;
	}
	/*
	 * /etc/passwd itself, not getpwnam(): the same in the static reader
	 * the guests run (no NSS there) as in the packaged one.
	 */
	if (*s && !passwd_uid(s, out))
		return 0;
	fprintf(stderr, "closetrace: unknown user '%s' (give a uid, or a user name of /etc/passwd)\n", s);
	return -1;
}

/*
 * --netns, --cgroup: a number (1..max), or a file whose inode is that
 * number (a namespace file, a cgroup directory). Says why on failure.
 */
static int parse_ns_id(const char *s, const char *opt, const char *example,
		       unsigned long long max, unsigned long long *out)
{
	unsigned long long v;
	struct stat st;
	char *end;

	if (*s >= '0' && *s <= '9') {
		errno = 0;
		v = strtoull(s, &end, 10);
		if (errno || *end || !v || v > max) {
			fprintf(stderr, "closetrace: invalid %s '%s' (1-%llu, or a path)\n", opt, s, max);
			return -1;
		}
		*out = v;
		return 0;
	}
	if (!*s || stat(s, &st)) {
		fprintf(stderr, "closetrace: %s '%s': %s (give a number or a path such as %s)\n", opt, s,
			*s ? strerror(errno) : "empty", example);
		return -1;
	}
	*out = (unsigned long long)st.st_ino;
	return 0;
}

static int open_events(const char *path)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	if (errno == EBUSY) {
		fprintf(stderr, "closetrace: %s is in use by another reader: one at a time, since reading consumes the records (the trace events, output=both, take several; see --help)\n", path);
	} else if (errno == EACCES || errno == EPERM) {
		fprintf(stderr, "closetrace: %s: permission denied (closetrace needs root)\n", path);
	} else if (errno == ENOENT && access("/proc/closetrace", F_OK) != 0) {
		fprintf(stderr, "closetrace: the closetrace module is not loaded (insmod closetrace.ko)\n");
	} else if (errno == ENOENT) {
		fprintf(stderr, "closetrace: %s not found: is debugfs mounted? (mount -t debugfs none /sys/kernel/debug)\n", path);
	} else {
		fprintf(stderr, "closetrace: %s: %s\n", path, strerror(errno));
	}
	return -1;
}

/*
 * --prometheus: read a /proc file whole (seq_file: any size) into a
 * NUL-terminated buffer the caller frees; NULL after saying why.
 */
static char *slurp(const char *dir, const char *name)
{
	char path[PATH_MAX], *buf = NULL, *nb;
	size_t len = 0, cap = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if ((errno == EACCES || errno == EPERM) && geteuid() != 0)
			fprintf(stderr, "closetrace: %s: permission denied (closetrace needs root)\n", path);
		else if (errno == ENOENT && access(dir, F_OK) != 0 && !strcmp(dir, DEFAULT_PROC))
			fprintf(stderr, "closetrace: the closetrace module is not loaded (insmod closetrace.ko)\n");
		else if (errno == ENOENT && !strcmp(dir, DEFAULT_PROC))
			fprintf(stderr, "closetrace: %s not found: the loaded module has no %s (an older module than this reader?)\n", path, name);
		else
			fprintf(stderr, "closetrace: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 16384;
			nb = realloc(buf, cap);
			if (!nb) {
				fprintf(stderr, "closetrace: %s: out of memory\n", path);
				goto fail;
			}
			buf = nb;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "closetrace: read %s: %s\n", path, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		len += n;
	}
	close(fd);
	buf[len] = 0;
	if (strlen(buf) != len) {
		fprintf(stderr, "closetrace: %s: a NUL byte in the text\n", path);
		free(buf);
		return NULL;
	}
	return buf;
fail:
	close(fd);
	free(buf);
	return NULL;
}

/*
 * FILE replaced atomically with DATA: written to FILE.tmp.PID in the same
 * directory (node_exporter reads *.prom only), fsync'ed, renamed over
 * FILE, the directory fsync'ed. On failure FILE is as it was and the
 * temporary file is gone.
 */
static int write_atomic(const char *file, const char *data, size_t len)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	const char *slash = strrchr(file, '/');
	size_t off = 0;
	ssize_t n;
	int fd, dfd;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", file, (long)getpid()) >= sizeof(tmp)) {
		fprintf(stderr, "closetrace: %s: path too long\n", file);
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "closetrace: cannot write %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	while (off < len) {
		n = write(fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "closetrace: write %s: %s\n", tmp, strerror(errno));
			goto fail;
		}
		off += n;
	}
	if (fsync(fd)) {
		fprintf(stderr, "closetrace: fsync %s: %s\n", tmp, strerror(errno));
		goto fail;
	}
	if (close(fd)) {
		fd = -1;
		fprintf(stderr, "closetrace: close %s: %s\n", tmp, strerror(errno));
		goto fail;
	}
	fd = -1;
	if (rename(tmp, file)) {
		fprintf(stderr, "closetrace: rename %s to %s: %s\n", tmp, file, strerror(errno));
		goto fail;
	}
	/* The rename itself on disk (best effort: some filesystems refuse). */
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - file) + 1 : 1, slash ? file : ".");
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return -1;
}

/* One --prometheus round: read, parse, render, write. 0, or -1 after saying why. */
static int prom_round(const char *proc, const char *file)
{
	char *summary = NULL, *stats = NULL, *text = NULL, err[256];
	struct ct_prom *p = malloc(sizeof(*p));
	size_t len = 0;
	FILE *mem;
	int rc = -1;

	if (!p) {
		fprintf(stderr, "closetrace: out of memory\n");
		return -1;
	}
	ct_prom_init(p);
	summary = slurp(proc, "summary");
	if (!summary)
		goto out;
	stats = slurp(proc, "stats");
	if (!stats)
		goto out;
	if (ct_prom_parse_summary(p, summary, err, sizeof(err))) {
		fprintf(stderr, "closetrace: %s/summary: %s; %s not written\n", proc, err, file);
		goto out;
	}
	if (ct_prom_parse_stats(p, stats, err, sizeof(err))) {
		fprintf(stderr, "closetrace: %s/stats: %s; %s not written\n", proc, err, file);
		goto out;
	}
	mem = open_memstream(&text, &len);
	if (!mem) {
		fprintf(stderr, "closetrace: open_memstream: %s\n", strerror(errno));
		goto out;
	}
	if (ct_prom_write(mem, p) | fclose(mem)) {
		fprintf(stderr, "closetrace: rendering the metrics failed\n");
		goto out;
	}
	rc = write_atomic(file, text, len);
out:
	free(text);
	free(stats);
	free(summary);
	free(p);
	return rc;
}

/*
 * --prometheus FILE [--interval SECS]: once, or every SECS seconds until
 * SIGINT or SIGTERM. A failure of the first round is the exit status (a
 * wrong setup shows at once); a later one is said on stderr, leaves FILE
 * as it was (node_exporter's node_textfile_mtime_seconds shows it aging)
 * and the next round tries again.
 */
static int prom_main(const char *file, long interval)
{
	const char *proc = getenv("CLOSETRACE_PROC");
	struct timespec next, now, left;
	sigset_t set;
	int sig;

	if (!proc || !*proc)
		proc = DEFAULT_PROC;
	/*
	 * SIGINT and SIGTERM blocked, taken by sigtimedwait() between rounds:
	 * a round always finishes (no FILE.tmp.PID left behind), and a signal
	 * that comes just before the wait is not lost.
	 */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (prom_round(proc, file))
		return 1;
	if (!interval)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &next);
	next.tv_sec += interval;
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		left.tv_sec = next.tv_sec - now.tv_sec;
		left.tv_nsec = next.tv_nsec - now.tv_nsec;
		if (left.tv_nsec < 0) {
			left.tv_nsec += 1000000000;
			left.tv_sec--;
		}
		if (left.tv_sec < 0)
			left.tv_sec = left.tv_nsec = 0;
		sig = sigtimedwait(&set, NULL, &left);
		if (sig == SIGINT || sig == SIGTERM)
			return 0;
		if (sig < 0 && errno == EINTR)
			continue;
		if (sig < 0 && errno != EAGAIN) {
			fprintf(stderr, "closetrace: sigtimedwait: %s\n", strerror(errno));
			return 1;
		}
		prom_round(proc, file);
		next.tv_sec += interval;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (next.tv_sec < now.tv_sec)	/* a round took longer than SECS */
			next = now;
	}
}

enum fmt { FMT_TABLE, FMT_JSON, FMT_CSV, FMT_RAW };

/* --close-wait [SECS] [-j]: the module's list, with owners. */
static int close_wait_main(long secs, enum fmt fmt)
{
	const char *proc = getenv("CLOSETRACE_PROC");
	char *text;
	int rc;

	if (fmt != FMT_TABLE && fmt != FMT_JSON) {
		fprintf(stderr, "closetrace: --close-wait prints a table or, with -j, JSON lines\n");
		return 2;
	}
	if (!proc && geteuid() != 0) {
		fprintf(stderr, "closetrace: must be run as root\n");
		return 1;
	}
	text = slurp(proc ? proc : DEFAULT_PROC, "close_wait");
	if (!text)
		return 1;
	rc = ct_close_wait_main(text, secs, fmt == FMT_JSON);
	free(text);
	return rc;
}

/* Everything the command line says. */
struct args {
	struct ct_match m;
	struct ct_out_opts o;
	enum fmt fmt;
	const char *path;
	const char *prom_file;		/* --prometheus */
	long interval;			/* -i: summaries, or --prometheus rounds */
	long duration, count;
	long reorder_ms;
	bool summary, drain, close_wait, record_opts;
	long cw_secs;
};

enum {
	OPT_CSV = 256, OPT_DRAIN, OPT_PROMETHEUS, OPT_NETNS, OPT_CGROUP,
	OPT_CLOSE_WAIT, OPT_LADDR, OPT_RADDR, OPT_TYPE, OPT_ACTION,
	OPT_TIMESTAMP, OPT_REORDER,
};

/* Parse argv into a; -1 to go on, or the exit status (help, version, error). */
static int parse_args(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "port", required_argument, NULL, 'P' },
		{ "comm", required_argument, NULL, 'c' },
		{ "uid", required_argument, NULL, 'u' },
		{ "lport", required_argument, NULL, 'L' },
		{ "dport", required_argument, NULL, 'D' },
		{ "ipv4", no_argument, NULL, '4' },
		{ "ipv6", no_argument, NULL, '6' },
		{ "laddr", required_argument, NULL, OPT_LADDR },
		{ "raddr", required_argument, NULL, OPT_RADDR },
		{ "type", required_argument, NULL, OPT_TYPE },
		{ "action", required_argument, NULL, OPT_ACTION },
		{ "json", no_argument, NULL, 'j' },
		{ "csv", no_argument, NULL, OPT_CSV },
		{ "raw", no_argument, NULL, 'r' },
		{ "wide", no_argument, NULL, 'w' },
		{ "wallclock", no_argument, NULL, 'T' },
		{ "timestamp", required_argument, NULL, OPT_TIMESTAMP },
		{ "reorder-window", required_argument, NULL, OPT_REORDER },
		{ "duration", required_argument, NULL, 'd' },
		{ "count", required_argument, NULL, 'n' },
		{ "summary", no_argument, NULL, 's' },
		{ "interval", required_argument, NULL, 'i' },
		{ "drain", no_argument, NULL, OPT_DRAIN },
		{ "file", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "prometheus", required_argument, NULL, OPT_PROMETHEUS },
		{ "netns", required_argument, NULL, OPT_NETNS },
		{ "cgroup", required_argument, NULL, OPT_CGROUP },
		{ "close-wait", no_argument, NULL, OPT_CLOSE_WAIT },
		{ 0 }
	};
	char bad[40];
	int c;

	while ((c = getopt_long(argc, argv, "p:P:c:u:L:D:46jrwTd:n:si:f:hV", opts, NULL)) != -1) {
		/* The record options, which --prometheus and --close-wait do not take. */
		if (c != OPT_PROMETHEUS && c != 'i' && c != 'h' && c != 'V' && c != '?' &&
		    c != OPT_CLOSE_WAIT && c != 'j')
			a->record_opts = true;
		switch (c) {
		case OPT_CLOSE_WAIT:
			a->close_wait = true;
			/* An optional SECS, as the next word. */
			if (optind < argc && isdigit((unsigned char)argv[optind][0])) {
				if (parse_long(argv[optind], 0, 100L * 365 * 86400, &a->cw_secs)) {
					fprintf(stderr, "closetrace: invalid --close-wait age '%s' (seconds)\n",
						argv[optind]);
					return 2;
				}
				optind++;
			}
			break;
		case OPT_PROMETHEUS:
			if (!*optarg) {
				fprintf(stderr, "closetrace: --prometheus needs a file name\n");
				return 2;
			}
			a->prom_file = optarg;
			break;
		case 'i':
			if (parse_long(optarg, 1, CT_MAX_INTERVAL, &a->interval)) {
				fprintf(stderr, "closetrace: invalid interval '%s' (1-%d seconds)\n",
					optarg, CT_MAX_INTERVAL);
				return 2;
			}
			break;
		case 'p':
			if (parse_long(optarg, 1, CT_PID_MAX, &a->m.pid)) {
				fprintf(stderr, "closetrace: invalid pid '%s' (1-%d)\n", optarg, CT_PID_MAX);
				return 2;
			}
			break;
		case 'P':
			if (parse_long(optarg, 1, CT_PORT_MAX, &a->m.port)) {
				fprintf(stderr, "closetrace: invalid port '%s' (1-%d)\n", optarg, CT_PORT_MAX);
				return 2;
			}
			break;
		case 'u':
			if (parse_uid(optarg, &a->m.uid))
				return 2;
			break;
		case 'L':
		case 'D':
			if (ct_parse_ports(optarg, c == 'L' ? a->m.lports : a->m.dports,
					   c == 'L' ? &a->m.nlports : &a->m.ndports)) {
				fprintf(stderr, "closetrace: invalid port list '%s' (1-%d ports of 1-%d, with commas)\n",
					optarg, CT_MAX_PORTS, CT_PORT_MAX);
				return 2;
			}
			break;
		case '4':
		case '6':
			if (a->m.family) {
				fprintf(stderr, "closetrace: -4 and -6 exclude each other\n");
				return 2;
			}
			a->m.family = c == '4' ? AF_INET : AF_INET6;
			break;
		case OPT_LADDR:
		case OPT_RADDR:
			if (ct_parse_net(optarg, c == OPT_LADDR ? &a->m.laddr : &a->m.raddr)) {
				fprintf(stderr, "closetrace: invalid address '%s' (an IPv4 or IPv6 address, optionally /PREFIX)\n",
					optarg);
				return 2;
			}
			break;
		case OPT_TYPE:
			if (ct_parse_names(optarg, ct_type_from_name, &a->m.types, bad, sizeof(bad))) {
				fprintf(stderr, "closetrace: unknown record type '%s' (CLOSE, REFDROP, RELEASE, STATE, RESET, TIMEWAIT, END, DEATH, TWEND)\n",
					bad);
				return 2;
			}
			break;
		case OPT_ACTION:
			if (ct_parse_names(optarg, ct_action_from_name, &a->m.actions, bad, sizeof(bad))) {
				fprintf(stderr, "closetrace: unknown action '%s' (fin, rst, none)\n", bad);
				return 2;
			}
			break;
		case OPT_NETNS:
			if (parse_ns_id(optarg, "--netns", "/proc/PID/ns/net", 0xffffffffull,
					&a->m.netns))
				return 2;
			a->m.netns_set = true;
			break;
		case OPT_CGROUP:
			if (parse_ns_id(optarg, "--cgroup", "a directory under /sys/fs/cgroup",
					~0ull, &a->m.cgroup))
				return 2;
			a->m.cgroup_set = true;
			break;
		case 'c':
			if (!*optarg || strlen(optarg) >= CT_COMM_LEN) {
				fprintf(stderr, "closetrace: invalid comm '%s' (1-15 characters)\n", optarg);
				return 2;
			}
			a->m.comm = optarg;
			break;
		case 'j':
			a->fmt = FMT_JSON;
			break;
		case OPT_CSV:
			a->fmt = FMT_CSV;
			break;
		case 'r':
			a->fmt = FMT_RAW;
			break;
		case 'w':
			a->o.wide = true;
			break;
		case 'T':
			a->o.ts = CT_TS_WALL;
			break;
		case OPT_TIMESTAMP:
			if (!strcmp(optarg, "rel")) {
				a->o.ts = CT_TS_REL;
			} else if (!strcmp(optarg, "mono")) {
				a->o.ts = CT_TS_MONO;
			} else if (!strcmp(optarg, "wall")) {
				a->o.ts = CT_TS_WALL;
			} else {
				fprintf(stderr, "closetrace: invalid --timestamp '%s' (rel, mono or wall)\n", optarg);
				return 2;
			}
			break;
		case OPT_REORDER:
			if (parse_long(optarg, 0, CT_MAX_REORDER_MS, &a->reorder_ms)) {
				fprintf(stderr, "closetrace: invalid --reorder-window '%s' (0-%d ms)\n",
					optarg, CT_MAX_REORDER_MS);
				return 2;
			}
			break;
		case 'd':
			if (parse_long(optarg, 1, LONG_MAX / 2, &a->duration)) {
				fprintf(stderr, "closetrace: invalid duration '%s'\n", optarg);
				return 2;
			}
			break;
		case 'n':
			if (parse_long(optarg, 1, LONG_MAX, &a->count)) {
				fprintf(stderr, "closetrace: invalid count '%s'\n", optarg);
				return 2;
			}
			break;
		case 's':
			a->summary = true;
			break;
		case OPT_DRAIN:
			a->drain = true;
			break;
		case 'f':
			a->path = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("closetrace %s (record ABI %u)\n", CT_VERSION, CT_ABI_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "closetrace: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (a->prom_file && (a->record_opts || a->close_wait || a->fmt != FMT_TABLE)) {
		fprintf(stderr, "closetrace: --prometheus takes no other option than --interval\n");
		return 2;
	}
	if (a->close_wait && (a->record_opts || a->interval)) {
		fprintf(stderr, "closetrace: --close-wait takes no other option than -j\n");
		return 2;
	}
	if (a->fmt == FMT_RAW && (a->summary || a->interval)) {
		fprintf(stderr, "closetrace: --raw writes the records unchanged: no --summary or -i\n");
		return 2;
	}
	if (a->interval && !a->prom_file && a->fmt != FMT_TABLE) {
		fprintf(stderr, "closetrace: -i prints summaries as text: no -j or --csv\n");
		return 2;
	}
	return -1;
}

/*
 * Records leave through one buffer, written with write(2) when it is
 * nearly full, before the reader waits, and at the end: few system calls
 * and no stdio on the record path.
 */
struct outbuf {
	int fd;
	bool failed;
	size_t len;
	char buf[CT_OUT_BUFFER];
};

static int out_flush(struct outbuf *b)
{
	size_t off = 0;
	ssize_t n;

	while (off < b->len && !b->failed) {
		n = write(b->fd, b->buf + off, b->len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "closetrace: write: %s\n", strerror(errno));
			b->failed = true;
			break;
		}
		off += (size_t)n;
	}
	b->len = 0;
	return b->failed ? -1 : 0;
}

/* Room for one more record's text (CT_TEXT_MAX). */
static char *out_room(struct outbuf *b)
{
	if (sizeof(b->buf) - b->len < CT_TEXT_MAX)
		out_flush(b);
	return b->buf + b->len;
}

/* The reader's state while it reads records. */
struct reader {
	struct args *a;
	struct outbuf *out;
	struct ct_summary sum;		/* --summary: the whole run */
	struct ct_summary isum;		/* -i: the interval */
	struct ct_order order;
	bool ordered;
	bool have_t0;
	long shown;
	bool done;			/* -n reached */
};

/* A record leaves, in time order: counted, and shown as the format says. */
static void emit(struct reader *r, const struct ct_event *ev)
{
	struct args *a = r->a;
	char *p;

	if (r->done)
		return;
	if (!r->have_t0) {
		a->o.t0 = ev->ts_ns;
		r->have_t0 = true;
	}
	ct_summary_add(&r->sum, ev);
	if (a->interval) {
		ct_summary_add(&r->isum, ev);
	} else {
		p = out_room(r->out);
		if (a->fmt == FMT_RAW) {
			memcpy(p, ev, sizeof(*ev));
			p += sizeof(*ev);
		} else if (a->fmt == FMT_JSON) {
			p = ct_put_json(p, ev);
		} else if (a->fmt == FMT_CSV) {
			p = ct_put_csv(p, ev);
		} else {
			p = ct_put_table(p, ev, &a->o);
		}
		r->out->len = (size_t)(p - r->out->buf);
	}
	if (a->count && ++r->shown >= a->count)
		r->done = true;
}

/* A LOST record: said on stderr as it comes, then shown in its place. */
static void handle_lost(const struct ct_event *ev)
{
	fprintf(stderr, "closetrace: %llu records lost on CPU %u (ring full)\n",
		(unsigned long long)ev->count, ev->cpu);
}

static void handle_event(struct reader *r, const struct ct_event *ev)
{
	struct ct_event out;

	if (ev->type == CT_EV_LOST)
		handle_lost(ev);
	if (!ct_matches(ev, &r->a->m))
		return;
	if (!r->ordered) {
		emit(r, ev);
		return;
	}
	if (ct_order_push(&r->order, ev, &out))
		emit(r, &out);
}

/* Let go of the held records older than the window (all of them: now = ~0). */
static void release(struct reader *r, unsigned long long now)
{
	struct ct_event ev;

	if (!r->ordered)
		return;
	while (ct_order_pop_ready(&r->order, now, &ev))
		emit(r, &ev);
}

static unsigned long long mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

static long long wall_offset_ns(void)
{
	struct timespec m, w;

	clock_gettime(CLOCK_MONOTONIC, &m);
	clock_gettime(CLOCK_REALTIME, &w);
	return ((long long)w.tv_sec - m.tv_sec) * 1000000000ll + (w.tv_nsec - m.tv_nsec);
}

/* -i: one interval's summary, then a fresh count. */
static void print_interval(struct reader *r, long secs)
{
	char when[16];
	time_t now = time(NULL);
	struct tm tm;

	if (!localtime_r(&now, &tm) || !strftime(when, sizeof(when), "%H:%M:%S", &tm))
		snprintf(when, sizeof(when), "-");
	printf("\n%s  last %ld s: %llu records, %llu closes, %llu deaths, %llu lost\n", when,
	       secs, r->isum.records, r->isum.by_type[CT_EV_CLOSE],
	       r->isum.by_type[CT_EV_DEATH], r->isum.lost);
	ct_summary_print_ars(stdout, &r->isum);
	fflush(stdout);
	memset(&r->isum, 0, sizeof(r->isum));
}

/*
 * The module's own filters (pid, port, comm, netns, cgroup), set from the
 * reader's options so that what the reader would drop is never written
 * (nor lost). Only when the module has none set: a reader never overrides
 * what someone else set. Undone ("filter=off") when the reader ends.
 */
struct pushed {
	char control[PATH_MAX];
	bool active;
};

static int control_write(const char *path, const char *cmd)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, cmd, strlen(cmd));
	close(fd);
	return n == (ssize_t)strlen(cmd) ? 0 : -1;
}

/* Are all of the module's filters unset? From its stats' filter_* lines. */
static bool module_filters_unset(const char *stats)
{
	static const char *const unset[] = {
		"filter_pid 0\n", "filter_port 0\n", "filter_comm -\n",
		"filter_netns 0\n", "filter_cgroup 0\n", "filter_uid -\n",
	};
	const char *line;
	size_t i, n = 0;

	for (line = strstr(stats, "filter_"); line; line = strstr(line + 1, "\nfilter_")) {
		if (*line == '\n')
			line++;
		for (i = 0; i < sizeof(unset) / sizeof(unset[0]); i++)
			if (!strncmp(line, unset[i], strlen(unset[i])))
				break;
		if (i == sizeof(unset) / sizeof(unset[0]))
			return false;
		n++;
	}
	return n > 0;
}

/* One filter command to the control file; a failure clears pu->active. */
__attribute__((format(printf, 2, 3)))
static void push_cmd(struct pushed *pu, const char *fmt, ...)
{
	char cmd[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (control_write(pu->control, cmd))
		pu->active = false;
}

static void push_filters(const struct args *a, const char *events, struct pushed *pu)
{
	const char *proc = getenv("CLOSETRACE_PROC");
	const struct ct_match *m = &a->m;
	const char *slash = strrchr(events, '/');
	char *stats;
	long port = m->port;

	if (port < 0 && m->nlports + m->ndports == 1)	/* a superset of -L/-D's one port */
		port = m->nlports ? m->lports[0] : m->dports[0];
	if (m->pid < 0 && port < 0 && !m->comm && !m->netns_set && !m->cgroup_set && m->uid < 0)
		return;
	snprintf(pu->control, sizeof(pu->control), "%.*scontrol",
		 slash ? (int)(slash - events) + 1 : 0, events);
	stats = slurp(proc ? proc : DEFAULT_PROC, "stats");
	if (!stats)
		return;
	if (!module_filters_unset(stats)) {
		fprintf(stderr, "closetrace: the module's filters are already set (filter_* in /proc/closetrace/stats): they stay, and this reader filters in userspace only\n");
		free(stats);
		return;
	}
	free(stats);
	pu->active = true;
	if (m->pid >= 0)
		push_cmd(pu, "pid=%ld", m->pid);
	if (port >= 0)
		push_cmd(pu, "port=%ld", port);
	if (m->comm)
		push_cmd(pu, "comm=%s", m->comm);
	if (m->netns_set)
		push_cmd(pu, "netns=%llu", m->netns);
	if (m->cgroup_set)
		push_cmd(pu, "cgroup=%llu", m->cgroup);
	if (m->uid >= 0)
		push_cmd(pu, "uid=%lld", m->uid);
	if (!pu->active)
		fprintf(stderr, "closetrace: setting the module's filters in %s failed: %s; filtering in userspace only\n",
			pu->control, strerror(errno));
	/* A partial push is undone at once: all or nothing. */
	if (!pu->active)
		control_write(pu->control, "filter=off");
}

static void unpush_filters(struct pushed *pu)
{
	if (pu->active && control_write(pu->control, "filter=off"))
		fprintf(stderr, "closetrace: could not reset the module's filters: echo filter=off > %s\n",
			pu->control);
	pu->active = false;
}

/* debugfs' magic (linux/magic.h): the live events file, not a saved one. */
#define CT_DEBUGFS_MAGIC 0x64626720

static bool is_live(int fd)
{
	struct statfs sf;

	return !fstatfs(fd, &sf) && sf.f_type == CT_DEBUGFS_MAGIC;
}

static int records_main(struct args *a)
{
	static struct ct_event buf[CT_READ_BATCH];
	static struct outbuf out;
	struct reader r = { .a = a, .out = &out };
	struct pushed pu = { .active = false };
	unsigned long long deadline = 0, next_interval = 0;
	struct sigaction sa;
	bool live;
	int fd, rc = 0;

	if (a->fmt == FMT_RAW && isatty(STDOUT_FILENO)) {
		fprintf(stderr, "closetrace: --raw writes binary records: redirect stdout to a file, and decode them later with -f\n");
		return 2;
	}
	if (!strcmp(a->path, DEFAULT_EVENTS) && geteuid() != 0) {
		fprintf(stderr, "closetrace: must be run as root\n");
		return 1;
	}
	fd = open_events(a->path);
	if (fd < 0)
		return 1;
	live = is_live(fd);
	/* A saved file: read to its end, then stop. */
	if (!live)
		a->drain = true;
	out.fd = STDOUT_FILENO;
	a->o.wall_off_ns = wall_offset_ns();
	/* Raw records keep arrival order (decoding them later orders them). */
	r.ordered = a->reorder_ms && a->fmt != FMT_RAW && !a->interval;
	if (r.ordered && ct_order_init(&r.order, (unsigned long long)a->reorder_ms * 1000000ull,
				       CT_ORDER_MAX)) {
		fprintf(stderr, "closetrace: out of memory for the reorder window\n");
		close(fd);
		return 1;
	}
	if (live)
		push_filters(a, a->path, &pu);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (a->duration)
		deadline = mono_ns() + (unsigned long long)a->duration * 1000000000ull;
	if (a->interval)
		next_interval = mono_ns() + (unsigned long long)a->interval * 1000000000ull;

	if (!a->interval && a->fmt == FMT_TABLE)
		out.len = (size_t)(ct_put_table_header(out.buf, &a->o) - out.buf);
	else if (!a->interval && a->fmt == FMT_CSV)
		out.len = (size_t)(ct_put_csv_header(out.buf) - out.buf);

	while (!stop && !r.done && !out.failed) {
		unsigned long long now = mono_ns(), newest = 0;
		ssize_t n;
		size_t i;

		if (deadline && now >= deadline)
			break;
		if (next_interval && now >= next_interval) {
			print_interval(&r, a->interval);
			next_interval += (unsigned long long)a->interval * 1000000000ull;
		}
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			struct pollfd p = { .fd = fd, .events = POLLIN };

			if (a->drain)
				break;
			release(&r, mono_ns());
			out_flush(&out);
			if (poll(&p, 1, CT_POLL_MS) < 0 && errno != EINTR) {
				fprintf(stderr, "closetrace: poll: %s\n", strerror(errno));
				rc = 1;
				break;
			}
			continue;
		}
		if (n < 0) {
			fprintf(stderr, "closetrace: read %s: %s\n", a->path, strerror(errno));
			rc = 1;
			break;
		}
		if (n == 0) {
			if (live)
				fprintf(stderr, "closetrace: the module is going away; stopping\n");
			break;
		}
		for (i = 0; i * sizeof(buf[0]) < (size_t)n && !r.done; i++) {
			const struct ct_event *ev = &buf[i];
			size_t left = (size_t)n - i * sizeof(buf[0]);
			enum ct_check chk = ct_check_record(ev, left);
			char msg[256];

			if (chk != CT_OK) {
				fprintf(stderr, "closetrace: %s\n",
					ct_check_message(chk, ev, left, msg, sizeof(msg)));
				rc = 1;
				goto out;
			}
			if (ev->ts_ns > newest)
				newest = ev->ts_ns;
			handle_event(&r, ev);
		}
		/* A saved file has no "now": its newest record is. */
		release(&r, live ? mono_ns() : newest);
	}
out:
	/* The held records, in order: all of them at the end. */
	release(&r, ~0ull);
	out_flush(&out);
	unpush_filters(&pu);
	if (out.failed)
		rc = 1;
	if (a->interval && r.isum.records + r.isum.lost)
		print_interval(&r, a->interval);
	if (a->summary)
		ct_summary_print(stdout, &r.sum);
	fflush(stdout);
	if (r.ordered && r.order.late)
		fprintf(stderr, "closetrace: %llu records came later than the reorder window (%ld ms) and are out of time order; a larger --reorder-window orders them\n",
			r.order.late, a->reorder_ms);
	if (r.sum.lost)
		fprintf(stderr, "closetrace: %llu records were lost in all (see /proc/closetrace/stats)\n", r.sum.lost);
	if (r.ordered)
		ct_order_free(&r.order);
	close(fd);
	return rc;
}

int main(int argc, char **argv)
{
	struct args a = {
		.m = { .pid = -1, .port = -1, .uid = -1 },
		.fmt = FMT_TABLE,
		.path = DEFAULT_EVENTS,
		.reorder_ms = CT_REORDER_MS,
	};
	int rc = parse_args(argc, argv, &a);

	if (rc >= 0)
		return rc;
	if (a.prom_file)
		return prom_main(a.prom_file, a.interval);
	if (a.close_wait)
		return close_wait_main(a.cw_secs, a.fmt);
	return records_main(&a);
}
