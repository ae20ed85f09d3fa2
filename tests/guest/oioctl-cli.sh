#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# oioctl, the CLI, end to end: every command in text and in JSON (checked
# with json-check, the guest's stand-in for jq), link up/down/recover on
# every card, the monitor seeing an injected laser failure as it happens,
# a table of bad input that must fail with one "oioctl: " line, the exit
# status of its class (2 usage, 1 refused) and change nothing, link up with
# a dark line (exit 3, a report) and with the interlock open (exit 1, the
# error), and --help at every level.
#
# env: OIO_CARDS (from the harness); the cards have the default geometry,
# 8 ports x 8 wavelengths.
set -u
export PATH=/usr/bin:/bin

. /tests/tap-lib

cards=${OIO_CARDS:-1}
JC=/tests/json-check
t=/tmp/oioctl-cli
rm -rf "$t"
mkdir -p "$t"

# ---- helpers -------------------------------------------------------------

# json_schema ARGS...: the schema (tools/schema/NAME.schema.json) of what
# oioctl ARGS prints, or nothing when ARGS ask for no JSON.
json_schema() {
	_js=
	_jc=
	_jsub=
	for _a; do
		case $_a in
		-j | --json | -p | --pretty) _js=1 ;;
		-h | --help) return 0 ;;
		-*) ;;
		*)
			if [ -z "$_jc" ]; then
				_jc=$_a
			elif [ -z "$_jsub" ]; then
				_jsub=$_a
			fi
			;;
		esac
	done
	[ -n "$_js" ] && [ -n "$_jc" ] || return 0
	case "$_jc $_jsub" in
	"link status") echo link-status ;;
	*) echo "$_jc" ;;
	esac
}

# run ARGS...: oioctl ARGS; stdout in $t/out, stderr in $t/err, status $rc.
# Whatever JSON it printed goes to the host's schema check (json_out).
run() {
	oioctl "$@" > "$t/out" 2> "$t/err"
	rc=$?
	# no subshell for the many runs without JSON
	case " $* " in
	*" -j "* | *" -p "* | *" --json "* | *" --pretty "*) ;;
	*) return 0 ;;
	esac
	_s=$(json_schema "$@")
	[ -z "$_s" ] || [ ! -s "$t/out" ] || json_out "$_s" "$t/out"
}

# diag: show what the last run printed, as TAP comments.
diag() {
	echo "# rc=$rc"
	sed -n '1,8s/^/# out: /p' "$t/out"
	sed -n '1,8s/^/# err: /p' "$t/err"
}

# runok DESC ARGS...: oioctl ARGS exits 0 with nothing on stderr.
runok() {
	_d=$1
	shift
	run "$@"
	if [ $rc -eq 0 ] && [ ! -s "$t/err" ]; then
		ok 0 "$_d"
	else
		diag
		ok 1 "$_d"
	fi
}

# jrun DESC ARGS...: oioctl -j ARGS exits 0, quiet, with one valid JSON
# object on stdout.
jrun() {
	_d=$1
	shift
	run -j "$@"
	if [ $rc -eq 0 ] && [ ! -s "$t/err" ] && [ "$(lines "$t/out")" -eq 1 ] &&
		"$JC" < "$t/out" 2>/dev/null; then
		ok 0 "$_d"
	else
		diag
		ok 1 "$_d"
	fi
}

# jv PATH [FILE]: the value at PATH of the JSON in FILE ($t/out).
jv() {
	"$JC" "$1" < "${2:-$t/out}" 2>/dev/null
}

# is DESC GOT WANT
is() {
	if [ "$2" = "$3" ]; then
		ok 0 "$1"
	else
		echo "# got '$2', want '$3'"
		ok 1 "$1"
	fi
}

# lines FILE: its number of lines.
lines() {
	echo $(($(wc -l < "$1")))
}

# count PATTERN FILE: occurrences (not lines) of an extended regex.
count() {
	echo $(($(grep -oE "$1" "$2" | wc -l)))
}

# wait_lines FILE REGEX N [CS]: poll every 10 ms, for CS centiseconds
# (500), until N lines of FILE match.
wait_lines() {
	_end=$(($(now_cs) + ${4:-500}))
	while :; do
		[ "$(grep -cE "$2" "$1" 2>/dev/null)" -ge "$3" ] && return 0
		[ "$(now_cs)" -lt $_end ] || return 1
		usleep 10000
	done
}

# all_cards PATH WANT FILE: PATH with "#" for the card index reads WANT
# for every card, in the JSON of FILE.
all_cards() {
	_c=0
	_bad=
	while [ $_c -lt "$cards" ]; do
		_p=$(echo "$1" | sed "s/#/$_c/")
		_v=$(jv "$_p" "$3")
		[ "$_v" = "$2" ] || _bad="$_bad $_p=$_v"
		_c=$((_c + 1))
	done
	[ -z "$_bad" ] && return 0
	echo "#$_bad (want $2)"
	return 1
}

# The state of card 0 that a refused command must leave alone: every
# show of it in JSON, with what drifts on its own (temperatures, measured
# currents and powers, PRBS counters) masked.
state0() {
	{
		oioctl -j show 0
		oioctl -j laser show 0
		oioctl -j lane show 0
		oioctl -j ring show 0
		oioctl -j port show 0
	} 2>&1 | sed -E 's/"(temp_mc|monitor_na|power_uw|bias_ua|heater_uw|laser_power_min_uw|laser_power_max_uw|prbs_bits|prbs_errors|alarms)":-?[0-9]+/"\1":0/g; s/"alarms_names":\[[^]]*\]/"alarms_names":[]/g'
}

# fails CODE WHAT DESC ARGS...: oioctl ARGS exits CODE with exactly one
# line on stderr, starting "oioctl: ", nothing on stdout, and card 0
# unchanged. Inside a table (table=1: rows back to back, nothing else
# between them) a row's state after is the next row's state before.
fails() {
	_code=$1
	_what=$2
	_d=$3
	shift 3
	if [ "${table:-0}" != 1 ] || [ ! -s "$t/before" ]; then
		state0 > "$t/before"
	fi
	run "$@"
	state0 > "$t/after"
	if [ $rc -eq "$_code" ] && [ "$(lines "$t/err")" -eq 1 ] &&
		grep -q '^oioctl: ' "$t/err" && [ ! -s "$t/out" ] &&
		cmp -s "$t/before" "$t/after"; then
		ok 0 "$_what fails cleanly with $_code: $_d ($(cat "$t/err"))"
	else
		diag
		cmp -s "$t/before" "$t/after" || echo "# card 0's state changed"
		ok 1 "$_what fails cleanly with $_code: $_d"
	fi
	mv "$t/after" "$t/before"
}

