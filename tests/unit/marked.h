/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A caller's struct in a buffer marked past its end: the sized calls'
 * tests check that the library wrote its members and nothing beyond.
 */
#ifndef MARKED_H
#define MARKED_H

#include <stddef.h>

#define MARK	0xa5

static inline int marked_from(const unsigned char *buf, size_t from,
			      size_t end)
{
	for (size_t i = from; i < end; i++)
		if (buf[i] != MARK)
			return 0;
	return 1;
}

static inline int zero_from(const unsigned char *p, size_t from, size_t end)
{
	for (size_t i = from; i < end; i++)
		if (p[i])
			return 0;
	return 1;
}

#endif /* MARKED_H */
