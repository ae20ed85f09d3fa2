#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Add the OIO engine model to an unpacked Debian QEMU source tree.
#
# The model's files are linked (not copied) into hw/misc/ so that editing
# them here rebuilds QEMU; the register map comes from driver/oio_regs.h,
# the one header the driver includes too. Kconfig gets one guarded
# addition, and the meson file list and the device list are rewritten, so
# running this twice is harmless.
#
# usage: overlay.sh QEMU_SOURCE_DIR
set -eu
src=$1
here=$(cd "$(dirname "$0")" && pwd)
models="oio-engine.c oio-engine-config.c oio-engine-regs.c oio-engine-optics.c
	oio-engine-lock.c oio-engine-lanes.c oio-engine-dma.c oio-physics.c"
top=$(cd "$here/../.." && pwd)

for f in $models oio-engine.h oio-physics.h; do
	ln -sfn "$here/$f" "$src/hw/misc/$f"
done
ln -sfn "$top/driver/oio_regs.h" "$src/hw/misc/oio_regs.h"

if ! grep -q '^config OIO_ENGINE' "$src/hw/misc/Kconfig"; then
	cat >> "$src/hw/misc/Kconfig" <<'KCONFIG'

config OIO_ENGINE
    bool
    default y if TEST_DEVICES
    depends on PCI && MSI_NONBROKEN
KCONFIG
fi

# The model's file list is rewritten each time, so a new file is picked up.
sed -i -e '/^# oio-engine model:/,/^# end oio-engine model/d' \
	-e "/^softmmu_ss.add(when: 'CONFIG_OIO_ENGINE'/,/))/d" \
	"$src/hw/misc/meson.build"
{
	echo '# oio-engine model: written by tests/qemu/overlay.sh'
	echo "softmmu_ss.add(when: 'CONFIG_OIO_ENGINE', if_true: files("
	for f in $models; do echo "  '$f',"; done
	echo '))'
	echo '# end oio-engine model'
} >> "$src/hw/misc/meson.build"

# Only what the VM tests use: q35, hot-pluggable root ports, serial ports,
# an exit device, and the card; virtio block disks for the Debian guest's
# root file system and the files a test hands it.
cat > "$src/configs/devices/x86_64-softmmu/oio.mak" <<'DEVICES'
CONFIG_Q35=y
CONFIG_PCIE_PORT=y
CONFIG_ISA_DEBUG=y
CONFIG_SERIAL_ISA=y
CONFIG_VIRTIO_PCI=y
CONFIG_VIRTIO_BLK=y
CONFIG_OIO_ENGINE=y
DEVICES
