#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Drift with links up, through oioctl as a lab engineer would see it: a
# +5 K ambient step is ridden out by the lock loops; a +25 K step runs
# rings to their heater limit, which telemetry and link status show, and
# `oioctl link recover` brings every lane back.
#
# env: OIO_CARDS (from the harness)
. /tests/tap-lib
export PATH=/usr/bin:/bin

JC=/tests/json-check
q=/machine/peripheral/oio0
base=$(vmctl qom-get $q ambient-mc)

check "modprobe oio" modprobe oio
# the card behind QOM oio0, whatever id the driver gave it
c=""
for d in /sys/class/oio/oio*; do
	[ "$(qom_of "$d")" = oio0 ] && c=${d##*/oio}
done
ok $(test -n "$c"; echo $?) "QOM oio0 is oio$c"

# lanes_up: activated lanes of the card, from JSON telemetry
lanes_up() {
	oioctl -j telemetry "$c" | $JC telemetry.0.lanes_up
}

# step K: ambient base + K kelvin, then five thermal time constants (2 s)
step() {
	vmctl qom-set $q ambient-mc $((base + $1 * 1000)) >/dev/null
	sleep 10
}

check "oioctl link up" oioctl link up "$c"
ok $(test "$(lanes_up)" = 64; echo $?) "64 lanes up before the steps"

step 5
up=$(lanes_up)
ok $(test "$up" = 64; echo $?) "+5 K: $up/64 lanes still up"

step 25
up=$(lanes_up)
lim=$(oioctl -j telemetry "$c" | $JC telemetry.0.rings_at_limit)
lost=$(oioctl -j telemetry "$c" | $JC telemetry.0.rings_lost)
ok $(test "$up" -lt 64 && test $((lim + lost)) -gt 0; echo $?) \
	"+25 K: $up/64 lanes up, $lim rings at a heater limit, $lost lost"
out=$(oioctl link status "$c")
case $out in *"64/64"*) rc=1 ;; *) rc=0 ;; esac
ok $rc "link status shows the lanes down"

oioctl link recover "$c" > /tmp/recover.out 2>&1
rc=$?
sed 's/^/# /' /tmp/recover.out
ok $rc "oioctl link recover exits 0"
up=$(lanes_up)
ok $(test "$up" = 64; echo $?) "after recover: $up/64 lanes up"

vmctl qom-set $q ambient-mc "$base" >/dev/null
tap_done
