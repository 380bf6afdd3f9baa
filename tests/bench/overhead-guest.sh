#!/bin/sh
# Guest side of tests/bench/overhead.sh (busybox sh, run as a scenario by the
# harness's /init in one boot under -smp 1 -icount shift=0).
#
# For each case, runs syscall_loop for getpid, for 4 KiB pipe write+read and
# for a one-byte ping-pong between two processes, each with a warm-up and BENCH_ROUNDS timed rounds, and prints
#   BENCH <case> <workload> <round> <units per system call>
# Cases, in this order:
#   none          no module loaded
#   empty-probe   tests/bench/empty_probe loaded (the floor of any sys_enter hook)
#   idle          sysanom loaded, nothing monitored
#   unmonitored   another cgroup training, the caller in an unmonitored cgroup
#   training      the caller's cgroup training
#   enforcing     the caller's cgroup enforcing (after the training case);
#                 'BENCH-NA enforcing <reason>' when sysanomctl enforce fails
# shellcheck source=tests/vm/guest-lib.sh
. /lib/sysanom/guest-lib.sh

BENCH=/lib/sysanom/bench
LOOP=$BENCH/syscall_loop
: "${BENCH_ROUNDS:=5}"
: "${BENCH_GETPID_ITERS:=200000}"
: "${BENCH_PIPE_ITERS:=20000}"
: "${BENCH_PINGPONG_ITERS:=10000}"

# The caller's cgroups sit two levels down, as a service under a slice does
# on a systemd host, so that the module's ancestor walk does real work.
CALLER=bench.slice/loop.service
OTHER=other.slice/ct.service

# Run both workloads in cgroup $2, labelled $1.
measure() {
	for w in getpid pipe pingpong; do
		case $w in
		getpid) n=$BENCH_GETPID_ITERS ;;
		pipe) n=$BENCH_PIPE_ITERS ;;
		pingpong) n=$BENCH_PINGPONG_ITERS ;;
		esac
		out=$(sh -c 'echo $$ > "$1/cgroup.procs" && exec "$2" "$3" "$4" "$5"' \
			sh "$CG/$2" "$LOOP" "$w" "$n" "$BENCH_ROUNDS") ||
			fail "syscall_loop $w in $2 failed: $out"
		echo "$out" | sed "s/^/BENCH $1 /"
	done
}

[ -x "$LOOP" ] || fail "$LOOP is missing"
[ -f "$BENCH/empty_probe.ko" ] || fail "$BENCH/empty_probe.ko is missing"
mkdir -p "$CG/$CALLER" "$CG/$OTHER" || fail "cannot create the cgroups"
# Something to monitor in the other cgroup that does not compete for the CPU.
sh -c 'echo $$ > "$1/cgroup.procs" && exec sleep 100000' sh "$CG/$OTHER" &
sleeper=$!
echo "clocksource: $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"

measure none "$CALLER"

run insmod "$BENCH/empty_probe.ko"
measure empty-probe "$CALLER"
run rmmod empty_probe

run insmod "$MODULE"
measure idle "$CALLER"

run sysanomctl train "$OTHER"
measure unmonitored "$CALLER"
run sysanomctl untrack "$OTHER"

run sysanomctl train "$CALLER"
measure training "$CALLER"
if msg=$(sysanomctl enforce "$CALLER" 2>&1); then
	measure enforcing "$CALLER"
else
	echo "BENCH-NA enforcing sysanomctl enforce failed: $msg"
fi
run sysanomctl status
run sysanomctl untrack "$CALLER"

kill "$sleeper"
wait "$sleeper" 2>/dev/null
rmdir "$CG/$CALLER" "$CG/$OTHER" "$CG/bench.slice" "$CG/other.slice" 2>/dev/null
run rmmod sysanom
exit 0
