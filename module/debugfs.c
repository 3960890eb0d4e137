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
 * record taken from the ring is never dropped unseen: events takes no more
 * records than the read has room for, and those whose copy to the reader
 * faulted wait in its page (rr) for the next read; a text line is sent in
 * as many reads as it takes. Only what is left when the file is closed is
 * given up, and counted (ct_ring_discard).
 */
struct ct_reader {
	struct mutex lock;
	struct ct_ring_reader *rr;	/* events: its page of records */
	bool pending;		/* trace: ev's line waits */
	struct ct_event ev;
	size_t len, off;	/* trace: the line and how much of it went */
	char line[CT_LINE_LEN + 1];
};

static int ct_consumer_open(struct inode *inode, struct file *file,
			    bool pages)
{
	struct ct_reader *r;
	int err = -ENOMEM;

	if (test_and_set_bit(0, &ct_consumer_busy))
		return -EBUSY;
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		goto err_busy;
	if (pages) {
		r->rr = ct_ring_reader_alloc();
		if (IS_ERR(r->rr)) {
			err = PTR_ERR(r->rr);
			goto err_free;
		}
	}
	mutex_init(&r->lock);
	file->private_data = r;
	return nonseekable_open(inode, file);

err_free:
	kfree(r);
err_busy:
	clear_bit(0, &ct_consumer_busy);
	return err;
}

static int ct_consumer_release(struct inode *inode, struct file *file)
{
	struct ct_reader *r = file->private_data;

	if (r->rr)
		ct_ring_reader_free(r->rr);
	if (r->pending)
		ct_ring_discard(&r->ev);
	mutex_destroy(&r->lock);
	kfree(r);
	clear_bit(0, &ct_consumer_busy);
	return 0;
}

static int ct_events_open(struct inode *inode, struct file *file)
{
	return ct_consumer_open(inode, file, true);
}

/* Whole records, as many as fit; sleeps for the first unless O_NONBLOCK. */
static ssize_t ct_events_read(struct file *file, char __user *buf,
			      size_t count, loff_t *ppos)
{
	struct ct_reader *r = file->private_data;
	ssize_t ret;

	if (count < sizeof(struct ct_event))
		return -EINVAL;
	if (mutex_lock_interruptible(&r->lock))
		return -ERESTARTSYS;
	while (!(ret = ct_ring_read(r->rr, buf, count))) {
		if (ct_ring_is_shutdown())
			break;
		if (file->f_flags & O_NONBLOCK) {
			ret = -EAGAIN;
			break;
		}
		if (ct_ring_prepare_wait() &&
		    wait_event_interruptible_timeout(ct_ring_wait,
						     !ct_ring_empty() ||
						     ct_ring_is_shutdown(),
						     HZ / 10) < 0) {
			ret = -ERESTARTSYS;
			break;
		}
		if (signal_pending(current)) {
			ret = -ERESTARTSYS;
			break;
		}
	}
	mutex_unlock(&r->lock);
	if (ret > 0)
		ct_ring_delivered(ret / sizeof(struct ct_event));
	return ret;
}

static __poll_t ct_events_poll(struct file *file, poll_table *wait)
{
	struct ct_reader *r = file->private_data;

	poll_wait(file, &ct_ring_wait, wait);
	/* Records in the reader's page have left the ring: readable too. */
	if (ct_ring_reader_pending(r->rr) || !ct_ring_prepare_wait())
		return EPOLLIN | EPOLLRDNORM;
	return 0;
}

static const struct file_operations ct_events_fops = {
	.owner = THIS_MODULE,
	.open = ct_events_open,
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

static int ct_trace_open(struct inode *inode, struct file *file)
{
	return ct_consumer_open(inode, file, false);
}

static const struct file_operations ct_trace_fops = {
	.owner = THIS_MODULE,
	.open = ct_trace_open,
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
