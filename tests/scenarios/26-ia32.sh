#!/bin/sh
# kernels: debug debian
# A 32-bit (i386) program in a monitored cgroup: its system calls come in
# through the ia32 entry, are kept apart from native ones, and alerts name
# them i386:NAME. A cgroup trained on a native shell loop, enforcing, then
# the static i386 program ia32calls (tests/stress/ia32calls.c) run in it.
# shellcheck source-path=SCRIPTDIR source=../vm/guest-lib.sh
. /lib/sysanom/guest-lib.sh

IA32=/usr/sbin/ia32calls
[ -x "$IA32" ] || fail "$IA32 is not in the initramfs (run-guest.sh builds it with gcc -m32: gcc-multilib)"
# Runs here, outside any monitored cgroup: the kernel has ia32 emulation.
out=$("$IA32" 2 2>&1) || fail "$IA32 does not run on this kernel: $out"
note "$out"

load_module
pid=$(start_cgroup_loop ia32) || fail "cannot start the loop in $CG/ia32"
run sysanomctl train "$CG/ia32"
# Its start-up without its loop, in training: the loop's calls are then
# what is new, and the call sets' alert holds them from its first window.
sh -c 'echo $$ > '"$CG"'/ia32/cgroup.procs && exec '"$IA32"' 0' > /dev/null 2>&1 ||
	fail "$IA32 0 failed in the cgroup"
sleep 5
run sysanomctl enforce "$CG/ia32" > /dev/null 2>&1
e=$(status_entry /ia32)
echo "$e" | grep -q '"mode":"enforcing"' || fail "ia32 is not enforcing: $e"

sh -c 'echo $$ > '"$CG"'/ia32/cgroup.procs && exec '"$IA32"' 50' > /tmp/ia32.out 2>&1 ||
	fail "$IA32 failed in the cgroup: $(cat /tmp/ia32.out)"
sleep 1
run sysanomctl alerts
sysanomctl alerts --json | grep '"comm":"ia32calls"' > /tmp/ia32.alerts ||
	fail "no alert from ia32calls: $(sysanomctl alerts --json | tail -n 3)"
grep -q '"i386:[a-z_0-9]*"' /tmp/ia32.alerts ||
	fail "ia32calls' alerts name no i386: call: $(head -n 2 /tmp/ia32.alerts)"
# Its calls are the 32-bit ones: getcwd and sched_yield by their i386 names.
grep -Eq '"i386:(getcwd|sched_yield|uname|newuname|getppid)"' /tmp/ia32.alerts ||
	fail "ia32calls' alerts do not hold its calls: $(head -n 2 /tmp/ia32.alerts)"
note "$(grep -o '"syscalls":\[[^]]*\]' /tmp/ia32.alerts | head -n 1)"

kill "$pid"
run sysanomctl untrack "$CG/ia32"
rmdir "$CG/ia32" 2>/dev/null || { sleep 0.5; rmdir "$CG/ia32"; }
rmmod sysanom || fail "rmmod sysanom failed"
