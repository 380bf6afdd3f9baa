# Shared helpers for the sysanom test scripts (sourced, not executed).
# shellcheck shell=bash

SYSANOM_CACHE=${SYSANOM_CACHE:-/var/cache/sysanom}
TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO_DIR=$(cd "$TESTS_DIR/.." && pwd)

log() { echo "${0##*/}: $*" >&2; }
die() { echo "${0##*/}: error: $*" >&2; exit 1; }

# The kernel release of the newest installed Debian amd64 headers
# (e.g. 6.1.0-56-amd64; not the cloud-amd64 or rt-amd64 flavours). Never the
# running kernel: this machine runs another.
debian_kernel_release() {
	local rel
	rel=$(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' 'linux-headers-*-amd64' 2>/dev/null |
		awk '$1 == "ii" { sub(/^linux-headers-/, "", $2); print $2 }' |
		grep -E '^[0-9]+\.[0-9]+\.[0-9]+-[0-9]+-amd64$' |
		sort -V | tail -n1)
	[ -n "$rel" ] || die "no linux-headers-*-amd64 installed (run tests/install-deps.sh)"
	[ -d "/lib/modules/$rel/build" ] || die "/lib/modules/$rel/build is missing"
	echo "$rel"
}

# Debian package version of those headers (e.g. 6.1.192-2).
debian_kernel_version() {
	dpkg-query -W -f='${Version}' "linux-headers-$1"
}

# Extract Debian's linux-source tarball once (the same tree build-debug-kernel.sh
# uses) and print its path.
linux_source_tree() {
	local srcver src
	srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null) ||
		die "linux-source-6.1 is not installed (run tests/install-deps.sh)"
	src=$SYSANOM_CACHE/linux-source-$srcver
	if [ ! -f "$src/.done" ]; then
		log "extracting linux-source $srcver into $src"
		mkdir -p "$SYSANOM_CACHE"
		rm -rf "$src.tmp.$$"
		mkdir -p "$src.tmp.$$"
		tar -xJf /usr/src/linux-source-6.1.tar.xz -C "$src.tmp.$$" --strip-components=1
		touch "$src.tmp.$$/.done"
		if [ -f "$src/.done" ]; then
			rm -rf "$src.tmp.$$"	# somebody else won the race
		else
			rm -rf "$src"
			mv "$src.tmp.$$" "$src"
		fi
	fi
	echo "$src"
}

# Copy the source tree (no .git, no build products, no test results) into $1.
copy_tree() {
	local dst=$1
	mkdir -p "$dst"
	rsync -a --delete \
		--exclude=/.git --exclude=/tests/results --exclude=/build \
		--exclude=/tools/sysanomctl/build --exclude=/tools/sysanomctl/sysanomctl \
		--exclude='*.o' --exclude='*.ko' --exclude='*.mod' --exclude='*.mod.c' \
		--exclude='*.cmd' --exclude='.*.cmd' --exclude='*.a' --exclude=modules.order \
		--exclude=Module.symvers --exclude='.tmp_versions' \
		"$REPO_DIR/" "$dst/"
}

# A fresh results directory tests/results/KIND-DATE-PID, printed. Keeps the
# last 20 of that kind.
new_results_dir() {
	local kind=$1 base=$TESTS_DIR/results dir
	mkdir -p "$base"
	dir=$base/$kind-$(date +%Y%m%d-%H%M%S)-$$
	mkdir -p "$dir"
	# shellcheck disable=SC2012
	ls -1dt "$base/$kind"-[0-9]*-[0-9]*-[0-9]* 2>/dev/null | tail -n +21 | xargs -r rm -rf
	echo "$dir"
}

# A scenario's declaration, from a comment line '# KEY: VALUE' in its first
# 20 lines; empty when it has none. Keys: 'kernels' (the kernels it runs
# on, e.g. 'debian'; default all), 'needs' ('services': the initramfs must
# hold the services of mkinitramfs.sh --services), 'timeout' (seconds, when
# it needs more than the guest's default 600).
scenario_tag() {
	head -n 20 "$1" | sed -n "s/^# $2: *//p" | head -n1
}

