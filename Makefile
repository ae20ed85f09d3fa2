# SPDX-License-Identifier: GPL-2.0-only
#
# oio: top-level build.
#
#   make demo    boot a VM with two emulated OIO cards and bring them up
#   make check   every test: host unit tests and VM tests on emulated cards
#                (make check-suites: the same without starting the envelope
#                before the rest of the build)
#   make bench   deterministic cost figures (guest time, MMIO) as tables
#   make shell   boot the Debian guest with CARDS (2) cards and a root shell
#   make install everything a lab server needs (see "install" below);
#                make uninstall removes it
#   make deb     the Debian packages, in build/deb/
#   make lib tools  liboio and oioctl alone, with CC, CFLAGS, LDFLAGS;
#                make install-lib install-tools installs just them
#
# Both install what they need with apt-get (run as root on Debian 12) and
# cache everything they fetch or build under build/, so a second run only
# rebuilds what changed. Debian packages that are not installed on the host
# (QEMU's source, the test kernel) come through scripts/apt-private.sh,
# which leaves the machine's apt configuration alone.

B := $(CURDIR)/build
PY := /usr/bin/python3
# A Python from outside /usr/bin (pyenv) confuses QEMU's configure.
SYSPATH := /usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin

QEMU_SRC := $(B)/src/qemu
QEMU_BUILD := $(B)/qemu
QEMU := $(QEMU_BUILD)/qemu-system-x86_64
KERNEL := $(B)/kernel/vmlinuz
INITRD := $(B)/initramfs.cpio.gz
# The driver's tests also run on Debian 12's newest 6.12 kernel.
KERNEL_612 := $(B)/kernel-6.12/vmlinuz
INITRD_612 := $(B)/initramfs-6.12.cpio.gz
# ... and on a debug build of the 6.1 the VM boots (KASAN, lockdep, ...).
KERNEL_DEBUG := $(B)/kernel-debug/vmlinuz
INITRD_DEBUG := $(B)/initramfs-debug.cpio.gz
# ... and on the newest kernel of Debian's archive (trixie-backports, sid).
KERNEL_NEWEST := $(B)/kernel-newest/vmlinuz
INITRD_NEWEST := $(B)/initramfs-newest.cpio.gz

APT_PACKAGES := gcc make pkg-config python3 meson ninja-build flex bison \
	libglib2.0-dev libpixman-1-dev libfdt-dev busybox-static seabios \
	qemu-system-data cpio dpkg-dev xz-utils check libsubunit-dev dwarves sparse python3-yaml \
	python3-jsonschema libnl-3-dev libnl-genl-3-dev libpci-dev libkmod-dev kmod \
	libjson-c-dev bc libelf-dev libssl-dev debootstrap e2fsprogs build-essential debhelper dh-dkms \
	lintian python3-kconfiglib tmux abigail-tools
# What make lib tools needs, and no more: a build of liboio and oioctl
# alone does not install the VM toolchain.
LIB_APT_PACKAGES := gcc make pkg-config libnl-3-dev libnl-genl-3-dev \
	libpci-dev libkmod-dev libjson-c-dev
# Order-only prerequisite of every build step; the Debian packaging sets
# it empty, since dpkg-buildpackage checks Build-Depends itself, and that
# empties LIB_DEPS_STAMP too.
DEPS := $(B)/.deps
LIB_DEPS_STAMP = $(if $(DEPS),$(B)/.deps-lib)

QEMU_CONFIGURE := --meson=/usr/bin/meson --target-list=x86_64-softmmu \
	--without-default-devices --with-devices-x86_64=oio \
	--disable-docs --disable-tools --disable-user --disable-guest-agent \
	--disable-slirp --disable-gtk --disable-sdl --disable-vnc \
	--disable-opengl --disable-debug-info

