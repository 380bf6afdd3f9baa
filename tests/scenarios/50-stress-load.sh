#!/bin/sh
# Load: STRESS_CGROUPS (200; 30 on the debug kernel) monitored cgroups at
# once, each with a resident loop that forks, execs and exits on every CPU,
# some also starting runc (a Go program: a burst of threads created and torn
# down); half of them train, half enforce. Meanwhile cgroups are created,
# tracked, filled, killed and removed while monitored. Then rmmod in the
# middle of that load, insmod again, track everything again and carry on.
# Prints a STRESS SUMMARY line.
# shellcheck source-path=SCRIPTDIR source=../vm/guest-lib.sh
. /lib/sysanom/guest-lib.sh

# shellcheck source=/dev/null
. /etc/sysanom-test.conf
# The debug kernel under emulation is about 5x slower: fewer bursts, and
# (since the 7.2 debug kernel, preemptible with DEBUG_PREEMPT and
# PROVE_RCU_LIST) 30 cgroups: with 100 it took 601 s to track them all, on
# a host busy with other guests.
if [ "$FLAVOR" = debug ]; then slow=1; else slow=0; fi
NCG=${STRESS_CGROUPS:-$((slow ? 30 : 200))}
PHASE=${STRESS_PHASE_S:-$((slow ? 6 : 15))}	# seconds of load per phase
PERIOD=${STRESS_PERIOD_S:-$((slow ? 10 : 3))}	# each loop's pause between bursts
EXECN=${STRESS_EXEC_EVERY:-$((slow ? 8 : 1))}	# a fork+exec every EXECN bursts
EPHEMERAL=${STRESS_EPHEMERAL:-$((slow ? 3 : 6))}	# cgroups created and removed per phase
STOP=/tmp/stress-load.stop
NCPU=$(nproc)
faults=0
t0=$(date +%s)

elapsed() { echo $(($(date +%s) - t0)); }

# Sum of a numeric field over the whole status JSON (one object per cgroup).
json_sum() {
	sysanomctl status --json | tr '{' '\n' | json_num "$1" |
		awk '{ s += $1 } END { print s + 0 }'
}

# First line of /proc/sysanom/status: threads N untracked_calls N ...
proc_head() {
	head -n1 /proc/sysanom/status | awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }'
}

# Track every cgroup of the set: training, or training then enforcing.
track_all() {
	i=1
	while [ "$i" -le "$NCG" ]; do
		sysanomctl train "stress/c$i" || fail "train stress/c$i failed"
		i=$((i + 1))
	done
}

# After the reload a loop may not have made a call yet (it pauses up to
# PERIOD seconds): its profile is empty, and enforce refuses it (exit 1).
enforce_half() {
	i=2 refused=0
	while [ "$i" -le "$NCG" ]; do
		out=$(sysanomctl enforce "stress/c$i" 2>&1) || case "$out" in
		*"empty profile"*) refused=$((refused + 1)) ;;
		*) fail "enforce stress/c$i failed: $out" ;;
		esac
		i=$((i + 2))
	done
	[ "$refused" -le $((NCG / 4)) ] || fail "enforce refused $refused of $((NCG / 2)) cgroups: empty profiles"
	[ "$refused" = 0 ] || note "enforce: $refused cgroup(s) had learnt nothing yet"
}

# Cgroups that come and go while monitored: tracked, filled with a loop,
# the loop killed, the directory removed, the profile untracked by id.
ephemeral_round() {
	j=1
	while [ "$j" -le "$EPHEMERAL" ]; do
		d=$CG/stress/eph$1-$j
		mkdir "$d" || fail "mkdir $d"
		id=$(stat -c %i "$d")
		sysanomctl train "$id" > /dev/null || fail "train $d ($id)"
		sh -c 'echo $$ > '"$d"'/cgroup.procs; while :; do cat /proc/self/stat > /dev/null; done' \
			> /dev/null 2>&1 &
		p=$!
		[ $((j % 2)) = 0 ] && sleep 1
		# A profile that learnt nothing yet cannot be enforced (exit 1).
		out=$(sysanomctl enforce "$id" 2>&1) ||
			case "$out" in *"empty profile"*) ;; *) fail "enforce $d ($id): $out" ;; esac
		kill -9 "$p"
		wait "$p" 2> /dev/null
		# The cgroup empties asynchronously after the kill.
		k=0
		while ! rmdir "$d" 2> /dev/null; do
			k=$((k + 1))
			[ "$k" -lt 50 ] || fail "cannot remove $d: $(cat "$d/cgroup.procs")"
			# A child the loop forked just before the kill lives on.
			cgroup_kill "$d"
			sleep 0.1
		done
		faults=$((faults + 1))
		# A removed cgroup keeps its profile until untracked (by id).
		if [ $((j % 3)) != 0 ]; then
			sysanomctl untrack "$id" || fail "untrack of removed cgroup $id failed"
		else
			leftover="$leftover $id"
		fi
		j=$((j + 1))
	done
}

