#!/bin/bash
# A quiet sidecar whose signals arrive asynchronously: each round starts a
# helper that signals the shell after a delay, a sleep, then waits for both,
# and reads /proc. USR1 and SIGCHLD land wherever the shell happens to be.
# Writes $OUT/shell-async.strace.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
DURATION=${DURATION:-240}

# shellcheck disable=SC2016
start_traced shell-async bash -c 'trap "x=1" USR1
end=$((SECONDS + '"$DURATION"'))
while [ $SECONDS -lt $end ]; do
	(sleep 0.1$((RANDOM % 10)); kill -USR1 $$) &
	sleep 0.15 &
	wait
	wait
	cat /proc/self/status > /dev/null
	date +%s > /dev/null
done'
wait "${PIDS[0]}" || true
PIDS=()
