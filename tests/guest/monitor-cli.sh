#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# oioctl monitor's contract: filters by card and object kind, -t
# timestamps in text and JSON, bad filters refused with exit 2, a capped
# receive buffer and an overflow both reported on stderr (and in JSON), and
# the monitor following the driver across rmmod and insmod (issue 10,
# hazard 6); commands that find the driver gone, before or during their
# run, say so.
#
# env: OIO_CARDS (from the harness, at least 2).
set -u
export PATH=/usr/bin:/bin

. /tests/tap-lib

JC=/tests/json-check
t=/tmp/monitor-cli
rm -rf "$t"
mkdir -p "$t"
gone='the oio driver is not loaded (or was unloaded)'

# ---- helpers -------------------------------------------------------------

# show FILE: its first lines as TAP comments.
show() {
	sed -n "1,${2:-6}s/^/# $(basename "$1"): /p" "$1"
}

# ready FILE REGEX CARD [SKIP]: toggle CARD's arming until the monitor
# writing FILE shows a line past its first SKIP matching REGEX, so it is
# known to listen. Leaves the card armed.
ready() {
	_k=0
	while [ $_k -lt 25 ]; do
		echo 1 > "/sys/class/oio/oio$3/armed"
		wait_grep "$1" "$2" 20 "${4:-0}" && return 0
		echo 0 > "/sys/class/oio/oio$3/armed"
		_k=$((_k + 1))
	done
	return 1
}

# stop PID: SIGINT, and the status it ends with in $rc.
stop() {
	kill -INT "$1"
	wait "$1"
	rc=$?
}

# usage DESC ARGS...: oioctl ARGS fails with 2 and one "oioctl: " line.
usage() {
	_d=$1
	shift
	timeout 5 oioctl "$@" > "$t/out" 2> "$t/err"
	rc=$?
	if [ $rc -eq 2 ] && [ "$(wc -l < "$t/err")" -eq 1 ] &&
		grep -q '^oioctl: ' "$t/err" && [ ! -s "$t/out" ]; then
		ok 0 "bad filter fails with 2: $_d ($(cat "$t/err"))"
	else
		echo "# rc=$rc"
		show "$t/err"
		ok 1 "bad filter fails with 2: $_d"
	fi
}

load() {
	modprobe oio && [ -e /sys/class/oio/oio1/armed ]
}

# ---- driver --------------------------------------------------------------

rmmod oio 2>/dev/null
load || { echo "Bail out! modprobe oio failed"; exit 1; }

# ---- bad filters ---------------------------------------------------------

usage "monitor 0 lasers (no such object)" monitor 0 lasers
usage "monitor oioX" monitor oioX
usage "monitor 0 1 (two cards)" monitor 0 1
usage "monitor card 0 (the card first)" monitor card 0
usage "monitor 00:01.0 (a PCI address)" monitor 00:01.0
usage "monitor -x" monitor -x
timeout 5 oioctl monitor --help > "$t/out" 2> "$t/err"
ok "$([ $? -eq 0 ] && grep -q '^Usage: oioctl monitor \[-t\] \[CARD|all\] \[OBJECT...\]$' "$t/out" &&
	grep -q -- '--timestamp' "$t/out"; echo $?)" "monitor --help names -t, CARD and OBJECT"

# ---- filters and timestamps ----------------------------------------------

echo 0 > /sys/class/oio/oio0/armed
echo 0 > /sys/class/oio/oio1/armed
oioctl monitor 1 > "$t/card1" 2> "$t/card1.err" &
p1=$!
oioctl monitor oio0 laser > "$t/laser0" 2> "$t/laser0.err" &
p2=$!
oioctl monitor -t all card > "$t/cards" 2> "$t/cards.err" &
p3=$!
oioctl -j monitor --timestamp 0 card > "$t/cards.json" 2> "$t/cards.json.err" &
p4=$!
ready "$t/card1" '^\[card-change\] oio1 armed ' 1
ok $? "monitor 1: card-change of oio1"
ready "$t/laser0" '^\[laser-change\] oio0 ' 0
ok $? "monitor oio0 laser: laser-change of oio0"
ready "$t/cards" '\[card-change\] oio0 armed ' 0
ok $? "monitor -t all card: card-change of oio0"
ready "$t/cards.json" '"event":"card-change"' 0
ok $? "monitor -j --timestamp 0 card: card-change of oio0"
echo 0 > /sys/class/oio/oio0/armed
echo 0 > /sys/class/oio/oio1/armed
wait_grep "$t/cards" '\[card-change\] oio1 disarmed ' 200
ok $? "monitor -t all card: card-change of oio1"
wait_grep "$t/card1" '^\[laser-change\] oio1 ' 200
ok $? "monitor 1: laser-change of oio1 too"
for p in $p1 $p2 $p3 $p4; do
	stop $p
	[ $rc -eq 0 ] || echo "# pid $p ended with $rc"
