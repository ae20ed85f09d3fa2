#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Last test of a debug kernel run: unload oio.ko, let kmemleak scan twice
# (an object must stay unreferenced across two scans to be reported), and
# fail on any report, printed. Prints "# reliability: leaks N".
set -u

. /tests/tap-lib

[ -e /sys/module/oio ] && rmmod oio
if [ ! -e /sys/kernel/debug/kmemleak ]; then
	ok 1 "kmemleak available"
	tap_done
fi
# Wait for RCU-deferred frees of what rmmod released.
sleep 2
echo scan > /sys/kernel/debug/kmemleak
sleep 6
echo scan > /sys/kernel/debug/kmemleak
leaks=$(grep -c '^unreferenced object' /sys/kernel/debug/kmemleak)
if [ "$leaks" -ne 0 ]; then
	sed -n '1,60s/^/# /p' /sys/kernel/debug/kmemleak
fi
ok $([ "$leaks" -eq 0 ]; echo $?) "kmemleak after the run: $leaks unreferenced objects"
echo "# reliability: leaks $leaks"
tap_done
