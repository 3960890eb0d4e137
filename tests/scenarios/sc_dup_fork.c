/* A dup'ed fd and a fork-shared fd: the first close only drops a reference
 * (the socket stays open, the peer sees nothing); the last one releases. */
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "ctlib.h"

int main(void)
{
	int l, c, s, d, sport;
	unsigned long ino;
	const struct ct_event *r, *e;
	pid_t child;

	ct_start("dup-and-fork");
	l = tcp_listener(AF_INET, 20100, 8);
	c = tcp_connect(AF_INET, 20100);
	s = tcp_accept(l);
	sport = local_port(c);
	ino = ino_of(c);
	d = dup(c);
	close(c);
	CHECK(peer_outcome(s, 300) == 2, "peer saw something after a reference drop");
	ct_drain();
	r = ct_find(CT_EV_REFDROP, sport, 0);
	REQUIRE(r, "no REFDROP record");
	check_closer(r, c, ino);
	CHECK(r->refs == 1, "refs left %u", r->refs);
	CHECK(!ct_find(CT_EV_CLOSE, sport, 0), "a CLOSE record for a reference drop");

	/* fork: the child's close drops a reference, the parent's releases */
	child = fork();
	if (child == 0) {
		close(d);
		_exit(0);
	}
	waitpid(child, NULL, 0);
	ct_drain();
	{
		size_t i, n = 0;

		for (i = 0; i < ct_log.n; i++)
			if (ct_log.ev[i].type == CT_EV_REFDROP &&
			    ct_log.ev[i].sport == sport &&
			    ct_log.ev[i].pid == (unsigned int)child)
				n++;
		CHECK(n == 1, "%zu REFDROP records from the child", n);
	}
	CHECK(peer_outcome(s, 300) == 2, "peer saw something after the child's close");
	close(d);
	e = wait_close(sport);
	REQUIRE(e, "no CLOSE record");
	check_closer(e, d, ino);
	CHECK(e->action == CT_ACT_FIN, "action %s", ct_action_name(e->action));
	CHECK(peer_outcome(s, 3000) == 0, "peer got no FIN");
	close(s);
	close(l);
	return ct_finish();
}
