#!/bin/sh
# Foundation scenario: two cgroups with a workload in each, one of them a real
# OCI container run by runc. Train the container: its system-call count grows
# in 'sysanomctl status', the other cgroup is not listed. Untrack, unload, and
# load again. Also the three forms of TARGET and the documented exit codes.
# shellcheck source-path=SCRIPTDIR source=../vm/guest-lib.sh
. /lib/sysanom/guest-lib.sh

WORKLOAD='while :; do cat /proc/self/status > /dev/null; sleep 0.1; done'

load_module
grep -q '^sysanom ' /proc/modules || fail "sysanom is not in /proc/modules after insmod"
[ -r /proc/sysanom/status ] || fail "/proc/sysanom/status is missing"
run sysanomctl --help > /dev/null
run_status 2 sysanomctl no-such-command
run_status 1 sysanomctl train /sys/fs/cgroup/no-such-cgroup
note "status --json with nothing monitored: $(sysanomctl status --json)"
none_listed || fail "expected an empty list, got: $(sysanomctl status --json)"

# Cgroup A: a shell loop. Cgroup ct-b: a runc container running the same loop.
pid_a=$(start_cgroup_loop wl-a) || fail "cannot start the loop in $CG/wl-a"
run start_container ctb ct-b "$WORKLOAD"
id_b=$(stat -c %i "$CG/ct-b")
note "cgroup wl-a (loop pid $pid_a), container ctb in cgroup ct-b (id $id_b)"

run sysanomctl train ct-b
e1=$(status_entry /ct-b)
[ -n "$e1" ] || fail "ct-b is not listed after train: $(sysanomctl status --json)"
echo "$e1" | grep -q '"mode":"training"' || fail "ct-b is not in training mode: $e1"
[ "$(echo "$e1" | json_num id)" = "$id_b" ] || fail "ct-b listed with id $(echo "$e1" | json_num id), its inode is $id_b"
sleep 2
e2=$(status_entry /ct-b)
n1=$(echo "$e1" | json_num syscalls)
n2=$(echo "$e2" | json_num syscalls)
note "ct-b system calls: $n1, then $n2 two seconds later"
{ [ -n "$n1" ] && [ -n "$n2" ]; } || fail "no syscalls field: $e1 / $e2"
[ "$n2" -gt "$n1" ] || fail "ct-b system calls did not grow ($n1 -> $n2)"
# Every call past a process's first k-1 ends a window: short-lived processes
# must count theirs too, not only the long-lived shell.
w2=$(echo "$e2" | json_num windows)
note "ct-b windows: $w2 for $n2 system calls"
[ -n "$w2" ] && [ $((w2 * 5)) -gt "$n2" ] || fail "ct-b counts $w2 windows for $n2 system calls"
[ -z "$(status_entry /wl-a)" ] || fail "wl-a is listed but was never trained: $(sysanomctl status --json)"
run sysanomctl status
note "/proc/sysanom/status:"
cat /proc/sysanom/status || fail "cannot read /proc/sysanom/status"

# Untrack by numeric id; then train and untrack the other by absolute path.
run sysanomctl untrack "$id_b"
[ -z "$(status_entry /ct-b)" ] || fail "ct-b is still listed after untrack"
run sysanomctl train "$CG/wl-a"
sleep 1
n=$(status_entry /wl-a | json_num syscalls)
{ [ -n "$n" ] && [ "$n" -gt 0 ]; } || fail "wl-a trained by absolute path shows no system calls: $(sysanomctl status --json)"
run sysanomctl untrack "$CG/wl-a"
none_listed || fail "expected an empty list after untrack, got: $(sysanomctl status --json)"

run stop_container ctb
kill "$pid_a"
rmdir "$CG/wl-a" 2>/dev/null || { sleep 0.5; rmdir "$CG/wl-a"; }

run rmmod sysanom
! grep -q '^sysanom ' /proc/modules || fail "sysanom is still loaded after rmmod"
[ ! -e /proc/sysanom ] || fail "/proc/sysanom is still there after rmmod"
run_status 1 sysanomctl status
run insmod "$MODULE"
none_listed || fail "expected an empty list after reload, got: $(sysanomctl status --json)"
run rmmod sysanom
exit 0
