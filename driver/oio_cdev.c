// SPDX-License-Identifier: GPL-2.0-only
/*
 * oio: /dev/oioN, a card's telemetry without the netlink round trip.
 *
 * A telemetry-get over generic netlink costs the host about twice what
 * the reply's few KiB do: the request's and the reply's socket buffers,
 * both allocated (and zeroed) per call, and two system calls. An exporter
 * polling lanes ten times a second on every card of a rack pays that
 * again and again, so the node answers OIO_IOC_TELEMETRY from a buffer
 * each open file keeps, with the family's own reply message
 * (uapi/linux/oio_dev.h). Everything else stays on netlink.
 *
 * An open file holds the cdev, not the card: each call looks the card up
 * by number as a netlink request does (remove() waits for it), and checks
 * it is still the card that was opened, not one that took its number. It
 * also holds the module, as every open device file does.
 */
#include <linux/capability.h>
#include <linux/cdev.h>
#include <linux/fs.h>
#include <linux/mutex.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <net/netlink.h>

#include <uapi/linux/oio_dev.h>

#include "oio.h"

static dev_t oio_devt;

/**
 * struct oio_cdev_file - one open /dev/oioN
 * @cdev: the node opened, to tell its card from a later one of its number
 * @id: the card's number
 * @lock: protects @msg
 * @msg: the reply is built here, sized for the whole card at open; NULL
 *	for a card without a telemetry engine
 */
struct oio_cdev_file {
	struct cdev *cdev;
	unsigned int id;
	/* protects msg */
	struct mutex lock;
	struct sk_buff *msg;
};

/* The card @f was opened on, referenced, or NULL if it is gone. */
static struct oio_dev *oio_cdev_card(struct oio_cdev_file *f)
{
	struct oio_dev *od = oio_card_get(f->id);

	if (od && READ_ONCE(od->cdev) != f->cdev) {
		oio_card_put(od);
		od = NULL;
	}
	return od;
}

static int oio_cdev_open(struct inode *inode, struct file *file)
{
	struct oio_cdev_file *f;
	struct oio_dev *od;
	int err = 0;

	BUILD_BUG_ON(OIO_TELEMETRY_PARTS_ALL != (OIO_TELEMETRY_PARTS_LASERS |
						 OIO_TELEMETRY_PARTS_LANES |
						 OIO_TELEMETRY_PARTS_RINGS));
	if (!(file->f_mode & FMODE_READ))
		return -EINVAL;
	f = kzalloc(sizeof(*f), GFP_KERNEL_ACCOUNT);
	if (!f)
		return -ENOMEM;
	f->cdev = inode->i_cdev;
	f->id = iminor(inode);
	mutex_init(&f->lock);
	od = oio_cdev_card(f);
	if (!od) {
		err = -ENODEV;
		goto err_free;
	}
	/* the opener pays for its buffer; a card without telemetry has none */
	if (od->caps & OIO_CAP_TELEMETRY)
		f->msg = nlmsg_new(oio_telem_msg_size(od, OIO_TELEMETRY_PARTS_ALL),
				   GFP_KERNEL_ACCOUNT);
	if (od->caps & OIO_CAP_TELEMETRY && !f->msg)
		err = -ENOMEM;
	oio_card_put(od);
	if (err)
		goto err_free;
	file->private_data = f;
	return nonseekable_open(inode, file);

err_free:
	mutex_destroy(&f->lock);
	kfree(f);
	return err;
}

static int oio_cdev_release(struct inode *inode, struct file *file)
{
	struct oio_cdev_file *f = file->private_data;

	nlmsg_free(f->msg);
	mutex_destroy(&f->lock);
	kfree(f);
	return 0;
}

/*
 * Build the reply into @f->msg. The card is referenced only for this:
 * remove() waits for references, so none is held across the copy to a
 * user's buffer, which may take as long as that user likes.
 */
static long oio_cdev_build(struct file *file, struct oio_cdev_file *f,
			   struct oio_telemetry_read *rd)
{
	unsigned int max_age;
	struct oio_dev *od;
	size_t need;
	long ret;

