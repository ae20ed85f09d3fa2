#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The ABI of a liboio shared object, as abidw (abigail-tools) writes it:
# only the types of the installed headers (liboio.h, oio-api.h,
# <linux/oio.h>), so the library's private structs (struct oio_ctx, ...),
# which callers only point to, may change freely. The object needs DWARF
# (-g, which the Makefile always passes). Optionally only the functions
# of a symbol list (one name a line).
#
# usage: lib-abi-dump.sh SHARED_OBJECT SOURCE_TOP [SYMBOL_LIST] > OUT.abi
set -eu
so=$1
top=$2
list=${3:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/hdr/linux"
cp "$top/lib/liboio.h" "$top/lib/oio-api.h" "$tmp/hdr/"
cp "$top/include/uapi/linux/oio.h" "$tmp/hdr/linux/"
set -- --headers-dir "$tmp/hdr" --drop-private-types --short-locs \
	--no-comp-dir-path --no-corpus-path
if [ -n "$list" ]; then
	{ echo '[liboio_whitelist]'; sed 's/^/  /' "$list"; } > "$tmp/list"
	set -- "$@" --kmi-whitelist "$tmp/list"
fi
abidw "$@" "$so"
