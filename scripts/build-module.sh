#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Build driver/ as oio.ko out of tree against one of Debian's kernels, in
# BUILD_DIR/driver/SERIES/ so the source tree stays clean, with W=1 and
# sparse (C=1). Any compiler or sparse warning fails the build.
#
# usage: build-module.sh BUILD_DIR SERIES
#   SERIES: 6.1, 6.12 or newest (Debian's headers packages), or debug (the
#   debug kernel's own build tree, scripts/build-debug-kernel.sh)
set -eu
build=$(cd "$1" && pwd)
series=$2
top=$(cd "$(dirname "$0")/.." && pwd)
if [ "$series" = debug ]; then
	kdir=$build/kernel-debug/obj
else
	kdir=$("$top/scripts/fetch-headers.sh" "$build" "$series")
fi
out=$build/driver/$series

mkdir -p "$out"
# Kbuild finds the UAPI header at $(src)/../include, as in the repository.
ln -sfn "$top/include" "$build/driver/include"
for f in "$top"/driver/*.c "$top"/driver/*.h "$top"/driver/Kbuild; do
	ln -sfn "$f" "$out/$(basename "$f")"
done
log=$out/build.log
if ! make -C "$kdir" M="$out" CONFIG_OIO=m W=1 C=1 modules >"$log" 2>&1; then
	cat "$log"
	exit 1
fi
# BTF needs the vmlinux the headers may lack: that note is not ours.
# make's own notes (a jobserver that a parent make without '+' kept) are
# not the compiler's.
if grep -v 'Skipping BTF generation\|^make\[[0-9]*\]: ' "$log" |
	grep -q 'warning:'; then
	grep -B2 -A3 'warning:' "$log"
	echo "$0: warnings building against $series" >&2
	exit 1
fi
echo "$out/oio.ko"
