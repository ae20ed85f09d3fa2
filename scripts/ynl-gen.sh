#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Generate the netlink UAPI header and the kernel policy/ops tables from
# docs/netlink/specs/oio.yaml with the kernel's own generator, ynl-gen-c.py
# from Debian's linux-source-6.12 (fetched and unpacked under BUILD_DIR).
#
# usage: ynl-gen.sh BUILD_DIR [--check]
#   --check: generate into a scratch folder and fail if the committed files
#            differ, so CI notices a spec changed without regenerating.
#
# The generator wants a kernel-like tree: it walks up from the spec to a
# folder holding MAINTAINERS, and validates the spec against the genetlink
# schema two folders above it. Both are laid out under BUILD_DIR/ynl/.
set -eu
build=$(cd "$1" && pwd)
check=${2:-}
top=$(cd "$(dirname "$0")/.." && pwd)
src=$build/ynl-src/linux-source-6.12

if [ ! -f "$src/tools/net/ynl/ynl-gen-c.py" ]; then
	"$top/scripts/fetch-ksrc.sh" "$build" 6.12 "$build/ynl-src" \
		'linux-source-6.12/tools/net/ynl/*' \
		'linux-source-6.12/Documentation/netlink/genetlink*.yaml'
fi

tree=$build/ynl/tree
rm -rf "$tree"
mkdir -p "$tree/docs/netlink/specs"
: > "$tree/MAINTAINERS"
cp "$src/Documentation/netlink/genetlink.yaml" "$tree/docs/netlink/"
cp "$top/docs/netlink/specs/oio.yaml" "$tree/docs/netlink/specs/"

out=$top
if [ "$check" = --check ]; then
	out=$build/ynl/check
	rm -rf "$out"
	mkdir -p "$out/include/uapi/linux" "$out/driver"
fi
gen() {
	/usr/bin/python3 "$src/tools/net/ynl/ynl-gen-c.py" \
		--spec "$tree/docs/netlink/specs/oio.yaml" "$@"
}
gen --mode uapi --header -o "$out/include/uapi/linux/oio.h"
gen --mode kernel --header -o "$out/driver/oio_nl_gen.h"
gen --mode kernel --source -o "$out/driver/oio_nl_gen.c"

if [ "$check" = --check ]; then
	for f in include/uapi/linux/oio.h driver/oio_nl_gen.h driver/oio_nl_gen.c; do
		if ! cmp -s "$out/$f" "$top/$f"; then
			diff -u "$top/$f" "$out/$f" | head -n 40
			echo "$0: $f is stale: run scripts/ynl-gen.sh" >&2
			exit 1
		fi
	done
	echo "generated netlink files are current"
fi
