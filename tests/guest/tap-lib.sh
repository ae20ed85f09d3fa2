# SPDX-License-Identifier: GPL-2.0-only
#
# TAP and card helpers for the guest's shell tests, sourced as
# /tests/tap-lib.
# Results are numbered as they come; tap_done prints the plan and exits
# with 1 if anything failed.

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

# check DESC COMMAND...: one result from a command's status.
check() {
	desc=$1
	shift
	"$@" >/dev/null 2>&1
	ok $? "$desc"
}

# write_fails FILE VALUE ERRNO-TEXT: the write fails with that error and
# the file reads the same before and after.
write_fails() {
	before=$(cat "$1" 2>/dev/null)
	err=$( (echo "$2" > "$1") 2>&1)
	rc=$?
	after=$(cat "$1" 2>/dev/null)
	case $err in
	*"$3"*) matched=0 ;;
	*) matched=1 ;;
	esac
	if [ $rc -ne 0 ] && [ $matched -eq 0 ] && [ "$before" = "$after" ]; then
		ok 0 "write '$2' > ${1#/sys/class/} fails: $3"
	else
		echo "# rc=$rc err='$err' before='$before' after='$after'"
		ok 1 "write '$2' > ${1#/sys/class/} fails: $3"
	fi
}

# wait_for FILE VALUE [TICKS]: poll every 10 ms, TICKS times (200), for a
# file to read VALUE.
wait_for() {
	i=0
	while [ $i -lt "${3:-200}" ]; do
		[ "$(cat "$1" 2>/dev/null)" = "$2" ] && return 0
		usleep 10000
		i=$((i + 1))
	done
	return 1
}

# qom_of CLASSDIR: the harness's QOM id (oioN) of the card behind a
# /sys/class/oio directory, matched by serial number.
qom_of() {
	i=0
	while [ $i -lt "${OIO_CARDS:-1}" ]; do
		if [ "$(vmctl qom-get "/machine/peripheral/oio$i" serial)" = \
			"$(cat "$1/serial")" ]; then
			echo "oio$i"
			return 0
		fi
		i=$((i + 1))
	done
	return 1
}

tap_done() {
	echo "1..$n"
	exit $failed
}

# json_out [-l] SCHEMA FILE: the JSON value of FILE (with -l, each line
# of it) as one "# json-out SCHEMA JSON" comment line, which the host's
# json-schema suite (tests/json-schema.py) checks against
# tools/schema/SCHEMA.schema.json.
json_out() {
	_jl=
	if [ "$1" = -l ]; then
		_jl=-l
		shift
	fi
	# shellcheck disable=SC2086 # _jl is one option or none
	/tests/json-check $_jl -c < "$2" 2>/dev/null | sed "s/^/# json-out $1 /"
}

# now_cs: the uptime in centiseconds (no leading zero for $((...)) to read
# as octal).
now_cs() {
	read -r _up _ < /proc/uptime
	echo $((${_up%.*} * 100 + 1${_up#*.} - 100))
}

# wait_grep FILE REGEX [CS [SKIP]]: poll every 10 ms, for CS centiseconds
# (200), for a line of FILE past its first SKIP (0) to match.
wait_grep() {
	_end=$(($(now_cs) + ${3:-200}))
	while :; do
		sed -n "$((${4:-0} + 1)),\$p" "$1" 2>/dev/null | grep -qE "$2" &&
			return 0
		[ "$(now_cs)" -lt $_end ] || return 1
		usleep 10000
	done
}
