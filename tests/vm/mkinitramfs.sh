#!/bin/bash
# Build the guest initramfs: busybox-static, the module (and the KUnit module),
# sysanomctl and runc with their shared libraries, an OCI bundle with a
# busybox rootfs, the guest /init and the scenario scripts.
#
# usage: mkinitramfs.sh --out FILE.gz --flavor debian|debug --module sysanom.ko
#                       --ctl sysanomctl [--kunit sysanom_kunit.ko]
#                       [--bin PROGRAM]... [--file SRC:DEST]... [--services]
#                       SCENARIO.sh...
#   --file      also SRC at the guest's path DEST (data a scenario reads)
#   --services  also real services from Debian's packages (services-files.sh)
#               and a second OCI bundle template, /bundle-svc, whose rootfs
#               shares the guest's /bin, /sbin, /lib, /lib64 and /usr read-only
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

out="" flavor="" module="" ctl="" kunit="" services=0
scenarios=() files=()
while [ $# -gt 0 ]; do
	case "$1" in
	--out) out=$2; shift 2 ;;
	--flavor) flavor=$2; shift 2 ;;
	--module) module=$2; shift 2 ;;
	--ctl) ctl=$2; shift 2 ;;
	--kunit) kunit=$2; shift 2 ;;
	--bin) bins+=("$2"); shift 2 ;;
	--file) files+=("$2"); shift 2 ;;
	--services) services=1; shift ;;
	-*) die "unknown option $1" ;;
	*) scenarios+=("$1"); shift ;;
	esac
done
{ [ -n "$out" ] && [ -n "$flavor" ]; } || die "usage: $0 --out FILE --flavor debian|debug [--module KO] [--ctl BIN] [--kunit KO] SCENARIO..."

busybox=/bin/busybox
file -L "$busybox" 2>/dev/null | grep -q 'statically linked' ||
	ldd "$busybox" 2>&1 | grep -q 'not a dynamic executable' ||
	die "$busybox is not static (install busybox-static)"
command -v runc >/dev/null || die "runc is not installed"

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
chmod 0755 "$root"	# the guest's /: mktemp made it 0700

# Copy an executable and the shared libraries it needs, at the same paths.
copy_bin() {
	local bin=$1 dest=$2 lib
	install -D -m 0755 "$bin" "$root$dest"
	# A static program has no libraries: ldd then fails, which is fine.
	{ ldd "$bin" 2>/dev/null || true; } | { grep -oE '/[^ ]+' || true; } | while read -r lib; do
		[ -e "$lib" ] || continue
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}

mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,run,etc,root,lib/sysanom,scenarios}
install -m 0755 "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
	[ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
done
install -m 0755 "$TESTS_DIR/vm/init" "$root/init"
install -m 0644 "$TESTS_DIR/vm/guest-lib.sh" "$root/lib/sysanom/guest-lib.sh"
install -m 0644 "$TESTS_DIR/helpers/prom-check.awk" "$root/lib/sysanom/prom-check.awk"

copy_bin "$(command -v runc)" /usr/sbin/runc
# strace records workloads for profiles learnt offline (sysanomctl learn).
copy_bin "$(command -v strace)" /usr/bin/strace
[ -z "$ctl" ] || copy_bin "$ctl" /usr/sbin/sysanomctl
for b in ${bins[@]+"${bins[@]}"}; do
	copy_bin "$b" "/usr/sbin/$(basename "$b")"
done
[ -z "$module" ] || install -m 0644 "$module" "$root/lib/sysanom/sysanom.ko"
[ -z "$kunit" ] || install -m 0644 "$kunit" "$root/lib/sysanom/sysanom_kunit.ko"
for s in "${scenarios[@]}"; do
	install -m 0755 "$s" "$root/scenarios/$(basename "$s")"
done
for f in ${files[@]+"${files[@]}"}; do
	if [ ! -f "${f%%:*}" ] || [ "${f#*:}" = "$f" ]; then die "--file $f: not SRC:DEST with SRC a file"; fi
	install -D -m 0644 "${f%%:*}" "$root/${f#*:}"
done

# An OCI bundle template: busybox rootfs, no terminal, runs /workload.sh (which
# a scenario writes into the rootfs). cgroupsPath is the placeholder @CGROUP@.
# Mounts the debug kernel lacks (mqueue) or no terminal needs (devpts) go away.
bundle=$root/bundle
mkdir -p "$bundle/rootfs"/{bin,proc,sys,dev,tmp,etc}
install -m 0755 "$busybox" "$bundle/rootfs/bin/busybox"
for applet in sh sleep cat echo ls true seq; do
	ln -sf busybox "$bundle/rootfs/bin/$applet"
done
(cd "$bundle" && runc spec)
jq '.process.terminal = false
  | .process.args = ["/bin/sh", "/workload.sh"]
  | .root.readonly = false
  | .hostname = "sysanom-ct"
  | .linux.cgroupsPath = "@CGROUP@"
  | .mounts |= map(select(.type != "mqueue" and .type != "devpts"))' \
	"$bundle/config.json" > "$bundle/config.json.new"
mv "$bundle/config.json.new" "$bundle/config.json"

if [ "$services" = 1 ]; then
	"$TESTS_DIR/vm/services-files.sh" "$root"
	# The services' bundle: the rootfs holds only mount points, a writable
	# /tmp, /run and /var, and an /etc the scenario fills; the programs and
	# libraries are the guest's own, bound read-only. The container's user
	# is the placeholder @UID@:@GID@ (the default capabilities cannot
	# setuid, so a service runs as its own user from the start).
	sb=$root/bundle-svc
	mkdir -p "$sb/rootfs"/{bin,sbin,lib,lib64,usr,proc,sys,dev,tmp,run,var/tmp,etc}
	chmod 1777 "$sb/rootfs/tmp" "$sb/rootfs/var/tmp"
	jq '.process.user = {uid: "@UID@", gid: "@GID@"}
	  | .mounts += [ ("/bin", "/sbin", "/lib", "/lib64", "/usr")
	      | {destination: ., type: "bind", source: ., options: ["rbind", "ro"]} ]
	  | .hostname = "sysanom-svc"' "$bundle/config.json" > "$sb/config.json"
fi

cat > "$root/etc/sysanom-test.conf" <<CONF
FLAVOR=$flavor
HAVE_SERVICES=$services
HAVE_MODULE=$([ -n "$module" ] && echo 1 || echo 0)
HAVE_CTL=$([ -n "$ctl" ] && echo 1 || echo 0)
HAVE_KUNIT=$([ -n "$kunit" ] && echo 1 || echo 0)
SERVICES_PG=${SYSANOM_SERVICES_PG:-0}
CONF
printf '%s\n' "root:x:0:0:root:/root:/bin/sh" "nobody:x:65534:65534:nobody:/:/bin/sh" \
	> "$root/etc/passwd"
printf '%s\n' "root:x:0:" "nogroup:x:65534:" > "$root/etc/group"
if [ "$services" = 1 ]; then
	# The services' users, with Debian's ids for www-data.
	printf '%s\n' "www-data:x:33:33:www-data:/var/www:/bin/sh" \
		"postgres:x:101:101:PostgreSQL administrator:/var/lib/postgresql:/bin/sh" \
		"memcache:x:102:102:Memcached:/nonexistent:/bin/false" \
		"redis:x:103:103::/var/lib/redis:/usr/sbin/nologin" >> "$root/etc/passwd"
	printf '%s\n' "www-data:x:33:" "postgres:x:101:" "memcache:x:102:" "redis:x:103:" >> "$root/etc/group"
fi

mkdir -p "$(dirname "$out")"
(cd "$root" && find . -print0 | sort -z | cpio --null -o -H newc --owner 0:0 --quiet) |
	gzip -1 > "$out"
log "wrote $out ($(du -h "$out" | cut -f1))"