MODEL_SOURCES := $(wildcard tests/qemu/*.c tests/qemu/*.h) driver/oio_regs.h

GUEST_CFLAGS := -static -O2 -std=gnu11 -Wall -Wextra -Werror \
	-Idriver -Itests/guest -Itests/qemu
GUEST_LIB := tests/guest/oiotest.c tests/guest/vmctl.c tests/guest/nlraw.c
GUEST_HDRS := tests/guest/oiotest.h tests/guest/vmctl.h tests/guest/nlraw.h \
	driver/oio_regs.h include/uapi/linux/oio.h include/uapi/linux/oio_dev.h
GUEST_TESTS := conformance bringup multicard hotplug devlink-info nltest \
	sysfs-poll driver-defects fault-nth driver-stress privilege driver-cdev
GUEST_SCRIPTS := tap-lib driver-sysfs driver-hwmon driver-netlink driver-faults \
	demo link-drift-cli oioctl-cli driver-lifetime kmemleak monitor-cli
# The fuzzer builds its messages from the netlink spec.
SPEC_TABLE := $(B)/guest-gen/oio_spec_table.h
$(SPEC_TABLE): docs/netlink/specs/oio.yaml scripts/spec-table.py | $(DEPS)
	@mkdir -p $(@D)
	$(PY) scripts/spec-table.py docs/netlink/specs/oio.yaml > $@.tmp
	mv $@.tmp $@

$(B)/guest/nlfuzz: tests/guest/nlfuzz.c $(SPEC_TABLE) $(GUEST_LIB) $(GUEST_HDRS)
	@mkdir -p $(@D)
	gcc $(GUEST_CFLAGS) -I$(B)/guest-gen -o $@ $< $(GUEST_LIB) -lm

# Guest programs that use liboio link against it like any user would.
GUEST_LIB_TESTS := link-bringup link-lock bench-lib lib-sized
GUEST_BINS := $(B)/guest/vmctl $(addprefix $(B)/guest/,$(GUEST_TESTS)) \
	$(B)/guest/nlfuzz \
	$(addprefix $(B)/guest/,$(GUEST_SCRIPTS)) \
	$(addprefix $(B)/guest/,$(GUEST_LIB_TESTS)) $(B)/guest/bin/oioctl \
	$(B)/guest/json-check

DRIVER_SOURCES := $(wildcard driver/*.c driver/*.h) driver/Kbuild \
	include/uapi/linux/oio.h include/uapi/linux/oio_dev.h
# The VM tests load the module built for the kernel they boot (6.1);
# 6.12 is built too, to keep the driver compiling on both.
MODULE := $(B)/driver/6.1/oio.ko
MODULE_612 := $(B)/driver/6.12/oio.ko
MODULE_DEBUG := $(B)/driver/debug/oio.ko
MODULE_NEWEST := $(B)/driver/newest/oio.ko

UNIT_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror -Itests/qemu
# The card model itself, built on the host against stand-ins for the few
# QEMU headers it uses (tests/unit/shim/); QEMU's own warnings, not ours.
SIM_SOURCES := tests/qemu/oio-engine-config.c tests/qemu/oio-engine-regs.c \
	tests/qemu/oio-engine-optics.c tests/qemu/oio-engine-lock.c \
	tests/qemu/oio-engine-lanes.c tests/qemu/oio-engine-dma.c \
	tests/qemu/oio-physics.c tests/unit/simcard.c
SIM_DEPS := $(SIM_SOURCES) $(wildcard tests/qemu/*.h tests/unit/shim/*/*.h \
	tests/unit/shim/*/*/*.h) tests/unit/simcard.h driver/oio_regs.h
SIM_CFLAGS := $(UNIT_CFLAGS) -Wno-unused-parameter -Itests/unit/shim \
	-Itests/unit -Idriver

# ---- liboio and oioctl -------------------------------------------------