# Whether scenario $1 runs on kernel $2 (its 'kernels' tag lists it, or it
# has none).
scenario_runs_on() {
	local k
	k=$(scenario_tag "$1" kernels)
	[ -z "$k" ] || echo "$k" | tr -s " ," "\n" | grep -qx -- "$2"
}

# Other Debian kernels (get-kernel-series.sh): the series behind a kernel
# name of run-guest.sh and run-all.sh, and the version it was tested at.
# When the archive moves a series past that version, the name fails: the
# new kernel must be tested, and dkms.conf's BUILD_EXCLUSIVE_KERNEL and the
# README's list of supported kernels follow.
kernel_series_of() {
	case "$1" in
	debian-6.12) echo "bookworm-backports 6.12" ;;
	debian-7.2) echo "unstable 7.2" ;;
	*) return 1 ;;
	esac
}

# Fetch the kernel called $1 (debian-6.12, debian-7.2) and set SERIES_RELEASE,
# SERIES_VERSION, SERIES_KDIR, SERIES_VMLINUZ and SERIES_ROOT (empty, or the
# root of that series that its kbuild runs in; SERIES_KDIR is then inside it).
load_kernel_series() {
	local name=$1 series want env k v
	read -r series want < <(kernel_series_of "$name") || die "unknown kernel '$name'"
	env=$("$TESTS_DIR/vm/get-kernel-series.sh" "$series") ||
		die "cannot fetch the $series kernel"
	# shellcheck disable=SC2034	# set for the caller
	SERIES_RELEASE="" SERIES_VERSION="" SERIES_KDIR="" SERIES_VMLINUZ="" SERIES_ROOT=""
	while IFS='=' read -r k v; do
		case "$k" in
		RELEASE|VERSION|KDIR|VMLINUZ|ROOT) printf -v "SERIES_$k" '%s' "$v" ;;
		esac
	done <<< "$env"
	case "$SERIES_RELEASE" in
	"$want".*) ;;
	*) die "$series now has kernel $SERIES_RELEASE, not $want: test it, then update kernel_series_of (tests/vm/lib.sh), dkms.conf and README.md" ;;
	esac
}

# Run "$@" chrooted in the root $1 (a series whose kbuild cannot run here),
# in a private mount namespace with /proc mounted (objtool reads it) and
# $SYSANOM_CACHE bound at its own path, so that trees under it (the debug
# kernel's) have the same path inside and out.
in_root() (
	local root=$1
	shift
	mkdir -p "$root$SYSANOM_CACHE"
	# From /: the caller's directory may not exist in the root.
	# shellcheck disable=SC2016	# expanded by that sh
	cd / && unshare -m --propagation private sh -c \
		'mount -t proc proc "$1/proc" && mount --bind "$2" "$1$2" && root=$1 && shift 2 && exec chroot "$root" "$@"' \
		sh "$root" "$SYSANOM_CACHE" "$@"
)

# Build the module in the tree copy $1 for the kbuild tree $2, inside the
# root $3 when that is not empty (a series whose kbuild cannot run here):
# the copy is built there with in_root and the product ($MAKE_PRODUCT,
# relative to the copy; sysanom.ko unless set) copied back. More arguments
# go to make (default target: module; MAKE_DIR, relative to the copy, is
# the directory make runs in).
make_module() {
	local src=$1 kdir=$2 root=$3 inner rc=0
	local product=${MAKE_PRODUCT:-sysanom.ko} dir=${MAKE_DIR:-.}
	shift 3
	if [ -z "$root" ]; then
		if [ "$dir" = . ]; then
			make -C "$src" module KDIR="$kdir" "$@"
		else
			make -C "$kdir" M="$src/$dir" modules "$@"
		fi
		return
	fi
	inner=/build/sysanom-$$-$RANDOM
	mkdir -p "$root$inner"
	rsync -a --delete "$src/" "$root$inner/"
	if [ "$dir" = . ]; then
		in_root "$root" make -C "$inner" module KDIR="$kdir" "$@" || rc=$?
	else
		in_root "$root" make -C "$kdir" M="$inner/$dir" modules "$@" || rc=$?
	fi
	if [ "$rc" = 0 ]; then
		cp "$root$inner/$product" "$src/$product"
	fi
	rm -rf "$root$inner"
	return "$rc"
}
