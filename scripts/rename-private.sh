#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# liboio's private functions out of the oio_ namespace, which is the
# public API's: every function (or file-scope variable) lib/ defines or
# its private headers declare under an oio_ name that liboio.h and <linux/oio.h> do not (and that is
# not marked OIO_API), renamed oio_NAME -> lio_NAME in lib/, tools/ and
# tests/unit/, whole words only (oio-private.h says why lio_). Names the
# the driver's headers use are left alone: tests/unit builds them too.
# Idempotent: a second run finds nothing left to rename; after a merge
# brings new private oio_ functions, run it again.
#
# usage: scripts/rename-private.sh [--list]   (from anywhere in the tree)
set -eu
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Everything public: each oio_ word of the installed headers, and the
# names defined OIO_API.
{
	grep -ohE '\boio_[a-z0-9_]+' lib/liboio.h include/uapi/linux/oio.h
	grep -hE '^OIO_API' lib/*.c | grep -oE '\boio_[a-z0-9_]+\(' |
		tr -d '('
} | sort -u > "$tmp/public"
# The names of the driver's headers, which tests/unit builds too.
grep -rohE '\boio_[a-z0-9_]+' driver/*.h include | sort -u > "$tmp/driver"
# Functions defined in lib/*.c (name at the start of a line, or after
# the return type) and declared in the private headers.
{
	# (set -e: a grep that finds nothing must not end the list)
	grep -hE '^[a-z][a-z0-9_ *]*\boio_[a-z0-9_]+\(' lib/*.c || true
	grep -hE '^oio_[a-z0-9_]+\(' lib/*.c || true
	for h in lib/*.h; do
		case $h in lib/liboio.h | lib/oio-api.h) continue ;; esac
		grep -hE '^[a-z][a-z0-9_ *]*\boio_[a-z0-9_]+\(' "$h" || true
	done
} | grep -oE '\boio_[a-z0-9_]+\(' | tr -d '(' > "$tmp/defined"
# and the file-scope variables of lib/*.c
grep -hE '^[a-z][a-z0-9_ *]*\boio_[a-z0-9_]+ *(=|\[|;)' lib/*.c |
	sed -E 's/^.*\b(oio_[a-z0-9_]+) *(=|\[|;).*$/\1/' >> "$tmp/defined" || true
sort -u -o "$tmp/defined" "$tmp/defined"
comm -23 "$tmp/defined" "$tmp/public" | comm -23 - "$tmp/driver" \
	> "$tmp/private"

if [ "${1:-}" = --list ]; then
	cat "$tmp/private"
	exit 0
fi
[ -s "$tmp/private" ] || { echo "rename-private: nothing to rename"; exit 0; }
# a lio_ name already taken would merge two functions into one
clash=$(sed 's/^oio_/lio_/' "$tmp/private" | while read -r n; do
	grep -rlqw "$n" lib tools tests/unit && echo "$n"; done || true)
if [ -n "$clash" ]; then
	echo "rename-private: already in use: $clash" >&2
	exit 1
fi
sed 's/^oio_\(.*\)$/s\/\\boio_\1\\b\/lio_\1\/g/' "$tmp/private" > "$tmp/sed"
files=$(grep -rlwE -f "$tmp/private" lib tools tests/unit \
	--include='*.c' --include='*.h' || true)
# shellcheck disable=SC2086 # one word per file
[ -z "$files" ] || sed -i -f "$tmp/sed" $files
echo "rename-private: $(wc -l < "$tmp/private") names in $(echo $files | wc -w) files"
