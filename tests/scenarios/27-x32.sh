#!/bin/sh
# kernels: debian debian-6.12 debian-7.2
# x32 calls (the system-call number with __X32_SYSCALL_BIT) in a monitored
# cgroup are judged as the native calls they are: alerts name them getppid,
# sched_yield and rt_sigaction (x32's own number 512), not an unknown id.
# Debian's kernels have x32 off at run time, so they fail with ENOSYS, but
# the sys_enter tracepoint sees them. A cgroup trained on a native shell
# loop, enforcing, then tests/helpers/x32calls.c run in it.
# shellcheck source-path=SCRIPTDIR source=../vm/guest-lib.sh
. /lib/sysanom/guest-lib.sh

X32=/usr/sbin/sa-x32calls
[ -x "$X32" ] || fail "$X32 is not in the initramfs"

load_module
pid=$(start_cgroup_loop x32) || fail "cannot start the loop in $CG/x32"
run sysanomctl train "$CG/x32"
# Its start-up without its loop, in training: the loop's calls are then
# what is new, and the call sets' alert holds them from its first window.
sh -c 'echo $$ > '"$CG"'/x32/cgroup.procs && exec '"$X32"' 0' > /dev/null 2>&1 ||
	fail "$X32 0 failed in the cgroup"
sleep 5
run sysanomctl enforce "$CG/x32" > /dev/null 2>&1
e=$(status_entry /x32)
echo "$e" | grep -q '"mode":"enforcing"' || fail "x32 is not enforcing: $e"

sh -c 'echo $$ > '"$CG"'/x32/cgroup.procs && exec '"$X32"' 20' > /tmp/x32.out 2>&1 ||
	fail "$X32 failed in the cgroup: $(cat /tmp/x32.out)"
note "$(cat /tmp/x32.out)"
sleep 1
sysanomctl alerts --json | grep '"comm":"sa-x32calls"' > /tmp/x32.alerts ||
	fail "no alert from sa-x32calls: $(sysanomctl alerts --json | tail -n 3)"
note "$(grep -o '"syscalls":\[[^]]*\]' /tmp/x32.alerts | head -n 1)"
for c in getppid sched_yield rt_sigaction; do
	grep -q "\"$c\"" /tmp/x32.alerts ||
		fail "the alerts of sa-x32calls do not name its x32 $c: $(head -n 2 /tmp/x32.alerts)"
done

kill "$pid"
run sysanomctl untrack "$CG/x32"
rmdir "$CG/x32" 2>/dev/null || { sleep 0.5; rmdir "$CG/x32"; }
rmmod sysanom || fail "rmmod sysanom failed"
