// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmctl: command-line front end to the harness control channel, for guest
 * shell tests and for /init's final exit.
 *
 * Prints the reply on stdout and exits 0 on success, 1 on failure (a QMP
 * error reply is still printed), 2 on a usage error.
 */
#include "vmctl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(void)
{
	fprintf(stderr,
		"usage: vmctl qmp JSON\n"
		"       vmctl qom-set PATH PROP JSONVALUE\n"
		"       vmctl qom-get PATH PROP\n"
		"       vmctl log SUBSTRING\n"
		"       vmctl exit CODE\n");
	return 2;
}

static int fail(const char *what, int err)
{
	fprintf(stderr, "vmctl %s: %s\n", what,
		err == -EIO ? "QMP replied with an error" : strerror(-err));
	return 1;
}

int main(int argc, char **argv)
{
	static char reply[VM_REPLY_MAX];
	const char *cmd = argc > 1 ? argv[1] : "";
	int r;

	if (strcmp(cmd, "qmp") == 0 && argc == 3) {
		r = vm_qmp(argv[2], reply, sizeof(reply));
		if (r == 0 || r == -EIO)
			puts(reply);
		return r == 0 ? 0 : r == -EIO ? 1 : fail(cmd, r);
	}
	if (strcmp(cmd, "qom-set") == 0 && argc == 5) {
		r = vm_qom_set(argv[2], argv[3], argv[4]);
		return r == 0 ? 0 : fail(cmd, r);
	}
	if (strcmp(cmd, "qom-get") == 0 && argc == 4) {
		r = vm_qom_get(argv[2], argv[3], reply, sizeof(reply));
		if (r < 0)
			return fail(cmd, r);
		puts(reply);
		return 0;
	}
	if (strcmp(cmd, "log") == 0 && argc == 3) {
		long n = vm_log_count(argv[2]);

		if (n < 0)
			return fail(cmd, (int)n);
		printf("%ld\n", n);
		return 0;
	}
	if (strcmp(cmd, "exit") == 0 && argc == 3) {
		char *end;
		long code = strtol(argv[2], &end, 10);

		if (*argv[2] == '\0' || *end != '\0' || code < 0 || code > 127)
			return usage();
		fflush(stdout);
		return fail(cmd, vm_exit((int)code));
	}
	return usage();
}
