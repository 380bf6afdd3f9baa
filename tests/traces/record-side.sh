#!/bin/bash
# The sidecar of tests/scenarios/40-services.sh: busybox sh (and its
# applets only), a sleep child every second, a USR1 to itself, a file
# written. Writes $OUT/side.strace (or .ftrace.zst).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
DURATION=${DURATION:-420}
BB=${BUSYBOX:-$(command -v busybox)}

mkdir -p "$WORK/bin" "$WORK/tmp"
for a in sh sleep kill; do ln -s "$BB" "$WORK/bin/$a"; done
# shellcheck disable=SC2016
start_traced side "$WORK/bin/sh" -c 'PATH='"$WORK"'/bin
n=0
trap "n=\$((n + 1))" USR1
while :; do sleep 1 & wait; kill -USR1 $$; echo "$n" > '"$WORK"'/tmp/beat; done'
sleep "$DURATION"
stop_traced
