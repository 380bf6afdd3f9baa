#!/bin/bash
# Measure sysanom's system-call overhead in a QEMU guest running Debian's
# kernel under -smp 1 -icount shift=0: guest time then counts executed
# instructions (one nanosecond each), so every figure repeats exactly.
#
# usage: tests/bench/overhead.sh [--rounds N] [--ref GITREF | --src DIR]
#                                [--results DIR] [--timeout S]
#
# Builds sysanom.ko, sysanomctl, tests/bench/empty_probe and
# tests/bench/syscall_loop in a scratch copy of the working tree (--ref: the
# module and the tool from that commit; --src: from a copy of that tree), boots
# once, runs tests/bench/overhead-guest.sh (every case in the same boot) and
# prints, per case, the median units per system call for getpid, for 4 KiB
# pipe write+read and for a ping-pong between two processes (a task switch
# every two calls), and the ratios against the empty sys_enter probe.
# Exit 0 when the targets hold (getpid: unmonitored <= 1.02x and enforcing
# <= 1.25x the empty probe), 1 when one is missed, 2 when the run failed.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../vm/lib.sh
. "$(dirname "$0")/../vm/lib.sh"
die() { echo "${0##*/}: error: $*" >&2; exit 2; }

rounds=5 results='' timeout_s=900 ref='' altsrc=''
while [ $# -gt 0 ]; do
	case "$1" in
	--rounds) rounds=$2; shift 2 ;;
	--ref) ref=$2; shift 2 ;;
	--src) altsrc=$(cd "$2" && pwd); shift 2 ;;
	--results) results=$2; shift 2 ;;
	--timeout) timeout_s=$2; shift 2 ;;
	-h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done
trap 'exit 2' ERR

[ -n "$results" ] || results=$(new_results_dir bench-overhead)
mkdir -p "$results"
results=$(cd "$results" && pwd)

vmlinuz=$("$TESTS_DIR/vm/get-debian-kernel.sh")
rel=$(debian_kernel_release)
kdir=/lib/modules/$rel/build

# --- build ---------------------------------------------------------------------
src=$results/build/src
log "building for $rel in $src${ref:+ (sysanom.ko and sysanomctl from $ref)}${altsrc:+ (sysanom.ko and sysanomctl from $altsrc)}"
copy_tree "$src"
modsrc=$src
if [ -n "$altsrc" ]; then
	modsrc=$results/build/module-src
	REPO_DIR=$altsrc copy_tree "$modsrc"
elif [ -n "$ref" ]; then
	rev=$(git -C "$REPO_DIR" rev-parse --verify "$ref^{commit}") || die "no such commit: $ref"
	modsrc=$results/build/module-src
	mkdir -p "$modsrc"
	git -C "$REPO_DIR" archive "$rev" | tar -x -C "$modsrc"
	echo "$rev" > "$results/ref"
fi
build() {
	local what=$1; shift
	"$@" > "$results/build-$what.log" 2>&1 || {
		tail -n 30 "$results/build-$what.log" >&2
		die "$what build failed (log: $results/build-$what.log)"
	}
}
build module make -C "$modsrc" module KDIR="$kdir"
build tools make -C "$modsrc" tools
build empty_probe make -C "$kdir" M="$src/tests/bench/empty_probe" modules
build syscall_loop gcc -static -O2 -Wall -o "$src/tests/bench/syscall_loop" \
	"$src/tests/bench/syscall_loop.c"

# --- initramfs: the harness's, plus the benchmark's files in a second archive --
initrd=$results/initrd.gz
"$TESTS_DIR/vm/mkinitramfs.sh" --out "$initrd" --flavor debian \
	--module "$modsrc/sysanom.ko" --ctl "$modsrc/tools/sysanomctl/sysanomctl" \
	"$TESTS_DIR/bench/overhead-guest.sh"
extra=$(mktemp -d)
trap 'rm -rf "$extra"' EXIT
install -D -m 0644 "$src/tests/bench/empty_probe/empty_probe.ko" "$extra/lib/sysanom/bench/empty_probe.ko"
install -D -m 0755 "$src/tests/bench/syscall_loop" "$extra/lib/sysanom/bench/syscall_loop"
# The kernel unpacks concatenated archives in order; later files win.
(cd "$extra" && find lib -print0 | sort -z | cpio --null -o -H newc --owner 0:0 --quiet) |
	gzip -1 >> "$initrd"

# --- boot ----------------------------------------------------------------------
console=$results/console.log
output=$results/output.log
: > "$console"; : > "$output"
append="console=ttyS0 panic=-1 loglevel=4 BENCH_ROUNDS=$rounds SCENARIO_TIMEOUT=$timeout_s"
qemu=(qemu-system-x86_64 -nodefaults -display none -no-reboot
	-m 512 -smp 1 -icount shift=0 -kernel "$vmlinuz" -initrd "$initrd" -append "$append"
	-serial "file:$console" -serial "file:$output")
