// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * liboio: a card's lock file, its holder and the journal of the lines'
 * full bias in it (cardlock.h).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* secure_getenv, program_invocation_short_name */
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cardlock.h"

/* The holder's line and one per line of the card, with room to spare. */
#define FILE_MAX	2048
/* A calibration of the largest card, with room to spare */
#define CAL_FILE_MAX	(1 << 20)
#define OPEN_FLAGS	(O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
/* the driver's highest bias set point (oio_regs.h) */
#define BIAS_MAX_UA	150000

static const char *run_dir(void)
{
	/* not from the environment of a set-id or file-capable program */
	const char *dir = secure_getenv("OIO_RUN_DIR");

	return dir && *dir ? dir : CARDLOCK_RUN_DIR;
}

/*
 * The file as it should read now. Shorter than before, it is written
 * padded with empty lines first and cut after: a run killed in between
 * leaves a file that still parses, never the tail of an older journal.
 */
static int put(struct cardlock *lk, bool holder, char *msg, size_t len)
{
	char buf[FILE_MAX];
	size_t n = 0, w;
	unsigned int l;

	if (holder)
		n = (size_t)snprintf(buf, sizeof(buf), "pid %ld %.32s\n",
				     (long)getpid(),
				     program_invocation_short_name);
	for (l = 0; l < OIO_MAX_WAVELENGTHS; l++)
		if (lk->lines >> l & 1)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n,
					      "bias %u %u\n", l, lk->bias[l]);
	/* nothing to keep: the cut alone */
	if (!n) {
		if (lk->size && ftruncate(lk->fd, 0)) {
			int err = -errno;

			snprintf(msg, len, "cannot write the card's lock file: %m");
			return err;
		}
		lk->size = 0;
		return 0;
	}
	w = n;
	if (lk->size > n && lk->size <= sizeof(buf))
		w = lk->size;
	memset(buf + n, '\n', w - n);
	errno = 0;
	if (pwrite(lk->fd, buf, w, 0) != (ssize_t)w ||
	    (lk->size > n && ftruncate(lk->fd, (off_t)n))) {
		int err = errno ? -errno : -EIO;

		errno = -err;
		snprintf(msg, len, "cannot write the card's lock file: %m");
		return err;
	}
	lk->size = n;
	return 0;
}

static void give_up(struct cardlock *lk)
{
	close(lk->fd);
	lk->fd = -1;
}

static void parse_journal(struct cardlock *lk, char *text)
{
	char *line, *next;

	for (line = text; line && *line; line = next) {
		unsigned int l, ua;
		char end;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		/* a value the driver would refuse would stop every run */
		if (sscanf(line, "bias %u %u%c", &l, &ua, &end) == 2 &&
		    l < OIO_MAX_WAVELENGTHS && ua && ua <= BIAS_MAX_UA) {
			lk->lines |= 1u << l;
			lk->bias[l] = ua;
		}
	}
}

/* Who holds the lock, as its file says: "pid PID (COMM)", or less. */
static void holder(int fd, char *who, size_t len)
{
	char buf[128], *nl;
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	long pid;
	int at;

	snprintf(who, len, "another run");
	if (n <= 0)
		return;
	buf[n] = '\0';
	nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	if (sscanf(buf, "pid %ld %n", &pid, &at) == 1 && pid > 0)
		snprintf(who, len, "pid %ld (%s)", pid, buf + at);
}

int cardlock_take(struct cardlock *lk, const char *pci, char *msg,
		  size_t len)
{
	const char *dir = run_dir();
	char path[PATH_MAX], buf[FILE_MAX + 1];
	struct stat st;
	ssize_t n;
	int err;

	memset(lk, 0, sizeof(*lk));
	lk->fd = -1;
	/* it becomes a file name */
	if (!pci || !*pci || pci[0] == '.' || strchr(pci, '/')) {
		snprintf(msg, len, "the card has no PCI address to lock by");
		return -EINVAL;
	}
	/* room for the calibration's name too: .cal.new is longer */
	if (snprintf(path, sizeof(path) - 4, "%s/card-%s.lock", dir, pci) >=
	    (int)sizeof(path) - 4) {
		snprintf(msg, len, "run directory %s: name too long", dir);
		return -ENAMETOOLONG;
	}
	/*
	 * Only its owner may open it: flock() needs no write access, and
	 * anyone able to read it could hold every card.
	 */
	lk->fd = open(path, OPEN_FLAGS, 0600);
	if (lk->fd < 0 && errno == ENOENT) {
		if (mkdir(dir, 0755) && errno != EEXIST) {
			err = -errno;
			snprintf(msg, len,
				 "cannot create the run directory %s: %m",
				 dir);
			return err;
		}
		lk->fd = open(path, OPEN_FLAGS, 0600);
	}
	if (lk->fd < 0) {
		err = -errno;
		snprintf(msg, len, "cannot open the card's lock file %s: %m",
			 path);
		lk->fd = -1;
		return err;
	}
	/* not a FIFO, a device, nor a hard link to a file of someone else's */
	if (fstat(lk->fd, &st) || !S_ISREG(st.st_mode) || st.st_nlink != 1 ||
	    st.st_uid != geteuid()) {
		snprintf(msg, len, "%s is not a lock file of ours", path);
		give_up(lk);
		return -EPERM;
	}
	/* a file of its own open, so two threads of a process conflict too */
	if (flock(lk->fd, LOCK_EX | LOCK_NB)) {
		char who[96];

		err = errno == EWOULDBLOCK ? -EBUSY : -errno;
		if (err == -EBUSY) {
			holder(lk->fd, who, sizeof(who));
			snprintf(msg, len, "card %s is in use: %s holds %s",
				 pci, who, path);
		} else {
			snprintf(msg, len, "cannot lock %s: %m", path);
		}
		give_up(lk);
		return err;
	}
	strcpy(lk->path, path);
	n = pread(lk->fd, buf, sizeof(buf) - 1, 0);
	/* longer than any file of ours: its size, for the cut, from fstat */
	if (n < 0 || (n == sizeof(buf) - 1 && fstat(lk->fd, &st))) {
		err = -errno;
		snprintf(msg, len, "cannot read %s: %m", path);
		give_up(lk);
		return err;
	}
	buf[n] = '\0';
	lk->size = n == sizeof(buf) - 1 ? (size_t)st.st_size : (size_t)n;
	parse_journal(lk, buf);
	err = put(lk, true, msg, len);
	if (err)
		give_up(lk);
	return err;
}

