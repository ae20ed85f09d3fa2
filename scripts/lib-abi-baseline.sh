#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Make a release's ABI baseline, lib/abi/liboio-VERSION.abi, from the
# sources of the commit that is the release: its own Makefile builds its
# liboio in a scratch directory, and lib-abi-dump.sh writes the ABI of the
# functions debian/liboio0.symbols (of this tree) lists at that version.
#
# usage: lib-abi-baseline.sh COMMIT VERSION > lib/abi/liboio-VERSION.abi
set -eu
commit=$1
version=$2
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git -C "$top" archive "$commit" | tar -x -C "$tmp"
make -s -C "$tmp" DEPS= lib >&2
sed -n "s/^ \(oio_[a-z0-9_]*\)@LIBOIO_[0-9.]* $version\$/\1/p" \
	"$top/debian/liboio0.symbols" > "$tmp/symbols"
[ -s "$tmp/symbols" ] || { echo "no symbol at $version" >&2; exit 1; }
"$top/scripts/lib-abi-dump.sh" "$tmp/build/lib/liboio.so.0" "$tmp" \
	"$tmp/symbols"
