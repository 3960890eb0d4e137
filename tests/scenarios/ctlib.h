/* Helpers for the guest scenarios: sockets, closetrace's records, and the
 * kernel's own tracepoints (tracefs) as an independent observer. */
#ifndef CTLIB_H
#define CTLIB_H

#include <stdbool.h>
#include <stdio.h>
#include <netinet/in.h>
#include "ct_abi.h"
#include "ct_classify.h"
#include "ct_format.h"

extern int ct_failures;
/* Count a failed check and say it on stderr; ct_finish() says the first
 * few again after the records, so the end of a log names the cause. */
void ct_check_fail(const char *file, int line, const char *cond, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
#define CHECK(cond, ...) do {						\
	if (!(cond))							\
		ct_check_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);	\
} while (0)
#define REQUIRE(cond, ...) do {						\
	bool ok__ = (cond);						\
	CHECK(ok__, __VA_ARGS__);					\
	if (!ok__)							\
		return ct_finish();					\
} while (0)

/* Start a scenario: open closetrace's events, discard old records, start
 * the tracefs observer, snapshot the kernel's MIB counters. */
void ct_start(const char *name);
/* Check the MIB counters against the records (mib_check), print the verdict;
 * returns the exit status. */
int ct_finish(void);

/*
 * The kernel's own MIB counters (/proc/net/netstat TcpExt, /proc/net/snmp
 * Tcp), an oracle closetrace does not share. ct_finish() requires the
 * records read since ct_start() to account for every delta through
 * mib_expected(), the mapping docs/how-close-works.md documents.
 */
enum mib_key {
	MIB_ABORT_ON_CLOSE,	/* TcpExt TCPAbortOnClose */
	MIB_ABORT_ON_DATA,	/* TcpExt TCPAbortOnData */
	MIB_ABORT_ON_LINGER,	/* TcpExt TCPAbortOnLinger */
	MIB_ABORT_ON_MEMORY,	/* TcpExt TCPAbortOnMemory */
	MIB_ABORT_ON_TIMEOUT,	/* TcpExt TCPAbortOnTimeout */
	MIB_ABORT_FAILED,	/* TcpExt TCPAbortFailed */
	MIB_OUT_RSTS,		/* Tcp OutRsts */
	MIB_N
};
struct mib {
	long long v[MIB_N];
};
extern const char *const mib_names[MIB_N];
/* Any counter of /proc/net/snmp or /proc/net/netstat: the line pair of
 * prefix ("Tcp", "Icmp", "TcpExt"), the column name; -1 if absent. */
long long net_counter(const char *prefix, const char *name);
/* TCP_INFO's tcpi_state (enum ct_tcp_state), -1 on error. */
int tcp_state(int fd);
/* Read the counters now; exits with status 2 if one is missing. */
void mib_read(struct mib *m);
/* What records ev[0..n) say the counters must have moved by. */
void mib_expected(const struct ct_event *ev, size_t n, struct mib *exp);
/*
 * The kernel's sockets as /proc/net/tcp and tcp6 list them (the tables ss
 * reads too): a timewait socket shows its substate and timer 3. ct_finish()
 * requires every TIMEWAIT record to have its timewait socket there and
 * every timewait socket of a connection closetrace saw to have its record.
 */
struct proc_tcp {
	int family;
	unsigned char saddr[16], daddr[16];
	int sport, dport;
	int state;		/* enum ct_tcp_state (a timewait's substate) */
	int timer;		/* 0 none, 1 retransmit, 2 keepalive, 3 timewait, 4 probe */
	long when_ms;		/* time left on the timer */
	unsigned long tx_queue;	/* full sockets: write_seq - snd_una (a queued FIN counts 1) */
};
/* All of them; returns how many (at most max). */
size_t proc_tcp_read(struct proc_tcp *out, size_t max);
/* Timewait sockets (timer 3) now of a connection with a port in [lo, hi]
 * (closetrace follows each to its end: preclose_tracked counts them). */
size_t proc_tcp_timewaits(int lo, int hi);
/* The one of ev's connection among p[0..n), or NULL. */
const struct proc_tcp *proc_tcp_of(const struct proc_tcp *p, size_t n,
				   const struct ct_event *ev);
bool tw_check(void);		/* called by ct_finish() */

/*
 * The wire: Debian's tcpdump captures loopback from ct_start() on. At
 * ct_finish() the FINs and RSTs each recorded close's socket put on the
 * wire must match its records: every RST one RESET record, and its FINs
 * the close's fins (plus one sent before the close, by shutdown or a
 * passive close), exactly when nothing was queued behind unsent data.
 */