FIFO=/tmp/stress-load.fifo
load_module
rm -f "$STOP" "$FIFO"
mkfifo "$FIFO" || fail "mkfifo $FIFO"
mkdir -p "$CG/stress" || fail "cannot create $CG/stress"
i=1
while [ "$i" -le "$NCG" ]; do
	mkdir -p "$CG/stress/c$i" || fail "mkdir $CG/stress/c$i"
	i=$((i + 1))
done
track_all
note "$NCG cgroups tracked after $(elapsed)s"

# One resident loop per cgroup, pinned round-robin to the CPUs. Every 10th
# also runs runc (a multi-threaded Go binary) for thread churn.
i=1
while [ "$i" -le "$NCG" ]; do
	extra=
	[ $((i % 10)) = 0 ] && extra='runc --version > /dev/null;'
	# Pauses are a builtin read on a FIFO nobody writes (no exec); the
	# bursts are builtin reads plus a fork+exec every EXECN of them.
	# shellcheck disable=SC2016
	taskset -c $((i % NCPU)) sh -c 'echo $$ > '"$CG/stress/c$i"'/cgroup.procs
		exec 3<> '"$FIFO"'
		n='"$i"'
		while [ ! -e '"$STOP"' ]; do
			read -r x < /proc/self/stat
			if [ $((n % '"$EXECN"')) = 0 ]; then cat /proc/self/stat > /dev/null; '"$extra"' fi
			n=$((n + 1))
			read -r -t '"$PERIOD"' x <&3
		done' > /dev/null 2>&1 &
	i=$((i + 1))
done
note "$NCG loops started on $NCPU CPU(s) after $(elapsed)s"

leftover=
for phase in 1 2; do
	sleep $((PHASE / 3))
	enforce_half
	ephemeral_round "$phase"
	sleep $((PHASE / 3))
	n=$(sysanomctl status --json | grep -o '"id":' | wc -l)
	threads=$(proc_head threads)
	untracked=$(proc_head untracked_calls)
	note "phase $phase at $(elapsed)s: $n cgroups listed, threads $threads, untracked $untracked"
	[ "$n" -ge "$NCG" ] || fail "only $n cgroups listed, expected at least $NCG"
	busy=$(sysanomctl status --json | tr '{' '\n' | grep '"path":"/stress/c' | json_num syscalls |
		awk '$1 > 0 { n++ } END { print n + 0 }')
	note "phase $phase: $busy of $NCG cgroups have system calls counted"
	[ "$busy" -ge $((NCG * 9 / 10)) ] || fail "only $busy of $NCG cgroups saw system calls"
	syscalls=$(json_sum syscalls)
	alerts=$(json_sum alerts)
	suppressed=$(json_sum alerts_suppressed)
	lost=$(proc_head alerts_lost)
	if [ "$phase" = 1 ]; then
		# In the middle of all that: unload, load again, carry on.
		note "rmmod under load at $(elapsed)s"
		run rmmod sysanom
		faults=$((faults + 1))
		! grep -q '^sysanom ' /proc/modules || fail "sysanom still loaded after rmmod"
		sleep 1
		run insmod "$MODULE"
		none_listed || fail "a fresh module lists cgroups"
		track_all
		leftover=
		note "reloaded and re-tracked $NCG cgroups at $(elapsed)s"
		syscalls1=$syscalls alerts1=$alerts suppressed1=$suppressed lost1=$lost
	fi
done

# Removed cgroups that were never untracked are still listed, path gone.
for id in $leftover; do
	sysanomctl status --json | tr '{' '\n' | grep -q "\"id\":$id," ||
		fail "removed-but-tracked cgroup $id vanished from the list"
	sysanomctl untrack "$id" || fail "untrack of removed cgroup $id failed"
done

touch "$STOP"
held_cgroups=$(sysanomctl status --json | grep -o '"id":' | wc -l)
held_threads=$threads
k=0
while [ -n "$(jobs -p)" ] && [ "$k" -lt 100 ]; do sleep 0.2; k=$((k + 1)); done
i=1
while [ "$i" -le "$NCG" ]; do
	cgroup_kill "$CG/stress/c$i"
	i=$((i + 1))
done
wait
i=1
while [ "$i" -le "$NCG" ]; do
	k=0
	while ! rmdir "$CG/stress/c$i" 2> /dev/null; do
		k=$((k + 1))
		[ "$k" -lt 50 ] || fail "cannot remove $CG/stress/c$i"
		sleep 0.1
	done
	i=$((i + 1))
done
rmdir "$CG/stress"
# Every profile outlived its cgroup; the status still answers for all.
n=$(sysanomctl status --json | grep -o '"id":' | wc -l)
[ "$n" = "$NCG" ] || fail "$n cgroups listed after their removal, expected $NCG"
head -n1 /proc/sysanom/status
run rmmod sysanom

echo "STRESS SUMMARY scenario=load cgroups=$held_cgroups threads=$held_threads" \
	"syscalls=$((syscalls1 + syscalls)) alerts=$((alerts1 + alerts))" \
	"dropped=$((suppressed1 + suppressed + lost1 + lost)) faults=$faults bad_inputs=0" \
	"seconds=$(elapsed)"
exit 0