echo "${qemu[*]}" > "$results/qemu.cmd"
log "booting $rel (smp 1, icount shift=0), logs in $results"
qrc=0
timeout --foreground -k 10 "$timeout_s" "${qemu[@]}" < /dev/null || qrc=$?
sed -i 's/\r$//' "$console" "$output"

ok=1
grep -q '^SCENARIO PASS overhead-guest$' "$output" || ok=0
if [ "$ok" = 0 ]; then
	if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then log "QEMU timed out after ${timeout_s}s"; fi
	tail -n 40 "$output" >&2
	log "the guest run failed (qemu exit $qrc), logs in $results"
	exit 2
fi
grep -E '^(BENCH|BENCH-NA) ' "$output" > "$results/bench.raw"

# --- table -----------------------------------------------------------------------
rc=0
awk -v rounds="$rounds" '
function median(key,   n, i, j, t, a) {
	n = cnt[key]
	if (!n) return ""
	for (i = 1; i <= n; i++) a[i] = v[key, i]
	for (i = 2; i <= n; i++) {
		t = a[i]
		for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]
		a[j + 1] = t
	}
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function spread(key,   i, lo, hi) {
	lo = hi = v[key, 1]
	for (i = 2; i <= cnt[key]; i++) {
		if (v[key, i] < lo) lo = v[key, i]
		if (v[key, i] > hi) hi = v[key, i]
	}
	return hi - lo
}
$1 == "BENCH" {
	key = $2 SUBSEP $3
	v[key, ++cnt[key]] = $5
	if (!seen[$2]++) order[++ncases] = $2
}
$1 == "BENCH-NA" {
	na[$2] = $0
	sub(/^BENCH-NA [^ ]+ /, "", na[$2])
	if (!seen[$2]++) order[++ncases] = $2
}
END {
	floor_g = median("empty-probe" SUBSEP "getpid")
	floor_p = median("empty-probe" SUBSEP "pipe")
	floor_q = median("empty-probe" SUBSEP "pingpong")
	printf "%-12s %14s %14s %14s %10s %10s %10s %8s\n", "case", "getpid u/call", "pipe u/call",
		"pingpong u/c", "getpid/ep", "pipe/ep", "pingp/ep", "spread"
	for (c = 1; c <= ncases; c++) {
		name = order[c]
		if (name in na) {
			printf "%-12s %14s %14s %14s %10s %10s %10s   (%s)\n", name, "n/a", "n/a", "n/a", "n/a", "n/a", "n/a", na[name]
			continue
		}
		g = median(name SUBSEP "getpid"); p = median(name SUBSEP "pipe")
		q = median(name SUBSEP "pingpong")
		sp = spread(name SUBSEP "getpid"); if (spread(name SUBSEP "pipe") > sp) sp = spread(name SUBSEP "pipe")
		if (spread(name SUBSEP "pingpong") > sp) sp = spread(name SUBSEP "pingpong")
		printf "%-12s %14.1f %14.1f %14.1f %9.3fx %9.3fx %9.3fx %8.1f\n", name, g, p, q,
			g / floor_g, p / floor_p, q / floor_q, sp
		ratio[name] = g / floor_g
	}
	printf "\nunits: guest ns per system call under -icount shift=0 (one per instruction);\n"
	printf "median of %d rounds; spread: max - min over the rounds; pipe: 4 KiB write + read, per call;\n", rounds
	printf "pingpong: one byte back and forth between two processes, a task switch every two calls;\n"
	printf "ep: the empty sys_enter probe (tests/bench/empty_probe).\n\n"
	miss = 0
	if ("unmonitored" in ratio) {
		r = ratio["unmonitored"]
		printf "target unmonitored <= 1.02x empty probe (getpid): %.3fx %s\n", r, r <= 1.02 ? "MET" : "MISSED"
		if (r > 1.02) miss = 1
	}
	if ("enforcing" in ratio) {
		r = ratio["enforcing"]
		printf "target enforcing   <= 1.25x empty probe (getpid): %.3fx %s\n", r, r <= 1.25 ? "MET" : "MISSED"
		if (r > 1.25) miss = 1
	} else {
		printf "target enforcing   <= 1.25x empty probe (getpid): n/a (enforce not implemented)\n"
	}
	exit miss
}' "$results/bench.raw" | tee "$results/table.txt" || rc=$?
log "raw rounds in $results/bench.raw"
exit "$rc"
