#!/bin/bash
# 'make deb': build the Debian packages sysanom-dkms and sysanom (and the
# source package) from the working tree, in a clean copy under build/deb/,
# which receives the .deb, .dsc, .tar.xz, .buildinfo and .changes files.
# The version is dkms.conf's PACKAGE_VERSION (debian/rules checks that
# debian/changelog agrees).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/build/deb}
ver=$(sed -n 's/^PACKAGE_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$top/dkms.conf")
[ -n "$ver" ] || { echo "make-deb: no PACKAGE_VERSION in dkms.conf" >&2; exit 1; }

if ! (cd "$top" && dpkg-checkbuilddeps); then
	echo "make-deb: dpkg-checkbuilddeps failed (above); the build dependencies: apt-get install dpkg-dev debhelper dh-dkms libmnl-dev pkg-config" >&2
	exit 1
fi

src=$out/sysanom-$ver
rm -rf "$src"
mkdir -p "$src"
rm -f "$out"/sysanom*_"$ver"*
# The tree as it is, without what builds and tests leave behind.
tar -C "$top" -c --exclude-vcs \
	--exclude=./build --exclude=./tests/results \
	--exclude=./tools/sysanomctl/build --exclude=./tools/sysanomctl/sysanomctl \
	--exclude='*.o' --exclude='*.ko' --exclude='*.mod' --exclude='*.mod.c' \
	--exclude='*.cmd' --exclude='*.a' --exclude='*.o.d' --exclude=modules.order \
	--exclude=Module.symvers --exclude=.tmp_versions \
	--exclude=./debian/.debhelper --exclude=./debian/sysanom --exclude=./debian/sysanom-dkms \
	--exclude=./debian/files --exclude='./debian/*.substvars' \
	--exclude='./debian/*.debhelper*' --exclude=./debian/debhelper-build-stamp \
	. | tar -C "$src" -x
(cd "$src" && dpkg-buildpackage --no-sign -us -uc -sa)
rm -rf "$src"
ls -1 "$out"/*.deb