# bad DESC ARGS...: bad usage (command, option, argument, value, an index
# beyond the card): exit 2.
bad() {
	fails 2 "bad input" "$@"
}

# refused DESC ARGS...: well formed, but no such card, or the card or the
# filesystem says no: exit 1.
refused() {
	fails 1 "refused" "$@"
}

# ---- driver --------------------------------------------------------------

# A suite before this one in the same VM may have loaded it already and
# left alarms latched (and masked until cleared): start from a fresh probe.
rmmod oio 2>/dev/null
modprobe oio || { echo "Bail out! modprobe oio failed"; exit 1; }
check "$cards cards in /sys/class/oio" \
	test "$(find /sys/class/oio -mindepth 1 -maxdepth 1 -name 'oio*' 2>/dev/null | wc -l)" -eq "$cards"
last=$((cards - 1))

# ---- help at every level -------------------------------------------------

# helps DESC ARGS...: oioctl ARGS exits 0, prints a Usage line, nothing
# on stderr.
helps() {
	_d=$1
	shift
	run "$@"
	if [ $rc -eq 0 ] && [ ! -s "$t/err" ] && grep -q '^Usage: ' "$t/out"; then
		ok 0 "help: $_d"
	else
		diag
		ok 1 "help: $_d"
	fi
}

helps "oioctl --help" --help
helps "oioctl -h" -h
helps "oioctl help" help
run -V
ok "$([ $rc -eq 0 ] && grep -q '^oioctl ' "$t/out"; echo $?)" "oioctl -V prints the version"
for cmd in list show arm clear-alarms laser lane prbs ring port link sweep telemetry monitor; do
	run help "$cmd"
	cp "$t/out" "$t/help1"
	run "$cmd" --help
	if [ $rc -eq 0 ] && grep -q "^Usage: oioctl $cmd" "$t/out" &&
		cmp -s "$t/help1" "$t/out"; then
		ok 0 "help: oioctl $cmd --help, the same as oioctl help $cmd"
	else
		diag
		ok 1 "help: oioctl $cmd --help, the same as oioctl help $cmd"
	fi
done
for sub in "laser show" "laser set" "lane show" "lane set" "prbs show" \
	"ring show" "ring set" "port show" "port set" "link up" "link down" \
	"link recover" "link status"; do
	# shellcheck disable=SC2086
	helps "oioctl $sub --help" $sub --help
done
helps "oioctl laser help" laser help
helps "oioctl prbs help" prbs help
helps "oioctl -j sweep -h" -j sweep -h

# ---- list ----------------------------------------------------------------

runok "list" list
is "list: a header and one row per card" "$(lines "$t/out")" $((cards + 1))
is "list: every row has driver oio and a card" \
	"$(grep -cE '^[0-9a-f:.]+ +oio +oio[0-9]+ ' "$t/out")" "$cards"
jrun "list -j" list
cp "$t/out" "$t/list.json"
is "list -j: one device per card" "$(jv devices.length)" "$cards"
all_cards 'devices.#.driver' oio "$t/list.json"
ok $? "list -j: every device is bound to oio"
all_cards 'devices.#.card.ports_total' 8 "$t/list.json"
ok $? "list -j: every card has 8 ports"
all_cards 'devices.#.vendor' $((0x1234)) "$t/list.json"
ok $? "list -j: vendor 0x1234"

# ---- show ----------------------------------------------------------------

runok "show" show
is "show: one block per card" "$(grep -c '^oio[0-9]*: pci ' "$t/out")" "$cards"
is "show: geometry line per card" \
	"$(grep -c '^  8 ports x 8 wavelengths: 64 lanes, 128 rings$' "$t/out")" "$cards"
jrun "show -j" show
cp "$t/out" "$t/show.json"
is "show -j: card count is OIO_CARDS" "$(jv cards.length)" "$cards"
all_cards 'cards.#.lasers_total' 8 "$t/show.json"
ok $? "show -j: 8 lasers per card"
all_cards 'cards.#.lanes_total' 64 "$t/show.json"
ok $? "show -j: 64 lanes per card"
all_cards 'cards.#.line_shifts.length' 8 "$t/show.json"
ok $? "show -j: 8 line shifts per card"
all_cards 'cards.#.wavelengths' 8 "$t/show.json"
ok $? "show -j: 8 wavelengths per card"
all_cards 'cards.#.interlock_closed' true "$t/show.json"
ok $? "show -j: interlocks closed"
ids=
c=0
while [ $c -lt "$cards" ]; do
	ids="$ids $(jv cards.$c.card_id "$t/show.json")"
	c=$((c + 1))
done
is "show -j: card ids 0..$last" "$ids" "$(seq -s ' ' 0 $last | sed 's/^/ /')"
jrun "show -j 0" show 0
is "show -j 0: one card, oio0" "$(jv cards.length) $(jv cards.0.name)" "1 oio0"
cp "$t/out" "$t/show0.json"
pci=$(jv cards.0.pci_address "$t/show0.json")
serial=$(jv cards.0.serial "$t/show0.json")
jrun "show -j oio0" show oio0
is "show oio0 is card 0" "$(jv cards.0.serial)" "$serial"
jrun "show -j $pci" show "$pci"
is "show by PCI address is card 0" "$(jv cards.0.card_id)" 0
jrun "show -j ${pci#0000:} (no domain)" show "${pci#0000:}"
is "show by PCI address without domain is card 0" "$(jv cards.0.card_id)" 0
run show 0 -j
ok "$([ $rc -eq 0 ] && "$JC" < "$t/out"; echo $?)" "show 0 -j: -j after the command"
run -p show $last
ok "$([ $rc -eq 0 ] && [ "$(lines "$t/out")" -gt 10 ] && "$JC" < "$t/out"; echo $?)" \
	"show -p: indented, valid JSON"
is "show -p $last: card $last" "$(jv cards.0.card_id)" "$last"
runok "show $last (text)" show $last
is "show $last: one card" "$(grep -c '^oio[0-9]*: pci ' "$t/out")" 1

# ---- arm -----------------------------------------------------------------

