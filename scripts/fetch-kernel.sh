#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Fetch and unpack the Debian kernel the VM tests boot: whatever
# linux-image-6.1.0-*-amd64 package linux-image-amd64 currently depends on,
# so the tests follow Debian's stock kernel rather than a pinned one.
#
# usage: fetch-kernel.sh BUILD_DIR [6.12]
#
# With 6.12, the newest linux-image-6.12.*+deb12-amd64 of bookworm instead,
# into BUILD_DIR/kernel-6.12/ (same layout), to run the driver's tests on
# the newer kernel too.
#
# Results:
#   BUILD_DIR/debs/<pkg>_<version>_amd64.deb
#   BUILD_DIR/kernel/<pkg>/               the unpacked package
#   BUILD_DIR/kernel/vmlinuz              symlink to its vmlinuz
#   BUILD_DIR/kernel/release              its uname -r
#
# Every step is skipped when its result is already there, so a second run
# costs one apt-cache lookup (about half a second) and touches nothing.
set -eu

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: $0 BUILD_DIR [6.12]" >&2
	exit 2
fi
series=${2:-6.1}
mkdir -p "$1"
build=$(cd "$1" && pwd)
kdir=$build/kernel
[ "$series" = 6.1 ] || kdir=$build/kernel-$series
here=$(cd "$(dirname "$0")" && pwd)
# apt resolves relative Dir::* settings against /etc/apt, so the private
# apt folder has to be passed as an absolute path.
aptdir=$build/apt
apt() {
	"$here/apt-private.sh" "$aptdir" "$@"
}

if ! ls "$aptdir"/lists/*_Packages* >/dev/null 2>&1; then
	apt apt-get update
fi

# The meta package pins the exact version: "linux-image-X (= V)", possibly
# among alternatives; the first alternative that is an amd64 6.1 image wins.
# shellcheck disable=SC2020 # both separators become newlines, as meant
if [ "$series" = 6.12 ]; then
	dep=$(apt apt-cache search --names-only \
		'^linux-image-6\.12\.[0-9]*\+deb12-amd64$' | cut -d' ' -f1 |
		sort -V | tail -n 1)
else
	dep=$(apt apt-cache show --no-all-versions linux-image-amd64 |
		sed -n 's/^Depends: //p' | tr ',|' '\n\n' |
		sed -n 's/^ *\(linux-image-6\.1\.0-[0-9][0-9]*-amd64\) *\((= *\([^)]*\))\)\{0,1\}.*$/\1 \3/p' |
		head -n 1)
fi
pkg=${dep%% *}
ver=${dep#* }
if [ -z "$pkg" ]; then
	echo "$0: no linux-image package found for $series" >&2
	exit 1
fi
if [ -z "$ver" ] || [ "$ver" = "$pkg" ]; then
	ver=$(apt apt-cache show --no-all-versions "$pkg" | sed -n 's/^Version: //p' | head -n 1)
fi

# apt-get download spells an epoch's colon as %3a in the file name.
deb=${pkg}_$(printf '%s' "$ver" | sed 's/:/%3a/')_amd64.deb
mkdir -p "$build/debs"
if [ ! -s "$build/debs/$deb" ]; then
	# As root, apt would drop to the _apt user, who may not be allowed to
	# write into the build folder.
	sandbox=
	if [ "$(id -u)" = 0 ]; then
		sandbox="-o APT::Sandbox::User=root"
	fi
	# shellcheck disable=SC2086
	(cd "$build/debs" && apt apt-get $sandbox download "$pkg=$ver")
fi

# The stamp names the .deb a tree came from, so a newer upload under the
# same ABI name is unpacked afresh instead of being mistaken for done.
tree=$kdir/$pkg
if [ "$(cat "$tree/.deb" 2>/dev/null || true)" != "$deb" ]; then
	rm -rf "$tree" "$tree.tmp"
	mkdir -p "$tree.tmp"
	dpkg-deb -x "$build/debs/$deb" "$tree.tmp"
	echo "$deb" > "$tree.tmp/.deb"
	mv "$tree.tmp" "$tree"
fi

for vmlinuz in "$tree"/boot/vmlinuz-*; do
	break
done
if [ ! -f "$vmlinuz" ]; then
	echo "$0: no boot/vmlinuz-* in $pkg" >&2
	exit 1
fi
release=${vmlinuz##*/vmlinuz-}
link=$pkg/boot/vmlinuz-$release
if [ "$(readlink "$kdir/vmlinuz" 2>/dev/null || true)" != "$link" ]; then
	ln -sfn "$link" "$kdir/vmlinuz"
fi
if [ "$(cat "$kdir/release" 2>/dev/null || true)" != "$release" ]; then
	echo "$release" > "$kdir/release"
fi
echo "kernel: $pkg $ver ($release)"
