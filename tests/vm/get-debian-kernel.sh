#!/bin/bash
# Fetch Debian's kernel image matching the installed linux-headers-*-amd64
# (apt-get download + dpkg-deb -x: nothing is installed on the host), cache it
# under /var/cache/sysanom/kernel-debian-<release>-<version>/ and print the
# path of its vmlinuz.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

rel=$(debian_kernel_release)
ver=$(debian_kernel_version "$rel")
out=$SYSANOM_CACHE/kernel-debian-$rel-$ver
vmlinuz=$out/boot/vmlinuz-$rel

if [ -f "$out/.done" ] && [ -f "$vmlinuz" ]; then
	echo "$vmlinuz"
	exit 0
fi

mkdir -p "$SYSANOM_CACHE"
exec 9> "$SYSANOM_CACHE/.debian-kernel.lock"
flock 9
if [ -f "$out/.done" ] && [ -f "$vmlinuz" ]; then	# fetched while we waited
	echo "$vmlinuz"
	exit 0
fi
tmp=$(mktemp -d "$SYSANOM_CACHE/.dl.XXXXXX")
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT

pkg=linux-image-$rel-unsigned
log "downloading $pkg=$ver"
if ! (cd "$tmp" && apt-get download -q "$pkg=$ver" >&2); then
	log "exact version not downloadable, refreshing package lists"
	apt-get update -q >&2 || true
	(cd "$tmp" && apt-get download -q "$pkg=$ver" >&2) ||
		die "cannot download $pkg=$ver (is the installed linux-headers-$rel still in the archive?)"
fi
deb=$(ls "$tmp"/*.deb)
mkdir -p "$tmp/x"
dpkg-deb -x "$deb" "$tmp/x"
[ -f "$tmp/x/boot/vmlinuz-$rel" ] || die "$deb has no boot/vmlinuz-$rel"

rm -rf "$out"
mkdir -p "$out/boot"
# Only the image and its config are needed; the modules stay out of the cache.
cp "$tmp/x/boot/vmlinuz-$rel" "$tmp/x/boot/config-$rel" "$out/boot/"
touch "$out/.done"
echo "$vmlinuz"
