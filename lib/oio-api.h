/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * liboio: what marks a function as part of the library's ABI. Apart from
 * oio-private.h so that the files with no netlink in them (the bring-up
 * arithmetic and orchestration, the peak finder) build without libnl for
 * the host tests.
 */
#ifndef OIO_API_H
#define OIO_API_H

#define OIO_API __attribute__((visibility("default")))

#endif /* OIO_API_H */
