/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * liboio: a card's lock file, RUN_DIR/card-<name>.lock (RUN_DIR is
 * $OIO_RUN_DIR, or /run/oio). A run that changes lasers, rings or lanes in
 * several steps holds flock(LOCK_EX) on it; the file names the holder
 * ("pid PID COMM") for those refused, and keeps the lines' full bias
 * ("bias LINE UA") while a run has lines dimmed, so that the next run
 * finds it should this one be killed midway. The PCI address, not the
 * card's id: ids change across module reloads.
 *
 * Plain POSIX, no netlink: the host tests use it as it is.
 */
#ifndef OIO_CARDLOCK_H
#define OIO_CARDLOCK_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "liboio.h"

#define CARDLOCK_RUN_DIR	"/run/oio"

struct cardlock {
	int fd;			/* -1: not held */
	char path[PATH_MAX];	/* of the lock file */
	size_t size;		/* of the file, as last read or written */
	/* the journal: lines with a full bias kept, and theirs */
	uint32_t lines;
	uint32_t bias[OIO_MAX_WAVELENGTHS];
};

/*
 * Take the lock of the card at pci, without waiting, and read the journal
 * an earlier run may have left. -EBUSY if another run holds it (its own
 * process's included), any other errno if the run directory or the file
 * cannot be had; msg then says which, and who holds it.
 */
int cardlock_take(struct cardlock *lk, const char *pci, char *msg,
		  size_t len);
/*
 * Keep bias[] of lines in the journal, or forget it (lines 0). 0 or a
 * negative errno, msg saying why.
 */
int cardlock_keep(struct cardlock *lk, const uint32_t *bias, uint32_t lines,
		  char *msg, size_t len);
/*
 * Link up's calibration (calib.h), beside the lock file in
 * RUN_DIR/card-<name>.cal, the owner's alone: written whole under a
 * temporary name and renamed over, so that a reader never sees half of
 * it; text NULL removes it. The lock must be held. 0 or a negative
 * errno, msg saying why.
 */
int cardlock_save_cal(const struct cardlock *lk, const char *text,
		      size_t len, char *msg, size_t mlen);
/*
 * It, malloc()ed and NUL-terminated into *text: 0, -ENOENT if none is
 * kept, -ELOOP for a symbolic link, -EPERM if the file is not a regular
 * file of the caller's, -EFBIG if it is bigger than any calibration.
 */
int cardlock_load_cal(const struct cardlock *lk, char **text, char *msg,
		      size_t mlen);
/* Let go: the journal stays in the file if one is kept, the holder not. */
void cardlock_drop(struct cardlock *lk);

#endif /* OIO_CARDLOCK_H */
