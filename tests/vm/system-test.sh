#!/bin/bash
# The packages on a real system: a Debian 12 root with systemd as PID 1,
# made by mmdebstrap from Debian's archive with Debian's 6.1 kernel (the one
# of the installed headers) and its headers, booted in QEMU. The two .debs
# of 'make deb' are installed in it and the boots that follow are checked by
# tests/vm/system-guest.sh, a stage per boot:
#   install  dpkg -i both (DKMS builds the module in the guest), which starts
#            sysanom.service: the module is loaded and the watcher runs; a
#            runc container of an image (named by an OCI annotation) is
#            trained, calibrated, saved to /var/lib/sysanom and enforced with
#            no command; a second one of that image gets the stored profile
#   boot     after a power cycle: sysanom.service loaded the module at boot;
#            the profile is back, a new container of the image enforces it
#            with no training, and an intruder's shell in it is an alert in
#            'journalctl -o json' naming the container and the image
#   off      with sysanom.off on the kernel command line: it did not
# The root is cached as an ext4 image under
# /var/cache/sysanom/system-bookworm-<key>/, the key hashing how it is made
# (build_image below, the driver unit) and from what (the mirror, the
# packages, the kernel's release and version); each run boots a qcow2
# overlay of it, so the image itself is never changed.
#
# usage: tests/vm/system-test.sh [--debs DIR] [--root-only] RESULTS_DIR
#   --debs DIR   take sysanom-dkms_*.deb and sysanom_*.deb from DIR instead of
#                running 'make deb' in a scratch copy of the tree
#   --root-only  make the cached root if it is missing, and stop
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

debs=""
root_only=0
while [ $# -gt 1 ]; do
	case "$1" in
	--debs) debs=$2; shift 2 ;;
	--root-only) root_only=1; shift ;;
	*) die "unknown option $1" ;;
	esac
done
out=${1:?usage: system-test.sh [--debs DIR] [--root-only] RESULTS_DIR}
for c in mmdebstrap qemu-system-x86_64 qemu-img mkfs.ext4 debugfs; do
	command -v "$c" > /dev/null || die "$c is missing (run tests/install-deps.sh)"
done

rel=$(debian_kernel_release)
kver=$(debian_kernel_version "$rel")
mirror=http://deb.debian.org/debian
# What the root holds besides apt's minimal set: systemd as PID 1, the
# kernel and its headers at the version of this machine's headers, and what
# the two packages depend on (dkms brings the compiler), so that installing
# them in the guest needs no network.
# runc, a static busybox (the containers' root) and jq (to write their
# config.json) for the watcher's checks.
pkgs=(systemd-sysv udev kmod e2fsprogs mount initramfs-tools dkms libmnl0
	runc busybox-static jq
	"linux-image-$rel=$kver" "linux-headers-$rel=$kver")

# --- the cached root ------------------------------------------------------
build_image() {
	local tmp root
	tmp=$(mktemp -d "$SYSANOM_CACHE/.system.XXXXXX")
	chmod 755 "$tmp"
	# shellcheck disable=SC2064	# $tmp now
	trap "rm -rf '$tmp'" EXIT
	root=$tmp/root
	log "making the Debian 12 root (${pkgs[*]}) in $root"
	# Hooks: the initramfs needs only what boots a virtio disk with ext4
	# (MODULES=list), regenerated once that list is written; a fstab; the
	# test driver's unit, enabled; timers that would only slow the boots, masked.
	# shellcheck disable=SC2016	# $1 is the root, in mmdebstrap's hooks
	mmdebstrap --variant=apt --include="$(IFS=,; echo "${pkgs[*]}")" \
		--aptopt='Acquire::Languages "none"' \
		--dpkgopt='path-exclude=/usr/share/{doc,locale}/*' \
		--setup-hook='mkdir -p "$1/etc/initramfs-tools/conf.d" && echo MODULES=list > "$1/etc/initramfs-tools/conf.d/sysanom-test"' \
		--customize-hook='printf "virtio_pci\nvirtio_blk\next4\n" >> "$1/etc/initramfs-tools/modules"' \
		--customize-hook="chroot \"\$1\" update-initramfs -u -k $rel" \
		--customize-hook='echo "/dev/vda / ext4 rw,errors=remount-ro 0 1" > "$1/etc/fstab"; echo systest > "$1/etc/hostname"' \
		--customize-hook="cp '$TESTS_DIR/vm/system-driver.service' \"\$1/etc/systemd/system/sysanom-systest.service\"" \
		--customize-hook='mkdir -p "$1/etc/systemd/system/multi-user.target.wants" && ln -s /etc/systemd/system/sysanom-systest.service "$1/etc/systemd/system/multi-user.target.wants/"' \
		--customize-hook='for t in apt-daily apt-daily-upgrade dpkg-db-backup e2scrub_all fstrim; do ln -sf /dev/null "$1/etc/systemd/system/$t.timer"; done' \
		bookworm "$root" \
		"deb $mirror bookworm main" "deb $mirror bookworm-updates main" \
		"deb ${mirror%/debian}/debian-security bookworm-security main" \
		> "$tmp/mmdebstrap.log" 2>&1 || {
		tail -n 30 "$tmp/mmdebstrap.log" >&2
		die "mmdebstrap failed (log above)"
	}
	if [ ! -f "$root/boot/vmlinuz-$rel" ] || [ ! -f "$root/boot/initrd.img-$rel" ]; then
		die "the root has no /boot/vmlinuz-$rel or initrd.img-$rel"
	fi
	mkdir -p "$tmp/out"
	cp "$root/boot/vmlinuz-$rel" "$tmp/out/vmlinuz"
	cp "$root/boot/initrd.img-$rel" "$tmp/out/initrd.img"
	log "making the ext4 image of the root ($(du -sh "$root" | cut -f1))"
	mkfs.ext4 -q -F -L systest-root -d "$root" "$tmp/out/rootfs.img" 4G
	cp "$tmp/mmdebstrap.log" "$tmp/out/"
	printf '%s\n' "${pkgs[@]}" > "$tmp/out/packages"
	touch "$tmp/out/.done"
	rm -rf "$img"
	mv "$tmp/out" "$img"
	rm -rf "$tmp"
	trap - EXIT
	# Roots of other keys are out of date; one used in the last day (its
	# folder's time, touched by every run) may be another branch's, in use.
	find "$SYSANOM_CACHE" -maxdepth 1 -name 'system-bookworm-*' ! -path "$img" -mmin +1440 -exec rm -rf {} +
}
# The key: how the root is made (build_image, the driver unit) and from what.
key=$( { declare -f build_image; cat "$TESTS_DIR/vm/system-driver.service"
	printf '%s\n' "$mirror" "${pkgs[@]}"; } | sha256sum | cut -c1-16)
