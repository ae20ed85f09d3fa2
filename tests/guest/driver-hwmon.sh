#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# oio.ko beside its sysfs tree: the hwmon device sensors(1) reads, the
# debugfs register dump and counters, and `devlink dev info` (through
# /tests/devlink-info, as the guest has no iproute2). Values against the
# card's own sysfs files and QOM, thresholds and latched alarms, bad input
# with its errno and no change, a card that goes dead, unbind and rmmod.
#
# env: OIO_CARDS (from the harness)
set -u

. /tests/tap-lib

# wait_near FILE VALUE TOLERANCE: poll up to 2 s for |FILE - VALUE| <= TOL.
wait_near() {
	i=0
	while [ $i -lt 200 ]; do
		v=$(cat "$1" 2>/dev/null) && [ -n "$v" ] &&
			[ "$v" -ge $(($2 - $3)) ] && [ "$v" -le $(($2 + $3)) ] &&
			return 0
		usleep 10000
		i=$((i + 1))
	done
	return 1
}

# between VALUE LOW HIGH
between() {
	[ -n "$1" ] && [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]
}

qom() {
	vmctl qom-get "/machine/peripheral/$1" "$2"
}

qset() {
	vmctl qom-set "/machine/peripheral/$1" "$2" "$3" >/dev/null
}

# hwmon_of BDF: the hwmon directory named "oio" on that PCI function.
hwmon_of() {
	for d in /sys/class/hwmon/hwmon*; do
		[ "$(cat "$d/name" 2>/dev/null)" = oio ] &&
			[ "$(basename "$(readlink "$d/device")")" = "$1" ] &&
			echo "$d"
	done
}

# devlink_field BDF KEY...: a field of `devlink dev info pci/BDF`.
devlink_field() {
	bdf=$1
	shift
	/tests/devlink-info pci "$bdf" 2>/dev/null | sed -n "s/^$* //p"
}

cards=${OIO_CARDS:-1}
check "insmod oio.ko" insmod /lib/modules/oio.ko
c=/sys/class/oio/oio0
bdf=$(basename "$(readlink $c/device)")
qid=$(qom_of $c)
ok $([ -n "$qid" ]; echo $?) "oio0 ($bdf) is card $qid"

# ---- hwmon ----
count=0
for d in /sys/class/hwmon/hwmon*; do
	[ "$(cat "$d/name" 2>/dev/null)" = oio ] && count=$((count + 1))
done
ok $([ "$count" -eq "$cards" ]; echo $?) "one hwmon device named oio per card ($count)"
h=$(hwmon_of "$bdf")
ok $([ -n "$h" ] && [ -d "$h" ]; echo $?) "oio0's hwmon device: $h"

t=$(cat $h/temp1_input)
ok $(between "$t" 24000 26000; echo $?) "temp1_input $t mC"
t2=$(cat $c/temp_millicelsius)
ok $(between "$t" $((t2 - 200)) $((t2 + 200)); echo $?) "temp1_input matches temp_millicelsius ($t2)"
check "labels: card, laser0 TEC, laser7 TEC" test \
	"$(cat $h/temp1_label),$(cat $h/temp2_label),$(cat $h/temp9_label)" = \
	"card,laser0 TEC,laser7 TEC"
check "curr and power labels: laser0 bias .. laser7 power" test \
	"$(cat $h/curr1_label),$(cat $h/curr8_label),$(cat $h/power1_label),$(cat $h/power8_label)" = \
	"laser0 bias,laser7 bias,laser0 power,laser7 power"
check "no channels past the 8 lines" test ! -e $h/temp10_input -a ! -e $h/curr9_input -a ! -e $h/power9_input
t=$(cat $h/temp2_input)
ok $(between "$t" 24900 25100; echo $?) "laser 0 TEC temperature $t mC"
check "card thresholds: max 75000, crit 85000, min 5000, lcrit 0" test \
	"$(cat $h/temp1_max) $(cat $h/temp1_crit) $(cat $h/temp1_min) $(cat $h/temp1_lcrit)" = "75000 85000 5000 0"
