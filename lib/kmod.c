// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * liboio: load oio.ko through libkmod, as modprobe would, so its
 * dependencies and options from modprobe.d come along.
 */
#include <errno.h>

#include <libkmod.h>

#include "oio-private.h"

OIO_API int oio_module_load(void)
{
	struct kmod_module *mod = NULL;
	struct kmod_ctx *kctx;
	int err;

	kctx = kmod_new(NULL, NULL);
	if (!kctx)
		return -ENOMEM;
	err = kmod_module_new_from_name(kctx, "oio", &mod);
	if (!err) {
		if (kmod_module_get_initstate(mod) == KMOD_MODULE_LIVE)
			err = 0;
		else
			err = kmod_module_probe_insert_module(
				mod, KMOD_PROBE_APPLY_BLACKLIST, NULL, NULL,
				NULL, NULL);
		/* A blacklisted module is reported as a positive value. */
		if (err > 0)
			err = -EPERM;
	}
	kmod_module_unref(mod);
	kmod_unref(kctx);
	return err;
}
