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
	int on = 1, off = 0, q = TCP_SEND_QUEUE, notsent = -1, outq = -1, big = 16 << 20;
	struct conn k, p, t;
	char buf[LEN] = { 0 }, rd[2 * LEN];
	const struct ct_event *e;
	unsigned long long end;
	size_t n, i, fins = 0, fin_len = 0;
	int got = 0, eof = 0;

	ct_start("fin-on-retransmit");
	conn_open(&k, AF_INET, PORT, 0);
	/*
	 * TCP's memory count moves in per-CPU batches of 1 MiB (6.0+,
	 * net.core.mem_pcpu_rsv, no less): leave 4 MiB unread at another
	 * connection's peer (its receive buffer forced past rmem_max, so the
	 * window stays open and nothing more moves on it: no probe or ACK can
	 * cross its close), then lower tcp_mem; the next charge (a new
	 * connection's send) finds TCP over tcp_mem[1].
	 */
	conn_open(&p, AF_INET, PORT + 1, 0);
	setsockopt(p.s, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
	for (i = 0; i < (4u << 20) / sizeof(chunk); i++)
		REQUIRE(write(p.c, chunk, sizeof(chunk)) == (ssize_t)sizeof(chunk), "filler write");
	end = now_ns() + 10000000000ull;
	do {
		ioctl(p.c, SIOCOUTQ, &outq);
		if (!outq)
			break;
		msleep(20);
	} while (now_ns() < end);
	REQUIRE(outq == 0, "the filler's 4 MiB not all acknowledged (%d left)", outq);
	conn_open(&t, AF_INET, PORT + 2, 0);
	knob_set(TCP_MEM, "1 1 1");
	end = now_ns() + 3000000000ull;
	while (tcp_pressure() != 1 && now_ns() < end) {
		/* More than the first skb, which is charged without a check. */
		send(t.c, chunk, sizeof(chunk), MSG_DONTWAIT);
		msleep(10);
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
	wire_sync();
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
	 * The charger: its peer reads all (past the hard limit its window was
	 * shut, and a FIN held back by it would never leave if a RST came
	 * first), then both close with FINs.
	 */
	end = now_ns() + 5000000000ull;
	while (now_ns() < end) {
		ioctl(t.c, SIOCOUTQ, &outq);
		while (recv(t.s, chunk, sizeof(chunk), MSG_DONTWAIT) > 0)
			;
		if (!outq)
			break;
		msleep(20);
	}
	CHECK(outq == 0, "the charger's data not all acknowledged (%d left)", outq);
	close(t.c);
	CHECK(peer_outcome(t.s, 3000) == 0, "the charger's peer got no FIN");
	close(t.s);
	close(t.l);
	/* The filler: a FIN, then its peer's close with 4 MiB unread, a RST. */
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
