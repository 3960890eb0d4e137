/* Host unit tests for the pure parts shared with the module: the close
 * classifier, control parsing, record validation and formatting, the walk
 * of a ring buffer page (module/ct_rbpage.h); and the
 * reader's field table, filters, time order (userspace/fields.c, decode.c,
 * order.c) and --prometheus parsing and rendering (userspace/prom.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "ct_classify.h"
#include "ct_control.h"
#include "ct_format.h"
#include "ct_names.h"
#include "ct_rbpage.h"
#include "decode.h"
#include "fields.h"
#include "order.h"
#include "prom.h"

static int pass, fail;
#define T(name, cond) do {						\
	if (cond) { pass++; } else { fail++;				\
		printf("FAIL %s (%s:%d)\n", name, __FILE__, __LINE__); }	\
} while (0)

static struct ct_verdict pred(unsigned int state, unsigned int unread,
			      unsigned int unsent, int lon, int lsec, int l2,
			      int repair)
{
	struct ct_snapshot s = { .state = state, .unread = unread, .unsent = unsent,
		.linger_on = lon, .linger_sec = lsec, .linger2 = l2, .repair = repair };

	s.reset_on_disconnect = ct_disconnect_resets(state, unsent);
	return ct_predict(&s);
}

static void test_predict(void)
{
	struct ct_verdict v;

	v = pred(CT_TCP_ESTABLISHED, 0, 0, 0, 0, 0, 0);
	T("established -> fin", v.action == CT_ACT_FIN && v.reason == CT_R_FIN);
	v = pred(CT_TCP_ESTABLISHED, 0, 10, 0, 0, 0, 0);
	T("unsent -> fin behind data", v.action == CT_ACT_FIN && v.reason == CT_R_FIN_BEHIND_DATA);
	v = pred(CT_TCP_ESTABLISHED, 5, 10, 1, 0, 0, 0);
	T("unread beats linger0", v.action == CT_ACT_RST && v.reason == CT_R_ABORT_UNREAD);
	v = pred(CT_TCP_ESTABLISHED, 0, 0, 1, 0, 0, 0);
	T("linger0 -> rst", v.action == CT_ACT_RST && v.reason == CT_R_ABORT_LINGER0);
	v = pred(CT_TCP_SYN_SENT, 0, 0, 1, 0, 0, 0);
	T("linger0 in syn_sent: no rst", v.action == CT_ACT_NONE && v.reason == CT_R_ABORT_LINGER0);
	v = pred(CT_TCP_ESTABLISHED, 0, 0, 1, 5, 0, 0);
	T("linger 5 -> fin", v.action == CT_ACT_FIN && v.reason == CT_R_FIN);
	v = pred(CT_TCP_LISTEN, 3, 0, 0, 0, 0, 0);
	T("listener first", v.action == CT_ACT_NONE && v.reason == CT_R_LISTENER);
	v = pred(CT_TCP_CLOSE, 3, 0, 0, 0, 0, 0);
	T("already closed", v.reason == CT_R_ALREADY_CLOSED);
	v = pred(CT_TCP_ESTABLISHED, 3, 0, 0, 0, 0, 1);
	T("repair before unread", v.reason == CT_R_REPAIR && v.action == CT_ACT_NONE);
	v = pred(CT_TCP_SYN_SENT, 0, 0, 0, 0, 0, 0);
	T("syn_sent", v.action == CT_ACT_NONE && v.reason == CT_R_SYN_SENT);
	v = pred(CT_TCP_CLOSE_WAIT, 0, 0, 0, 0, 0, 0);
	T("close_wait -> fin", v.action == CT_ACT_FIN && v.reason == CT_R_FIN);
	v = pred(CT_TCP_FIN_WAIT2, 0, 0, 0, 0, 0, 0);
	T("fin_wait2 -> nothing", v.action == CT_ACT_NONE && v.reason == CT_R_FIN_ALREADY_SENT);
	v = pred(CT_TCP_FIN_WAIT2, 0, 0, 0, 0, -1, 0);
	T("fin_wait2 linger2<0", v.action == CT_ACT_RST && v.reason == CT_R_ABORT_LINGER2);
	v = pred(CT_TCP_LAST_ACK, 0, 0, 0, 0, 0, 0);
	T("last_ack", v.reason == CT_R_FIN_ALREADY_SENT);
	v = pred(CT_TCP_SYN_RECV, 0, 0, 0, 0, 0, 0);
	T("syn_recv -> fin", v.action == CT_ACT_FIN);
	v = pred(CT_TCP_LAST_ACK, 0, 0, 1, 0, 0, 0);
	T("linger0 in last_ack, all sent: no rst", v.action == CT_ACT_NONE && v.reason == CT_R_ABORT_LINGER0);
	v = pred(CT_TCP_LAST_ACK, 0, 100, 1, 0, 0, 0);
	T("linger0 in last_ack with unsent: rst", v.action == CT_ACT_RST && v.reason == CT_R_ABORT_LINGER0);
	v = pred(CT_TCP_CLOSING, 0, 1, 1, 0, 0, 0);
	T("linger0 in closing with unsent: rst", v.action == CT_ACT_RST);
}

static void test_rst_reason(void)
{
	struct ct_snapshot s = { .state = CT_TCP_ESTABLISHED };
	struct ct_rst_seen r = { 0 };

	r.in_close = 1;
	s.unread = 7;
	T("rst: unread", ct_rst_reason(&s, &r) == CT_R_ABORT_UNREAD);
	s.unread = 0;
	r.pre_close = CT_TCP_ESTABLISHED;
	T("rst instead of a fin, nothing unread by our count: unread", ct_rst_reason(&s, &r) == CT_R_ABORT_UNREAD);
	s.unread = 7;
	r.fin_sent = 1;
	r.pre_close = CT_TCP_FIN_WAIT1;
	T("rst after the fin: memory", ct_rst_reason(&s, &r) == CT_R_ABORT_MEMORY);
	s.unread = 0;
	s.linger2 = -1;
	r.pre_close = CT_TCP_FIN_WAIT2;
	T("rst in fin_wait2, linger2 < 0", ct_rst_reason(&s, &r) == CT_R_ABORT_LINGER2);
	r.pre_close = CT_TCP_FIN_WAIT1;
	T("rst in fin_wait1, linger2 < 0: memory", ct_rst_reason(&s, &r) == CT_R_ABORT_MEMORY);
	r.reply = 1;
	r.pre_close = CT_TCP_FIN_WAIT2;
	T("reply after fin_wait1's ack, linger2 < 0", ct_rst_reason(&s, &r) == CT_R_ABORT_LINGER2);
	r.rcv_reset = 1;
	T("reply after tcp_reset: data", ct_rst_reason(&s, &r) == CT_R_ABORT_DATA);
	s.linger2 = 0;
	r.rcv_reset = 0;
	T("other reply", ct_rst_reason(&s, &r) == CT_R_RST_REPLY);
	r.krst = CT_KRST_ABORT_ON_DATA;
	T("kernel says data", ct_rst_reason(&s, &r) == CT_R_ABORT_DATA);
	s.linger2 = -1;
	T("kernel says data, linger2 path", ct_rst_reason(&s, &r) == CT_R_ABORT_LINGER2);
	r.krst = CT_KRST_ABORT_ON_MEMORY;
	T("kernel reason wins", ct_rst_reason(&s, &r) == CT_R_ABORT_MEMORY);
	T("kernel reason names", ct_krst_from_name("NO_SOCKET") == CT_KRST_NO_SOCKET &&
	  ct_krst_from_name("TCP_ABORT_ON_DATA") == CT_KRST_ABORT_ON_DATA &&
	  ct_krst_from_name("ERROR") == CT_KRST_ERROR && ct_krst_from_name("OTHER") < 0 &&
	  ct_krst_from_name("-") < 0 && ct_krst_from_name("NEW_ONE") < 0 &&
	  !strcmp(ct_krst_name(CT_KRST_KEEPALIVE_TIMEOUT), "TCP_KEEPALIVE_TIMEOUT"));
	memset(&r, 0, sizeof(r));
	s.linger2 = 0;
	r.pre_close = CT_TCP_FIN_WAIT2;
	T("orphan fin_wait2 on the keepalive timer", ct_rst_reason(&s, &r) == CT_R_FIN_WAIT2_TIMEOUT);
	r.krst = CT_KRST_DISCONNECT_WITH_DATA;
	T("kernel says disconnect with data", ct_rst_reason(&s, &r) == CT_R_ABORT_LINGER0 &&
	  ct_krst_agrees(CT_R_ABORT_LINGER0, 0, CT_KRST_DISCONNECT_WITH_DATA));
	memset(&r, 0, sizeof(r));
	r.in_close = 1;
	r.disconnect = 1;
	T("rst: disconnect", ct_rst_reason(&s, &r) == CT_R_ABORT_LINGER0);
	T("expected krst", ct_krst_agrees(CT_R_ABORT_UNREAD, 0, CT_KRST_ABORT_ON_CLOSE) &&
	  ct_krst_agrees(CT_R_ABORT_LINGER0, 0, CT_KRST_TCP_STATE) &&
	  ct_krst_agrees(CT_R_ABORT_LINGER2, 0, CT_KRST_ABORT_ON_LINGER) &&
	  ct_krst_agrees(CT_R_ABORT_LINGER2, 1, CT_KRST_ABORT_ON_DATA) &&
	  ct_krst_agrees(CT_R_ABORT_DATA, 1, CT_KRST_ABORT_ON_DATA) &&
	  ct_krst_agrees(CT_R_ABORT_MEMORY, 0, CT_KRST_ABORT_ON_MEMORY));
	T("unexpected krst", !ct_krst_agrees(CT_R_ABORT_UNREAD, 0, CT_KRST_TCP_STATE) &&
	  !ct_krst_agrees(CT_R_ABORT_LINGER0, 0, CT_KRST_NOT_SPECIFIED) &&
	  !ct_krst_agrees(CT_R_ABORT_LINGER2, 0, CT_KRST_ABORT_ON_DATA) &&
	  !ct_krst_agrees(CT_R_ABORT_LINGER2, 1, CT_KRST_ABORT_ON_LINGER) &&
	  !ct_krst_agrees(CT_R_ABORT_DATA, 1, CT_KRST_NA) &&
	  !ct_krst_agrees(CT_R_ABORT_MEMORY, 0, CT_KRST_OTHER));
}

static void test_observe(void)
{
	struct ct_snapshot s = { .state = CT_TCP_ESTABLISHED };
	struct ct_observed o = { 0 };
	struct ct_verdict v;

	o.fins = 1;
	v = ct_observe(&s, &o);
	T("obs fin", v.action == CT_ACT_FIN && v.reason == CT_R_FIN);
	o.fin_queued = 1;
	v = ct_observe(&s, &o);
	T("obs fin queued", v.reason == CT_R_FIN_BEHIND_DATA);
	o.fin_failed = 1;
	v = ct_observe(&s, &o);
	T("obs fin not allocated", v.action == CT_ACT_NONE && v.reason == CT_R_FIN_FAILED &&
	  !strcmp(ct_reason_name(v.reason), "fin-failed"));
	o.fin_failed = 0;
	o.rsts = 1;
	o.rst_reason = CT_R_ABORT_DATA;
	v = ct_observe(&s, &o);
	T("obs: the first rst's reason", v.action == CT_ACT_RST && v.reason == CT_R_ABORT_DATA);
	memset(&o, 0, sizeof(o));
	o.disconnect = 1;
	o.rsts = 1;
	v = ct_observe(&s, &o);
	T("obs disconnect", v.reason == CT_R_ABORT_LINGER0 && v.action == CT_ACT_RST);
	s.repair = 1;
	v = ct_observe(&s, &o);
	T("obs repair", v.reason == CT_R_REPAIR);
	T("names", !strcmp(ct_reason_name(CT_R_FIN_BEHIND_DATA), "fin-behind-data") &&
	  !strcmp(ct_state_name(CT_TCP_FIN_WAIT2), "FIN_WAIT2") &&
	  !strcmp(ct_reason_name(200), "?") && ct_reason_from_name("abort-unread") == CT_R_ABORT_UNREAD);
}

static int parse(const char *s, struct ct_command *c)
{
	return ct_parse_command(s, strlen(s), c);
}

static void test_control(void)
{
	static const char *const bad[] = { "", "\n", "garbage", "pid=", "pid=0",
		"pid=-1", "pid=4194305", "pid=12345678901", "port=0", "port=65536",
		"port=1x", "comm=", "comm=0123456789abcdef", "comm=a b", "enable\n\n",
		"enable ", " enable", "ENABLE", "filter=on", "pid=1\n2",
		"output=", "output=none", "output=RING", "output=ring ", "output=ringx",
		"output=both,ring", "output= trace", "netns=", "netns=0", "netns=4294967296",
		"netns=-1", "netns=1x", "cgroup=", "cgroup=0", "cgroup=18446744073709551616",
		"cgroup=99999999999999999999", "cgroup=123456789012345678901", "cgroup=+1",
		"uid=", "uid=-1", "uid=4294967295", "uid=4294967296", "uid=99999999999",
		"uid=18446744073709551616", "uid=1x", "uid=+1", "uid= 1", "uid=1 ",
		"uid=0x10", "uid=1\n2", "UID=1", "uid", "uid=1000\n\n" };
	struct ct_command c;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char name[64];

		snprintf(name, sizeof(name), "reject '%s'", bad[i]);
		T(name, parse(bad[i], &c) != 0);
	}
	T("NUL inside", ct_parse_command("pid=1\0", 6, &c) != 0);
	T("enable", !parse("enable\n", &c) && c.cmd == CT_CMD_ENABLE);
	T("pid", !parse("pid=4194304", &c) && c.cmd == CT_CMD_PID && c.value == 4194304);
	T("port", !parse("port=65535\n", &c) && c.cmd == CT_CMD_PORT && c.value == 65535);
	T("comm", !parse("comm=nginx", &c) && c.cmd == CT_CMD_COMM && !strcmp(c.comm, "nginx"));
	T("comm 15", !parse("comm=0123456789abcde", &c));
	T("filter=off", !parse("filter=off", &c) && c.cmd == CT_CMD_FILTER_OFF);
	T("sweep", !parse("sweep\n", &c) && c.cmd == CT_CMD_SWEEP);
	T("sweep=1 rejected", parse("sweep=1", &c) != 0);
	T("output=counters", !parse("output=counters\n", &c) && c.cmd == CT_CMD_OUTPUT &&
	  c.value == CT_CMD_OUT_COUNTERS);
	T("output=ring", !parse("output=ring", &c) && c.value == CT_CMD_OUT_RING);
	T("output=trace", !parse("output=trace", &c) && c.value == CT_CMD_OUT_TRACE);
	T("output=both", !parse("output=both", &c) && c.value == CT_CMD_OUT_BOTH);
	T("netns", !parse("netns=4026531840\n", &c) && c.cmd == CT_CMD_NETNS && c.value == 4026531840u);
	T("netns max", !parse("netns=4294967295", &c) && c.value == 4294967295u);
	T("cgroup", !parse("cgroup=23", &c) && c.cmd == CT_CMD_CGROUP && c.value64 == 23);
	T("cgroup max", !parse("cgroup=18446744073709551615", &c) &&
	  c.value64 == 18446744073709551615ull);
	/* uid: 0 is root's, a real uid; (uid_t)-1 is none */
	T("uid root", !parse("uid=0", &c) && c.cmd == CT_CMD_UID && c.value == 0);
	T("uid", !parse("uid=65534\n", &c) && c.cmd == CT_CMD_UID && c.value == 65534);
	T("uid max", !parse("uid=4294967294", &c) && c.value == 4294967294u);
	T("uid leading zeros", !parse("uid=0001000", &c) && c.value == 1000);
	{
		__u32 u = 7;

		T("parse_uid", !ct_parse_uid("1000", 4, &u) && u == 1000);
		T("parse_uid 0", !ct_parse_uid("0", 1, &u) && u == 0);
		u = 7;
		T("parse_uid empty", ct_parse_uid("", 0, &u) && u == 7);
		T("parse_uid -1", ct_parse_uid("4294967295", 10, &u) && u == 7);
		T("parse_uid garbage", ct_parse_uid("12a", 3, &u) && u == 7);
		T("parse_uid length", ct_parse_uid("10000", 3, &u) == 0 && u == 100);
	}
}