runok "arm 0 on" arm 0 on
is "arm 0 on: prints the card armed" "$(cat "$t/out")" "oio0: armed, interlock closed"
jrun "arm -j 0 off" arm 0 off
is "arm -j 0 off: cards.0.armed false" "$(jv cards.length) $(jv cards.0.armed)" "1 false"
jrun "arm -j $last on" arm $last on
is "arm -j $last on: armed" "$(jv cards.0.card_id) $(jv cards.0.armed)" "$last true"
jrun "show -j $last: armed" show $last
is "show -j $last: armed true" "$(jv cards.0.armed)" true
runok "arm $last off" arm $last off

# ---- laser ---------------------------------------------------------------

runok "laser show" laser show
is "laser show: a header and 8 lines per card" "$(lines "$t/out")" $((8 * cards + 1))
jrun "laser show -j" laser show
is "laser show -j: 8 lasers per card" "$(jv lasers.length)" $((8 * cards))
jrun "laser show -j 0 2-4" laser show 0 2-4
is "laser show 0 2-4: lines 2, 3, 4" \
	"$(jv lasers.length) $(jv lasers.0.line) $(jv lasers.2.line)" "3 2 4"
runok "laser show 0 5" laser show 0 5
is "laser show 0 5: header and one row" "$(lines "$t/out")" 2
runok "arm 0 on (for the lasers)" arm 0 on
jrun "laser set -j 0 3 enable on bias 90mA" laser set 0 3 enable on bias 90mA
is "laser set: line 3 enabled at 90 mA" \
	"$(jv lasers.0.line) $(jv lasers.0.enable) $(jv lasers.0.bias_set_ua)" \
	"3 true 90000"
i=0
while [ $i -lt 200 ]; do
	run -j laser show 0 3
	[ "$(jv lasers.0.emitting)" = true ] && [ "$(jv lasers.0.ramping)" = false ] && break
	usleep 10000
	i=$((i + 1))
done
is "laser 3 emits after its ramp" "$(jv lasers.0.emitting) $(jv lasers.0.failed)" "true false"
runok "laser show 0 3 (text)" laser show 0 3
ok "$(grep -qE '^oio0 +3 +on +emitting +90\.0 mA' "$t/out"; echo $?)" "laser show 0 3: on, emitting, 90.0 mA"
runok "laser set 0 3 bias 0.08A" laser set 0 3 bias 0.08A
ok "$(grep -qE '^oio0 +3 +on +[a-z,]+ +80\.0 mA' "$t/out"; echo $?)" "laser set prints the line, bias set 80.0 mA"
jrun "laser set -j 0 3 enable off bias 80000uA" laser set 0 3 enable off bias 80000uA
is "laser set: line 3 off" "$(jv lasers.0.enable) $(jv lasers.0.bias_set_ua)" "false 80000"
runok "arm 0 off" arm 0 off

# ---- ports ---------------------------------------------------------------

runok "port show" port show
is "port show: header and 8 ports per card" "$(lines "$t/out")" $((8 * cards + 1))
ok "$(grep -qE '^oio0 +1 +0 +8-15$' "$t/out"; echo $?)" "port show: port 1 holds lanes 8-15"
jrun "port show -j" port show
is "port show -j: 8 ports per card" "$(jv ports.length)" $((8 * cards))
jrun "port set -j 0 1 shift 3" port set 0 1 shift 3
is "port set: port 1 shift 3" \
	"$(jv ports.length) $(jv ports.0.port) $(jv ports.0.line_shift)" "1 1 3"
jrun "port show -j 0" port show 0
is "port show -j 0: port 1 shift 3" "$(jv ports.1.line_shift)" 3
runok "port set 0 1 shift 0" port set 0 1 shift 0
ok "$(grep -qE '^oio0 +1 +0 +8-15$' "$t/out"; echo $?)" "port set prints the port, shift 0"

# ---- lanes and PRBS (cards down) -----------------------------------------

runok "lane show" lane show
is "lane show: header and 64 lanes per card" "$(lines "$t/out")" $((64 * cards + 1))
jrun "lane show -j" lane show
is "lane show -j: 64 lanes per card" "$(jv lanes.length)" $((64 * cards))
is "lane show -j: all deactivated before link up" \
	"$(count '"state":"deactivated"' "$t/out")" $((64 * cards))
jrun "lane show -j 0 8-15" lane show 0 8-15
is "lane show 0 8-15: 8 lanes of port 1" \
	"$(jv lanes.length) $(jv lanes.0.lane) $(jv lanes.0.port) $(jv lanes.7.port)" "8 8 1 1"
jrun "lane show -j $last all" lane show $last all
is "lane show $last all: 64 lanes" "$(jv lanes.length) $(jv lanes.63.card_id)" "64 $last"
jrun "prbs -j 0 0-3 on" prbs 0 0-3 on
is "prbs on: lanes 0-3, generator and checker on" \
	"$(jv prbs.length) $(jv prbs.3.lane) $(jv prbs.0.prbs_generator) $(jv prbs.3.prbs_checker)" \
	"4 3 true true"
runok "prbs show 0 0-3" prbs show 0 0-3
is "prbs show 0 0-3: header and 4 rows, all on" \
	"$(lines "$t/out") $(grep -cE '^oio0 +[0-3] +on +on ' "$t/out")" "5 4"
runok "prbs 0 all off" prbs 0 all off
is "prbs 0 all off: 64 rows, generators off" \
	"$(grep -cE '^oio0 +[0-9]+ +off +off ' "$t/out")" 64
jrun "prbs show -j" prbs show
is "prbs show -j: 64 lanes per card, none on" \
	"$(jv prbs.length) $(count '"prbs_generator":true' "$t/out")" "$((64 * cards)) 0"

# ---- rings (cards down) --------------------------------------------------

runok "ring show" ring show
is "ring show: header and 128 rings per card" "$(lines "$t/out")" $((128 * cards + 1))
jrun "ring show -j" ring show
is "ring show -j: 128 rings per card" "$(jv rings.length)" $((128 * cards))
jrun "ring show -j 0 5" ring show 0 5
is "ring 5: lane 2, rx" "$(jv rings.0.ring) $(jv rings.0.lane) $(jv rings.0.side)" "5 2 rx"
jrun "ring set -j 0 6 heater 1234" ring set 0 6 heater 1234
is "ring set: ring 6 heater 1234, lock off" \
	"$(jv rings.0.ring) $(jv rings.0.side) $(jv rings.0.heater_code) $(jv rings.0.lock)" \
	"6 tx 1234 false"
