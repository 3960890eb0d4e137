/*
 * helper_fuzzctl N: fuzz closetrace's control file from inside the guest.
 *
 *   - N random writes (random bytes, random lengths up to 512, one in 16 of
 *     64 KiB), numbers out of range (pid, port, uid: negative, huge,
 *     overflowing 64 bits), valid commands with a NUL or junk spliced in, commands split
 *     over two writes, and a write from an unmapped address: each must fail
 *     and leave the state (/proc/closetrace/stats: enabled, filter_*) as it
 *     was, checked after every write.
 *   - Two threads writing valid and invalid commands at once, N each, while
 *     a third reads the state: every state read, and the one after, is
 *     made of values the valid commands set (never a torn comm or port).
 *
 * Prints what it tried and "PASS fuzzctl" or FAIL lines; exits non-zero on
 * failure. Leaves the filters off and tracing enabled.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define CTL "/sys/kernel/debug/closetrace/control"
#define STATS "/proc/closetrace/stats"

static int fails;
static unsigned long tried;

static void state(char *out, size_t len)
{
	FILE *f = fopen(STATS, "r");
	char line[256];
	size_t n = 0;

	out[0] = '\0';
	if (!f) {
		perror("fuzzctl: " STATS);
		exit(2);
	}
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "enabled ", 8) || !strncmp(line, "filter_", 7))
			n += snprintf(out + n, len - n, "%s", line);
	fclose(f);
}

/* 0 if the write was accepted in full, else the errno. */
static int ctl_write(int fd, const void *buf, size_t len)
{
	ssize_t n = write(fd, buf, len);

	if (n == (ssize_t)len)
		return 0;
	return n < 0 ? errno : EIO;
}

static void must_reject(int fd, const void *buf, size_t len, const char *what)
{
	char before[1024], after[1024];
	int err;

	state(before, sizeof(before));
	err = ctl_write(fd, buf, len);
	state(after, sizeof(after));
	tried++;
	if (!err) {
		printf("FAIL %s (%zu bytes) was accepted\n", what, len);
		fails++;
	}
	if (strcmp(before, after)) {
		printf("FAIL %s changed the state:\n%s-- to --\n%s", what, before, after);
		fails++;
	}
}

static unsigned int rnd(void)
{
	static unsigned long long x = 88172645463325252ull;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return (unsigned int)(x >> 11);
}

static void random_writes(int fd, int n)
{
	static char buf[65536];
	int i;
	size_t len, k;

	for (i = 0; i < n; i++) {
		len = rnd() % 16 == 0 ? sizeof(buf) : 1 + rnd() % 512;
		for (k = 0; k < len; k++)
			buf[k] = (char)rnd();
		/* "enable", "disable", "filter=off" + \n cannot come out of
		 * random bytes in any run we will see; make sure of it. */
		buf[0] = (char)(0x80 | buf[0]);
		must_reject(fd, buf, len, "random bytes");
	}
}

static void structured(int fd)
{
	static const char *bad[] = {
		"pid=-1", "pid=4194305", "pid=18446744073709551617", "pid=99999999999",
		"port=-1", "port=65536", "port=4294967296", "port=0x10000",
		"pid=1\n\npid=2", "port=80 port=81", "comm=\x01\x02", "comm=tab\there",
		"enable\x7f", " enable", "enable enable", "pid=+1+", "port=8O",
		"comm=sixteen_chars_xy", "filter=", "=", "\n", "",
		"uid=", "uid=-1", "uid=4294967295", "uid=4294967296", "uid=1 2",
	};
	static const char *good[] = { "enable", "disable", "pid=7", "port=80",
				      "comm=sshd", "uid=1000", "filter=off" };
	char buf[128];
	size_t i, j, len;
	void *unmapped;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (strlen(bad[i]))
			must_reject(fd, bad[i], strlen(bad[i]), bad[i]);
	/* a NUL or a junk byte spliced into each valid command */
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		len = strlen(good[i]);
		for (j = 1; j < len; j++) {
			memcpy(buf, good[i], j);
			buf[j] = '\0';
			memcpy(buf + j + 1, good[i] + j, len - j);
			must_reject(fd, buf, len + 1, "valid command with a NUL inside");
			buf[j] = '\x1b';
			must_reject(fd, buf, len + 1, "valid command with ESC inside");
		}
		/* split over two writes: neither half is a command */
		if (len > 2) {
			must_reject(fd, good[i], len / 2, "first half of a command");
			must_reject(fd, good[i] + len / 2, len - len / 2, "second half of a command");
		}
	}
	/* from an address that is not mapped: EFAULT, nothing changes */
	unmapped = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (unmapped != MAP_FAILED) {
		must_reject(fd, unmapped, 16, "write from an unmapped page");
		munmap(unmapped, 4096);
	}
}