static void test_decode(void)
{
	struct ct_event ev = { .magic = CT_MAGIC, .version = CT_ABI_VERSION,
		.type = CT_EV_CLOSE, .size = sizeof(ev) };
	char msg[256], buf[CT_LINE_LEN], old[32];
	unsigned char a6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	unsigned char m6[16] = { [10] = 0xff, [11] = 0xff, 127, 0, 0, 1 };
	struct ct_match m = { .pid = -1, .port = 80, .comm = NULL, .uid = -1 };

	T("valid", ct_check_record(&ev, sizeof(ev)) == CT_OK);
	T("short", ct_check_record(&ev, sizeof(ev) - 1) == CT_ERR_SHORT);
	ev.version = 99;
	T("version", ct_check_record(&ev, sizeof(ev)) == CT_ERR_VERSION);
	ct_check_message(CT_ERR_VERSION, &ev, sizeof(ev), msg, sizeof(msg));
	snprintf(buf, sizeof(buf), "version %u", CT_ABI_VERSION);
	T("version message", strstr(msg, "version 99") && strstr(msg, buf));
	/* Records of the previous ABI (2: no no-return flag). */
	ev.version = CT_ABI_VERSION - 1;
	T("old version refused", ct_check_record(&ev, sizeof(ev)) == CT_ERR_VERSION);
	ct_check_message(CT_ERR_VERSION, &ev, sizeof(ev), msg, sizeof(msg));
	snprintf(old, sizeof(old), "version %u,", CT_ABI_VERSION - 1);
	T("old version message", strstr(msg, old) && strstr(msg, buf));
	ev.version = CT_ABI_VERSION;
	ev.magic = 1;
	T("magic", ct_check_record(&ev, sizeof(ev)) == CT_ERR_MAGIC);
	ev.magic = CT_MAGIC;
	ev.size = 10;
	T("size", ct_check_record(&ev, sizeof(ev)) == CT_ERR_SIZE);
	ev.size = sizeof(ev);
	ev.type = 77;
	T("type", ct_check_record(&ev, sizeof(ev)) == CT_ERR_TYPE);
	ev.type = CT_EV_CLOSE;

	ct_fmt_addr(buf, sizeof(buf), AF_INET6, a6, 443);
	T("ipv6 format", !strcmp(buf, "[2001:db8::1]:443"));
	ct_fmt_addr(buf, sizeof(buf), AF_INET6, m6, 80);
	T("v4-mapped", !strcmp(buf, "[::ffff:127.0.0.1]:80"));
	memset(a6, 0, 16);
	a6[15] = 1;
	ct_fmt_addr(buf, sizeof(buf), AF_INET6, a6, 1);
	T("::1", !strcmp(buf, "[::1]:1"));
	ev.family = AF_INET;
	ev.saddr[0] = 10; ev.saddr[3] = 1;
	ct_fmt_addr(buf, sizeof(buf), AF_INET, ev.saddr, 22);
	T("ipv4 format", !strcmp(buf, "10.0.0.1:22"));
	ct_fmt_flags(buf, sizeof(buf), CT_F_EXITING | CT_F_FIN_QUEUED);
	T("flags", !strcmp(buf, "exiting,fin-queued"));
	ct_fmt_flags(buf, sizeof(buf), 0);
	T("no flags", !strcmp(buf, "-"));
	ev.sport = 80;
	T("port match", ct_matches(&ev, &m));
	ev.sport = 81;
	T("port mismatch", !ct_matches(&ev, &m));
	ev.sport = 80;
	m.netns_set = true;
	m.netns = 4026531840ull;
	ev.netns = 4026531840u;
	T("netns match", ct_matches(&ev, &m));
	ev.netns = 4026532114u;
	T("netns mismatch", !ct_matches(&ev, &m));
	m.netns_set = false;
	m.cgroup_set = true;
	m.cgroup = 23;
	ev.cgroup_id = 23;
	T("cgroup match", ct_matches(&ev, &m));
	ev.cgroup_id = 1;
	T("cgroup mismatch", !ct_matches(&ev, &m));
	ev.type = CT_EV_LOST;
	T("LOST always shown", ct_matches(&ev, &m));
	m.cgroup_set = false;
	ev.sport = 81;
	ev.type = CT_EV_CLOSE;
	memcpy(ev.comm, "0123456789abcdef", 16);	/* no NUL */
	T("kv line bounded", ct_fmt_kv(buf, sizeof(buf), &ev) < (int)sizeof(buf) &&
	  strstr(buf, "comm=0123456789abcdef"));
	T("tiny buffer", ct_fmt_kv(buf, 8, &ev) <= 7 && strlen(buf) == 7);
	ev.uid = 65534;
	T("kv uid", ct_fmt_kv(buf, sizeof(buf), &ev) > 0 && strstr(buf, " vpid=0 uid=65534 "));
}

