/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * closetrace record ABI, shared by the kernel module and userspace.
 *
 * Every record read from debugfs closetrace/events is one struct ct_event:
 * fixed size, fixed-width fields, explicit padding, no pointers. A reader
 * must check magic, version and size of every record and refuse a mismatch.
 * docs/record-format.md documents every field; keep the two in step and bump
 * CT_ABI_VERSION on any change of layout or meaning.
 */
#ifndef CT_ABI_H
#define CT_ABI_H

#include <linux/types.h>	/* the kernel's, or the uapi one in userspace */

#define CT_MAGIC	0x43545243u	/* "CRTC" little-endian: 'C','R','T','C' */
#define CT_ABI_VERSION	7

/* Record types. */
enum ct_type {
	CT_EV_CLOSE = 1,	/* a TCP socket's release: the tcp_close decision */
	CT_EV_REFDROP = 2,	/* close(2) dropped a reference; socket stays open */
	CT_EV_RELEASE = 3,	/* a non-TCP socket (UDP, raw, unix, ...) released */
	CT_EV_STATE = 4,	/* a TCP state change of a closing/closed socket */
	CT_EV_RESET = 5,	/* a RST the kernel sent for a closing/closed socket */
	CT_EV_TIMEWAIT = 6,	/* the socket handed over to a timewait socket */
	CT_EV_END = 7,		/* the socket was destroyed */
	CT_EV_LOST = 8,		/* records lost on this CPU (ring full) */
	CT_EV_DEATH = 9,	/* a connection ended before its close(2) */
	CT_EV_TWEND = 10,	/* the close's timewait socket ended */
	CT_EV_MAX
};

/* What the kernel answered with. */
enum ct_action {
	CT_ACT_NONE = 0,	/* no segment sent */
	CT_ACT_FIN = 1,
	CT_ACT_RST = 2,
	CT_ACT_MAX
};

/*
 * Why: a fixed vocabulary covering every branch of tcp_close and the later
 * fates of an orphan. docs/how-close-works.md ties each one to the kernel.
 */
enum ct_reason {
	CT_R_UNKNOWN = 0,
	CT_R_FIN = 1,			/* normal close: FIN in a new segment */
	CT_R_FIN_BEHIND_DATA = 2,	/* FIN set on the last unsent segment */
	CT_R_ABORT_UNREAD = 3,		/* unread data in the receive queue: RST */
	CT_R_ABORT_LINGER0 = 4,		/* SO_LINGER on with 0 s: disconnect */
	CT_R_LISTENER = 5,		/* listener closed, pending children reset */
	CT_R_ALREADY_CLOSED = 6,	/* state was CLOSE (reset or never used) */
	CT_R_SYN_SENT = 7,		/* connect abandoned in SYN_SENT: no FIN */
	CT_R_FIN_ALREADY_SENT = 8,	/* after shutdown(SHUT_WR) or in LAST_ACK */
	CT_R_REPAIR = 9,		/* TCP_REPAIR mode: silent disconnect */
	CT_R_ABORT_LINGER2 = 10,	/* FIN_WAIT2 with TCP_LINGER2 < 0: RST */
	CT_R_ABORT_MEMORY = 11,		/* too many orphans / memory pressure */
	CT_R_RST_REPLY = 12,		/* RST answering a segment after close */
	CT_R_RELEASE = 13,		/* non-TCP socket released */
	CT_R_REFDROP = 14,		/* only a reference dropped */
	CT_R_STATE = 15,		/* state change record */
	CT_R_TIMEWAIT = 16,		/* handed to a timewait socket */
	CT_R_DESTROYED = 17,		/* end of the socket */
	CT_R_ABORT_DATA = 18,		/* data arrived after close (RFC 1122) */
	CT_R_FIN_WAIT2_TIMEOUT = 19,	/* orphan's FIN_WAIT2 ran out: RST */
	CT_R_FIN_FAILED = 20,		/* the FIN's skb could not be allocated */
	/* DEATH: how a connection ended while its owner still held it */
	CT_R_PEER_RESET = 21,		/* a RST came in (ECONNRESET, EPIPE) */
	CT_R_REFUSED = 22,		/* a RST answered the SYN (ECONNREFUSED) */
	CT_R_RETRANSMIT_TIMEOUT = 23,	/* retransmissions ran out (tcp_retries2) */
	CT_R_SYN_TIMEOUT = 24,		/* SYN retransmissions ran out */
	CT_R_KEEPALIVE_TIMEOUT = 25,	/* keepalive probes unanswered */
	CT_R_USER_TIMEOUT = 26,		/* TCP_USER_TIMEOUT ran out */
	CT_R_PROBE_TIMEOUT = 27,	/* zero-window probes unanswered */
	CT_R_ICMP_ERROR = 28,		/* a hard ICMP error (sk_err says which) */
	CT_R_ABORTED = 29,		/* SOCK_DESTROY (ss -K): ECONNABORTED */
	CT_R_DISCONNECT = 30,		/* tcp_disconnect: connect(AF_UNSPEC) */
	CT_R_SHUTDOWN_END = 31,		/* FIN handshake done after shutdown(2) */
	CT_R_ERROR = 32,		/* another error (sk_err says which) */
	/* TWEND: how the close's timewait socket ended */
	CT_R_TW_EXPIRED = 33,		/* its timer ran out */
	CT_R_TW_REUSED = 34,		/* a connect() took its 4-tuple over */
	CT_R_TW_RESET = 35,		/* a RST came in (RFC 1337 off) */
	CT_R_TW_SYN = 36,		/* a new connection's SYN replaced it */
	CT_R_TW_ANSWERED_RST = 37,	/* it answered a segment with a RST */
	CT_R_TW_PURGED = 38,		/* its network namespace went away */
	CT_R_TW_LOST = 39,		/* its end went unseen (a hook missed) */
	CT_R_MAX
};

