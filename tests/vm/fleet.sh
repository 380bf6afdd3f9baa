#!/bin/bash
# The fleet path in QEMU guests (issue 11, item 5): two guests train the
# same service image (tests/fleet/service.sh) on different shares of its
# traffic and export their profiles; the host merges them with 'sysanomctl
# merge'; a third guest loads the merged profile, serves both shares with
# no alert (while share a's profile alone does alert on share b), and
# catches an intrusion. Not part of 'make check' (358 to 468 s measured):
# 'make check-fleet' runs it.
#
# usage: tests/vm/fleet.sh [--results DIR] [--parallel]
#   --parallel  boot the two training guests at once (2 more CPUs busy)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

R="" parallel=0
while [ $# -gt 0 ]; do
	case "$1" in
	--results) R=$2; shift 2 ;;
	--parallel) parallel=1; shift ;;
	-h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done
[ -n "$R" ] || R=$(new_results_dir fleet)
mkdir -p "$R"
R=$(cd "$R" && pwd)
F=$TESTS_DIR/fleet
svc=(--file "$F/service.sh:/lib/sysanom/fleet-service.sh")
t0=$(date +%s)
stamp() { echo "$1 $(( $(date +%s) - t0 ))s" >> "$R/times.txt"; log "$1 after $(( $(date +%s) - t0 ))s"; }

train() {
	echo "$1" > "$R/share-$1"
	"$TESTS_DIR/vm/run-guest.sh" --kernel debian --results "$R/node-$1" \
		"${svc[@]}" --file "$R/share-$1:/etc/fleet-share" \
		--scenario "$F/fleet-train.sh" > "$R/node-$1.log" 2>&1
}
if [ "$parallel" = 1 ]; then
	train a & pa=$!
	train b & pb=$!
	ra=0 rb=0
	wait "$pa" || ra=$?
	wait "$pb" || rb=$?
else
	ra=0 rb=0
	train a || ra=$?
	stamp "node-a"
	train b || rb=$?
fi
stamp "node-b"
for n in a b; do
	{ grep 'enforcing after' "$R/node-$n/output.log"; grep '^run-guest:' "$R/node-$n.log"; } | sed 's/^/  /' || true
done
[ "$ra" = 0 ] || die "training node a failed: $(tail -n 3 "$R/node-a.log")"
[ "$rb" = 0 ] || die "training node b failed: $(tail -n 3 "$R/node-b.log")"
for n in a b; do
	[ -s "$R/node-$n/files/share-$n.prof" ] || die "node $n exported no profile"
done

ctl=$R/node-a/build/src/tools/sysanomctl/sysanomctl
"$ctl" merge --json -o "$R/merged.prof" "$R/node-a/files/share-a.prof" \
	"$R/node-b/files/share-b.prof" | tee "$R/merge.json"
stamp "merged"

"$TESTS_DIR/vm/run-guest.sh" --kernel debian --results "$R/node-c" "${svc[@]}" \
	--file "$R/merged.prof:/fleet/merged.prof" \
	--file "$R/node-a/files/share-a.prof:/fleet/share-a.prof" \
	--scenario "$F/fleet-enforce.sh" > "$R/node-c.log" 2>&1 || {
	grep -E '^  |FAIL' "$R/node-c/output.log" | tail -n 15
	die "the enforcing node failed (logs in $R/node-c)"
}
stamp "node-c"
grep -E '^  ' "$R/node-c/output.log" | sed 's/^/  /'
log "PASS: fleet path, $(( $(date +%s) - t0 ))s in all (times in $R/times.txt)"