/*
 * ct_names.h's lists are in value order with no gap (the name tables are
 * indexed by value) and name what ct_classify and ct_format print.
 */
#define VAL(v, s) v,
#define NAME(v, s) s,
static void test_names(void)
{
	static const unsigned int st[] = { CT_STATE_NAMES(VAL, VAL) },
		act[] = { CT_ACTION_NAMES(VAL, VAL) },
		rsn[] = { CT_REASON_NAMES(VAL, VAL) },
		typ[] = { CT_TYPE_NAMES(VAL, VAL) },
		krst[] = { CT_KRST_NAMES(VAL, VAL) },
		fl[] = { CT_FLAG_NAMES(VAL, VAL) };
	static const char *const rsn_n[] = { CT_REASON_NAMES(NAME, NAME) },
		*const fl_n[] = { CT_FLAG_NAMES(NAME, NAME) };
	char buf[64];
	unsigned int i, ok;

	T("state names: all, in order", sizeof(st) / sizeof(st[0]) == CT_TCP_MAX_STATES);
	for (i = 0, ok = 1; i < sizeof(st) / sizeof(st[0]); i++)
		ok &= st[i] == i;
	T("state names in value order", ok);
	T("action names: all", sizeof(act) / sizeof(act[0]) == CT_ACT_MAX);
	for (i = 0, ok = 1; i < sizeof(act) / sizeof(act[0]); i++)
		ok &= act[i] == i;
	T("action names in value order", ok);
	T("reason names: all", sizeof(rsn) / sizeof(rsn[0]) == CT_R_MAX);
	for (i = 0, ok = 1; i < sizeof(rsn) / sizeof(rsn[0]); i++)
		ok &= rsn[i] == i && !strcmp(rsn_n[i], ct_reason_name(i));
	T("reason names in value order", ok);
	T("type names: all", sizeof(typ) / sizeof(typ[0]) == CT_EV_MAX - 1);
	for (i = 0, ok = 1; i < sizeof(typ) / sizeof(typ[0]); i++)
		ok &= typ[i] == i + 1;
	T("type names in value order", ok);
	T("krst names: all", sizeof(krst) / sizeof(krst[0]) == CT_KRST_MAX);
	for (i = 0, ok = 1; i < sizeof(krst) / sizeof(krst[0]); i++)
		ok &= krst[i] == i;
	T("krst names in value order", ok);
	T("flag names: all", sizeof(fl) / sizeof(fl[0]) == CT_F_COUNT);
	for (i = 0, ok = 1; i < sizeof(fl) / sizeof(fl[0]); i++) {
		ok &= fl[i] == 1u << i;
		ct_fmt_flags(buf, sizeof(buf), fl[i]);
		ok &= !strcmp(buf, fl_n[i]);
	}
	T("flag names in bit order", ok);
}

