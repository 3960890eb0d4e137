/*
 * A connection attempt ended by an ICMP error (DEATH icmp-error).
 *
 * A connect() to a listener whose drop-all socket filter eats the SYN stays
 * in SYN_SENT. A raw TCP socket sees the SYN on loopback (its initial
 * sequence number); a raw ICMP socket then sends a destination-unreachable
 * (host unreachable) that quotes it. tcp_v4_err() finds the socket, the
 * sequence number in its window, and in SYN_SENT an error is hard: sk_err
 * EHOSTUNREACH, tcp_done(). The observers: the program's SO_ERROR, the
 * kernel's Icmp InDestUnreachs counter, and the kernel's own state change.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/filter.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>
#include "ctlib.h"

#define PORT 20508

static unsigned short csum(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	unsigned long sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (unsigned long)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (unsigned long)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((unsigned short)~sum);
}

/* The SYN of sport -> PORT seen by the raw socket: its sequence number. */
static bool syn_seq(int raw, int sport, unsigned int *seq)
{
	unsigned char pkt[2048];
	unsigned long long end = now_ns() + 3000000000ull;

	while (now_ns() < end) {
		struct pollfd p = { .fd = raw, .events = POLLIN };
		const struct iphdr *ip = (const struct iphdr *)pkt;
		const struct tcphdr *th;
		ssize_t n;

		if (poll(&p, 1, 100) <= 0)
			continue;
		n = recv(raw, pkt, sizeof(pkt), 0);
		if (n < (ssize_t)sizeof(*ip) || n < ip->ihl * 4 + (ssize_t)sizeof(*th))
			continue;
		th = (const struct tcphdr *)(pkt + ip->ihl * 4);
		if (th->syn && !th->ack && ntohs(th->source) == sport && ntohs(th->dest) == PORT) {
			*seq = ntohl(th->seq);
			return true;
		}
	}
	return false;
}

/* ICMP host unreachable quoting the SYN sport -> PORT with sequence seq. */
static bool send_unreach(int sport, unsigned int seq)
{
	struct {
		struct icmphdr icmp;
		struct iphdr ip;
		unsigned char tcp8[8];
	} m;
	struct sockaddr_in to = { .sin_family = AF_INET };
	unsigned short sp = htons(sport), dp = htons(PORT);
	unsigned int s = htonl(seq);
	int fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	bool ok;

	if (fd < 0)
		return false;
	memset(&m, 0, sizeof(m));
	m.icmp.type = ICMP_DEST_UNREACH;
	m.icmp.code = ICMP_HOST_UNREACH;
	/* The quoted datagram: the SYN as the client sent it. */
	m.ip.version = 4;
	m.ip.ihl = 5;
	m.ip.ttl = 64;
	m.ip.protocol = IPPROTO_TCP;
	m.ip.tot_len = htons(40);
	m.ip.saddr = htonl(INADDR_LOOPBACK);
	m.ip.daddr = htonl(INADDR_LOOPBACK);
	m.ip.check = csum(&m.ip, sizeof(m.ip));
	memcpy(m.tcp8, &sp, 2);
	memcpy(m.tcp8 + 2, &dp, 2);
	memcpy(m.tcp8 + 4, &s, 4);
	m.icmp.checksum = csum(&m, sizeof(m));
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = sendto(fd, &m, sizeof(m), 0, (struct sockaddr *)&to, sizeof(to)) == (ssize_t)sizeof(m);
	close(fd);
	return ok;
}

