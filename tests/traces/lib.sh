# shellcheck shell=bash
# Shared by the recording scripts: where traces go, how long to record, and
# cleanup of whatever a script started. Sourced, not run.
#
#   OUT       folder of the traces (default /var/cache/sysanom/traces)
#   DURATION  seconds of load (default per script)
#   TRACER    strace (default) or ftrace
#   STRACE    strace options (default: -f -tt -s 32: follow every child,
#             microsecond timestamps for the one-second checks of replay)
#
# TRACER=strace writes NAME.strace (strace -f -tt -o). TRACER=ftrace writes
# NAME.ftrace.zst: the tracepoints the module itself hooks (sys_enter, and
# sys_exit of failed calls, signal_deliver, sched_process_fork/exec/exit),
# from a private ftrace instance that follows the server and its children
# (set_event_pid with event-fork). It does not stop the tasks at each call
# the way ptrace does, so signals and children interleave as they do
# without a tracer.
set -euo pipefail

OUT=${OUT:-/var/cache/sysanom/traces}
TRACER=${TRACER:-strace}
STRACE=${STRACE:--f -tt -s 32}
TRACEFS=${TRACEFS:-/sys/kernel/tracing}
INST=
mkdir -p "$OUT"
WORK=$(mktemp -d /tmp/sa-trace.XXXXXX)
chmod 755 "$WORK"
PIDS=()

cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill "$p" 2> /dev/null || true
	done
	for p in "${PIDS[@]}"; do
		wait "$p" 2> /dev/null || true
	done
	ftrace_remove
	[ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

note() { printf '%s: %s\n' "$(basename "$0")" "$*" >&2; }

# start_traced NAME CMD...: runs CMD under the tracer into $OUT/NAME.*.
start_traced() {
	if [ "$TRACER" = ftrace ]; then
		start_ftraced "$@"
		return
	fi
	local name=$1
	shift
	# shellcheck disable=SC2086
	strace $STRACE -o "$OUT/$name.strace" "$@" > "$OUT/$name.log" 2>&1 &
	PIDS+=("$!")
	note "recording $name into $OUT/$name.strace (strace pid $!)"
}

start_ftraced() {
	local name=$1 e
	shift
	[ -d "$TRACEFS/instances" ] || mount -t tracefs nodev "$TRACEFS"
	INST=$TRACEFS/instances/sysanom-$name-$$
	mkdir "$INST"
	echo 0 > "$INST/tracing_on"
	echo "${FTRACE_KB:-131072}" > "$INST/buffer_size_kb"
	for e in raw_syscalls/sys_enter raw_syscalls/sys_exit \
		signal/signal_deliver sched/sched_process_fork \
		sched/sched_process_exec sched/sched_process_exit; do
		echo 1 > "$INST/events/$e/enable"
	done
	echo 'ret < 0' > "$INST/events/raw_syscalls/sys_exit/filter"
	echo 1 > "$INST/options/event-fork"
	echo 0 > "$INST/options/irq-info"
	# one clock for every CPU: a task that exec moved to another CPU must
	# not have its calls sorted before its exec
	echo global > "$INST/trace_clock"
	mkfifo "$WORK/ftrace.fifo"
	zstd -q -1 < "$WORK/ftrace.fifo" > "$OUT/$name.ftrace.zst" &
	FTRACE_ZSTD=$!
	cat "$INST/trace_pipe" > "$WORK/ftrace.fifo" &
	FTRACE_READER=$!
	# The launcher puts itself in the filter, then becomes the server.
	# shellcheck disable=SC2016
	bash -c 'echo $$ > "$1/set_event_pid"; echo 1 > "$1/tracing_on"; shift; exec "$@"' \
		_ "$INST" "$@" > "$OUT/$name.log" 2>&1 &
	PIDS+=("$!")
	note "recording $name into $OUT/$name.ftrace.zst (launcher pid $!)"
}

# ftrace_remove: stops the instance, lets the reader drain, reports lost
# events and removes the instance.
ftrace_remove() {
	local lost
	[ -n "$INST" ] && [ -d "$INST" ] || return 0
	echo 0 > "$INST/tracing_on"
	sleep 2
	lost=$(grep -h overrun "$INST"/per_cpu/cpu*/stats | awk '{s += $2} END {print s}')
	note "ftrace overruns (lost events): ${lost:-?}"
	kill "$FTRACE_READER" 2> /dev/null || true
	wait "$FTRACE_READER" "$FTRACE_ZSTD" 2> /dev/null || true
	rmdir "$INST"
	INST=
}

# wait_port PORT: until something listens on 127.0.0.1:PORT (10 s at most).
wait_port() {
	local _
	for _ in $(seq 100); do
		if (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null; then
			return 0
		fi
		sleep 0.1
	done
	note "nothing listens on port $1"
	return 1
}

# descendants PID: every process below PID, deepest last.
descendants() {
	local c
	for c in $(pgrep -P "$1" || true); do
		echo "$c"
		descendants "$c"
	done
}

# stop_traced: ends the traced servers (SIGTERM to every process under
# strace, SIGKILL to what is left) and waits for strace to write its last
# lines.
stop_traced() {
	local p procs=()
	for p in "${PIDS[@]}"; do
		mapfile -t -O "${#procs[@]}" procs < <(descendants "$p")
		# under ftrace the launcher is the server itself
		[ "$TRACER" = strace ] || procs+=("$p")
	done
	[ ${#procs[@]} -eq 0 ] || kill -TERM "${procs[@]}" 2> /dev/null || true
	sleep 3
	[ ${#procs[@]} -eq 0 ] || kill -KILL "${procs[@]}" 2> /dev/null || true
	for p in "${PIDS[@]}"; do
		wait "$p" 2> /dev/null || true
	done
	PIDS=()
	ftrace_remove
}