done
ok "$(! grep -vqE '^\[[a-z-]+\] oio1 ' "$t/card1"; echo $?)" \
	"monitor 1: oio1's events only ($(wc -l < "$t/card1") lines)"
ok "$(! grep -vqE '^\[laser-change\] oio0 ' "$t/laser0"; echo $?)" \
	"monitor oio0 laser: oio0's laser-change events only ($(wc -l < "$t/laser0") lines)"
show "$t/cards" 2
ts='[0-9]{4}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]\.[0-9]{6}Z'
ok "$(! grep -vqE "^$ts \[card-(add|change|delete)\] oio[01] " "$t/cards"; echo $?)" \
	"monitor -t all card: each line a UTC timestamp and a card event ($(wc -l < "$t/cards") lines)"
day=$(date -u +%Y-%m-%d)
ok "$(grep -q "^$day" "$t/cards"; echo $?)" "monitor -t: today's date ($day)"
json_out -l monitor "$t/cards.json"
tail -n 1 "$t/cards.json" > "$t/last.json"
show "$t/last.json" 1
ok "$("$JC" -l < "$t/cards.json" &&
	! grep -v '"event":"card-change","timestamp":"' "$t/cards.json" | grep -q . &&
	"$JC" -l timestamp < "$t/last.json" | grep -qE "^$ts\$" &&
	[ "$("$JC" -l card_id < "$t/last.json")" = 0 ]; echo $?)" \
	"monitor -j --timestamp 0 card: valid JSON, a timestamp key, oio0's card events only"
ok "$(cat "$t/card1.err" "$t/laser0.err" "$t/cards.err" "$t/cards.json.err" |
	grep -q .; [ $? -ne 0 ]; echo $?)" \
	"filtered monitors: nothing on stderr (the buffer not capped for root)"

# ---- a capped receive buffer, and an overflow -----------------------------

# Root in a user namespace of its own has no CAP_NET_ADMIN over the
# network namespace, so the buffer stops at net.core.rmem_max.
max=$(sysctl -n net.core.rmem_max)
sysctl -w net.core.rmem_max=4096 > /dev/null
unshare -U oioctl -j monitor 0 ring > "$t/small" 2> "$t/small.err" &
p=$!
k=0
while [ $k -lt 50 ]; do
	echo $((k * 8)) > /sys/class/oio/oio0/ring3/heater
	wait_grep "$t/small" '"event":"(ring-change|events-lost)"' 10 && break
	k=$((k + 1))
done
ok "$([ $k -lt 50 ]; echo $?)" "monitor in a user namespace: listening"
wait_grep "$t/small.err" 'capped by net\.core\.rmem_max' 100
ok $? "monitor without CAP_NET_ADMIN: the capped buffer reported"
ok "$([ "$(grep -c 'capped' "$t/small.err")" -eq 1 ]; echo $?)" "... once"
show "$t/small.err" 2
kill -STOP $p
j=0
while [ $j -lt 200 ]; do
	echo $((j * 16)) > /sys/class/oio/oio0/ring3/heater
	j=$((j + 1))
done
kill -CONT $p
wait_grep "$t/small.err" 'events were lost \(monitor socket overflow, [0-9]+ so far\)' 200
ok $? "an overflow is reported on stderr with its count"
wait_grep "$t/small" '"event":"events-lost",.*"overflows":[1-9]' 200
ok $? "... and as an events-lost object with overflows"
grep -m 1 'events-lost' "$t/small" | sed 's/^/# /'

