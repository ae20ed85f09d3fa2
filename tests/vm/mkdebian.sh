#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Build the Debian 12 guest: a root file system made by debootstrap from
# Debian's archive, with systemd and udev, the distribution's tools the
# tests use (lm-sensors, iproute2's devlink, pciutils, dkms, Python for the
# kernel's YNL CLI and the Prometheus parser), and the kernel the other VM
# suites boot with its headers, installed as Debian packages from the .debs
# scripts/fetch-kernel.sh and scripts/fetch-headers.sh downloaded. Nothing
# of oio is in the image: each suite brings it in, as a lab would.
#
# usage: mkdebian.sh BUILD_DIR
#
# Results, in BUILD_DIR/debian/ (rebuilt only when missing):
#   root.img     raw ext4 image of the root file system (sparse, 4 GiB)
#   initrd.img   the guest's own initramfs-tools initrd (virtio, ext4)
#   release      the kernel release installed in the image
#
# The guest has root (console autologin) and a user "lab" in no group of
# note; tests/vm/debian-run, installed as a systemd service, runs the tests
# named on the kernel command line (see tests/vm/run-vm.py --disk).
# Needs root: debootstrap, chroot and mount.
set -eu

if [ $# -ne 1 ]; then
	echo "usage: $0 BUILD_DIR" >&2
	exit 2
fi
mkdir -p "$1"
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
out=$build/debian
rel=$(cat "$build/kernel/release")

if [ -f "$out/root.img" ] && [ "$(cat "$out/release" 2>/dev/null)" = "$rel" ]; then
	echo "debian guest: $out/root.img ($rel)"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "$0: debootstrap needs root" >&2
	exit 1
fi

image_deb=$(ls "$build"/debs/linux-image-"$rel"_*.deb | sort -V | tail -n 1)
headers_debs=$(ls "$build"/debs/headers/linux-headers-"$rel"_*.deb \
	"$build"/debs/headers/linux-headers-"${rel%-amd64}"-common_*.deb \
	"$build"/debs/headers/linux-kbuild-*.deb)

work=$build/debian.tmp
root=$work/root
umount_all() {
	for m in "$root/var/cache/apt/archives" "$root/sys" "$root/proc"; do
		mountpoint -q "$m" 2>/dev/null && umount "$m"
	done
	return 0
}
trap 'umount_all' EXIT
# A signal too: never leave /proc mounted inside build/ for rm -rf.
trap 'exit 1' HUP INT TERM
umount_all
rm -rf "$work"
mkdir -p "$work" "$build/debian-archives"

# Downloaded packages are kept apart from the image, so rebuilding it (a
# new kernel ABI, a change here) fetches only what changed.
echo "debian guest: debootstrap bookworm from $mirror"
debootstrap --variant=minbase --include=systemd-sysv,udev \
	--cache-dir="$build/debian-archives" bookworm "$root" "$mirror" \
	> "$work/debootstrap.log" 2>&1 || {
	tail -n 30 "$work/debootstrap.log" "$root/debootstrap/debootstrap.log" 2>/dev/null
	exit 1
}

cat > "$root/etc/apt/sources.list" <<LIST
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
LIST
# Nothing starts in the chroot.
printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
# The initrd only has to find an ext4 root on virtio: a short module
# list builds it in seconds rather than the default "most".
mkdir -p "$root/etc/initramfs-tools/conf.d"
echo MODULES=list > "$root/etc/initramfs-tools/conf.d/oio-vm.conf"
printf 'virtio_pci\nvirtio_blk\next4\n' >> "$root/etc/initramfs-tools/modules"

mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
mount --bind "$build/debian-archives" "$root/var/cache/apt/archives"
mkdir -p "$root/tmp/debs"
local_debs=
for deb in $image_deb $headers_debs; do
	cp "$deb" "$root/tmp/debs/"
	local_debs="$local_debs /tmp/debs/${deb##*/}"
done

chroot_apt() {
	chroot "$root" env DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 \
		apt-get -q -o APT::Sandbox::User=root "$@"
}
echo "debian guest: installing packages and $rel"
# shellcheck disable=SC2086 # one word per file
{
	chroot_apt update &&
	chroot_apt install -y --no-install-recommends \
		initramfs-tools kmod iproute2 pciutils lm-sensors dkms make gcc \
		python3 python3-yaml python3-jsonschema python3-prometheus-client \
		libnl-3-200 libnl-genl-3-200 libpci3 libkmod2 libjson-c5 \
		pkgconf libnl-genl-3-dev libpci-dev libkmod-dev \
		adduser man-db less bash-completion procps e2fsprogs \
		$local_debs
} > "$work/apt.log" 2>&1 || { tail -n 40 "$work/apt.log"; exit 1; }
rm -rf "$root/tmp/debs"
# man-db's trigger runs mandb at every install of a package with a man
# page, under TCG for deb-install, and no test reads its index (man -w
# finds a page without it): off, as the man-db/auto-update question sets.
echo 'man-db man-db/auto-update boolean false' |
	chroot "$root" env LC_ALL=C.UTF-8 debconf-set-selections
rm -f "$root/var/lib/man-db/auto-update"
umount_all
rm -f "$root/usr/sbin/policy-rc.d"
chroot "$root" apt-get clean

# A lab server's set-up, minus what a VM does not need at boot.
echo oio-lab > "$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\toio-lab\n' > "$root/etc/hosts"
echo '/dev/vda / ext4 errors=remount-ro 0 1' > "$root/etc/fstab"
chroot "$root" useradd -m -s /bin/bash -c 'lab engineer' lab
chroot "$root" systemctl mask -q apt-daily.timer apt-daily-upgrade.timer \
	man-db.timer e2scrub_all.timer e2scrub_reap.service fstrim.timer \
	systemd-timesyncd.service 2>/dev/null || true
mkdir -p "$root/etc/systemd/journald.conf.d"
printf '[Journal]\nStorage=volatile\n' \
	> "$root/etc/systemd/journald.conf.d/oio-vm.conf"
# The console logs root in: `make shell` is an interactive session.
mkdir -p "$root/etc/systemd/system/serial-getty@ttyS0.service.d"
cat > "$root/etc/systemd/system/serial-getty@ttyS0.service.d/autologin.conf" <<'UNIT'
[Service]
ExecStart=
ExecStart=-/sbin/agetty --autologin root --noclear --keep-baud 115200,57600,38400,9600 %I $TERM
UNIT
install -m 755 "$here/debian-run" "$root/usr/local/sbin/oio-vm-run"
cat > "$root/etc/systemd/system/oio-vm.service" <<'UNIT'
[Unit]
Description=oio VM harness: tests or set-up named on the kernel command line
ConditionKernelCommandLine=OIO_TESTS
After=local-fs.target systemd-udev-trigger.service systemd-modules-load.service
Before=serial-getty@ttyS0.service getty.target

[Service]
Type=oneshot
TimeoutStartSec=infinity
ExecStart=/usr/local/sbin/oio-vm-run
StandardOutput=journal+console
StandardError=journal+console

[Install]
WantedBy=multi-user.target
UNIT
chroot "$root" systemctl enable -q oio-vm.service

cp "$root/boot/initrd.img-$rel" "$work/initrd.img"
# mkfs copies the tree in: no loop device, no mount.
truncate -s 4G "$work/root.img"
mkfs.ext4 -q -F -L oio-root -d "$root" "$work/root.img"
echo "$rel" > "$work/release"
rm -rf "$out" "$root"
mv "$work" "$out"
echo "debian guest: $out/root.img ($rel)"