check "TEC thresholds: crit 35000, lcrit 15000" test \
	"$(cat $h/temp2_crit) $(cat $h/temp2_lcrit)" = "35000 15000"
check "bias thresholds in mA: max 130, crit 140" test \
	"$(cat $h/curr1_max) $(cat $h/curr1_crit)" = "130 140"
check "power thresholds in uW: min 1000, lcrit 500" test \
	"$(cat $h/power1_min) $(cat $h/power1_lcrit)" = "1000 500"
check "only the card's thresholds are writable" test \
	"$(stat -c %a $h/temp1_max) $(stat -c %a $h/temp1_lcrit) $(stat -c %a $h/temp2_crit) $(stat -c %a $h/curr1_max) $(stat -c %a $h/temp1_input)" = \
	"644 644 444 444 444"
check "no alarms" test \
	"$(cat $h/temp1_max_alarm)$(cat $h/temp1_crit_alarm)$(cat $h/temp1_min_alarm)$(cat $h/temp1_lcrit_alarm)$(cat $h/temp2_crit_alarm)$(cat $h/curr1_max_alarm)$(cat $h/power1_min_alarm)" = 0000000
check "dark laser: 0 mA, 0 uW" test "$(cat $h/curr1_input) $(cat $h/power1_input)" = "0 0"

check "arm and enable laser 0" sh -c "echo 1 > $c/armed && echo 1 > $c/laser0/enable"
check "laser 0 emits" wait_for $c/laser0/status emitting
a=$(cat $h/curr1_input)
ok $([ "$a" = 80 ]; echo $?) "curr1_input $a mA (bias $(cat $c/laser0/bias_ua) uA)"
p=$(cat $h/power1_input)
ok $(between "$p" 1001 4000; echo $?) "power1_input $p uW"
check "power1_input is laser0/power_uw" test "$p" = "$(cat $c/laser0/power_uw)"
check "curr2 and power2 of a dark line read 0" test "$(cat $h/curr2_input) $(cat $h/power2_input)" = "0 0"

# Laser alarms latch on the card; hwmon shows the latched flags.
check "bias 135 mA" sh -c "echo 135000 > $c/laser0/bias_set_ua"
check "curr1_max_alarm latches" wait_for $h/curr1_max_alarm 1
check "curr1_input 135 mA, curr1_crit_alarm 0" test "$(cat $h/curr1_input) $(cat $h/curr1_crit_alarm)" = "135 0"
check "bias 30 mA" sh -c "echo 30000 > $c/laser0/bias_set_ua"
check "power1_lcrit_alarm latches" wait_for $h/power1_lcrit_alarm 1
p=$(cat $h/power1_input)
check "power1_min_alarm too, power $p uW" test "$(cat $h/power1_min_alarm)" = 1
check "back to 80 mA" sh -c "echo 80000 > $c/laser0/bias_set_ua"
check "bias follows" wait_for $h/curr1_input 80
check "curr1_max_alarm stays latched after the condition ends" test "$(cat $h/curr1_max_alarm)" = 1
check "clear laser 0's flags" sh -c "echo 0xf > $c/laser0/alarms"
check "curr1 and power1 alarms clear" test \
	"$(cat $h/curr1_max_alarm)$(cat $h/power1_min_alarm)$(cat $h/power1_lcrit_alarm)" = 000

