#!/bin/bash
# Fetch the newest amd64 kernel of another Debian series, without touching
# the machine's apt state: its kbuild tree (linux-headers-*-amd64, the
# -common headers, linux-kbuild-*) and its unsigned image
# (linux-image-*-amd64-unsigned, or linux-binary-unsigned-* from forky on),
# with `apt-get download` and a sources
# list, package lists and cache of its own under /var/cache/sysanom/apt-SERIES,
# unpacked with dpkg-deb -x into /var/cache/sysanom/kernel-SERIES-REL-VER/.
# Versions are discovered from the archive, on the mirror of the machine's
# own sources (deb.debian.org unless /etc/apt says otherwise).
#
# When the series' kbuild cannot run here (its host programs need a newer
# libc than Debian 12's, or its headers a compiler Debian 12 lacks, as for
# unstable), the kbuild tree is installed instead, with its compiler, in a
# minimal root of that series made by mmdebstrap (ROOT below); the module is
# then built in that root with chroot (see build_module in lib.sh).
#
# usage: get-kernel-series.sh [--refresh] SERIES
#   SERIES     bookworm-backports (6.12) | unstable (7.2 when written)
#   --refresh  read the archive's lists again even if fetched today
# Prints shell assignments, one a line:
#   RELEASE=6.12.95+deb12-amd64  VERSION=6.12.95-1~bpo12+1
#   KDIR=<kbuild tree; inside ROOT when ROOT is set>  VMLINUZ=<image>
#   ROOT=<root to chroot into for kbuild, or empty>
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

refresh=0
case "${1:-}" in --refresh) refresh=1; shift ;; esac
series=${1:-}
case "$series" in
bookworm-backports|unstable) ;;
-h|--help|"") sed -n '2,/^set -e/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
*) die "unknown series '$series' (bookworm-backports, unstable)" ;;
esac

# The mirror the machine's own Debian sources use.
debian_mirror() {
	local m
	m=$( { cat /etc/apt/sources.list 2>/dev/null || true
		cat /etc/apt/sources.list.d/*.sources 2>/dev/null || true
		cat /etc/apt/sources.list.d/*.list 2>/dev/null || true; } |
		sed -n -e 's/^URIs: *\([^ ]*\/debian\/*\)$/\1/p' \
			-e 's/^deb \(\[[^]]*\] \)\{0,1\}\([^ ]*\/debian\/*\) .*/\2/p' |
		grep -v -e '^#' | head -n1)
	echo "${m:-http://deb.debian.org/debian}"
}

apt_dir=$SYSANOM_CACHE/apt-$series
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
exec 9> "$apt_dir/lock"
flock 9
mirror=$(debian_mirror)
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
echo "deb [signed-by=$keyring] $mirror $series main" > "$apt_dir/sources.list"
aptopts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=-
	-o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
	-o Dir::State::status=/dev/null -o Acquire::Languages=none -o APT::Get::List-Cleanup=0
	-o APT::Sandbox::User=root
	# The archive may be a snapshot whose Release files are past their
	# Valid-Until: their signatures are still checked.
	-o Acquire::Check-Valid-Until=false)

# Read the lists at most once a day (or on --refresh). Without the archive,
# the newest tree fetched before still serves.
stamp=$apt_dir/lists/.updated
if [ "$refresh" = 1 ] || [ -z "$(find "$stamp" -mmin -1440 2>/dev/null)" ]; then
	log "reading the $series lists from $mirror"
	if apt-get "${aptopts[@]}" -q update > "$apt_dir/update.log" 2>&1; then
		touch "$stamp"
	else
		tail -n 5 "$apt_dir/update.log" >&2
		# shellcheck disable=SC2012
		last=$(ls -1dt "$SYSANOM_CACHE/kernel-$series-"*/.done 2>/dev/null | head -n1)
		[ -n "$last" ] || die "apt-get update for $series failed and nothing is cached"
		log "apt-get update failed: using $(dirname "$last")"
		cat "$(dirname "$last")/series.env"
		exit 0
	fi
fi

# The candidate version of package $1, and a field of it.
pkg_field() {
	apt-cache "${aptopts[@]}" show --no-all-versions "$1" 2>/dev/null |
		sed -n "s/^$2: //p" | head -n1
}
has_pkg() { [ -n "$(pkg_field "$1" Version)" ]; }

ver=$(pkg_field linux-headers-amd64 Version)
[ -n "$ver" ] || die "no linux-headers-amd64 in $series"
rel=$(pkg_field linux-headers-amd64 Depends | grep -oE 'linux-headers-[^ ,]+-amd64' |
	head -n1 | sed 's/^linux-headers-//')
[ -n "$rel" ] || die "cannot tell the kernel release from linux-headers-amd64=$ver"
deps=$(pkg_field "linux-headers-$rel" Depends)
common=$(echo "$deps" | grep -oE 'linux-headers-[^ ,]+-common' | head -n1)
kbuild=$(echo "$deps" | grep -oE 'linux-kbuild-[^ ,]+' | head -n1)
cc=$(echo "$deps" | grep -oE '(^|[ ,])gcc-[0-9]+' | tr -d ' ,' | head -n1)
{ [ -n "$common" ] && [ -n "$kbuild" ]; } || die "unexpected Depends of linux-headers-$rel: $deps"
# The unsigned image: linux-image-REL-unsigned up to trixie, then
# linux-binary-unsigned-REL (linux-image-REL became a package of packages).
image=""
for p in "linux-image-$rel-unsigned" "linux-binary-unsigned-$rel" "linux-image-$rel"; do
	if has_pkg "$p"; then image=$p; break; fi