/*
 * The kernel's own reset reason (enum sk_rst_reason, 6.10+), mapped by name
 * to a stable value. CT_KRST_NA: this kernel does not say; CT_KRST_OTHER: a
 * reason this ABI has no name for.
 */
enum ct_krst {
	CT_KRST_NA = 0,
	CT_KRST_NOT_SPECIFIED = 1,
	CT_KRST_ABORT_ON_CLOSE = 2,
	CT_KRST_ABORT_ON_LINGER = 3,
	CT_KRST_ABORT_ON_MEMORY = 4,
	CT_KRST_TCP_STATE = 5,
	CT_KRST_ABORT_ON_DATA = 6,
	CT_KRST_OTHER = 7,
	CT_KRST_DISCONNECT_WITH_DATA = 8,
	CT_KRST_NO_SOCKET = 9,
	CT_KRST_INVALID_ACK_SEQUENCE = 10,
	CT_KRST_RFC7323_PAWS = 11,
	CT_KRST_TOO_OLD_ACK = 12,
	CT_KRST_ACK_UNSENT_DATA = 13,
	CT_KRST_TCP_FLAGS = 14,
	CT_KRST_OLD_ACK = 15,
	CT_KRST_TIMEWAIT_SOCKET = 16,
	CT_KRST_INVALID_SYN = 17,
	CT_KRST_KEEPALIVE_TIMEOUT = 18,
	CT_KRST_MPTCP_EUNSPEC = 19,
	CT_KRST_MPTCP_EMPTCP = 20,
	CT_KRST_MPTCP_ERESOURCE = 21,
	CT_KRST_MPTCP_EPROHIBIT = 22,
	CT_KRST_MPTCP_EWQ2BIG = 23,
	CT_KRST_MPTCP_EBADPERF = 24,
	CT_KRST_MPTCP_EMIDDLEBOX = 25,
	CT_KRST_ERROR = 26,
	CT_KRST_MAX
};

/* ct_event.flags */
#define CT_F_EXITING		(1u << 0)  /* closer was exiting: linger ignored */
#define CT_F_MISMATCH		(1u << 1)  /* prediction != observation */
#define CT_F_FIN_QUEUED		(1u << 2)  /* FIN rode on unsent data */
#define CT_F_DISCONNECT		(1u << 3)  /* tcp_disconnect was called */
#define CT_F_LINGER_WAIT	(1u << 4)  /* close waited for the send queue */
#define CT_F_LINGER_EXPIRED	(1u << 5)  /* ... and the linger time ran out */
#define CT_F_NO_FILE		(1u << 6)  /* socket had no file (kernel socket) */
#define CT_F_INCOMPLETE		(1u << 7)  /* a hook was missed: partial record */
#define CT_F_IN_CLOSE		(1u << 8)  /* STATE/RESET: during close(2) */
#define CT_F_IPV6_RELEASE	(1u << 9)  /* released through inet6_release */
#define CT_F_REPAIR		(1u << 10) /* socket was in repair mode */
#define CT_F_LINGER2_NEG	(1u << 11) /* TCP_LINGER2 < 0 at close */
#define CT_F_TIMEWAIT		(1u << 12) /* END: lives on as a timewait sock */
#define CT_F_NOT_OBSERVED	(1u << 13) /* an outcome hook is absent */
#define CT_F_DEFERRED_PUT	(1u << 14) /* final fput deferred to task work */
#define CT_F_REPLY		(1u << 15) /* RESET: answered a segment */
#define CT_F_AFTER_END		(1u << 16) /* RESET: sent after the END */
#define CT_F_LINGER_INTERRUPTED	(1u << 17) /* a signal ended the linger wait */
#define CT_F_FIN_DISCARDED	(1u << 18) /* the queued FIN went unsent: a RST */
#define CT_F_SNAP_LOCKED	(1u << 19) /* snapshot taken with the lock held */
#define CT_F_NO_RETURN		(1u << 20) /* tcp_close's entry/return missed */
#define CT_F_FIN_FAILED		(1u << 21) /* tcp_send_fin queued no FIN */
#define CT_F_FIN_RETRANSMIT	(1u << 22) /* FIN set on a sent skb: leaves with its retransmit */
#define CT_F_COUNT		23

