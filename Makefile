# SPDX-License-Identifier: GPL-2.0-only
#
# oio: top-level build.
#
#   make demo    boot a VM with two emulated OIO cards and bring them up
#   make check   every test: host unit tests and VM tests on emulated cards
#   make bench   deterministic cost figures (guest time, MMIO) as tables
#   make install liboio, its headers and liboio.pc, oioctl, its man page
#                and completion under PREFIX (/usr/local)
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
	libjson-c-dev bc libelf-dev libssl-dev debootstrap

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
	driver/oio_regs.h include/uapi/linux/oio.h
GUEST_TESTS := conformance bringup multicard hotplug devlink-info nltest \
	sysfs-poll driver-defects fault-nth driver-stress privilege
GUEST_SCRIPTS := tap-lib driver-sysfs driver-hwmon driver-netlink driver-faults \
	demo link-drift-cli oioctl-cli driver-lifetime kmemleak
# The fuzzer builds its messages from the netlink spec.
SPEC_TABLE := $(B)/guest-gen/oio_spec_table.h
$(SPEC_TABLE): docs/netlink/specs/oio.yaml scripts/spec-table.py | $(B)/.deps
	@mkdir -p $(@D)
	$(PY) scripts/spec-table.py docs/netlink/specs/oio.yaml > $@.tmp
	mv $@.tmp $@

$(B)/guest/nlfuzz: tests/guest/nlfuzz.c $(SPEC_TABLE) $(GUEST_LIB) $(GUEST_HDRS)
	@mkdir -p $(@D)
	gcc $(GUEST_CFLAGS) -I$(B)/guest-gen -o $@ $< $(GUEST_LIB) -lm

# Guest programs that use liboio link against it like any user would.
GUEST_LIB_TESTS := link-bringup bench-lib
GUEST_BINS := $(B)/guest/vmctl $(addprefix $(B)/guest/,$(GUEST_TESTS)) \
	$(B)/guest/nlfuzz \
	$(addprefix $(B)/guest/,$(GUEST_SCRIPTS)) \
	$(addprefix $(B)/guest/,$(GUEST_LIB_TESTS)) $(B)/guest/bin/oioctl \
	$(B)/guest/json-check

