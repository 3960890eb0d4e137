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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "ct_abi.h"
#include "closewait.h"
#include "decode.h"
#include "prom.h"

#define CT_VERSION "0.1"
#define DEFAULT_EVENTS "/sys/kernel/debug/closetrace/events"
#define BATCH 64
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
"  -p, --pid PID        only closes by process PID\n"
"  -P, --port PORT      only sockets with local or remote port PORT\n"
"  -c, --comm COMM      only closes by tasks named COMM\n"
"      --netns NS       only sockets of network namespace NS: its inode number,\n"
"                       or a file of it (/proc/PID/ns/net, /run/netns/NAME)\n"
"      --cgroup CG      only closes by tasks in cgroup v2 CG: its id, or its\n"
"                       directory (/sys/fs/cgroup/system.slice/x.service)\n"
"  -j, --json           JSON lines (keys in docs/record-format.md)\n"
"      --csv            comma-separated values with a header line\n"
"  -r, --raw            the records unchanged (binary), to decode later with\n"
"                       -f; the cheapest way to drain (not to a terminal)\n"
"  -w, --wide           wide address columns (IPv6)\n"
"  -T, --timestamps     absolute CLOCK_MONOTONIC times, not relative\n"
"  -d, --duration SECS  stop after SECS seconds\n"
"  -n, --count N        stop after N records\n"
"  -s, --summary        print counts by action and reason at exit\n"
"      --drain          read what is buffered now and exit\n"
"  -f, --file PATH      read records from PATH (default %s)\n"
"      --prometheus FILE\n"
"                       write the counts and histograms of /proc/closetrace/\n"
"                       summary and stats to FILE in node_exporter's textfile\n"
"                       format (atomically: FILE.tmp.PID, then rename), exit\n"
"      --interval SECS  with --prometheus: rewrite FILE every SECS seconds\n"
"                       (1-86400) until SIGINT or SIGTERM\n"
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
"  closetrace -P 8080 --summary    # closes on port 8080, then the counts\n"
"  closetrace -p 1234 -j           # one process, as JSON lines\n"
"  closetrace --netns /proc/4321/ns/net  # a container's closes (its netns)\n"
"  closetrace --drain --csv > x.csv  # what is buffered, as CSV\n"
"  closetrace --close-wait 60      # sockets left in CLOSE_WAIT for a minute\n"
"  closetrace -r > saved.bin       # record now ...\n"
"  closetrace -f saved.bin -j      # ... decode later (or saved with cat events)\n"
"  closetrace --prometheus /var/lib/prometheus/node-exporter/closetrace.prom \\\n"
"             --interval 15        # for node_exporter's textfile collector\n",
		DEFAULT_EVENTS);
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
		fprintf(stderr, "closetrace: %s is in use by another reader (one at a time)\n", path);
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

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
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

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "port", required_argument, NULL, 'P' },
		{ "comm", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "csv", no_argument, NULL, 1 },
		{ "raw", no_argument, NULL, 'r' },
		{ "wide", no_argument, NULL, 'w' },
		{ "timestamps", no_argument, NULL, 'T' },
		{ "duration", required_argument, NULL, 'd' },
		{ "count", required_argument, NULL, 'n' },
		{ "summary", no_argument, NULL, 's' },
		{ "drain", no_argument, NULL, 2 },
		{ "file", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "prometheus", required_argument, NULL, 3 },
		{ "interval", required_argument, NULL, 4 },
		{ "netns", required_argument, NULL, 5 },
		{ "cgroup", required_argument, NULL, 6 },
		{ "close-wait", no_argument, NULL, 7 },
		{ 0 }
	};
	struct ct_match m = { .pid = -1, .port = -1, .comm = NULL };
	struct ct_out_opts o = { 0 };
	struct ct_summary sum;
	enum fmt fmt = FMT_TABLE;
	const char *path = DEFAULT_EVENTS, *prom_file = NULL;
	long duration = 0, count = 0, shown = 0, interval = 0;
	bool summary = false, drain = false, regular = false, have_t0 = false, other = false;
	bool close_wait = false;
	long cw_secs = 0;
	struct ct_event buf[BATCH];
	struct sigaction sa;
	double deadline = 0;
	int c, fd, rc = 0;

	memset(&sum, 0, sizeof(sum));
	while ((c = getopt_long(argc, argv, "p:P:c:jrwTd:n:sf:hV", opts, NULL)) != -1) {
		/* The record options, which --prometheus does not take. */
		if (c != 3 && c != 4 && c != 'h' && c != 'V' && c != '?')
			other = true;
		switch (c) {
		case 7:
			close_wait = true;
			/* An optional SECS, as the next word. */
			if (optind < argc && isdigit((unsigned char)argv[optind][0])) {
				if (parse_long(argv[optind], 0, 100L * 365 * 86400, &cw_secs)) {
					fprintf(stderr, "closetrace: invalid --close-wait age '%s' (seconds)\n",
						argv[optind]);
					return 2;
				}
				optind++;
			}
			break;
		case 3:
			if (!*optarg) {
				fprintf(stderr, "closetrace: --prometheus needs a file name\n");
				return 2;
			}
			prom_file = optarg;
			break;
		case 4:
			if (parse_long(optarg, 1, 86400, &interval)) {
				fprintf(stderr, "closetrace: invalid interval '%s' (1-86400 seconds)\n", optarg);
				return 2;
			}
			break;
		case 'p':
			if (parse_long(optarg, 1, 4194304, &m.pid)) {
				fprintf(stderr, "closetrace: invalid pid '%s'\n", optarg);
				return 2;
			}
			break;
		case 'P':
			if (parse_long(optarg, 1, 65535, &m.port)) {
				fprintf(stderr, "closetrace: invalid port '%s' (1-65535)\n", optarg);
				return 2;
			}
			break;
		case 5:
			if (parse_ns_id(optarg, "--netns", "/proc/PID/ns/net", 0xffffffffull,
					&m.netns))
				return 2;
			m.netns_set = true;
			break;
		case 6:
			if (parse_ns_id(optarg, "--cgroup", "a directory under /sys/fs/cgroup",
					~0ull, &m.cgroup))
				return 2;
			m.cgroup_set = true;
			break;
		case 'c':
			if (!*optarg || strlen(optarg) >= CT_COMM_LEN) {
				fprintf(stderr, "closetrace: invalid comm '%s' (1-15 characters)\n", optarg);
				return 2;
			}
			m.comm = optarg;
			break;
		case 'j':
			fmt = FMT_JSON;
			break;
		case 1:
			fmt = FMT_CSV;
			break;
		case 'r':
			fmt = FMT_RAW;
			break;
		case 'w':
			o.wide = true;
			break;
		case 'T':
			o.timestamps = true;
			break;
		case 'd':
			if (parse_long(optarg, 1, LONG_MAX / 2, &duration)) {
				fprintf(stderr, "closetrace: invalid duration '%s'\n", optarg);
				return 2;
			}
			break;
		case 'n':
			if (parse_long(optarg, 1, LONG_MAX, &count)) {
				fprintf(stderr, "closetrace: invalid count '%s'\n", optarg);
				return 2;
			}
			break;
		case 's':
			summary = true;
			break;
		case 2:
			drain = true;
			break;
		case 'f':
			path = optarg;
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

	if (interval && !prom_file) {
		fprintf(stderr, "closetrace: --interval goes with --prometheus FILE\n");
		return 2;
	}
	if (prom_file && other) {
		fprintf(stderr, "closetrace: --prometheus takes no other option than --interval\n");
		return 2;
	}
	if (prom_file)
		return prom_main(prom_file, interval);
	if (close_wait && (summary || drain || duration || count || m.pid >= 0 || m.port >= 0 ||
			   m.comm || m.netns_set || m.cgroup_set || o.wide || o.timestamps ||
			   strcmp(path, DEFAULT_EVENTS))) {
		fprintf(stderr, "closetrace: --close-wait takes no other option than -j\n");
		return 2;
	}
	if (close_wait)
		return close_wait_main(cw_secs, fmt);

	if (fmt == FMT_RAW && (summary || isatty(STDOUT_FILENO))) {
		fprintf(stderr, "closetrace: --raw writes binary records: redirect stdout to a file, and decode them later with -f (no --summary)\n");
		return 2;
	}
	regular = strcmp(path, DEFAULT_EVENTS) != 0;
	if (!regular && geteuid() != 0) {
		fprintf(stderr, "closetrace: must be run as root\n");
		return 1;
	}
	fd = open_events(path);
	if (fd < 0)
		return 1;
	/* A saved file: read to its end, then stop. */
	if (regular)
		drain = true;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (duration)
		deadline = now_s() + duration;

	if (fmt == FMT_TABLE)
		ct_print_table_header(stdout, &o);
	else if (fmt == FMT_CSV)
		ct_print_csv_header(stdout);

	while (!stop) {
		ssize_t n;
		size_t i;

		if (deadline && now_s() >= deadline)
			break;
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			struct pollfd p = { .fd = fd, .events = POLLIN };

			if (drain)
				break;
			fflush(stdout);
			if (poll(&p, 1, 200) < 0 && errno != EINTR) {
				fprintf(stderr, "closetrace: poll: %s\n", strerror(errno));
				rc = 1;
				break;
			}
			continue;
		}
		if (n < 0) {
			fprintf(stderr, "closetrace: read %s: %s\n", path, strerror(errno));
			rc = 1;
			break;
		}
		if (n == 0) {
			if (!regular)
				fprintf(stderr, "closetrace: the module is going away; stopping\n");
			break;
		}
		for (i = 0; i * sizeof(buf[0]) < (size_t)n; i++) {
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
			if (ev->type == CT_EV_LOST)
				fprintf(stderr, "closetrace: %llu records lost on CPU %u (ring full)\n",
					(unsigned long long)ev->count, ev->cpu);
			if (!ct_matches(ev, &m))
				continue;
			if (!have_t0) {
				o.t0 = ev->ts_ns;
				have_t0 = true;
			}
			ct_summary_add(&sum, ev);
			if (fmt == FMT_RAW) {
				if (fwrite(ev, sizeof(*ev), 1, stdout) != 1) {
					fprintf(stderr, "closetrace: write: %s\n", strerror(errno));
					rc = 1;
					goto out;
				}
			} else if (fmt == FMT_JSON)
				ct_print_json(stdout, ev);
			else if (fmt == FMT_CSV)
				ct_print_csv(stdout, ev);
			else
				ct_print_table(stdout, ev, &o);
			if (count && ++shown >= count) {
				stop = 1;
				break;
			}
		}
	}
out:
	fflush(stdout);
	if (summary)
		ct_summary_print(stdout, &sum);
	if (sum.lost)
		fprintf(stderr, "closetrace: %llu records were lost in all (see /proc/closetrace/stats)\n", sum.lost);
	close(fd);
	return rc;
}
