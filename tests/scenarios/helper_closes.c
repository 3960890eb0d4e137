/*
 * helper_closes PORT: one close of each kind the trace events must carry,
 * on loopback ports PORT..PORT+2 (t_traceevents compares what the ring and
 * the tracers saw of them):
 *   PORT    a FIN close (the client first, then the server: LAST_ACK), the
 *           listener closed
 *   PORT+1  an abort-unread close (RST), its peer's close
 *   PORT+2  a dup'ed fd closed (REFDROP), then the last one (FIN); IPv6
 *           (::1) when the guest has it, else IPv4
 * and a UDP socket and a unix socketpair released. Prints "ok" at the end;
 * any failed call ends it with a message and status 1.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* A connected pair on loopback port; *l is the listener. */
static void pair(int family, int port, int *l, int *c, int *s)
{
	struct sockaddr_storage st;
	struct sockaddr_in *a4 = (struct sockaddr_in *)&st;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&st;
	socklen_t len;
	int one = 1;

	memset(&st, 0, sizeof(st));
	if (family == AF_INET) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(port);
		a4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*a4);
	} else {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port);
		a6->sin6_addr = in6addr_loopback;
		len = sizeof(*a6);
	}
	*l = socket(family, SOCK_STREAM, 0);
	if (*l < 0)
		die("socket");
	setsockopt(*l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(*l, (struct sockaddr *)&st, len) || listen(*l, 8))
		die("listen");
	*c = socket(family, SOCK_STREAM, 0);
	if (*c < 0 || connect(*c, (struct sockaddr *)&st, len))
		die("connect");
	*s = accept(*l, NULL, NULL);
	if (*s < 0)
		die("accept");
}

/* Wait until the peer's FIN arrived on fd (read returns 0). */
static void wait_eof(int fd)
{
	char b[64];
	ssize_t n;

	while ((n = read(fd, b, sizeof(b))) > 0)
		;
	if (n < 0)
		die("read");
}

int main(int argc, char **argv)
{
	int port, l, c, s, d, u, sv[2], family = AF_INET6;
	struct sockaddr_in a = { .sin_family = AF_INET };

	if (argc < 2)
		return 2;
	port = atoi(argv[1]);

	/* FIN close, passive close, listener */
	pair(AF_INET, port, &l, &c, &s);
	close(c);
	wait_eof(s);
	close(s);
	close(l);

	/* abort-unread: 13 bytes the server never reads */
	pair(AF_INET, port + 1, &l, &c, &s);
	if (write(c, "hello, world\n", 13) != 13)
		die("write");
	usleep(100000);
	close(s);
	close(c);
	close(l);

	/* REFDROP, then the last fd: FIN (IPv6 if the guest has ::1) */
	d = socket(AF_INET6, SOCK_STREAM, 0);
	if (d < 0)
		family = AF_INET;
	else
		close(d);
	pair(family, port + 2, &l, &c, &s);
	d = dup(c);
	if (d < 0)
		die("dup");
	close(c);
	close(d);
	wait_eof(s);
	close(s);
	close(l);

	/* UDP and unix releases */
	u = socket(AF_INET, SOCK_DGRAM, 0);
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (u < 0 || connect(u, (struct sockaddr *)&a, sizeof(a)))
		die("udp");
	close(u);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		die("socketpair");
	close(sv[0]);
	close(sv[1]);
	printf("ok\n");
	return 0;
}