img=$SYSANOM_CACHE/system-bookworm-$key
t_start=$(date +%s)

mkdir -p "$SYSANOM_CACHE" "$out"
exec 8> "$SYSANOM_CACHE/.system-bookworm.lock"
flock 8
if [ -f "$img/.done" ]; then
	log "cached root: $img"
else
	build_image
	log "root made in $(( $(date +%s) - t_start ))s: $img"
fi
touch "$img"
flock -u 8
t_image=$(date +%s)
[ "$root_only" = 0 ] || exit 0

# --- the packages ---------------------------------------------------------
if [ -z "$debs" ]; then
	copy_tree "$out/src"
	make -C "$out/src" deb > "$out/make-deb.log" 2>&1 || { tail -n 30 "$out/make-deb.log"; die "make deb failed"; }
	debs=$out/src/build/deb
fi
dkms_deb=$(ls "$debs"/sysanom-dkms_*_all.deb)
tool_deb=$(ls "$debs"/sysanom_*_amd64.deb)

# The data disk: the driver's script and the packages. The guest writes its
# logs there; debugfs reads them back after each boot.
data=$out/data
rm -rf "$data"
mkdir -p "$data/out"
cp "$TESTS_DIR/vm/system-guest.sh" "$data/guest.sh"
cp "$dkms_deb" "$tool_deb" "$data/"
mkfs.ext4 -q -F -L systest-data -d "$data" "$out/data.img" 256M
qemu-img create -q -f qcow2 -F raw -b "$img/rootfs.img" "$out/root.qcow2"

# --- the boots --------------------------------------------------------------
fails=0
boot() {	# boot STAGE [KERNEL ARGS...]
	local stage=$1 console=$out/console-$1.log t0 rc=0 limit=900
	shift
	# DKMS compiles the module under emulation (4 to 9 minutes seen), then
	# the watcher trains a container until stable (the guest allows 25).
	[ "$stage" != install ] || limit=3000
	t0=$(date +%s)
	log "boot '$stage' ${*:+($*)}"
	timeout -k 10 "$limit" qemu-system-x86_64 -nodefaults -display none -no-reboot \
		-m 1536 -smp 1 -accel tcg,thread=single \
		-kernel "$img/vmlinuz" -initrd "$img/initrd.img" \
		-append "root=/dev/vda rw console=ttyS0 panic=-1 sysanom.systest=$stage $*" \
		-drive "file=$out/root.qcow2,if=virtio,format=qcow2" \
		-drive "file=$out/data.img,if=virtio,format=raw" \
		-serial "file:$console" < /dev/null || rc=$?
	sed -i 's/\r$//' "$console"
	debugfs -R "dump /out/$stage.log $out/guest-$stage.log" "$out/data.img" > /dev/null 2>&1 || true
	echo "boot $stage: $(( $(date +%s) - t0 ))s" | tee -a "$out/times.txt"
	[ "$rc" = 0 ] || { echo "FAIL $stage: QEMU exited with $rc (124: timed out)"; fails=$((fails + 1)); }
	if [ ! -s "$out/guest-$stage.log" ]; then
		echo "FAIL $stage: the guest wrote no log; last console lines:"
		tail -n 30 "$console" | sed 's/^/    /'
		fails=$((fails + 1))
		return
	fi
	cat "$out/guest-$stage.log"
	grep -q "^END $stage" "$out/guest-$stage.log" || { echo "FAIL $stage: the guest did not finish"; fails=$((fails + 1)); }
	fails=$((fails + $(grep -c '^FAIL' "$out/guest-$stage.log" || true)))
	if grep -E 'BUG:|Oops|Call Trace|Kernel panic|WARNING:' "$console"; then
		echo "FAIL $stage: kernel report on the console"
		fails=$((fails + 1))
	fi
}

boot install
boot boot
boot off sysanom.off
t_end=$(date +%s)
echo "system-test: root $((t_image - t_start))s, boots $((t_end - t_image))s, $fails failure(s); logs in $out"
[ "$fails" = 0 ]
