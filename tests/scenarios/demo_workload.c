/* The demo's workload: one close of each interesting kind on loopback. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static struct sockaddr_in addr(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static void pair(int port, int *c, int *s, int *l, int rcvbuf)
{
	struct sockaddr_in a = addr(port);
	int one = 1;

	*l = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(*l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (rcvbuf)
		setsockopt(*l, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(*l, (struct sockaddr *)&a, sizeof(a)) || listen(*l, 8))
		perror("listen");
	*c = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(*c, (struct sockaddr *)&a, sizeof(a)))
		perror("connect");
	*s = accept(*l, NULL, NULL);
}

int main(void)
{
	static char buf[65536];
	struct linger lg0 = { 1, 0 }, lg1 = { 1, 1 };
	int c, s, l, big = 1 << 20;

	/* 1. a normal close: FIN */
	pair(21001, &c, &s, &l, 0);
	close(c); close(s); close(l);
	/* 2. unread data: RST */
	pair(21002, &c, &s, &l, 0);
	if (write(s, "hello, unread", 13) < 0)
		perror("write");
	usleep(50000);
	close(c); close(s); close(l);
	/* 3. SO_LINGER {1,0}: abort */
	pair(21003, &c, &s, &l, 0);
	setsockopt(c, SOL_SOCKET, SO_LINGER, &lg0, sizeof(lg0));
	close(c); close(s); close(l);
	/* 4. SO_LINGER {1,1} with a peer that does not read: close waits 1 s */
	pair(21004, &c, &s, &l, 4096);
	setsockopt(c, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	setsockopt(c, SOL_SOCKET, SO_LINGER, &lg1, sizeof(lg1));
	fcntl(c, F_SETFL, O_NONBLOCK);
	while (write(c, buf, sizeof(buf)) > 0)
		;
	fcntl(c, F_SETFL, 0);
	close(c); close(s); close(l);
	return 0;
}
