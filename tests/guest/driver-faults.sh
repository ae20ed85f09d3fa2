#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# oio.ko against every fault the card brief lists, and load/unload cycles:
# the harness fails the run on any kernel WARNING, BUG or oops, so each
# check here also means "and the kernel stayed quiet".
#
# env: OIO_CARDS (from the harness), OIO_CYCLES insmod/rmmod cycles (5)
set -u

. /tests/tap-lib

qset() {
	vmctl qom-set "/machine/peripheral/$1" "$2" "$3" >/dev/null
}

# Read every readable file of a card; errors are allowed (a dead card
# answers ENODEV), hangs and splats are not.
read_all() {
	# one cat for them all: it goes on past a file that fails
	cat "$1"/*/* "$1"/* >/dev/null 2>&1
	return 0
}

cards=${OIO_CARDS:-1}
cycles=${OIO_CYCLES:-5}
i=0
bad=0
while [ $i -lt "$cycles" ]; do
	insmod /lib/modules/oio.ko || bad=1
	[ "$(ls -d /sys/class/oio/oio* 2>/dev/null | wc -l)" -eq "$cards" ] || bad=1
	rmmod oio || bad=1
	[ ! -e /sys/class/oio ] || [ -z "$(ls /sys/class/oio)" ] || bad=1
	i=$((i + 1))
done
ok $bad "$cycles insmod/rmmod cycles with $cards cards"

check "insmod" insmod /lib/modules/oio.ko
c=/sys/class/oio/oio0
q=$(qom_of $c)
check "oio0 maps to $q" test -n "$q"
check "arm, light lines 0-3" sh -c "echo 1 > $c/armed && for l in 0 1 2 3; do echo 1 > $c/laser\$l/enable; done"
check "line 3 emits" wait_for $c/laser3/status emitting

qset "$q" laser-fail-mask 2
check "laser line failure: line 1 failed, line 0 still emitting" sh -c \
	"test \"\$(cat $c/laser1/status) \$(cat $c/laser0/status)\" = 'failed emitting'"
read_all $c
qset "$q" laser-fail-mask 0

qset "$q" card-tau-ms 5
qset "$q" ambient-mc 50000
check "ambient step +25 K: the card follows" wait_for $c/temp_millicelsius 50000
read_all $c
qset "$q" ambient-mc 25000
check "and back" wait_for $c/temp_millicelsius 25000
qset "$q" card-tau-ms 2000

qset "$q" stuck-ring 6
check "stuck heater: the DAC reads back, the heater draws nothing" sh -c \
	"echo 4000 > $c/ring6/heater && test \"\$(cat $c/ring6/heater) \$(cat $c/ring6/heater_uw)\" = '4000 0'"
qset "$q" stuck-ring -1
check "unstuck, it heats" sh -c "test \"\$(cat $c/ring6/heater_uw)\" -gt 2500"

qset "$q" monitor-noise-na 100000
# A ring off every line reads its dark current, and the ADC clamps the
# noise below zero to 0: half its readings are 0, so one pair of them
# can be 0 and 0. Sixteen are all 0 once in 65,536 runs.
readings=$(for k in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do
	cat $c/ring0/monitor_na
done | sort -u | wc -l)
ok $([ "$readings" -gt 1 ]; echo $?) "monitor noise shows ($readings different readings of 16)"
qset "$q" monitor-noise-na 2000

qset "$q" fw-hang true
read_all $c
check "hung firmware: registers still answer" test "$(cat $c/ports)" = 8
qset "$q" fw-hang false

qset "$q" interlock false
check "interlock opened: lasers dark, disarmed" sh -c \
	"test \"\$(cat $c/interlock) \$(cat $c/armed) \$(cat $c/laser0/power_uw)\" = 'open 0 0'"
qset "$q" interlock true
echo 0 > $c/interlock_opened

# An alarm vector that never stops: the driver mutes it, so the guest
# takes at most ~2000 of them a second however long the storm lasts (the
# card raises one every 50 us). A count, not a time: it holds on a loaded
# machine, where fewer interrupts arrive, never more.
irqs() {
	awk '/ oio/ { for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i }
	     END { print s + 0 }' /proc/interrupts
}
before=$(irqs)
start=$(date +%s)
qset "$q" irq-storm true
read_all $c
sleep 2
qset "$q" irq-storm false
elapsed=$(($(date +%s) - start))
taken=$(($(irqs) - before))
ok $([ "$taken" -le $((2001 * (elapsed + 2))) ]; echo $?) \
	"interrupt storm: $taken interrupts in ${elapsed}s, sysfs still served"
check "the storm was reported and the vector muted" sh -c \
	"dmesg | grep -q 'alarm interrupt storm'"
check "storm over: card answers" test "$(cat $c/lanes)" = 64
# The vector comes back a second later: an alarm still gets through.
sleep 2
qset "$q" laser-fail-mask 8
check "after the storm, alarms are delivered again" wait_for $c/laser3/alarms 0x40
qset "$q" laser-fail-mask 0

qset "$q" dead true
err=$(cat $c/temp_millicelsius 2>&1)
case $err in *"Input/output error"*) rc=0 ;; *) rc=1 ;; esac
ok $rc "card reading all ones: EIO ($err)"
read_all $c
qset "$q" dead false
check "rmmod a module with a dead card" rmmod oio
check "insmod: the card is back" sh -c "insmod /lib/modules/oio.ko && test -e $c/serial"

# Hot removal while readers hammer the card.
c=/sys/class/oio/oio0
bdf=$(basename "$(readlink $c/device)")
(for k in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do read_all $c; done) &
reader=$!
vmctl qmp "{\"execute\":\"device_del\",\"arguments\":{\"id\":\"$q\"}}" >/dev/null
i=0
while [ -e /sys/bus/pci/devices/$bdf ] && [ $i -lt 300 ]; do
	usleep 100000
	i=$((i + 1))
done
wait $reader
check "hot removal under load: the card left" test ! -e /sys/bus/pci/devices/$bdf
check "its class device went with it" test ! -e /sys/class/oio/oio0/serial
left=$(ls -d /sys/class/oio/oio* 2>/dev/null | wc -l)
ok $([ "$left" -eq $((cards - 1)) ]; echo $?) "other cards stay ($left)"
check "rmmod after hot removal" rmmod oio

tap_done
