/*
 * helper_identity PORT: one IPv4 loopback connection on PORT whose close
 * t_identity checks field by field, and what the kernel says of it through
 * interfaces closetrace does not use, printed as one line of key=value:
 *   pid, vpid    getpid() as the init namespace sees it (/proc/self's
 *                link target; /proc is the init namespace's) and as the
 *                helper's own pid namespace does (getpid())
 *   netns        the inode of /proc/self/ns/net
 *   cgroup       the inode of the helper's cgroup v2 directory (its id),
 *                from /proc/self/cgroup under /sys/fs/cgroup; 0 when the
 *                kernel has no cgroups
 *   cookie       SO_COOKIE of the client socket (only the client's is asked
 *                for: the server's cookie is closetrace's to make)
 *   sport        the client's port
 *   bytes_acked bytes_received segs_in segs_out total_retrans rtt
 *                the client's TCP_INFO just before its close
 * The client sends 3000 bytes, the server 1234; the client closes first
 * (FIN), the server after reading its EOF. Status 1 on any failed call.
 */
#include <arpa/inet.h>
#include <linux/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef SO_COOKIE
#define SO_COOKIE 57
#endif

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void xfer(int from, int to, size_t n)
{
	char b[4096];
	size_t got = 0;

	memset(b, 'x', sizeof(b));
	if (write(from, b, n) != (ssize_t)n)
		die("write");
	while (got < n) {
		ssize_t r = read(to, b, sizeof(b));

		if (r <= 0)
			die("read");
		got += (size_t)r;
	}
}

static unsigned long long cgroup_ino(void)
{
	char line[4096], path[4200];
	unsigned long long ino = 0;
	struct stat st;
	FILE *f = fopen("/proc/self/cgroup", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3))
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(path, sizeof(path), "/sys/fs/cgroup%s", line + 3);
		if (stat(path, &st))
			die(path);
		ino = (unsigned long long)st.st_ino;
	}
	fclose(f);
	return ino;
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	unsigned long long cookie = 0;
	socklen_t len = sizeof(a), cl = sizeof(cookie), il;
	struct tcp_info ti;
	char self[64], eof[64];
	struct stat ns;
	int l, c, s, one = 1;
	ssize_t n;

	if (argc < 2)
		return 2;
	a.sin_port = htons(atoi(argv[1]));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0)
		die("socket");
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 8))
		die("listen");
	c = socket(AF_INET, SOCK_STREAM, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof(a)))
		die("connect");
	s = accept(l, NULL, NULL);
	if (s < 0)
		die("accept");
	xfer(c, s, 3000);
	xfer(s, c, 1234);
	if (getsockopt(c, SOL_SOCKET, SO_COOKIE, &cookie, &cl))
		die("SO_COOKIE");
	if (getsockname(c, (struct sockaddr *)&a, &len))
		die("getsockname");
	if (stat("/proc/self/ns/net", &ns))
		die("/proc/self/ns/net");
	n = readlink("/proc/self", self, sizeof(self) - 1);
	if (n <= 0)
		die("/proc/self");
	self[n] = '\0';
	/* the client's counters, then at once its close */
	il = sizeof(ti);
	memset(&ti, 0, sizeof(ti));
	if (getsockopt(c, IPPROTO_TCP, TCP_INFO, &ti, &il))
		die("TCP_INFO");
	close(c);
	while ((n = read(s, eof, sizeof(eof))) > 0)
		;
	close(s);
	close(l);
	printf("pid=%s vpid=%d netns=%llu cgroup=%llu cookie=%llu sport=%u bytes_acked=%llu bytes_received=%llu segs_in=%u segs_out=%u total_retrans=%u rtt=%u\n",
	       self, getpid(), (unsigned long long)ns.st_ino, cgroup_ino(), cookie,
	       ntohs(a.sin_port), (unsigned long long)ti.tcpi_bytes_acked,
	       (unsigned long long)ti.tcpi_bytes_received, ti.tcpi_segs_in, ti.tcpi_segs_out,
	       ti.tcpi_total_retrans, ti.tcpi_rtt);
	return 0;
}