runok "ring show 0 6" ring show 0 6
ok "$(grep -qE '^oio0 +6 +3 +tx +1234 ' "$t/out"; echo $?)" "ring show 0 6: heater 1234"
runok "ring set 0 6 heater 0" ring set 0 6 heater 0
ok "$(grep -qE '^oio0 +6 +3 +tx +0 ' "$t/out"; echo $?)" "ring set prints the ring, heater 0"

# ---- link up, interrupted -----------------------------------------------

# SIGTERM (or SIGINT) stops a bring-up at its next card access; it puts
# every line back at the bias it had (line 4's 85 mA, not a dimmed one:
# issue 10's ratchet) and ends with 128 + 15. With a 3 s PRBS dwell, 5 s
# in is the margin check's dwell, every line dimmed: a process the signal
# just killed would leave them so. (Not SIGINT: a script's background job
# ignores it.)
runok "laser set 0 4 bias 85mA" laser set 0 4 bias 85mA
jrun "laser show -j 0 (before an interrupted link up)" laser show 0
bias0=$(i=0; while [ $i -lt 8 ]; do printf '%s ' "$(jv lasers.$i.bias_set_ua)"; i=$((i + 1)); done)
oioctl link up 0 --prbs-dwell 3s > "$t/out" 2> "$t/err" &
lpid=$!
sleep 5
kill -TERM $lpid
wait $lpid
rc=$?
is "link up 0, SIGTERM after 5 s: exit status 143" "$rc" 143
[ $rc -eq 143 ] || diag
ok "$(grep -q '^oioctl: bring up the link of oio0: .*cancel' "$t/err"; echo $?)" \
	"link up 0, SIGTERM: says the run was cancelled"
jrun "laser show -j 0 (after)" laser show 0
bias1=$(i=0; while [ $i -lt 8 ]; do printf '%s ' "$(jv lasers.$i.bias_set_ua)"; i=$((i + 1)); done)
is "link up 0, SIGTERM: every line at the bias it had ($bias0)" "$bias1" "$bias0"
runok "laser set 0 4 bias 80mA" laser set 0 4 bias 80mA

# ---- link up, all cards --------------------------------------------------

run link up all
ok "$([ $rc -eq 0 ]; echo $?)" "link up all ($cards cards) exits 0"
[ $rc -eq 0 ] || diag
cp "$t/out" "$t/linkup.txt"
is "link up: one '64/64 lanes up' report per card" \
	"$(grep -cE '^oio[0-9]+: 64/64 lanes up; lasers->locked [0-9.]+ ms card time; [0-9]+ sweeps?$' "$t/linkup.txt")" \
	"$cards"
is "link up: no failed-lane table" "$(grep -c 'FAIL' "$t/linkup.txt")" 0
jrun "link status -j" link status
cp "$t/out" "$t/status.json"
is "link status -j: one entry per card" "$(jv links.length)" "$cards"
all_cards 'links.#.lanes_up' 64 "$t/status.json"
ok $? "link status -j: 64 lanes up on every card"
is "link status -j: every lane activated" \
	"$(count '"state":"activated"' "$t/status.json")" $((64 * cards))
# Thermal headroom of every port, all lanes locked: within the nominal
# heater range over the nominal drift (6700 pm / 60 pm/K), away from both
# ends, and warm + cool at most the whole range (each is the least over
# the port's rings; for one ring they add up to it).
hr=$(i=0; while [ $i -lt 8 ]; do
	echo "$(jv links.0.ports.$i.headroom_warm_k "$t/status.json") $(jv links.0.ports.$i.headroom_cool_k "$t/status.json")"
	i=$((i + 1))
done)
echo "$hr" | sed 's/^/# headroom warm, cool (K): /'
is "link status -j: every port's headroom between 0 and 6700/60 K" \
	"$(echo "$hr" | awk '$1 + 0 > 0.5 && $2 + 0 > 0.5 && $1 + $2 <= 6700 / 60 + 1e-6 { n++ } END { print n + 0 }')" 8
runok "link status" link status
is "link status: '64/64 lanes up' per card" "$(grep -c '^oio[0-9]*: 64/64 lanes up$' "$t/out")" "$cards"
is "link status: a headroom row per port, in kelvin" \
	"$(grep -cE '^  [0-9]+ +[0-9]+\.[0-9] +[0-9]+\.[0-9]$' "$t/out")" $((8 * cards))
runok "link (alone) is link status" link
is "link: '64/64 lanes up' per card" "$(grep -c '^oio[0-9]*: 64/64 lanes up$' "$t/out")" "$cards"
jrun "lane show -j (all up)" lane show
is "lane show -j: every lane activated" \
	"$(count '"state":"activated"' "$t/out")" $((64 * cards))
jrun "show -j (all up)" show
cp "$t/out" "$t/show.json"
all_cards 'cards.#.lanes_up' 64 "$t/show.json"
ok $? "show -j: lanes_up 64 on every card"
all_cards 'cards.#.lasers_emitting' 8 "$t/show.json"
ok $? "show -j: 8 lasers emitting on every card"

# ---- telemetry -----------------------------------------------------------

runok "telemetry" telemetry
is "telemetry: 64/64 lanes and 128/128 rings per card" \
	"$(grep -c '^  lanes 64/64 up; rings 128/128 locked, 0 lost, 0 at limit$' "$t/out")" "$cards"
jrun "telemetry -j" telemetry
cp "$t/out" "$t/tel.json"
is "telemetry -j: one snapshot per card" "$(jv telemetry.length)" "$cards"
all_cards 'telemetry.#.lanes_up' 64 "$t/tel.json"
ok $? "telemetry -j: lanes_up 64"
all_cards 'telemetry.#.rings_locked' 128 "$t/tel.json"
ok $? "telemetry -j: rings_locked 128"
all_cards 'telemetry.#.lasers.length' 8 "$t/tel.json"
ok $? "telemetry -j: 8 lasers"
jrun "telemetry -j $last" telemetry $last
is "telemetry -j $last: card $last, 128 rings" \
	"$(jv telemetry.length) $(jv telemetry.0.card_id) $(jv telemetry.0.rings_total)" "1 $last 128"

