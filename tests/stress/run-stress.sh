#!/bin/bash
# Run the stress, flood, hostile-input and privilege scenarios (tests/scenarios/5*.sh)
# in a QEMU guest, with the nlfuzz binary they need.
#
# usage: tests/stress/run-stress.sh [run-guest.sh options] [--scenario FILE...]
#   default: --kernel debug --scenario tests/scenarios/5*.sh
#
# The harness (tests/vm/mkinitramfs.sh) copies only the scenarios, the module,
# sysanomctl, runc and strace into the guest. Until it has a hook for extra
# binaries, this script appends nlfuzz (static, base64) to a scratch copy of
# each scenario after a "#__NLFUZZ_PAYLOAD__" line; the scenario extracts it
# from itself ($0). A scenario run without the payload (plain run-guest.sh or
# run-all.sh) finds no nlfuzz and skips only the parts that need it, saying so.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

args=() scenarios=() kernel=0
while [ $# -gt 0 ]; do
	case "$1" in
	--scenario) shift; while [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; do scenarios+=("$1"); shift; done ;;
	--kernel) kernel=1; args+=("$1" "$2"); shift 2 ;;
	*) args+=("$1"); shift ;;
	esac
done
[ "$kernel" = 1 ] || args+=(--kernel debug)
[ ${#scenarios[@]} -gt 0 ] || scenarios=("$repo"/tests/scenarios/5*.sh)

work=$repo/tests/results/stress
mkdir -p "$work"
nlfuzz=$("$here/build-nlfuzz.sh" "$work/nlfuzz")
sdir=$(mktemp -d "$work/scenarios.XXXXXX")
trap 'rm -rf "$sdir"' EXIT
for s in "${scenarios[@]}"; do
	d=$sdir/$(basename "$s")
	cp "$s" "$d"
	{ echo; echo '#__NLFUZZ_PAYLOAD__'; base64 -w 76 "$nlfuzz"; } >> "$d"
done
"$repo/tests/vm/run-guest.sh" "${args[@]}" --scenario "$sdir"/*.sh
