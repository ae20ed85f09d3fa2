#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Drift with links up, through oioctl as a lab engineer would see it: a
# +5 K ambient step is ridden out by the lock loops; a +25 K step runs
# rings to their heater limit, which telemetry and link status show, and
# `oioctl link recover` brings every lane back. The +5 K step also checks
# link status's thermal headroom: the margin to warm falls by about 5 K and
# the margin to cool grows by as much.
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

# headroom: "warm cool" (K) of every port, from link status -j
headroom() {
	oioctl -j link status "$c" > /tmp/status.json
	n=$($JC links.0.ports.length < /tmp/status.json)
	i=0
	while [ $i -lt "$n" ]; do
		echo "$($JC links.0.ports.$i.headroom_warm_k < /tmp/status.json)" \
			"$($JC links.0.ports.$i.headroom_cool_k < /tmp/status.json)"
		i=$((i + 1))
	done
}
h0=$(headroom)
echo "$h0" | sed 's/^/# before: headroom warm, cool (K): /'
json_out link-status /tmp/status.json

step 5
up=$(lanes_up)
ok $(test "$up" = 64; echo $?) "+5 K: $up/64 lanes still up"

# Each port's warm headroom falls, and its cool one grows, by about the
# 5 K step. Not exactly: link status reads heater codes through the
# nominal law (the ring's own range is within ±10 % of the nominal and its
# law within ±5 %: about ±15 % on a difference of shifts), the neighbours'
# heat falls too (thermal crosstalk, 8 % from each side and 1 % from the
# next ones), so a ring's own heater gives up only about 1/1.1 to 1/1.2 of
# the drift, and the silicon's drift may differ from the nominal 60 pm/K
# by its spread (here drift-pm-per-k is the nominal). Each ring moves by
# 5 K times a factor within about 0.7 .. 1.1 (3.5 to 5.5 K), and the least
# over rings moves within the extremes of its rings'. 3.2 K to 5.8 K adds
# the lock loop's dither (a few pm, a few hundredths of a kelvin), the
# card's lag (10 s is five time constants: 0.7 % of the step left) and
# the rounding of two readings to 0.001 K, with some slack for the
# factor's ends.
h5=$(headroom)
echo "$h5" | sed 's/^/# +5 K: headroom warm, cool (K): /'
moves=$(printf '%s\n%s\n' "$h0" "$h5" | awk -v n="$(echo "$h0" | wc -l)" '
	NR <= n { w[NR] = $1; k[NR] = $2; next }
	{ printf "%.2f %.2f\n", w[NR - n] - $1, $2 - k[NR - n] }')
echo "$moves" | sed 's/^/# +5 K: warm fell, cool grew by (K): /'
ok $(echo "$moves" | awk '$1 < 3.2 || $1 > 5.8 || $2 < 3.2 || $2 > 5.8 { bad++ }
	END { exit !(NR == 8 && !bad) }'; echo $?) \
	"+5 K: every port's warm headroom fell and its cool one grew by 3.2 .. 5.8 K"

step 25
up=$(lanes_up)
oioctl -j telemetry "$c" > /tmp/telemetry.json
json_out telemetry /tmp/telemetry.json
lim=$($JC telemetry.0.rings_at_limit < /tmp/telemetry.json)
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
