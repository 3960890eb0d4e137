/*
 * The BPF oracle (ct_oracle.bpf.c): bpftool loads the object and pins its
 * programs and map; this file attaches the programs to their kprobes
 * through perf events (which every kernel of the matrix has, 5.10's
 * included: bpftool's autoattach pins BPF links, which kprobes get only
 * from 5.15), and at the end reads the map back with "bpftool map dump".
 */
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ctlib.h"

#define BPF_OBJ "/tests/ct_oracle.bpf.o"
#define BPF_FS "/sys/fs/bpf"
#define BPF_PROGS BPF_FS "/ct_oracle"
#define BPF_MAPS BPF_FS "/ct_oracle_maps"
#define BPF_FS_MAGIC_ 0xcafe4a11
#define BPF_MAX 65536

int ct_bpf(int cmd, union bpf_attr *a)
{
	return (int)syscall(__NR_bpf, cmd, a, sizeof(*a));
}

static const struct {
	const char *prog, *func;
} bpf_probes[] = {
	{ "ct_fin", "tcp_send_fin" },
	{ "ct_arst", "tcp_send_active_reset" },
	{ "ct_rrst4", "tcp_v4_send_reset" },
	{ "ct_rrst6", "tcp_v6_send_reset" },
};
#define BPF_NPROBES (sizeof(bpf_probes) / sizeof(bpf_probes[0]))

static int bpf_pfd[BPF_NPROBES];
static const char *bpf_skip;
static bool bpf_on, bpf_ok;

struct bpf_count {
	unsigned int lport, rport, fin, arst, rrst;
};
static struct bpf_count bpf_counts[BPF_MAX];
static size_t bpf_n;

const char *bpf_skipped(void)
{
	return bpf_skip;
}

static void bpf_die(const char *what)
{
	fprintf(stderr, "%s: the BPF oracle: %s\n", ct_scenario(), what);
	exit(2);
}

static void run(const char *cmd)
{
	int rc = system(cmd);

	if (rc) {
		fprintf(stderr, "%s: the BPF oracle: \"%s\" failed (%d)\n", ct_scenario(), cmd, rc);
		exit(2);
	}
}

static int kprobe_pmu(void)
{
	FILE *f = fopen("/sys/bus/event_source/devices/kprobe/type", "r");
	int t = -1;

	if (!f || fscanf(f, "%d", &t) != 1)
		bpf_die("no kprobe PMU (/sys/bus/event_source/devices/kprobe/type)");
	fclose(f);
	return t;
}

void bpf_start(void)
{
	struct statfs st;
	size_t i;
	int pmu;

	/* CO-RE needs the kernel's BTF: the debug kernel (tinyconfig) has
	 * neither it nor BPF. */
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		bpf_skip = "the kernel has no BTF (/sys/kernel/btf/vmlinux)";
		return;
	}
	if (statfs(BPF_FS, &st) || (unsigned long)st.f_type != BPF_FS_MAGIC_) {
		if (mount("bpf", BPF_FS, "bpf", 0, NULL))
			bpf_die("cannot mount the BPF file system on " BPF_FS);
	}
	run("rm -rf " BPF_PROGS " " BPF_MAPS);
	run("bpftool prog loadall " BPF_OBJ " " BPF_PROGS " pinmaps " BPF_MAPS);
	pmu = kprobe_pmu();
	for (i = 0; i < BPF_NPROBES; i++) {
		char path[128];
		union bpf_attr a;
		struct perf_event_attr pa;
		int pfd;

		snprintf(path, sizeof(path), BPF_PROGS "/%s", bpf_probes[i].prog);
		memset(&a, 0, sizeof(a));
		a.pathname = (uint64_t)(uintptr_t)path;
		pfd = ct_bpf(BPF_OBJ_GET, &a);
		if (pfd < 0)
			bpf_die("a pinned program is missing");
		memset(&pa, 0, sizeof(pa));
		pa.size = sizeof(pa);
		pa.type = (unsigned int)pmu;
		pa.config1 = (uint64_t)(uintptr_t)bpf_probes[i].func;	/* kprobe_func */
		bpf_pfd[i] = (int)syscall(__NR_perf_event_open, &pa, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
		if (bpf_pfd[i] < 0 || ioctl(bpf_pfd[i], PERF_EVENT_IOC_SET_BPF, pfd) ||
		    ioctl(bpf_pfd[i], PERF_EVENT_IOC_ENABLE, 0)) {
			fprintf(stderr, "%s: the BPF oracle: kprobe on %s: %s\n", ct_scenario(),
				bpf_probes[i].func, strerror(errno));
			exit(2);
		}
		close(pfd);
	}
	bpf_on = true;
}