# watch TEXT-OR-JSON: telemetry --watch 0.2 in the background for about a
# second (5 rounds), then SIGINT.
oioctl telemetry 0 --watch 0.2 > "$t/watch" 2> "$t/watch.err" &
wpid=$!
wait_lines "$t/watch" '^oio0: .*seq [0-9]+' 5 1000
kill -INT $wpid
wait $wpid
rc=$?
is "telemetry --watch 0.2: SIGINT ends it with 0" "$rc" 0
n_snap=$(grep -cE '^oio0: .*seq [0-9]+' "$t/watch")
ok "$([ "$n_snap" -ge 2 ] && [ ! -s "$t/watch.err" ]; echo $?)" \
	"telemetry --watch: $n_snap snapshots (at least 2)"
oioctl -j telemetry --watch 0.2 > "$t/watch" 2> "$t/watch.err" &
wpid=$!
wait_lines "$t/watch" '^\{' 5 1000
kill -INT $wpid
wait $wpid
rc=$?
is "telemetry -j --watch 0.2: SIGINT ends it with 0" "$rc" 0
n_snap=$(lines "$t/watch")
ok "$([ "$n_snap" -ge 2 ] && "$JC" -l < "$t/watch"; echo $?)" \
	"telemetry -j --watch: $n_snap lines, each valid JSON"
json_out -l telemetry "$t/watch"
bad_lines=0
while read -r l; do
	[ "$(echo "$l" | "$JC" telemetry.length)" = "$cards" ] || bad_lines=$((bad_lines + 1))
done < "$t/watch"
is "telemetry -j --watch: every line has all $cards cards" "$bad_lines" 0

# --prometheus: node_exporter's textfile format (the Debian guest parses it
# with the Prometheus client library; here, the cards and the file).
prom=$t/oio.prom
runok "telemetry --prometheus" telemetry --prometheus "$prom"
is "telemetry --prometheus: nothing printed, the file written" \
	"$(lines "$t/out") $([ -s "$prom" ]; echo $?)" "0 0"
is "telemetry --prometheus: every card read" \
	"$(grep -c '^oio_telemetry_success{card="oio[0-9]*",serial="[0-9]*"} 1$' "$prom")" "$cards"
is "telemetry --prometheus: 64 lanes up per card" \
	"$(grep -c '^oio_lane_up{.*} 1$' "$prom")" $((64 * cards))
is "telemetry --prometheus: warm and cool headroom of every port" \
	"$(grep -cE '^oio_port_heater_headroom_kelvin\{card="oio[0-9]+",serial="[0-9]+",port="[0-7]",direction="(warm|cool)"\} [0-9]+\.[0-9]{3}$' "$prom")" \
	$((16 * cards))
is "telemetry --prometheus: one TYPE per family" \
	"$(grep '^# TYPE ' "$prom" | sort | uniq -d | wc -l)" 0
runok "telemetry $last --prometheus: one card" telemetry $last --prometheus "$prom"
is "telemetry $last --prometheus: only card $last" \
	"$(grep -c '^oio_telemetry_success{' "$prom") $(grep -c "^oio_telemetry_success{card=\"oio$last\"" "$prom")" "1 1"
ls -a "$t" | grep -q '^\.oio\.prom\.' && leftover=1 || leftover=0
is "telemetry --prometheus: no temporary file left" "$leftover" 0
oioctl telemetry --watch 0.2 --prometheus "$prom" > "$t/watch" 2> "$t/watch.err" &
wpid=$!
m0=$(stat -c %Y.%i "$prom")
replaced=0
i=0
while [ $i -lt 200 ]; do
	[ "$(stat -c %Y.%i "$prom")" != "$m0" ] && { replaced=1; break; }
	usleep 10000
	i=$((i + 1))
done
kill -INT $wpid
wait $wpid
rc=$?
is "telemetry --watch --prometheus: the file replaced (new inode), exit 0 on SIGINT" \
	"$replaced $rc $(lines "$t/watch")" "1 0 0"
bad "telemetry --prometheus FILE without .prom" telemetry --prometheus "$t/oio.txt"
bad "telemetry --prometheus with --json" -j telemetry --prometheus "$prom"
refused "telemetry --prometheus into a missing directory" \
	telemetry --prometheus "$t/none/oio.prom"
is "--prometheus bad input wrote nothing" \
	"$([ -e "$t/oio.txt" ] || [ -e "$t/none" ]; echo $?)" 1

# ---- PRBS and lane requests on a live link --------------------------------

runok "prbs 0 0-3 on (live)" prbs 0 0-3 on
jrun "prbs show -j 0 0-3" prbs show 0 0-3
is "prbs show -j: lanes 0-3 checking" \
	"$(jv prbs.length) $(count '"prbs_checker":true' "$t/out")" "4 4"
runok "prbs 0 0-3 off" prbs 0 0-3 off

jrun "lane set -j 0 0 request deactivate" lane set 0 0 request deactivate
is "lane 0 deactivated" "$(jv lanes.length) $(jv lanes.0.lane) $(jv lanes.0.state)" \
	"1 0 deactivated"
runok "lane set 0 0 request initialize" lane set 0 0 request initialize
ok "$(grep -qE '^oio0 +0 +0 +initialized ' "$t/out"; echo $?)" "lane 0 initialized"
jrun "lane set -j 0 0 request activate" lane set 0 0 request activate
is "lane 0 activated again" "$(jv lanes.0.state)" activated

# ---- sweep (two rings of lane 2 released) ---------------------------------

jrun "ring show -j 0 4-5 (locked)" ring show 0 4-5
is "rings 4 and 5 locked" "$(jv rings.0.lock_state) $(jv rings.1.lock_state)" "locked locked"
code4=$(jv rings.0.heater_code)
code5=$(jv rings.1.heater_code)
jrun "ring set -j 0 4 lock off" ring set 0 4 lock off
is "ring 4 lock off" "$(jv rings.0.lock) $(jv rings.0.lock_state)" "false off"
runok "ring set 0 5 lock off" ring set 0 5 lock off
ok "$(grep -qE '^oio0 +5 +2 +rx +[0-9]+ .* off +off ' "$t/out"; echo $?)" "ring 5 lock off (text)"

runok "sweep 0 4" sweep 0 4
ok "$(grep -qE '^oio0: 256 points from code 0 step 16, card at ' "$t/out"; echo $?)" \
	"sweep: 256 points from code 0 step 16"
ok "$(grep -qE '^ring 4 \(lane 2 tx\): [1-9][0-9]* peaks?:$' "$t/out"; echo $?)" \
	"sweep: ring 4 shows peaks"
