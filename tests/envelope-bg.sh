#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The envelope suite in the background. It needs only test-envelope, a
# host build of a minute, and takes about twenty minutes of a core: make
# check starts it before building QEMU, the kernels and the Debian image,
# in two workers at nice 19, so that it runs on what everything else
# leaves idle (downloads, debootstrap, configure and link steps, then
# guests waiting and a lane done before the other), and check.sh's lane
# B waits for it once it has no suite left and reports it with them.
#
# usage: envelope-bg.sh start LOG_DIR BINARY
#        envelope-bg.sh wait LOG_DIR    until it ends; exits with its status
#        envelope-bg.sh stop LOG_DIR    ends it (a failed or interrupted run)
# LOG_DIR/envelope.tap gets its TAP; envelope.start and envelope.end its
# start and end (epoch seconds); envelope.rc its exit status, written only
# by the run that envelope.pid names, so a run left over from an earlier
# make check cannot answer for this one.
set -u
[ $# -ge 2 ] || { echo "usage: $0 start|wait|stop LOG_DIR [BINARY]" >&2; exit 2; }
dir=$2

# ours PID: PID is a running (not zombie) envelope run of this LOG_DIR.
ours() {
	state=$(sed -n 's/^[0-9]* (.*) \([A-Z]\) .*/\1/p' "/proc/$1/stat" \
		2> /dev/null) || return 1
	[ -n "$state" ] && [ "$state" != Z ] || return 1
	tr '\0' '\n' < "/proc/$1/cmdline" 2> /dev/null | grep -qxF "$dir"
}

stop() {
	pid=$(cat "$dir/envelope.pid" 2> /dev/null) || return 0
	rm -f "$dir/envelope.pid"
	# its own session: the suite goes with the shell that runs it
	if ours "$pid"; then
		kill -TERM "-$pid" 2> /dev/null
	fi
	return 0
}

case $1 in
start)
	[ $# -eq 3 ] || { echo "usage: $0 start LOG_DIR BINARY" >&2; exit 2; }
	stop
	mkdir -p "$dir"
	rm -f "$dir/envelope.rc" "$dir/envelope.rc.new" "$dir/envelope.tap" \
		"$dir/envelope.end"
	date +%s > "$dir/envelope.start"
	# A session of its own is an autogroup of its own: the scheduler
	# weighs it against make's as a whole, whatever nice its processes
	# have, unless the autogroup's own nice is raised too.
	# shellcheck disable=SC2016 # expanded by the inner shell
	setsid nice -n 19 sh -c 'echo 19 > /proc/self/autogroup 2> /dev/null
		"$1" -n 500 -j 2 > "$2/envelope.tap" 2>&1
		rc=$?
		[ "$(cat "$2/envelope.pid" 2> /dev/null)" = $$ ] || exit 0
		date +%s > "$2/envelope.end"
		echo $rc > "$2/envelope.rc.new"
		mv "$2/envelope.rc.new" "$2/envelope.rc"' sh "$3" "$dir" \
		< /dev/null > /dev/null 2>&1 &
	echo $! > "$dir/envelope.pid"
	;;
wait)
	pid=$(cat "$dir/envelope.pid" 2> /dev/null) || {
		echo "envelope: not started" >&2
		exit 1
	}
	while [ ! -e "$dir/envelope.rc" ] && ours "$pid"; do
		sleep 2
	done
	rm -f "$dir/envelope.pid"
	[ -e "$dir/envelope.rc" ] || {
		echo "envelope: ended without an exit status (killed?)" >&2
		exit 1
	}
	exit "$(cat "$dir/envelope.rc")"
	;;
stop)
	stop
	;;
*)
	echo "usage: $0 start|wait|stop LOG_DIR [BINARY]" >&2
	exit 2
	;;
esac
