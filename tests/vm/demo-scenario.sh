#!/bin/sh
# The demo: a runc container is trained, its system-call counts grow in
# 'sysanomctl status', training converges and switches to enforcing, and an
# intruder's shell in the container raises alerts.
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

echo "# train until the profile stops growing; the module then enforces by itself"
# a finer growth curve (a checkpoint every 128 windows) for a quick demo
run sysanomctl set demo-ct growth_shift=7
run sysanomctl train --until-stable --slope 0.0002 --for 5 demo-ct
i=0
while [ $i -lt 300 ] && status_entry /demo-ct | grep -qE '"mode":"(training|calibrating)"'; do
	sleep 1; i=$((i + 1))
done
sysanomctl status
status_entry /demo-ct | grep -q '"mode":"enforcing"' || fail "training did not converge in ${i}s"
echo "# converged after ${i}s; the container goes on with its work: no alert"
sleep 5
sysanomctl alerts
echo "# an intruder's shell in the container reads what the service never read"
runc exec demo /bin/sh -c 'cat /etc/passwd; ls -la /; echo pwned' > /dev/null 2>&1
sleep 1
echo "# sysanomctl alerts: how many per process, and the first of each"
sysanomctl alerts | awk '{ print $8 }' | sort | uniq -c
sysanomctl alerts | awk '!seen[$8]++'
sysanomctl status
[ "$(status_entry /demo-ct | json_num alerts)" -gt 0 ] || fail "the intrusion raised no alert"
run sysanomctl untrack demo-ct
run stop_container demo
exit 0