DRIVER_SOURCES := $(wildcard driver/*.c driver/*.h) driver/Kbuild \
	include/uapi/linux/oio.h
# The VM tests load the module built for the kernel they boot (6.1);
# 6.12 is built too, to keep the driver compiling on both.
MODULE := $(B)/driver/6.1/oio.ko
MODULE_612 := $(B)/driver/6.12/oio.ko
MODULE_DEBUG := $(B)/driver/debug/oio.ko
MODULE_NEWEST := $(B)/driver/newest/oio.ko

UNIT_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror -Itests/qemu

# ---- liboio and oioctl -------------------------------------------------

LIB_VERSION := 0.1.0
LIB_SONAME := liboio.so.0
LIB_DEPS := libnl-genl-3.0 libpci libkmod
LIB_SOURCES := $(wildcard lib/*.c)
LIB_HDRS := $(wildcard lib/*.h) include/uapi/linux/oio.h
LIBOIO := $(B)/lib/liboio.so.$(LIB_VERSION)
USER_CFLAGS := -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror \
	-Iinclude/uapi
TOOL_SOURCES := $(wildcard tools/*.c)
OIOCTL := $(B)/tools/oioctl
PREFIX ?= /usr/local

.PHONY: all deps qemu kernel driver initramfs unit demo check clean distclean \
	lib tools bench install

all: $(QEMU) $(KERNEL) $(INITRD) $(MODULE_612) $(UNIT_TESTS) $(OIOCTL)

# ---- host packages ----------------------------------------------------

deps: $(B)/.deps
$(B)/.deps: Makefile
	@mkdir -p $(B)
	@missing=$$(for p in $(APT_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | \
		grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "deps: installing" $$missing; \
		apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends $$missing; \
	fi
	@touch $@

# ---- QEMU with the OIO engine model -----------------------------------

$(QEMU_SRC)/.unpacked: | $(B)/.deps
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

$(LIBOIO): $(LIB_SOURCES) $(LIB_HDRS) lib/liboio.map | $(B)/.deps
	@mkdir -p $(@D)
	gcc $(USER_CFLAGS) -fPIC -shared -fvisibility=hidden \
		$$(pkg-config --cflags $(LIB_DEPS)) \
		-Wl,-soname,$(LIB_SONAME) -Wl,--version-script=lib/liboio.map \
		-Wl,--no-undefined -o $@ $(LIB_SOURCES) \
		$$(pkg-config --libs $(LIB_DEPS)) -lpthread -lm
	ln -sf liboio.so.$(LIB_VERSION) $(B)/lib/$(LIB_SONAME)
	ln -sf $(LIB_SONAME) $(B)/lib/liboio.so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(LIB_VERSION)|' \
		lib/liboio.pc.in > $(B)/lib/liboio.pc

$(OIOCTL): $(TOOL_SOURCES) $(wildcard tools/*.h) $(LIBOIO)
	@mkdir -p $(@D)
	gcc $(USER_CFLAGS) -Ilib $$(pkg-config --cflags json-c) -o $@ \
		$(TOOL_SOURCES) -L$(B)/lib -loio $$(pkg-config --libs json-c) \
		-lpthread -lm

lib: $(LIBOIO)
tools: $(OIOCTL)

# ---- guest side -------------------------------------------------------

$(KERNEL): | $(B)/.deps
	scripts/fetch-kernel.sh $(B)

kernel: $(KERNEL)

$(B)/guest/vmctl: tests/guest/vmctl-main.c tests/guest/vmctl.c \
		tests/guest/vmctl.h | $(B)/.deps
	@mkdir -p $(@D)
	gcc $(GUEST_CFLAGS) -o $@ tests/guest/vmctl-main.c tests/guest/vmctl.c

$(B)/guest/%: tests/guest/%.c $(GUEST_LIB) $(GUEST_HDRS) | $(B)/.deps
	@mkdir -p $(@D)
	gcc $(GUEST_CFLAGS) -o $@ $< $(GUEST_LIB) -lm

$(addprefix $(B)/guest/,$(GUEST_LIB_TESTS)): $(B)/guest/%: tests/guest/%.c \
		$(GUEST_LIB) $(GUEST_HDRS) $(LIBOIO)
	@mkdir -p $(@D)
	gcc -O2 -std=gnu11 -Wall -Wextra -Werror -Idriver -Itests/guest -Ilib -Iinclude/uapi \
		-o $@ $< $(GUEST_LIB) -L$(B)/lib -loio -lpthread -lm

# JSON checks for the guest's shell tests, which have no jq.
$(B)/guest/json-check: tests/guest/json-check.c | $(B)/.deps
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

$(KERNEL_612): | $(B)/.deps
	scripts/fetch-kernel.sh $(B) 6.12

$(MODULE_612): $(DRIVER_SOURCES) $(KERNEL_612)
	scripts/build-module.sh $(B) 6.12

# Built from Debian's linux-source-6.1 with tests/kernel/debug.config:
# about ten minutes on two cores the first time, then cached.
$(KERNEL_DEBUG): tests/kernel/debug.config driver/Kconfig \
		scripts/build-debug-kernel.sh | $(B)/.deps $(KERNEL)
	nice -n 10 scripts/build-debug-kernel.sh $(B)
	@touch $@

$(MODULE_DEBUG): $(DRIVER_SOURCES) $(KERNEL_DEBUG) scripts/build-module.sh
	scripts/build-module.sh $(B) debug

# Its headers want gcc-14 and a newer sparse: the module is built in a
# minimal trixie tree (scripts/newest-kernel.sh), cached.
$(KERNEL_NEWEST): scripts/newest-kernel.sh | $(B)/.deps
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

# ---- host unit tests ----------------------------------------------------

$(B)/unit/test-physics: tests/unit/test-physics.c tests/qemu/oio-physics.c \
		tests/qemu/oio-physics.h | $(B)/.deps
	@mkdir -p $(@D)
	gcc $(UNIT_CFLAGS) -o $@ tests/unit/test-physics.c \
		tests/qemu/oio-physics.c $$(pkg-config --cflags --libs check) -lm

$(B)/unit/test-tuning: tests/unit/test-tuning.c lib/tuning.c lib/tuning.h \
		lib/liboio.h tests/qemu/oio-physics.c tests/qemu/oio-physics.h \
		| $(B)/.deps
	@mkdir -p $(@D)
	gcc $(UNIT_CFLAGS) -Ilib -Iinclude/uapi -o $@ tests/unit/test-tuning.c \
		lib/tuning.c tests/qemu/oio-physics.c \
		$$(pkg-config --cflags --libs check) -lm

$(B)/unit/test-parse: tests/unit/test-parse.c tools/parse.c tools/parse.h \
		| $(B)/.deps
	@mkdir -p $(@D)
	gcc $(USER_CFLAGS) -Itools -o $@ tests/unit/test-parse.c tools/parse.c \
		$$(pkg-config --cflags --libs check) -lm

$(B)/unit/test-output: tests/unit/test-output.c tools/output.c \
		tools/output.h lib/liboio.h | $(B)/.deps
	@mkdir -p $(@D)
	gcc $(USER_CFLAGS) -Itools -Ilib $$(pkg-config --cflags json-c) -o $@ \
		tests/unit/test-output.c tools/output.c \
		$$(pkg-config --cflags --libs check json-c) -lm

# The driver's pure helpers, compiled as the kernel compiles them.
$(B)/unit/test-ber: tests/unit/test-ber.c driver/oio_ber.h \
		$(wildcard tests/unit/kshim/linux/*.h) | $(B)/.deps
	@mkdir -p $(@D)
	gcc $(UNIT_CFLAGS) -Wno-format-truncation -Itests/unit/kshim -Idriver \
		-o $@ tests/unit/test-ber.c $$(pkg-config --cflags --libs check)

UNIT_TESTS := $(addprefix $(B)/unit/,test-physics test-tuning test-parse \
	test-output test-ber)

unit: $(UNIT_TESTS)
	for t in $(UNIT_TESTS); do $$t || exit 1; done

# ---- the two set-up commands -------------------------------------------

demo: $(QEMU) $(KERNEL) $(INITRD)
	@$(PY) tests/vm/run-vm.py --qemu $(QEMU) --kernel $(KERNEL) \
		--initrd $(INITRD) --cards 2 --seed 1 --tests demo \
		--log-dir $(B)/vm-logs/demo --name demo

CHECKPATCH := $(B)/checkpatch/linux-source-6.1/scripts/checkpatch.pl
$(CHECKPATCH): | $(B)/.deps
	scripts/fetch-checkpatch.sh $(B)

check: $(QEMU) $(KERNEL) $(INITRD) $(KERNEL_612) $(INITRD_612) \
		$(KERNEL_DEBUG) $(INITRD_DEBUG) $(KERNEL_NEWEST) $(INITRD_NEWEST) \
		$(CHECKPATCH) $(UNIT_TESTS) $(LIBOIO)
	@env B=$(B) PY=$(PY) QEMU=$(QEMU) KERNEL=$(KERNEL) INITRD=$(INITRD) \
		KERNEL_612=$(KERNEL_612) INITRD_612=$(INITRD_612) \
		KERNEL_DEBUG=$(KERNEL_DEBUG) INITRD_DEBUG=$(INITRD_DEBUG) \
		KERNEL_NEWEST=$(KERNEL_NEWEST) INITRD_NEWEST=$(INITRD_NEWEST) \
		QEMU_SRC=$(QEMU_SRC) CHECKPATCH=$(CHECKPATCH) tests/check.sh

# ---- benchmarks and installation ----------------------------------------

# Deterministic figures only: guest time under -icount and counted MMIO.
bench: $(QEMU) $(KERNEL) $(INITRD)
	@$(PY) tests/vm/run-vm.py --qemu $(QEMU) --kernel $(KERNEL) \
		--initrd $(INITRD) --cards 8 --mem 768 --seed 1 --icount 0 \
		--tests bench-lib,link-bringup --env OIO_SEEDS=10 \
		--env OIO_PHASES=seeds,parallel --log-dir $(B)/vm-logs/bench \
		--name bench > $(B)/vm-logs/bench.tap 2>&1; \
	rc=$$?; scripts/bench-table.sh $(B)/vm-logs/bench.tap; exit $$rc

DESTDIR ?=
install: $(LIBOIO) $(OIOCTL)
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig \
		$(DESTDIR)$(PREFIX)/include/linux $(DESTDIR)$(PREFIX)/bin \
		$(DESTDIR)$(PREFIX)/share/man/man8 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 755 $(LIBOIO) $(DESTDIR)$(PREFIX)/lib/
	ln -sf liboio.so.$(LIB_VERSION) $(DESTDIR)$(PREFIX)/lib/$(LIB_SONAME)
	ln -sf $(LIB_SONAME) $(DESTDIR)$(PREFIX)/lib/liboio.so
	install -m 644 $(B)/lib/liboio.pc $(DESTDIR)$(PREFIX)/lib/pkgconfig/
	install -m 644 lib/liboio.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 include/uapi/linux/oio.h $(DESTDIR)$(PREFIX)/include/linux/
	install -m 755 $(OIOCTL) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 docs/man/oioctl.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	install -m 644 tools/oioctl.bash-completion \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/oioctl

clean:
	rm -rf $(B)/guest $(B)/guest-gen $(B)/unit $(B)/vm-logs $(INITRD) \
		$(INITRD_612) $(INITRD_DEBUG) $(INITRD_NEWEST)

# Also forgets QEMU, the kernel and the apt caches: the next run refetches.
distclean:
	rm -rf $(B)
