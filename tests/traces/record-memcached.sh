#!/bin/bash
# memcached (4 worker threads) driven by memaslap (get/set mix, 2 threads, 16 connections, 2000
# requests per second). Writes $OUT/memcached.strace.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
DURATION=${DURATION:-180}
PORT=${PORT:-11311}

start_traced memcached memcached -u nobody -l 127.0.0.1 -p "$PORT" -U 0 -t 4 -m 64
wait_port "$PORT"
memcaslap -s "127.0.0.1:$PORT" -T 2 -c 16 --tps=2k -t "${DURATION}s" 2>&1 | tail -n 3 >&2 || true
stop_traced
