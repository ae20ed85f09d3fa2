#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Build the payload the Debian guest's suites and `make shell` receive on
# their second disk (run-vm.py --payload; unpacked by tests/vm/debian-run):
#
#   bin/vmctl           the harness's control client
#   lib/tap.sh          TAP helpers; tests/  tests/debian/'s programs
#   files/version       the release (dkms.conf's PACKAGE_VERSION)
#   files/install.tar   make install-files PREFIX=/usr/local, staged
#   files/shell.tar     make install-files PREFIX=/usr, plus the module
#                       built for the guest's kernel (make shell)
#   files/debs/         the four packages of make deb
#   files/ynl/          the kernel's YNL CLI (tools/net/ynl of Debian's
#                       linux-source-6.12) and the oio spec, laid out as the
#                       CLI expects: docs/netlink/{genetlink.yaml,specs/}
#
# usage: mkpayload.sh OUT.tar BUILD_DIR MODULE
set -eu
out=$1
build=$(cd "$2" && pwd)
module=$3
top=$(cd "$(dirname "$0")/../.." && pwd)
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$top/dkms.conf")
rel=$(cat "$build/kernel/release")
ynl=$build/ynl-src/linux-source-6.12

stage=$(mktemp -d "$build/.payload.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/root/bin" "$stage/root/lib" "$stage/root/tests" \
	"$stage/root/files/debs"
cp "$build/guest/vmctl" "$stage/root/bin/"
cp "$top/tests/debian/tap.sh" "$stage/root/lib/"
for t in "$top"/tests/debian/*; do
	[ -x "$t" ] && cp "$t" "$stage/root/tests/"
done
echo "$ver" > "$stage/root/files/version"

make -s -C "$top" install-files DESTDIR="$stage/local" PREFIX=/usr/local \
	> /dev/null
tar -C "$stage/local" --owner=0 --group=0 -cf "$stage/root/files/install.tar" .
make -s -C "$top" install-files DESTDIR="$stage/usr" PREFIX=/usr > /dev/null
install -D -m 644 "$module" "$stage/usr/lib/modules/$rel/updates/oio.ko"
tar -C "$stage/usr" --owner=0 --group=0 -cf "$stage/root/files/shell.tar" .

for p in oio-dkms liboio0 liboio-dev oioctl; do
	cp "$build"/deb/"${p}"_"$ver"_*.deb "$stage/root/files/debs/"
done

y=$stage/root/files/ynl
mkdir -p "$y/tools/net/ynl" "$y/docs/netlink/specs"
cp -r "$ynl/tools/net/ynl/cli.py" "$ynl/tools/net/ynl/lib" "$y/tools/net/ynl/"
cp "$ynl/Documentation/netlink/genetlink.yaml" "$y/docs/netlink/"
cp "$top/docs/netlink/specs/oio.yaml" "$y/docs/netlink/specs/"

tar -C "$stage/root" --sort=name --owner=0 --group=0 --mtime=@0 \
	-cf "$stage/out.tar" .
mv "$stage/out.tar" "$out"
