#!/bin/sh
# Sourced by eval.sh and bench.sh: finds the data sets and extracts them
# once into a cache outside the clone. Sets $DS to the extracted folder, or
# prints SKIP and exits 77 when the data sets are absent.
src=${SYSANOM_DATASETS:-$(cd "$(dirname "$0")/../.." && pwd)/../shared/datasets}
if [ ! -f "$src/adfa-ld-dev.tar.xz" ] || [ ! -f "$src/hids-docker-dev.tar.xz" ]; then
	echo "SKIP: datasets not found at $src"
	exit 77
fi
key=$(cat "$src/adfa-ld-dev.tar.xz" "$src/hids-docker-dev.tar.xz" |
	sha256sum | cut -c1-16)
cache=${SYSANOM_CACHE:-/var/cache/sysanom}/datasets
mkdir -p "$cache" 2>/dev/null && [ -w "$cache" ] ||
	cache=${TMPDIR:-/tmp}/sysanom-datasets
DS=$cache/$key
if [ ! -f "$DS/.done" ]; then
	echo "extracting data sets into $DS" >&2
	rm -rf "$DS.tmp.$$"
	mkdir -p "$DS.tmp.$$"
	for f in adfa-ld-dev hids-docker-dev; do
		tar -xJf "$src/$f.tar.xz" -C "$DS.tmp.$$" || exit 1
	done
	touch "$DS.tmp.$$/.done"
	rm -rf "$DS"
	mv "$DS.tmp.$$" "$DS" || exit 1
fi