/* ---- concurrent writers */

static volatile int writers_done;
static int nconc;

static const char *valid_state(const char *s)
{
	unsigned int pid, port;
	char comm[64];

	if (sscanf(strstr(s, "filter_pid ") ? strstr(s, "filter_pid ") : "", "filter_pid %u", &pid) != 1 ||
	    sscanf(strstr(s, "filter_port ") ? strstr(s, "filter_port ") : "", "filter_port %u", &port) != 1 ||
	    sscanf(strstr(s, "filter_comm ") ? strstr(s, "filter_comm ") : "", "filter_comm %63s", comm) != 1)
		return "unparsable state";
	if (pid != 0 && pid != 1111 && pid != 2222)
		return "filter_pid never written";
	if (port != 0 && port != 1111 && port != 2222)
		return "filter_port never written";
	if (strcmp(comm, "-") && strcmp(comm, "alpha") && strcmp(comm, "betagamma"))
		return "filter_comm torn or never written";
	return NULL;
}

static void *writer(void *arg)
{
	static const char *cmds[2][4] = {
		{ "pid=1111", "port=1111", "comm=alpha", "junk=1" },
		{ "pid=2222", "port=2222", "comm=betagamma", "pid=-5" },
	};
	long id = (long)arg;
	int fd = open(CTL, O_WRONLY), i;

	if (fd < 0) {
		perror("fuzzctl: open control");
		exit(2);
	}
	for (i = 0; i < nconc; i++) {
		const char *c = cmds[id][i % 4];
		int err = ctl_write(fd, c, strlen(c));
		int want_ok = i % 4 != 3;

		if (want_ok != !err) {
			printf("FAIL concurrent '%s': %s\n", c, err ? strerror(err) : "accepted");
			__atomic_add_fetch(&fails, 1, __ATOMIC_RELAXED);
		}
	}
	close(fd);
	return NULL;
}

static void *observer(void *arg)
{
	char s[1024];
	const char *why;
	unsigned long reads = 0;

	(void)arg;
	while (!writers_done) {
		state(s, sizeof(s));
		reads++;
		why = valid_state(s);
		if (why) {
			printf("FAIL state during concurrent writes: %s:\n%s", why, s);
			__atomic_add_fetch(&fails, 1, __ATOMIC_RELAXED);
			break;
		}
	}
	printf("fuzzctl: %lu consistent state reads during concurrent writes\n", reads);
	return NULL;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 2000;
	int fd = open(CTL, O_WRONLY);
	pthread_t w[2], o;
	char s[1024];
	const char *why;

	if (fd < 0) {
		perror("fuzzctl: open " CTL);
		return 2;
	}
	/* a known state with a filter of each kind set */
	if (ctl_write(fd, "enable", 6) || ctl_write(fd, "pid=4242", 8) ||
	    ctl_write(fd, "port=4343", 9) || ctl_write(fd, "comm=fuzzme", 11) ||
	    ctl_write(fd, "uid=4444", 8)) {
		printf("FAIL could not set the starting state\n");
		return 1;
	}
	structured(fd);
	random_writes(fd, n);
	printf("fuzzctl: %lu rejected writes, state unchanged after each\n", tried);

	if (ctl_write(fd, "filter=off", 10)) {
		printf("FAIL filter=off\n");
		return 1;
	}
	nconc = n;
	pthread_create(&o, NULL, observer, NULL);
	pthread_create(&w[0], NULL, writer, (void *)0L);
	pthread_create(&w[1], NULL, writer, (void *)1L);
	pthread_join(w[0], NULL);
	pthread_join(w[1], NULL);
	writers_done = 1;
	pthread_join(o, NULL);
	state(s, sizeof(s));
	why = valid_state(s);
	if (why) {
		printf("FAIL state after concurrent writes: %s:\n%s", why, s);
		fails++;
	}
	if (ctl_write(fd, "filter=off", 10) || ctl_write(fd, "enable", 6)) {
		printf("FAIL could not restore the state\n");
		fails++;
	}
	close(fd);
	printf("%s fuzzctl\n", fails ? "FAIL" : "PASS");
	return fails ? 1 : 0;
}