done
[ -n "$image" ] || die "no image package for $rel in $series"

out=$SYSANOM_CACHE/kernel-$series-$rel-$ver
if [ -f "$out/.done" ]; then
	cat "$out/series.env"
	exit 0
fi

# Can this machine run that kbuild? Its host programs' libc, and its compiler.
need_root=0
libc_need=$(pkg_field "$kbuild" Depends | grep -oE 'libc6 \(>= [^)]+\)' | sed 's/^libc6 (>= \(.*\))$/\1/')
libc_have=$(dpkg-query -W -f='${Version}' libc6)
if [ -n "$libc_need" ] && ! dpkg --compare-versions "$libc_have" ge "$libc_need"; then
	log "$kbuild needs libc6 >= $libc_need (here $libc_have): kbuild runs in a $series root"
	need_root=1
fi
if [ -n "$cc" ] && ! command -v "$cc" > /dev/null; then
	log "linux-headers-$rel wants $cc, which this machine lacks: kbuild runs in a $series root"
	need_root=1
fi

log "fetching $rel ($ver) from $series into $out"
tmp=$(mktemp -d "$SYSANOM_CACHE/.series.XXXXXX")
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
pkgs=("$image=$ver")
# From forky on, the config is in linux-base-REL.
! has_pkg "linux-base-$rel" || pkgs+=("linux-base-$rel=$ver")
[ "$need_root" = 1 ] || pkgs+=("linux-headers-$rel=$ver" "$common=$ver" "$kbuild=$ver")
(cd "$tmp" && apt-get "${aptopts[@]}" -q download "${pkgs[@]}" >&2) ||
	die "apt-get download ${pkgs[*]} failed"
mkdir -p "$tmp/x"
for deb in "$tmp"/*.deb; do
	dpkg-deb -x "$deb" "$tmp/x"
done
# The image and its config, at /boot up to trixie, then in the modules'
# directory (vmlinuz.unsigned, config): keep them as boot/*-REL.
mkdir -p "$tmp/boot"
for f in boot/vmlinuz-$rel usr/lib/modules/$rel/vmlinuz.unsigned usr/lib/modules/$rel/vmlinuz; do
	if [ -f "$tmp/x/$f" ]; then cp "$tmp/x/$f" "$tmp/boot/vmlinuz-$rel"; break; fi
done
for f in boot/config-$rel usr/lib/modules/$rel/config; do
	if [ -f "$tmp/x/$f" ]; then cp "$tmp/x/$f" "$tmp/boot/config-$rel"; break; fi
done
[ -f "$tmp/boot/vmlinuz-$rel" ] || die "$image has no kernel image for $rel"

if [ "$need_root" = 1 ]; then
	command -v mmdebstrap > /dev/null || die "mmdebstrap is not installed (run tests/install-deps.sh)"
	# The headers package with what it depends on: the series' compiler,
	# binutils, libc and kbuild, as on a host of that series.
	mmdebstrap --variant=apt --include="linux-headers-$rel=$ver,make" \
		--aptopt='Acquire::Languages "none"' \
		--aptopt='Acquire::Check-Valid-Until "false"' \
		--dpkgopt='path-exclude=/usr/share/{doc,man,locale}/*' \
		"$series" "$tmp/root" "deb [signed-by=$keyring] $mirror $series main" \
		> "$tmp/mmdebstrap.log" 2>&1 || {
		tail -n 20 "$tmp/mmdebstrap.log" >&2
		die "mmdebstrap of a $series root failed"
	}
	kdir=/usr/src/linux-headers-$rel
	[ -f "$tmp/root$kdir/Makefile" ] || die "the $series root has no $kdir"
else
	kdir=$out/usr/src/linux-headers-$rel
	# The headers' Makefile includes the -common tree at its installed
	# path: point it at the unpacked one.
	mk=$tmp/x/usr/src/linux-headers-$rel/Makefile
	[ -f "$mk" ] || die "linux-headers-$rel has no Makefile"
	sed -i "s#/usr/src/linux-headers-#$out/usr/src/linux-headers-#g" "$mk"
	grep -q "$out/usr/src/$common" "$mk" || die "cannot point $mk at $common"
	# Absolute symlinks into /usr/lib/linux-kbuild-*: make them relative.
	find "$tmp/x/usr/src" -type l -lname '/*' | while read -r l; do
		ln -sfn "$(realpath -m --relative-to="$(dirname "$l")" "$tmp/x$(readlink "$l")")" "$l"
	done
fi

rm -rf "$out"
mkdir -p "$out"
mv "$tmp/boot" "$out/boot"
if [ "$need_root" = 1 ]; then
	mv "$tmp/root" "$out/root"
	root=$out/root
else
	# The image's modules stay out: the guests load none of them.
	rm -rf "$tmp/x/usr/lib/modules" "$tmp/x/lib/modules"
	mv "$tmp/x/usr" "$out/usr"
	root=
fi
cat > "$out/series.env" <<EOF
RELEASE=$rel
VERSION=$ver
KDIR=$kdir
VMLINUZ=$out/boot/vmlinuz-$rel
ROOT=$root
EOF
touch "$out/.done"
# Older trees of this series go.
for d in "$SYSANOM_CACHE/kernel-$series-"*; do
	[ "$d" = "$out" ] || rm -rf "$d"
done
cat "$out/series.env"