LIB_VERSION := 0.2.0
# The release: DKMS's, the Debian packages' (debian/changelog must agree).
VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' dkms.conf)
# What DKMS and a kernel tree need, laid out as in the repository.
DKMS_FILES := dkms.conf Kbuild Kconfig $(wildcard driver/*.c driver/*.h) \
	driver/Kbuild driver/Kconfig include/uapi/linux/oio.h \
	include/uapi/linux/oio_dev.h
# make deb's output (see "Debian packages" below).
DEB_DIR := $(B)/deb
DEB_STAMP := $(DEB_DIR)/oio_$(VERSION)_amd64.changes
DEB_SOURCES := $(shell git ls-files --cached --others --exclude-standard \
	2>/dev/null)
LIB_SONAME := liboio.so.0
LIB_DEPS := libnl-genl-3.0 libpci libkmod
LIB_SOURCES := $(wildcard lib/*.c)
LIB_HDRS := $(wildcard lib/*.h) include/uapi/linux/oio.h \
	include/uapi/linux/oio_dev.h
LIBOIO := $(B)/lib/liboio.so.$(LIB_VERSION)
# CPPFLAGS, CFLAGS and LDFLAGS from the environment (dpkg-buildflags'
# hardening) come after ours.
USER_CFLAGS := -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror \
	-Iinclude/uapi $(CPPFLAGS) $(CFLAGS)
TOOL_SOURCES := $(wildcard tools/*.c)
OIOCTL := $(B)/tools/oioctl
PREFIX ?= /usr/local

.PHONY: all deps qemu kernel driver initramfs unit demo check check-build \
	check-suites \
	clean distclean \
	lib tools bench install install-files install-lib install-tools \
	install-module install-dkms \
	uninstall uninstall-files uninstall-module debian-image deb shell

all: $(QEMU) $(KERNEL) $(INITRD) $(MODULE_612) $(UNIT_TESTS) $(OIOCTL)

# ---- host packages ----------------------------------------------------

# apt-get install whichever of $(1) is missing, one install at a time
# (make -j may want both stamps at once; dpkg takes one).
define apt_install
	@mkdir -p $(B)
	@exec 9> $(B)/.apt-install.lock; flock 9; \
	missing=$$(for p in $(1); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | \
		grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "deps: installing" $$missing; \
		apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends $$missing; \
	fi
	@touch $@
endef

deps: $(B)/.deps
$(B)/.deps: Makefile
	$(call apt_install,$(APT_PACKAGES))
$(B)/.deps-lib: Makefile
	$(call apt_install,$(LIB_APT_PACKAGES))

# ---- QEMU with the OIO engine model -----------------------------------

$(QEMU_SRC)/.unpacked: | $(DEPS)
	@mkdir -p $(B)/src
	scripts/apt-private.sh $(B)/apt apt-get update
	cd $(B)/src && $(CURDIR)/scripts/apt-private.sh $(B)/apt \
		apt-get source --download-only qemu
	rm -rf $(QEMU_SRC)
	cd $(B)/src && dpkg-source -x "$$(ls qemu_*.dsc | sort -V | tail -n 1)" qemu
	touch $@

$(QEMU_BUILD)/build.ninja: $(QEMU_SRC)/.unpacked tests/qemu/overlay.sh
	tests/qemu/overlay.sh $(QEMU_SRC)
	mkdir -p $(QEMU_BUILD)
	cd $(QEMU_BUILD) && env PATH=$(SYSPATH) $(QEMU_SRC)/configure \
		$(QEMU_CONFIGURE) > configure.log 2>&1 || \
		{ tail -n 30 configure.log; exit 1; }

$(QEMU): $(QEMU_BUILD)/build.ninja $(MODEL_SOURCES)
	tests/qemu/overlay.sh $(QEMU_SRC)
	env PATH=$(SYSPATH) ninja -C $(QEMU_BUILD) qemu-system-x86_64
	@touch $@

qemu: $(QEMU)

# ---- liboio and oioctl ------------------------------------------------

$(LIBOIO): $(LIB_SOURCES) $(LIB_HDRS) lib/liboio.map | $(LIB_DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -fPIC -shared -fvisibility=hidden \
		$$(pkg-config --cflags $(LIB_DEPS)) \
		-Wl,-soname,$(LIB_SONAME) -Wl,--version-script=lib/liboio.map \
		-Wl,--no-undefined $(LDFLAGS) -o $@ $(LIB_SOURCES) \
		$$(pkg-config --libs $(LIB_DEPS)) -lpthread -lm
	ln -sf liboio.so.$(LIB_VERSION) $(B)/lib/$(LIB_SONAME)
	ln -sf $(LIB_SONAME) $(B)/lib/liboio.so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
		-e 's|@VERSION@|$(LIB_VERSION)|' lib/liboio.pc.in > $(B)/lib/liboio.pc

$(OIOCTL): $(TOOL_SOURCES) $(wildcard tools/*.h) $(LIBOIO)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -Ilib $$(pkg-config --cflags json-c) $(LDFLAGS) \
		-o $@ $(TOOL_SOURCES) -L$(B)/lib -loio \
		$$(pkg-config --libs json-c) -lpthread -lm

lib: $(LIBOIO)
tools: $(OIOCTL)

# ---- guest side -------------------------------------------------------

$(KERNEL): | $(DEPS)
	scripts/fetch-kernel.sh $(B)

kernel: $(KERNEL)

$(B)/guest/vmctl: tests/guest/vmctl-main.c tests/guest/vmctl.c \
		tests/guest/vmctl.h | $(DEPS)
	@mkdir -p $(@D)
	gcc $(GUEST_CFLAGS) -o $@ tests/guest/vmctl-main.c tests/guest/vmctl.c

$(B)/guest/%: tests/guest/%.c $(GUEST_LIB) $(GUEST_HDRS) | $(DEPS)
	@mkdir -p $(@D)
	gcc $(GUEST_CFLAGS) -o $@ $< $(GUEST_LIB) -lm

$(addprefix $(B)/guest/,$(GUEST_LIB_TESTS)): $(B)/guest/%: tests/guest/%.c \
		$(GUEST_LIB) $(GUEST_HDRS) $(LIBOIO) tests/unit/corners.h
	@mkdir -p $(@D)
	gcc -O2 -std=gnu11 -Wall -Wextra -Werror -Idriver -Itests/guest -Ilib -Iinclude/uapi \
		-o $@ $< $(GUEST_LIB) -L$(B)/lib -loio -lpthread -lm

# JSON checks for the guest's shell tests, which have no jq.
$(B)/guest/json-check: tests/guest/json-check.c | $(DEPS)
	@mkdir -p $(@D)
	gcc $(USER_CFLAGS) $$(pkg-config --cflags json-c) -o $@ $< \
		$$(pkg-config --libs json-c)

$(B)/guest/bin/oioctl: $(OIOCTL)
	@mkdir -p $(@D)
	install -m 755 $< $@

$(B)/guest/%: tests/guest/%.sh
	@mkdir -p $(@D)
	install -m 755 $< $@

# ---- the driver -----------------------------------------------------------

$(MODULE): $(DRIVER_SOURCES) $(KERNEL) scripts/build-module.sh
	scripts/build-module.sh $(B) 6.1

$(KERNEL_612): | $(DEPS)
	scripts/fetch-kernel.sh $(B) 6.12

$(MODULE_612): $(DRIVER_SOURCES) $(KERNEL_612)
	scripts/build-module.sh $(B) 6.12

# Built from Debian's linux-source-6.1 with tests/kernel/debug.config:
# about ten minutes on two cores the first time, then cached.
$(KERNEL_DEBUG): tests/kernel/debug.config driver/Kconfig \
		scripts/build-debug-kernel.sh | $(DEPS) $(KERNEL)
	nice -n 10 scripts/build-debug-kernel.sh $(B)
	@touch $@

$(MODULE_DEBUG): $(DRIVER_SOURCES) $(KERNEL_DEBUG) scripts/build-module.sh
	scripts/build-module.sh $(B) debug

# Its headers want gcc-14 and a newer sparse: the module is built in a
# minimal trixie tree (scripts/newest-kernel.sh), cached.
$(KERNEL_NEWEST): scripts/newest-kernel.sh | $(DEPS)
	nice -n 10 scripts/newest-kernel.sh $(B) fetch
	@touch $@

$(MODULE_NEWEST): $(DRIVER_SOURCES) $(KERNEL_NEWEST)
	scripts/newest-kernel.sh $(B) module

driver: $(MODULE) $(MODULE_612) $(MODULE_DEBUG) $(MODULE_NEWEST)

$(INITRD): $(GUEST_BINS) $(MODULE) tests/vm/init tests/vm/smoke \
		tests/vm/mkinitramfs.sh
	LIBDIR=$(B)/lib tests/vm/mkinitramfs.sh $@ $(B)/guest $(MODULE)

$(INITRD_612): $(GUEST_BINS) $(MODULE_612) tests/vm/init tests/vm/smoke \
		tests/vm/mkinitramfs.sh
	LIBDIR=$(B)/lib tests/vm/mkinitramfs.sh $@ $(B)/guest $(MODULE_612)

$(INITRD_DEBUG): $(GUEST_BINS) $(MODULE_DEBUG) tests/vm/init tests/vm/smoke \
		tests/vm/mkinitramfs.sh
	LIBDIR=$(B)/lib tests/vm/mkinitramfs.sh $@ $(B)/guest $(MODULE_DEBUG)

$(INITRD_NEWEST): $(GUEST_BINS) $(MODULE_NEWEST) tests/vm/init tests/vm/smoke \
		tests/vm/mkinitramfs.sh
	LIBDIR=$(B)/lib tests/vm/mkinitramfs.sh $@ $(B)/guest $(MODULE_NEWEST)

initramfs: $(INITRD) $(INITRD_612) $(INITRD_DEBUG) $(INITRD_NEWEST)

# ---- the Debian guest ----------------------------------------------------

# A Debian 12 system on a virtio disk (tests/vm/mkdebian.sh), for what
# runs on a lab server: DKMS, udev, packages, the distribution's tools.
DEBIAN_IMAGE := $(B)/debian/root.img
DEBIAN_INITRD := $(B)/debian/initrd.img
DEBIAN_PAYLOAD := $(B)/debian-payload.tar
YNL_CLI := $(B)/ynl-src/linux-source-6.12/tools/net/ynl/cli.py

$(DEBIAN_IMAGE): tests/vm/mkdebian.sh tests/vm/debian-run $(KERNEL) \
		| $(DEPS)
	scripts/fetch-headers.sh $(B) 6.1 > /dev/null
	rm -f $(B)/debian/release
	tests/vm/mkdebian.sh $(B)

debian-image: $(DEBIAN_IMAGE)

$(YNL_CLI): | $(DEPS)
	scripts/fetch-ksrc.sh $(B) 6.12 $(B)/ynl-src \
		'linux-source-6.12/tools/net/ynl/*' \
		'linux-source-6.12/Documentation/netlink/genetlink*.yaml'

$(DEBIAN_PAYLOAD): tests/vm/mkpayload.sh $(wildcard tests/debian/*) \
		$(B)/guest/vmctl $(DEB_STAMP) $(LIBOIO) $(OIOCTL) $(MODULE) \
		$(YNL_CLI) $(DKMS_FILES) $(wildcard udev/*) \
		tools/oio-telemetry.service tools/oio-telemetry.timer \
		docs/man/oioctl.8 tools/oioctl.bash-completion \
		docs/netlink/specs/oio.yaml
	tests/vm/mkpayload.sh $@ $(B) $(MODULE)

# An interactive root shell in the Debian guest with CARDS cards.
CARDS ?= 2
SEED ?= 1
shell: $(QEMU) $(KERNEL) $(DEBIAN_IMAGE) $(DEBIAN_PAYLOAD)
	@$(PY) tests/vm/run-vm.py --qemu $(QEMU) --kernel $(KERNEL) \
		--initrd $(DEBIAN_INITRD) --disk $(DEBIAN_IMAGE) --snapshot \
		--payload $(DEBIAN_PAYLOAD) --mem 1024 --cards $(CARDS) \
		--seed $(SEED) --smp 2 --tests shell-setup --env OIO_SHELL=1 \
		--interactive --log-dir $(B)/vm-logs/shell --name shell

# ---- host unit tests ----------------------------------------------------

$(B)/unit/test-physics: tests/unit/test-physics.c tests/qemu/oio-physics.c \
		tests/qemu/oio-physics.h | $(DEPS)
	@mkdir -p $(@D)
	gcc $(UNIT_CFLAGS) -o $@ tests/unit/test-physics.c \
		tests/qemu/oio-physics.c $$(pkg-config --cflags --libs check) -lm

$(B)/unit/test-card: tests/unit/test-card.c $(SIM_DEPS) | $(DEPS)
	@mkdir -p $(@D)
	gcc $(SIM_CFLAGS) -o $@ tests/unit/test-card.c $(SIM_SOURCES) \
		$$(pkg-config --cflags --libs check) -lm

# The feasibility reference alone, on cards whose answer is their geometry.
$(B)/unit/test-reference: tests/unit/test-reference.c tests/unit/reference.c \
		tests/unit/reference.h $(SIM_DEPS) | $(DEPS)
	@mkdir -p $(@D)
	gcc $(SIM_CFLAGS) -o $@ tests/unit/test-reference.c \
		tests/unit/reference.c $(SIM_SOURCES) \
		$$(pkg-config --cflags --libs check) -lm

# liboio's bring-up without netlink - orchestration, arithmetic, the peak
# finder - on the emulated card (simio.c), judged by the reference.
BRINGUP_SOURCES := lib/bringup.c lib/bringup-card.c lib/bringup-place.c \
	lib/bringup-park.c \
	lib/bringup-verify.c lib/bringup-margin.c lib/bringup-qgain.c \
	lib/tuning.c lib/naming.c lib/linefit.c lib/plan.c lib/comb.c \
	lib/peaks.c lib/select.c lib/strings.c lib/link-sized.c lib/calib.c \
	lib/objects-sized.c lib/par.c
BRINGUP_DEPS := $(BRINGUP_SOURCES) lib/bringup.h lib/bringup-run.h lib/calib.h \
	lib/tuning.h lib/naming.h lib/comb.h lib/select.h lib/minmax.h \
	lib/par.h lib/peaks.h lib/liboio.h lib/oio-api.h lib/link-sized.h \
	lib/objects-sized.h include/uapi/linux/oio.h \
	tests/unit/simio.c tests/unit/simio.h tests/unit/reference.c \
	tests/unit/reference.h tests/unit/verdict.c tests/unit/verdict.h \
	$(SIM_DEPS)
BRINGUP_TEST_SOURCES := $(BRINGUP_SOURCES) $(SIM_SOURCES) tests/unit/simio.c \
	tests/unit/reference.c tests/unit/verdict.c
BRINGUP_CFLAGS := $(SIM_CFLAGS) -Ilib -Iinclude/uapi

$(B)/unit/test-tuning: tests/unit/test-tuning.c $(BRINGUP_DEPS) | $(DEPS)
	@mkdir -p $(@D)
	gcc $(BRINGUP_CFLAGS) -o $@ tests/unit/test-tuning.c \
		$(BRINGUP_TEST_SOURCES) $$(pkg-config --cflags --libs check) \
		-lpthread -lm

# lib/naming.c and lib/tuning.c compiled into the test, their static
# rules in reach
$(B)/unit/test-naming: tests/unit/test-naming.c $(BRINGUP_DEPS) | $(DEPS)
	@mkdir -p $(@D)
	gcc $(BRINGUP_CFLAGS) -o $@ tests/unit/test-naming.c \
		$(filter-out lib/naming.c lib/tuning.c,$(BRINGUP_SOURCES)) \
		$$(pkg-config --cflags --libs check) -lpthread -lm

$(B)/unit/test-bringup: tests/unit/test-bringup.c $(BRINGUP_DEPS) | $(DEPS)
	@mkdir -p $(@D)
	gcc $(BRINGUP_CFLAGS) -o $@ tests/unit/test-bringup.c \
		$(BRINGUP_TEST_SOURCES) $$(pkg-config --cflags --libs check) \
		-lpthread -lm

$(B)/unit/test-envelope: tests/unit/test-envelope.c tests/unit/corners.h \
		$(BRINGUP_DEPS) | $(DEPS)
	@mkdir -p $(@D)
	gcc $(BRINGUP_CFLAGS) -o $@ tests/unit/test-envelope.c \
		$(BRINGUP_TEST_SOURCES) -lpthread -lm

# The same, built with ThreadSanitizer: the analysis' loops side by side
# (lib/par.c) must not race (check.sh's tsan-analysis).
TSAN_ENVELOPE := $(B)/tsan/unit/test-envelope
$(TSAN_ENVELOPE): tests/unit/test-envelope.c tests/unit/corners.h \
		$(BRINGUP_DEPS) | $(DEPS)
	@mkdir -p $(@D)
	gcc $(BRINGUP_CFLAGS) -O1 -fsanitize=thread -o $@ \
		tests/unit/test-envelope.c $(BRINGUP_TEST_SOURCES) -lpthread -lm

$(B)/unit/test-parse: tests/unit/test-parse.c tools/parse.c tools/parse.h \
		| $(DEPS)
	@mkdir -p $(@D)
	gcc $(USER_CFLAGS) -Itools -o $@ tests/unit/test-parse.c tools/parse.c \
		$$(pkg-config --cflags --libs check) -lm

$(B)/unit/test-output: tests/unit/test-output.c tools/output.c \
		tools/output.h lib/liboio.h | $(DEPS)
	@mkdir -p $(@D)
	gcc $(USER_CFLAGS) -Itools -Ilib $$(pkg-config --cflags json-c) -o $@ \
		tests/unit/test-output.c tools/output.c \
		$$(pkg-config --cflags --libs check json-c) -lm

# The driver's pure helpers, compiled as the kernel compiles them.
$(B)/unit/test-ber: tests/unit/test-ber.c driver/oio_ber.h \
		$(wildcard tests/unit/kshim/linux/*.h) | $(DEPS)
	@mkdir -p $(@D)
	gcc $(UNIT_CFLAGS) -Wno-format-truncation -Itests/unit/kshim -Idriver \
		-o $@ tests/unit/test-ber.c $$(pkg-config --cflags --libs check)

$(B)/unit/test-prometheus: tests/unit/test-prometheus.c tools/prometheus.c \
		tools/prometheus.h lib/headroom.c lib/objects-sized.c \
		lib/objects-sized.h lib/liboio.h | $(DEPS)
	@mkdir -p $(@D)
	gcc $(USER_CFLAGS) -Itools -Ilib -o $@ tests/unit/test-prometheus.c \
		tools/prometheus.c lib/headroom.c lib/objects-sized.c \
		$$(pkg-config --cflags --libs check) -lm

$(B)/unit/test-headroom: tests/unit/test-headroom.c lib/headroom.c \
		lib/objects-sized.c lib/objects-sized.h lib/liboio.h | $(DEPS)
	@mkdir -p $(@D)
	gcc $(USER_CFLAGS) -Ilib -o $@ tests/unit/test-headroom.c \
		lib/headroom.c lib/objects-sized.c \
		$$(pkg-config --cflags --libs check) -lm

# The link calls' structs at the caller's size, alone.
$(B)/unit/test-sized: tests/unit/test-sized.c lib/link-sized.c \
		lib/link-sized.h lib/objects-sized.c lib/objects-sized.h \
		tests/unit/marked.h lib/liboio.h | $(DEPS)
	@mkdir -p $(@D)
	gcc $(USER_CFLAGS) -Ilib -o $@ tests/unit/test-sized.c \
		lib/link-sized.c lib/objects-sized.c \
		$$(pkg-config --cflags --libs check)

# The object structs at the caller's size, alone, with the _ex calls that
# need no card.
$(B)/unit/test-objects-sized: tests/unit/test-objects-sized.c \
		lib/objects-sized.c lib/objects-sized.h lib/link-sized.h \
		tests/unit/marked.h lib/headroom.c lib/peaks.c lib/select.c \
		lib/select.h lib/peaks.h lib/minmax.h lib/liboio.h | $(DEPS)
	@mkdir -p $(@D)
	gcc $(USER_CFLAGS) -Ilib -o $@ tests/unit/test-objects-sized.c \
		lib/objects-sized.c lib/headroom.c lib/peaks.c lib/select.c \
		$$(pkg-config --cflags --libs check) -lm

# liboio's card lock file, alone: plain POSIX, no netlink.
$(B)/unit/test-cardlock: tests/unit/test-cardlock.c lib/cardlock.c \
		lib/cardlock.h lib/liboio.h | $(DEPS)
	@mkdir -p $(@D)
	gcc $(USER_CFLAGS) -Ilib -o $@ tests/unit/test-cardlock.c \
		lib/cardlock.c $$(pkg-config --cflags --libs check)

# liboio's link runs (link.c) on the emulated card, the handle's requests
# stood in for by the test.
$(B)/unit/test-linkmsg: tests/unit/test-linkmsg.c lib/link.c lib/cardlock.h \
		lib/oio-private.h lib/oio-policy.h $(BRINGUP_DEPS) | $(DEPS)
	@mkdir -p $(@D)
	gcc $(BRINGUP_CFLAGS) $$(pkg-config --cflags libnl-genl-3.0) -o $@ \
		tests/unit/test-linkmsg.c lib/link.c $(BRINGUP_TEST_SOURCES) \
		$$(pkg-config --cflags --libs check) -lpthread -lm

# liboio's netlink side, whole and static, without a card: crafted replies,
# a socket that never answers.
$(B)/unit/test-reply: tests/unit/test-reply.c $(LIB_SOURCES) $(LIB_HDRS) \
		| $(DEPS)
	@mkdir -p $(@D)
	gcc $(USER_CFLAGS) -Ilib $$(pkg-config --cflags $(LIB_DEPS)) -o $@ \
		tests/unit/test-reply.c $(LIB_SOURCES) \
		$$(pkg-config --cflags --libs check $(LIB_DEPS)) -lpthread -lm

UNIT_TESTS := $(addprefix $(B)/unit/,test-physics test-card test-reference \
	test-tuning test-naming test-bringup test-parse test-output \
	test-prometheus test-headroom test-ber test-cardlock test-reply \
	test-linkmsg test-sized test-objects-sized)
# Minutes, not seconds: run by `make check` and `make bench`, not `make unit`.
ENVELOPE := $(B)/unit/test-envelope

unit: $(UNIT_TESTS)
	for t in $(UNIT_TESTS); do $$t || exit 1; done

# ---- the two set-up commands -------------------------------------------

demo: $(QEMU) $(KERNEL) $(INITRD)
	@$(PY) tests/vm/run-vm.py --qemu $(QEMU) --kernel $(KERNEL) \
		--initrd $(INITRD) --cards 2 --seed 1 --tests demo \
		--log-dir $(B)/vm-logs/demo --name demo

CHECKPATCH := $(B)/checkpatch/linux-source-6.1/scripts/checkpatch.pl
$(CHECKPATCH): | $(DEPS)
	scripts/fetch-checkpatch.sh $(B)

# What the suites need, the longest chains first: make -j starts them in
# this order.
CHECK_PREREQS := $(INITRD_DEBUG) $(QEMU) $(DEBIAN_PAYLOAD) $(DEBIAN_IMAGE) \
	$(INITRD_NEWEST) $(KERNEL) $(INITRD) $(KERNEL_612) $(INITRD_612) \
	$(KERNEL_DEBUG) $(KERNEL_NEWEST) $(CHECKPATCH) $(UNIT_TESTS) \
	$(ENVELOPE) $(TSAN_ENVELOPE) $(LIBOIO)

# The envelope needs only its own host build: it starts first, in the
# background, and runs on what the rest of the build leaves idle.
# A failed or interrupted build takes it with it. The rest is built
# CHECK_JOBS at a time (check-build), so that downloads and debootstrap
# wait beside the compilers rather than between them; the suites then
# run from a make of their own, without a jobserver.
CHECK_JOBS ?= $(shell nproc 2>/dev/null || echo 2)
check: $(ENVELOPE)
	@case ",$${OIO_CHECK_ONLY:-envelope}," in *,envelope,*) \
		tests/envelope-bg.sh start $(B)/vm-logs $(ENVELOPE) ;; esac; \
	trap 'tests/envelope-bg.sh stop $(B)/vm-logs' EXIT; \
	trap 'exit 130' INT TERM HUP; \
	$(MAKE) --no-print-directory -j$(CHECK_JOBS) check-build && \
	$(MAKE) --no-print-directory check-suites OIO_ENVELOPE_STARTED=1

check-build: $(CHECK_PREREQS)

check-suites: $(CHECK_PREREQS)
	@env OIO_ENVELOPE_STARTED=$(OIO_ENVELOPE_STARTED) \
		B=$(B) PY=$(PY) QEMU=$(QEMU) KERNEL=$(KERNEL) INITRD=$(INITRD) \
		KERNEL_612=$(KERNEL_612) INITRD_612=$(INITRD_612) \
		KERNEL_DEBUG=$(KERNEL_DEBUG) INITRD_DEBUG=$(INITRD_DEBUG) \
		KERNEL_NEWEST=$(KERNEL_NEWEST) INITRD_NEWEST=$(INITRD_NEWEST) \
		QEMU_SRC=$(QEMU_SRC) CHECKPATCH=$(CHECKPATCH) \
		DEBIAN_IMAGE=$(DEBIAN_IMAGE) DEBIAN_INITRD=$(DEBIAN_INITRD) \
		DEBIAN_PAYLOAD=$(DEBIAN_PAYLOAD) tests/check.sh

# ---- benchmarks and installation ----------------------------------------

# Deterministic figures: guest time under -icount and counted MMIO. The
# envelope's table first: the host model, BENCH_SEEDS cards a corner; then
# the one figure that is not reproducible, the default card in real time
# (its clock running on while the library computes, as a real card's
# does) on this host's CPUs, as busy as they are. Fails when one of issue
# 10's telemetry targets is missed.
BENCH_SEEDS ?= 100
bench: $(QEMU) $(KERNEL) $(INITRD) $(ENVELOPE)
	@$(ENVELOPE) --table -n $(BENCH_SEEDS) || exit 1
	@echo "the default card in real time on this host ($$(nproc) CPUs; not reproducible):"
	@$(ENVELOPE) --table --realtime -c default -n 20 -j 1 || exit 1
	@$(PY) tests/vm/run-vm.py --qemu $(QEMU) --kernel $(KERNEL) \
		--initrd $(INITRD) --cards 8 --mem 768 --seed 1 --icount 0 \
		--tests bench-lib,link-bringup --env OIO_SEEDS=10 \
		--env OIO_PHASES=seeds,parallel --log-dir $(B)/vm-logs/bench \
		--name bench > $(B)/vm-logs/bench.tap 2>&1; \
	rc=$$?; scripts/bench-table.sh $(B)/vm-logs/bench.tap || rc=1; exit $$rc

# ---- installation -----------------------------------------------------
#
# make install = install-files + install-module; DESTDIR stages it all.
# udev and DKMS read only their own directories, whatever PREFIX is.
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
# oioctl's JSON schemas (oioctl(8), JSON OUTPUT)
SCHEMADIR ?= $(PREFIX)/share/oio/schema
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
UDEVDIR ?= /lib/udev
DKMSDIR ?= /usr/src/oio-$(VERSION)
# install-module builds for this kernel, from its build tree.
KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build

install: install-files install-module

# install-lib and install-tools: what make lib tools built, alone.
install-lib: $(LIBOIO)
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR)/linux
	install -m 644 $(LIBOIO) $(DESTDIR)$(LIBDIR)/
	ln -sf liboio.so.$(LIB_VERSION) $(DESTDIR)$(LIBDIR)/$(LIB_SONAME)
	ln -sf $(LIB_SONAME) $(DESTDIR)$(LIBDIR)/liboio.so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
		-e 's|@VERSION@|$(LIB_VERSION)|' lib/liboio.pc.in \
		> $(DESTDIR)$(LIBDIR)/pkgconfig/liboio.pc
	install -m 644 lib/liboio.h $(DESTDIR)$(INCLUDEDIR)/
	install -m 644 include/uapi/linux/oio.h include/uapi/linux/oio_dev.h \
		$(DESTDIR)$(INCLUDEDIR)/linux/

install-tools: $(OIOCTL)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(SYSTEMDUNITDIR) \
		$(DESTDIR)$(SCHEMADIR)
	install -m 755 $(OIOCTL) $(DESTDIR)$(BINDIR)/
	install -m 644 docs/man/oioctl.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 644 tools/schema/*.schema.json $(DESTDIR)$(SCHEMADIR)/
	install -m 644 tools/oioctl.bash-completion \
		$(DESTDIR)$(BASHCOMPDIR)/oioctl
	sed 's|/usr/bin/oioctl|$(BINDIR)/oioctl|' tools/oio-telemetry.service \
		> $(DESTDIR)$(SYSTEMDUNITDIR)/oio-telemetry.service
	install -m 644 tools/oio-telemetry.timer $(DESTDIR)$(SYSTEMDUNITDIR)/

install-files: install-lib install-tools install-dkms
	install -d $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(UDEVDIR)/rules.d
	install -m 644 udev/oio.sysusers $(DESTDIR)$(SYSUSERSDIR)/oio.conf
	install -m 644 udev/60-oio.rules $(DESTDIR)$(UDEVDIR)/rules.d/
	install -m 755 udev/oio-udev $(DESTDIR)$(UDEVDIR)/
	@if [ -z "$(DESTDIR)" ]; then \
		ldconfig; \
		! command -v systemd-sysusers >/dev/null || \
			systemd-sysusers $(SYSUSERSDIR)/oio.conf; \
		! command -v udevadm >/dev/null || udevadm control --reload; \
	fi

# The sources DKMS builds from: dkms add oio/$(VERSION).
install-dkms:
	for f in $(DKMS_FILES); do \
		install -D -m 644 $$f $(DESTDIR)$(DKMSDIR)/$$f || exit 1; \
	done

# kbuild's modules_install, to lib/modules/KVER/updates/ (under DESTDIR),
# unsigned (a kernel that enforces signatures wants DKMS's MOK signing).
install-module:
	@[ -f $(KDIR)/Makefile ] || { echo "install-module: no kernel build tree $(KDIR): install linux-headers-$(KVER), set KDIR, or use DKMS (make install-files, then dkms install oio/$(VERSION))" >&2; exit 1; }
	rm -rf $(B)/module/$(KVER)
	$(MAKE) install-dkms DESTDIR= DKMSDIR=$(B)/module/$(KVER)
	$(MAKE) -C $(KDIR) M=$(B)/module/$(KVER)/driver CONFIG_OIO=m modules
	$(MAKE) -C $(KDIR) M=$(B)/module/$(KVER)/driver CONFIG_OIO=m \
		CONFIG_MODULE_SIG_ALL= INSTALL_MOD_PATH=$(DESTDIR) \
		INSTALL_MOD_DIR=updates modules_install

uninstall: uninstall-files uninstall-module

uninstall-files:
	rm -f $(DESTDIR)$(LIBDIR)/liboio.so.$(LIB_VERSION) \
		$(DESTDIR)$(LIBDIR)/$(LIB_SONAME) $(DESTDIR)$(LIBDIR)/liboio.so \
		$(DESTDIR)$(LIBDIR)/pkgconfig/liboio.pc \
		$(DESTDIR)$(INCLUDEDIR)/liboio.h \
		$(DESTDIR)$(INCLUDEDIR)/linux/oio.h \
		$(DESTDIR)$(INCLUDEDIR)/linux/oio_dev.h $(DESTDIR)$(BINDIR)/oioctl \
		$(DESTDIR)$(MANDIR)/man8/oioctl.8 $(DESTDIR)$(BASHCOMPDIR)/oioctl \
		$(DESTDIR)$(SYSTEMDUNITDIR)/oio-telemetry.service \
		$(DESTDIR)$(SYSTEMDUNITDIR)/oio-telemetry.timer \
		$(DESTDIR)$(SYSUSERSDIR)/oio.conf \
		$(DESTDIR)$(UDEVDIR)/rules.d/60-oio.rules \
		$(DESTDIR)$(UDEVDIR)/oio-udev
	rm -rf $(DESTDIR)$(DKMSDIR) $(DESTDIR)$(SCHEMADIR)
	@[ -n "$(DESTDIR)" ] || ldconfig

uninstall-module:
	rm -f $(DESTDIR)/lib/modules/$(KVER)/updates/oio.ko
	@[ -n "$(DESTDIR)" ] || depmod $(KVER)

# ---- Debian packages ---------------------------------------------------

# dpkg-buildpackage in a copy of the sources (git's files, committed or
# not), so the tree stays clean; then lintian, which must report no error.

deb: $(DEB_STAMP)
$(DEB_STAMP): $(DEB_SOURCES) | $(DEPS)
	rm -rf $(DEB_DIR)
	mkdir -p $(DEB_DIR)/oio-$(VERSION)
	git ls-files --cached --others --exclude-standard -z | \
		xargs -0 cp --parents -t $(DEB_DIR)/oio-$(VERSION)
	cd $(DEB_DIR)/oio-$(VERSION) && dpkg-buildpackage -us -uc -b \
		> ../build.log 2>&1 || { tail -n 40 ../build.log; exit 1; }
	lintian --fail-on error --tag-display-limit 0 $@ \
		> $(DEB_DIR)/lintian.log 2>&1; rc=$$?; \
		grep -v 'root privileges' $(DEB_DIR)/lintian.log; exit $$rc

clean:
	tests/envelope-bg.sh stop $(B)/vm-logs
	rm -rf $(B)/guest $(B)/guest-gen $(B)/unit $(B)/vm-logs $(INITRD) \
		$(INITRD_612) $(INITRD_DEBUG) $(INITRD_NEWEST)

# Also forgets QEMU, the kernel and the apt caches: the next run refetches.
distclean:
	rm -rf $(B)
