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
#include <linux/mutex.h>
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

/*
 * A consumer's state. Reads of one open file are serialised by its mutex
 * (f_pos_lock does not cover every way to read, io_uring's for one). A
 * record taken from the ring is never dropped unseen: a record whose copy
 * to the reader faulted waits here for the next read; a text line is sent
 * in as many reads as it takes. Only what is left when the file is closed
 * is given up, and counted (ct_ring_discard).
 */
struct ct_reader {
	struct mutex lock;
	bool pending;		/* ev waits: events, or trace's line of it */
	struct ct_event ev;
	size_t len, off;	/* trace: the line and how much of it went */
	char line[CT_LINE_LEN + 1];
};

static int ct_consumer_open(struct inode *inode, struct file *file)
{
	struct ct_reader *r;

	if (test_and_set_bit(0, &ct_consumer_busy))
		return -EBUSY;
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r) {
		clear_bit(0, &ct_consumer_busy);
		return -ENOMEM;
	}
	mutex_init(&r->lock);
	file->private_data = r;
	return nonseekable_open(inode, file);
}

static int ct_consumer_release(struct inode *inode, struct file *file)
{
	struct ct_reader *r = file->private_data;

	if (r->pending)
		ct_ring_discard(&r->ev);
	mutex_destroy(&r->lock);
	kfree(r);
	clear_bit(0, &ct_consumer_busy);
	return 0;
}

/* Take one record, sleeping unless O_NONBLOCK. 1: got one, 0: EOF. */
static int ct_take_wait(struct ct_event *ev, bool may_block)
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
	struct ct_reader *r = file->private_data;
	size_t done = 0;
	ssize_t ret = 0;
	int got;

	if (count < sizeof(r->ev))
		return -EINVAL;
	if (mutex_lock_interruptible(&r->lock))
		return -ERESTARTSYS;
	while (done + sizeof(r->ev) <= count) {
		if (!r->pending) {
			got = ct_take_wait(&r->ev,
					   !done && !(file->f_flags & O_NONBLOCK));
			if (got <= 0) {
				if (!done && got < 0)
					ret = got;
				break;
			}
			r->pending = true;
		}
		if (copy_to_user(buf + done, &r->ev, sizeof(r->ev))) {
			/* Kept for the next read: nothing is lost. */
			if (!done)
				ret = -EFAULT;
			break;
		}
		r->pending = false;
		done += sizeof(r->ev);
	}
	mutex_unlock(&r->lock);
	ct_ring_delivered(done / sizeof(r->ev));
	return done ? done : ret;
}

static __poll_t ct_events_poll(struct file *file, poll_table *wait)
{
	struct ct_reader *r = file->private_data;

	poll_wait(file, &ct_ring_wait, wait);
	if (READ_ONCE(r->pending) || !ct_ring_prepare_wait())
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

/* Text view: drains what is there and ends (EOF) when the ring is empty. */
static ssize_t ct_trace_read(struct file *file, char __user *buf,
			     size_t count, loff_t *ppos)
{
	struct ct_reader *r = file->private_data;
	size_t done = 0, n;
	ssize_t ret = 0;

	if (mutex_lock_interruptible(&r->lock))
		return -ERESTARTSYS;
	while (done < count) {
		if (!r->pending) {
			if (!ct_ring_take(&r->ev))
				break;
			r->pending = true;
			r->len = ct_fmt_kv(r->line, sizeof(r->line) - 1, &r->ev);
			r->line[r->len++] = '\n';
			r->off = 0;
		}
		n = min(count - done, r->len - r->off);
		if (copy_to_user(buf + done, r->line + r->off, n)) {
			if (!done)
				ret = -EFAULT;
			break;
		}
		r->off += n;
		done += n;
		if (r->off == r->len) {
			r->pending = false;
			ct_ring_delivered(1);
		}
	}
	mutex_unlock(&r->lock);
	return done ? done : ret;
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
