#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Fetch a Debian kernel headers package with its common headers and kbuild
# tools, and unpack them into the build folder, so out-of-tree modules build
# against several kernels without installing anything on the host.
#
# usage: fetch-headers.sh BUILD_DIR SERIES
#   SERIES 6.1:  the headers of the kernel the VM tests boot
#                (BUILD_DIR/kernel/release, from fetch-kernel.sh)
#   SERIES 6.12: the headers of BUILD_DIR/kernel-6.12/release when that
#                kernel was fetched, else the newest 6.12 in bookworm
#
# Prints the kernel build directory (KDIR) on standard output.
set -eu

if [ $# -ne 2 ]; then
	echo "usage: $0 BUILD_DIR SERIES" >&2
	exit 2
fi
mkdir -p "$1"
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
apt() {
	"$here/apt-private.sh" "$build/apt" "$@" 2>/dev/null
}

case $2 in
6.1)
	rel=$(cat "$build/kernel/release")
	;;
6.12)
	# The kernel the 6.12 VM tests boot, if fetched; else the newest.
	rel=$(cat "$build/kernel-6.12/release" 2>/dev/null) ||
	rel=$(apt apt-cache search --names-only \
		'^linux-headers-6\.12\.[0-9]*\+deb12-amd64$' |
		cut -d' ' -f1 | sed 's/^linux-headers-//' | sort -V | tail -n 1)
	;;
*)
	echo "$0: unknown series $2" >&2
	exit 2
	;;
esac
[ -n "$rel" ] || { echo "$0: no headers for $2" >&2; exit 1; }

top=$build/headers/$rel
kdir=$top/usr/src/linux-headers-$rel
# make -j builds the module and the Debian image at once, and both want
# 6.1's headers: the second waits for the first to unpack them (fd 8,
# held until this script exits) rather than unpacking over it.
mkdir -p "$build/headers"
exec 8> "$build/headers/.lock"
flock 8
if [ ! -f "$top/.done" ]; then
	pkgs="linux-headers-$rel $(apt apt-cache depends "linux-headers-$rel" |
		sed -n 's/^ *|\{0,1\}Depends: \(linux-\(headers-.*-common\|kbuild-.*\)\)$/\1/p' |
		sort -u | tr '\n' ' ')"
	mkdir -p "$build/debs/headers"
	sandbox=
	[ "$(id -u)" != 0 ] || sandbox="-o APT::Sandbox::User=root"
	# shellcheck disable=SC2086
	(cd "$build/debs/headers" && apt apt-get $sandbox download $pkgs) >&2
	rm -rf "$top"
	mkdir -p "$top"
	for p in $pkgs; do
		dpkg-deb -x "$(ls "$build/debs/headers/${p}_"*.deb | sort -V | tail -n 1)" "$top"
	done
	# The package's Makefile includes the common headers by absolute path.
	sed -i "s|include /usr/src/|include $top/usr/src/|" "$kdir/Makefile"
	touch "$top/.done"
fi
echo "$kdir"
