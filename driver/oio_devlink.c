// SPDX-License-Identifier: GPL-2.0-only
/*
 * oio: devlink, one instance per card (pci/<bdf>), for `devlink dev info`:
 * serial number, board id and revision, running firmware.
 *
 * Everything it reports was read from the card at probe and never
 * changes, so info_get touches no register and answers for a dead card too.
 */
#include <linux/kernel.h>
#include <net/devlink.h>

#include "oio.h"

/* Room for "OIO-E%ux%u" of two u32s, the longest string here. */
#define OIO_DEVLINK_STR_LEN	32

static struct oio_dev *oio_devlink_od(struct devlink *devlink)
{
	return *(struct oio_dev **)devlink_priv(devlink);
}

static int oio_devlink_info_get(struct devlink *devlink,
				struct devlink_info_req *req,
				struct netlink_ext_ack *extack)
{
	struct oio_dev *od = oio_devlink_od(devlink);
	char buf[OIO_DEVLINK_STR_LEN];
	int err;

#ifdef OIO_DEVLINK_DRIVER_NAME_PUT
	/* From 6.2 the core puts the driver name itself (see Kbuild). */
	err = devlink_info_driver_name_put(req, OIO_DRV_NAME);
	if (err)
		return err;
#endif
	snprintf(buf, sizeof(buf), "%u", od->serial);
	err = devlink_info_serial_number_put(req, buf);
	if (err)
		return err;

	snprintf(buf, sizeof(buf), "OIO-E%ux%u", od->ports, od->wavelengths);
	err = devlink_info_version_fixed_put(req,
					     DEVLINK_INFO_VERSION_GENERIC_BOARD_ID,
					     buf);
	if (err)
		return err;

	snprintf(buf, sizeof(buf), "%u", od->board_rev);
	err = devlink_info_version_fixed_put(req,
					     DEVLINK_INFO_VERSION_GENERIC_BOARD_REV,
					     buf);
	if (err)
		return err;

	snprintf(buf, sizeof(buf), "%u.%u.%u", od->fw_version >> 16,
		 (od->fw_version >> 8) & 0xff, od->fw_version & 0xff);
	return devlink_info_version_running_put(req,
						DEVLINK_INFO_VERSION_GENERIC_FW,
						buf);
}

static const struct devlink_ops oio_devlink_ops = {
	.info_get = oio_devlink_info_get,
};

/**
 * oio_devlink_init() - register the card's devlink instance
 * @od: the card, identified
 *
 * Context: probe.
 * Return: 0 or -ENOMEM.
 */
int oio_devlink_init(struct oio_dev *od)
{
	struct devlink *devlink;

	devlink = devlink_alloc(&oio_devlink_ops, sizeof(od), &od->pdev->dev);
	if (!devlink)
		return -ENOMEM;
	*(struct oio_dev **)devlink_priv(devlink) = od;
	od->devlink = devlink;
	devlink_register(devlink);
	return 0;
}

/**
 * oio_devlink_exit() - unregister and free the card's devlink instance
 * @od: the card
 *
 * Waits for devlink requests in progress on the instance.
 *
 * Context: remove, or probe unwinding.
 */
void oio_devlink_exit(struct oio_dev *od)
{
	devlink_unregister(od->devlink);
	devlink_free(od->devlink);
	od->devlink = NULL;
}
