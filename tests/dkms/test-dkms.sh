#!/bin/bash
# DKMS test: register the source tree with DKMS and build it against the
# installed Debian headers. Nothing is installed into /lib/modules; the DKMS
# registration and /usr/src copy are removed again, also on failure.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../vm/lib.sh
. "$(dirname "$0")/../vm/lib.sh"

command -v dkms > /dev/null || die "dkms is not installed (run tests/install-deps.sh)"
conf=$REPO_DIR/dkms.conf
[ -f "$conf" ] || die "$conf is missing"
name=$(sed -n 's/^PACKAGE_NAME="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$conf")
ver=$(sed -n 's/^PACKAGE_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$conf")
{ [ -n "$name" ] && [ -n "$ver" ]; } || die "no PACKAGE_NAME/PACKAGE_VERSION in $conf"
kmod=$(sed -n 's/^BUILT_MODULE_NAME\[0\]="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$conf")
rel=$(debian_kernel_release)
dst=/usr/src/$name-$ver

# One DKMS test at a time on this machine: they share /usr/src and /var/lib/dkms.
exec 9> /var/lock/sysanom-dkms-test.lock
flock 9

cleanup() {
	dkms remove -m "$name" -v "$ver" --all > /dev/null 2>&1 || true
	rm -rf "$dst" "/var/lib/dkms/$name/$ver"
	rmdir "/var/lib/dkms/$name" 2>/dev/null || true
}
cleanup	# leftovers of an interrupted run
trap cleanup EXIT

log "copying the tree to $dst"
copy_tree "$dst"
echo "+ dkms add -m $name -v $ver"
dkms add -m "$name" -v "$ver"
echo "+ dkms build -m $name -v $ver -k $rel"
if ! dkms build -m "$name" -v "$ver" -k "$rel"; then
	tail -n 40 "/var/lib/dkms/$name/$ver/build/make.log" 2>/dev/null || true
	die "dkms build failed"
fi
ko=$(find "/var/lib/dkms/$name/$ver/$rel" -name "${kmod:-$name}.ko*" | head -n1)
[ -n "$ko" ] || die "dkms build produced no ${kmod:-$name}.ko under /var/lib/dkms/$name/$ver/$rel"
vermagic=$(modinfo -F vermagic "$ko")
case "$vermagic" in
"$rel "*) ;;
*) die "$ko has vermagic '$vermagic', expected $rel" ;;
esac
dkms status -m "$name" -v "$ver"
echo "test-dkms: PASS $name $ver built for $rel: $ko"
