// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * --close-wait [SECS]: the sockets the module saw enter CLOSE_WAIT that
 * are still in it (/proc/closetrace/close_wait), at least SECS old, with
 * their owners found as ss -p finds them: the fds under /proc/PID/fd that
 * link to socket:[INO].
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "closewait.h"

struct cw_sock {
	unsigned long long cookie, ino, age_ms;
	unsigned int netns, unread;
	char local[64], remote[64];
	int pid, fd;		/* -1: no owner found */
	char comm[32];
};

static int by_age(const void *a, const void *b)
{
	const struct cw_sock *x = a, *y = b;

	return x->age_ms < y->age_ms ? 1 : x->age_ms > y->age_ms ? -1 : 0;
}

/* Parse the module's text; -1 after saying why. */
static int cw_parse(char *text, struct cw_sock **out, size_t *n)
{
	struct cw_sock *v = NULL, *nv;
	size_t cap = 0, k = 0, lineno = 0;
	char *line, *save = NULL;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct cw_sock s;

		lineno++;
		if (lineno == 1) {
			if (strcmp(line, "# cookie ino netns age_ms unread local remote")) {
				fprintf(stderr, "closetrace: /proc/closetrace/close_wait: unknown header '%s' (a module of another version?)\n",
					line);
				goto fail;
			}
			continue;
		}
		memset(&s, 0, sizeof(s));
		if (sscanf(line, "%llu %llu %u %llu %u %63s %63s", &s.cookie, &s.ino,
			   &s.netns, &s.age_ms, &s.unread, s.local, s.remote) != 7) {
			fprintf(stderr, "closetrace: /proc/closetrace/close_wait line %zu: cannot parse '%s'\n",
				lineno, line);
			goto fail;
		}
		s.pid = s.fd = -1;
		strcpy(s.comm, "-");
		if (k == cap) {
			cap = cap ? 2 * cap : 64;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				fprintf(stderr, "closetrace: out of memory\n");
				goto fail;
			}
			v = nv;
		}
		v[k++] = s;
	}
	*out = v;
	*n = k;
	return 0;
fail:
	free(v);
	return -1;
}

/* ss -p's way: every /proc/PID/fd/N that is socket:[INO]. First owner wins. */
static void cw_owners(struct cw_sock *v, size_t n)
{
	DIR *proc, *fds;
	struct dirent *p, *f;
	char path[PATH_MAX], link[64];
	size_t i, left = n;

	proc = opendir("/proc");
	if (!proc)
		return;
	while (left && (p = readdir(proc))) {
		if (!isdigit((unsigned char)p->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fd", p->d_name);
		fds = opendir(path);
		if (!fds)
			continue;	/* gone, or not ours to see */
		while (left && (f = readdir(fds))) {
			unsigned long long ino;
			ssize_t len;

			if (!isdigit((unsigned char)f->d_name[0]))
				continue;
			snprintf(path, sizeof(path), "/proc/%s/fd/%s", p->d_name, f->d_name);
			len = readlink(path, link, sizeof(link) - 1);
			if (len <= 0)
				continue;
			link[len] = 0;
			if (sscanf(link, "socket:[%llu]", &ino) != 1)
				continue;
			for (i = 0; i < n; i++) {
				FILE *cf;

				if (v[i].ino != ino || v[i].pid >= 0)
					continue;
				v[i].pid = atoi(p->d_name);
				v[i].fd = atoi(f->d_name);
				snprintf(path, sizeof(path), "/proc/%s/comm", p->d_name);
				cf = fopen(path, "r");
				if (cf) {
					if (fgets(v[i].comm, sizeof(v[i].comm), cf))
						v[i].comm[strcspn(v[i].comm, "\n")] = 0;
					fclose(cf);
				}
				left--;
			}
		}
		closedir(fds);
	}
	closedir(proc);
}

static void json_comm(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c > 0x7e)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

int ct_close_wait_main(char *text, long min_secs, bool json)
{
	struct cw_sock *v;
	size_t n, i;

	if (cw_parse(text, &v, &n))
		return 1;
	cw_owners(v, n);
	qsort(v, n, sizeof(*v), by_age);
	if (!json)
		printf("%-7s %-4s %-15s %9s %7s %-21s %-21s %-20s %s\n", "PID", "FD", "COMM",
		       "AGE(s)", "UNREAD", "LOCAL", "REMOTE", "COOKIE", "INO");
	for (i = 0; i < n; i++) {
		const struct cw_sock *s = &v[i];
		char pid[16], fd[16];

		if (s->age_ms < (unsigned long long)min_secs * 1000ull)
			continue;
		if (json) {
			printf("{\"pid\":%d,\"fd\":%d,\"comm\":", s->pid, s->fd);
			json_comm(s->comm);
			printf(",\"age_ms\":%llu,\"unread\":%u,\"local\":\"%s\",\"remote\":\"%s\",\"cookie\":%llu,\"ino\":%llu,\"netns\":%u}\n",
			       s->age_ms, s->unread, s->local, s->remote, s->cookie, s->ino, s->netns);
			continue;
		}
		strcpy(pid, "-");
		strcpy(fd, "-");
		if (s->pid >= 0)
			snprintf(pid, sizeof(pid), "%d", s->pid);
		if (s->fd >= 0)
			snprintf(fd, sizeof(fd), "%d", s->fd);
		printf("%-7s %-4s %-15s %5llu.%03llu %7u %-21s %-21s %-20llu %llu\n", pid, fd,
		       s->comm, s->age_ms / 1000, s->age_ms % 1000, s->unread, s->local,
		       s->remote, s->cookie, s->ino);
	}
	free(v);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "closetrace: writing the list: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}
