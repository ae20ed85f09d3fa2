#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Host checks of what a lab server installs, TAP: one version everywhere,
# lintian on make deb's packages, make install / make uninstall under
# DESTDIR (module included, through kbuild's modules_install against the
# 6.1 headers), and the top-level Kconfig read by kconfiglib as a kernel
# tree holding the repository at drivers/misc/oio.
#
# usage: packaging.sh BUILD_DIR
set -u
build=$(cd "$1" && pwd)
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
n=0
failed=0

ok() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=1
	fi
}

ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' dkms.conf)
deb_ver=$(dpkg-parsechangelog -S Version)
ok "$([ -n "$ver" ] && [ "$ver" = "$deb_ver" ]; echo $?)" \
	"dkms.conf $ver = debian/changelog $deb_ver"

for p in oio-dkms_"$ver"_all liboio0_"$ver"_amd64 liboio-dev_"$ver"_amd64 \
	oioctl_"$ver"_amd64; do
	ok "$([ -s "$build/deb/$p.deb" ]; echo $?)" "make deb built $p.deb"
done
out=$(lintian --fail-on error --tag-display-limit 0 \
	"$build/deb/oio_${ver}_amd64.changes" 2>&1)
rc=$?
printf '%s\n' "$out" | grep -v 'root privileges' | sed 's/^/# /'
ok "$rc" "lintian: no error ($(printf '%s\n' "$out" | grep -c '^[EW]:') errors and warnings)"
deps=$(dpkg-deb -f "$build/deb/oio-dkms_${ver}_all.deb" Depends)
ok "$(case $deps in *dkms*) echo 0 ;; *) echo 1 ;; esac)" "oio-dkms depends on dkms ($deps)"
ok "$(dpkg-deb -I "$build/deb/oio-dkms_${ver}_all.deb" postinst | grep -q 'dkms'; echo $?)" \
	"oio-dkms's postinst runs DKMS"

# make install / uninstall into a scratch DESTDIR.
rel=$(cat "$build/kernel/release")
kdir=$(scripts/fetch-headers.sh "$build" 6.1)
dest=$(mktemp -d)
trap 'rm -rf "$dest" "$ktree"' EXIT
make -s install DESTDIR="$dest" PREFIX=/usr/local KVER="$rel" KDIR="$kdir" \
	> "$dest.log" 2>&1
ok $? "make install DESTDIR PREFIX=/usr/local KVER=$rel"
missing=
for f in usr/local/lib/liboio.so.0 usr/local/lib/liboio.so \
	usr/local/lib/pkgconfig/liboio.pc usr/local/include/liboio.h \
	usr/local/include/linux/oio.h usr/local/bin/oioctl \
	usr/local/share/man/man8/oioctl.8 \
	usr/local/share/oio/schema/common.schema.json \
	usr/local/share/oio/schema/show.schema.json \
	usr/local/share/bash-completion/completions/oioctl \
	usr/local/lib/systemd/system/oio-telemetry.service \
	usr/local/lib/systemd/system/oio-telemetry.timer \
	usr/local/lib/sysusers.d/oio.conf lib/udev/rules.d/60-oio.rules \
	lib/udev/oio-udev "usr/src/oio-$ver/dkms.conf" \
	"usr/src/oio-$ver/driver/oio_main.c" \
	"usr/src/oio-$ver/include/uapi/linux/oio.h" \
	"usr/src/oio-$ver/include/uapi/linux/oio_dev.h" \
	"lib/modules/$rel/updates/oio.ko"; do
	[ -e "$dest/$f" ] || missing="$missing $f"
done
ok "$([ -z "$missing" ]; echo $?)" "make install: every file in place${missing:+ (missing:$missing)}"
soname=$(objdump -p "$dest/usr/local/lib/liboio.so.0" | sed -n 's/ *SONAME *//p')
ok "$([ "$soname" = liboio.so.0 ]; echo $?)" "liboio.so.0 has SONAME $soname"
ok "$(grep -q '^libdir=/usr/local/lib$' "$dest/usr/local/lib/pkgconfig/liboio.pc"; echo $?)" \
	"liboio.pc: libdir=/usr/local/lib"
ok "$(grep -q '^ExecStart=/usr/local/bin/oioctl ' "$dest/usr/local/lib/systemd/system/oio-telemetry.service"; echo $?)" \
	"oio-telemetry.service runs /usr/local/bin/oioctl"
alias=$(modinfo -F alias "$dest/lib/modules/$rel/updates/oio.ko")
vermagic=$(modinfo -F vermagic "$dest/lib/modules/$rel/updates/oio.ko" | cut -d' ' -f1)
ok "$([ "$vermagic" = "$rel" ] && [ -n "$alias" ]; echo $?)" \
	"modules_install: oio.ko for $vermagic with alias $alias"