# The driver leaves and comes back while the buffer is full: both
# notices are lost with the events, and the overflow makes the monitor
# look for the family itself.
kill -STOP $p
j=0
while [ $j -lt 200 ]; do
	echo $((j * 16)) > /sys/class/oio/oio0/ring3/heater
	j=$((j + 1))
done
rmmod oio
load
kill -CONT $p
wait_grep "$t/small" '"event":"driver-back"' 300
ok $? "an overflow that swallowed the reload: driver-back all the same"
back=$(grep -n '"event":"driver-back"' "$t/small" | cut -d: -f1 | head -n 1)
k=0
while [ $k -lt 50 ]; do
	echo $((k * 8)) > /sys/class/oio/oio0/ring3/heater
	wait_grep "$t/small" '"event":"ring-change"' 10 "${back:-100000}" && break
	k=$((k + 1))
done
ok "$([ $k -lt 50 ] && grep -q '"event":"driver-gone"' "$t/small"; echo $?)" \
	"... after a driver-gone, and the new driver's events come"
grep -E 'driver-|events-lost' "$t/small" | sed 's/^/# /'
stop $p
is_ok=$([ $rc -eq 0 ] && "$JC" -l < "$t/small"; echo $?)
ok "$is_ok" "the overflowed monitor: SIGINT ends it with 0, every line valid JSON"
sysctl -w net.core.rmem_max="$max" > /dev/null
echo 0 > /sys/class/oio/oio0/armed

# ---- hazard 6: across rmmod and insmod ------------------------------------

oioctl monitor > "$t/mon" 2> "$t/mon.err" &
pm=$!
oioctl -j monitor -t 0 card > "$t/mon.json" 2> "$t/mon.json.err" &
pj=$!
# stopped across the reload: the new driver's cards are announced before
# it reads the notice and rejoins
oioctl monitor card > "$t/late" 2> "$t/late.err" &
pl=$!
ready "$t/mon" '^\[card-change\] oio0 armed ' 0
ok $? "monitor: listening"
ready "$t/mon.json" '"armed":true' 0
ok $? "monitor -j -t 0 card: listening"
wait_grep "$t/late" '^\[card-change\] oio0 armed ' 200
echo 0 > /sys/class/oio/oio0/armed
kill -STOP $pl
rmmod oio
ok $? "rmmod oio with three monitors running"
wait_grep "$t/mon" '^\[driver-gone\] ' 200
ok $? "monitor: a driver-gone line"
load
ok $? "modprobe oio again"
kill -CONT $pl
wait_grep "$t/late" '^\[driver-back\] ' 200
lb=$(grep -n '^\[driver-back\] ' "$t/late" | cut -d: -f1 | head -n 1)
wait_grep "$t/late" '^\[card-add\] oio1 ' 200 "${lb:-100000}"
l0=$(tail -n +"${lb:-100000}" "$t/late" | grep -c '^\[card-add\] oio0 ')
l1=$(tail -n +"${lb:-100000}" "$t/late" | grep -c '^\[card-add\] oio1 ')
ok "$([ "$l0" -eq 1 ] && [ "$l1" -eq 1 ]; echo $?)" \
	"a monitor that rejoins after the cards came: a card-add for each all the same (oio0 $l0, oio1 $l1)"
stop $pl
wait_grep "$t/mon" '^\[driver-back\] ' 200
ok $? "monitor: a driver-back line"
back=$(grep -n '^\[driver-back\] ' "$t/mon" | cut -d: -f1 | head -n 1)
ready "$t/mon" '^\[card-change\] oio0 armed ' 0 "${back:-100000}"
ok $? "monitor: the reloaded driver's events come"
gl=$(grep -n '^\[driver-gone\] ' "$t/mon" | cut -d: -f1 | head -n 1)
bl=$(grep -n '^\[driver-back\] ' "$t/mon" | cut -d: -f1 | head -n 1)
al=$(grep -n '^\[card-change\] oio0 armed ' "$t/mon" | cut -d: -f1 | tail -n 1)
ok "$([ -n "$gl" ] && [ -n "$bl" ] && [ -n "$al" ] && [ "$gl" -lt "$bl" ] &&
	[ "$bl" -lt "$al" ]; echo $?)" \
	"monitor: driver-gone (line $gl), driver-back ($bl), then the new event ($al)"
