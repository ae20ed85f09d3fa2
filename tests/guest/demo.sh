#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# `make demo`: a lab session on two emulated cards with oioctl - load the
# driver, bring every lane of every card up, then look at the cards, the
# telemetry, and a ring's sweep with its laser lines marked (the ring is
# released for the sweep and `link recover` puts it back).
#
# Every command and its output are shown as TAP comments; each step is one
# result.
. /tests/tap-lib
export PATH=/usr/bin:/bin

# run DESC COMMAND...: show the command and its output, one result.
run() {
	desc=$1
	shift
	echo "#"
	echo "# \$ $*"
	out=$("$@" 2>&1)
	rc=$?
	printf '%s\n' "$out" | sed 's/^/#   /'
	ok $rc "$desc"
}

run "load the driver" modprobe oio
run "list the cards" oioctl list
run "bring every lane of every card up" oioctl link up all
run "show card 0" oioctl show 0
run "telemetry of card 0" oioctl telemetry 0
run "release ring 5 of card 0 for a sweep" oioctl ring set 0 5 lock off
run "sweep ring 5 with the laser lines marked" \
	oioctl sweep 0 5 --step 8 --dwell 20000 --plot
run "recover: ring 5's lane comes back" oioctl link recover 0
run "link status of card 0" oioctl link status 0
tap_done