jrun "sweep -j 0 4 --count 2" sweep 0 4 --count 2
cp "$t/out" "$t/sweep.json"
points=$(jv sweep.points "$t/sweep.json")
is "sweep -j: 256 points, 2 rings, 256 codes and currents" \
	"$points $(jv sweep.ring_count) $(jv sweep.codes.length) $(jv sweep.traces.1.monitor_trace_na.length) $(jv sweep.traces.1.ring)" \
	"256 2 256 256 5"
ok "$([ "$(jv sweep.traces.0.peaks.length)" -ge 1 ]; echo $?)" "sweep -j: ring 4 has a peak"
runok "sweep 0 4 -n 2 --csv" sweep 0 4 -n 2 --csv
is "sweep --csv: points + 1 rows" "$(lines "$t/out")" $((points + 1))
is "sweep --csv: header" "$(head -n 1 "$t/out")" "code,ring4,ring5"
is "sweep --csv: last row at code 4080" "$(tail -n 1 "$t/out" | cut -d, -f1)" 4080
runok "sweep 0 4 --start 1000 --stop 2000 --step 8 --dwell 2us --csv" \
	sweep 0 4 --start 1000 --stop 2000 --step 8 --dwell 2us --csv
is "sweep --start/--stop/--step: 126 rows and a header, 1000 to 2000" \
	"$(lines "$t/out") $(sed -n 2p "$t/out" | cut -d, -f1) $(tail -n 1 "$t/out" | cut -d, -f1)" \
	"127 1000 2000"
COLUMNS=100 oioctl sweep 0 4 --plot > "$t/out" 2> "$t/err"
rc=$?
ok "$([ $rc -eq 0 ] && [ ! -s "$t/err" ]; echo $?)" "sweep --plot exits 0"
ok "$(grep -q '^oio0 ring 4 (lane 2 tx): monitor current vs heater code' "$t/out"; echo $?)" \
	"sweep --plot: title"
ok "$(grep -qE '^ +\^( +\^)* *$' "$t/out"; echo $?)" "sweep --plot: a line of peak markers"
ok "$([ "$(grep -cE '[|+]' "$t/out")" -ge 20 ]; echo $?)" "sweep --plot: 20 rows of plot"
wide=$(awk 'length($0) > 100' "$t/out")
ok "$([ -z "$wide" ]; echo $?)" "sweep --plot: fits COLUMNS=100"
[ -z "$wide" ] || { sed 's/^/# plot: /' "$t/out"; echo "$wide" | sed 's/^/# too wide: /'; }

# Put the rings back on their lines by hand, then let recover check. A
# capture takes some tens of microseconds: ring set shows the ring as it is
# then, acquiring or already locked.
jrun "ring set -j 0 4 heater $code4 lock on" ring set 0 4 heater "$code4" lock on
case "$(jv rings.0.lock) $(jv rings.0.lock_state)" in
"true acquiring" | "true locked") rc=0 ;;
*) rc=1 ;;
esac
ok $rc "ring 4 heater back, its loop acquiring or locked ($(jv rings.0.lock_state))"
i=0
while [ $i -lt 100 ]; do
	run -j ring show 0 4
	[ "$(jv rings.0.lock_state)" = acquiring ] || break
	usleep 10000
	i=$((i + 1))
done
is "ring 4 locked once the capture ends" "$(jv rings.0.lock) $(jv rings.0.lock_state)" "true locked"
runok "ring set 0 5 heater $code5 lock on" ring set 0 5 heater "$code5" lock on

run link recover 0
ok "$([ $rc -eq 0 ]; echo $?)" "link recover 0 exits 0"
[ $rc -eq 0 ] || diag
ok "$(grep -qE '^oio0: 64/64 lanes up; ' "$t/out"; echo $?)" "link recover 0: 64/64 lanes up"
jrun "link recover -j 0" link recover 0
is "link recover -j: ok, 64 lanes up, 64 lane entries" \
	"$(jv links.0.result) $(jv links.0.error) $(jv links.0.report.lanes_up) $(jv links.0.report.lane_results.length)" \
	"ok null 64 64"
jrun "link up -j $last --prbs-dwell 500us --ber-target 1e-10" link up $last --prbs-dwell 500us --ber-target 1e-10
is "link up -j $last: ok, 64/64, 8 line shifts" \
	"$(jv links.0.card_id) $(jv links.0.result) $(jv links.0.report.lanes_total) $(jv links.0.report.lanes_up) $(jv links.0.report.line_shifts.length)" \
	"$last ok 64 64 8"
is "link up -j: every lane ok" "$(count '"fail":"ok"' "$t/out")" 64
jrun "link status -j 0" link status 0
is "link status -j 0: 64 up, 8 ports, 64 lanes" \
	"$(jv links.0.lanes_up) $(jv links.0.ports.length) $(jv links.0.lanes.length)" "64 8 64"

# ---- link down -----------------------------------------------------------

run link down all
ok "$([ $rc -eq 0 ] && [ ! -s "$t/err" ]; echo $?)" "link down all exits 0"
is "link down: 'link down' per card" "$(grep -c '^oio[0-9]*: link down$' "$t/out")" "$cards"
jrun "link status -j (down)" link status
cp "$t/out" "$t/status.json"
all_cards 'links.#.lanes_up' 0 "$t/status.json"
ok $? "link down: no lane up on any card"
is "link down: every lane deactivated" \
	"$(count '"state":"deactivated"' "$t/status.json")" $((64 * cards))
is "link down: no port has a headroom figure (null)" \
	"$(count '"headroom_warm_k":null' "$t/status.json") $(count '"headroom_cool_k":null' "$t/status.json")" \
	"$((8 * cards)) $((8 * cards))"
runok "link status (down)" link status
is "link down: headroom '-' on every port" \
	"$(grep -cE '^  [0-9]+ +- +-$' "$t/out")" $((8 * cards))
jrun "laser show -j (down)" laser show
is "link down: every laser off" \
	"$(count '"enable":false' "$t/out") $(count '"enable":true' "$t/out")" "$((8 * cards)) 0"
jrun "lane show -j (down)" lane show
is "lane show -j: every lane deactivated" \
	"$(count '"state":"deactivated"' "$t/out")" $((64 * cards))
jrun "link down -j 0" link down 0
is "link down -j 0: ok, no report" \
	"$(jv links.length) $(jv links.0.result) $(jv links.0.error) $(jv links.0.report)" \
	"1 ok null null"

# ---- monitor -------------------------------------------------------------

