/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * oio: a bit error ratio as the sysfs file lane<M>/ber shows it. Pure
 * integer arithmetic on two counters the card supplies, in a header of its
 * own so the host unit tests run the same code (tests/unit/test-ber.c).
 */
#ifndef _OIO_BER_H
#define _OIO_BER_H

#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/types.h>

static const u64 oio_pow10[] = {
	1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
	10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL,
	100000000000ULL, 1000000000000ULL, 10000000000000ULL,
	100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
	100000000000000000ULL, 1000000000000000000ULL,
	10000000000000000000ULL,
};

/**
 * oio_ber_format() - errors / bits in scientific notation, three digits
 * @errors: bit errors counted
 * @bits: bits checked, not 0
 * @buf: where the text goes, with a newline
 * @len: room in @buf
 *
 * "2.47e-06", truncated rather than rounded. Both counters come from the
 * card and may hold anything, so a ratio of 1 or more ("5.00e+03") is
 * printed as faithfully as a small one, and no intermediate value
 * overflows 64 bits: the products go through mul_u64_u64_div_u64().
 *
 * Return: the length written.
 */
static inline int oio_ber_format(u64 errors, u64 bits, char *buf, size_t len)
{
	u64 m;
	int e;

	if (!errors)
		return scnprintf(buf, len, "0\n");
	if (errors >= bits) {
		u64 q = div64_u64(errors, bits);

		/* 10^e <= errors / bits < 10^(e + 1), so bits * 10^e fits */
		for (e = 0; e < 19 && q >= oio_pow10[e + 1]; e++)
			;
		m = mul_u64_u64_div_u64(errors, 100, bits * oio_pow10[e]);
		return scnprintf(buf, len, "%llu.%02llue+%02d\n", m / 100,
				 m % 100, e);
	}
	/* the smallest e with errors * 10^e >= bits; at most 20 */
	for (e = 1; e < 20; e++)
		if (mul_u64_u64_div_u64(errors, oio_pow10[e], bits))
			break;
	/*
	 * errors * 10^(e + 2) / bits, in [100, 1000). Past 10^19 the factor
	 * is split; errors is then below 10^3 (errors * 10^17 < bits), so
	 * errors * 10^3 fits too.
	 */
	if (e + 2 <= 19)
		m = mul_u64_u64_div_u64(errors, oio_pow10[e + 2], bits);
	else
		m = mul_u64_u64_div_u64(errors * oio_pow10[e + 2 - 19],
					oio_pow10[19], bits);
	return scnprintf(buf, len, "%llu.%02llue-%02d\n", m / 100, m % 100, e);
}

#endif /* _OIO_BER_H */