struct wire_seg {
	int family;
	unsigned char src[16], dst[16];
	int sport, dport;
	unsigned int seq, len;	/* len: payload bytes */
	unsigned char flags;	/* TCP flags: 0x01 FIN, 0x04 RST */
};
/*
 * Read the capture so far; returns how many TCP segments (more than max:
 * the scenario stops, exit 2). max 0: only wire_sync()'s marks are read.
 */
size_t wire_read(struct wire_seg *out, size_t max);
/*
 * Wait until the capture holds every packet sent before the call (tcpdump
 * writes some time after the kernel sent): read it mid-scenario only after.
 */
void wire_sync(void);
/* RSTs the kernel sends on close's 4-tuple from no socket (say why). */
void wire_allow(const struct ct_event *close, unsigned int rsts, const char *why);
bool wire_check(void);		/* called by ct_finish() */
/* The RSTs allowed for close_id by wire_allow() (why: the last reason). */
unsigned int wire_allowed_rsts(unsigned long long close_id, const char **why);
/* Segments the peer sent to this close's port after the close's RST went
 * out (crossing it): the kernel answers each with a RST from no socket. */
unsigned int wire_crossed_rst(const struct ct_event *e);

/*
 * The BPF oracle (ct_oracle.bpf.c, ctbpf.c): bpftool loads a BPF program
 * counting, per connection, the kernel's calls to tcp_send_fin,
 * tcp_send_active_reset and tcp_v4/v6_send_reset. At ct_finish() each
 * recorded close's counts must match its records: its RESET records
 * without and with the reply flag, its fins. Kernels without BTF cannot
 * run it: bpf_skipped() says why (and every verdict line says so).
 */
void bpf_start(void);		/* called by ct_start() */
void bpf_load(void);		/* called by ct_finish() */
bool bpf_check(void);		/* called by ct_finish() */
const char *bpf_skipped(void);
/* bpf(2) with a whole union bpf_attr: the oracle's and sc_timewait_end's. */
union bpf_attr;
int ct_bpf(int cmd, union bpf_attr *a);
/* The running scenario's name. */
const char *ct_scenario(void);

/*
 * Write value to a kernel knob's file (a sysctl in /proc/sys, a debugfs
 * setting). The value it had before the first call for that path is put
 * back by knob_restore(), and at exit, whatever the scenario's end. Exits
 * with status 2 on failure.
 */
void knob_set(const char *path, const char *value);
void knob_restore(const char *path);

/* A delta the scenario causes on purpose that no closetrace record can
 * explain (say why: it is printed on a mismatch). */
void mib_allow(enum mib_key k, long long n, const char *why);
/* Compare now (retrying while records may still be on their way); false and
 * both views printed on a mismatch. Called by ct_finish(). */
bool mib_check(void);

struct ct_log {
	struct ct_event ev[16384];
	size_t n;
};
extern struct ct_log ct_log;
/* Read all records available now into ct_log (appending; what one drain
 * read is put in time order, ts_ns, stable). */
void ct_drain(void);
/* Drain until pred() holds or timeout_ms passes; returns pred(). */
bool ct_wait(bool (*pred)(void *), void *arg, int timeout_ms);
const struct ct_event *ct_find(unsigned int type, unsigned int sport,
			       unsigned int dport);
const struct ct_event *ct_find_id(unsigned int type, unsigned long long id,
				  size_t nth);
size_t ct_count_id(unsigned int type, unsigned long long id);
bool ct_has_end(void *close_id_ptr);
/* The DEATH record of the connection (sport, dport; 0: any), or NULL. */
const struct ct_event *ct_find_death(unsigned int sport, unsigned int dport);
/*
 * RSTs the kernel sent at the death of close_id's socket, before its close
 * (the DEATH records' rsts: tcp_send_active_reset, on the wire): the wire
 * and BPF oracles count them as that connection's active RSTs.
 */
unsigned int ct_death_rsts(unsigned long long close_id);
/*
 * The record with a CLOSE's connection: the CLOSE, or for a socket
 * tcp_disconnect() (connect(AF_UNSPEC)) ended before its close, which left
 * it no remote address, its DEATH. The wire and BPF oracles count by it.
 */
const struct ct_event *ct_conn_of(const struct ct_event *close);
/* The RSTs close_id's timewait socket answered segments with (TWEND rsts:
 * tcp_v4/v6_send_reset, on the wire): counted as that connection's. */
unsigned int ct_twend_rsts(unsigned long long close_id);
/* Is e of the scenario's own network namespace (or of none)? The MIB,
 * wire, BPF and /proc/net/tcp oracles see that one only. */