/*
 * --prometheus: a summary in the module's format (docs/summary.md),
 * parsed and rendered; and every way a summary can be refused.
 */
static const char prom_summary[] =
	"summary_version 1\n"
	"output ring\n"
	"close inet FIN fin ESTABLISHED 3\n"
	"close inet RST abort-unread ESTABLISHED 1\n"
	"close inet NONE listener LISTEN 2\n"
	"close inet6 FIN fin CLOSE_WAIT 1\n"
	"release inet 1\n"
	"release inet6 0\n"
	"release unix 4\n"
	"release other 0\n"
	"reset_sent abort-unread 1\n"
	"reset_received 2\n"
	"close_wait_entered 1\n"
	"orphan_end timewait 4\n"
	"orphan_end closed 1\n"
	"hist close_ns 0 1\n"
	"hist close_ns 1023 2\n"
	"hist close_ns 1048575 5\n"
	"hist_sum close_ns 123456789\n"
	"hist_count close_ns 8\n"
	"hist_sum linger_wait_ns 0\n"
	"hist_count linger_wait_ns 0\n"
	"hist orphan_lifetime_ns 18446744073709551615 5\n"
	"hist_sum orphan_lifetime_ns 5000000000\n"
	"hist_count orphan_lifetime_ns 5\n";
static const char prom_stats[] =
	"abi_version 5\nenabled 1\nevents_lost 7\ncpu0_written 3 cpu0_lost 0\n"
	"untracked 2\nincomplete 0\n";

/* Parse SUMMARY (with prom_stats); 0 or -1, the error in ERR. */
static int prom_parse(struct ct_prom *p, const char *summary, char *err, size_t len)
{
	char *s = strdup(summary), *t = strdup(prom_stats);
	int rc;

	ct_prom_init(p);
	rc = ct_prom_parse_summary(p, s, err, len);
	if (!rc)
		rc = ct_prom_parse_stats(p, t, err, len);
	free(s);
	free(t);
	return rc;
}

/* The sample with line FROM (a whole line, with its newline) replaced by TO. */
static const char *prom_edit(const char *from, const char *to)
{
	static char buf[4096];
	const char *at = strstr(prom_summary, from);

	if (!at)
		return NULL;
	snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(at - prom_summary), prom_summary,
		 to, at + strlen(from));
	return buf;
}

