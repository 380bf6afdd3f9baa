#!/bin/bash
# Install every Debian 12 package that building sysanom and running its tests
# need. Idempotent: when everything is installed it only checks and returns.
set -euo pipefail

packages=(
	# build: module, sysanomctl, detection core
	build-essential make gcc pkg-config libmnl-dev libsystemd-dev linux-headers-amd64 kmod
	# the debug test kernel from Debian's sources, and checkpatch
	linux-source-6.1 flex bison bc libelf-dev libssl-dev xz-utils perl
	# a static i386 test program (26-ia32): gcc -m32 -static
	gcc-multilib
	# core tests: fuzzing (libFuzzer) and memory checking
	clang libclang-rt-14-dev valgrind
	# guest tests
	qemu-system-x86 qemu-utils e2fsprogs busybox-static runc strace cpio gzip rsync jq file util-linux coreutils
	# real services in the guest (tests/vm/services-files.sh, 40-services)
	nginx fcgiwrap curl wrk postgresql-15 postgresql-client-15 memcached libmemcached-tools redis-server redis-tools
	# the watcher's userspace test: a fake journald socket
	python3
	# linting the test scripts
	shellcheck
	# deploy/kubernetes/: YAML parsing (tests/deploy/test-kubernetes.sh)
	python3 python3-yaml
	# DKMS
	dkms
	# make deb and its test: debhelper, dh_dkms, lintian, systemd-analyze
	# verify (which also reads the man page), the bash completion's helpers
	dpkg-dev debhelper dh-dkms lintian systemd man-db bash-completion
	# fetching Debian's kernel image without installing it
	apt dpkg ca-certificates
	# other Debian kernels (get-kernel-series.sh): pahole makes the BTF of
	# modules for 6.12's headers; an unstable root builds for 7.2
	dwarves mmdebstrap
)

missing=()
for p in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	[ "${status:0:2}" = ii ] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all ${#packages[@]} packages are installed"
	exit 0
fi

sudo=
if [ "$(id -u)" != 0 ]; then
	command -v sudo > /dev/null || { echo "install-deps: run as root (missing: ${missing[*]})" >&2; exit 1; }
	sudo=sudo
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
# Recommends are skipped, except that dkms is useless without its recommended
# compiler toolchain, which build-essential already brings.
# The services are for the guest only: none may start on this machine. A
# policy-rc.d that denies every start, for the time of the install, unless
# the machine has its own.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\n# sysanom install-deps.sh: no service starts while it installs\nexit 101\n' |
		$sudo tee "$policy" > /dev/null
	$sudo chmod 0755 "$policy"
	trap '$sudo rm -f "$policy"' EXIT
fi
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
# Packages installed before this script (or with systemd running anyway):
# stop what may be running.
for svc in nginx fcgiwrap memcached postgresql redis-server; do
	if command -v systemctl > /dev/null && systemctl is-active -q "$svc" 2> /dev/null; then
		$sudo systemctl disable --now "$svc" || true
	fi
done