/* Read the counts, detach, unpin (once, in ct_finish()). */
void bpf_load(void)
{
	static char out[8 << 20];
	size_t len = 0, n;
	const char *p;
	FILE *f;
	size_t i;
	int rc;

	if (!bpf_on)
		return;
	f = popen("bpftool -j map dump pinned " BPF_MAPS "/ct_counts", "r");
	if (!f)
		bpf_die("cannot run bpftool map dump");
	while (len < sizeof(out) - 1 && (n = fread(out + len, 1, sizeof(out) - 1 - len, f)) > 0)
		len += n;
	out[len] = '\0';
	rc = pclose(f);
	for (i = 0; i < BPF_NPROBES; i++)
		close(bpf_pfd[i]);
	bpf_on = false;
	run("rm -rf " BPF_PROGS " " BPF_MAPS);
	bpf_ok = !rc && out[0] == '[' && len < sizeof(out) - 1;
	if (!bpf_ok) {
		ct_check_fail(NULL, 0, NULL, "bpftool map dump (exit %d): %.200s", rc, out);
		return;
	}
	bpf_n = 0;
	for (p = out; (p = strstr(p, "\"formatted\":{\"key\":{\"lport\":")) && bpf_n < BPF_MAX; p++) {
		struct bpf_count *c = &bpf_counts[bpf_n];

		if (sscanf(p, "\"formatted\":{\"key\":{\"lport\":%u,\"rport\":%u},\"value\":{\"fin\":%u,\"arst\":%u,\"rrst\":%u",
			   &c->lport, &c->rport, &c->fin, &c->arst, &c->rrst) != 5) {
			bpf_ok = false;
			ct_check_fail(NULL, 0, NULL, "bpftool's map dump not understood: %.200s", p);
			return;
		}
		bpf_n++;
	}
}

bool bpf_check(void)
{
	int before = ct_failures;
	size_t i, j;

	if (!bpf_ok)
		return bpf_skip != NULL;
	for (i = 0; i < ct_log.n; i++) {
		const struct ct_event *e = &ct_log.ev[i], *conn;
		struct bpf_count none = { 0 };
		const struct bpf_count *c = &none;
		unsigned int arst = 0, rrst = 0, fin, allowed, drsts;
		const char *why = "";
		bool fin_before, exact = true;

		/* Its counts are by ports, whatever the namespace: the
		 * scenario's own only (another's may reuse the ports). */
		if (e->type != CT_EV_CLOSE || e->protocol != IPPROTO_TCP ||
		    e->state_before == CT_TCP_LISTEN || !ct_own_netns(e) ||
		    (e->family != AF_INET && e->family != AF_INET6))
			continue;
		conn = ct_conn_of(e);
		for (j = 0; j < bpf_n; j++) {
			if (bpf_counts[j].lport == conn->sport && bpf_counts[j].rport == conn->dport)
				c = &bpf_counts[j];
		}
		for (j = 0; j < ct_log.n; j++) {
			const struct ct_event *r = &ct_log.ev[j];

			if (r->type == CT_EV_RESET && r->close_id == e->close_id) {
				if (r->flags & CT_F_REPLY)
					rrst++;
				else
					arst++;
			}
		}
		allowed = wire_allowed_rsts(e->close_id, &why);
		/* tcp_send_active_reset at a death before the close: the
		 * DEATH record's rsts (the keepalive timer, tcp_abort). */
		drsts = ct_death_rsts(e->close_id);
		CHECK(c->arst == arst + drsts,
		      "close %llu (port %u): the kernel called tcp_send_active_reset %u times, %u RESET records on its own initiative, %u at its DEATH",
		      (unsigned long long)e->close_id, e->sport, c->arst, arst, drsts);
		/* tcp_v4/v6_send_reset for its timewait socket (TWEND's rsts). */
		rrst += ct_twend_rsts(e->close_id);
		CHECK(c->rrst == rrst + allowed,
		      "close %llu (port %u): the kernel sent %u reply RSTs (tcp_v4/v6_send_reset), %u RESET records flagged reply%s%s",
		      (unsigned long long)e->close_id, e->sport, c->rrst, rrst,
		      allowed ? ", allowed: " : "", why);
		/* tcp_send_fin runs once for the close's FIN, counted in fins
		 * unless a RST overtook it, and once before the close for a
		 * shutdown() or a passive close. */
		fin_before = e->state_before == CT_TCP_FIN_WAIT1 || e->state_before == CT_TCP_FIN_WAIT2 ||
			     e->state_before == CT_TCP_CLOSING || e->state_before == CT_TCP_LAST_ACK;
		if (e->state_before == CT_TCP_CLOSE) {
			/* Reset before its close: a FIN may have gone first. */
			fin_before = true;
			exact = false;
		}
		fin = fin_before + e->fins + !!(e->flags & CT_F_FIN_DISCARDED) +
		      !!(e->flags & CT_F_FIN_FAILED);
		/* Written at __tcp_close's entry, before its FIN: at most one. */
		if (e->flags & CT_F_NO_RETURN) {
			fin = fin_before + 1;
			exact = false;
		}
		CHECK(exact ? c->fin == fin : c->fin <= fin,
		      "close %llu (port %u): the kernel called tcp_send_fin %u times, closetrace says %u%s%s (%u before the close)",
		      (unsigned long long)e->close_id, e->sport, c->fin, e->fins,
		      (e->flags & CT_F_FIN_DISCARDED) ? " plus one discarded" :
		      (e->flags & CT_F_FIN_FAILED) ? " plus one not allocated" : "",
		      exact ? "" : " at most", fin_before);
	}
	return ct_failures == before;
}
