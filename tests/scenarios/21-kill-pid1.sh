#!/bin/sh
# --action kill kills a container's PID 1 too. The init of a pid namespace
# is SIGNAL_UNKILLABLE for the signals it sends itself: a SIGKILL sent to
# itself the ordinary way is dropped, and only the offending call failed
# (ENOSYS) while the process lived on. A runc container whose PID 1 is a
# shell trains on a loop of builtins, enforces with kill, then that same
# shell (no child: the builtins of PID 1 itself) does what it never did; the
# container's cgroup must be empty afterwards.
# shellcheck source-path=SCRIPTDIR source=../vm/guest-lib.sh
. /lib/sysanom/guest-lib.sh

# Builtins only, so that every call is PID 1's own.
WORKLOAD='while [ ! -e /go ]; do read x < /proc/self/stat; done
while :; do cd /proc; ulimit -n 64; umask 077; set -- /proc/*/status; cd /; done'

load_module
run start_container ctk ct-k "$WORKLOAD"
pid1=$(runc state ctk | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p')
note "container PID 1 is host pid $pid1: $(tr '\0' ' ' < /proc/"$pid1"/cmdline)"
grep -q '^NSpid:.*[[:space:]]1$' /proc/"$pid1"/status || fail "pid $pid1 is not PID 1 of its namespace: $(grep NSpid /proc/"$pid1"/status)"
run sysanomctl train ct-k
sleep 4
run sysanomctl enforce --action kill ct-k
sleep 2
e=$(status_entry /ct-k)
note "enforcing: $e"
[ "$(echo "$e" | json_num alerts)" = 0 ] || fail "the trained loop raised alerts: $(sysanomctl alerts)"
[ -d /proc/"$pid1" ] || fail "PID 1 died before it did anything new"

# Something new, in PID 1 itself.
touch /tmp/bundle-ctk/rootfs/go
i=0
while [ $i -lt 100 ] && [ -n "$(cat "$CG/ct-k/cgroup.procs" 2>/dev/null)" ]; do
	sleep 0.1; i=$((i + 1))
done
e=$(status_entry /ct-k)
note "after the new behaviour ($((i / 10)).$((i % 10))s): $e"
[ "$(echo "$e" | json_num anomalous_windows)" -gt 0 ] || fail "PID 1's new behaviour raised no alert"
left=$(cat "$CG/ct-k/cgroup.procs" 2>/dev/null)
if [ -n "$left" ]; then
	for p in $left; do note "left: $p $(tr '\0' ' ' < /proc/"$p"/cmdline)"; done
	fail "PID 1 of ct-k survived --action kill (processes left: $(echo "$left" | tr "\n" " "))"
fi
runc state ctk | grep -q '"stopped"' || fail "runc does not see ct-k stopped: $(runc state ctk)"

run sysanomctl untrack ct-k
run runc delete -f ctk
run rmmod sysanom
exit 0
