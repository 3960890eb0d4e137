/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every kernel-version difference closetrace depends on, as named
 * capabilities and small wrappers. No other file tests LINUX_VERSION_CODE.
 * Each entry names the upstream change that introduced it; verify against
 * the kernel you add before trusting a boundary.
 */
#ifndef CT_COMPAT_H
#define CT_COMPAT_H

#include <linux/version.h>
#include <linux/fdtable.h>
#include <linux/fs.h>
#include <linux/ring_buffer.h>
#include <linux/cgroup.h>
#include <linux/ptrace.h>
#include <linux/sock_diag.h>
#include <linux/uidgid.h>
#include <net/inet_hashtables.h>
#include <net/sock.h>
#include <net/tcp.h>
#include "ct_abi.h"

/*
 * The handlers take spinlock_t bucket locks and allocate with GFP_ATOMIC in
 * kprobe context: both may sleep on PREEMPT_RT. Not supported there yet.
 */
#ifdef CONFIG_PREEMPT_RT
#error "closetrace does not support PREEMPT_RT kernels yet"
#endif

/*
 * The function close(2) passes through that still sees the fd number, and
 * the argument that carries it.
 *   <= 5.10: __close_fd(struct files_struct *, unsigned int fd)
 *   5.11: renamed close_fd(unsigned int fd) (8760c909f54a; in 5.10.220 too)
 *   6.6: close(2) uses close_fd_get_file(fd) (021a160abf62)
 *   6.8: renamed file_close_fd(fd) (a88c955fcfb4)
 */
#if defined(CT_HAVE___CLOSE_FD)	/* detected by Kbuild: 5.10 before .220 */
#define CT_FD_CLOSE_SYMBOL	"__close_fd"
#define CT_FD_CLOSE_FD_ARG	1
#define CT_HAVE_FD_CLOSE_FILES_ARG 1
#elif LINUX_VERSION_CODE < KERNEL_VERSION(6, 6, 0)
#define CT_FD_CLOSE_SYMBOL	"close_fd"
#define CT_FD_CLOSE_FD_ARG	0
#elif LINUX_VERSION_CODE < KERNEL_VERSION(6, 8, 0)
#define CT_FD_CLOSE_SYMBOL	"close_fd_get_file"
#define CT_FD_CLOSE_FD_ARG	0
#else
#define CT_FD_CLOSE_SYMBOL	"file_close_fd"
#define CT_FD_CLOSE_FD_ARG	0
#endif

/*
 * Where close(2) drops the file reference it held.
 *   <= 6.5: filp_close() -> fput(); the release runs later from task work.
 *   6.6: close(2) calls __fput_sync() and releases synchronously.
 *   6.15: close(2) calls fput_close_sync().
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 6, 0)
#define CT_FINAL_PUT_SYMBOL	"fput"
#define CT_HAVE_DEFERRED_CLOSE_PUT 1
#elif LINUX_VERSION_CODE < KERNEL_VERSION(6, 15, 0)
#define CT_FINAL_PUT_SYMBOL	"__fput_sync"
#else
#define CT_FINAL_PUT_SYMBOL	"fput_close_sync"
#endif

/*
 * fd -> struct file, under rcu_read_lock() or the fd table's lock.
 * files_lookup_fd_raw() (5.11, and 5.10.220 as a backport) is the lookup the
 * RCU and locked variants wrap; fcheck_files() before it. Detected by
 * Kbuild. From 6.7 files are SLAB_TYPESAFE_BY_RCU: under RCU alone the
 * result may be a recycled file, so it is only a hint; what is read from
 * it is read again with the table locked (ct_on_fd_close).
 */
static inline struct file *ct_lookup_fd(struct files_struct *files,
					    unsigned int fd)
{
#ifdef CT_HAVE_FILES_LOOKUP_FD_RAW
	return files_lookup_fd_raw(files, fd);
#else
	return fcheck_files(files, fd);
#endif
}

