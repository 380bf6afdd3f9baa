#!/bin/bash
# The quiet sidecar: a shell loop with sleeps, child processes and a signal
# to itself, as in the issue. Writes $OUT/shell.strace.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
DURATION=${DURATION:-240}

# shellcheck disable=SC2016
start_traced shell bash -c 'trap "x=1" USR1
end=$((SECONDS + '"$DURATION"'))
while [ $SECONDS -lt $end ]; do
	sleep 0.2 &
	wait
	kill -USR1 $$
	cat /proc/self/status > /dev/null
	date +%s > /dev/null
done'
wait "${PIDS[0]}" || true
PIDS=()
