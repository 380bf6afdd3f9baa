# SPDX-License-Identifier: GPL-2.0
# sysanom: the kernel module and sysanomctl.
#
#   make                 build sysanom.ko and sysanomctl
#   make module KDIR=..  build sysanom.ko against another kernel build tree
#   make install         install both (modules_install, depmod, /usr/local)
#   make deb             Debian packages sysanom-dkms and sysanom in build/deb/
#   make demo            a trained container in a QEMU guest
#   make check           every test: userspace, packages, guests on every kernel
#   make check-fleet     the fleet path in three QEMU guests (~6-8 min, not in check)
#   make check-services  only the check's real-services step: nginx, memcached, Redis
#                        trained, enforced and attacked at the defaults (~11 min)
#   make check-system    only the check's real-system step: the packages on a Debian
#                        12 system with systemd, in QEMU, whose watcher trains and
#                        enforces runc containers
#   make bench           replay ADFA-LD through the detection core
#   make bench-kernel    system-call overhead in a guest, against an empty probe

# The running kernel's kbuild tree, else the newest one installed.
KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
	$(lastword $(sort $(wildcard /lib/modules/*/build))))
PREFIX ?= /usr/local
DESTDIR ?=

all: module tools

module:
	@test -n "$(KDIR)" || { echo "no kernel build tree: install linux-headers-amd64 or set KDIR" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

tools:
	$(MAKE) -C tools/sysanomctl

install: all
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install
	depmod -a $(notdir $(patsubst %/build,%,$(KDIR)))
	$(MAKE) -C tools/sysanomctl install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)

deb:
	deploy/make-deb.sh $(CURDIR)/build/deb

deps:
	tests/install-deps.sh

demo: deps
	tests/vm/demo.sh

check: deps
	tests/run-all.sh

check-system: deps
	tests/run-all.sh system
check-fleet: deps
	tests/vm/fleet.sh
check-services: deps
	tests/run-all.sh services

bench: deps
	$(MAKE) -C tests/core bench

bench-kernel: deps
	tests/bench/overhead.sh

clean:
	-test -z "$(KDIR)" || $(MAKE) -C $(KDIR) M=$(CURDIR) clean
	# DKMS runs this in /usr/src/sysanom-*, which has no tools/.
	test ! -d tools/sysanomctl || $(MAKE) -C tools/sysanomctl clean

.PHONY: all module tools install deb deps demo check check-system check-fleet check-services bench bench-kernel clean
