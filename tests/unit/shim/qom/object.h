/* SPDX-License-Identifier: GPL-2.0-only */
/* Host stand-in for QOM: the model's state type, without the class. */
#ifndef OIO_SHIM_OBJECT_H
#define OIO_SHIM_OBJECT_H

#define OBJECT_DECLARE_SIMPLE_TYPE(InstanceType, MODULE_OBJ_NAME) \
	typedef struct InstanceType InstanceType;

#endif
