#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Run every suite: host unit tests, then the VM suites on emulated cards.
# Called by `make check` (through `make check-suites`, once everything is
# built), which passes the paths below. A table of results and one
# closing "N passed, N failed" line come last.
#
# Two lanes share the two cores. Lane A runs the host suites and then the
# VM suites in order, its TAP going to the terminal as it comes: first
# those that run make (they build modules and packages), then the ones
# that only read what make built. Lane B takes the latter from the end of
# their list, then waits for lane A to reach its VM suites and takes VM
# suites from the end of that list; a suite is run by whichever lane
# claims it first. Lane B then waits for the envelope (started by make
# before the rest of the build, or here, at nice 19 either way). Lane B's
# TAP is printed when both are done. Each
# VM suite boots its own VM in its own log directory. A suite claimed but
# not finished (a lane killed) fails the run.
#
# The last line before the totals is the reliability line, summed from
# what the suites report ("# reliability: KEY VALUE" in their TAP, the
# harness's count of kernel splats per VM run): a non-zero bad figure
# fails the run.
#
# env: B PY QEMU KERNEL INITRD KERNEL_612 INITRD_612 KERNEL_DEBUG
#      INITRD_DEBUG KERNEL_NEWEST INITRD_NEWEST QEMU_SRC CHECKPATCH
#      DEBIAN_IMAGE DEBIAN_INITRD DEBIAN_PAYLOAD (from the Makefile)
#      OIO_CHECK_ONLY=name,name  run only these suites
#      OIO_ENVELOPE_STARTED=1    make started tests/envelope-bg.sh already
set -u
: "${B:?}" "${PY:?}" "${QEMU:?}" "${KERNEL:?}" "${INITRD:?}" "${QEMU_SRC:?}"
: "${CHECKPATCH:?}" "${KERNEL_612:?}" "${INITRD_612:?}" "${KERNEL_DEBUG:?}"
: "${INITRD_DEBUG:?}" "${KERNEL_NEWEST:?}" "${INITRD_NEWEST:?}"
: "${DEBIAN_IMAGE:?}" "${DEBIAN_INITRD:?}" "${DEBIAN_PAYLOAD:?}"

logs=$B/vm-logs
mkdir -p "$logs"
rm -rf "$logs/claims" "$logs/results.a" "$logs/results.b" "$logs/ran.a" \
	"$logs/ran.b" "$logs/lane-b.out"
mkdir "$logs/claims"
lane=a

wanted() {
	case ",${OIO_CHECK_ONLY:-$1}," in
	*",$1,"*) return 0 ;;
	*) return 1 ;;
	esac
}

# record NAME PASSED FAILED SECONDS: a row of the table, in the lane's file.
record() {
	printf '%-22s %6s %6s %6ss\n' "$1" "$2" "$3" "$4" >> "$logs/results.$lane"
}

# claim NAME: true for the first lane to ask; done NAME when it has run.
claim() {
	mkdir "$logs/claims/$1" 2> /dev/null && return 0
	[ -d "$logs/claims/$1" ] && return 1
	echo "# cannot claim $1 in $logs/claims: running it" >&2
	return 0
}

done_claim() {
	touch "$logs/claims/$1/done" 2> /dev/null
}

