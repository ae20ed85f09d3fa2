# SPDX-License-Identifier: GPL-2.0-only
#
# TAP helpers for the Debian guest's tests, sourced from the payload
# ($OIO_PAYLOAD/lib/tap.sh). Results are numbered as they come; tap_done
# prints the plan and exits 1 if anything failed.

n=0
failed=0

# ok STATUS DESC: one result, passed when STATUS is 0.
ok() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=1
	fi
}

# check DESC COMMAND...: one result from a command's status; its output
# goes to the console log.
check() {
	desc=$1
	shift
	"$@" >&2
	ok $? "$desc"
}

# diag TEXT...: a TAP comment line per line of TEXT.
diag() {
	printf '%s\n' "$*" | sed 's/^/# /'
}

# wait_until TENTHS COMMAND...: retry COMMAND every 0.1 s.
wait_until() {
	tries=$1
	shift
	while ! "$@" > /dev/null 2>&1; do
		tries=$((tries - 1))
		[ "$tries" -gt 0 ] || return 1
		sleep 0.1
	done
}

# as_lab COMMAND...: run as the unprivileged user "lab", with the groups
# /etc/group gives it now.
as_lab() {
	runuser -u lab -- "$@"
}

cards() {
	ls -d /sys/class/oio/oio* 2>/dev/null | wc -l
}

tap_done() {
	echo "1..$n"
	exit $failed
}
