// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmctl: guest side of the VM test harness control channel; see vmctl.h
 * for the protocol.
 */
#define _GNU_SOURCE /* asprintf */
#include "vmctl.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <termios.h>
#include <unistd.h>

#define VM_DEBUG_EXIT_PORT 0xf4

/*
 * The control device, opened on first use and kept until the process
 * exits. This is the only mutable global: there is one channel per guest,
 * and reopening the tty per request would shut the UART down and set it
 * up again each time. Callers never see the descriptor.
 */
static int ctl_fd = -1;

static int ctl_open(void)
{
	struct termios t;
	int fd;

	if (ctl_fd >= 0)
		return ctl_fd;
	fd = open(VM_CTL_DEVICE, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/*
	 * Raw mode, whatever init did: canonical mode or CR/LF mapping would
	 * rewrite the bytes of a line, echo would send replies back.
	 */
	if (tcgetattr(fd, &t) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	cfmakeraw(&t);
	cfsetspeed(&t, B115200);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(fd, TCSANOW, &t) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	ctl_fd = fd;
	return fd;
}

/*
 * POSIX record locks are per process, so they also keep apart a parent
 * and a forked child that share the descriptor.
 */
static int ctl_lock(int fd, short type)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET };

	while (fcntl(fd, F_SETLKW, &fl) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	return 0;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t r = write(fd, p, n);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/*
 * Read up to the newline; the host sends exactly one line per request, so
 * nothing after it can belong to us. A line longer than buf is consumed
 * whole and truncated.
 */
static int read_line(int fd, char *buf, size_t len)
{
	bool overflow = false;
	size_t n = 0;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		char chunk[256];
		ssize_t got;
		int r;

		/*
		 * No timeout of the guest's own: under -icount sleep=off its
		 * clock leaps to the next timer whenever it idles, so a minute
		 * of it can pass while the host is still answering (once or
		 * twice in 100 seeds of link-seeds on a loaded host). The
		 * harness answers every request, an error if QMP does not,
		 * and its run timeout bounds one that never does.
		 */
		r = poll(&p, 1, -1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		got = read(fd, chunk, sizeof(chunk));
		if (got < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		if (got == 0)
			return -EPIPE;
		for (ssize_t i = 0; i < got; i++) {
			char c = chunk[i];

			if (c == '\n') {
				buf[n] = '\0';
				return overflow ? -EMSGSIZE : 0;
			}
			if (c == '\r')
				continue;
			if (n + 1 < len)
				buf[n++] = c;
			else
				overflow = true;
		}
	}
}

int vm_request(const char *line, char *reply, size_t len)
{
	char *raw;
	int fd, r, r2;

	if (!reply || len == 0 || strpbrk(line, "\r\n"))
		return -EINVAL;
	fd = ctl_open();
	if (fd < 0)
		return fd;
	raw = malloc(VM_REPLY_MAX + 3);
	if (!raw)
		return -ENOMEM;
	r = ctl_lock(fd, F_WRLCK);
	if (r < 0)
		goto out;
	/* Drop a reply left over from a request whose caller was killed. */
	tcflush(fd, TCIFLUSH);
	r = write_all(fd, line, strlen(line));
	if (r == 0)
		r = write_all(fd, "\n", 1);
	if (r == 0)
		r = read_line(fd, raw, VM_REPLY_MAX + 3);
	r2 = ctl_lock(fd, F_UNLCK);
	if (r == 0)
		r = r2;
	if (r < 0 && r != -EMSGSIZE)
		goto out;
	if (strncmp(raw, "R ", 2) != 0) {
		r = -EPROTO;
		goto out;
	}
	if (strlen(raw + 2) >= len) {
		memcpy(reply, raw + 2, len - 1);
		reply[len - 1] = '\0';
		r = -EMSGSIZE;
		goto out;
	}
	strcpy(reply, raw + 2);
out:
	free(raw);
	return r;
}

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

/* Classify a QMP response by its first member (the host puts it first). */
static int qmp_status(const char *reply)
{
	const char *p = skip_ws(reply);

	if (*p != '{')
		return -EPROTO;
	p = skip_ws(p + 1);
	if (strncmp(p, "\"return\"", 8) == 0)
		return 0;
	if (strncmp(p, "\"error\"", 7) == 0)
		return -EIO;
	return -EPROTO;
}

int vm_qmp(const char *json, char *reply, size_t len)
{
	char *line, *own = NULL;
	size_t n = strlen(json);
	int r;

	line = malloc(n + 5);
	if (!line)
		return -ENOMEM;
	memcpy(line, "QMP ", 4);
	/* JSON allows a raw newline only as whitespace, so a space is equal. */
	for (size_t i = 0; i <= n; i++)
		line[4 + i] = (json[i] == '\n' || json[i] == '\r') ? ' ' : json[i];
	if (!reply) {
		own = malloc(VM_REPLY_MAX);
		if (!own) {
			free(line);
			return -ENOMEM;
		}
		reply = own;
		len = VM_REPLY_MAX;
	}
	r = vm_request(line, reply, len);
	if (r == 0)
		r = qmp_status(reply);
	free(own);
	free(line);
	return r;
}

/* Quote s as a JSON string; the caller frees the result. */
static char *json_string(const char *s)
{
	char *out = malloc(strlen(s) * 6 + 3);
	char *o = out;

	if (!out)
		return NULL;
	*o++ = '"';
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			*o++ = '\\';
			*o++ = (char)c;
		} else if (c < 0x20) {
			o += sprintf(o, "\\u%04x", c);
		} else {
			*o++ = (char)c;
		}
	}
	*o++ = '"';
	*o = '\0';
	return out;
}

static int qom_command(const char *cmd, const char *qom_path, const char *prop,
		       const char *json_value, char *reply, size_t len)
{
	char *path = json_string(qom_path);
	char *name = json_string(prop);
	char *json = NULL;
	int r = -ENOMEM;

	if (path && name) {
		if (json_value)
			r = asprintf(&json, "{\"execute\":\"%s\",\"arguments\":{\"path\":%s,\"property\":%s,\"value\":%s}}",
				     cmd, path, name, json_value);
		else
			r = asprintf(&json, "{\"execute\":\"%s\",\"arguments\":{\"path\":%s,\"property\":%s}}",
				     cmd, path, name);
		if (r < 0) {
			json = NULL;
			r = -ENOMEM;
		} else {
			r = vm_qmp(json, reply, len);
		}
	}
	free(json);
	free(name);
	free(path);
	return r;
}

int vm_qom_set(const char *qom_path, const char *prop, const char *json_value)
{
	return qom_command("qom-set", qom_path, prop, json_value, NULL, 0);
}

/* End of the JSON value starting at p: past its closing quote or bracket,
 * or at the ',' / '}' that ends a scalar. */
static const char *json_value_end(const char *p)
{
	bool in_string = false;
	int depth = 0;

	for (; *p; p++) {
		if (in_string) {
			if (*p == '\\' && p[1]) {
				p++;
			} else if (*p == '"') {
				in_string = false;
				if (depth == 0)
					return p + 1;
			}
			continue;
		}
		switch (*p) {
		case '"':
			in_string = true;
			break;
		case '{':
		case '[':
			depth++;
			break;
		case '}':
		case ']':
			if (depth == 0)
				return p;
			if (--depth == 0)
				return p + 1;
			break;
		case ',':
			if (depth == 0)
				return p;
			break;
		default:
			break;
		}
	}
	return p;
}

int vm_qom_get(const char *qom_path, const char *prop, char *out, size_t len)
{
	const char *start, *end;
	char *reply;
	int r;

	if (!out || len == 0)
		return -EINVAL;
	reply = malloc(VM_REPLY_MAX);
	if (!reply)
		return -ENOMEM;
	r = qom_command("qom-get", qom_path, prop, NULL, reply, VM_REPLY_MAX);
	if (r < 0)
		goto out;
	/* qmp_status() saw {"return" already; step to the value after ':'. */
	start = strchr(reply, ':');
	if (!start) {
		r = -EPROTO;
		goto out;
	}
	start = skip_ws(start + 1);
	end = json_value_end(start);
	while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if ((size_t)(end - start) >= len) {
		r = -EMSGSIZE;
		goto out;
	}
	memcpy(out, start, (size_t)(end - start));
	out[end - start] = '\0';
out:
	free(reply);
	return r;
}

long vm_log_count(const char *substring)
{
	char reply[64], *line, *end;
	long count;
	int r;

	if (asprintf(&line, "LOG %s", substring) < 0)
		return -ENOMEM;
	r = vm_request(line, reply, sizeof(reply));
	free(line);
	if (r < 0)
		return r;
	errno = 0;
	count = strtol(reply, &end, 10);
	if (errno || end == reply || *end != '\0' || count < 0)
		return -EPROTO;
	return count;
}

int vm_exit(int code)
{
	char line[32], reply[64];
	int r;

	snprintf(line, sizeof(line), "EXIT %d", code);
	r = vm_request(line, reply, sizeof(reply));
	/*
	 * Leave even if the harness did not hear us: it reports the missing
	 * EXIT itself, and a guest that never stops only costs a timeout.
	 */
	if (ioperm(VM_DEBUG_EXIT_PORT, 4, 1) < 0)
		return -errno;
	outl((unsigned int)code, VM_DEBUG_EXIT_PORT);
	return r < 0 ? r : -EIO;
}

void vm_card_qom(int i, char *buf, size_t len)
{
	if (len > 0)
		snprintf(buf, len, "/machine/peripheral/oio%d", i);
}