q=$(qom_of /sys/class/oio/oio0)
check "oio0 maps to $q" test -n "$q"

# monitor_ready FILE TEXT-REGEX: arm card 0 until the monitor writing FILE
# shows the card-change, so it is known to listen. Leaves card 0 armed.
monitor_ready() {
	_k=0
	while [ $_k -lt 25 ]; do
		oioctl arm 0 on > /dev/null 2>&1
		wait_grep "$1" "$2" 20 && return 0
		oioctl arm 0 off > /dev/null 2>&1
		_k=$((_k + 1))
	done
	return 1
}

oioctl monitor > "$t/mon" 2> "$t/mon.err" &
mpid=$!
monitor_ready "$t/mon" '^\[card-change\] oio0 armed interlock closed temp '
ok $? "monitor: card-change line for arming oio0"
t0=$(now_cs)
vmctl qom-set "/machine/peripheral/$q" laser-fail-mask 4 > /dev/null
wait_grep "$t/mon" '^\[laser-change\] oio0 line 2 .*failed' 200
r=$?
dt=$(($(now_cs) - t0))
ok "$([ $r -eq 0 ] && [ $dt -le 200 ]; echo $?)" \
	"monitor: laser-change line for line 2 failing, ${dt}0 ms after the injection (at most 2 s)"
vmctl qom-set "/machine/peripheral/$q" laser-fail-mask 0 > /dev/null
kill -INT $mpid
wait $mpid
rc=$?
is "monitor: SIGINT ends it with 0" "$rc" 0
ok "$([ ! -s "$t/mon.err" ]; echo $?)" "monitor: nothing on stderr"
sed -n '/laser-change/s/^/# /p' "$t/mon" | head -n 4

# The failure flag stays latched, and masked, until it is cleared: the same
# failure again is silent; after clear-alarms it speaks again.
oioctl monitor > "$t/mon2" 2> "$t/mon2.err" &
mpid=$!
monitor_ready "$t/mon2" '^\[card-change\] oio0 armed interlock closed temp '
ok $? "monitor (again): listening"
vmctl qom-set "/machine/peripheral/$q" laser-fail-mask 4 > /dev/null
wait_grep "$t/mon2" '^\[laser-change\] oio0 line 2 .*failed' 50
ok "$([ $? -ne 0 ]; echo $?)" "the same failure, uncleared: no new event"
vmctl qom-set "/machine/peripheral/$q" laser-fail-mask 0 > /dev/null
runok "clear-alarms 0 laser 2" clear-alarms 0 laser 2
ok "$(grep -qE '^oio0 laser 2: cleared 0x[0-9a-f]*4[0-9a-f], latched now 0x0$' "$t/out"; echo $?)" \
	"clear-alarms: the failure flag cleared, nothing latched ($(cat "$t/out"))"
vmctl qom-set "/machine/peripheral/$q" laser-fail-mask 4 > /dev/null
wait_grep "$t/mon2" '^\[laser-change\] oio0 line 2 .*failed' 200
ok $? "after clear-alarms the next failure raises its event"
vmctl qom-set "/machine/peripheral/$q" laser-fail-mask 0 > /dev/null
kill -INT $mpid
wait $mpid
jrun "clear-alarms -j 0 laser 2" clear-alarms 0 laser 2
is "clear-alarms -j: object, index and what is latched" \
	"$(jv alarm_clears.0.object) $(jv alarm_clears.0.index) $(jv alarm_clears.0.alarms)" "laser 2 0"
runok "clear-alarms 0 (card)" clear-alarms 0
runok "clear-alarms 0 lane 3 0xf" clear-alarms 0 lane 3 0xf
runok "arm 0 off" arm 0 off
jrun "laser show -j 0 2 (fault cleared)" laser show 0 2
is "line 2 not failed any more" "$(jv lasers.0.failed)" false

oioctl -j monitor > "$t/mon" 2> "$t/mon.err" &
mpid=$!
monitor_ready "$t/mon" '"event":"card-change"'
ok $? "monitor -j: card-change event for arming oio0"
oioctl arm 0 off > /dev/null 2>&1
wait_grep "$t/mon" '"armed":false' 200
ok $? "monitor -j: card-change event for disarming"
kill -INT $mpid
wait $mpid
rc=$?
is "monitor -j: SIGINT ends it with 0" "$rc" 0
ok "$("$JC" -l < "$t/mon" && [ ! -s "$t/mon.err" ]; echo $?)" \
	"monitor -j: every line valid JSON ($(lines "$t/mon") lines)"
json_out -l monitor "$t/mon"
grep '"event":"card-change"' "$t/mon" | tail -n 1 > "$t/mon.card"
is "monitor -j: the last card-change is oio0's, disarmed" \
	"$("$JC" -l card_id < "$t/mon.card") $("$JC" -l cards.0.armed < "$t/mon.card")" \
	"0 false"
wait_grep "$t/mon" '"event":"laser-change"' 200
ok $? "monitor -j: disarming announced the lines too"

# ---- bad input -----------------------------------------------------------

state0 > "$t/before"
ok "$([ "$(lines "$t/before")" -eq 5 ] && "$JC" -l < "$t/before"; echo $?)" \
	"card 0's state for the bad-input table: 5 valid JSON lines"
table=1

refused "show 9 (no such card)" show 9
refused "show 0000:00:1f.7 (no card at that address)" show 0000:00:1f.7
bad "telemetry oioX --watch 1 (not a card: refused once, not every round)" \
	telemetry oioX --watch 1
