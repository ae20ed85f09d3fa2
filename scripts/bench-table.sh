#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Print the figures of a `make bench` run (its TAP output) as tables: the
# cost of each liboio call, issue 10's telemetry figures against their
# targets, then bring-up per seed and for many cards. Exits 1 when a
# target is missed (or its line is absent), so `make bench` fails.
#
# usage: bench-table.sh BENCH.tap
set -eu
tap=$1

echo "liboio calls (guest time under -icount 0: 1 ns per instruction)"
sed -n 's/^# \(call .*\)$/\1/p; s/^# \([a-zA-Z(].*  *[0-9.][0-9.]*  *[0-9.][0-9.]*\)$/\1/p' "$tap"
echo
echo "telemetry: one snapshot of a card through liboio and through sysfs"
sed -n 's/^# \(telemetry before issue 10: .*\)$/\1/p' "$tap"
sed -n 's/^# \(telemetry [a-z ]*, cached[a-z, ]*  .*\)$/\1/p; s/^# \(sysfs, .*\)$/\1/p' "$tap"
sed -n 's/^# \(idle MMIO per second: .*\)$/\1/p; s/^# \(alarm to .*\)$/\1/p' "$tap"
echo
echo "targets (issue 10)"
sed -n 's/^# target: \(.*\)$/\1/p' "$tap"
missed=0
grep -q '^# target: .* MISSED$' "$tap" && missed=1
# shellcheck disable=SC2016 # the backquotes are the label's, not a command
for t in 'telemetry, whole card, cached' 'telemetry, lanes only, cached' \
	'idle MMIO/s, no monitor' 'idle MMIO/s, `oioctl monitor`'; do
	grep -qF "# target: $t " "$tap" || { echo "no figure: $t"; missed=1; }
done
echo
echo "bring-up of one card per seed (card time, MMIO counted by the model)"
echo "(analysis_ms: the library's work on the sweeps, guest CPU within tuning)"
printf '%-6s %-10s %-12s %-12s %-12s %-6s %s\n' seed lanes tuning_ms analysis_ms total_ms MMIO sweeps
sed -n 's/.*seed \([0-9]*\): \([0-9]*\/[0-9]*\) lanes up[^;]*; tuning \([0-9.]*\) ms card time (analysis \([0-9.]*\) ms); bring-up \([0-9.]*\) ms, \([0-9]*\) MMIO, \([0-9]*\) sweeps.*/\1 \2 \3 \4 \5 \6 \7/p' "$tap" |
	while read -r seed lanes tune analysis total mmio sweeps; do
		printf '%-6s %-10s %-12s %-12s %-12s %-6s %s\n' "$seed" "$lanes" "$tune" "$analysis" "$total" "$mmio" "$sweeps"
	done
sed -n 's/^# \([0-9]*\/[0-9]* seeds fully up.*\)$/\1/p' "$tap"
echo
echo "many cards"
sed -n 's/^.*link-bringup: \([0-9]* cards together.*\)$/\1/p; s/^# \(together .*\)$/\1/p' "$tap"
tail -n 1 "$tap"
[ "$missed" -eq 0 ] || { echo "make bench: a target was missed"; exit 1; }
