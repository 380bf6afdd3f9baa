#!/bin/sh
# Unload the module while it monitors a busy container (and a busy plain
# cgroup): system calls keep arriving on every CPU during rmmod. Twice, so that
# the second load starts from whatever the first unload left.
# shellcheck source-path=SCRIPTDIR source=../vm/guest-lib.sh
. /lib/sysanom/guest-lib.sh

BUSY='while :; do cat /proc/self/stat > /dev/null; done'

run start_container busy busy-ct "$BUSY"
pid_a=$(start_cgroup_loop busy-a) || fail "cannot start the loop in $CG/busy-a"
for round in 1 2; do
	load_module
	run sysanomctl train busy-ct
	run sysanomctl train busy-a
	sleep 1
	n=$(status_entry /busy-ct | json_num syscalls)
	note "round $round: busy-ct made ${n:-no} system calls"
	{ [ -n "$n" ] && [ "$n" -gt 0 ]; } || fail "busy-ct shows no system calls: $(sysanomctl status --json)"
	run rmmod sysanom
	! grep -q '^sysanom ' /proc/modules || fail "sysanom is still loaded after rmmod"
done
run stop_container busy
kill "$pid_a"
exit 0
