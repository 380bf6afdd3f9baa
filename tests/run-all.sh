#!/bin/bash
# The test runner behind 'make check'. Runs named steps in order, prints one
# line per step (PASS name / FAIL name / SKIP name: why), keeps each step's log
# under tests/results/run-*/ (tests/results/latest points at the last run),
# shows the tail of a failing step's log, and ends with exactly
# "N passed, N failed, N skipped". Exit status 1 when any step failed.
#
# usage: tests/run-all.sh [--list] [STEP...]    (default: every step)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=vm/lib.sh
. "$(dirname "$0")/vm/lib.sh"

all_steps=(core-check core-fuzz core-eval module-build module-build-6.12 module-build-7.2
	tools-build tools-test deploy-k8s checkpatch dkms deb harness-selftest guest-debian
	services guest-debian-6.12 guest-debian-7.2 system debug-kernel guest-debug)

if [ "${1:-}" = --list ]; then printf '%s\n' "${all_steps[@]}"; exit 0; fi
steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=("${all_steps[@]}")
for s in "${steps[@]}"; do
	printf '%s\n' "${all_steps[@]}" | grep -qx -- "$s" ||
		die "unknown step '$s' (--list shows them)"
done

R=$(new_results_dir run)
ln -sfn "$(basename "$R")" "$TESTS_DIR/results/latest"
echo "run-all: logs in $R" >&2
passed=0 failed=0 skipped=0

SKIP=77
core_step() {	# core-* steps: tests/core is the engine engineer's
	if [ ! -f "$TESTS_DIR/core/Makefile" ]; then
		echo "tests/core/Makefile does not exist yet"
		return $SKIP
	fi
	# make turns a recipe's exit 77 into its own exit 2: look for it.
	local out rc=0
	out=$(mktemp)
	make -C "$TESTS_DIR/core" "$@" 2>&1 | tee "$out" || rc=$?
	if [ "$rc" != 0 ] && grep -qE '\] Error 77$' "$out"; then rc=$SKIP; fi
	rm -f "$out"
	return "$rc"
}

step_core-check() { core_step check; }
step_core-fuzz() { FUZZ_SECONDS=${FUZZ_SECONDS:-60} core_step fuzz; }
step_core-eval() { core_step eval; }

# The module against Debian's headers, in a scratch copy, with -Werror; any
# compiler warning fails the step too.
step_module-build() {
	local kdir src=$R/module-build/src
	kdir=/lib/modules/$(debian_kernel_release)/build
	copy_tree "$src"
	make -C "$src" module KDIR="$kdir" SYSANOM_WERROR=y 2>&1 | tee "$R/module-build/make.log"
	[ -f "$src/sysanom.ko" ] || { echo "no sysanom.ko"; return 1; }
	! grep -E 'warning:|error:' "$R/module-build/make.log" || { echo "compiler warnings"; return 1; }
}

# The same against Debian's other kernels (tests/vm/get-kernel-series.sh):
# 6.12 from bookworm-backports, 7.2 from unstable (built in an unstable root
# with its own compiler, gcc-16, as a user of unstable builds it).
module_build_series() {
	local name=$1 src=$R/module-build-$1/src
	load_kernel_series "$name"
	echo "$name: $SERIES_RELEASE ($SERIES_VERSION)${SERIES_ROOT:+, built in $SERIES_ROOT}"
	copy_tree "$src"
	make_module "$src" "$SERIES_KDIR" "$SERIES_ROOT" SYSANOM_WERROR=y 2>&1 |
		tee "$R/module-build-$name/make.log"
	[ -f "$src/sysanom.ko" ] || { echo "no sysanom.ko"; return 1; }
	! grep -E 'warning:|error:' "$R/module-build-$name/make.log" || { echo "compiler warnings"; return 1; }
}
step_module-build-6.12() { module_build_series debian-6.12; }
step_module-build-7.2() { module_build_series debian-7.2; }

step_tools-build() {
	local src=$R/tools-build/src
	copy_tree "$src"
	make -C "$src" tools 2>&1 | tee "$R/tools-build/make.log"
	[ -x "$src/tools/sysanomctl/sysanomctl" ] || { echo "no sysanomctl"; return 1; }
	! grep -E 'warning:|error:' "$R/tools-build/make.log" || { echo "compiler warnings"; return 1; }
}