/* TCP states, as the kernel numbers them (include/net/tcp_states.h). */
enum ct_tcp_state {
	CT_TCP_NONE = 0,
	CT_TCP_ESTABLISHED = 1,
	CT_TCP_SYN_SENT,
	CT_TCP_SYN_RECV,
	CT_TCP_FIN_WAIT1,
	CT_TCP_FIN_WAIT2,
	CT_TCP_TIME_WAIT,
	CT_TCP_CLOSE,
	CT_TCP_CLOSE_WAIT,
	CT_TCP_LAST_ACK,
	CT_TCP_LISTEN,
	CT_TCP_CLOSING,
	CT_TCP_NEW_SYN_RECV,
	CT_TCP_MAX_STATES
};

#define CT_COMM_LEN 16
#define CT_FD_NONE (-1)

/* 264 bytes; every field naturally aligned; pad fields are always zero. */
struct ct_event {
	__u32 magic;		/* CT_MAGIC */
	__u16 version;		/* CT_ABI_VERSION */
	__u16 type;		/* enum ct_type */
	__u32 size;		/* sizeof(struct ct_event) */
	__u32 cpu;		/* CPU that wrote the record */
	__u64 ts_ns;		/* CLOCK_MONOTONIC, ns */
	__u64 close_id;		/* correlates a close and its aftermath */
	__u64 ino;		/* socket inode number (as ss -e shows) */
	__u32 pid;		/* closer's tgid (the process) */
	__u32 tid;		/* closer's pid (the thread) */
	char comm[CT_COMM_LEN];	/* closer's comm, NUL-padded */
	__s32 fd;		/* fd closed, or CT_FD_NONE */
	__u16 family;		/* AF_INET, AF_INET6, AF_UNIX, ... */
	__u16 protocol;		/* IPPROTO_TCP, IPPROTO_UDP, ... (0 unix) */
	__u16 sock_type;	/* SOCK_STREAM, SOCK_DGRAM, ... */
	__u16 sport;		/* host byte order */
	__u16 dport;		/* host byte order */
	__u16 pad0;
	__u8 saddr[16];		/* IPv4 in the first 4 bytes */
	__u8 daddr[16];
	__u8 state_before;	/* enum ct_tcp_state; STATE: old state */
	__u8 state_after;	/* enum ct_tcp_state; STATE: new state */
	__u8 action;		/* enum ct_action, observed */
	__u8 reason;		/* enum ct_reason, observed */
	__u8 pred_action;	/* enum ct_action, predicted at entry */
	__u8 pred_reason;	/* enum ct_reason, predicted at entry */
	__u8 krst;		/* enum ct_krst: the kernel's own reason */
	__u8 linger_on;		/* SO_LINGER l_onoff */
	__u32 linger_sec;	/* SO_LINGER l_linger (seconds) */
	__u32 flags;		/* CT_F_* */
	__u32 unread;		/* bytes unread in the receive queue */
	__u32 unsent;		/* bytes queued, not yet sent */
	__u32 unacked;		/* bytes sent, not yet acknowledged */
	__u32 refs;		/* REFDROP: references left; CLOSE: children */
	__u32 fins;		/* FINs the close sent */
	__u32 rsts;		/* RSTs the close sent */
	__s32 linger2;		/* TCP_LINGER2 (seconds; <0 abort) */
	__u32 uid;		/* ABI 6: socket's owner uid (as ss -e shows) */
	__s64 timeout_ms;	/* timeout tcp_close was given */
	__u64 blocked_ns;	/* how long close blocked in tcp_close */
	__u64 count;		/* LOST: records lost; END: ns since close */
	/* ABI 4: who and where, and tcp_info's counters */
	__u64 cookie;		/* the socket's cookie (SO_COOKIE, ss -e) */
	__u64 cgroup_id;	/* closer's cgroup v2 id; 0 without cgroups */
	__u32 netns;		/* the socket's network namespace (its inode) */
	__u32 vpid;		/* closer's tgid in its own pid namespace */
	__u64 bytes_acked;	/* CLOSE: at tcp_close entry; END: at the end */
	__u64 bytes_received;
	__u32 segs_in;
	__u32 segs_out;
	__u32 total_retrans;
	__u32 srtt_us;		/* smoothed RTT, us (tcpi_rtt) */
	/* ABI 5: endings before close(2) */
	__u64 since_ns;		/* CLOSE: ns since the death or CLOSE_WAIT */
	__s32 sk_err;		/* DEATH, CLOSE after one: sk_err at the death */
	__u8 death;		/* CLOSE: enum ct_reason of an earlier DEATH */
	__u8 retransmits;	/* DEATH: icsk_retransmits or probes_out */
	__u16 pad2;
	__u64 lifetime_ns;	/* from the connection's birth; 0: not seen */
};

_Static_assert(sizeof(struct ct_event) == 264, "ct_event layout changed");

#endif /* CT_ABI_H */
