#!/bin/bash
# Boot a test kernel in QEMU with the module, sysanomctl, runc and scenario
# scripts in an initramfs; run the scenarios; check the results and the kernel
# log. Exit 0 when everything passed, 1 otherwise.
#
# usage: run-guest.sh --kernel KERNEL [--smp N] [--icount] [--timeout S]
#                     [--results DIR] [--no-build] [--verbose] [--file SRC:DEST]...
#                     --scenario FILE...
#   debian       Debian's kernel matching the installed linux-headers-*-amd64
#   debug        the KASAN/UBSAN/lockdep/kmemleak/KUnit kernel, 7.2 (built
#                when missing); also runs the KUnit module from tests/kunit
#   debian-6.12  Debian's bookworm-backports kernel  (get-kernel-series.sh)
#   debian-7.2   Debian's unstable kernel            (get-kernel-series.sh)
#   --no-build  boot without the module and sysanomctl (harness smoke test)
#   --verbose   stream the guest's results port while it runs
#   --file      put SRC in the guest at DEST; files a scenario exports
#               (export_file in guest-lib.sh) land in DIR/files/
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

kernel="" smp=2 icount=0 timeout_s="" results="" build=1 verbose=0
scenarios=() files=()
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kernel=$2; shift 2 ;;
	--smp) smp=$2; shift 2 ;;
	--icount) icount=1; shift ;;
	--timeout) timeout_s=$2; shift 2 ;;
	--results) results=$2; shift 2 ;;
	--no-build) build=0; shift ;;
	--verbose) verbose=1; shift ;;
	--file) files+=(--file "$2"); shift 2 ;;
	--scenario) shift; while [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; do scenarios+=("$1"); shift; done ;;
	-h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done
case "$kernel" in
debian|debug) ;;
*) kernel_series_of "$kernel" > /dev/null ||
	die "--kernel debian|debug|debian-6.12|debian-7.2 is required" ;;
