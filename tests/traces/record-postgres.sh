#!/bin/bash
# PostgreSQL 15 in a temporary cluster (loopback and a socket in $WORK only),
# driven by pgbench (TPC-B-like, 4 clients). Writes $OUT/postgres.strace.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
DURATION=${DURATION:-240}
PORT=${PORT:-15432}
BIN=${PGBIN:-/usr/lib/postgresql/15/bin}

chown postgres "$WORK"
as_pg() { runuser -u postgres -- "$@"; }
as_pg "$BIN/initdb" -D "$WORK/data" -A trust > /dev/null
start_traced postgres runuser -u postgres -- "$BIN/postgres" -D "$WORK/data" \
	-p "$PORT" -k "$WORK" -c listen_addresses=127.0.0.1
wait_port "$PORT"
as_pg "$BIN/pgbench" -h 127.0.0.1 -p "$PORT" -i -s 2 postgres > /dev/null 2>&1
as_pg "$BIN/pgbench" -h 127.0.0.1 -p "$PORT" -c 4 -j 2 -T "$DURATION" postgres 2>&1 | grep -E 'transactions|tps' >&2 || true
stop_traced