# Card thresholds are writable; a crossed one latches its flag.
write_fails $h/temp1_max abc "Invalid argument"
write_fails $h/temp1_max 200000 "Numerical result out of range"
write_fails $h/temp1_lcrit -40001 "Numerical result out of range"
check "temp1_max 20000" sh -c "echo 20000 > $h/temp1_max && test \"\$(cat $h/temp1_max)\" = 20000"
check "temp1_max_alarm latches" wait_for $h/temp1_max_alarm 1
check "card alarms show TEMP_HIGH_WARN" sh -c "test \$((\$(cat $c/alarms) & 4)) -eq 4"
check "temp1_crit_alarm stays 0" test "$(cat $h/temp1_crit_alarm)" = 0
check "restore temp1_max" sh -c "echo 75000 > $h/temp1_max"
check "clear the card flag" sh -c "echo 4 > $c/alarms"
check "temp1_max_alarm clears" test "$(cat $h/temp1_max_alarm)" = 0
check "temp1_min -5000" sh -c "echo -5000 > $h/temp1_min && test \"\$(cat $h/temp1_min)\" = -5000"
check "restore temp1_min" sh -c "echo 5000 > $h/temp1_min"

# The card follows its ambient.
qset "$qid" card-tau-ms 5
qset "$qid" ambient-mc 40000
check "temp1_input follows a 40 C ambient" wait_near $h/temp1_input 40000 300
check "temp2 (laser TEC) does not" wait_near $h/temp2_input 25000 100
qset "$qid" ambient-mc 25000
check "and comes back to 25 C" wait_near $h/temp1_input 25000 300
qset "$qid" card-tau-ms 2000
check "temp1_max_alarm still 0" test "$(cat $h/temp1_max_alarm)" = 0

# Every card has its own hwmon device.
for cc in /sys/class/oio/oio*; do
	b=$(basename "$(readlink $cc/device)")
	hh=$(hwmon_of "$b")
	t=$(cat "$hh/temp1_input" 2>/dev/null)
	ok $([ -n "$hh" ] && between "$t" 24000 26000; echo $?) "$(basename $cc) ($b): $hh, $t mC"
done

# ---- debugfs ----
dbg=/sys/kernel/debug/oio
d=$dbg/$bdf
check "debugfs: one directory per card" test "$(ls -d $dbg/0000:* | wc -l)" -eq "$cards"
check "debugfs: the fault injection knobs" test -e $dbg/fault/caps_clear -a -e $dbg/fault/telem_size
check "regs: MAGIC 0x4f494f45" grep -q '^0000 MAGIC  *0x4f494f45$' $d/regs
s=$(printf '0x%08x' "$(cat $c/serial)")
check "regs: SERIAL $s" grep -q "^0010 SERIAL  *$s\$" $d/regs
check "regs: the temp1_max write shows in TEMP_HIGH_WARN" sh -c \
	"echo 20000 > $h/temp1_max && grep -q '^0074 TEMP_HIGH_WARN  *0x00004e20\$' $d/regs; rc=\$?; echo 75000 > $h/temp1_max; echo 4 > $c/alarms; exit \$rc"
check "regs: laser 0 enabled" grep -q '^1000 LASER_CTRL(0)  *0x00000001$' $d/regs
check "regs: every lane and ring, to RING_HEATER_UW(127)" sh -c \
	"grep -q '^2fc4 LANE_STATE(63) ' $d/regs && tail -n 1 $d/regs | grep -q '^8ff0 RING_HEATER_UW(127) '"
lines=$(wc -l < $d/regs)
ok $([ "$lines" -eq $((67 + 8 + 8 + 8 * 8 + 64 * 8 + 128 * 5)) ]; echo $?) "regs: $lines lines"
check "counters: five named numbers" sh -c \
	"sed 's/ [0-9][0-9]*\$//' $d/counters | tr '\n' ' ' | grep -qx 'mmio_reads mmio_writes dma_bytes alarm_irqs alarm_storms '"
