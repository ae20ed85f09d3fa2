#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The newest kernel in Debian's archive (trixie, trixie-backports, sid),
# for the driver to build against and its suites to run on.
#
# usage: newest-kernel.sh BUILD_DIR fetch     kernel and headers
#        newest-kernel.sh BUILD_DIR module    oio.ko, W=1 and sparse
#
# Such a kernel is built with a newer compiler than Debian 12's (its
# headers pass gcc-14 options) and needs a newer sparse than trixie's
# (its headers use __typeof_unqual__), so modules are built in a minimal
# trixie tree (debootstrap, cached) with trixie's gcc and make and sid's
# sparse; the kernel's headers packages are unpacked into that tree at
# their own paths. The kernel and its packages come through
# scripts/apt-private.sh with a private configuration of those suites.
# sid's Release file may have outlived its Valid-Until in the archive
# this runs against: its dates are not checked.
#
# Results:
#   BUILD_DIR/kernel-newest/vmlinuz, release
#   BUILD_DIR/newest-root/              the build tree (a trixie system)
#   BUILD_DIR/driver/newest/oio.ko
set -eu
build=$(cd "$1" && pwd)
what=$2
top=$(cd "$(dirname "$0")/.." && pwd)
aptdir=$build/apt-newest
root=$build/newest-root
kd=$build/kernel-newest
apt() {
	APT_SUITES="trixie trixie-backports sid" \
		"$top/scripts/apt-private.sh" "$aptdir" "$@"
}
sandbox=
[ "$(id -u)" != 0 ] || sandbox="-o APT::Sandbox::User=root"

# Run a command in the build tree, with /proc (objtool reads it).
in_root() {
	mount -t proc proc "$root/proc"
	rc=0
	chroot "$root" "$@" || rc=$?
	umount "$root/proc"
	return $rc
}
# A signal too: never leave /proc mounted inside build/ for rm -rf (a
# chroot killed with us may still hold it: detach it then).
unmount_proc() {
	if mountpoint -q "$root/proc" 2>/dev/null; then
		umount "$root/proc" 2>/dev/null || umount -l "$root/proc"
	fi
	return 0
}
trap 'unmount_proc' EXIT
trap 'exit 1' HUP INT TERM

fetch() {
	if ! ls "$aptdir"/lists/*_Packages* >/dev/null 2>&1; then
		apt apt-get update >&2
	fi
	# The newest generic image: linux-image-X.Y.Z+debN-amd64.
	pkg=$(apt apt-cache search --names-only \
		'^linux-image-[0-9][0-9.]*\+deb[0-9]*-amd64$' | cut -d' ' -f1 |
		sed 's/^linux-image-//; s/-amd64$//' | sort -V | tail -n 1)
	[ -n "$pkg" ] || { echo "$0: no kernel found" >&2; exit 1; }
	rel=$pkg-amd64
	if [ "$(cat "$kd/release" 2>/dev/null)" = "$rel" ] && [ -f "$kd/vmlinuz" ] &&
		[ -f "$root/usr/src/linux-headers-$rel/.config" ]; then
		echo "newest kernel: $rel (cached)"
		return 0
	fi

	# The build tree: a minimal trixie with its compiler and sparse.
	if [ ! -f "$root/.done" ]; then
		rm -rf "$root"
		debootstrap --variant=minbase \
			--include=gcc-14,make,libc6-dev,bc,bison,flex,libelf-dev,libssl-dev,kmod,dwarves,python3 \
			trixie "$root" http://deb.debian.org/debian > "$build/newest-root.log" 2>&1 ||
			{ tail -n 20 "$build/newest-root.log"; exit 1; }
		echo "deb http://deb.debian.org/debian sid main" \
			> "$root/etc/apt/sources.list.d/sid.list"
		printf 'Package: *\nPin: release a=unstable\nPin-Priority: 100\n' \
			> "$root/etc/apt/preferences.d/sid"
		in_root apt-get update -q -o Acquire::Check-Valid-Until=false \
			>> "$build/newest-root.log" 2>&1
		DEBIAN_FRONTEND=noninteractive in_root apt-get install -y -q \
			--no-install-recommends -o Acquire::Check-Valid-Until=false \
			-t unstable sparse >> "$build/newest-root.log" 2>&1 ||
			{ tail -n 20 "$build/newest-root.log"; exit 1; }
		touch "$root/.done"
	fi

	mkdir -p "$build/debs/newest"
	pkgs="linux-image-$rel linux-headers-$rel linux-headers-$pkg-common linux-kbuild-$pkg"
	# Newer kernels ship the image in linux-binary-*, older in linux-image-*.
	if apt apt-cache show "linux-binary-$rel" >/dev/null 2>&1; then
		pkgs="$pkgs linux-binary-$rel"
	fi
	# shellcheck disable=SC2086
	(cd "$build/debs/newest" && apt apt-get $sandbox download $pkgs) >&2
	for p in $pkgs; do
		dpkg-deb -x "$(ls "$build/debs/newest/${p}_"*.deb | sort -V | tail -n 1)" "$root"
	done
	# Debian's kbuild package lacks the script that vets sparse: take it
	# from the kernel's own source package.
	kbuild=$root/usr/lib/linux-kbuild-$pkg/scripts
	if [ ! -e "$kbuild/checker-valid.sh" ]; then
		series=$(echo "$pkg" | cut -d. -f1,2)
		(cd "$build/debs/newest" && apt apt-get $sandbox download "linux-source-$series") >&2
		deb=$(ls "$build/debs/newest/linux-source-${series}_"*.deb | sort -V | tail -n 1)
		dpkg-deb --fsys-tarfile "$deb" |
			tar -xO "./usr/src/linux-source-$series.tar.xz" |
			tar -xJO "linux-source-$series/scripts/checker-valid.sh" \
			> "$kbuild/checker-valid.sh"
		chmod 755 "$kbuild/checker-valid.sh"
	fi
	mkdir -p "$kd"
	for v in "$root/usr/lib/modules/$rel/vmlinuz" "$root/boot/vmlinuz-$rel"; do
		[ -f "$v" ] && cp "$v" "$kd/vmlinuz"
	done
	[ -f "$kd/vmlinuz" ] || { echo "$0: no vmlinuz in $pkgs" >&2; exit 1; }
	echo "$rel" > "$kd/release"
	echo "newest kernel: $rel"
}

module() {
	rel=$(cat "$kd/release")
	out=$build/driver/newest
	mkdir -p "$out" "$root/oio/driver"
	rm -rf "$root/oio/include" "$root/oio/driver"/*
	cp "$top"/driver/*.c "$top"/driver/*.h "$top"/driver/Kbuild "$root/oio/driver/"
	cp -r "$top/include" "$root/oio/include"
	log=$out/build.log
	if ! in_root /usr/bin/make -C "/usr/src/linux-headers-$rel" \
		M=/oio/driver CONFIG_OIO=m W=1 C=1 modules > "$log" 2>&1; then
		cat "$log"
		exit 1
	fi
	# make's own notes (a parent make's jobserver) are not the compiler's
	if grep -v 'Skipping BTF generation\|^make\[[0-9]*\]: ' "$log" |
		grep -q 'warning:\|sparse is not available'; then
		grep -B2 -A3 'warning:\|sparse is not' "$log"
		echo "$0: warnings building against $rel" >&2
		exit 1
	fi
	cp "$root/oio/driver/oio.ko" "$out/oio.ko"
	echo "$out/oio.ko"
}

case $what in
fetch) fetch ;;
module) module ;;
*) echo "usage: $0 BUILD_DIR fetch|module" >&2; exit 2 ;;
esac
