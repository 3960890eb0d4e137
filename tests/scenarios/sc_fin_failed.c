/*
 * tcp_send_fin() without memory: no FIN at all (fin-failed).
 *
 * When the write queue is empty, tcp_send_fin() allocates an skb for the
 * FIN (GFP_ATOMIC); if that fails it returns with nothing queued, and the
 * orphan sits in FIN_WAIT1 with nothing to send. The kernel's fault
 * injection makes the allocation fail: failslab's per-task fail-nth
 * (/proc/thread-self/fail-nth) fails the Nth atomic slab allocation of the
 * closing thread. N is searched from 1 (closetrace's own context is an
 * atomic allocation of the close too), a fresh connection each time, until
 * the kernel says the FIN is missing: the orphan in FIN_WAIT1 with an
 * empty send queue (/proc/net/tcp tx_queue 0), and the peer sees no FIN.
 * Then closetrace's record must say no FIN: fins 0, reason fin-failed,
 * flag fin-failed; the BPF oracle sees tcp_send_fin called once, the wire
 * no FIN. The peer then aborts (SO_LINGER 0), which ends the orphan.
 *
 * Kernels without failslab (all but the debug kernel) cannot run it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "ctlib.h"

#define FAILSLAB "/sys/kernel/debug/failslab/"
#define PORT 20170

/* fail-nth is the task's own, and 0 once used: nothing to restore. */
static void put(const char *path, const char *v)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0 || write(fd, v, strlen(v)) != (ssize_t)strlen(v)) {
		fprintf(stderr, "fin-failed: write %s: %s\n", path, strerror(errno));
		exit(2);
	}
	close(fd);
}

static long fail_nth_left(void)
{
	char buf[32] = "";
	int fd = open("/proc/thread-self/fail-nth", O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	return n > 0 ? atol(buf) : -1;
}

int main(void)
{
	struct linger zero = { .l_onoff = 1, .l_linger = 0 };
	struct proc_tcp pt[256];
	const struct proc_tcp *o = NULL;
	const struct ct_event *e = NULL;
	struct conn k;
	char nth[16];
	int n, found = 0;

	if (access(FAILSLAB "probability", W_OK) || access("/proc/thread-self/fail-nth", W_OK)) {
		printf("SKIP fin-failed: the kernel has no failslab fault injection (CONFIG_FAILSLAB, CONFIG_FAULT_INJECTION_DEBUG_FS: the debug kernel has them)\n");
		return 0;
	}
	/* Only fail-nth: no random failures, no stack traces in dmesg. */
	knob_set(FAILSLAB "probability", "0");
	knob_set(FAILSLAB "verbose", "0");
	knob_set(FAILSLAB "ignore-gfp-wait", "Y");
	ct_start("fin-failed");
	for (n = 1; n <= 8 && !found; n++) {
		size_t np;

		conn_open(&k, AF_INET, PORT + n, 0);
		k.sport = local_port(k.c);
		k.fd = k.c;
		k.ino = ino_of(k.c);
		snprintf(nth, sizeof(nth), "%d", n);
		put("/proc/thread-self/fail-nth", nth);
		close(k.c);
		if (fail_nth_left() != 0) {
			put("/proc/thread-self/fail-nth", "0");
			CHECK(0, "N=%d: no allocation failed in the close", n);
			break;
		}
		/* A FIN queued but not sent (a failed clone) would leave within
		 * an RTO: give it time, then ask the kernel. */
		msleep(1500);
		np = proc_tcp_read(pt, sizeof(pt) / sizeof(pt[0]));
		ct_drain();
		e = ct_find(CT_EV_CLOSE, (unsigned int)k.sport, PORT + n);
		o = NULL;
		for (size_t i = 0; i < np; i++)
			if (pt[i].sport == k.sport && pt[i].dport == PORT + n)
				o = &pt[i];
		if (o && o->state == CT_TCP_FIN_WAIT1 && o->tx_queue == 0 &&
		    peer_outcome(k.s, 200) == 2) {
			found = n;
		} else {
			/* Another allocation failed (closetrace's context, then no
			 * record); the close went on: let the connection end. */
			CHECK(!e || e->fins == 1 || e->rsts, "N=%d: a record without a FIN, the kernel sent one", n);
			close(k.s);
			close(k.l);
		}
	}
	REQUIRE(found, "no N made tcp_send_fin's allocation fail");
	printf("  fin-failed: the FIN's allocation was the close's atomic allocation %d\n", found);
	REQUIRE(e, "no CLOSE record for the close whose FIN was not allocated");
	check_closer(e, k.fd, k.ino);
	CHECK(e->state_before == CT_TCP_ESTABLISHED && e->state_after == CT_TCP_FIN_WAIT1,
	      "%s -> %s", ct_state_name(e->state_before), ct_state_name(e->state_after));
	CHECK(e->action == CT_ACT_NONE && e->reason == CT_R_FIN_FAILED && e->fins == 0 &&
	      e->rsts == 0 && (e->flags & CT_F_FIN_FAILED),
	      "%s/%s fins %u flags %#x", ct_action_name(e->action), ct_reason_name(e->reason),
	      e->fins, e->flags);
	CHECK(e->pred_action == CT_ACT_FIN && (e->flags & CT_F_MISMATCH),
	      "predicted %s, flags %#x", ct_action_name(e->pred_action), e->flags);
	/* The peer aborts: its RST ends the orphan. */
	setsockopt(k.s, SOL_SOCKET, SO_LINGER, &zero, sizeof(zero));
	close(k.s);
	close(k.l);
	CHECK(wait_end(e->close_id, 3000), "no END record for the orphan");
	return ct_finish();
}
