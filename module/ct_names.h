/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The names of the record's enumerations, each listed once as
 * FN(value, "name") ... FNe(last, "name"): ct_classify.c builds its name
 * tables from these lists (the reader's text, JSON and CSV, debugfs), and
 * the trace events (trace/closetrace.h) their __print_symbolic() tables
 * and TRACE_DEFINE_ENUM()s, so the names cannot drift apart.
 */
#ifndef CT_NAMES_H
#define CT_NAMES_H

#include "ct_abi.h"

/* A list as one macro call: FN(a) FN(b) ... FNe(z). */
#define CT_SEQ(...) __VA_ARGS__

#define CT_STATE_NAMES(FN, FNe)						\
	CT_SEQ(FN(CT_TCP_NONE, "-")					\
	FN(CT_TCP_ESTABLISHED, "ESTABLISHED")				\
	FN(CT_TCP_SYN_SENT, "SYN_SENT")					\
	FN(CT_TCP_SYN_RECV, "SYN_RECV")					\
	FN(CT_TCP_FIN_WAIT1, "FIN_WAIT1")				\
	FN(CT_TCP_FIN_WAIT2, "FIN_WAIT2")				\
	FN(CT_TCP_TIME_WAIT, "TIME_WAIT")				\
	FN(CT_TCP_CLOSE, "CLOSE")					\
	FN(CT_TCP_CLOSE_WAIT, "CLOSE_WAIT")				\
	FN(CT_TCP_LAST_ACK, "LAST_ACK")					\
	FN(CT_TCP_LISTEN, "LISTEN")					\
	FN(CT_TCP_CLOSING, "CLOSING")					\
	FNe(CT_TCP_NEW_SYN_RECV, "NEW_SYN_RECV"))

#define CT_ACTION_NAMES(FN, FNe)					\
	CT_SEQ(FN(CT_ACT_NONE, "NONE")					\
	FN(CT_ACT_FIN, "FIN")						\
	FNe(CT_ACT_RST, "RST"))

#define CT_REASON_NAMES(FN, FNe)					\
	CT_SEQ(FN(CT_R_UNKNOWN, "unknown")				\
	FN(CT_R_FIN, "fin")						\
	FN(CT_R_FIN_BEHIND_DATA, "fin-behind-data")			\
	FN(CT_R_ABORT_UNREAD, "abort-unread")				\
	FN(CT_R_ABORT_LINGER0, "abort-linger0")				\
	FN(CT_R_LISTENER, "listener")					\
	FN(CT_R_ALREADY_CLOSED, "already-closed")			\
	FN(CT_R_SYN_SENT, "syn-sent")					\
	FN(CT_R_FIN_ALREADY_SENT, "fin-already-sent")			\
	FN(CT_R_REPAIR, "repair")					\
	FN(CT_R_ABORT_LINGER2, "abort-linger2")				\
	FN(CT_R_ABORT_MEMORY, "abort-memory")				\
	FN(CT_R_RST_REPLY, "rst-reply")					\
	FN(CT_R_RELEASE, "release")					\
	FN(CT_R_REFDROP, "refdrop")					\
	FN(CT_R_STATE, "state")						\
	FN(CT_R_TIMEWAIT, "timewait")					\
	FN(CT_R_DESTROYED, "destroyed")					\
	FN(CT_R_ABORT_DATA, "abort-data")				\
	FN(CT_R_FIN_WAIT2_TIMEOUT, "fin-wait2-timeout")			\
	FN(CT_R_FIN_FAILED, "fin-failed")				\
	FN(CT_R_PEER_RESET, "peer-reset")				\
	FN(CT_R_REFUSED, "refused")					\
	FN(CT_R_RETRANSMIT_TIMEOUT, "retransmit-timeout")		\
	FN(CT_R_SYN_TIMEOUT, "syn-timeout")				\
	FN(CT_R_KEEPALIVE_TIMEOUT, "keepalive-timeout")			\
	FN(CT_R_USER_TIMEOUT, "user-timeout")				\
	FN(CT_R_PROBE_TIMEOUT, "zero-window-timeout")			\
	FN(CT_R_ICMP_ERROR, "icmp-error")				\
	FN(CT_R_ABORTED, "aborted")					\
	FN(CT_R_DISCONNECT, "disconnect")				\
	FN(CT_R_SHUTDOWN_END, "shutdown-end")				\
	FN(CT_R_ERROR, "error")						\
	FN(CT_R_TW_EXPIRED, "tw-expired")				\
	FN(CT_R_TW_REUSED, "tw-reused")					\
	FN(CT_R_TW_RESET, "tw-reset")					\
	FN(CT_R_TW_SYN, "tw-syn")					\
	FN(CT_R_TW_ANSWERED_RST, "tw-answered-rst")			\
	FN(CT_R_TW_PURGED, "tw-purged")					\
	FNe(CT_R_TW_LOST, "tw-lost"))

#define CT_TYPE_NAMES(FN, FNe)						\
	CT_SEQ(FN(CT_EV_CLOSE, "CLOSE")					\
	FN(CT_EV_REFDROP, "REFDROP")					\
	FN(CT_EV_RELEASE, "RELEASE")					\
	FN(CT_EV_STATE, "STATE")					\
	FN(CT_EV_RESET, "RESET")					\
	FN(CT_EV_TIMEWAIT, "TIMEWAIT")					\
	FN(CT_EV_END, "END")						\
	FN(CT_EV_LOST, "LOST")						\
	FN(CT_EV_DEATH, "DEATH")					\
	FNe(CT_EV_TWEND, "TWEND"))

#define CT_KRST_NAMES(FN, FNe)						\
	CT_SEQ(FN(CT_KRST_NA, "-")					\
	FN(CT_KRST_NOT_SPECIFIED, "NOT_SPECIFIED")			\
	FN(CT_KRST_ABORT_ON_CLOSE, "TCP_ABORT_ON_CLOSE")		\
	FN(CT_KRST_ABORT_ON_LINGER, "TCP_ABORT_ON_LINGER")		\
	FN(CT_KRST_ABORT_ON_MEMORY, "TCP_ABORT_ON_MEMORY")		\
	FN(CT_KRST_TCP_STATE, "TCP_STATE")				\
	FN(CT_KRST_ABORT_ON_DATA, "TCP_ABORT_ON_DATA")			\
	FN(CT_KRST_OTHER, "OTHER")					\
	FN(CT_KRST_DISCONNECT_WITH_DATA, "TCP_DISCONNECT_WITH_DATA")	\
	FN(CT_KRST_NO_SOCKET, "NO_SOCKET")				\
	FN(CT_KRST_INVALID_ACK_SEQUENCE, "TCP_INVALID_ACK_SEQUENCE")	\
	FN(CT_KRST_RFC7323_PAWS, "TCP_RFC7323_PAWS")			\
	FN(CT_KRST_TOO_OLD_ACK, "TCP_TOO_OLD_ACK")			\
	FN(CT_KRST_ACK_UNSENT_DATA, "TCP_ACK_UNSENT_DATA")		\
	FN(CT_KRST_TCP_FLAGS, "TCP_FLAGS")				\
	FN(CT_KRST_OLD_ACK, "TCP_OLD_ACK")				\
	FN(CT_KRST_TIMEWAIT_SOCKET, "TCP_TIMEWAIT_SOCKET")		\
	FN(CT_KRST_INVALID_SYN, "INVALID_SYN")				\
	FN(CT_KRST_KEEPALIVE_TIMEOUT, "TCP_KEEPALIVE_TIMEOUT")		\
	FN(CT_KRST_MPTCP_EUNSPEC, "MPTCP_RST_EUNSPEC")			\
	FN(CT_KRST_MPTCP_EMPTCP, "MPTCP_RST_EMPTCP")			\
	FN(CT_KRST_MPTCP_ERESOURCE, "MPTCP_RST_ERESOURCE")		\
	FN(CT_KRST_MPTCP_EPROHIBIT, "MPTCP_RST_EPROHIBIT")		\
	FN(CT_KRST_MPTCP_EWQ2BIG, "MPTCP_RST_EWQ2BIG")			\
	FN(CT_KRST_MPTCP_EBADPERF, "MPTCP_RST_EBADPERF")		\
	FN(CT_KRST_MPTCP_EMIDDLEBOX, "MPTCP_RST_EMIDDLEBOX")		\
	FNe(CT_KRST_ERROR, "ERROR"))

/* ct_event.flags, in bit order (bit i is the i-th; tests/unit checks). */
#define CT_FLAG_NAMES(FN, FNe)						\
	CT_SEQ(FN(CT_F_EXITING, "exiting")				\
	FN(CT_F_MISMATCH, "mismatch")					\
	FN(CT_F_FIN_QUEUED, "fin-queued")				\
	FN(CT_F_DISCONNECT, "disconnect")				\
	FN(CT_F_LINGER_WAIT, "linger-wait")				\
	FN(CT_F_LINGER_EXPIRED, "linger-expired")			\
	FN(CT_F_NO_FILE, "no-file")					\
	FN(CT_F_INCOMPLETE, "incomplete")				\
	FN(CT_F_IN_CLOSE, "in-close")					\
	FN(CT_F_IPV6_RELEASE, "inet6")					\
	FN(CT_F_REPAIR, "repair")					\
	FN(CT_F_LINGER2_NEG, "linger2-neg")				\
	FN(CT_F_TIMEWAIT, "timewait")					\
	FN(CT_F_NOT_OBSERVED, "not-observed")				\
	FN(CT_F_DEFERRED_PUT, "deferred-put")				\
	FN(CT_F_REPLY, "reply")						\
	FN(CT_F_AFTER_END, "after-end")					\
	FN(CT_F_LINGER_INTERRUPTED, "linger-interrupted")		\
	FN(CT_F_FIN_DISCARDED, "fin-discarded")				\
	FN(CT_F_SNAP_LOCKED, "snap-locked")				\
	FN(CT_F_NO_RETURN, "no-return")					\
	FN(CT_F_FIN_FAILED, "fin-failed")				\
	FNe(CT_F_FIN_RETRANSMIT, "fin-retransmit"))

#endif /* CT_NAMES_H */
