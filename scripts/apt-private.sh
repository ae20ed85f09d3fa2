#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Run apt-get against a private set of sources, lists and cache under the
# build folder, so fetching Debian source and kernel packages never changes
# the machine's own apt configuration.
#
# usage: apt-private.sh BUILD_DIR {apt-get|apt-cache} arguments...
#
# BUILD_DIR holds one private configuration: Debian 12 (bookworm) unless
# APT_SUITES names other suites when it is first made (for example
# "trixie trixie-backports sid", for the newest kernel).
set -eu
dir=$1
tool=$2
shift 2
mkdir -p "$dir/sources.list.d" "$dir/lists/partial" "$dir/cache/archives/partial"
# One at a time: make -j runs several fetches at once, and apt-get refuses
# a lists or cache folder another one holds. The lock (fd 9) lasts until
# the tool exec'd below exits.
exec 9> "$dir/private.lock"
flock 9
src="$dir/sources.list.d/oio.list"
if [ ! -f "$src" ] && [ -n "${APT_SUITES:-}" ]; then
	for suite in $APT_SUITES; do
		echo "deb http://deb.debian.org/debian $suite main"
	done > "$src.tmp"
	mv "$src.tmp" "$src"
elif [ ! -f "$src" ]; then
	cat > "$src.tmp" <<LIST
deb http://deb.debian.org/debian bookworm main
deb http://deb.debian.org/debian bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
deb-src http://deb.debian.org/debian bookworm main
deb-src http://deb.debian.org/debian bookworm-updates main
deb-src http://deb.debian.org/debian-security bookworm-security main
LIST
	mv "$src.tmp" "$src"
fi
exec "$tool" -q \
	-o Dir::Etc::SourceList=/dev/null \
	-o Dir::Etc::SourceParts="$dir/sources.list.d" \
	-o Dir::State::Lists="$dir/lists" \
	-o Dir::Cache="$dir/cache" \
	-o Dir::State::status=/var/lib/dpkg/status \
	"$@"
