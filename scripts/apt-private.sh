#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Run apt-get against a private set of sources, lists and cache under the
# build folder, so fetching Debian source and kernel packages never changes
# the machine's own apt configuration.
#
# usage: apt-private.sh BUILD_DIR {apt-get|apt-cache} arguments...
set -eu
dir=$1
tool=$2
shift 2
mkdir -p "$dir/sources.list.d" "$dir/lists/partial" "$dir/cache/archives/partial"
src="$dir/sources.list.d/oio.list"
if [ ! -f "$src" ]; then
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