bad "show oioX (not a card)" show oioX
bad "show 0 1 (too many arguments)" show 0 1
bad "link up (no card: one, or all)" link up
bad "link down (no card: one, or all)" link down
bad "link recover (no card: one, or all)" link recover
bad "link up 0 1 (too many arguments)" link up 0 1
bad "link up 0 --prbs-dwell 1500ns (not whole microseconds)" link up 0 --prbs-dwell 1500ns
refused "arm 9 on" arm 9 on
bad "arm 0 maybe" arm 0 maybe
bad "clear-alarms 0 laser 8 (no such line)" clear-alarms 0 laser 8
bad "clear-alarms 0 lane 2 64 (not a lane flag)" clear-alarms 0 lane 2 64
bad "clear-alarms 0 ring 2 (not a kind with alarms)" clear-alarms 0 ring 2
bad "arm 0 (missing argument)" arm 0
bad "laser show 0 8 (line index)" laser show 0 8
bad "laser set 0 8 enable on (line index)" laser set 0 8 enable on
bad "laser set 0 2 bias 200mA" laser set 0 2 bias 200mA
bad "laser set 0 2 bias 150001uA" laser set 0 2 bias 150001uA
bad "laser set 0 2 bias lots" laser set 0 2 bias lots
bad "laser set 0 2 enable maybe" laser set 0 2 enable maybe
bad "laser set 0 2 power 5 (unknown setting)" laser set 0 2 power 5
bad "laser set 0 2 enable on bias (missing value)" laser set 0 2 enable on bias
bad "laser set 0 2 enable on bias 200mA (all checked first)" laser set 0 2 enable on bias 200mA
refused "laser set 0 2 enable on (disarmed: the card refuses)" laser set 0 2 enable on
bad "laser frob" laser frob
bad "lane show 0 64 (lane index)" lane show 0 64
bad "lane set 0 64 request initialize (lane index)" lane set 0 64 request initialize
bad "lane set 0 0 request jump (unknown request)" lane set 0 0 request jump
bad "lane set 0 0 ask initialize" lane set 0 0 ask initialize
bad "prbs 0 64 on (lane index)" prbs 0 64 on
bad "prbs 0 3-1 on (backwards range)" prbs 0 3-1 on
bad "prbs 0 0-3 maybe" prbs 0 0-3 maybe
bad "ring show 0 128 (ring index)" ring show 0 128
bad "ring set 0 128 heater 0 (ring index)" ring set 0 128 heater 0
bad "ring set 0 6 heater 4096" ring set 0 6 heater 4096
bad "ring set 0 6 heater -1" ring set 0 6 heater -1
bad "ring set 0 6 lock maybe" ring set 0 6 lock maybe
bad "ring set 0 6 heat 10 (unknown setting)" ring set 0 6 heat 10
bad "ring set 0 6 heater (missing value)" ring set 0 6 heater
bad "port set 0 1 shift 8" port set 0 1 shift 8
bad "port set 0 8 shift 0 (port index)" port set 0 8 shift 0
bad "port set 0 1 rotate 2" port set 0 1 rotate 2
bad "sweep 0 128 (ring index)" sweep 0 128
bad "sweep 0 127 --count 2 (past the last ring)" sweep 0 127 --count 2
bad "sweep 0 4 --step 0" sweep 0 4 --step 0
bad "sweep 0 4 --start 2000 --stop 1000" sweep 0 4 --start 2000 --stop 1000
bad "sweep 0 4 --dwell 2ms" sweep 0 4 --dwell 2ms
bad "sweep 0 4 --plot --csv" sweep 0 4 --plot --csv
bad "sweep 0 4 --count (missing value)" sweep 0 4 --count
bad "sweep 0 (missing RING)" sweep 0
refused "telemetry 9" telemetry 9
bad "telemetry --watch 0" telemetry --watch 0
refused "link up 9" link up 9
refused "link down 9" link down 9
refused "sweep 9 0" sweep 9 0
bad "link up 0 --ber-target 0" link up 0 --ber-target 0
bad "link up 0 --prbs-dwell 0" link up 0 --prbs-dwell 0
bad "link sideways" link sideways
bad "monitor now (neither a card nor an object)" monitor now
bad "list all (no arguments)" list all
bad "frobnicate (unknown command)" frobnicate
bad "help frobnicate" help frobnicate
bad "--frob (unknown option)" --frob
bad "-x (unknown option)" -x
bad "show --frob (unknown command option)" show --frob
bad "ring show -q (unknown command option)" ring show -q
bad "no command" 
table=0

# ---- link up: an error, and lanes down ------------------------------------

# The interlock open: liboio refuses the card before touching it, an
# error, exit 1, with its reason and no report.
vmctl qom-set "/machine/peripheral/$q" interlock false > /dev/null
run link up 0
ok "$([ $rc -eq 1 ] && [ ! -s "$t/out" ] && [ "$(lines "$t/err")" -eq 1 ] &&
	grep -q '^oioctl: bring up the link of oio0: .*interlock is open' "$t/err"
	echo $?)" "link up 0, interlock open: exit 1, the error and its reason, no report"
[ $rc -eq 1 ] || diag
run -j link up 0
ok "$([ $rc -eq 1 ] && [ "$(jv links.0.result) $(jv links.0.error.errno) $(jv links.0.report)" = "error 16 null" ]
	echo $?)" "link up -j 0, interlock open: exit 1, result error, errno EBUSY, report null"
[ $rc -eq 1 ] || diag
vmctl qom-set "/machine/peripheral/$q" interlock true > /dev/null
runok "arm 0 ack (the opening acknowledged)" arm 0 ack

# Line 2 failed: its lanes cannot come up. link up runs to its end, and
# says so with exit 3 and the report, no error; recover, with nothing it
# can redo, the same in JSON.
vmctl qom-set "/machine/peripheral/$q" laser-fail-mask 4 > /dev/null
run link up 0
ok "$([ $rc -eq 3 ] && [ ! -s "$t/err" ]; echo $?)" \
	"link up 0, line 2 failed: exit 3 (lanes down), nothing on stderr"
[ $rc -eq 3 ] || diag
up=$(sed -nE 's|^oio0: ([0-9]+)/64 lanes up; .*|\1|p' "$t/out")
ok "$([ -n "$up" ] && [ "$up" -le 56 ]; echo $?)" \
	"link up 0, line 2 failed: the report says ${up:-?}/64 lanes up"
is "link up 0, line 2 failed: line 2's 8 lanes in the table, laser-line-dark" \
	"$(grep -cE '^  [0-9]+ +[0-7] +2 +laser-line-dark ' "$t/out")" 8
run -j link recover 0
ok "$([ $rc -eq 3 ] && [ ! -s "$t/err" ] && "$JC" < "$t/out"; echo $?)" \
	"link recover -j 0, line 2 failed: exit 3, valid JSON"
[ $rc -eq 3 ] || diag
is "link recover -j 0: result lanes-failed, no error, the report's dark lanes" \
	"$(jv links.0.result) $(jv links.0.error) $(count '"fail":"laser-line-dark"' "$t/out")" \
	"lanes-failed null 8"
vmctl qom-set "/machine/peripheral/$q" laser-fail-mask 0 > /dev/null
oioctl link down 0 > /dev/null 2>&1
oioctl clear-alarms 0 laser 2 > /dev/null 2>&1

rm -rf "$t"
tap_done
