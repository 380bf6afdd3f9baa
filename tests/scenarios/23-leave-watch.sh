#!/bin/sh
# Leaving the watch is not silent. In an enforcing container:
# (1) a task moved out of the container's subtree (a write to cgroup.procs)
#     raises a 'left' alert at its first call afterwards, and under
#     --action kill dies there;
# (2) a child created outside it (clone3 CLONE_INTO_CGROUP) raises a 'left'
#     alert from its parent;
# (3) io_uring_setup, even where training saw it, raises an 'io_uring'
#     alert (the ring's operations make no system call), and under
#     --action kill does not run.
# Before: the moved task, the child born outside and the ring all went
# unwatched, with no alert.
# shellcheck source-path=SCRIPTDIR source=../vm/guest-lib.sh
. /lib/sysanom/guest-lib.sh

rm -f /tmp/cl.go /tmp/cl.out /tmp/iu.out
alerts_of() { sysanomctl alerts --json | grep "\"cgroup\":\"$1\""; }
# Whether pid $1 is gone (or a zombie).
gone() { ! grep -q '^State:[[:space:]]*[^Z]' /proc/"$1"/status 2> /dev/null; }
LOOP='while :; do read x < /proc/self/stat; done'
# A check that failed: said at once, the scenario goes on to the others.
faults=0
bad() { echo "BAD: $*"; faults=$((faults + 1)); }

load_module
mkdir -p "$CG/lm" "$CG/cl" "$CG/iu" "$CG/out"
sh -c 'echo $$ > '"$CG/lm"'/cgroup.procs; '"$LOOP" > /dev/null 2>&1 &
lm1=$!
sh -c 'echo $$ > '"$CG/lm"'/cgroup.procs; '"$LOOP" > /dev/null 2>&1 &
lm2=$!
sh -c 'echo $$ > '"$CG/cl"'/cgroup.procs
	while [ ! -e /tmp/cl.go ]; do read x < /proc/self/stat; done
	sa-escape clone-into '"$CG/out"' > /tmp/cl.out 2>&1
	'"$LOOP" > /dev/null 2>&1 &
sh -c 'echo $$ > '"$CG/iu"'/cgroup.procs
	while :; do sa-escape io-uring >> /tmp/iu.out 2>&1; done' > /dev/null 2>&1 &
for c in lm cl iu; do run sysanomctl train $c; done
sleep 4
for c in lm cl iu; do run sysanomctl enforce $c; done
sleep 1
# The alert comes at the call, whether the kernel has io_uring or not.
grep -q 'io_uring_setup:' /tmp/iu.out || fail "sa-escape io-uring does not run: $(tail -n 1 /tmp/iu.out)"
note "io_uring here: $(tail -n 1 /tmp/iu.out)"

# (1) moved out by another task.
echo "$lm1" > "$CG/out/cgroup.procs" || fail "move $lm1 out"
sleep 2
alerts_of /lm | grep '"detector":"left"' | head -n 1
alerts_of /lm | grep '"detector":"left"' | grep -q "\"pid\":$lm1," ||
	bad "a task moved out of enforcing lm raised no 'left' alert: $(sysanomctl alerts | tail -n 3)"
gone "$lm1" && bad "the moved task died under --action log"
run sysanomctl enforce --action kill lm
sleep 1
echo "$lm2" > "$CG/out/cgroup.procs" || fail "move $lm2 out"
sleep 2
gone "$lm2" || bad "a task moved out of lm under --action kill lives on"

# (2) a child born outside.
touch /tmp/cl.go
sleep 2
note "clone-into: $(tr '\n' ' ' < /tmp/cl.out)"
grep -q 'child ran' /tmp/cl.out || fail "clone3 CLONE_INTO_CGROUP did not work: $(cat /tmp/cl.out)"
alerts_of /cl | grep '"detector":"left"' | head -n 1
alerts_of /cl | grep '"detector":"left"' | grep -q '"comm":"sa-escape"' ||
	bad "a child created outside enforcing cl raised no 'left' alert: $(sysanomctl alerts | tail -n 3)"

# (3) io_uring, trained, still alerts.
sleep 1
alerts_of /iu | grep '"detector":"io_uring"' | head -n 1
alerts_of /iu | grep -q '"detector":"io_uring"' ||
	bad "io_uring_setup in enforcing iu raised no 'io_uring' alert: $(sysanomctl alerts | tail -n 3)"
run sysanomctl enforce --action kill iu
sleep 1
a=$(grep -c 'io_uring_setup:' /tmp/iu.out)
sleep 2
b=$(grep -c 'io_uring_setup:' /tmp/iu.out)
note "io_uring_setup calls that returned: $a, then $b under --action kill"
[ "$b" = "$a" ] || bad "io_uring_setup ran under --action kill ($a -> $b)"

for c in lm cl iu out; do kill_cgroup "$CG/$c"; done
for c in lm cl iu; do run sysanomctl untrack $c; done
rmdir "$CG/lm" "$CG/cl" "$CG/iu" "$CG/out"
run rmmod sysanom
[ "$faults" = 0 ] || fail "$faults check(s) failed"
exit 0
