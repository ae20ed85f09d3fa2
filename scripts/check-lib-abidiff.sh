#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# liboio's ABI against the released one, lib/abi/liboio-0.1.0.abi (made by
# lib-abi-baseline.sh, see lib/abi/README): abidiff may find added
# functions and nothing else. A removed or changed function, a struct of
# the installed headers that changed size or layout, an enumerator that
# changed value: all fail, but for members appended to the sized structs
# (lib/abi/growable.supp). Then the check itself, on copies of the
# library with a member put in front of struct oio_lane_info, appended to
# struct oio_ring_info (which struct oio_telemetry embeds) or to struct
# oio_telemetry (all must fail), and appended to struct oio_link_report
# or to each sized struct no other embeds (must pass). TAP.
#
# usage: check-lib-abidiff.sh BUILD_LIB_DIR
set -u
dir=$1
top=$(cd "$(dirname "$0")/.." && pwd)
base=$top/lib/abi/liboio-0.1.0.abi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
failed=0
ok() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; fi
}

# compare SHARED_OBJECT SOURCE_TOP: abidiff's status, its report in
# $tmp/report, the functions added in $tmp/added.
compare() {
	"$top/scripts/lib-abi-dump.sh" "$1" "$2" > "$tmp/cur.abi" || return 1
	abidiff "$base" "$tmp/cur.abi" |
		sed -n -e "s/^  \[A\] 'function .* \([a-z_0-9]*\)(.*/\1/p" \
			-e 's/^  \[A\] \(oio_[a-z_0-9]*\)@.*/\1/p' > "$tmp/added"
	abidiff --no-added-syms --suppressions "$top/lib/abi/growable.supp" \
		"$base" "$tmp/cur.abi" > "$tmp/report"
}

compare "$dir/liboio.so.0" "$top"
rc=$?
sed 's/^/# /' "$tmp/report"
ok "$rc" "abidiff against 0.1.0: no change but additions (status $rc; added: $(echo $(cat "$tmp/added")))"

# probe SED: a copy of the library with SED applied to its liboio.h,
# built as the Makefile builds liboio and compared.
probe() {
	rm -rf "$tmp/src"
	mkdir -p "$tmp/src"
	cp -r "$top/lib" "$top/include" "$tmp/src/"
	sed -i "$1" "$tmp/src/lib/liboio.h"
	grep -q abi_probe "$tmp/src/lib/liboio.h" || return 2
	(cd "$tmp/src" && cc -std=c11 -D_GNU_SOURCE -O2 -g -Iinclude/uapi \
		-fPIC -shared -fvisibility=hidden \
		$(pkg-config --cflags libnl-genl-3.0 libpci libkmod) \
		-Wl,-soname,liboio.so.0 -Wl,--version-script=lib/liboio.map \
		-o liboio.so.0 lib/*.c \
		$(pkg-config --libs libnl-genl-3.0 libpci libkmod) \
		-lpthread -lm) || return 2
	compare "$tmp/src/liboio.so.0" "$tmp/src"
}

# appended STRUCT...: the sed script that appends a member to each.
appended() {
	for s; do
		printf '/^struct %s {$/,/^};$/s/^};$/\\tuint32_t abi_probe;\\n};/;' "$s"
	done
}

# A member in front of a struct the library fills: offsets move.
probe 's/^struct oio_lane_info {$/&\n\tuint32_t abi_probe;/'
rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 2 ] && grep -q 'oio_lane_info' "$tmp/report"
ok $? "a member put in front of struct oio_lane_info fails the check (status $rc)"
# At the end of a sized struct that another embeds: struct oio_telemetry's
# arrays move, and until the release versions oio_telemetry_get*()
# (liboio.h, "Structs that grow") that is a break.
probe "$(appended oio_ring_info)"
rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 2 ] && grep -q 'struct oio_telemetry' "$tmp/report"
ok $? "a member appended to struct oio_ring_info fails the check on struct oio_telemetry (status $rc)"
# At the end of a struct of fixed layout.
probe "$(appended oio_telemetry)"
rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 2 ] && grep -q 'oio_telemetry' "$tmp/report"
ok $? "a member appended to struct oio_telemetry fails the check (status $rc)"
# ... and at the end of sized ones: what sized structs are for.
probe 's/^\tstruct oio_link_lane lane\[OIO_MAX_LANES\];$/&\n\tuint32_t abi_probe;/'
rc=$?
ok "$rc" "a member appended to struct oio_link_report passes (status $rc)"
probe "$(appended oio_card_info oio_port_info oio_pci_dev oio_sweep_req \
	oio_headroom oio_trace_peak)"
rc=$?
ok "$rc" "members appended to oio_card_info, oio_port_info, oio_pci_dev, oio_sweep_req, oio_headroom and oio_trace_peak pass (status $rc)"
echo "1..$n"
exit $failed