r1=$(sed -n 's/^mmio_reads //p' $d/counters)
w1=$(sed -n 's/^mmio_writes //p' $d/counters)
cat $c/temp_millicelsius > /dev/null
echo 1 > $c/ring0/heater
r2=$(sed -n 's/^mmio_reads //p' $d/counters)
w2=$(sed -n 's/^mmio_writes //p' $d/counters)
ok $([ "$r2" -gt "$r1" ] && [ "$w2" -gt "$w1" ]; echo $?) "counters grow: reads $r1 -> $r2, writes $w1 -> $w2"
q=$(qom "$qid" mmio-reads)
ok $([ "$q" -ge "$r2" ]; echo $?) "QOM mmio-reads $q >= $r2"

# ---- devlink ----
for cc in /sys/class/oio/oio*; do
	b=$(basename "$(readlink $cc/device)")
	sn=$(devlink_field "$b" serial_number)
	ok $([ -n "$sn" ] && [ "$sn" = "$(cat $cc/serial)" ]; echo $?) "devlink pci/$b: serial_number $sn"
done
out=$(/tests/devlink-info pci "$bdf" 2>&1)
echo "$out" | sed 's/^/# /'
check "devlink: driver oio" test "$(devlink_field "$bdf" driver)" = oio
check "devlink: running fw 1.4.2" test "$(devlink_field "$bdf" running fw)" = 1.4.2
check "devlink: fixed board.id OIO-E8x8, board.rev 2" test \
	"$(devlink_field "$bdf" fixed board.id) $(devlink_field "$bdf" fixed board.rev)" = "OIO-E8x8 2"
err=$(/tests/devlink-info pci 0000:7f:00.0 2>&1)
ok $(case $err in *"No such device"*) echo 0 ;; *) echo 1 ;; esac) "devlink: no instance for an absent card ($err)"

# ---- a dead card, unbind, bind ----
qset "$qid" dead true
err=$(cat $h/temp1_input 2>&1)
ok $(case $err in *"Input/output error"*) echo 0 ;; *) echo 1 ;; esac) "dead card: temp1_input fails ($err)"
err=$(cat $d/regs 2>&1 >/dev/null)
ok $(case $err in *"Input/output error"*) echo 0 ;; *) echo 1 ;; esac) "dead card: regs fails ($err)"
err=$(cat $d/counters 2>&1 >/dev/null)
ok $(case $err in *"Input/output error"*) echo 0 ;; *) echo 1 ;; esac) "dead card: counters fails ($err)"
check "dead card: devlink info still answers from what probe read" test \
	"$(devlink_field "$bdf" serial_number)" = "$(cat $c/serial)"
qset "$qid" dead false
check "unbind" sh -c "echo $bdf > /sys/bus/pci/drivers/oio/unbind"
ok $([ -z "$(hwmon_of "$bdf")" ] && [ ! -e $d ]; echo $?) "unbound: no hwmon device or debugfs directory for it"
check "unbound: no devlink instance for it" sh -c "! /tests/devlink-info pci $bdf"
check "bind again" sh -c "echo $bdf > /sys/bus/pci/drivers/oio/bind"
h=$(hwmon_of "$bdf")
t=$(cat "$h/temp1_input" 2>/dev/null)
ok $(between "$t" 24000 26000; echo $?) "rebound: $h temp1_input $t mC"
check "rebound: regs, counters and devlink answer" sh -c \
	"grep -q MAGIC $d/regs && grep -q mmio_reads $d/counters && /tests/devlink-info pci $bdf | grep -q '^running fw 1.4.2\$'"

check "rmmod" rmmod oio
check "no hwmon device named oio left" sh -c "! cat /sys/class/hwmon/hwmon*/name 2>/dev/null | grep -qx oio"
check "debugfs oio/ gone" test ! -e $dbg
check "devlink instance gone" sh -c "! /tests/devlink-info pci $bdf"
check "insmod again" insmod /lib/modules/oio.ko
check "hwmon and debugfs back" sh -c "test -n \"\$(cat /sys/class/hwmon/hwmon*/name | grep -x oio)\" && test -e $d/regs"
check "rmmod again" rmmod oio

tap_done
