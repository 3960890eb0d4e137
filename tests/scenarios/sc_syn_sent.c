/* close() of a connect still in SYN_SENT (the listener's queue is full, so
 * its SYNs are dropped): no FIN, no RST. */
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>
#include "ctlib.h"

int main(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(20090) };
	int l, c1, c2, sport, fd;
	unsigned long ino;
	const struct ct_event *e;

	ct_start("syn-sent");
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = tcp_listener(AF_INET, 20090, 0);
	c1 = tcp_connect(AF_INET, 20090);	/* fills the accept queue */
	msleep(100);
	c2 = socket(AF_INET, SOCK_STREAM, 0);
	fcntl(c2, F_SETFL, O_NONBLOCK);
	CHECK(connect(c2, (struct sockaddr *)&a, sizeof(a)) < 0 && errno == EINPROGRESS,
	      "connect did not stay in progress");
	msleep(200);
	sport = local_port(c2);
	ino = ino_of(c2);
	fd = c2;
	tp_clear();
	close(c2);
	e = wait_close(sport);
	REQUIRE(e, "no CLOSE record");
	check_closer(e, fd, ino);
	CHECK(e->state_before == CT_TCP_SYN_SENT && e->state_after == CT_TCP_CLOSE, "%s->%s",
	      ct_state_name(e->state_before), ct_state_name(e->state_after));
	CHECK(e->action == CT_ACT_NONE && e->reason == CT_R_SYN_SENT, "%s/%s",
	      ct_action_name(e->action), ct_reason_name(e->reason));
	CHECK(wait_end(e->close_id, 3000), "no END record");
	check_against_kernel(e->close_id, sport, 20090);
	close(c1);
	close(l);
	return ct_finish();
}
