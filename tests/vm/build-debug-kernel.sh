#!/bin/bash
# Build the debug test kernel (KASAN, UBSAN, lockdep, kmemleak, KUnit) from
# Debian's linux-source-6.1, cached outside the clone and keyed by the source
# package version, the config fragment and this script. Prints the build tree.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${SYSANOM_CACHE:-/var/cache/sysanom}
frag=$here/debug.config

srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null) || {
	echo "build-debug-kernel: linux-source-6.1 is not installed" >&2
	exit 1
}
key=$( (echo "$srcver"; cat "$frag" "$0") | sha256sum | cut -c1-16)
out=$cache/kernel-debug-$key

if [ -f "$out/.done" ]; then
	echo "$out"
	exit 0
fi

mkdir -p "$cache"
src=$cache/linux-source-$srcver
if [ ! -f "$src/.done" ]; then
	echo "build-debug-kernel: extracting linux-source $srcver" >&2
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	tar -xJf /usr/src/linux-source-6.1.tar.xz -C "$src.tmp" --strip-components=1
	touch "$src.tmp/.done"
	mv "$src.tmp" "$src"
fi

echo "build-debug-kernel: building in $out (about 12 minutes on 2 cores)" >&2
rm -rf "$out"
mkdir -p "$out"
make -s -C "$src" O="$out" tinyconfig >&2
"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$frag" >&2
make -s -C "$src" O="$out" olddefconfig >&2

# merge_config silently drops what Kconfig refuses: check what we rely on.
missing=0
while IFS= read -r line; do
	case "$line" in CONFIG_*=y) ;; *) continue ;; esac
	if ! grep -qx "$line" "$out/.config"; then
		echo "build-debug-kernel: not set after olddefconfig: $line" >&2
		missing=1
	fi
done < "$frag"
[ "$missing" = 0 ] || exit 1

make -s -C "$src" O="$out" -j"$(nproc)" bzImage modules >&2
touch "$out/.done"
echo "$out"