grep -E '^\[driver-' "$t/mon" | sed 's/^/# /'
# Announced before the monitor rejoined or after: each card once.
a0=$(tail -n +"${bl:-100000}" "$t/mon" | grep -c '^\[card-add\] oio0 ')
a1=$(tail -n +"${bl:-100000}" "$t/mon" | grep -c '^\[card-add\] oio1 ')
ok "$([ "$a0" -eq 1 ] && [ "$a1" -eq 1 ]; echo $?)" \
	"monitor: after driver-back, one card-add for each card (oio0 $a0, oio1 $a1)"
tail -n +"${bl:-100000}" "$t/mon" | grep '^\[card-add\] ' | sed 's/^/# /'
jback=$(grep -n '"driver-back"' "$t/mon.json" | cut -d: -f1 | head -n 1)
wait_grep "$t/mon.json" '"armed":true' 200 "${jback:-100000}"
j0=$(tail -n +"${jback:-100000}" "$t/mon.json" | grep -c '"event":"card-add"')
ok "$([ "$j0" -eq 1 ] &&
	tail -n +"${jback:-100000}" "$t/mon.json" | grep '"event":"card-add"' |
	grep -q '"card_id":0,'; echo $?)" \
	"monitor -j -t 0 card: after driver-back, one card-add, of card 0 ($j0)"
stop $pm
ok "$([ $rc -eq 0 ] && [ ! -s "$t/mon.err" ]; echo $?)" \
	"monitor: SIGINT ends it with 0, nothing on stderr"
stop $pj
grep -E 'driver-' "$t/mon.json" | sed 's/^/# /'
json_out -l monitor "$t/mon.json"
ok "$([ $rc -eq 0 ] && "$JC" -l < "$t/mon.json" && [ ! -s "$t/mon.json.err" ] &&
	grep -qE '^\{"event":"driver-gone","timestamp":"[^"]+"\}$' "$t/mon.json" &&
	grep -qE '^\{"event":"driver-back","timestamp":"[^"]+"\}$' "$t/mon.json" &&
	[ "$(grep -A 100 '"driver-back"' "$t/mon.json" | grep -c '"armed":true')" -ge 1 ]
	echo $?)" \
	"monitor -j -t 0 card: driver-gone and driver-back objects through the filter, then the new events"
echo 0 > /sys/class/oio/oio0/armed

# ---- commands that find the driver gone ----------------------------------

# With a 3 s PRBS dwell, 5 s in a bring-up is waiting on its margin check
# (as in oioctl-cli): the module goes away under it.
oioctl link up 0 --prbs-dwell 3s > "$t/link" 2> "$t/link.err" &
pl=$!
sleep 5
rmmod oio
wait $pl
rc=$?
show "$t/link.err" 3
ok "$([ $rc -eq 1 ] && grep -q "^oioctl: .*: $gone\$" "$t/link.err" &&
	! grep -q 'No such file\|not supported' "$t/link.err"; echo $?)" \
	"link up 0 losing the driver: exit 1 ($rc), says so"
load

oioctl telemetry 0 --watch 0.05 > "$t/tele" 2> "$t/tele.err" &
pt=$!
wait_grep "$t/tele" 'oio0' 200
ok $? "telemetry --watch: running"
rmmod oio
# the cards go before the family: a round between may say "no such card"
wait_grep "$t/tele.err" "driver is not loaded" 200
stop $pt
show "$t/tele.err" 2
ok "$(grep -q "^oioctl: .*: $gone\$" "$t/tele.err" && ! grep -q 'No such file\|not supported' "$t/tele.err"; echo $?)" \
	"telemetry --watch losing the driver says so"
for cmd in "show 0" "lane show 0" "monitor" "arm 0 on"; do
	# shellcheck disable=SC2086
	timeout 5 oioctl $cmd > "$t/out" 2> "$t/err"
	rc=$?
	ok "$([ $rc -eq 1 ] && [ "$(wc -l < "$t/err")" -eq 1 ] &&
		grep -q ": $gone\$" "$t/err"; echo $?)" \
		"$cmd without the driver: exit 1, '$(cat "$t/err")'"
done
load
ok $? "modprobe oio at the end"

tap_done