static void test_prom(void)
{
	static const struct {
		const char *from, *to, *err;	/* an edit of the sample, and the error it causes */
	} bad[] = {
		{ "summary_version 1\n", "summary_version 2\n", "summary_version 2: this closetrace reads version 1 only" },
		{ "summary_version 1\n", "", "line 1: want 'summary_version N' first" },
		{ "output ring\n", "", "no 'output' line" },
		{ "output ring\n", "output ring\noutput ring\n", "line 3: output repeated" },
		{ "output ring\n", "output disk\n", "line 2: want 'output ring|trace|both|counters'" },
		{ "release unix 4\n", "", "no 'release unix' line" },
		{ "release unix 4\n", "release unix 4\nrelease unix 4\n", "release unix repeated" },
		{ "release unix 4\n", "release unix 4x\n", "line 9: want 'release FAMILY COUNT'" },
		{ "release unix 4\n", "release unix -4\n", "want 'release FAMILY COUNT'" },
		{ "release unix 4\n", "release unix 18446744073709551616\n", "want 'release FAMILY COUNT'" },
		{ "release unix 4\n", "release bluetooth 4\n", "unknown family 'bluetooth'" },
		{ "close inet FIN fin ESTABLISHED 3\n", "close inet FIN fin ESTABLISHED\n", "want 'close FAMILY ACTION REASON STATE COUNT'" },
		{ "close inet FIN fin ESTABLISHED 3\n", "close unix FIN fin ESTABLISHED 3\n", "unknown family 'unix'" },
		{ "close inet FIN fin ESTABLISHED 3\n", "close inet SYN fin ESTABLISHED 3\n", "unknown action 'SYN'" },
		{ "close inet FIN fin ESTABLISHED 3\n", "close inet FIN because ESTABLISHED 3\n", "unknown reason 'because'" },
		{ "close inet FIN fin ESTABLISHED 3\n", "close inet FIN fin OPEN 3\n", "unknown TCP state 'OPEN'" },
		{ "close inet FIN fin ESTABLISHED 3\n", "close inet FIN fin ESTABLISHED 3\nclose inet FIN fin ESTABLISHED 3\n", "repeated" },
		{ "reset_sent abort-unread 1\n", "reset_sent nonsense 1\n", "reset_sent: unknown reason 'nonsense'" },
		{ "reset_received 2\n", "", "no 'reset_received' line" },
		{ "close_wait_entered 1\n", "close_wait_entered 1 2\n", "want 'close_wait_entered COUNT'" },
		{ "orphan_end closed 1\n", "", "no 'orphan_end closed' line" },
		{ "orphan_end closed 1\n", "orphan_end reset 1\n", "unknown end 'reset'" },
		{ "hist close_ns 1023 2\n", "hist close_ns 1024 2\n", "bucket bound 1024 is not 2^k - 1" },
		{ "hist close_ns 1023 2\n", "hist close_ns 1048575 2\n", "not in ascending order" },
		{ "hist close_ns 1023 2\n", "hist close_nanos 1023 2\n", "unknown histogram 'close_nanos'" },
		{ "hist_sum linger_wait_ns 0\n", "", "no 'hist_sum linger_wait_ns' line" },
		{ "hist_count linger_wait_ns 0\n", "", "no 'hist_count linger_wait_ns' line" },
		{ "reset_received 2\n", "reset_received 2\nrst_sent 3\n", "unknown line 'rst_sent'" },
		{ "reset_received 2\n", "reset_received 2\n \n", "an empty line" },
	};
	static const struct {
		uint64_t ns;
		const char *s;
	} secs[] = {
		{ 0, "0" }, { 1, "0.000000001" }, { 1023, "0.000001023" }, { 1500000000, "1.5" },
		{ 5000000000ull, "5" }, { UINT64_MAX, "18446744073.709551615" },
	};
	struct ct_prom *p = malloc(sizeof(*p));
	char err[256], *text = NULL, buf[64];
	size_t len = 0, i;
	FILE *f;
	int ok;

	T("prom: the reader knows the module's summary_version",
	  CT_MODULE_SUMMARY_VERSION == CT_PROM_SUMMARY_VERSION);
	T("prom: the sample parses", prom_parse(p, prom_summary, err, sizeof(err)) == 0);
	f = open_memstream(&text, &len);
	T("prom: renders", f && ct_prom_write(f, p) == 0 && fclose(f) == 0);
	T("prom: a close's counter",
	  strstr(text, "\nclosetrace_closes_total{family=\"inet\",action=\"RST\",reason=\"abort-unread\",state=\"ESTABLISHED\"} 1\n") &&
	  strstr(text, "\nclosetrace_closes_total{family=\"inet6\",action=\"FIN\",reason=\"fin\",state=\"CLOSE_WAIT\"} 1\n"));
	T("prom: HELP and TYPE",
	  strstr(text, "# HELP closetrace_closes_total ") &&
	  strstr(text, "\n# TYPE closetrace_closes_total counter\n") &&
	  strstr(text, "\n# TYPE closetrace_close_duration_seconds histogram\n"));
	T("prom: releases, resets, orphan ends, stats",
	  strstr(text, "\nclosetrace_releases_total{family=\"unix\"} 4\n") &&
	  strstr(text, "\nclosetrace_resets_sent_total{reason=\"abort-unread\"} 1\n") &&
	  strstr(text, "\nclosetrace_resets_received_total 2\n") &&
	  strstr(text, "\nclosetrace_close_wait_entered_total 1\n") &&
	  strstr(text, "\nclosetrace_orphan_ends_total{how=\"timewait\"} 4\n") &&
	  strstr(text, "\nclosetrace_lost_records_total 7\n") &&
	  strstr(text, "\nclosetrace_untracked_total 2\n") &&
	  strstr(text, "\nclosetrace_incomplete_total 0\n"));
	T("prom: cumulative buckets in seconds",
	  strstr(text, "\nclosetrace_close_duration_seconds_bucket{le=\"0\"} 1\n") &&
	  strstr(text, "\nclosetrace_close_duration_seconds_bucket{le=\"0.000000511\"} 1\n") &&
	  strstr(text, "\nclosetrace_close_duration_seconds_bucket{le=\"0.000001023\"} 3\n") &&
	  strstr(text, "\nclosetrace_close_duration_seconds_bucket{le=\"0.001048575\"} 8\n") &&
	  strstr(text, "\nclosetrace_close_duration_seconds_bucket{le=\"18446744073.709551615\"} 8\n") &&
	  strstr(text, "\nclosetrace_close_duration_seconds_bucket{le=\"+Inf\"} 8\n") &&
	  strstr(text, "\nclosetrace_close_duration_seconds_sum 0.123456789\n") &&
	  strstr(text, "\nclosetrace_close_duration_seconds_count 8\n") &&
	  strstr(text, "\nclosetrace_orphan_lifetime_seconds_bucket{le=\"9223372036.854775807\"} 0\n") &&
	  strstr(text, "\nclosetrace_orphan_lifetime_seconds_bucket{le=\"18446744073.709551615\"} 5\n") &&
	  strstr(text, "\nclosetrace_orphan_lifetime_seconds_sum 5\n") &&
	  strstr(text, "\nclosetrace_linger_wait_seconds_count 0\n"));
	for (i = 0, ok = 0; text && text[i]; i++)
		ok += text[i] == '\n' && !strncmp(text + i + 1, "closetrace_linger_wait_seconds_bucket{", 38);
	T("prom: 65 buckets and +Inf per histogram", ok == 66);
	free(text);

	/*
	 * Buckets and count read at different moments (per-CPU sums, not a
	 * snapshot): +Inf and _count are the larger, so that no bucket is
	 * above +Inf.
	 */
	T("prom: buckets ahead of hist_count parse",
	  prom_parse(p, prom_edit("hist close_ns 1023 2\n", "hist close_ns 1023 4\n"), err, sizeof(err)) == 0);
	text = NULL;
	f = open_memstream(&text, &len);
	T("prom: buckets ahead of hist_count: +Inf and _count are their total",
	  f && ct_prom_write(f, p) == 0 && fclose(f) == 0 &&
	  strstr(text, "\nclosetrace_close_duration_seconds_bucket{le=\"18446744073.709551615\"} 10\n") &&
	  strstr(text, "\nclosetrace_close_duration_seconds_bucket{le=\"+Inf\"} 10\n") &&
	  strstr(text, "\nclosetrace_close_duration_seconds_count 10\n"));
	free(text);
	T("prom: hist_count ahead of the buckets parses",
	  prom_parse(p, prom_edit("hist_count close_ns 8\n", "hist_count close_ns 11\n"), err, sizeof(err)) == 0);
	text = NULL;
	f = open_memstream(&text, &len);
	T("prom: hist_count ahead of the buckets: +Inf and _count are hist_count",
	  f && ct_prom_write(f, p) == 0 && fclose(f) == 0 &&
	  strstr(text, "\nclosetrace_close_duration_seconds_bucket{le=\"18446744073.709551615\"} 8\n") &&
	  strstr(text, "\nclosetrace_close_duration_seconds_bucket{le=\"+Inf\"} 11\n") &&
	  strstr(text, "\nclosetrace_close_duration_seconds_count 11\n"));
	free(text);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *s = prom_edit(bad[i].from, bad[i].to);
		char name[128];

		snprintf(name, sizeof(name), "prom: refused: %s", bad[i].err);
		err[0] = 0;
		T(name, s && prom_parse(p, s, err, sizeof(err)) == -1 && strstr(err, bad[i].err));
		if (s && !strstr(err, bad[i].err))
			printf("  got: %s\n", err);
	}
	{
		char st[] = "events_lost 7\nuntracked 2\n", st2[] = "events_lost 7\nuntracked x\nincomplete 0\n";

		ct_prom_init(p);
		T("prom: stats without incomplete refused",
		  ct_prom_parse_stats(p, st, err, sizeof(err)) == -1 && strstr(err, "no 'incomplete' line"));
		ct_prom_init(p);
		T("prom: stats with a bad count refused",
		  ct_prom_parse_stats(p, st2, err, sizeof(err)) == -1 && strstr(err, "line 2: untracked: 'x' is not a count"));
	}
	for (i = 0, ok = 1; i < sizeof(secs) / sizeof(secs[0]); i++) {
		ct_prom_ns_to_s(buf, sizeof(buf), secs[i].ns);
		ok &= !strcmp(buf, secs[i].s);
	}
	T("prom: nanoseconds as exact decimal seconds", ok);
	free(p);
}


