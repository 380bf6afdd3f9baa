#!/bin/sh
# The demo: a runc container is trained and its system-call counts grow in
# 'sysanomctl status'.
# shellcheck source-path=SCRIPTDIR source=guest-lib.sh
. /lib/sysanom/guest-lib.sh

load_module
echo "# a real OCI container, run by runc, in cgroup /demo-ct"
run start_container demo demo-ct 'while :; do ls / > /dev/null; cat /proc/self/status > /dev/null; sleep 0.2; done'
run sysanomctl train demo-ct
first=
for i in 1 2 3; do
	sleep 2
	echo "# sysanomctl status ($i)"
	sysanomctl status || fail "sysanomctl status failed"
	n=$(status_entry /demo-ct | json_num syscalls)
	[ -n "$first" ] || first=$n
done
echo "# sysanomctl status --json"
sysanomctl status --json
[ "$n" -gt "$first" ] || fail "the container's system calls did not grow ($first -> $n)"
echo "# the container's system calls grew from $first to $n"
run sysanomctl untrack demo-ct
run stop_container demo
exit 0