/*
 * Is this file an open socket? Every file passes the fd-close and final-put
 * hooks, so this is their cheap exit. A file whose open failed has no inode
 * yet; an O_PATH file of a socket node carries the filesystem's inode.
 */
static inline bool ct_is_sock_file(const struct file *file)
{
	const struct inode *inode = file ? READ_ONCE(file->f_inode) : NULL;

	return inode && S_ISSOCK(inode->i_mode) && !(file->f_mode & FMODE_PATH);
}

/* The file's reference count: file_count() reads f_count, or f_ref (6.13+). */
static inline long ct_file_refs(struct file *file)
{
	return (long)file_count(file);
}

/*
 * ring_buffer_unlock_commit() lost its event argument in 6.2
 * ("ring_buffer: Remove unused 'event' parameter").
 */
static inline void ct_rb_commit(struct trace_buffer *rb,
				struct ring_buffer_event *ev)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
	ring_buffer_unlock_commit(rb, ev);
#else
	ring_buffer_unlock_commit(rb);
#endif
}

/*
 * Reading the ring a page at a time (ring_buffer_read_page(), exported
 * since 2.6.x, as trace_pipe_raw and splice readers use it). The reader
 * owns one page; ring_buffer_read_page() either copies the CPU's unread
 * events into it or swaps it with the ring's reader page, and returns the
 * offset where the events start (0 on every kernel of the matrix: a
 * partly read page is copied to the start of ours) or < 0 when the CPU
 * has nothing. Detected by Kbuild in linux/ring_buffer.h:
 *   <= 6.7 (5.10, 6.1): void *ring_buffer_alloc_read_page(rb, cpu)
 *         (ERR_PTR), ring_buffer_read_page(rb, void **page, ...) may swap
 *         the pointer, ring_buffer_free_read_page(rb, cpu, void *).
 *   6.8: struct buffer_data_read_page (the page and its order: sub-buffers
 *         of 2^order pages), returned by ring_buffer_alloc_read_page()
 *         (ERR_PTR); ring_buffer_read_page_data() gives the page
 *         (CT_HAVE_RB_READ_PAGE_DESC). On no kernel of the matrix: built,
 *         never run.
 *   Debian's 6.12.118 and 7.2: int ring_buffer_alloc_read_page(rb, cpu,
 *         struct buffer_data_read_page **) (0 or -errno)
 *         (CT_HAVE_RB_ALLOC_READ_PAGE_INT), and ring_buffer_read_page_size()
 *         (CT_HAVE_RB_READ_PAGE_SIZE).
 * closetrace's ring never changes its sub-buffer order: a page is a page.
 */
struct ct_rb_read_page {
#ifdef CT_HAVE_RB_READ_PAGE_DESC
	struct buffer_data_read_page *rpage;
#else
	void *page;
#endif
};

static inline int ct_rb_alloc_read_page(struct trace_buffer *rb, int cpu,
					struct ct_rb_read_page *p)
{
#if defined(CT_HAVE_RB_ALLOC_READ_PAGE_INT)
	p->rpage = NULL;
	return ring_buffer_alloc_read_page(rb, cpu, &p->rpage);
#elif defined(CT_HAVE_RB_READ_PAGE_DESC)
	p->rpage = ring_buffer_alloc_read_page(rb, cpu);
	if (IS_ERR(p->rpage)) {
		int err = PTR_ERR(p->rpage);

		p->rpage = NULL;
		return err;
	}
	return 0;
#else
	p->page = ring_buffer_alloc_read_page(rb, cpu);
	if (IS_ERR(p->page)) {
		int err = PTR_ERR(p->page);

		p->page = NULL;
		return err;
	}
	return 0;
#endif
}

static inline void ct_rb_free_read_page(struct trace_buffer *rb, int cpu,
					struct ct_rb_read_page *p)
{
#ifdef CT_HAVE_RB_READ_PAGE_DESC
	ring_buffer_free_read_page(rb, cpu, p->rpage);
	p->rpage = NULL;
#else
	ring_buffer_free_read_page(rb, cpu, p->page);
	p->page = NULL;
#endif
}

