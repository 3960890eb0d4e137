/* UDP and unix sockets: a release record each, no TCP decision. */
#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>
#include "ctlib.h"

int main(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(20140) };
	int u, sp[2], fds[3], i;
	unsigned long inos[3];
	size_t k, found = 0;

	ct_start("udp-unix");
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	u = socket(AF_INET, SOCK_DGRAM, 0);
	REQUIRE(bind(u, (struct sockaddr *)&a, sizeof(a)) == 0, "bind");
	REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0, "socketpair");
	fds[0] = u, fds[1] = sp[0], fds[2] = sp[1];
	for (i = 0; i < 3; i++)
		inos[i] = ino_of(fds[i]);
	for (i = 0; i < 3; i++)
		close(fds[i]);
	msleep(100);
	ct_drain();
	for (i = 0; i < 3; i++) {
		for (k = 0; k < ct_log.n; k++) {
			const struct ct_event *e = &ct_log.ev[k];

			if (e->type != CT_EV_RELEASE || e->ino != inos[i])
				continue;
			found++;
			check_closer(e, fds[i], inos[i]);
			if (i == 0)
				CHECK(e->protocol == 17 && e->sport == 20140 && e->family == AF_INET,
				      "udp record proto %u port %u", e->protocol, e->sport);
			else
				CHECK(e->family == AF_UNIX, "family %u", e->family);
		}
	}
	CHECK(found == 3, "%zu RELEASE records, expected 3", found);
	CHECK(!ct_find(CT_EV_CLOSE, 20140, 0), "a TCP record for UDP");
	return ct_finish();
}