# unit NAME BINARY: one Check suite on the host.
unit() {
	suite=$1
	wanted "$suite" || return 0
	start=$(date +%s)
	out=$("$2" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	# Check: "100%: Checks: 31, Failures: 0, Errors: 0"
	line=$(printf '%s\n' "$out" | grep 'Checks:' | tail -n 1)
	checks=$(echo "$line" | sed -n 's/.*Checks: \([0-9]*\).*/\1/p')
	fails=$(echo "$line" | sed -n 's/.*Failures: \([0-9]*\),.*/\1/p')
	errors=$(echo "$line" | sed -n 's/.*Errors: \([0-9]*\).*/\1/p')
	failed=$((${fails:-1} + ${errors:-0}))
	[ -n "$checks" ] || { checks=1; failed=1; }
	[ "$rc" -eq 0 ] || [ "$failed" -gt 0 ] || failed=1
	record "$suite" $((checks - failed)) "$failed" $(($(date +%s) - start))
}

# host_tap NAME START RC OUTPUT: count a host-side TAP producer's lines.
host_tap() {
	printf '%s\n' "$4"
	# a TAP TODO is known and reported, not a failure
	pass=$(printf '%s\n' "$4" | grep -c '^ok ')
	fail=$(printf '%s\n' "$4" | grep '^not ok ' | grep -vc '# TODO')
	[ "$3" -eq 0 ] || [ "$fail" -gt 0 ] || fail=1
	record "$1" "$pass" "$fail" $(($(date +%s) - ${2:-$(date +%s)}))
}

# host NAME COMMAND...: a host-side TAP producer.
host() {
	suite=$1
	shift
	wanted "$suite" || return 0
	start=$(date +%s)
	out=$("$@" 2>&1)
	host_tap "$suite" "$start" $? "$out"
}

# The model is compiled into QEMU: it keeps QEMU's coding style.
style() {
	wanted style || return 0
	start=$(date +%s)
	pass=0
	fail=0
	for f in tests/qemu/*.c tests/qemu/*.h; do
		if out=$("$QEMU_SRC/scripts/checkpatch.pl" --no-tree -f "$f" 2>&1) &&
			echo "$out" | grep -q 'total: 0 errors, 0 warnings'; then
			echo "ok - qemu style: $f"
			pass=$((pass + 1))
		else
			echo "$out" | grep -E '^(ERROR|WARNING)|^#' | head -n 20
			echo "not ok - qemu style: $f"
			fail=$((fail + 1))
		fi
	done
	record qemu-style "$pass" "$fail" $(($(date +%s) - start))
}

# The driver: checkpatch --strict from Debian's 6.1 source, and a clean
# W=1 + sparse build against 6.12 (6.1 was built for the VM already).
kernel_style() {
	wanted kernel-style || return 0
	start=$(date +%s)
	pass=0
	fail=0
	for f in driver/*.c driver/*.h; do
		if out=$("$CHECKPATCH" --strict --no-tree -f "$f" 2>&1) &&
			echo "$out" | grep -q 'total: 0 errors, 0 warnings, 0 checks'; then
			echo "ok - checkpatch --strict: $f"
			pass=$((pass + 1))
		else
			echo "$out" | grep -E -A3 '^(ERROR|WARNING|CHECK)' | head -n 30
			echo "not ok - checkpatch --strict: $f"
			fail=$((fail + 1))
		fi
	done
	if scripts/ynl-gen.sh "$B" --check; then
		echo "ok - generated netlink files match docs/netlink/specs/oio.yaml"
		pass=$((pass + 1))
	else
		echo "not ok - generated netlink files are stale"
		fail=$((fail + 1))
	fi
	for series in 6.1 6.12 debug; do
		if scripts/build-module.sh "$B" "$series" >/dev/null; then
			echo "ok - W=1 C=1 build against $series"
			pass=$((pass + 1))
		else
			echo "not ok - W=1 C=1 build against $series"
			fail=$((fail + 1))
		fi
	done
	if scripts/newest-kernel.sh "$B" module >/dev/null; then
		echo "ok - W=1 C=1 build against $(cat "$B/kernel-newest/release")"
		pass=$((pass + 1))
	else
		echo "not ok - W=1 C=1 build against the newest kernel"
		fail=$((fail + 1))
	fi
	record kernel-style "$pass" "$fail" $(($(date +%s) - start))
}

# vm NAME [run-vm.py options]: one VM boot, its TAP and its counts.
vm() {
	name=$1
	shift
	wanted "$name" || return 0
	start=$(date +%s)
	"$PY" tests/vm/run-vm.py --qemu "$QEMU" --kernel "$KERNEL" \
		--initrd "$INITRD" --log-dir "$logs/$name" --name "$name" "$@" \
		> "$logs/$name.tap" 2>&1
	rc=$?
	echo "$logs/$name.tap" >> "$logs/ran.$lane"
	cat "$logs/$name.tap"
	last=$(tail -n 1 "$logs/$name.tap")
	pass=$(echo "$last" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
	fail=$(echo "$last" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
	if [ -z "$pass" ]; then
		pass=0
		fail=1
	fi
	[ "$rc" -eq 0 ] || [ "$fail" -gt 0 ] || fail=1
	record "$name" "$pass" "$fail" $(($(date +%s) - start))
}

# What a lab server runs, in the Debian guest (README, "Install on a lab
# server"): from source, make install-files and DKMS, then the next boot
# (autoload, udev, group oio) on the same disk; from the packages, apt,
# modprobe and the distribution's tools.
debian() {
	vm "$@" --initrd "$DEBIAN_INITRD" --payload "$DEBIAN_PAYLOAD" \
		--mem 1024 --smp 2 --timeout 1800
}

# vm_suite NAME: one VM suite (a lone "NAME)" line per arm: see vm_suites).
vm_suite() {
	case $1 in
	smoke)
		vm smoke --cards 2 --tests smoke --env OIO_EXPECT_CARDS=2
		;;
	conformance)
		# Under -icount the card's clock is the guest's instructions: a register
		# read right after a write sees what the datasheet says about that instant
		# (a lane in DataPathInit, a loop ACQUIRING) whatever the host is doing.
		vm conformance --cards 1 --seed 1 --icount 0 --tests conformance
		;;
	conformance-seed7)
		vm conformance-seed7 --cards 1 --seed 7 --icount 0 --tests conformance
		;;
	conformance-2x4)
		vm conformance-2x4 --cards 1 --seed 3 --icount 0 --prop ports=2 \
			--prop wavelengths=4 --tests conformance
		;;
	multicard-2)
		vm multicard-2 --cards 2 --seed 11 --tests multicard
		;;
	multicard-8)
		vm multicard-8 --cards 8 --seed 21 --mem 768 --tests multicard
		;;
	bringup)
		vm bringup --cards 1 --seed 1 --tests bringup --env OIO_SEEDS=20 --timeout 600
		;;
	hotplug)
		vm hotplug --cards 2 --seed 31 --pciehp --tests hotplug
		;;
	driver-sysfs)
		vm driver-sysfs --cards 2 --seed 41 --tests driver-sysfs,sysfs-poll
		;;
	driver-hwmon)
		vm driver-hwmon --cards 2 --seed 51 --tests driver-hwmon
		;;
	driver-netlink)
		vm driver-netlink --cards 2 --seed 71 --tests driver-netlink,driver-cdev
		;;
	driver-1card)
		vm driver-1card --cards 1 --seed 91 \
			--tests driver-sysfs,sysfs-poll,driver-netlink
		;;
	driver-6.12)
		vm driver-6.12 --kernel "$KERNEL_612" --initrd "$INITRD_612" --cards 2 \
			--seed 101 --env OIO_EXPECT_CARDS=2 \
			--tests smoke,driver-sysfs,sysfs-poll,driver-netlink,driver-hwmon,driver-cdev
		;;
	driver-faults)
		vm driver-faults --cards 2 --seed 61 --pciehp --tests driver-faults
		;;
	driver-faults-8)
		vm driver-faults-8 --cards 8 --seed 81 --mem 768 --tests driver-faults \
			--env OIO_CYCLES=3
		;;
	driver-defects)
		# The defects a maintainer's read found (issue 12), one check each.
		vm driver-defects --cards 2 --seed 301 --tests driver-defects
		;;
	privilege)
		vm privilege --cards 1 --seed 601 --tests privilege
		;;
	fuzz)
		# Bad input in bulk: 100,000 netlink messages built from the spec, and the
		# sysfs tables (10,000 more messages on the debug kernel below).
		vm fuzz --cards 2 --seed 501 --tests nlfuzz
		;;
	debug-driver)
		# The debug kernel (KASAN, lockdep, kmemleak, UBSAN, debug objects, fault
		# injection): the driver and fault suites, stress and fuzzing; each run
		# ends with a kmemleak scan. Hot removal comes last in its run: lockdep
		# stops after its first report, and pciehp's own is expected there. Cards
		# of 1 x 2 lanes where a suite binds them over and over: probe's sysfs
		# tree is most of its cost on this kernel.
		vm debug-driver --kernel "$KERNEL_DEBUG" --initrd "$INITRD_DEBUG" --cards 2 \
			--seed 401 --mem 1024 --timeout 1500 --env OIO_FUZZ_N=10000 \
			--tests driver-sysfs,sysfs-poll,driver-netlink,driver-hwmon,driver-cdev,privilege,nlfuzz,driver-defects,kmemleak
		;;
	debug-faults)
		vm debug-faults --kernel "$KERNEL_DEBUG" --initrd "$INITRD_DEBUG" --cards 2 \
			--seed 61 --mem 1024 --pciehp --timeout 1500 \
			--tests driver-faults,kmemleak --env OIO_CYCLES=1
		;;
	stress)
		vm stress --kernel "$KERNEL_DEBUG" --initrd "$INITRD_DEBUG" --cards 2 \
			--seed 411 --mem 1024 --prop ports=1 --prop wavelengths=2 \
			--timeout 1500 --env OIO_STRESS_SECS=10 --env OIO_EXPECT_CARDS=2 \
			--tests smoke,driver-lifetime,fault-nth,driver-stress,kmemleak
		;;
	driver-newest)
		# The newest kernel in Debian's archive.
		vm driver-newest --kernel "$KERNEL_NEWEST" --initrd "$INITRD_NEWEST" --cards 2 \
			--seed 111 --env OIO_EXPECT_CARDS=2 \
			--tests smoke,driver-sysfs,sysfs-poll,driver-netlink,driver-hwmon,driver-cdev,privilege,driver-defects
		;;
	link-seeds)
		# liboio's bring-up: figures in card time under -icount, MMIO counted.
		vm link-seeds --cards 1 --seed 1 --icount 0 --tests link-bringup \
			--env OIO_PHASES=seeds --env OIO_SEEDS=100 --timeout 1500
		;;
	link-corners)
		# Issue 9: a sample of the envelope through the driver and oioctl.
		vm link-corners --cards 1 --seed 1 --icount 0 --tests link-bringup \
			--env OIO_PHASES=corners --env OIO_CORNER_SEEDS=2 --timeout 1500
		;;
	link-parallel)
		vm link-parallel --cards 8 --seed 201 --mem 768 --icount 0 \
			--tests link-bringup --env OIO_PHASES=parallel
		;;
	link-faults)
		vm link-faults --cards 1 --seed 211 --icount 0 \
			--tests link-bringup,link-drift-cli --env OIO_PHASES=drift,faults
		;;
	link-lock)
		# Issue 10, hazards 1 and 2: the writer lock, cancel, the bias journal.
		vm link-lock --cards 2 --seed 261 --tests link-lock,lib-sized
		;;
	bench-lib)
		vm bench-lib --cards 1 --seed 221 --icount 0 --tests bench-lib
		;;
	# oioctl on 2 cards: link-6.12 runs the same suite after its bring-up.
	oioctl-1)
		vm oioctl-1 --cards 1 --seed 241 --tests oioctl-cli --timeout 900
		;;
	oioctl-8)
		vm oioctl-8 --cards 8 --seed 251 --mem 768 --tests oioctl-cli \
			--timeout 900
		;;
	monitor-cli)
		# Issue 10, hazard 6 and the monitor's contract.
		vm monitor-cli --cards 2 --seed 271 --tests monitor-cli
		;;
	link-6.12)
		vm link-6.12 --kernel "$KERNEL_612" --initrd "$INITRD_612" --cards 2 \
			--seed 231 --icount 0 --tests link-bringup,oioctl-cli \
			--env OIO_PHASES=seeds,faults --env OIO_SEEDS=10 --timeout 900
		;;
	debian-dkms)
		# the two share a disk, one after the other in one lane
		disk=$logs/debian-dkms.img
		if wanted debian-dkms || wanted debian-dkms-boot; then
			cp --sparse=always "$DEBIAN_IMAGE" "$disk"
		fi
		debian debian-dkms --disk "$disk" --cards 2 --seed 301 \
			--tests dkms-source
		debian debian-dkms-boot --disk "$disk" --cards 2 --seed 301 \
			--tests dkms-boot
		rm -f "$disk"
		;;
	debian-packages)
		debian debian-packages --disk "$DEBIAN_IMAGE" --snapshot \
			--cards 2 --seed 311 --tests deb-install,deb-tools
		;;
	esac
}

# The host suites that read only what make built, so that either lane may
# run one while lane A's others run make.
host_suite() {
	case $1 in
	unit-physics)
		unit unit-physics "$B/unit/test-physics"
		;;
	unit-card)
		unit unit-card "$B/unit/test-card"
		;;
	unit-reference)
		unit unit-reference "$B/unit/test-reference"
		;;
	unit-tuning)
		unit unit-tuning "$B/unit/test-tuning"
		;;
	unit-naming)
		unit unit-naming "$B/unit/test-naming"
		;;
	unit-bringup)
		unit unit-bringup "$B/unit/test-bringup"
		;;
	unit-parse)
		unit unit-parse "$B/unit/test-parse"
		;;
	unit-output)
		unit unit-output "$B/unit/test-output"
		;;
	unit-prometheus)
		unit unit-prometheus "$B/unit/test-prometheus"
		;;
	unit-headroom)
		unit unit-headroom "$B/unit/test-headroom"
		;;
	unit-cardlock)
		unit unit-cardlock "$B/unit/test-cardlock"
		;;
	unit-ber)
		unit unit-ber "$B/unit/test-ber"
		;;
	unit-reply)
		unit unit-reply "$B/unit/test-reply"
		;;
	unit-linkmsg)
		unit unit-linkmsg "$B/unit/test-linkmsg"
		;;
	lib-policy)
		host lib-policy /usr/bin/python3 scripts/lib-policy.py \
			docs/netlink/specs/oio.yaml --check lib/oio-policy.c
		;;
	unit-sized)
		unit unit-sized "$B/unit/test-sized"
		;;
	unit-objects-sized)
		unit unit-objects-sized "$B/unit/test-objects-sized"
		;;
	lib-abi)
		host lib-abi scripts/check-lib-abi.sh "$B/lib"
		;;
	lib-abidiff)
		host lib-abidiff scripts/check-lib-abidiff.sh "$B/lib"
		;;
	tsan-analysis)
		# the analysis' loops side by side under ThreadSanitizer: a
		# race stops the worker, which fails its corner
		host tsan-analysis env TSAN_OPTIONS=halt_on_error=1 \
			"$B/tsan/unit/test-envelope" -n 2 -j 1 \
			-c default,optical-worst,inside,line-dark
		;;
	envelope-recover)
		# Recovery over the envelope: link up, port 2 knocked off,
		# recover; no lane up in error, no recovery failing (10 seeds
		# a corner).
		host envelope-recover "$B/unit/test-envelope" --recover 0 \
			-n 10 -j 1
		;;
	esac
}

# The lists are the case arms above, in order: one place to add a suite.
host_suites=$(sed -n '/^host_suite() {/,/^}/s/^\t\([a-z0-9.-]*\))$/\1/p' "$0")
[ -n "$host_suites" ] || { echo "check.sh: no host suites found in $0" >&2; exit 1; }
vm_suites=$(sed -n '/^vm_suite() {/,/^}/s/^\t\([a-z0-9.-]*\))$/\1/p' "$0")
[ -n "$vm_suites" ] || { echo "check.sh: no VM suites found in $0" >&2; exit 1; }

# Lane B: host suites and VM suites from the ends of their lists, then
# the envelope's result. The envelope runs at nice 19 all the while, on
# what the lanes leave idle (a guest waiting, one lane done before the
# other), and on both cores once the suites are done.
lane_b() {
	lane=b
	if wanted envelope && [ -z "${OIO_ENVELOPE_STARTED:-}" ]; then
		tests/envelope-bg.sh start "$logs" "$B/unit/test-envelope"
	fi
	# shellcheck disable=SC2086 # one word per suite
	for s in $(printf '%s\n' $host_suites | tac); do
		! claim "$s" || { host_suite "$s"; done_claim "$s"; }
	done
	while [ ! -e "$logs/claims/.vm" ] && kill -0 $$ 2> /dev/null; do
		sleep 1
	done
	# shellcheck disable=SC2086 # one word per suite
	for s in $(printf '%s\n' $vm_suites | tac); do
		! claim "$s" || { vm_suite "$s"; done_claim "$s"; }
	done
	if wanted envelope; then
		tests/envelope-bg.sh wait "$logs"
		rc=$?
		# its own run time, build time included, not the wait's
		t1=$(cat "$logs/envelope.end" 2> /dev/null) || t1=$(date +%s)
		t0=$(cat "$logs/envelope.start" 2> /dev/null) || t0=$t1
		host_tap envelope $(($(date +%s) - t1 + t0)) "$rc" \
			"$(cat "$logs/envelope.tap" 2> /dev/null)"
	fi
	return 0
}

# kill_tree PID: PID and everything it started (a lane's VM and QEMU).
kill_tree() {
	for c in $(ps -o pid= --ppid "$1" 2> /dev/null); do
		kill_tree "$c"
	done
	kill -TERM "$1" 2> /dev/null
}

# An interrupted run takes lane B (which ignores SIGINT, being started in
# the background) and the envelope with it.
stop_all() {
	trap - INT TERM HUP
	[ -z "${lane_b_pid:-}" ] || kill_tree "$lane_b_pid"
	tests/envelope-bg.sh stop "$logs"
	exit 130
}
trap stop_all INT TERM HUP

lane_b > "$logs/lane-b.out" 2>&1 &
lane_b_pid=$!

style
kernel_style
host make-shell tests/shell-test.sh
host packaging tests/packaging.sh "$B"
for s in $host_suites; do
	! claim "$s" || { host_suite "$s"; done_claim "$s"; }
done
touch "$logs/claims/.vm"
for s in $vm_suites; do
	! claim "$s" || { vm_suite "$s"; done_claim "$s"; }
done
wait "$lane_b_pid" || record lane-b 0 1 0
# a lane B that died before its wait leaves no envelope running on
tests/envelope-bg.sh stop "$logs"
cat "$logs/lane-b.out"
for s in $host_suites $vm_suites; do
	if [ -d "$logs/claims/$s" ] && [ ! -e "$logs/claims/$s/done" ]; then
		echo "not ok - $s: its lane ended before it did"
		record "$s" 0 1 0
	fi
done

# Issue 10: every JSON output the suites above printed ("# json-out" in
# their tap.log) against its schema, tools/schema/.
host json-schema "$PY" tests/json-schema.py tools/schema "$logs" \
	--suites oioctl-1,oioctl-8,link-6.12,link-faults,monitor-cli --commands tools/oioctl.c

# The reliability line: the figures the suites computed, summed.
reliability() {
	# shellcheck disable=SC2046 # one word per file
	cat /dev/null $(cat "$logs"/ran.* 2> /dev/null) | awk '
		/^# reliability: splats [0-9]+/ { splats += $4; runs++ }
		/^# (.*: )?reliability: leaks [0-9]+/ { leaks += $NF; scans++ }
		/reliability: faults [0-9]+\/[0-9]+/ {
			split($NF, f, "/"); fok += f[1]; fall += f[2] }
		/reliability: bad inputs [0-9]+ rejected \/ [0-9]+ changed/ {
			for (i = 1; i <= NF; i++) {
				if ($i == "inputs") rej += $(i + 1)
				if ($i == "changed") chg += $(i - 1)
			}
			fuzzed = 1 }
		/reliability: rebinds [0-9]+/ { rebinds += $NF }
		/reliability: unplugs [0-9]+/ { unplugs += $NF }
		END {
			printf "reliability: splats %d, leaks %d, faults %d/%d, bad inputs %d rejected / %d changed, rebinds %d, unplugs %d\n",
				splats, leaks, fok, fall, rej, chg, rebinds, unplugs
			bad = splats || leaks || fok != fall || chg
			# a full run must have measured every figure
			if (ENVIRON["OIO_CHECK_ONLY"] == "" &&
			    (!runs || !scans || !fall || !fuzzed || rebinds < 100 || !unplugs))
				bad = 1
			exit bad
		}'
}

echo
printf '%-22s %6s %6s %7s\n' suite passed failed time
cat /dev/null "$logs/results.a" "$logs/results.b" 2> /dev/null
# shellcheck disable=SC2046 # two numbers
set -- $(cat /dev/null "$logs/results.a" "$logs/results.b" 2> /dev/null |
	awk '{ p += $2; f += $3 } END { print p + 0, f + 0 }')
total_pass=$1
total_fail=$2
if reliability; then
	rel_fail=0
else
	rel_fail=1
	echo "reliability: a bad figure (or one not measured): failed"
fi
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ] && [ "$total_pass" -gt 0 ] && [ "$rel_fail" -eq 0 ]