static struct ct_event mkev(unsigned int type, unsigned long long ts)
{
	struct ct_event ev = { .magic = CT_MAGIC, .version = CT_ABI_VERSION,
		.type = type, .size = sizeof(ev), .ts_ns = ts, .fd = -1 };

	return ev;
}

/* The field table: every byte of the record that means something is in it. */
static void test_fields(void)
{
	struct ct_event ev = mkev(CT_EV_CLOSE, 1234567890123ull);
	static char buf[CT_TEXT_MAX * 2];
	unsigned char covered[sizeof(struct ct_event)] = { 0 };
	unsigned int i, j, n = 0;
	char *end;

	for (i = 0; i < ct_nfields; i++) {
		const struct ct_field *f = &ct_fields[i];

		T("field in the record", f->off + f->width <= sizeof(struct ct_event));
		T("field width", f->width == 1 || f->width == 2 || f->width == 4 ||
		  f->width == 8 || f->kind == CT_K_COMM || f->kind == CT_K_SRC ||
		  f->kind == CT_K_DST);
		for (j = 0; j < f->width; j++)
			covered[f->off + j] = 1;
		for (j = 0; j < i; j++)
			T("field names unique", strcmp(ct_fields[j].name, f->name));
		T("field documented", f->doc && *f->doc);
	}
	/* What no field shows: the header's magic, version, size; pad0, pad2. */
#define CT_UNSHOWN_BYTES (4 + 2 + 4 + 2 + 2)
	for (i = 0; i < sizeof(covered); i++)
		n += !covered[i];
	T("fields cover the record", n == CT_UNSHOWN_BYTES);
	if (n != CT_UNSHOWN_BYTES)
		for (i = 0; i < sizeof(covered); i++)
			if (!covered[i])
				printf("  byte %u of the record is in no field\n", i);
	ev.family = AF_INET;
	ev.saddr[0] = 127; ev.saddr[3] = 1; ev.sport = 5000;
	ev.daddr[0] = 10; ev.daddr[3] = 254; ev.dport = 80;
	ev.fd = -1;
	ev.timeout_ms = -5;
	ev.state_before = CT_TCP_ESTABLISHED;
	ev.state_after = CT_TCP_FIN_WAIT1;
	ev.action = CT_ACT_FIN;
	ev.reason = CT_R_FIN;
	ev.flags = CT_F_EXITING | CT_F_FIN_QUEUED;
	ev.bytes_acked = ~0ull;
	memcpy(ev.comm, "a\"b\\c\x01", 7);
	end = ct_put_json(buf, &ev);
	*end = 0;
	T("json ends in a newline", end[-1] == '\n' && end[-2] == '}');
	T("json fields", strstr(buf, "{\"type\":\"CLOSE\",\"ts_ns\":1234567890123,") &&
	  strstr(buf, "\"fd\":-1,") && strstr(buf, "\"timeout_ms\":-5,") &&
	  strstr(buf, "\"src\":\"127.0.0.1:5000\",\"dst\":\"10.0.0.254:80\"") &&
	  strstr(buf, "\"action\":\"FIN\",\"reason\":\"fin\"") &&
	  strstr(buf, "\"flags\":\"exiting,fin-queued\"") &&
	  strstr(buf, "\"bytes_acked\":18446744073709551615,") &&
	  strstr(buf, "\"comm\":\"a\\\"b\\\\c\\u0001\"") &&
	  strstr(buf, "\"death\":\"-\"") && strstr(buf, ",\"uid\":0}"));
	end = ct_put_csv(buf, &ev);
	*end = 0;
	T("csv flags and comm", strstr(buf, ",exiting|fin-queued,") && strstr(buf, ",a?b\\c?,"));
	n = 0;
	for (i = 0; buf[i]; i++)
		n += buf[i] == ',';
	T("csv columns", n + 1 == ct_nfields);
	end = ct_put_csv_header(buf);
	*end = 0;
	T("csv header", !strncmp(buf, "type,ts_ns,cpu,close_id,", 24) &&
	  strstr(buf, ",lifetime_ns,uid\n"));
	ev = mkev(CT_EV_LOST, 7);
	ev.count = 42;
	end = ct_put_json(buf, &ev);
	*end = 0;
	T("json LOST", !strcmp(buf, "{\"type\":\"LOST\",\"ts_ns\":7,\"cpu\":0,\"close_id\":0,\"lost\":42}\n"));
	/* The longest record: every byte 0xff (names out of range, all flags). */
	memset(&ev, 0xff, sizeof(ev));
	ev.family = AF_INET6;
	end = ct_put_json(buf, &ev);
	/* (its keys are copied CT_KEY_LEN bytes at a time: that much slack) */
	T("json bounded", end - buf + CT_KEY_LEN <= CT_TEXT_MAX);
	end = ct_put_csv(buf, &ev);
	T("csv bounded", end - buf < CT_TEXT_MAX);
	end = ct_put_u64(buf, 0);
	*end = 0;
	T("u64 0", !strcmp(buf, "0"));
	end = ct_put_s64(buf, -9223372036854775807ll - 1);
	*end = 0;
	T("s64 min", !strcmp(buf, "-9223372036854775808"));
	/* Every length: each power of ten, one less and one more, and the max. */
	{
		unsigned long long p10 = 1, v[3];
		char want[32];
		int k, j, bad = 0;

		for (k = 0; k < 20; k++, p10 *= 10) {
			v[0] = p10 - 1;
			v[1] = p10;
			v[2] = p10 + 1;
			for (j = 0; j < 3; j++) {
				end = ct_put_u64(buf, v[j]);
				*end = 0;
				snprintf(want, sizeof(want), "%llu", v[j]);
				bad += strcmp(buf, want) != 0;
			}
		}
		end = ct_put_u64(buf, ~0ull);
		*end = 0;
		bad += strcmp(buf, "18446744073709551615") != 0;
		T("u64 every length", !bad);
	}
}