/* The page itself: its header, then the events. */
static inline void *ct_rb_read_page_data(struct ct_rb_read_page *p)
{
#ifdef CT_HAVE_RB_READ_PAGE_DESC
	return ring_buffer_read_page_data(p->rpage);
#else
	return p->page;
#endif
}

static inline size_t ct_rb_read_page_size(struct ct_rb_read_page *p)
{
#ifdef CT_HAVE_RB_READ_PAGE_SIZE
	return ring_buffer_read_page_size(p->rpage);
#else
	return PAGE_SIZE;
#endif
}

/*
 * Take up to len bytes (the page's header included) of cpu's unread events
 * into the page: the offset where they start, or < 0 if none were taken.
 */
static inline int ct_rb_read_page(struct trace_buffer *rb,
				  struct ct_rb_read_page *p, size_t len, int cpu)
{
#ifdef CT_HAVE_RB_READ_PAGE_DESC
	return ring_buffer_read_page(rb, p->rpage, len, cpu, 0);
#else
	return ring_buffer_read_page(rb, &p->page, len, cpu, 0);
#endif
}

/*
 * tcp:tcp_send_reset gained the kernel's reset reason in 6.10 (enum
 * sk_rst_reason); real active-reset reasons arrived in 6.12. Detected by
 * Kbuild in the headers (CT_HAVE_RST_REASON).
 */
#ifdef CT_HAVE_RST_REASON
#include <net/rstreason.h>
#define CT_RST_TP_PROTO void *data, const struct sock *sk, \
	const struct sk_buff *skb, const enum sk_rst_reason reason
#else
#define CT_RST_TP_PROTO void *data, const struct sock *sk, \
	const struct sk_buff *skb
#endif

/*
 * The kernel's reset reason in the tcp_send_reset probe, as enum ct_krst.
 * The enum's values move between kernels, its names do not: probes.c
 * matches the kernel's list of names (DEFINE_RST_REASON) to the ABI's at
 * load.
 */
#ifdef CT_HAVE_RST_REASON
#define CT_KERNEL_RST_REASONS(FN, FNe) DEFINE_RST_REASON(FN, FNe)
#define CT_KRST() ct_krst_map(reason)	/* in probes.c */
#else
#define CT_KRST() CT_KRST_NA
#endif

/*
 * The established hash that holds a TCP socket and its timewait socket:
 * tcp_hashinfo up to 6.0; per network namespace from 6.1
 * (tcp_or_dccp_get_hashinfo), renamed tcp_get_hashinfo when DCCP went
 * (6.16). Detected by Kbuild.
 */
static inline struct inet_hashinfo *ct_tcp_hashinfo(const struct sock *sk)
{
#if defined(CT_HAVE_TCP_GET_HASHINFO)
	return tcp_get_hashinfo(sk);
#elif defined(CT_HAVE_TCP_OR_DCCP_GET_HASHINFO)
	return tcp_or_dccp_get_hashinfo(sk);
#else
	return &tcp_hashinfo;
#endif
}

/*
 * Is h the established hash every network namespace shares (tcp_hashinfo:
 * static, never freed)? A namespace has its own from 6.1 on, with sysctl
 * net.ipv4.tcp_child_ehash_entries set in its creator (freed with it).
 */
static inline bool ct_hashinfo_shared(const struct inet_hashinfo *h)
{
#if defined(CT_HAVE_TCP_GET_HASHINFO) || defined(CT_HAVE_TCP_OR_DCCP_GET_HASHINFO)
	return !h->pernet;
#else
	return true;
#endif
}

/*
 * inet_twsk_purge(hashinfo, family) on 5.10, (hashinfo) on 6.12-7.x and in
 * Debian's 6.1 (a stable backport; detected by Kbuild:
 * CT_HAVE_TWSK_PURGE_FAMILY). Its kprobe reads the first argument only; the
 * type pins it (probes.c).
 */
