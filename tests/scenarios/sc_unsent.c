/* Close with data still unsent (peer's window closed): the FIN is set on the
 * last unsent segment; the peer gets all data, then the FIN. */
#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include "ctlib.h"

int main(void)
{
	static char buf[65536];
	int l, c, s, sport, fd, small = 4096, big = 1 << 20, unsent = -1;
	unsigned long ino;
	const struct ct_event *e;

	ct_start("fin-behind-data");
	l = tcp_listener(AF_INET, 20040, 8);
	setsockopt(l, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	c = tcp_connect(AF_INET, 20040);
	s = tcp_accept(l);
	setsockopt(c, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	fcntl(c, F_SETFL, O_NONBLOCK);
	while (write(c, buf, sizeof(buf)) > 0)
		;
	msleep(200);
	ioctl(c, SIOCOUTQNSD, &unsent);		/* the kernel's unsent count */
	CHECK(unsent > 0, "no unsent data (%d)", unsent);
	sport = local_port(c);
	ino = ino_of(c);
	fd = c;
	tp_clear();
	close(c);
	e = wait_close(sport);
	REQUIRE(e, "no CLOSE record");
	check_closer(e, fd, ino);
	CHECK(e->action == CT_ACT_FIN && e->reason == CT_R_FIN_BEHIND_DATA, "%s/%s",
	      ct_action_name(e->action), ct_reason_name(e->reason));
	CHECK(e->flags & CT_F_FIN_QUEUED, "FIN not queued");
	CHECK((int)e->unsent == unsent, "unsent %u, kernel said %d", e->unsent, unsent);
	CHECK(!(e->flags & CT_F_MISMATCH), "mismatch");
	CHECK(peer_outcome(s, 10000) == 0, "peer did not read everything and a FIN");
	CHECK(wait_end(e->close_id, 5000), "no END record");
	check_against_kernel(e->close_id, sport, 20040);
	close(s);
	close(l);
	return ct_finish();
}
