/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * /dev/oioN: a card's telemetry in one system call.
 *
 * The generic netlink family "oio" (linux/oio.h) is the card's interface;
 * this node only serves telemetry-get replies without the netlink round
 * trip, for exporters that poll many cards often. Its reply is the
 * family's own message, so one parser and one policy serve both.
 */
#ifndef _UAPI_LINUX_OIO_DEV_H
#define _UAPI_LINUX_OIO_DEV_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* Every part of enum oio_telemetry_parts (linux/oio.h). */
#define OIO_TELEMETRY_PARTS_ALL	0x7

/**
 * struct oio_telemetry_read - argument of OIO_IOC_TELEMETRY
 * @parts: enum oio_telemetry_parts bits; 0 for every part (as a netlink
 *	request without the parts attribute)
 * @size: bytes at @buf; on EMSGSIZE, the kernel sets it to what the parts
 *	can take
 * @flags: 0; reserved for later
 * @buf: where the reply goes: one generic netlink message (struct nlmsghdr,
 *	struct genlmsghdr, attributes) exactly as the family answers
 *	OIO_CMD_TELEMETRY_GET for the same parts, with sequence number and
 *	port 0
 *
 * The ioctl returns the message's length. Errors: EINVAL for an unknown
 * part or a flag, EMSGSIZE if @size is too small, EFAULT, ENODEV once the
 * card that was opened is gone (even if another card took its number),
 * EOPNOTSUPP for a card without a telemetry engine, and what the netlink
 * request returns while the card does not answer (ETIMEDOUT, EIO, EAGAIN,
 * EINTR). As over netlink, a block is taken from the card for an opener
 * with CAP_NET_ADMIN; others get the driver's latest, at most 100 ms old.
 */
struct oio_telemetry_read {
	__u32 parts;
	__u32 size;
	__u32 flags;
	__u32 reserved;
	__aligned_u64 buf;
};

/* Not yet in Documentation/userspace-api/ioctl/ioctl-number.rst. */
#define OIO_IOC_MAGIC		0xba
#define OIO_IOC_TELEMETRY	_IOWR(OIO_IOC_MAGIC, 0x01, struct oio_telemetry_read)

#endif /* _UAPI_LINUX_OIO_DEV_H */