int cardlock_keep(struct cardlock *lk, const uint32_t *bias, uint32_t lines,
		  char *msg, size_t len)
{
	unsigned int l;

	lk->lines = lines;
	for (l = 0; l < OIO_MAX_WAVELENGTHS; l++)
		lk->bias[l] = lines >> l & 1 ? bias[l] : 0;
	return put(lk, true, msg, len);
}

/* The calibration's file name, with suffix after ".cal". */
static void cal_path(const struct cardlock *lk, const char *suffix,
		     char *path)
{
	size_t n = strlen(lk->path) - strlen(".lock");

	memcpy(path, lk->path, n);
	sprintf(path + n, ".cal%s", suffix);
}

int cardlock_save_cal(const struct cardlock *lk, const char *text,
		      size_t len, char *msg, size_t mlen)
{
	char tmp[PATH_MAX], path[PATH_MAX];
	int fd, err = 0;

	if (lk->fd < 0)
		return -EBADF;
	cal_path(lk, ".new", tmp);
	cal_path(lk, "", path);
	if (!text) {
		if (unlink(path) && errno != ENOENT) {
			err = -errno;
			snprintf(msg, mlen, "cannot remove %s: %m", path);
		}
		return err;
	}
	/* a file left by a run killed while writing it is ours to replace */
	if (unlink(tmp) && errno != ENOENT) {
		err = -errno;
		snprintf(msg, mlen, "cannot replace %s: %m", tmp);
		return err;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		  0600);
	if (fd < 0) {
		err = -errno;
		snprintf(msg, mlen, "cannot create %s: %m", tmp);
		return err;
	}
	while (len && !err) {
		ssize_t n = write(fd, text, len);

		if (n > 0) {
			text += n;
			len -= (size_t)n;
		} else if (n == 0) {
			err = -ENOSPC;
		} else if (errno != EINTR) {
			err = -errno;
		}
	}
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err) {
		errno = -err;
		snprintf(msg, mlen, "cannot write %s: %m", path);
		unlink(tmp);
	}
	return err;
}

int cardlock_load_cal(const struct cardlock *lk, char **text, char *msg,
		      size_t mlen)
{
	char path[PATH_MAX], *buf;
	struct stat st;
	ssize_t n;
	int fd, err;

	if (lk->fd < 0)
		return -EBADF;
	cal_path(lk, "", path);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0) {
		err = -errno;
		snprintf(msg, mlen, "cannot open %s: %m", path);
		return err;
	}
	if (fstat(fd, &st)) {
		err = -errno;
		snprintf(msg, mlen, "cannot read %s: %m", path);
		close(fd);
		return err;
	}
	/* ours, whole, and of a size a calibration can have */
	if (!S_ISREG(st.st_mode) || st.st_nlink != 1 ||
	    st.st_uid != geteuid() || st.st_size > CAL_FILE_MAX) {
		err = st.st_size > CAL_FILE_MAX && S_ISREG(st.st_mode) ?
		      -EFBIG : -EPERM;
		snprintf(msg, mlen, "%s is not a calibration of ours", path);
		close(fd);
		return err;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	n = pread(fd, buf, (size_t)st.st_size, 0);
	err = n < 0 ? -errno : n != st.st_size ? -EIO : 0;
	close(fd);
	if (err) {
		errno = -err;
		snprintf(msg, mlen, "cannot read %s: %m", path);
		free(buf);
		return err;
	}
	buf[n] = '\0';
	*text = buf;
	return 0;
}

void cardlock_drop(struct cardlock *lk)
{
	char msg[8];

	if (lk->fd < 0)
		return;
	/* the journal must outlive the lock; who held it need not */
	put(lk, false, msg, sizeof(msg));
	give_up(lk);
}