bool ct_own_netns(const struct ct_event *e);

/* What a socket says of itself: SIOCINQ (-1 on error), SO_COOKIE (0), and
 * this process's network namespace's inode (0). */
int sock_inq(int fd);
unsigned long long sock_cookie(int fd);
unsigned long own_netns_ino(void);

/* Sockets on loopback. */
int tcp_listener(int family, int port, int backlog);
int tcp_connect(int family, int port);
int tcp_accept(int lfd);
int local_port(int fd);
/* Peer receives: 0 = FIN (EOF), 1 = RST, 2 = nothing (timeout), -1 error. */
int peer_outcome(int fd, int timeout_ms);
/* Write to fd until the peer's window and fd's send buffer are full. */
void fill_send_queue(int fd);
/* Wait for fd to go to CLOSE (TCP_INFO); its SO_ERROR then, or 0. */
int peer_reset_error(int fd, int timeout_ms);
void msleep(int ms);
unsigned long long now_ns(void);

/* /proc/closetrace/stats: the counters the scenarios check. */
#define CT_MAXCPU 64
struct ct_stats {
	unsigned long long written[CT_MAXCPU], lost[CT_MAXCPU];
	unsigned long long closes_tcp, closes_udp, closes_unix, refdrops;
	unsigned long long events_read, events_lost, nmissed, incomplete;
	unsigned long long untracked;
	/* ABI 5: DEATH records written, sockets followed before their
	 * close now, entries not made because the table was full */
	unsigned long long deaths, preclose_tracked, preclose_full;
	/* ABI 7: TWEND records, of them tw-lost (their end went unseen) */
	unsigned long long twends, twends_lost;
};
/* Read them; exits with status 2 if the file or one of them is missing. */
void ct_read_stats(struct ct_stats *st);
/*
 * Read them at a quiet moment: every record written by then drained into
 * ct_log, none written between two reads of the counters (a close of some
 * other program, tcpdump's own, lands between a drain and a read otherwise).
 */
void ct_read_stats_quiet(struct ct_stats *st);
/* Did no CPU write or lose a record between a and b? */
bool ct_stats_ring_same(const struct ct_stats *a, const struct ct_stats *b);

/* A loopback connection: listener l on port, client c, accepted peer s. */
struct conn {
	int l, c, s, port;
	int sport, fd;		/* the client's local port and fd at close */
	unsigned long ino;	/* the client socket's inode */
};
/* rcvbuf: SO_RCVBUF of the listener (so of s), 0 for the default. */
void conn_open(struct conn *k, int family, int port, int rcvbuf);
/* Note the client's identity, clear the tracefs log, close the client. */
void conn_close_client(struct conn *k);

/* The kernel's own tracepoints, read from tracefs. */
struct tp_event {
	char kind;		/* 'S' state change, 'R' reset sent, 'D' destroyed */
	int sport, dport;
	int oldstate, newstate;	/* enum ct_tcp_state */
	int state;		/* R: socket state */
	char reason[32];	/* R: the kernel's reset reason (6.10+), or "" */
	char daddr[48], daddr6[48];	/* D: peer address fields, or "" */
};
void tp_clear(void);
size_t tp_read(struct tp_event *out, size_t max, int sport, int dport);
/* All TCP events since tp_clear(). */
size_t tp_read_all(struct tp_event *out, size_t max);
/* The events of (sport, dport) among all[0..n). */
size_t tp_select(const struct tp_event *all, size_t n, struct tp_event *out,
		 size_t max, int sport, int dport);
/* How many of tp[0..n) are of kind. */
size_t tp_count(const struct tp_event *tp, size_t n, char kind);

/* Every state change and reset the kernel reported for (sport, dport) since
 * tp_clear() must be in closetrace's records of close_id, and no others;
 * and the socket's destruction (tcp_destroy_sock) is closetrace's END. */
void check_against_kernel(unsigned long long close_id, int sport, int dport);
/* The same, against kernel events already read (tp_select). */
void check_against_events(unsigned long long close_id,
			  const struct tp_event *tp, size_t n);

/* Common checks on a CLOSE record of this process. */
void check_closer(const struct ct_event *ev, int fd, unsigned long ino);
unsigned long ino_of(int fd);
/* Find the CLOSE record for local port sport (draining up to 3 s). */
const struct ct_event *wait_close(int sport);
/* The same for the connection (sport, dport): ephemeral ports are shared
 * between connections to different peers. */
const struct ct_event *wait_close_to(int sport, int dport);
/* Wait for the END of close_id (up to ms). */
bool wait_end(unsigned long long id, int ms);

#endif
