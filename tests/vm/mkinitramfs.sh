#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Build the VM test initramfs: static busybox, tests/vm/init as /init,
# GUEST_BIN_DIR/vmctl as /bin/vmctl, every other executable in GUEST_BIN_DIR
# (and the harness's own tests/vm/smoke) under /tests/, GUEST_BIN_DIR/bin/*
# under /usr/bin/, MODULES under /lib/modules/ (flat, for insmod). Dynamic
# programs get their shared libraries; liboio comes from $LIBDIR.
#
# usage: mkinitramfs.sh OUT.cpio.gz GUEST_BIN_DIR [MODULES...]
#
# The output depends only on the input files' contents and modes: fixed
# mtimes and owners, sorted entries, no gzip timestamp.
set -eu

if [ $# -lt 2 ]; then
	echo "usage: $0 OUT.cpio.gz GUEST_BIN_DIR [MODULES...]" >&2
	exit 2
fi
out=$1
guest=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
busybox=${BUSYBOX:-/bin/busybox}

if [ ! -x "$guest/vmctl" ]; then
	echo "$0: $guest/vmctl missing" >&2
	exit 1
fi
# A dynamic busybox would find no libc in the guest.
if ldd "$busybox" >/dev/null 2>&1; then
	echo "$0: $busybox is dynamically linked; install busybox-static" >&2
	exit 1
fi

mkdir -p "$(dirname "$out")"
stage=$(mktemp -d "$(dirname "$out")/.initramfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT
root=$stage/root
mkdir -p "$root/bin" "$root/tests" "$root/lib/modules" \
	"$root/proc" "$root/sys" "$root/dev" "$root/tmp" "$root/mnt" \
	"$root/run"

cp "$busybox" "$root/bin/busybox"
# Relative links, as --install would point them at the host's busybox path.
for applet in $("$busybox" --list); do
	[ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
done

cp "$here/init" "$root/init"
cp "$guest/vmctl" "$root/bin/vmctl"
cp "$here/smoke" "$root/tests/smoke"
for f in "$guest"/*; do
	name=${f##*/}
	if [ -f "$f" ] && [ -x "$f" ] && [ "$name" != vmctl ]; then
		cp "$f" "$root/tests/$name"
	fi
done
for m in "$@"; do
	cp "$m" "$root/lib/modules/"
	# Also where modprobe and libkmod look, with the index depmod makes.
	kver=$(/sbin/modinfo -F vermagic "$m" | cut -d" " -f1)
	mkdir -p "$root/lib/modules/$kver/extra"
	cp "$m" "$root/lib/modules/$kver/extra/"
	/sbin/depmod -b "$root" "$kver"
done
# Tools a user would have on PATH (oioctl) go to /usr/bin.
if [ -d "$guest/bin" ]; then
	mkdir -p "$root/usr/bin"
	cp "$guest"/bin/* "$root/usr/bin/"
fi
# Dynamic programs bring their shared libraries, at the paths ldd names,
# and liboio from LIBDIR under /usr/lib, as an installed copy would be.
if [ -n "${LIBDIR:-}" ] && [ -d "$LIBDIR" ]; then
	mkdir -p "$root/usr/lib"
	cp -P "$LIBDIR"/liboio.so* "$root/usr/lib/"
fi
for f in "$root"/tests/* "$root"/usr/bin/*; do
	[ -f "$f" ] || continue
	LD_LIBRARY_PATH=${LIBDIR:-} ldd "$f" 2>/dev/null | \
		sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) .*/\1/p'
done | LC_ALL=C sort -u | while read -r lib; do
	case $lib in
	"${LIBDIR:-/nonexistent}"/*) continue ;;
	esac
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done
chmod 755 "$root/init" "$root/bin/busybox" "$root/bin/vmctl" "$root"/tests/*
chmod 1777 "$root/tmp"
find "$root" -exec touch -h -d @0 {} +

# newc_entry NAME MODE RDEVMAJOR RDEVMINOR: one header-only newc record.
newc_entry() {
	namesize=$((${#1} + 1))
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%s\0' \
		0 "$2" 0 0 1 0 0 0 0 "$3" "$4" "$namesize" 0 "$1"
	pad=$(((4 - (110 + namesize) % 4) % 4))
	while [ "$pad" -gt 0 ]; do
		printf '\0'
		pad=$((pad - 1))
	done
}

# The kernel opens /dev/console for init's stdin/out/err before /init can
# mount devtmpfs, so the archive needs the node. mknod would need root;
# a hand-made second archive (the kernel unpacks concatenated ones) does not.
# 0x2180 is S_IFCHR | 0600; 5:1 is /dev/console.
(
	cd "$root"
	find . | LC_ALL=C sort | cpio -o -H newc --reproducible -R 0:0 --quiet
	newc_entry dev/console 0x2180 5 1
	newc_entry 'TRAILER!!!' 0 0 0
) | gzip -n -6 > "$stage/out.cpio.gz"
mv "$stage/out.cpio.gz" "$out"
