// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs closetrace/: events (the binary record stream), trace (the same as
 * text), control (commands). events and trace are consuming readers of the
 * one ring, so only one of them may be open at a time (EBUSY otherwise);
 * opening never resets anything. All files are root-only.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "ct_control.h"
#include "ct_format.h"
#include "debugfs.h"
#include "filter.h"
#include "ring.h"

static struct dentry *ct_dir;
static unsigned long ct_consumer_busy;

static int ct_consumer_open(struct inode *inode, struct file *file)
{
	if (test_and_set_bit(0, &ct_consumer_busy))
		return -EBUSY;
	return nonseekable_open(inode, file);
}

static int ct_consumer_release(struct inode *inode, struct file *file)
{
	kfree(file->private_data);
	clear_bit(0, &ct_consumer_busy);
	return 0;
}

/* Take one record, sleeping unless O_NONBLOCK. 1: got one, 0: EOF. */
static int ct_take_wait(struct file *file, struct ct_event *ev, bool may_block)
{
	while (!ct_ring_take(ev)) {
		if (ct_ring_is_shutdown())
			return 0;
		if (!may_block)
			return -EAGAIN;
		if (ct_ring_prepare_wait() &&
		    wait_event_interruptible_timeout(ct_ring_wait,
						     !ct_ring_empty() ||
						     ct_ring_is_shutdown(),
						     HZ / 10) < 0)
			return -ERESTARTSYS;
		if (signal_pending(current))
			return -ERESTARTSYS;
	}
	return 1;
}

static ssize_t ct_events_read(struct file *file, char __user *buf,
			      size_t count, loff_t *ppos)
{
	struct ct_event ev;
	size_t done = 0;
	int ret;

	if (count < sizeof(ev))
		return -EINVAL;
	while (done + sizeof(ev) <= count) {
		ret = ct_take_wait(file, &ev,
				   !done && !(file->f_flags & O_NONBLOCK));
		if (ret <= 0) {
			if (done || ret == 0)
				break;
			return ret;
		}
		if (copy_to_user(buf + done, &ev, sizeof(ev)))
			return done ? done : -EFAULT;
		done += sizeof(ev);
	}
	return done;
}

static __poll_t ct_events_poll(struct file *file, poll_table *wait)
{
	poll_wait(file, &ct_ring_wait, wait);
	if (!ct_ring_prepare_wait())
		return EPOLLIN | EPOLLRDNORM;
	return 0;
}

static const struct file_operations ct_events_fops = {
	.owner = THIS_MODULE,
	.open = ct_consumer_open,
	.release = ct_consumer_release,
	.read = ct_events_read,
	.poll = ct_events_poll,
};

struct ct_text {
	size_t len, off;
	char line[CT_LINE_LEN + 1];
};

/* Text view: drains what is there and ends (EOF) when the ring is empty. */
static ssize_t ct_trace_read(struct file *file, char __user *buf,
			     size_t count, loff_t *ppos)
{
	struct ct_text *t = file->private_data;
	struct ct_event ev;
	size_t done = 0, n;

	if (!t) {
		t = kzalloc(sizeof(*t), GFP_KERNEL);
		if (!t)
			return -ENOMEM;
		file->private_data = t;
	}
	while (done < count) {
		if (t->off == t->len) {
			if (!ct_ring_take(&ev))
				break;
			t->len = ct_fmt_kv(t->line, sizeof(t->line) - 1, &ev);
			t->line[t->len++] = '\n';
			t->off = 0;
		}
		n = min(count - done, t->len - t->off);
		if (copy_to_user(buf + done, t->line + t->off, n))
			return done ? done : -EFAULT;
		t->off += n;
		done += n;
	}
	return done;
}

static const struct file_operations ct_trace_fops = {
	.owner = THIS_MODULE,
	.open = ct_consumer_open,
	.release = ct_consumer_release,
	.read = ct_trace_read,
};

#define CT_CONTROL_MAX 64

static ssize_t ct_control_write(struct file *file, const char __user *ubuf,
				size_t count, loff_t *ppos)
{
	struct ct_command cmd;
	char buf[CT_CONTROL_MAX];
	int err;

	if (!count || count > sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	if (ct_parse_command(buf, count, &cmd))
		return -EINVAL;
	err = ct_filter_command(&cmd);
	return err ? err : count;
}

static const struct file_operations ct_control_fops = {
	.owner = THIS_MODULE,
	.open = nonseekable_open,
	.write = ct_control_write,
};

void ct_debugfs_init(void)
{
	/* debugfs return values are not checked, by the API's design. */
	ct_dir = debugfs_create_dir("closetrace", NULL);
	debugfs_create_file("events", 0400, ct_dir, NULL, &ct_events_fops);
	debugfs_create_file("trace", 0400, ct_dir, NULL, &ct_trace_fops);
	debugfs_create_file("control", 0200, ct_dir, NULL, &ct_control_fops);
}

void ct_debugfs_exit(void)
{
	debugfs_remove_recursive(ct_dir);
	ct_dir = NULL;
}
