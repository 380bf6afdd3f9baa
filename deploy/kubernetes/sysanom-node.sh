#!/bin/sh
# The entry point of the sysanom pod (daemonset.yaml), on each node:
#  1. the module: already loaded, or modprobe (a DKMS build on the node), or
#     built here against the node's headers (/lib/modules/KVER/build and
#     /usr/src, mounted from the node) and insmod'ed; "sysanom.off" on the
#     node's kernel command line skips all of it and the pod idles;
#  2. the fleet's profiles (SYSANOM_FLEET_PROFILES, BASE.prof + BASE.meta)
#     are checked ('sysanomctl merge' of the one file refuses a corrupt or
#     truncated profile) and written atomically into the node's store;
#  3. the watcher runs in the host's cgroup namespace (its paths in
#     /proc/PID/cgroup are the host's), alerts as JSON lines on stdout.
#
# usage: sysanom-node.sh            all three steps
#        sysanom-node.sh seed       step 2 alone (tests)
set -eu

STORE=${SYSANOM_STORE:-/var/lib/sysanom}
FLEET=${SYSANOM_FLEET_PROFILES:-/etc/sysanom/fleet}
CONFIG=${SYSANOM_CONFIG:-/etc/sysanom/sysanom.conf}
SRC=${SYSANOM_MODULE_SRC:-/opt/sysanom-src}
SYSANOMCTL=${SYSANOMCTL:-sysanomctl}

log() { echo "sysanom-node: $*" >&2; }

load_module() {
	kver=$(uname -r)
	if grep -q '^sysanom ' /proc/modules; then
		log "the module is loaded"
		return 0
	fi
	if modprobe sysanom 2> /dev/null; then
		log "loaded the node's sysanom module (modprobe)"
		return 0
	fi
	[ -d "/lib/modules/$kver/build" ] || {
		log "no module for $kver and no headers to build one (/lib/modules/$kver/build): install linux-headers for it on the node, or sysanom-dkms"
		return 1
	}
	log "building the module for $kver"
	build=$(mktemp -d)
	cp -a "$SRC/." "$build/"
	if ! make -C "$build" module KDIR="/lib/modules/$kver/build" > "$build/make.log" 2>&1; then
		tail -n 20 "$build/make.log" >&2
		log "the module does not build for $kver"
		return 1
	fi
	insmod "$build/sysanom.ko"
	log "built and loaded the module for $kver"
	rm -rf "$build"
}

# Installs the fleet's profiles into the store; a bad one is reported and
# skipped, never stops the others.
seed() {
	[ -d "$FLEET" ] || { log "no fleet profiles ($FLEET)"; return 0; }
	mkdir -p "$STORE/profiles"
	ok=0 bad=0
	for prof in "$FLEET"/*.prof; do
		[ -e "$prof" ] || continue
		base=${prof##*/}
		base=${base%.prof}
		meta=$FLEET/$base.meta
		if [ ! -f "$meta" ] || ! grep -q '^key=.' "$meta"; then
			log "fleet profile $base: no $base.meta with a key=, skipped"
			bad=$((bad + 1))
			continue
		fi
		if ! "$SYSANOMCTL" merge -o "$STORE/profiles/$base.prof" "$prof" > /dev/null; then
			log "fleet profile $base: refused (see above), the node's own kept"
			bad=$((bad + 1))
			continue
		fi
		tmp=$STORE/profiles/.$base.meta.tmp
		cp "$meta" "$tmp" && sync "$tmp" && mv -f "$tmp" "$STORE/profiles/$base.meta"
		ok=$((ok + 1))
	done
	log "fleet profiles: $ok installed, $bad refused"
}

case "${1:-}" in
seed)
	seed
	exit 0
	;;
"") ;;
*)
	log "usage: sysanom-node.sh [seed]"
	exit 2
	;;
esac

if grep -qw 'sysanom.off' /proc/cmdline; then
	log "sysanom.off is on the node's kernel command line: not loading, idle"
	exec sleep infinity
fi
load_module
seed
exec nsenter --target 1 --cgroup -- \
	"$SYSANOMCTL" watch --json --config "$CONFIG" --store "$STORE"
