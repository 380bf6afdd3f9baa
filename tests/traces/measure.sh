#!/bin/bash
# Replays every recorded trace under each variant and prints, per trace and
# variant: windows and seconds until the until-stable rule held, final
# windows and entries, and the STIDE windows new in the second half.
#   measure.sh [TRACE...]   (default: $OUT/*.strace $OUT/*.ftrace.zst)
#   VARIANTS="name:BIN:replay options;..." to choose the variants, BIN
#   being replay (this tree's core) or replay-base (BASE's, default HEAD:
#   make base).
#   LIFECYCLE=1 also replays `train --until-stable` on to enforcement
#   (replay --lifecycle, this tree's core only) and prints when it
#   enforced and the false incidents after it (the trace's shutdown
#   included: see replay --end).
set -euo pipefail
OUT=${OUT:-/var/cache/sysanom/traces}
here=$(cd "$(dirname "$0")" && pwd)
make -s -C "$here" replay base > /dev/null
B=${BUILD:-$here/../../build/traces}
VARIANTS=${VARIANTS:-"before:replay-base:;now:replay:--sigstream"}
if [ $# -eq 0 ]; then
	set -- "$OUT"/*.strace "$OUT"/*.ftrace.zst
fi
printf '%-22s %-15s %10s %6s %10s %8s %6s %8s %9s\n' trace variant stable_win s windows entries late enforce_s incidents
for f in "$@"; do
	[ -e "$f" ] || continue
	IFS=';' read -ra vs <<< "$VARIANTS"
	for v in "${vs[@]}"; do
		name=${v%%:*}
		rest=${v#*:}
		bin=${rest%%:*}
		opts=${rest#*:}
		[ -z "${LIFECYCLE:-}" ] || [ "$bin" != replay ] || opts="$opts --lifecycle"
		# shellcheck disable=SC2086
		out=$("$B/$bin" $opts "$f" 2> /dev/null)
		st=$(sed -n 's/.*stable after \([0-9]*\) s, \([0-9]*\) windows.*/\2 \1/p' <<< "$out")
		[ -n "$st" ] || st="never -"
		tr=$(sed -n 's/.*trace [0-9-]* s, \([0-9]*\) windows, \([0-9]*\) STIDE + \([0-9]*\) BoSC.*/\1 \2+\3/p' <<< "$out")
		late=$(sed -n 's/.*): \([0-9]*\) STIDE.*/\1/p' <<< "$out")
		lc=$(sed -n 's/.*enforcing at \([0-9]*\) s.*: \([0-9]*\) incidents.*/\1 \2/p' <<< "$out")
		[ -n "$lc" ] || lc="- -"
		# shellcheck disable=SC2086
		printf '%-22s %-15s %10s %6s %10s %8s %6s %8s %9s\n' "$(basename "$f")" "$name" $st $tr "$late" $lc
	done
done