static void test_filters(void)
{
	struct ct_match m = { .pid = -1, .port = -1, .uid = -1 };
	struct ct_event ev = mkev(CT_EV_CLOSE, 1);
	unsigned short ports[CT_MAX_PORTS];
	unsigned int n;
	char bad[40];

	T("ports", !ct_parse_ports("80,443,8080", ports, &n) && n == 3 && ports[2] == 8080);
	T("port 0 refused", ct_parse_ports("0", ports, &n));
	T("port 65536 refused", ct_parse_ports("65536", ports, &n));
	T("empty item refused", ct_parse_ports("80,,81", ports, &n));
	T("trailing comma refused", ct_parse_ports("80,", ports, &n));
	T("sign refused", ct_parse_ports("+80", ports, &n));
	T("too many ports", ct_parse_ports("1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33", ports, &n));
	T("net v4", !ct_parse_net("10.1.0.0/16", &m.raddr) && m.raddr.family == AF_INET &&
	  m.raddr.prefix == 16);
	T("net bad prefix", ct_parse_net("10.0.0.0/33", &m.laddr));
	T("net garbage", ct_parse_net("10.0.0.300", &m.laddr) && ct_parse_net("", &m.laddr) &&
	  ct_parse_net("1.2.3.4/", &m.laddr) && ct_parse_net("1.2.3.4/8x", &m.laddr));
	ev.family = AF_INET;
	ev.daddr[0] = 10; ev.daddr[1] = 1; ev.daddr[2] = 200;
	T("raddr in net", ct_matches(&ev, &m));
	ev.daddr[1] = 2;
	T("raddr outside net", !ct_matches(&ev, &m));
	T("net v6 /10", !ct_parse_net("fe80::/10", &m.raddr) && m.raddr.family == AF_INET6);
	ev.family = AF_INET6;
	memset(ev.daddr, 0, 16);
	ev.daddr[0] = 0xfe; ev.daddr[1] = 0xbf;
	T("v6 in /10", ct_matches(&ev, &m));
	ev.daddr[1] = 0xc0;
	T("v6 outside /10", !ct_matches(&ev, &m));
	m.raddr.family = 0;
	m.family = AF_INET;
	T("-4 drops v6", !ct_matches(&ev, &m));
	m.family = 0;
	ev.sport = 80; ev.dport = 5555;
	T("-L", !ct_parse_ports("22,80", m.lports, &m.nlports) && ct_matches(&ev, &m));
	T("-D", !ct_parse_ports("22,80", m.dports, &m.ndports) && !ct_matches(&ev, &m));
	m.nlports = m.ndports = 0;
	T("types", !ct_parse_names("close,Death", ct_type_from_name, &m.types, bad, sizeof(bad)) &&
	  m.types == (1u << CT_EV_CLOSE | 1u << CT_EV_DEATH));
	T("bad type named", ct_parse_names("close,nope", ct_type_from_name, &n, bad, sizeof(bad)) &&
	  !strcmp(bad, "nope"));
	T("empty type", ct_parse_names("close,", ct_type_from_name, &n, bad, sizeof(bad)));
	T("type passes", ct_matches(&ev, &m));
	ev.type = CT_EV_STATE;
	T("type drops", !ct_matches(&ev, &m));
	m.types = 0;
	T("actions", !ct_parse_names("rst", ct_action_from_name, &m.actions, bad, sizeof(bad)) &&
	  m.actions == 1u << CT_ACT_RST);
	T("STATE has no action", !ct_matches(&ev, &m));
	ev.type = CT_EV_RESET;
	T("RESET is a rst", ct_matches(&ev, &m));
	ev.type = CT_EV_CLOSE;
	ev.action = CT_ACT_FIN;
	T("FIN close dropped", !ct_matches(&ev, &m));
	ev.action = CT_ACT_RST;
	ev.uid = 65534;
	m.uid = 65534;
	T("uid passes", ct_matches(&ev, &m));
	m.uid = 0;
	T("uid 0 is a uid", !ct_matches(&ev, &m));
	ev.type = CT_EV_LOST;
	T("LOST passes any filter", ct_matches(&ev, &m));
}