esac
[ ${#scenarios[@]} -gt 0 ] || die "no --scenario given"
for s in "${scenarios[@]}"; do [ -f "$s" ] || die "no such scenario: $s"; done
[ "$icount" = 0 ] || smp=1	# -icount needs a single vCPU to be deterministic
# What the scenarios declare (scenario_tag): the services in the initramfs,
# longer timeouts, the kernels they are meant for.
services=0 extra_s=0 svc_opt=()
for s in "${scenarios[@]}"; do
	[ "$(scenario_tag "$s" needs)" != services ] || { services=1; svc_opt=(--services); }
	t=$(scenario_tag "$s" timeout)
	[ -z "$t" ] || [ "$t" -le 240 ] || extra_s=$((extra_s + t - 240))
	scenario_runs_on "$s" "$kernel" ||
		log "warning: $(basename "$s") declares '# kernels: $(scenario_tag "$s" kernels)'; running it on $kernel as asked"
done

[ -n "$results" ] || results=$(new_results_dir "guest-$kernel")
kroot=""	# a root to build the module in (debian-7.2), or none
mkdir -p "$results"
results=$(cd "$results" && pwd)
t0=$(date +%s)

# --- the kernel ---------------------------------------------------------
if [ "$kernel" = debian ]; then
	vmlinuz=$("$TESTS_DIR/vm/get-debian-kernel.sh")
	kdir=/lib/modules/$(debian_kernel_release)/build
	# The services (nginx, PostgreSQL, memcached, Redis, their clients) and an
	# initramfs of ~100 MiB more need more than the 512 MiB that do otherwise.
	mem=$([ "$services" = 1 ] && echo 1536 || echo 512)
	append="console=ttyS0 panic=-1 loglevel=7 printk.time=1"
	: "${timeout_s:=$((120 + 240 * ${#scenarios[@]} + extra_s))}"
elif [ "$kernel" != debug ]; then
	load_kernel_series "$kernel"
	log "$kernel: $SERIES_RELEASE ($SERIES_VERSION)"
	vmlinuz=$SERIES_VMLINUZ
	kdir=$SERIES_KDIR
	kroot=$SERIES_ROOT
	mem=$([ "$services" = 1 ] && echo 1536 || echo 512)
	append="console=ttyS0 panic=-1 loglevel=7 printk.time=1"
	: "${timeout_s:=$((120 + 240 * ${#scenarios[@]} + extra_s))}"
else
	mkdir -p "$SYSANOM_CACHE"
	kdir=$(flock "$SYSANOM_CACHE/.debug-kernel.lock" "$TESTS_DIR/vm/build-debug-kernel.sh" \
		2> >(tee "$results/debug-kernel.log" | grep -v -e 'warning: the frame size' >&2 || true)) ||
		die "the debug kernel build failed (log: $results/debug-kernel.log)"
	# Built in the unstable root of debian-7.2, with its gcc-16: modules
	# for it are built there too.
	load_kernel_series debian-7.2
	kroot=$SERIES_ROOT
	vmlinuz=$kdir/arch/x86/boot/bzImage
	mem=2048
	append="console=ttyS0 panic=-1 loglevel=7 printk.time=1 panic_on_warn=1 oops=panic"
	: "${timeout_s:=$((300 + 900 * ${#scenarios[@]} + 5 * extra_s))}"
fi
[ -f "$vmlinuz" ] || die "kernel image $vmlinuz missing"

# --- module, tool and KUnit module, built in a scratch copy ----------------
mod="" ctl="" kunit=""
if [ "$build" = 1 ]; then
	src=$results/build/src
	log "building the module and sysanomctl for the $kernel kernel in $src"
	copy_tree "$src"
	make_module "$src" "$kdir" "$kroot" > "$results/build-module.log" 2>&1 || {
		tail -n 30 "$results/build-module.log" >&2
		die "module build failed (log: $results/build-module.log)"
	}
	mod=$src/sysanom.ko
	[ -f "$mod" ] || die "make module did not produce $mod"
	make -C "$src" tools > "$results/build-tools.log" 2>&1 || {
		tail -n 30 "$results/build-tools.log" >&2
		die "sysanomctl build failed (log: $results/build-tools.log)"
	}
	ctl=$src/tools/sysanomctl/sysanomctl
	[ -x "$ctl" ] || die "make tools did not produce $ctl"
	if [ "$kernel" = debug ] && [ -f "$src/tests/kunit/Kbuild" ]; then
		MAKE_DIR=tests/kunit MAKE_PRODUCT=tests/kunit/sysanom_kunit.ko \
			make_module "$src" "$kdir" "$kroot" > "$results/build-kunit.log" 2>&1 || {
			tail -n 30 "$results/build-kunit.log" >&2
			die "KUnit module build failed (log: $results/build-kunit.log)"
		}
		kunit=$src/tests/kunit/sysanom_kunit.ko
		[ -f "$kunit" ] || die "KUnit build did not produce $kunit"
	fi
fi

# Test programs the scenarios use: the hostile netlink client ...
bins=()
if [ "$build" = 1 ] && [ -x "$TESTS_DIR/stress/build-nlfuzz.sh" ]; then
	"$TESTS_DIR/stress/build-nlfuzz.sh" "$results/build/nlfuzz" \
		> "$results/build-nlfuzz.log" 2>&1 ||
		die "nlfuzz build failed (log: $results/build-nlfuzz.log)"
	bins+=(--bin "$results/build/nlfuzz")
fi
# ... and the small static helpers of tests/helpers (NAME.c: sa-NAME).
if [ "$build" = 1 ]; then
	for c in "$TESTS_DIR"/helpers/*.c; do
		[ -f "$c" ] || continue
		h=$(basename "$c" .c)
		gcc -O2 -g -Wall -Wextra -Werror -static -I"$REPO_DIR/include" \
			-o "$results/build/sa-$h" "$c" > "$results/build-$h.log" 2>&1 ||
			die "sa-$h build failed (log: $results/build-$h.log)"
		bins+=(--bin "$results/build/sa-$h")
	done
fi
# A static i386 program (26-ia32), when this machine can build one.
if [ "$build" = 1 ] && [ -x "$TESTS_DIR/stress/build-ia32calls.sh" ]; then
	if "$TESTS_DIR/stress/build-ia32calls.sh" "$results/build/ia32calls" \
		> "$results/build-ia32calls.log" 2>&1; then
		bins+=(--bin "$results/build/ia32calls")
	else
		log "no i386 test program (gcc -m32 -static: install gcc-multilib): see $results/build-ia32calls.log"
	fi
fi

initrd=$results/initrd.gz
"$TESTS_DIR/vm/mkinitramfs.sh" --out "$initrd" --flavor "${kernel%%-*}" \
	${mod:+--module "$mod"} ${ctl:+--ctl "$ctl"} ${kunit:+--kunit "$kunit"} \
	${bins[@]+"${bins[@]}"} ${svc_opt[@]+"${svc_opt[@]}"} ${files[@]+"${files[@]}"} \
	"${scenarios[@]}"

# --- boot ------------------------------------------------------------------
console=$results/console.log
output=$results/output.log
: > "$console"; : > "$output"
qemu=(qemu-system-x86_64 -nodefaults -display none -no-reboot
	-m "$mem" -smp "$smp" -kernel "$vmlinuz" -initrd "$initrd" -append "$append"
	-serial "file:$console" -serial "file:$output")
[ "$icount" = 0 ] || qemu+=(-icount shift=0)
# One TCG thread for all vCPUs: with QEMU 7.2's multi-threaded TCG, a vCPU
# could go on executing a stale translation of the int3 that text_poke_bp()
# puts on a static-key site another vCPU patches, and loop there for ever
# (kprobes sees no int3 in memory and retries it). Seen twice in
# 20-unload-busy: both CPUs stuck at syscall_trace_enter's sys_enter key
# right after insmod. The vCPUs still interleave, one block at a time.
qemu+=(-accel tcg,thread=single)
echo "${qemu[*]}" > "$results/qemu.cmd"
log "booting the $kernel kernel (smp $smp$([ "$icount" = 1 ] && echo ', icount'), timeout ${timeout_s}s), logs in $results"
tb=$(date +%s)
qrc=0
timeout -k 10 "$timeout_s" "${qemu[@]}" < /dev/null &
qpid=$!
if [ "$verbose" = 1 ]; then
	tail -n +1 -f --pid="$qpid" "$output" | sed -u 's/\r$//'
fi
wait "$qpid" || qrc=$?
boot_s=$(( $(date +%s) - tb ))
sed -i 's/\r$//' "$console" "$output"
# Files the guest exported, base64 between markers (export_file).
sed -n 's|^SYSANOM-FILE-BEGIN \([A-Za-z0-9._-]*\)$|\1|p' "$output" | while read -r f; do
	mkdir -p "$results/files"
	sed -n "/^SYSANOM-FILE-BEGIN $f\$/,/^SYSANOM-FILE-END $f\$/p" "$output" | sed '1d;$d' |
		base64 -d > "$results/files/$f" || log "exported file $f does not decode"
done

# --- verdict -----------------------------------------------------------------
problems=() failed=()
problem() { problems+=("$*"); }

case "$qrc" in 124|137) problem "QEMU timed out after ${timeout_s}s" ;; esac
grep -q '^SYSANOM-GUEST-BEGIN' "$output" || problem "the guest never reached /init"
grep -q '^SYSANOM-GUEST-END' "$output" || problem "no end marker from the guest (crash, panic or hang?)"
for s in "${scenarios[@]}"; do
	name=$(basename "$s" .sh)
	if grep -q "^SCENARIO PASS $name\$" "$output"; then
		:
	elif line=$(grep -m1 "^SCENARIO FAIL $name:" "$output"); then
		# Its own output, which the tail below may not reach.
		sed -n "/^SCENARIO START $name\$/,/^SCENARIO FAIL $name:/p" "$output" \
			> "$results/failed-$name.log"
		why=$(grep '^FAIL: ' "$results/failed-$name.log" | tail -n 1 | cut -c1-300 || true)
		problem "$line${why:+ ($why)}"
		failed+=("$name")
	else
		problem "scenario $name: no result"
	fi
done
if grep -q '^GUEST ' "$output"; then
	while IFS= read -r line; do problem "$line"; done < <(grep '^GUEST ' "$output")
fi

# KUnit: KTAP from the guest's dmesg. Suites at column 0, cases indented.
kunit_summary=
if [ -n "$kunit" ]; then
	if ! grep -q '^KUNIT END' "$output"; then
		problem "KUnit: the test module did not finish"
	fi
	if grep -q '^KUNIT insmod' "$output"; then problem "KUnit: insmod sysanom_kunit.ko failed"; fi
	ktap=$results/kunit.ktap
	sed -n 's/^KTAP| //p' "$output" > "$ktap"
	cases_ok=$(grep -cE '^ {4,}ok [0-9]+ ' "$ktap" || true)
	cases_fail=$(grep -cE '^ {4,}not ok [0-9]+ ' "$ktap" || true)
	cases_skip=$(grep -cE '^ {4,}ok [0-9]+ .*# SKIP' "$ktap" || true)
	suites_fail=$(grep -cE '^not ok [0-9]+ ' "$ktap" || true)
	kunit_summary="KUnit: $((cases_ok - cases_skip)) passed, $cases_fail failed, $cases_skip skipped"
	if grep -q '^KUNIT END' "$output" && [ "$cases_ok" = 0 ] && [ "$cases_fail" = 0 ]; then
		problem "KUnit: no test case ran"
	fi
	if [ "$cases_fail" -gt 0 ] || [ "$suites_fail" -gt 0 ]; then
		problem "KUnit: $cases_fail case(s) failed: $(grep -E '^ *not ok ' "$ktap" | sed 's/^ *//' | paste -sd, -)"
	fi
fi

if [ "$kernel" = debug ] && grep -q '^SYSANOM-GUEST-END' "$output"; then
	grep -q '^KMEMLEAK CLEAN' "$output" || problem "kmemleak reported leaks (see KMEMLEAK| lines in $output)"
fi

# The kernel log: any of these fails the run. Kernel messages carry a
# timestamp, which may follow guest output on the same console line.
forbidden='BUG:|WARNING:|Oops|general protection|Call Trace|KASAN|UBSAN|kernel BUG|Kernel panic|'
forbidden+='possible circular locking|possible recursive locking|inconsistent lock state|'
forbidden+='suspicious RCU usage|lock held when returning|possible irq lock inversion|'
forbidden+='INFO: possible|INFO: task .* blocked|detected stall|suspected memory leak'
grep -nE '\[ *[0-9]+\.[0-9]+\] ' "$console" | grep -E "$forbidden" > "$results/kernel-problems.log" || true
if [ -s "$results/kernel-problems.log" ]; then
	problem "kernel log: $(head -n1 "$results/kernel-problems.log" | cut -c1-200) ($(wc -l < "$results/kernel-problems.log") line(s), see $results/kernel-problems.log)"
fi

total_s=$(( $(date +%s) - t0 ))
if [ "$verbose" = 0 ]; then
	echo "--- guest output ($output) ---"
	grep -vE '^KTAP\| ' "$output" | tail -n 60
fi
for name in ${failed[@]+"${failed[@]}"}; do
	echo "--- the end of failed scenario $name ($results/failed-$name.log) ---"
	grep -vE '^KTAP\| ' "$results/failed-$name.log" | tail -n 40 | cut -c1-400 || true
done
[ -z "$kunit_summary" ] || echo "$kunit_summary"
if [ ${#problems[@]} -eq 0 ]; then
	echo "run-guest: PASS $kernel kernel, ${#scenarios[@]} scenario(s), guest ${boot_s}s, total ${total_s}s" |
		tee "$results/verdict.txt"
	exit 0
fi
if [ -s "$results/kernel-problems.log" ]; then
	first=$(head -n1 "$results/kernel-problems.log" | cut -d: -f1)
	echo "--- kernel log around the first problem ($console) ---"
	sed -n "$((first > 5 ? first - 5 : 1)),$((first + 40))p" "$console"
fi
for p in "${problems[@]}"; do echo "run-guest: $p"; done | tee "$results/verdict.txt"
echo "run-guest: FAIL $kernel kernel (guest ${boot_s}s, total ${total_s}s), logs in $results" |
	tee -a "$results/verdict.txt"
exit 1
