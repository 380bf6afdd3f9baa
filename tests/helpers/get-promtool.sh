#!/bin/sh
# Prints the path of Prometheus's promtool from Debian's prometheus package,
# unpacked (never installed) into $SYSANOM_CACHE/promtool-VERSION once
# (apt-get download, 19 MB). Exit 1 with a reason when it cannot.
set -eu
cache=${SYSANOM_CACHE:-/var/cache/sysanom}
ver=$(apt-cache policy prometheus 2>/dev/null | sed -n 's/^ *Candidate: //p')
if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then echo "get-promtool: no prometheus package in apt's lists" >&2; exit 1; fi
dir=$cache/promtool-$(echo "$ver" | tr -c 'A-Za-z0-9.+~\n-' _)
if [ ! -x "$dir/usr/bin/promtool" ]; then
	mkdir -p "$cache"
	tmp=$(mktemp -d "$cache/.promtool.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && apt-get download -q "prometheus=$ver" > /dev/null) ||
		{ echo "get-promtool: apt-get download prometheus=$ver failed" >&2; exit 1; }
	dpkg-deb -x "$tmp"/prometheus_*.deb "$tmp/x"
	[ -x "$tmp/x/usr/bin/promtool" ] || { echo "get-promtool: no usr/bin/promtool in the package" >&2; exit 1; }
	rm -rf "$dir"
	mv "$tmp/x" "$dir"
fi
echo "$dir/usr/bin/promtool"
