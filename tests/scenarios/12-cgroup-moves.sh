#!/bin/sh
# The per-CPU caches follow cgroup moves: a task known unmonitored that is moved
# into a monitored cgroup, or whose cgroup (or an ancestor) becomes monitored,
# is counted from then on; moved out, it stops counting.
. /lib/sysanom/guest-lib.sh

load_module
mkdir -p "$CG/u/inner" "$CG/m" || fail "mkdir"
# A loop that makes system calls without forking: the same task throughout.
sh -c 'echo $$ > '"$CG/u/inner"'/cgroup.procs; while :; do read x < /proc/self/stat; done' &
pid=$!
sleep 1
calls() { status_entry "$1" | json_num syscalls; }

# 1. the task is cached as unmonitored; an ancestor of its cgroup is tracked.
run sysanomctl train u
sleep 1; a=$(calls /u); sleep 1; b=$(calls /u)
note "u: $a -> $b"
{ [ -n "$a" ] && [ "$b" -gt "$a" ]; } || fail "u does not count the running loop after train ($a -> $b)"
run sysanomctl untrack u

# 2. cached unmonitored again; moved into a monitored cgroup by another task.
sleep 1
run sysanomctl train m
sleep 1; a=$(calls /m)
echo "$pid" > "$CG/m/cgroup.procs" || fail "move into m"
sleep 1; b=$(calls /m); sleep 1; c=$(calls /m)
note "m: $a -> $b -> $c"
[ "$c" -gt "$b" ] || fail "m does not count the moved loop ($a -> $b -> $c)"
[ "$b" -gt $((a + 100)) ] || fail "m did not count the moved loop at once ($a -> $b)"

# 3. moved out again: m stops counting it.
echo "$pid" > "$CG/u/cgroup.procs" || fail "move out of m"
sleep 1; a=$(calls /m); sleep 1; b=$(calls /m)
note "m after the move out: $a -> $b"
[ $((b - a)) -lt 100 ] || fail "m still counts the loop after it moved out ($a -> $b)"

# 4. enforcing, moved between two monitored cgroups.
run sysanomctl train u
echo "$pid" > "$CG/m/cgroup.procs" || fail "move into m"
sleep 1
run sysanomctl enforce m
sleep 1; a=$(calls /m); sleep 1; b=$(calls /m)
note "m enforcing: $a -> $b"
[ "$b" -gt "$a" ] || fail "m enforcing does not count ($a -> $b)"
echo "$pid" > "$CG/u/cgroup.procs" || fail "move into u"
sleep 1; a=$(calls /u); sleep 1; b=$(calls /u)
note "u after the move back: $a -> $b"
[ "$b" -gt "$a" ] || fail "u does not count the loop moved back ($a -> $b)"
run sysanomctl status

kill "$pid"; wait "$pid" 2>/dev/null
run sysanomctl untrack u
run sysanomctl untrack m
rmdir "$CG/u/inner" "$CG/u" "$CG/m"
run rmmod sysanom