#ifdef CT_HAVE_TWSK_PURGE_FAMILY
typedef void (*ct_twsk_purge_t)(struct inet_hashinfo *, int);
#else
typedef void (*ct_twsk_purge_t)(struct inet_hashinfo *);
#endif

/*
 * IP_RECVERR on the socket: a bit field of inet_sock until 6.6, then a bit
 * of inet->inet_flags (inet_test_bit(); detected by Kbuild:
 * CT_HAVE_INET_FLAGS_RECVERR).
 */
static inline bool ct_inet_recverr(const struct sock *sk)
{
#ifdef CT_HAVE_INET_FLAGS_RECVERR
	return inet_test_bit(RECVERR, sk);
#else
	return inet_sk(sk)->recverr;
#endif
}

/*
 * The closer's cgroup v2 id (cgroup_id(): the kernfs id, which is its
 * directory's inode number under /sys/fs/cgroup). Kernels built without
 * cgroups (our debug kernels) have none: 0.
 */
#ifdef CONFIG_CGROUPS
static inline u64 ct_task_cgroup_id(struct task_struct *task)
{
	u64 id;

	rcu_read_lock();
	id = cgroup_id(task_dfl_cgroup(task));
	rcu_read_unlock();
	return id;
}
#else
static inline u64 ct_task_cgroup_id(struct task_struct *task)
{
	return 0;
}
#endif

/*
 * The socket's cookie, as SO_COOKIE, ss -e and BPF's
 * bpf_get_socket_cookie() give it: the kernel makes it on first request
 * (sock_gen_cookie(), whose generator is not exported); the exported
 * sock_diag_save_cookie() (built in on every kernel of the matrix, for the
 * diag modules) makes or reads it.
 */
static inline u64 ct_sock_cookie(const struct sock *sk)
{
	__u32 c[2];

	sock_diag_save_cookie((struct sock *)sk, c);
	return c[0] | (u64)c[1] << 32;
}

/*
 * The socket's owner uid, in the initial user namespace: what ss -e shows
 * (inet_diag's idiag_uid) while the socket is open. sk->sk_uid (kuid_t, in
 * struct sock since 4.10) is set when the socket is made (sock_init_data():
 * its inode's owner, the creator's fsuid), again when it is grafted
 * (accept(2): the accepting socket's inode), and by fchown(2)
 * (sockfs_setattr()). It stays after sock_orphan(), so a closed socket and
 * its records keep it, in any context, softirq included.
 *   <= 6.16: a plain field, written without annotation; ss -e showed
 *            sock_i_uid() (the inode's owner: 0 once the socket is closed).
 *   6.17: sk_uid() reads it with READ_ONCE(), paired with WRITE_ONCE() in
 *         sockfs_setattr() (e84a4927a404 "net: annotate races around
 *         sk->sk_uid", backported to 6.16.y), and sock_i_uid() went
 *         (c51da3f7a161): ss -e shows sk_uid(). Detected by Kbuild
 *         (CT_HAVE_SK_UID).
 * The field itself is the same kuid_t on every kernel of the matrix. In the
 * initial user namespace every kuid maps to itself: from_kuid_munged()
 * only turns INVALID_UID into the overflow uid (65534).
 */
static inline u32 ct_sk_uid(const struct sock *sk)
{
#ifdef CT_HAVE_SK_UID
	kuid_t uid = sk_uid(sk);
#else
	kuid_t uid = READ_ONCE(sk->sk_uid);
#endif

	return from_kuid_munged(&init_user_ns, uid);
}

/* kprobe argument n of a probed function (x86-64 calling convention). */
static inline unsigned long ct_arg(struct pt_regs *regs, unsigned int n)
{
	return regs_get_kernel_argument(regs, n);
}

#endif /* CT_COMPAT_H */
