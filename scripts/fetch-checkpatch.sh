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
	"$here/fetch-ksrc.sh" "$build" 6.1 "$out" \
		linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch
fi
echo "$script"
