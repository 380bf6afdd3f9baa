#!/bin/sh
# Speed of the detection core on ADFA-LD: calls per second (best of 5
# rounds) and instructions per call under callgrind (repeatable).
# usage: bench.sh BENCH_BINARY
set -u
bin=${1:?usage: bench.sh BENCH_BINARY}
. "$(dirname "$0")/datasets.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
adfa=$DS/adfa-ld
oneline() {	# one trace per line
	find "$@" -type f | LC_ALL=C sort | while read -r f; do
		tr '\n' ' ' < "$f"
		echo
	done
}
oneline "$adfa/Training_Data_Master" > "$work/train"
oneline "$adfa/Validation_Data_Master" "$adfa/Attack_Data_Master" > "$work/test"

"$bin" "$work/train" "$work/test" 5 | tee "$work/speed" || exit 1
cps=$(awk '/^calls_per_second/ {print $2}' "$work/speed")
calls=$(awk '/^detect_calls/ {print $2}' "$work/speed")

if ! command -v valgrind >/dev/null; then
	echo "SKIP: valgrind not installed (instructions per call)"
	exit 77
fi
valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" \
	--toggle-collect=sa_detect "$bin" "$work/train" "$work/test" 1 \
	> /dev/null 2> "$work/cg.err" || { cat "$work/cg.err"; exit 1; }
ir=$(sed -n 's/^summary: *//p' "$work/cg.out")
ipc=$(awk -v ir="$ir" -v c="$calls" 'BEGIN { printf "%.1f", ir / c }')
echo "instructions per call (sa_detect, callgrind): $ipc ($ir / $calls)"
echo "calls per second (one core, best of 5): $cps"
grep -m1 'model name' /proc/cpuinfo | sed 's/^model name[^:]*: /cpu: /'
# Targets from the issue: >= 50 M calls/s and < 100 instructions per call.
status=0
awk -v v="$ipc" 'BEGIN { exit !(v < 100) }' || {
	echo "FAIL: $ipc instructions per call (target < 100)"
	status=1
}
awk -v v="$cps" 'BEGIN { exit !(v >= 50e6) }' || {
	echo "FAIL: $cps calls per second (target >= 50 M)"
	status=1
}
exit $status