make -s uninstall DESTDIR="$dest" PREFIX=/usr/local KVER="$rel" > "$dest.log" 2>&1
ok $? "make uninstall"
left=$(find "$dest" -type f -o -type l)
ok "$([ -z "$left" ]; echo $?)" "make uninstall leaves no file${left:+ (left: $left)}"
rm -f "$dest.log"

# make lib tools as a distribution builds them: in a copy of the sources
# with no build/ yet, its own CC, CFLAGS, LDFLAGS and directories, and
# only the library's own packages checked for (not the VM toolchain's).
src=$(mktemp -d)
git ls-files --cached --others --exclude-standard -z |
	xargs -0 cp --parents -t "$src"
cat > "$src/cc-wrap" <<'CC'
#!/bin/sh
echo "$*" >> "$(dirname "$0")/cc.log"
exec gcc "$@"
CC
chmod 755 "$src/cc-wrap"
libdir=/usr/local/lib/x86_64-linux-gnu
vars="CC=$src/cc-wrap PREFIX=/usr/local LIBDIR=$libdir"
plan=$(cd "$src" && make -n lib tools 2>&1)
heavy=$(printf '%s\n' "$plan" | grep -oE 'qemu-system-data|debootstrap|meson|linux-image|busybox-static' | sort -u | tr '\n' ' ')
ok "$([ -z "$heavy" ] && printf '%s\n' "$plan" | grep -q 'libnl-genl-3-dev'; echo $?)" \
	"make lib tools checks only the library's packages${heavy:+ (also: $heavy)}"
(cd "$src" && make -s lib tools $vars CFLAGS="-O1 -DOIO_CFLAGS_MARKER" \
	LDFLAGS="-Wl,-rpath,/opt/oio-ldflags-marker" > "$src/make.log" 2>&1 &&
	make -s install-lib install-tools $vars DESTDIR="$src/dest" \
		>> "$src/make.log" 2>&1)
rc=$?
[ "$rc" -eq 0 ] || sed 's/^/# /' "$src/make.log" | tail -n 20
ok "$rc" "make lib tools, install-lib install-tools with CC, CFLAGS, LDFLAGS, PREFIX, LIBDIR, DESTDIR"
calls=$(grep -c -- '-DOIO_CFLAGS_MARKER' "$src/cc.log" 2>/dev/null)
ok "$([ "${calls:-0}" -eq 2 ]; echo $?)" "CC and CFLAGS used for liboio and oioctl (${calls:-0} of 2 compiles)"
rpath=0
for f in "$src/dest$libdir/liboio.so.0" "$src/dest/usr/local/bin/oioctl"; do
	readelf -d "$f" 2>/dev/null | grep -q 'oio-ldflags-marker' ||
		rpath=1
done
ok "$rpath" "LDFLAGS used for liboio and oioctl (their RUNPATH)"
missing=
for f in "$libdir/liboio.so.0" "$libdir/liboio.so" "$libdir/pkgconfig/liboio.pc" \
	usr/local/include/liboio.h usr/local/include/linux/oio.h \
	usr/local/bin/oioctl usr/local/share/man/man8/oioctl.8; do
	[ -e "$src/dest/${f#/}" ] || missing="$missing $f"
done
stray=$(cd "$src/dest" 2>/dev/null && find . -type f | grep -v '^\./usr/local/' | tr '\n' ' ')
ok "$([ -z "$missing$stray" ]; echo $?)" \
	"install-lib install-tools: files under DESTDIR, PREFIX and LIBDIR${missing:+ (missing:$missing)}${stray:+ (outside PREFIX: $stray)}"
ok "$(grep -qx "libdir=$libdir" "$src/dest$libdir/pkgconfig/liboio.pc"; echo $?)" \
	"liboio.pc: libdir=$libdir"
rm -rf "$src"

# Kconfig, as a kernel tree would read it.
ktree=$(mktemp -d)
mkdir -p "$ktree/drivers/misc"
ln -s "$top" "$ktree/drivers/misc/oio"
cat > "$ktree/Kconfig" <<'KC'
config MODULES
	bool
	default y
	option modules
config PCI
	def_bool y
config NET
	def_bool y
config HWMON
	def_bool y
config NET_DEVLINK
	bool
source "drivers/misc/oio/Kconfig"
KC
res=$(cd "$ktree" && srctree=$ktree /usr/bin/python3 -c '
import kconfiglib
k = kconfiglib.Kconfig("Kconfig", warn_to_stderr=False)
oio = k.syms["OIO"]
oio.set_value("m")
print(oio.str_value, k.syms["NET_DEVLINK"].str_value, len(k.warnings))
' 2>&1)
ok "$([ "$res" = "m y 0" ]; echo $?)" \
	"Kconfig: OIO=m selects NET_DEVLINK, no warning ($res)"
echo "1..$n"
exit $failed
