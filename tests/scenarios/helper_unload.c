/*
 * helper_unload: sockets in the states that outlive an rmmod, for
 * tests/guest/t_unload.sh. Each mode creates /tmp/MODE.ready when the
 * state is set up.
 *
 *   helper_unload linger PORT SECS
 *	A close that waits out SO_LINGER: the peer never reads, the send
 *	buffer is full, linger is SECS; close(2) blocks about SECS seconds.
 *	Prints "linger-close-done" when close returns.
 *   helper_unload orphans PORT N
 *	N connections closed by the client first: the clients become orphans
 *	in FIN_WAIT2 while the peers sit in CLOSE_WAIT. When /tmp/orphans.go
 *	appears, the peers close: the orphans go to TIME_WAIT, the peers
 *	through LAST_ACK to CLOSE. Prints "orphans-done".
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static int listener(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int l, one = 1;

	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 256)) {
		perror("listen");
		exit(1);
	}
	return l;
}

static void pair(int l, int port, int *c, int *s)
{
	struct sockaddr_in a = { .sin_family = AF_INET };

	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	*c = socket(AF_INET, SOCK_STREAM, 0);
	if (*c < 0 || connect(*c, (struct sockaddr *)&a, sizeof(a))) {
		perror("connect");
		exit(1);
	}
	*s = accept(l, NULL, NULL);
	if (*s < 0) {
		perror("accept");
		exit(1);
	}
}

static void ready(const char *mode)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/%s.ready", mode);
	fd = open(path, O_CREAT | O_WRONLY, 0644);
	if (fd >= 0)
		close(fd);
}

static int do_linger(int port, int secs)
{
	struct linger lg = { .l_onoff = 1, .l_linger = secs };
	static char buf[65536];
	int l = listener(port), c, s, fl;

	pair(l, port, &c, &s);
	fl = fcntl(c, F_GETFL);
	fcntl(c, F_SETFL, fl | O_NONBLOCK);
	while (write(c, buf, sizeof(buf)) > 0)
		;
	fcntl(c, F_SETFL, fl);
	setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	ready("linger");
	close(c);	/* blocks: unsent data, nobody reads */
	printf("linger-close-done\n");
	close(s);
	close(l);
	return 0;
}

static int do_orphans(int port, int n)
{
	int l = listener(port), *peer, i, c;
	struct stat st;

	peer = calloc(n, sizeof(*peer));
	if (!peer)
		return 1;
	for (i = 0; i < n; i++) {
		pair(l, port, &c, &peer[i]);
		close(c);	/* FIN_WAIT1 -> FIN_WAIT2 once acked */
	}
	ready("orphans");
	while (stat("/tmp/orphans.go", &st))
		usleep(20000);
	for (i = 0; i < n; i++)
		close(peer[i]);
	close(l);
	printf("orphans-done\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "linger"))
		return do_linger(atoi(argv[2]), atoi(argv[3]));
	if (argc == 4 && !strcmp(argv[1], "orphans"))
		return do_orphans(atoi(argv[2]), atoi(argv[3]));
	fprintf(stderr, "usage: helper_unload linger PORT SECS | orphans PORT N\n");
	return 2;
}
