// SPDX-License-Identifier: GPL-2.0
/*
 * The scenarios' BPF oracle: counts, per connection (local port, remote
 * port), the kernel's calls that send a FIN or a RST. Loaded and attached
 * by bpftool (prog loadall ... autoattach) from ctlib.c, read back with
 * bpftool map dump. It shares nothing with closetrace but the kernel: its
 * own kprobes (perf-event ones, through BPF), its own reading of the socket,
 * CO-RE relocated against the guest kernel's BTF.
 *
 *   fin   tcp_send_fin(sk): a FIN queued or sent (close, shutdown)
 *   arst  tcp_send_active_reset(sk): a RST on the kernel's own initiative
 *   rrst  tcp_v4/v6_send_reset(sk, skb): a RST answering skb (skipped, as
 *         the kernel skips it, when skb is itself a RST); keyed by skb's
 *         ports, since the socket may be gone (sk NULL, or inet_num 0)
 */
#include <linux/bpf.h>
#include <linux/types.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

/* Only what is read; libbpf relocates each field by name. */
struct sock_common {
	__be16 skc_dport;
} __attribute__((preserve_access_index));

struct sock {
	struct sock_common __sk_common;
} __attribute__((preserve_access_index));

/* inet_sport stays when tcp_set_state(CLOSE) zeroes inet_num (skc_num). */
struct inet_sock {
	struct sock sk;
	__be16 inet_sport;
} __attribute__((preserve_access_index));

struct sk_buff {
	unsigned char *head;
	__u16 transport_header;
} __attribute__((preserve_access_index));

struct ct_key {
	__u16 lport;
	__u16 rport;
};

struct ct_count {
	__u32 fin;
	__u32 arst;
	__u32 rrst;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct ct_key);
	__type(value, struct ct_count);
} ct_counts SEC(".maps");

static struct ct_count *counts_of(__u16 lport, __u16 rport)
{
	struct ct_key k = { .lport = lport, .rport = rport };
	struct ct_count zero = {}, *c;

	c = bpf_map_lookup_elem(&ct_counts, &k);
	if (c)
		return c;
	bpf_map_update_elem(&ct_counts, &k, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&ct_counts, &k);
}

static struct ct_count *counts_of_sk(struct sock *sk)
{
	struct inet_sock *inet = (struct inet_sock *)sk;

	return counts_of(bpf_ntohs(BPF_CORE_READ(inet, inet_sport)),
			 bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport)));
}

SEC("kprobe/tcp_send_fin")
int BPF_KPROBE(ct_fin, struct sock *sk)
{
	struct ct_count *c = counts_of_sk(sk);

	if (c)
		__sync_fetch_and_add(&c->fin, 1);
	return 0;
}

SEC("kprobe/tcp_send_active_reset")
int BPF_KPROBE(ct_arst, struct sock *sk)
{
	struct ct_count *c = counts_of_sk(sk);

	if (c)
		__sync_fetch_and_add(&c->arst, 1);
	return 0;
}

static int reply_rst(struct sk_buff *skb)
{
	unsigned char *th = BPF_CORE_READ(skb, head) + BPF_CORE_READ(skb, transport_header);
	__be16 ports[2];
	__u8 flags;
	struct ct_count *c;

	if (bpf_probe_read_kernel(ports, sizeof(ports), th) ||
	    bpf_probe_read_kernel(&flags, 1, th + 13) || (flags & 0x04))
		return 0;
	/* The answer goes from skb's destination (the local end) back. */
	c = counts_of(bpf_ntohs(ports[1]), bpf_ntohs(ports[0]));
	if (c)
		__sync_fetch_and_add(&c->rrst, 1);
	return 0;
}

SEC("kprobe/tcp_v4_send_reset")
int BPF_KPROBE(ct_rrst4, struct sock *sk, struct sk_buff *skb)
{
	return reply_rst(skb);
}

SEC("kprobe/tcp_v6_send_reset")
int BPF_KPROBE(ct_rrst6, struct sock *sk, struct sk_buff *skb)
{
	return reply_rst(skb);
}

char LICENSE[] SEC("license") = "GPL";
