#!/bin/bash
# Build the debug test kernel (KASAN, UBSAN, lockdep, kmemleak, KUnit,
# preemption, ia32 emulation: debug.config) from Debian unstable's
# linux-source-7.2, cached outside the clone and keyed by the source package
# version, the compiler, the config fragment and this script. Prints the
# build tree.
#
# The 7.2 sources want unstable's compiler (gcc-16): the kernel is built in
# the unstable root that get-kernel-series.sh makes for the debian-7.2
# kernel (the one the module-build-7.2 step builds in), with in_root
# (lib.sh), which binds $SYSANOM_CACHE at its own path there: the source
# and build trees have the same paths inside the root and out. The packages
# a kernel build needs beyond a module build (libc6-dev, flex, bison, bc,
# libelf-dev, gcc) are added to that root once. Modules for this tree are
# built in that root too (make_module with the root, as for debian-7.2).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

here=$(cd "$(dirname "$0")" && pwd)
frag=$here/debug.config
srcpkg=linux-source-7.2

load_kernel_series debian-7.2
root=$SERIES_ROOT
[ -n "$root" ] || die "the debian-7.2 kernel has no unstable root to build in"

# What a whole kernel build needs in that root (a module build needs less).
deps=(libc6-dev gcc make flex bison bc libelf-dev)
missing=()
for p in "${deps[@]}"; do
	st=$(chroot "$root" dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	[ "${st:0:2}" = ii ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	log "installing ${missing[*]} in $root"
	(
		flock 9
		in_root "$root" apt-get -q -o Acquire::Check-Valid-Until=false \
			-o Acquire::Languages=none update &&
		in_root "$root" env DEBIAN_FRONTEND=noninteractive apt-get -q -y \
			--no-install-recommends -o Dpkg::Options::=--path-exclude='/usr/share/doc/*' \
			install "${missing[@]}" &&
		in_root "$root" apt-get clean
	) 9> "$root/.sysanom-deps.lock" > "$SYSANOM_CACHE/debug-kernel-deps.log" 2>&1 || {
		tail -n 20 "$SYSANOM_CACHE/debug-kernel-deps.log" >&2
		die "cannot install ${missing[*]} in $root"
	}
fi
ccver=$(chroot "$root" gcc --version | head -n1)

# The source package, from the unstable lists get-kernel-series.sh keeps.
apt_dir=$SYSANOM_CACHE/apt-unstable
aptopts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=-
	-o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
	-o Dir::State::status=/dev/null -o Acquire::Languages=none -o APT::Sandbox::User=root
	-o Acquire::Check-Valid-Until=false)
srcver=$(apt-cache "${aptopts[@]}" show --no-all-versions "$srcpkg" 2>/dev/null |
	sed -n 's/^Version: //p' | head -n1)
[ -n "$srcver" ] || die "no $srcpkg in unstable (has unstable moved to another series? update $0)"

key=$( (echo "$srcver"; echo "$ccver"; cat "$frag" "$0") | sha256sum | cut -c1-16)
out=$SYSANOM_CACHE/kernel-debug-$key

if [ -f "$out/.done" ]; then
	echo "$out"
	exit 0
fi

src=$SYSANOM_CACHE/linux-source-$srcver
if [ ! -f "$src/.done" ]; then
	log "fetching $srcpkg $srcver"
	tmp=$(mktemp -d "$SYSANOM_CACHE/.src.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && apt-get "${aptopts[@]}" -q download "$srcpkg=$srcver" >&2) ||
		die "apt-get download $srcpkg=$srcver failed"
	dpkg-deb --fsys-tarfile "$tmp"/"$srcpkg"_*.deb |
		tar -xO "./usr/src/$srcpkg.tar.xz" > "$tmp/src.tar.xz"
	rm -f "$tmp"/*.deb
	mkdir -p "$tmp/src"
	tar -xJf "$tmp/src.tar.xz" -C "$tmp/src" --strip-components=1
	touch "$tmp/src/.done"
	rm -rf "$src"
	mv "$tmp/src" "$src"
	rm -rf "$tmp"
	trap - EXIT
fi

log "building in $out with $ccver (about 15 minutes on 2 cores)"
t0=$(date +%s)
rm -rf "$out"
mkdir -p "$out"
in_root "$root" make -s -C "$src" O="$out" tinyconfig >&2
cp "$frag" "$out/debug.config"	# seen in the root
in_root "$root" "$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$out/debug.config" >&2
in_root "$root" make -s -C "$src" O="$out" olddefconfig >&2

# merge_config silently drops what Kconfig refuses: check what we rely on.
missing=0
while IFS= read -r line; do
	case "$line" in CONFIG_*=*) ;; *) continue ;; esac
	if ! grep -qx "$line" "$out/.config"; then
		log "not set after olddefconfig: $line"
		missing=1
	fi
done < "$frag"
[ "$missing" = 0 ] || exit 1

in_root "$root" make -s -C "$src" O="$out" -j"$(nproc)" bzImage modules >&2
echo "$srcpkg $srcver, $ccver, $(($(date +%s) - t0))s" > "$out/.built-from"
touch "$out/.done"
log "built in $(($(date +%s) - t0))s"
echo "$out"