static void test_order(void)
{
	static const unsigned long long ts[] = { 50, 10, 40, 20, 30, 10 };
	struct ct_order q;
	struct ct_event ev, out;
	unsigned long long last = 0;
	unsigned int i, n = 0;
	bool sorted = true;

	T("order init", !ct_order_init(&q, 100, 4));
	for (i = 0; i < sizeof(ts) / sizeof(ts[0]); i++) {
		ev = mkev(CT_EV_STATE, ts[i]);
		ev.close_id = i;
		if (ct_order_push(&q, &ev, &out))	/* full at 4: the oldest goes */
			n++;
	}
	T("full window lets the oldest go", n == 2 && q.forced == 2);
	/* Held now: 10 (the second), 30, 40, 50; the oldest goes at 10 + 100. */
	T("nothing ready before the window", !ct_order_pop_ready(&q, 109, &out));
	T("ready after the window", ct_order_pop_ready(&q, 110, &out) && out.ts_ns == 10);
	T("the forced one before was later", q.late == 1);
	while (ct_order_pop(&q, &out)) {
		sorted &= out.ts_ns >= last;
		last = out.ts_ns;
	}
	T("in time order", sorted && last == 50);
	ct_order_free(&q);
	/* Equal times keep arrival order; a late one is counted. */
	T("order init 2", !ct_order_init(&q, 10, 8));
	for (i = 0; i < 3; i++) {
		ev = mkev(CT_EV_STATE, 100);
		ev.close_id = i;
		ct_order_push(&q, &ev, &out);
	}
	for (i = 0; i < 3; i++)
		T("stable", ct_order_pop(&q, &out) && out.close_id == i);
	ev = mkev(CT_EV_STATE, 50);
	ct_order_push(&q, &ev, &out);
	T("late counted", ct_order_pop(&q, &out) && q.late == 1);
	ct_order_free(&q);
}

/* A ring buffer page's events, as the kernel lays them out (ct_rbpage.h). */
static unsigned char rb_page[4096] __attribute__((aligned(8)));

static struct ring_buffer_event *rb_put(unsigned int *off, unsigned int type_len,
					unsigned int delta, unsigned int len)
{
	struct ring_buffer_event *e = (void *)(rb_page + *off);

	e->type_len = type_len;
	e->time_delta = delta;
	*off += len;
	return e;
}

static void rb_put_record(unsigned int *off, unsigned long long id)
{
	struct ct_event ev = mkev(CT_EV_STATE, 1000 + id);
	struct ring_buffer_event *e = rb_put(off, 0, 7, CT_RB_EVENT_LEN);

	ev.close_id = id;
	e->array[0] = 4 + sizeof(ev);
	memcpy(&e->array[1], &ev, sizeof(ev));
}

/* Walk [0, end) as the module does: the records' close_ids into ids. */
static int rb_walk(unsigned int end, unsigned long long *ids, int max, int *last)
{
	const unsigned char *rec;
	unsigned int off = 0;
	struct ct_event ev;
	int n = 0, len = 0;

	while (off < end) {
		len = ct_rb_page_event(rb_page, off, end, &rec);
		if (len <= 0)
			break;
		if (rec && n < max) {
			memcpy(&ev, rec, sizeof(ev));
			ids[n++] = ev.close_id;
		}
		off += len;
	}
	*last = len;
	return n;
}

static void test_rbpage(void)
{
	unsigned long long ids[8];
	unsigned int off = 0, end;
	struct ring_buffer_event *e;
	int n, last;

	T("record's event length", CT_RB_EVENT_LEN == 272);
	T("15 records to a 4 KiB page", (4096 - CT_RB_PAGE_HDR) / CT_RB_EVENT_LEN == 15);
	memset(rb_page, 0, sizeof(rb_page));
	rb_put_record(&off, 1);
	e = rb_put(&off, RINGBUF_TYPE_TIME_EXTEND, 5, 8);	/* then a record */
	e->array[0] = 3;
	rb_put_record(&off, 2);
	e = rb_put(&off, RINGBUF_TYPE_PADDING, 1, 20);		/* a discarded event */
	e->array[0] = 16;
	e = rb_put(&off, RINGBUF_TYPE_TIME_STAMP, 9, 8);
	e->array[0] = 1;
	rb_put_record(&off, 3);
	end = off;
	n = rb_walk(end, ids, 8, &last);
	T("page: every record, in order", n == 3 && ids[0] == 1 && ids[1] == 2 && ids[2] == 3);
	T("page: walked to its end", last > 0);
	/* The empty padding ends the page's events. */
	rb_put(&off, RINGBUF_TYPE_PADDING, 0, 4);
	rb_put_record(&off, 4);
	n = rb_walk(off, ids, 8, &last);
	T("empty padding: the end", n == 3 && last == 0);
	/* What cannot be one of ours. */
	T("a record cut short", rb_walk(end - 4, ids, 8, &last) == 2 && last == -1);
	T("a header cut short", rb_walk(CT_RB_EVENT_LEN + 2, ids, 8, &last) == 1 && last == -1);
	off = 0;
	rb_put(&off, 5, 0, 24);					/* small data */
	T("small data event", rb_walk(off, ids, 8, &last) == 0 && last == -1);
	off = 0;
	rb_put_record(&off, 5);
	((struct ring_buffer_event *)rb_page)->array[0] = 4 + sizeof(struct ct_event) - 8;
	T("data of another length", rb_walk(off, ids, 8, &last) == 0 && last == -1);
	off = 0;
	e = rb_put(&off, RINGBUF_TYPE_PADDING, 1, 8);
	e->array[0] = 100;
	T("padding past the end", rb_walk(off, ids, 8, &last) == 0 && last == -1);
	off = 0;
	rb_put(&off, RINGBUF_TYPE_TIME_EXTEND, 1, 4);
	T("time extend cut short", rb_walk(off, ids, 8, &last) == 0 && last == -1);
}

int main(void)
{
	test_rbpage();
	test_fields();
	test_filters();
	test_order();
	test_prom();
	test_names();
	test_predict();
	test_observe();
	test_rst_reason();
	test_control();
	test_decode();
	printf("unit: %d passed, %d failed\n", pass, fail);
	return fail != 0;
}