int main(void)
{
	struct sock_filter code[] = { { BPF_RET | BPF_K, 0, 0, 0 } };
	struct sock_fprog prog = { .len = 1, .filter = code };
	struct sockaddr_in a = { .sin_family = AF_INET };
	const struct ct_event *d, *e;
	unsigned long long t_before, t_seen, t_close0, t_close1, cookie;
	long long unreach0;
	unsigned int seq;
	int l, c, raw, sport, err;
	socklen_t len;
	unsigned long ino;

	ct_start("icmp-death");
	l = tcp_listener(AF_INET, PORT, 8);
	if (setsockopt(l, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog))) {
		fprintf(stderr, "icmp-death: SO_ATTACH_FILTER: %s\n", strerror(errno));
		return 2;
	}
	raw = socket(AF_INET, SOCK_RAW, IPPROTO_TCP);
	if (raw < 0) {
		fprintf(stderr, "icmp-death: raw socket: %s\n", strerror(errno));
		return 2;
	}
	c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons(PORT);
	REQUIRE(connect(c, (struct sockaddr *)&a, sizeof(a)) && errno == EINPROGRESS,
		"connect: %s", strerror(errno));
	sport = local_port(c);
	REQUIRE(syn_seq(raw, sport, &seq), "the raw socket saw no SYN from port %d", sport);
	close(raw);
	unreach0 = net_counter("Icmp", "InDestUnreachs");
	t_before = now_ns();
	REQUIRE(send_unreach(sport, seq), "sending the ICMP error: %s", strerror(errno));
	/* The program's view: the connect failed, SO_ERROR says why. */
	{
		struct pollfd p = { .fd = c, .events = POLLOUT };

		CHECK(poll(&p, 1, 3000) == 1, "the connect did not end after the ICMP error");
	}
	t_seen = now_ns();
	len = sizeof(err);
	err = -1;
	getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len);
	CHECK(err == EHOSTUNREACH, "SO_ERROR %d (%s), want EHOSTUNREACH", err, strerror(err));
	CHECK(net_counter("Icmp", "InDestUnreachs") == unreach0 + 1, "Icmp InDestUnreachs %lld -> %lld",
	      unreach0, net_counter("Icmp", "InDestUnreachs"));
	cookie = sock_cookie(c);
	ino = ino_of(c);
	msleep(200);
	t_close0 = now_ns();
	close(c);
	t_close1 = now_ns();
	close(l);

	d = NULL;
	{
		unsigned long long end = now_ns() + 3000000000ull;

		while (!(d = ct_find(CT_EV_DEATH, sport, PORT)) && now_ns() < end) {
			msleep(20);
			ct_drain();
		}
	}
	REQUIRE(d, "no DEATH record for port %d", sport);
	CHECK(d->reason == CT_R_ICMP_ERROR && d->death == CT_R_ICMP_ERROR,
	      "DEATH reason %s", ct_reason_name(d->reason));
	CHECK(d->sk_err == EHOSTUNREACH, "DEATH sk_err %d", d->sk_err);
	CHECK(d->state_before == CT_TCP_SYN_SENT && d->state_after == CT_TCP_CLOSE,
	      "DEATH %s -> %s", ct_state_name(d->state_before), ct_state_name(d->state_after));
	CHECK(d->cookie == cookie && d->ino == ino, "DEATH cookie %llu ino %llu, the socket's %llu %lu",
	      (unsigned long long)d->cookie, (unsigned long long)d->ino, cookie, ino);
	CHECK(d->ts_ns >= t_before && d->ts_ns <= t_seen, "DEATH at %llu, the ICMP sent at %llu, seen %llu",
	      (unsigned long long)d->ts_ns, t_before, t_seen);
	CHECK(d->action == CT_ACT_NONE && !d->rsts, "DEATH action %s rsts %u",
	      ct_action_name(d->action), d->rsts);
	e = wait_close_to(sport, PORT);
	REQUIRE(e, "no CLOSE record");
	CHECK(e->close_id == d->close_id && e->reason == CT_R_ALREADY_CLOSED &&
	      e->death == CT_R_ICMP_ERROR && e->sk_err == EHOSTUNREACH,
	      "CLOSE id %llu (DEATH's %llu) %s, death %s, sk_err %d",
	      (unsigned long long)e->close_id, (unsigned long long)d->close_id,
	      ct_reason_name(e->reason), ct_death_name(e->death), e->sk_err);
	CHECK(e->since_ns >= t_close0 - t_seen && e->since_ns <= t_close1 - t_before,
	      "CLOSE since_ns %llu, the program saw %llu to %llu", (unsigned long long)e->since_ns,
	      t_close0 - t_seen, t_close1 - t_before);
	return ct_finish();
}
