#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Unpack checkpatch.pl and its data files from Debian's linux-source-6.1
# into BUILD_DIR/checkpatch/, without the rest of the tree.
#
# usage: fetch-checkpatch.sh BUILD_DIR   (prints the checkpatch.pl path)
set -eu
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
out=$build/checkpatch
script=$out/linux-source-6.1/scripts/checkpatch.pl
if [ ! -x "$script" ]; then
	mkdir -p "$build/debs" "$out"
	sandbox=
	[ "$(id -u)" != 0 ] || sandbox="-o APT::Sandbox::User=root"
	# shellcheck disable=SC2086
	(cd "$build/debs" &&
	 "$here/apt-private.sh" "$build/apt" apt-get $sandbox download \
		linux-source-6.1) >&2
	deb=$(ls "$build"/debs/linux-source-6.1_*.deb | sort -V | tail -n 1)
	dpkg-deb --fsys-tarfile "$deb" |
		tar -xO ./usr/src/linux-source-6.1.tar.xz |
		tar -xJ -C "$out" linux-source-6.1/scripts/checkpatch.pl \
			linux-source-6.1/scripts/spelling.txt \
			linux-source-6.1/scripts/const_structs.checkpatch
fi
echo "$script"
