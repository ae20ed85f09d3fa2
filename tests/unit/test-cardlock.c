// SPDX-License-Identifier: GPL-2.0-only
/*
 * liboio's card lock file (lib/cardlock.c) on the host: one writer per
 * card, whichever process or thread, the holder named to those refused;
 * the journal of the lines' full bias outliving a holder killed with
 * SIGKILL and going once forgotten; the run directory from OIO_RUN_DIR,
 * created when missing, its failures returned rather than run unlocked;
 * link up's calibration file beside the lock.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cardlock.h"

#define PCI	"0000:01:00.0"

static char dir[64], path[128], msg[256];

/* A fresh run directory, not made yet: the lock must make it. */
static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/oio-cardlock.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	strcat(dir, "/run");
	snprintf(path, sizeof(path), "%s/card-" PCI ".lock", dir);
	setenv("OIO_RUN_DIR", dir, 1);
	msg[0] = '\0';
}

static void teardown(void)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "rm -rf '%.*s'", (int)strlen(dir) - 4, dir);
	ck_assert_int_eq(system(cmd), 0);
}

static const char *file(void)
{
	static char buf[1024];
	FILE *f = fopen(path, "r");
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

START_TEST(test_one_writer_per_card)
{
	struct cardlock a, b, other;
	char line[64], holder[64];
	struct stat st;

	umask(022);
	ck_assert_int_eq(cardlock_take(&a, PCI, msg, sizeof(msg)), 0);
	ck_assert_int_eq(stat(dir, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0755);
	snprintf(line, sizeof(line), "pid %ld test-cardlock\n",
		 (long)getpid());
	ck_assert_str_eq(file(), line);

	/* the same process, as another thread would: refused all the same */
	ck_assert_int_eq(cardlock_take(&b, PCI, msg, sizeof(msg)), -EBUSY);
	snprintf(holder, sizeof(holder), "pid %ld (test-cardlock)",
		 (long)getpid());
	ck_assert_msg(strstr(msg, holder) && strstr(msg, path),
		      "said: %s", msg);
	ck_assert_int_eq(b.fd, -1);
	/* the refusal left the holder's file alone */
	ck_assert_str_eq(file(), line);

	/* another card is another lock */
	ck_assert_int_eq(cardlock_take(&other, "0000:02:00.0", msg,
				       sizeof(msg)), 0);
	cardlock_drop(&other);

	cardlock_drop(&a);
	ck_assert_str_eq(file(), "");
	ck_assert_int_eq(cardlock_take(&b, PCI, msg, sizeof(msg)), 0);
	cardlock_drop(&b);
}
END_TEST

/*
 * A holder killed with SIGKILL while it had lines dimmed: the kernel lets
 * go of the lock, the journal stays for the next run; the one refused
 * meanwhile was told the holder's pid.
 */
START_TEST(test_journal_outlives_a_killed_holder)
{
	static const uint32_t full[OIO_MAX_WAVELENGTHS] = {
		80000, 81000, 0, 79000,
	};
	struct cardlock lk;
	char pid[32], go;
	int p[2], status;
	pid_t child;

	ck_assert_int_eq(pipe(p), 0);
	child = fork();
	ck_assert_int_ge(child, 0);
	if (!child) {
		struct cardlock mine;

		if (cardlock_take(&mine, PCI, msg, sizeof(msg)) ||
		    cardlock_keep(&mine, full, 0xb, msg, sizeof(msg)))
			_exit(1);
		if (write(p[1], "k", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	ck_assert_int_eq(read(p[0], &go, 1), 1);
	ck_assert_int_eq(cardlock_take(&lk, PCI, msg, sizeof(msg)), -EBUSY);
	snprintf(pid, sizeof(pid), "pid %ld (", (long)child);
	ck_assert_msg(strstr(msg, pid), "said: %s", msg);

	kill(child, SIGKILL);
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	ck_assert_int_eq(cardlock_take(&lk, PCI, msg, sizeof(msg)), 0);
	ck_assert_uint_eq(lk.lines, 0xb);
	ck_assert_uint_eq(lk.bias[0], 80000);
	ck_assert_uint_eq(lk.bias[1], 81000);
	ck_assert_uint_eq(lk.bias[3], 79000);
	/* the journal stays past an orderly release too, until forgotten */
	cardlock_drop(&lk);
	ck_assert_str_eq(file(), "bias 0 80000\nbias 1 81000\nbias 3 79000\n");
	ck_assert_int_eq(cardlock_take(&lk, PCI, msg, sizeof(msg)), 0);
	ck_assert_uint_eq(lk.lines, 0xb);
	ck_assert_int_eq(cardlock_keep(&lk, NULL, 0, msg, sizeof(msg)), 0);
	cardlock_drop(&lk);
	ck_assert_str_eq(file(), "");
	ck_assert_int_eq(cardlock_take(&lk, PCI, msg, sizeof(msg)), 0);
	ck_assert_uint_eq(lk.lines, 0);
	cardlock_drop(&lk);
	close(p[0]);
	close(p[1]);
}
END_TEST

/*
 * What a run killed mid-write or an older file may leave: lines of no
 * journal, a line beyond the card's, a zero bias, one the driver would
 * refuse (every later run would fail on it) and trailing padding are
 * passed over; a shorter journal leaves nothing of the longer one.
 */
START_TEST(test_journal_parsing)
{
	static const uint32_t bias[OIO_MAX_WAVELENGTHS] = {
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
	};
	struct cardlock lk;
	FILE *f;

	ck_assert_int_eq(mkdir(dir, 0700), 0);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("pid 99 gone\nbias 2 70000\nbias 16 70000\nbias 4 0\n"
	      "bias 5 60000 x\nbias 7 65000\nbias 8 -5\nbias 9 150001\n"
	      "\n\n\nbias 1", f);
	fclose(f);
	ck_assert_int_eq(cardlock_take(&lk, PCI, msg, sizeof(msg)), 0);
	ck_assert_uint_eq(lk.lines, 1u << 2 | 1u << 7);
	ck_assert_uint_eq(lk.bias[2], 70000);
	ck_assert_uint_eq(lk.bias[7], 65000);
	ck_assert_int_eq(cardlock_keep(&lk, bias, 0xffff, msg, sizeof(msg)),
			 0);
	ck_assert_int_eq(cardlock_keep(&lk, bias, 0x1, msg, sizeof(msg)), 0);
	cardlock_drop(&lk);
	ck_assert_str_eq(file(), "bias 0 1\n");
}
END_TEST

/* Nowhere to put the lock: the errno and a reason, never a run unlocked. */
/*
 * Link up's calibration beside the lock: written whole, read back as
 * written, the owner's alone; none kept, a link in its place or a file
 * too big to be one are refused.
 */
START_TEST(test_calibration_file)
{
	char cal[160], tmp[170], *text = NULL;
	struct cardlock lk;
	struct stat st;
	int fd;

	snprintf(cal, sizeof(cal), "%s/card-" PCI ".cal", dir);
	snprintf(tmp, sizeof(tmp), "%s.new", cal);
	ck_assert_int_eq(cardlock_take(&lk, PCI, msg, sizeof(msg)), 0);
	ck_assert_int_eq(cardlock_load_cal(&lk, &text, msg, sizeof(msg)),
			 -ENOENT);
	/* a run killed while writing left its temporary file */
	fd = open(tmp, O_WRONLY | O_CREAT, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(cardlock_save_cal(&lk, "one\ntwo\n", 8, msg,
					   sizeof(msg)), 0);
	ck_assert_int_eq(access(tmp, F_OK), -1);
	ck_assert_int_eq(stat(cal, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	ck_assert_int_eq(cardlock_load_cal(&lk, &text, msg, sizeof(msg)), 0);
	ck_assert_str_eq(text, "one\ntwo\n");
	free(text);
	/* replaced whole */
	ck_assert_int_eq(cardlock_save_cal(&lk, "three\n", 6, msg,
					   sizeof(msg)), 0);
	ck_assert_int_eq(cardlock_load_cal(&lk, &text, msg, sizeof(msg)), 0);
	ck_assert_str_eq(text, "three\n");
	free(text);
	/* a link in its place is not followed */
	ck_assert_int_eq(unlink(cal), 0);
	ck_assert_int_eq(symlink("/etc/passwd", cal), 0);
	ck_assert_int_eq(cardlock_load_cal(&lk, &text, msg, sizeof(msg)),
			 -ELOOP);
	ck_assert_msg(strstr(msg, cal), "said: '%s'", msg);
	/* nor a file bigger than any calibration */
	ck_assert_int_eq(unlink(cal), 0);
	fd = open(cal, O_WRONLY | O_CREAT, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, 2 << 20), 0);
	close(fd);
	ck_assert_int_eq(cardlock_load_cal(&lk, &text, msg, sizeof(msg)),
			 -EFBIG);
	/* forgotten */
	ck_assert_int_eq(cardlock_save_cal(&lk, NULL, 0, msg, sizeof(msg)), 0);
	ck_assert_int_eq(access(cal, F_OK), -1);
	ck_assert_int_eq(cardlock_save_cal(&lk, NULL, 0, msg, sizeof(msg)), 0);
	cardlock_drop(&lk);
	/* not held: nothing to write by */
	ck_assert_int_eq(cardlock_save_cal(&lk, "x\n", 2, msg, sizeof(msg)),
			 -EBADF);
}
END_TEST

START_TEST(test_no_run_dir)
{
	struct cardlock lk;
	char blocker[96];
	struct stat st;
	FILE *f;

	/* the run directory's parent is a file */
	snprintf(blocker, sizeof(blocker), "%.*s/file", (int)strlen(dir) - 4,
		 dir);
	f = fopen(blocker, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	strcat(blocker, "/run");
	setenv("OIO_RUN_DIR", blocker, 1);
	ck_assert_int_eq(cardlock_take(&lk, PCI, msg, sizeof(msg)), -ENOTDIR);
	ck_assert_msg(strstr(msg, blocker), "said: %s", msg);
	ck_assert_int_eq(lk.fd, -1);

	/* a lock file that is a link is not followed */
	setenv("OIO_RUN_DIR", dir, 1);
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	ck_assert_int_eq(symlink("/tmp/elsewhere", path), 0);
	ck_assert_int_eq(cardlock_take(&lk, PCI, msg, sizeof(msg)), -ELOOP);
	ck_assert_msg(strstr(msg, path), "said: %s", msg);

	/* nor is a FIFO, nor a file another name links to */
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	ck_assert_int_eq(cardlock_take(&lk, PCI, msg, sizeof(msg)), -EPERM);
	ck_assert_int_eq(unlink(path), 0);
	snprintf(blocker, sizeof(blocker), "%s/other", dir);
	f = fopen(blocker, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	ck_assert_int_eq(link(blocker, path), 0);
	ck_assert_int_eq(cardlock_take(&lk, PCI, msg, sizeof(msg)), -EPERM);
	ck_assert_msg(strstr(msg, path), "said: %s", msg);
	ck_assert_int_eq(unlink(path), 0);
	/* and one of its own is its owner's alone */
	ck_assert_int_eq(cardlock_take(&lk, PCI, msg, sizeof(msg)), 0);
	cardlock_drop(&lk);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);

	/* nor is a PCI address a path */
	ck_assert_int_eq(cardlock_take(&lk, "../x", msg, sizeof(msg)),
			 -EINVAL);
	ck_assert_int_eq(cardlock_take(&lk, "", msg, sizeof(msg)), -EINVAL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cardlock");
	TCase *tc = tcase_create("lock");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_one_writer_per_card);
	tcase_add_test(tc, test_journal_outlives_a_killed_holder);
	tcase_add_test(tc, test_journal_parsing);
	tcase_add_test(tc, test_calibration_file);
	tcase_add_test(tc, test_no_run_dir);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
