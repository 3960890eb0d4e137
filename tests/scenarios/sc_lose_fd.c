/* Every way a socket loses its last fd, beyond close(2): dup2 onto it,
 * close_range, close-on-exec at execve, and an fd passed over a unix socket
 * and closed by the receiver. Each must give one CLOSE record (fd -1 where
 * no close(2) ran) and a FIN at the peer. Process exit: sc_exit_linger. */
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "ctlib.h"

static void expect(struct conn *k, const char *how, int fd, pid_t pid)
{
	const struct ct_event *e = wait_close(k->sport);

	CHECK(e, "%s: no CLOSE record", how);
	if (e) {
		CHECK(e->fd == fd, "%s: fd %d, expected %d", how, e->fd, fd);
		CHECK(e->pid == (unsigned int)pid, "%s: pid %u, expected %d", how, e->pid, pid);
		CHECK(e->ino == k->ino, "%s: ino", how);
		CHECK(e->action == CT_ACT_FIN, "%s: action %s", how, ct_action_name(e->action));
	}
	CHECK(peer_outcome(k->s, 3000) == 0, "%s: peer got no FIN", how);
	close(k->s);
	close(k->l);
}

static void note(struct conn *k)
{
	k->sport = local_port(k->c);
	k->ino = ino_of(k->c);
}

int main(int argc, char **argv)
{
	struct conn k;
	int sp[2], pp[2], devnull;
	pid_t child;

	if (argc > 1)	/* re-executed for the close-on-exec case */
		return 0;
	ct_start("lose-fd");

	conn_open(&k, AF_INET, 20210, 0);
	note(&k);
	devnull = open("/dev/null", O_RDONLY);
	dup2(devnull, k.c);			/* dup2 onto the socket's fd */
	close(devnull);
	close(k.c);
	expect(&k, "dup2", CT_FD_NONE, getpid());

	conn_open(&k, AF_INET, 20211, 0);
	note(&k);
	CHECK(syscall(SYS_close_range, k.c, k.c, 0) == 0, "close_range");
	expect(&k, "close_range", CT_FD_NONE, getpid());

	conn_open(&k, AF_INET, 20212, 0);
	note(&k);
	fcntl(k.c, F_SETFD, FD_CLOEXEC);
	REQUIRE(pipe(sp) == 0, "pipe");
	child = fork();
	if (child == 0) {
		char go;

		/* exec only once the parent has dropped its reference */
		if (read(sp[0], &go, 1) != 1)
			_exit(1);
		execl("/proc/self/exe", argv[0], "exec", (char *)NULL);
		_exit(127);
	}
	close(k.c);				/* the parent's reference */
	CHECK(write(sp[1], "x", 1) == 1, "pipe write");
	waitpid(child, NULL, 0);
	close(sp[0]);
	close(sp[1]);
	expect(&k, "close-on-exec", CT_FD_NONE, child);

	conn_open(&k, AF_INET, 20213, 0);
	note(&k);
	REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0 && pipe(pp) == 0, "socketpair");
	child = fork();
	if (child == 0) {
		char b;
		struct iovec iov = { &b, 1 };
		char cbuf[CMSG_SPACE(sizeof(int))];
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
				    .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
		int fd;

		close(k.c);
		/* receive only once the sender has dropped its reference */
		if (read(pp[0], &b, 1) != 1 || recvmsg(sp[1], &m, 0) != 1)
			_exit(1);
		memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&m)), sizeof(fd));
		close(fd);			/* the receiver's close(2) releases it */
		_exit(fd);
	}
	{
		char b = 'x';
		struct iovec iov = { &b, 1 };
		char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
				    .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
		struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
		int status = 0;

		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &k.c, sizeof(int));
		CHECK(sendmsg(sp[0], &m, 0) == 1, "sendmsg");
		close(k.c);			/* only a reference: in flight */
		CHECK(write(pp[1], "x", 1) == 1, "pipe write");
		waitpid(child, &status, 0);
		close(pp[0]);
		close(pp[1]);
		expect(&k, "scm-rights", WEXITSTATUS(status), child);
	}
	close(sp[0]);
	close(sp[1]);
	return ct_finish();
}
