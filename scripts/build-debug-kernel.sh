#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Build the debug kernel of the VM test lane from Debian's linux-source-6.1
# (the source of the kernel the VM boots): tinyconfig plus
# tests/kernel/debug.config (KASAN, lockdep, kmemleak, UBSAN, debug objects,
# fault injection), so it builds in minutes on two cores.
#
# usage: build-debug-kernel.sh BUILD_DIR
#
# Results, rebuilt only when the source package or the fragment changes:
#   BUILD_DIR/kernel-debug/src/       the unpacked tree
#   BUILD_DIR/kernel-debug/obj/       the build tree (KDIR for modules)
#   BUILD_DIR/kernel-debug/vmlinuz    the kernel
#   BUILD_DIR/kernel-debug/release    its uname -r
set -eu
build=$(cd "$1" && pwd)
top=$(cd "$(dirname "$0")/.." && pwd)
kd=$build/kernel-debug
frag=$top/tests/kernel/debug.config
jobs=$(nproc 2>/dev/null || echo 2)

deb=$(ls "$build"/debs/linux-source-6.1_*.deb 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$deb" ]; then
	sandbox=
	[ "$(id -u)" != 0 ] || sandbox="-o APT::Sandbox::User=root"
	mkdir -p "$build/debs"
	# shellcheck disable=SC2086
	(cd "$build/debs" && "$top/scripts/apt-private.sh" "$build/apt" \
		apt-get $sandbox download linux-source-6.1) >&2
	deb=$(ls "$build"/debs/linux-source-6.1_*.deb | sort -V | tail -n 1)
fi
stamp="$(basename "$deb") $(cat "$frag" "$top/driver/Kconfig" | sha256sum | cut -c1-16)"
if [ -f "$kd/vmlinuz" ] && [ "$(cat "$kd/.stamp" 2>/dev/null)" = "$stamp" ]; then
	echo "debug kernel: $(cat "$kd/release") (cached)"
	exit 0
fi

if [ "$(cat "$kd/src/.deb" 2>/dev/null)" != "$(basename "$deb")" ]; then
	rm -rf "$kd/src" "$kd/src.tmp"
	mkdir -p "$kd/src.tmp"
	dpkg-deb --fsys-tarfile "$deb" |
		tar -xO ./usr/src/linux-source-6.1.tar.xz |
		tar -xJ -C "$kd/src.tmp" --strip-components=1
	basename "$deb" > "$kd/src.tmp/.deb"
	mv "$kd/src.tmp" "$kd/src"
fi

# oio's own Kconfig entry, so the kernel selects what the module needs
# (NET_DEVLINK has no prompt of its own); the module itself is built out
# of tree as on every other kernel.
mkdir -p "$kd/src/drivers/misc/oio"
cp "$top/driver/Kconfig" "$kd/src/drivers/misc/oio/Kconfig"
grep -q 'drivers/misc/oio/Kconfig' "$kd/src/drivers/misc/Kconfig" ||
	sed -i 's|^endmenu|source "drivers/misc/oio/Kconfig"\nendmenu|' \
		"$kd/src/drivers/misc/Kconfig"

obj=$kd/obj
mkdir -p "$obj"
kmake() {
	make -C "$kd/src" O="$obj" ARCH=x86_64 LOCALVERSION=-oio-debug "$@"
}
kmake -s tinyconfig
"$kd/src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" \
	"$frag" >/dev/null
kmake -s olddefconfig
# An option olddefconfig dropped (a missing dependency) would leave a
# checker silently off: refuse to build such a kernel.
missing=$(grep '^CONFIG_' "$frag" | while IFS= read -r line; do
	opt=${line%%=*}
	val=${line#*=}
	case $val in
	n) grep -q "^$opt=" "$obj/.config" && echo "$line" ;;
	*) grep -qx "$line" "$obj/.config" || echo "$line" ;;
	esac
done)
if [ -n "$missing" ]; then
	echo "$0: options lost by olddefconfig:" >&2
	echo "$missing" >&2
	exit 1
fi
log=$obj/build.log
if ! kmake -j"$jobs" bzImage modules > "$log" 2>&1; then
	tail -n 40 "$log"
	exit 1
fi
kmake -s kernelrelease > "$kd/release"
ln -sfn obj/arch/x86/boot/bzImage "$kd/vmlinuz"
echo "$stamp" > "$kd/.stamp"
echo "debug kernel: $(cat "$kd/release")"
