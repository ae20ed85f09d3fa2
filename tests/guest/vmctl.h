/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vmctl: guest side of the VM test harness control channel.
 *
 * Guest test programs use this to drive the emulated machine from inside:
 * send QMP commands (fault injection through QOM properties, hot-unplug),
 * count lines in QEMU's guest-error log and end the run with an exit code.
 *
 * Transport: the third 16550 (/dev/ttyS2), which QEMU connects to the
 * harness (tests/vm/run-vm.py). One request line, one reply line:
 *
 *   QMP <one-line json>   ->  R <QMP response object, one line>
 *   LOG <substring>       ->  R <number of matching lines in qemu.log>
 *   EXIT <code>           ->  R ok
 *
 * The harness puts the "return" or "error" member first in a QMP reply, so
 * the reply starts with {"return" or {"error".
 *
 * Not thread-safe: serialise calls between threads of one process. Separate
 * processes may call concurrently; each request/reply pair holds a POSIX
 * record lock on the device.
 */
#ifndef OIO_TESTS_GUEST_VMCTL_H
#define OIO_TESTS_GUEST_VMCTL_H

#include <stddef.h>

#define VM_CTL_DEVICE "/dev/ttyS2"

/* Room for any reply the tests expect; longer replies yield -EMSGSIZE. */
#define VM_REPLY_MAX 65536

/*
 * Send one raw request line (without the newline) and store the reply,
 * minus its "R " prefix, in reply. Returns 0 or a negative errno:
 * -EINVAL (line has a newline), -EPIPE (the host hung up), -EPROTO (no
 * "R " prefix), -EMSGSIZE (reply did not fit; it is truncated), or the
 * I/O error. It waits for as long as the host takes: the harness answers
 * every request, within its QMP timeout.
 */
int vm_request(const char *line, char *reply, size_t len);

/*
 * Run one QMP command. The whole response object goes to reply (which may
 * be NULL). Returns 0 if it carries "return", -EIO if it carries "error",
 * another negative errno if the request itself failed. Newlines in json
 * are sent as spaces.
 */
int vm_qmp(const char *json, char *reply, size_t len);

/*
 * qom-set PROP of the object at QOM_PATH to JSON_VALUE, which is JSON text:
 * "5", "true", "\"str\"". Returns as vm_qmp().
 */
int vm_qom_set(const char *qom_path, const char *prop, const char *json_value);

/* qom-get: store the JSON text of the returned value in out. */
int vm_qom_get(const char *qom_path, const char *prop, char *out, size_t len);

/* Lines of QEMU's guest-error log containing substring, or negative errno. */
long vm_log_count(const char *substring);

/*
 * Tell the harness the exit code, then leave through isa-debug-exit (I/O
 * port 0xf4): QEMU exits with status (code << 1) | 1. Returns only on
 * failure, with a negative errno.
 */
int vm_exit(int code);

/* QOM path of card i, "/machine/peripheral/oio<i>", into buf. */
void vm_card_qom(int i, char *buf, size_t len);

#endif /* OIO_TESTS_GUEST_VMCTL_H */
