// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * liboio: the link calls' structs at the size the caller has, so that
 * they can gain members without breaking programs built before.
 */
#include <string.h>

#include "link-sized.h"
#include "objects-sized.h"
#include "oio-api.h"

static void params_defaults(struct oio_link_params *p)
{
	memset(p, 0, sizeof(*p));
	p->sweep_step = 28;
	p->sweep_dwell_ns = 2000;
	p->prbs_dwell_us = 1000;
	p->ber_target = 1e-12;
	p->dim_bias = 0.75;
	p->timeout_ms = 2000;
}

OIO_API void oio_link_params_init_ex(struct oio_link_params *p, size_t size)
{
	struct oio_link_params d;

	params_defaults(&d);
	lio_sized_out(p, size, &d, sizeof(d));
}

OIO_API void oio_link_params_init(struct oio_link_params *p)
{
	oio_link_params_init_ex(p, LIO_LINK_PARAMS_SIZE_1);
}

int lio_link_params_in(struct oio_link_params *out,
		       const struct oio_link_params *p, size_t size)
{
	int err;

	params_defaults(out);
	if (!p)
		return 0;
	/* members the caller lacks keep their defaults, not zero */
	err = lio_sized_check(p, size, sizeof(*out), LIO_LINK_PARAMS_SIZE_1);
	if (!err)
		memcpy(out, p, size < sizeof(*out) ? size : sizeof(*out));
	return err;
}

void lio_link_report_out(struct oio_link_report *rep, size_t size,
			 const struct oio_link_report *full)
{
	lio_sized_out(rep, size, full, sizeof(*full));
}
