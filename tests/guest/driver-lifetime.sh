#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# oio.ko's teardown under fire, for the debug kernel (KASAN, lockdep,
# debug objects): unbind and bind while the alarm vector storms. Bounded;
# the harness fails the run on any splat. fault-nth does probe's
# unwinding.
#
# env: OIO_CARDS (from the harness), OIO_REBINDS (20)
set -u

. /tests/tap-lib

qset() {
	vmctl qom-set "/machine/peripheral/$1" "$2" "$3" >/dev/null
}

check "insmod" insmod /lib/modules/oio.ko
c=/sys/class/oio/oio0
q=$(qom_of $c)
bdf=$(basename "$(readlink $c/device)")
rebinds=${OIO_REBINDS:-20}

# Unbind and bind while the vector storms: the storm guard's state must
# not outlive the card.
qset "$q" irq-storm true
i=0
bad=0
while [ $i -lt "$rebinds" ]; do
	echo "$bdf" > /sys/bus/pci/drivers/oio/unbind || bad=1
	usleep 20000
	echo "$bdf" > /sys/bus/pci/drivers/oio/bind || bad=1
	usleep $((i * 7000 % 50000 + 1000))
	i=$((i + 1))
done
qset "$q" irq-storm false
ok $bad "$rebinds unbind/bind cycles during an interrupt storm"
[ $bad -eq 0 ] || rebinds=0
echo "# reliability: rebinds $rebinds"

check "rmmod" rmmod oio
tap_done
