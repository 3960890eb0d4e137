/* Host unit tests for the pure parts shared with the module: the close
 * classifier, control parsing, record validation and formatting. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include "ct_classify.h"
#include "ct_control.h"
#include "ct_format.h"
#include "ct_names.h"
#include "decode.h"

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
		"cgroup=99999999999999999999", "cgroup=123456789012345678901", "cgroup=+1" };
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
}

static void test_decode(void)
{
	struct ct_event ev = { .magic = CT_MAGIC, .version = CT_ABI_VERSION,
		.type = CT_EV_CLOSE, .size = sizeof(ev) };
	char msg[256], buf[CT_LINE_LEN], old[32];
	unsigned char a6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	unsigned char m6[16] = { [10] = 0xff, [11] = 0xff, 127, 0, 0, 1 };
	struct ct_match m = { .pid = -1, .port = 80, .comm = NULL };

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
	ev.type = CT_EV_LOST;
	T("LOST always shown", ct_matches(&ev, &m));
	ev.type = CT_EV_CLOSE;
	memcpy(ev.comm, "0123456789abcdef", 16);	/* no NUL */
	T("kv line bounded", ct_fmt_kv(buf, sizeof(buf), &ev) < (int)sizeof(buf) &&
	  strstr(buf, "comm=0123456789abcdef"));
	T("tiny buffer", ct_fmt_kv(buf, 8, &ev) <= 7 && strlen(buf) == 7);
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

int main(void)
{
	test_names();
	test_predict();
	test_observe();
	test_rst_reason();
	test_control();
	test_decode();
	printf("unit: %d passed, %d failed\n", pass, fail);
	return fail != 0;
}