	od = oio_cdev_card(f);
	if (!od)
		return -ENODEV;
	/* the capabilities of a card never change: no telemetry, no f->msg */
	if (!(od->caps & OIO_CAP_TELEMETRY)) {
		ret = -EOPNOTSUPP;
		goto out;
	}
	/* before the card is asked for a block that could not be handed over */
	need = oio_telem_msg_size(od, rd->parts);
	if (rd->size < need) {
		rd->size = need;
		ret = -EMSGSIZE;
		goto out;
	}
	/* the rule of the netlink request: netlink_capable() on the opener */
	max_age = file_ns_capable(file, &init_user_ns, CAP_NET_ADMIN) &&
		  capable(CAP_NET_ADMIN) ? 0 : OIO_TELEM_USER_AGE_MS;
	skb_trim(f->msg, 0);
	ret = oio_telem_msg(f->msg, od, rd->parts, max_age, 0, 0);
	/* sized for the whole card at open: never short */
	if (WARN_ON_ONCE(ret == -EMSGSIZE))
		ret = -EIO;
out:
	oio_card_put(od);
	return ret;
}

static long oio_cdev_telemetry(struct file *file,
			       struct oio_telemetry_read __user *arg)
{
	struct oio_cdev_file *f = file->private_data;
	struct oio_telemetry_read rd;
	long ret;

	if (copy_from_user(&rd, arg, sizeof(rd)))
		return -EFAULT;
	if ((rd.parts & ~OIO_TELEMETRY_PARTS_ALL) || rd.flags || rd.reserved)
		return -EINVAL;
	if (!rd.parts)
		rd.parts = OIO_TELEMETRY_PARTS_ALL;
	if (mutex_lock_killable(&f->lock))
		return -EINTR;
	ret = oio_cdev_build(file, f, &rd);
	if (ret == -EMSGSIZE && put_user(rd.size, &arg->size))
		ret = -EFAULT;
	else if (!ret && copy_to_user(u64_to_user_ptr(rd.buf), f->msg->data,
				      f->msg->len))
		ret = -EFAULT;
	else if (!ret)
		ret = f->msg->len;
	mutex_unlock(&f->lock);
	return ret;
}

static long oio_cdev_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	switch (cmd) {
	case OIO_IOC_TELEMETRY:
		return oio_cdev_telemetry(file, (void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations oio_cdev_fops = {
	.owner = THIS_MODULE,
	.open = oio_cdev_open,
	.release = oio_cdev_release,
	.unlocked_ioctl = oio_cdev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

/* The class device's number: none beyond the region, netlink only. */
dev_t oio_cdev_devt(struct oio_dev *od)
{
	return od->id < OIO_CDEV_MINORS ? MKDEV(MAJOR(oio_devt), od->id) : 0;
}

/**
 * oio_cdev_add() - make the card's node live, before its class device
 * @od: the card
 *
 * Context: probe, before the card is published to netlink (an open before
 * that finds no card and fails with ENODEV).
 * Return: 0 or a negative errno.
 */
int oio_cdev_add(struct oio_dev *od)
{
	struct cdev *cdev;
	int err;

	if (!oio_cdev_devt(od))
		return 0;
	/* Its own allocation: an open file may outlive the card. */
	cdev = cdev_alloc();
	if (!cdev)
		return -ENOMEM;
	cdev->owner = THIS_MODULE;
	cdev->ops = &oio_cdev_fops;
	err = oio_fault_probe(od) ?: cdev_add(cdev, oio_cdev_devt(od), 1);
	if (err) {
		kobject_put(&cdev->kobj);
		return err;
	}
	WRITE_ONCE(od->cdev, cdev);
	return 0;
}

/* After the class device and the card's unpublishing: no call is left. */
void oio_cdev_remove(struct oio_dev *od)
{
	struct cdev *cdev = od->cdev;

	if (!cdev)
		return;
	WRITE_ONCE(od->cdev, NULL);
	cdev_del(cdev);
}

int oio_cdev_module_init(void)
{
	return alloc_chrdev_region(&oio_devt, 0, OIO_CDEV_MINORS, OIO_DRV_NAME);
}

void oio_cdev_module_exit(void)
{
	unregister_chrdev_region(oio_devt, OIO_CDEV_MINORS);
}
