/* A process exits with SO_LINGER {1, 5} set and its socket open: the release
 * comes from exit (no fd), linger is ignored (timeout 0), close does not
 * block. */
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "ctlib.h"

int main(void)
{
	int l, s, p[2], sport = 0;
	unsigned long ino = 0;
	const struct ct_event *e;
	pid_t child;

	ct_start("exit-linger");
	l = tcp_listener(AF_INET, 20110, 8);
	if (pipe(p))
		return 2;
	child = fork();
	if (child == 0) {
		struct linger lg = { 1, 5 };
		int c = tcp_connect(AF_INET, 20110);
		unsigned long i = ino_of(c);
		int port = local_port(c);

		setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		if (write(p[1], &port, sizeof(port)) < 0 || write(p[1], &i, sizeof(i)) < 0)
			_exit(3);
		_exit(0);	/* no close(): exit releases it */
	}
	s = tcp_accept(l);
	if (read(p[0], &sport, sizeof(sport)) != sizeof(sport) ||
	    read(p[0], &ino, sizeof(ino)) != sizeof(ino))
		return 2;
	waitpid(child, NULL, 0);
	e = wait_close(sport);
	REQUIRE(e, "no CLOSE record");
	CHECK(e->pid == (unsigned int)child, "pid %u, expected the child %d", e->pid, child);
	CHECK(e->fd == CT_FD_NONE, "fd %d for a release by exit", e->fd);
	CHECK(e->ino == ino, "ino");
	CHECK(e->flags & CT_F_EXITING, "not marked exiting");
	CHECK(e->linger_on && e->linger_sec == 5, "linger %u/%u", e->linger_on, e->linger_sec);
	CHECK(e->timeout_ms == 0, "timeout %lld: linger not ignored", (long long)e->timeout_ms);
	CHECK(!(e->flags & CT_F_LINGER_WAIT), "linger wait at exit");
	CHECK(e->action == CT_ACT_FIN, "action %s", ct_action_name(e->action));
	CHECK(peer_outcome(s, 3000) == 0, "peer got no FIN");
	close(s);
	close(l);
	return ct_finish();
}
