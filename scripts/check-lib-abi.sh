#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# liboio's shared object as a distribution would ship it: the SONAME, only
# oio_* symbols exported and all of them versioned in liboio.map's nodes,
# no symbol it keeps to itself named oio_*,
# the released ones at their versions, every function of the installed
# header exported, and liboio.pc usable by pkg-config. TAP.
#
# usage: check-lib-abi.sh BUILD_LIB_DIR
set -u
dir=$1
so=$dir/liboio.so.0
n=0
failed=0
ok() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; fi
}

soname=$(readelf -d "$so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = liboio.so.0 ]
ok $? "SONAME is liboio.so.0 ($soname)"

exported=$(nm -D --defined-only "$so" | awk '$2 ~ /^[TDBRW]$/ { print $3 }' | sed 's/@.*//')
others=$(printf '%s\n' "$exported" | grep -v '^oio_' || true)
[ -z "$others" ]
ok $? "only oio_* symbols exported${others:+: not $others}"

# The version nodes of liboio.map; the names a node lists one by one.
nodes=$(sed -n 's/^\(LIBOIO_[0-9.]*\) {.*/\1/p' lib/liboio.map)
listed() {
	sed -n "/^$1 {/,/^}/p" lib/liboio.map |
		sed -n 's/^[[:space:]]*\(oio_[a-z0-9_]*\);$/\1/p'
}
# a compatibility version (not the default) is in parentheses
versions=$(objdump -T "$so" | awk '$NF ~ /^oio_/ { v = $(NF-1); gsub(/[()]/, "", v); print $NF "@" v }')

unversioned=$(printf '%s\n' "$versions" | while IFS=@ read -r f v; do
	printf '%s\n' $nodes | grep -qx "$v" || echo "$f"
done)
[ -z "$unversioned" ]
ok $? "every export in a version node of liboio.map ($(echo $nodes))${unversioned:+: not $unversioned}"

misplaced=""
for node in $nodes; do
	for f in $(listed "$node"); do
		printf '%s\n' "$versions" | grep -qx "$f@$node" ||
			misplaced="$misplaced $f"
	done
done
[ -z "$misplaced" ]
ok $? "every name a node lists exported in that node${misplaced:+; not:$misplaced}"

# What 0.1.0 shipped keeps its version: programs built then still load.
moved=""
for s in $(sed -n 's/^ \(oio_[a-z0-9_]*@LIBOIO_[0-9.]*\) .*/\1/p' debian/liboio0.symbols); do
	printf '%s\n' "$versions" | grep -qx "$s" || moved="$moved $s"
done
[ -z "$moved" ]
ok $? "the symbols of debian/liboio0.symbols exported at their versions${moved:+; not:$moved}"

declared=$(sed -n 's/^[a-z].*[ *]\(oio_[a-z0-9_]*\)(.*/\1/p' lib/liboio.h | sort -u)
missing=""
for f in $declared; do
	printf '%s\n' "$exported" | grep -qx "$f" || missing="$missing $f"
done
[ -z "$missing" ]
ok $? "all $(echo "$declared" | wc -w) functions of liboio.h exported${missing:+; missing:$missing}"

# The oio_ namespace is the API's: what the library keeps to itself is
# named lio_* (scripts/rename-private.sh). Read from the symbol table, so
# the object must not be stripped.
symtab=$(nm --defined-only "$so" 2>/dev/null)
private=$(printf '%s\n' "$symtab" | awk '$2 ~ /^[a-z]$/ && $3 ~ /^oio_/ { print $3 }' | sort -u)
[ -z "$private" ] && printf '%s\n' "$symtab" | grep -q ' T oio_ctx_new'
ok $? "no private symbol named oio_*${private:+: $(echo $private)}"

libs=$(PKG_CONFIG_PATH=$dir pkg-config --libs liboio 2>&1)
case $libs in *-loio*) rc=0 ;; *) rc=1 ;; esac
ok $rc "pkg-config --libs liboio: $libs"

echo "1..$n"
exit $failed
