#!/bin/sh
# Each container has a thread quota of its own (max_cgroup_threads): one
# container that spawns threads past it cannot leave another container's new
# threads unwatched, and its own threads beyond the quota are not silent: an
# enforcing container raises a 'no-state' alert (at most one a second), and
# under --action kill such a thread does not run.
# Loaded with a table of 16 (max_threads) and a quota of 6. Before the quota,
# qa's sleepers took the whole table: qb's new thread went unwatched, and
# nothing said so.
# shellcheck source-path=SCRIPTDIR source=../vm/guest-lib.sh
. /lib/sysanom/guest-lib.sh

rm -f /tmp/qa.spawn /tmp/qa.more /tmp/qa.child /tmp/qb.go
# The records of the alert log of cgroup $1 (JSON lines).
alerts_of() { sysanomctl alerts --json | grep "\"cgroup\":\"$1\""; }

if grep -q '^sysanom ' /proc/modules; then rmmod sysanom || fail "cannot unload"; fi
echo "+ insmod $MODULE max_threads=16 max_cgroup_threads=6"
insmod "$MODULE" max_threads=16 max_cgroup_threads=6 ||
	{ note "no max_cgroup_threads: loading with max_threads=16 only"; run insmod "$MODULE" max_threads=16; }
mkdir -p "$CG/qa" "$CG/qb"
# qa: a loop of builtins that, once told, starts 20 sleepers (children
# that stay), then, told again, a subshell that writes a file.
sh -c 'echo $$ > '"$CG/qa"'/cgroup.procs
	while [ ! -e /tmp/qa.spawn ]; do read x < /proc/self/stat; done
	i=0; while [ $i -lt 20 ]; do sleep 1000 & i=$((i + 1)); done
	while [ ! -e /tmp/qa.more ]; do read x < /proc/self/stat; done
	(echo alive > /tmp/qa.child)
	while :; do read x < /proc/self/stat; done' > /dev/null 2>&1 &
# qb: the same loop; once told, new subshells (new threads) that do what
# it never did.
sh -c 'echo $$ > '"$CG/qb"'/cgroup.procs
	while [ ! -e /tmp/qb.go ]; do read x < /proc/self/stat; done
	while :; do (cd /proc; ulimit -n 64; umask 077; set -- /proc/*/status); done' > /dev/null 2>&1 &
qb_loop=$!
run sysanomctl train qa
run sysanomctl train qb
sleep 3
run sysanomctl enforce qa
run sysanomctl enforce qb
sleep 1
for c in /qa /qb; do
	a=$(status_entry $c | json_num alerts)
	[ "$a" = 0 ] || fail "$c alerts on its trained loop: $(sysanomctl alerts)"
done

# qa spawns past its quota, then qb starts new threads.
spawn_t=$(date +%s)
touch /tmp/qa.spawn
sleep 3
head -n1 /proc/sysanom/status
note "qa: $(wc -l < "$CG/qa/cgroup.procs") processes"
touch /tmp/qb.go
sleep 2

# qb's new threads (its loop's subshells, not the loop) are still watched:
# they alert, with a detector.
alerts_of /qb | grep -v "\"pid\":$qb_loop," | head -n 2
alerts_of /qb | grep -v "\"pid\":$qb_loop," | grep -qE '"detector":"(stide|bosc|combo)"' ||
	fail "qb's new threads went unwatched while qa was over its quota: $(sysanomctl alerts | tail -n 5)"
! alerts_of /qb | grep -q '"detector":"no-state"' ||
	fail "qb, well under its quota, could not watch a thread: $(alerts_of /qb | grep no-state | head -n1)"

# qa's threads beyond its quota are not silent.
alerts_of /qa | grep '"detector":"no-state"' | head -n 2
alerts_of /qa | grep -q '"detector":"no-state"' ||
	fail "qa's threads beyond its quota raised no no-state alert: $(sysanomctl alerts | tail -n 5)"
# One a second per container (and event): the debug kernel takes longer
# than the sleeps to get here, so count the seconds since the spawn began.
n=$(alerts_of /qa | grep -c '"detector":"no-state"')
secs=$(($(date +%s) - spawn_t + 1))
note "qa: $n no-state alerts in ${secs} s"
[ "$n" -le $((secs + 1)) ] || fail "no-state alerts are not rate-limited: $n in $secs s"

run_status 1 sysanomctl allow "$(alerts_of /qa | grep '"detector":"no-state"' | head -n1 | json_num seq)"

# Under --action kill, a thread beyond the quota does not run.
run sysanomctl enforce --action kill qa
sleep 1
touch /tmp/qa.more
sleep 2
[ ! -e /tmp/qa.child ] || fail "qa's thread beyond its quota ran under --action kill"
note "the subshell beyond the quota did not run"

kill_cgroup "$CG/qa"
kill_cgroup "$CG/qb"
run sysanomctl untrack qa
run sysanomctl untrack qb
rmdir "$CG/qa" "$CG/qb"
sleep 1
t=$(head -n1 /proc/sysanom/status | awk '{ print $2 }')
[ "$t" = 0 ] || fail "$t thread states left after every thread exited"
run rmmod sysanom
exit 0
