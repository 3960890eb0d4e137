/*
 * The FIN set on a sent segment (fin-retransmit).
 *
 * Under TCP memory pressure, tcp_send_fin() with nothing unsent puts the
 * FIN on the last sent, unacknowledged skb instead of allocating one: it
 * leaves only with that segment's retransmission. Loopback acknowledges at
 * once, so the data is written in TCP_REPAIR mode (the send queue's skbs
 * are taken as sent without being transmitted), repair mode is left, and
 * tcp_mem is lowered to "1 1 1" so the next charge puts TCP under memory
 * pressure (the kernel says so in /proc/net/protocols). Then the close: the
 * FIN rides on the 100 bytes, which leave on the retransmission timer. The
 * wire shows one FIN, carrying the 100 bytes.
 */
#include <errno.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/sockios.h>
#include <unistd.h>
#include "ctlib.h"

#define TCP_MEM "/proc/sys/net/ipv4/tcp_mem"
#define PORT 20180
#define LEN 100

#ifndef TCP_SEND_QUEUE
#define TCP_SEND_QUEUE 2
#endif

/* The kernel's word on TCP memory pressure (/proc/net/protocols). */
static int tcp_pressure(void)
{
	FILE *f = fopen("/proc/net/protocols", "r");
	char line[512], name[32], press[8];
	int v = -1;

	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%31s %*s %*s %*s %7s", name, press) == 2 && !strcmp(name, "TCP"))
			v = !strcmp(press, "yes");
	}
	if (f)
		fclose(f);
	return v;
}

static struct wire_seg segs[65536];
static char chunk[65536];

int main(void)
{
	int on = 1, off = 0, q = TCP_SEND_QUEUE, notsent = -1, outq = -1, big = 8 << 20;
	struct conn k, p;
	char buf[LEN] = { 0 }, rd[2 * LEN];
	const struct ct_event *e;
	unsigned long long end;
	size_t n, i, fins = 0, fin_len = 0;
	int got = 0, eof = 0;

	ct_start("fin-on-retransmit");
	conn_open(&k, AF_INET, PORT, 0);
	/*
	 * TCP's memory count moves in per-CPU batches of 1 MiB (6.0+,
	 * net.core.mem_pcpu_rsv, no less): queue 16 MiB on another connection
	 * (past wmem_max/rmem_max: the FORCE options), then lower tcp_mem;
	 * the next charge (a new connection's send) finds TCP over tcp_mem[1].
	 */
	conn_open(&p, AF_INET, PORT + 1, 0);
	setsockopt(p.s, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
	setsockopt(p.c, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big));
	fill_send_queue(p.c);
	knob_set(TCP_MEM, "1 1 1");
	end = now_ns() + 3000000000ull;
	while (tcp_pressure() != 1 && now_ns() < end) {
		struct conn t;

		/* More than the first skb, which is charged without a check. */
		conn_open(&t, AF_INET, PORT + 2, 0);
		send(t.c, chunk, sizeof(chunk), MSG_DONTWAIT);
		msleep(10);
		close(t.c);
		close(t.s);
		close(t.l);
	}
	if (tcp_pressure() != 1)
		knob_restore(TCP_MEM);
	REQUIRE(tcp_pressure() == 1, "TCP is not under memory pressure (/proc/net/protocols)");
	/* Quickly, well within the retransmission timeout. */
	REQUIRE(!setsockopt(k.c, IPPROTO_TCP, TCP_REPAIR, &on, sizeof(on)), "TCP_REPAIR: %s",
		strerror(errno));
	REQUIRE(!setsockopt(k.c, IPPROTO_TCP, TCP_REPAIR_QUEUE, &q, sizeof(q)), "TCP_REPAIR_QUEUE");
	REQUIRE(write(k.c, buf, LEN) == LEN, "write in repair mode: %s", strerror(errno));
	REQUIRE(!setsockopt(k.c, IPPROTO_TCP, TCP_REPAIR, &off, sizeof(off)), "TCP_REPAIR off");
	/* The kernel's view: 100 bytes in flight, none unsent. */
	ioctl(k.c, SIOCOUTQ, &outq);
	ioctl(k.c, SIOCOUTQNSD, &notsent);
	REQUIRE(outq == LEN && notsent == 0, "SIOCOUTQ %d, SIOCOUTQNSD %d", outq, notsent);
	conn_close_client(&k);
	knob_restore(TCP_MEM);
	/* The data and the FIN arrive with the retransmission. */
	end = now_ns() + 10000000000ull;
	while (!eof && now_ns() < end) {
		ssize_t r = recv(k.s, rd, sizeof(rd), MSG_DONTWAIT);

		if (r > 0)
			got += (int)r;
		else if (r == 0)
			eof = 1;
		else
			msleep(20);
	}
	CHECK(got == LEN && eof, "peer read %d bytes, eof %d", got, eof);
	e = wait_close(k.sport);
	REQUIRE(e, "no CLOSE record");
	check_closer(e, k.fd, k.ino);
	CHECK(e->action == CT_ACT_FIN && e->reason == CT_R_FIN_BEHIND_DATA && e->fins == 1 &&
	      e->unsent == 0 && (e->flags & CT_F_FIN_QUEUED) && (e->flags & CT_F_FIN_RETRANSMIT),
	      "%s/%s fins %u unsent %u flags %#x", ct_action_name(e->action),
	      ct_reason_name(e->reason), e->fins, e->unsent, e->flags);
	/* The wire: one FIN from the client, on the segment with the data. */
	n = wire_read(segs, sizeof(segs) / sizeof(segs[0]));
	for (i = 0; i < n; i++) {
		if (segs[i].sport == k.sport && segs[i].dport == PORT && (segs[i].flags & 0x01)) {
			fins++;
			fin_len = segs[i].len;
		}
	}
	CHECK(fins >= 1 && fin_len == LEN, "the client's FIN on the wire: %zu segment(s), the last with %zu bytes",
	      fins, fin_len);
	CHECK(wait_end(e->close_id, 8000), "no END record");
	close(k.s);
	close(k.l);
	/*
	 * The filler: its client aborts (a RST, abort-linger0) before its
	 * peer, which holds megabytes unread, closes already reset: so no
	 * data reaches a socket that is gone, which would answer from none.
	 */
	{
		struct linger zero = { .l_onoff = 1, .l_linger = 0 };

		setsockopt(p.c, SOL_SOCKET, SO_LINGER, &zero, sizeof(zero));
	}
	close(p.c);
	msleep(100);
	close(p.s);
	close(p.l);
	/* Leave no memory pressure behind for the next scenario. */
	end = now_ns() + 5000000000ull;
	while (tcp_pressure() == 1 && now_ns() < end)
		msleep(50);
	CHECK(tcp_pressure() == 0, "TCP still under memory pressure");
	return ct_finish();
}
