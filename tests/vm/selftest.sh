#!/bin/bash
# Check that the guest harness fails when it must: a failing scenario, and a
# kernel crash in the guest. Uses Debian's kernel (fast), no module needed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

results=${1:-$(new_results_dir selftest)}
mkdir -p "$results"
status=0
expect_fail() {
	local name=$1 want=$2 out
	shift 2
	out=$results/$name.log
	if "$here/run-guest.sh" --kernel debian --no-build --results "$results/$name" "$@" > "$out" 2>&1; then
		echo "selftest: $name: the run passed, it must fail"
		status=1
	elif ! grep -q -- "$want" "$out"; then
		echo "selftest: $name: failed without '$want' (see $out)"
		status=1
	else
		echo "selftest: $name: fails as it must ($want)"
	fi
}
expect_fail failing-scenario 'SCENARIO FAIL fails: exit status 3' --scenario "$here/selftest/fails.sh"
expect_fail kernel-crash 'no end marker' --scenario "$here/selftest/crash.sh"
grep -qE 'kernel log: .*(Oops|BUG|Kernel panic)' "$results/kernel-crash.log" || {
	echo "selftest: kernel-crash: the kernel log check missed the crash"
	status=1
}
exit "$status"