# The watcher's pieces in userspace: container naming over fake runtime
# state directories, the config parser, the profile store. A few seconds.
step_tools-test() {
	local src=$R/tools-test/src
	copy_tree "$src"
	make -C "$src" tools > "$R/tools-test/make.log" 2>&1 || { cat "$R/tools-test/make.log"; return 1; }
	"$TESTS_DIR/tools/watch-userspace.sh" "$src/tools/sysanomctl/sysanomctl"
}

# deploy/kubernetes/ without a cluster: the manifests, the fleet's profile
# ConfigMap and the pod's seeding of the store (tests/deploy/).
step_deploy-k8s() {
	local src=$R/deploy-k8s/src
	copy_tree "$src"
	make -C "$src" tools > "$R/deploy-k8s/make.log" 2>&1 || { tail -n 20 "$R/deploy-k8s/make.log"; return 1; }
	"$src/tests/deploy/test-kubernetes.sh" "$src/tools/sysanomctl/sysanomctl"
}

# checkpatch from Debian's linux-source: ERRORs fail, WARNINGs are shown.
step_checkpatch() {
	local ksrc files=() f
	ksrc=$(linux_source_tree)
	shopt -s globstar nullglob
	for f in "$REPO_DIR"/module/*.[ch] "$REPO_DIR"/module/core/*.[ch] "$REPO_DIR"/include/**/*.h; do
		files+=("${f#"$REPO_DIR"/}")
	done
	shopt -u globstar nullglob
	[ ${#files[@]} -gt 0 ] || { echo "no files to check"; return $SKIP; }
	cd "$REPO_DIR"
	"$ksrc/scripts/checkpatch.pl" --no-tree --no-summary --terse --show-types -f "${files[@]}" \
		> "$R/checkpatch.terse" || true
	"$ksrc/scripts/checkpatch.pl" --no-tree --show-types -f "${files[@]}" > "$R/checkpatch.full" || true
	cat "$R/checkpatch.terse"
	local errors warnings
	errors=$(grep -c ': ERROR:' "$R/checkpatch.terse" || true)
	warnings=$(grep -c ': WARNING:' "$R/checkpatch.terse" || true)
	echo "checkpatch: ${#files[@]} files, $errors error(s), $warnings warning(s) (details: $R/checkpatch.full)"
	[ "$errors" = 0 ]
}

step_dkms() { "$TESTS_DIR/dkms/test-dkms.sh"; }

# make deb in a scratch copy: lintian, systemd-analyze verify, the contents.
step_deb() { "$TESTS_DIR/deb/test-deb.sh" "$R/deb"; }

# The packages installed in a Debian 12 system booted under systemd, the
# watcher training and enforcing runc containers there, across a reboot:
# 5.5 to 7 minutes with its root cached, and 3 to 6 more to make the root.
step_system() { "$TESTS_DIR/vm/system-test.sh" "$R/system"; }

# The guest harness must fail on a failing scenario and on a kernel crash.
step_harness-selftest() { "$TESTS_DIR/vm/selftest.sh" "$R/harness-selftest"; }

# The scenarios for kernel $1: those whose '# kernels:' line names it or
# that have none (e.g. 40-services needs SysV IPC, which the tinyconfig
# debug kernel lacks, and would be too slow there).
scenarios() {
	local s
	for s in "$TESTS_DIR"/scenarios/*.sh; do
		if scenario_runs_on "$s" "$1"; then echo "$s"; fi
	done
}

step_guest-debian() {
	# shellcheck disable=SC2046
	"$TESTS_DIR/vm/run-guest.sh" --kernel debian --results "$R/guest-debian" \
		--scenario $(scenarios debian)
}

# Real services from Debian's packages (nginx with a CGI page, memcached,
# Redis) and a sidecar in runc containers, trained and enforced at the
# defaults, then attacked: 40-services, in a guest of its own (it needs the
# services in the initramfs and more memory), about 11 minutes.
step_services() {
	"$TESTS_DIR/vm/run-guest.sh" --kernel debian --results "$R/services" \
		--scenario "$TESTS_DIR/scenarios/40-services.sh"
}

# Debian's other kernels: loading and unloading (under load too),
# training, enforcement with kill (a container's PID 1 too), thread quotas,
# leaving the watch, netlink permissions and privilege (namespaces), SET
# and TRACK under concurrent changes, signals, program names after exec, x32
# calls, and hostile netlink input. About 5 minutes each.
series_scenarios() {
	local s
	for s in 00-boot 10-train-status 15-permissions 17-set-races 20-enforce-alerts \
		20-unload-busy 21-kill-pid1 22-thread-quota 23-leave-watch 24-signal-retry \
		27-x32 28-program-name 52-hostile-input 53-privilege; do
		echo "$TESTS_DIR/scenarios/$s.sh"
	done
}

step_guest-debian-6.12() {
	# shellcheck disable=SC2046
	"$TESTS_DIR/vm/run-guest.sh" --kernel debian-6.12 --results "$R/guest-debian-6.12" \
		--scenario $(series_scenarios)
}

step_guest-debian-7.2() {
	# shellcheck disable=SC2046
	"$TESTS_DIR/vm/run-guest.sh" --kernel debian-7.2 --results "$R/guest-debian-7.2" \
		--scenario $(series_scenarios)
}

step_debug-kernel() {
	mkdir -p "$SYSANOM_CACHE"
	flock "$SYSANOM_CACHE/.debug-kernel.lock" "$TESTS_DIR/vm/build-debug-kernel.sh"
}

# The debug kernel (7.2, preemptible, every checker on) runs several times
# slower than 6.1 under emulation: what it must watch, loading, unloading
# (under load too, at a smaller scale), enforcing, threads, moves, signals,
# concurrent SETs, program names, hostile input and ia32, within CI's time.
# 10-train-status (69 s there; training and status run in every scenario),
# 20-enforce-alerts (500 s there) and 51-floods (whose storm cannot outrun
# the rate limit there) run on the other kernels; 27-x32 needs x32, which
# the debug kernel leaves out.
debug_scenarios() {
	local s
	for s in 00-boot 12-cgroup-moves 15-permissions 16-profile-full \
		17-set-races 20-unload-busy 21-kill-pid1 22-thread-quota 23-leave-watch \
		24-signal-retry 26-ia32 28-program-name 50-stress-load 52-hostile-input \
		53-privilege; do
		echo "$TESTS_DIR/scenarios/$s.sh"
	done
}

step_guest-debug() {
	# shellcheck disable=SC2046
	"$TESTS_DIR/vm/run-guest.sh" --kernel debug --results "$R/guest-debug" \
		--scenario $(debug_scenarios)
}

# Where the debug kernel is not cached yet, its build (10 to 13 minutes on
# two idle cores) starts with the first guest step, at the lowest priority:
# an emulated guest runs on one host thread (tcg thread=single), so the
# build takes the other core's spare time. The debug-kernel step then waits
# for it on the same lock, and builds what is left if it failed.
prebuild_debug_kernel() {
	printf '%s\n' "${steps[@]}" | grep -qx debug-kernel || return 0
	mkdir -p "$SYSANOM_CACHE"
	echo "run-all: the debug kernel builds in the background if not cached (log: $R/debug-kernel-background.log)" >&2
	nice -n 19 flock "$SYSANOM_CACHE/.debug-kernel.lock" "$TESTS_DIR/vm/build-debug-kernel.sh" \
		> "$R/debug-kernel-background.log" 2>&1 < /dev/null &
}

prebuilt=0
for s in "${steps[@]}"; do
	case $s in guest-*|system)
		[ "$prebuilt" = 1 ] || prebuild_debug_kernel
		prebuilt=1 ;;
	esac
	logf=$R/$s.log
	t0=$(date +%s)
	rc=0
	( set -euo pipefail; "step_$s" ) > "$logf" 2>&1 < /dev/null || rc=$?
	dt=$(( $(date +%s) - t0 ))
	if [ "$rc" = 0 ]; then
		echo "PASS $s"
		passed=$((passed + 1))
	elif [ "$rc" = "$SKIP" ]; then
		echo "SKIP $s: $(grep -v '^make' "$logf" | grep . | tail -n1 | sed 's/^SKIP:* *//')"
		skipped=$((skipped + 1))
	else
		echo "FAIL $s"
		echo "---- last lines of $logf ----"
		tail -n 40 "$logf" | sed 's/^/    /'
		echo "----"
		failed=$((failed + 1))
	fi
	echo "$s $rc ${dt}s" >> "$R/times.txt"
	echo "run-all: $s took ${dt}s" >&2
done

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
