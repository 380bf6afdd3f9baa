#!/bin/sh
# Floods. (1) An alert storm: FLOOD_CGROUPS enforcing cgroups, each trained on
# a tiny loop and then running programs it never ran, with a small alert log
# (alert_log=32) and rate (alert_rate=2: an incident per process is fewer
# records than one per window was): the per-container rate limit holds (at
# most 4 logged per second plus the bursts), every alert is either logged or counted suppressed,
# the log never holds more than its size, the sequence numbers match the
# logged count, and the host stays responsive. (2) Memory caps: a profile that
# reaches max_profile_bytes stops growing and says "full" (status and procfs);
# a new cgroup beyond max_total_bytes is refused with ENOMEM. (3) The thread
# table full (max_threads=24): extra threads are counted as untracked, the
# count never passes the cap, and the table drains when they exit.
# shellcheck source-path=SCRIPTDIR source=../vm/guest-lib.sh
. /lib/sysanom/guest-lib.sh

rm -f /tmp/flood.go /tmp/flood.stop /tmp/threads.stop
NFL=${FLOOD_CGROUPS:-8}
STORM_S=${FLOOD_STORM_S:-12}
LOG=32
t0=$(date +%s)
faults=0
elapsed() { echo $(($(date +%s) - t0)); }
proc_head() {
	head -n1 /proc/sysanom/status | awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }'
}
json_sum() {
	sysanomctl status --json | tr '{' '\n' | json_num "$1" |
		awk '{ s += $1 } END { print s + 0 }'
}

# ---- 1. alert storm ----------------------------------------------------------
if grep -q '^sysanom ' /proc/modules; then rmmod sysanom || fail "cannot unload"; fi
RATE=2
run insmod "$MODULE" alert_log=$LOG alert_rate=$RATE
i=1
while [ "$i" -le "$NFL" ]; do
	mkdir -p "$CG/flood$i"
	# Trained on a builtin-only loop: read a file, nothing else.
	sh -c 'echo $$ > '"$CG/flood$i"'/cgroup.procs
		while [ ! -e /tmp/flood.go ]; do read x < /proc/self/stat; done
		while [ ! -e /tmp/flood.stop ]; do
			ls -l / > /dev/null; cat /proc/self/status > /dev/null; uname -a > /dev/null
		done' > /dev/null 2>&1 &
	run sysanomctl train "flood$i"
	i=$((i + 1))
done
sleep 3
i=1
while [ "$i" -le "$NFL" ]; do run sysanomctl enforce "flood$i"; i=$((i + 1)); done
sysanomctl alerts --follow --json > /tmp/flood.follow 2>&1 &
follower=$!
sleep 1
touch /tmp/flood.go
ts=$(date +%s)
worst=0
while [ $(($(date +%s) - ts)) -lt "$STORM_S" ]; do
	# Responsiveness: a status round trip and a fork+exec, timed.
	a=$(date +%s)
	sysanomctl status > /dev/null || fail "status failed during the storm"
	/bin/true
	d=$(($(date +%s) - a))
	[ "$d" -gt "$worst" ] && worst=$d
	sleep 1
done
touch /tmp/flood.stop
storm_s=$(($(date +%s) - ts))
sleep 1
kill "$follower" 2> /dev/null
wait "$follower" 2> /dev/null
note "storm of ${storm_s}s: slowest status round trip ${worst}s"
[ "$worst" -le 20 ] || fail "the host was unresponsive during the storm (${worst}s for a status)"

alerts=$(json_sum alerts)
suppressed=$(json_sum alerts_suppressed)
lost=$(proc_head alerts_lost)
logged=$((alerts - suppressed))
note "alerts $alerts, suppressed $suppressed, logged $logged, lost before multicast $lost"
[ "$alerts" -gt 0 ] || fail "the storm raised no alert"
[ "$suppressed" -gt 0 ] || fail "the rate limit suppressed nothing in a storm of $alerts alerts"
# Per container: RATE per second plus one burst, and as many again for the
# first alerts of new processes, over the enforcing time.
span=$(($(date +%s) - ts + 8))
sysanomctl status --json | tr '{' '\n' | grep '"path":"/flood' | while read -r e; do
	a=$(echo "$e" | json_num alerts)
	s=$(echo "$e" | json_num alerts_suppressed)
	[ $((a - s)) -le $((2 * RATE * span + 2 * RATE)) ] ||
		{ echo "FAIL: rate limit broken: $e"; exit 1; }
done || exit 1
# The ring holds at most alert_log records; seq numbers count logged alerts.
records=$(($(wc -l < /proc/sysanom/alerts) - 1))
note "/proc/sysanom/alerts holds $records records (log size $LOG)"
[ "$records" -le "$LOG" ] || fail "the alert log holds $records > $LOG records"
[ "$records" = "$LOG" ] || [ "$records" = "$logged" ] ||
	fail "the alert log holds $records records, expected $LOG or $logged"
last=$(tail -n1 /proc/sysanom/alerts | cut -d' ' -f1)
[ "$last" = "$logged" ] || fail "last alert seq $last, but $logged alerts were logged"
n=$(sysanomctl alerts --json | wc -l)
[ "$n" = "$records" ] || fail "sysanomctl alerts shows $n records, procfs $records"
followed=$(grep -c '"seq"' /tmp/flood.follow)
note "the follower received $followed alerts"
[ "$followed" -gt 0 ] || fail "alerts --follow received nothing: $(head -c 300 /tmp/flood.follow)"
[ "$followed" -le "$logged" ] || fail "the follower got $followed alerts, more than $logged logged"
[ $((followed + lost)) -ge $((logged * 9 / 10)) ] ||
	fail "only $followed multicast + $lost counted lost of $logged logged alerts"
storm_alerts=$alerts storm_dropped=$((suppressed + lost))
storm_syscalls=$(json_sum syscalls)
i=1
while [ "$i" -le "$NFL" ]; do kill_cgroup "$CG/flood$i"; i=$((i + 1)); done

# ---- 2. memory caps ---------------------------------------------------------
P=/sys/module/sysanom/parameters
old_profile=$(cat $P/max_profile_bytes)
old_total=$(cat $P/max_total_bytes)
mkdir -p "$CG/memcap"
run sysanomctl train memcap
run sysanomctl set memcap k=16 bag=16
bytes0=$(status_entry /memcap | json_num profile_bytes)
note "memcap starts at $bytes0 bytes; capping one profile there"
echo "$bytes0" > $P/max_profile_bytes || fail "max_profile_bytes is not writable"
faults=$((faults + 1))
# Varied work: many programs, many distinct windows.
sh -c 'echo $$ > '"$CG/memcap"'/cgroup.procs
	for r in 1 2 3 4 5 6; do
		ls -lR /sys/module/sysanom > /dev/null 2>&1; cat /proc/self/maps > /dev/null
		ps > /dev/null; df > /dev/null 2>&1; mount > /dev/null; id > /dev/null
		date > /dev/null; uname -a > /dev/null; find /etc > /dev/null; sort /proc/self/status > /dev/null
		runc --version > /dev/null; sysanomctl --help > /dev/null 2>&1; sleep 0.1
		wc -c /proc/self/stat > /dev/null; stat / > /dev/null; env > /dev/null; hostname > /dev/null
	done' > /dev/null 2>&1
e=$(status_entry /memcap)
note "after varied work: $e"
echo "$e" | grep -q '"profile_full":true' || fail "memcap did not fill up its cap: $e"
grep -q "(full)" /proc/sysanom/status || fail "/proc/sysanom/status shows no (full): $(cat /proc/sysanom/status)"
b1=$(echo "$e" | json_num profile_bytes)
n1=$(echo "$e" | json_num profile_entries)
[ "$b1" -le "$bytes0" ] || fail "memcap grew to $b1 bytes past its cap $bytes0"
# More new work: no growth, no crash.
sh -c 'echo $$ > '"$CG/memcap"'/cgroup.procs; for r in 1 2 3; do ls -laR /proc/self > /dev/null 2>&1; runc help > /dev/null; done' > /dev/null 2>&1
e=$(status_entry /memcap)
b2=$(echo "$e" | json_num profile_bytes)
n2=$(echo "$e" | json_num profile_entries)
note "after more work: $b2 bytes, $n2 entries (were $b1, $n1)"
[ "$b2" -le "$bytes0" ] || fail "memcap grew past its cap: $b2 > $bytes0"
run sysanomctl enforce memcap
# The total cap: nothing beyond what is held now.
total=$(proc_head profile_bytes)
echo "$total" > $P/max_total_bytes || fail "max_total_bytes is not writable"
faults=$((faults + 1))
mkdir -p "$CG/memcap2"
out=$(sysanomctl train memcap2 2>&1)
rc=$?
note "train beyond max_total_bytes: exit $rc: $out"
[ "$rc" = 1 ] || fail "train beyond max_total_bytes exited $rc, expected 1"
[ -z "$(status_entry /memcap2)" ] || fail "memcap2 is tracked beyond max_total_bytes"
echo "$old_profile" > $P/max_profile_bytes
echo "$old_total" > $P/max_total_bytes
run sysanomctl train memcap2
run sysanomctl untrack memcap2
run sysanomctl untrack memcap
rmdir "$CG/memcap" "$CG/memcap2"
run rmmod sysanom

# ---- 3. the thread table full -----------------------------------------------
MAXT=24
run insmod "$MODULE" max_threads=$MAXT
mkdir -p "$CG/threads"
run sysanomctl train threads
# 40 processes (threads) all making system calls, then runc's thread bursts.
sh -c 'echo $$ > '"$CG/threads"'/cgroup.procs
	i=0
	while [ $i -lt 40 ]; do
		( while [ ! -e /tmp/threads.stop ]; do read x < /proc/self/stat; sleep 0.2; done ) &
		i=$((i + 1))
	done
	runc --version > /dev/null; runc --version > /dev/null
	wait' > /dev/null 2>&1 &
sleep 4
th=$(proc_head threads)
un=$(proc_head untracked_calls)
note "thread table: $th held (cap $MAXT), $un untracked"
[ "$th" -le "$MAXT" ] || fail "$th threads held, above max_threads=$MAXT"
[ "$un" -gt 0 ] || fail "a full thread table counted no untracked thread"
e=$(status_entry /threads)
[ "$(echo "$e" | json_num syscalls)" -gt 0 ] || fail "no system calls counted: $e"
held_threads=$th untracked=$un
touch /tmp/threads.stop
wait_empty "$CG/threads"
sleep 1
th=$(proc_head threads)
note "after the threads exited: $th held"
[ "$th" -lt "$MAXT" ] || fail "the thread table did not drain: $th held"
# The table takes new threads again.
sh -c 'echo $$ > '"$CG/threads"'/cgroup.procs; i=0; while [ $i -lt 50 ]; do read x < /proc/self/stat; i=$((i + 1)); done; sleep 1' &
sleep 0.5
th2=$(proc_head threads)
wait
[ "$th2" -ge 1 ] || fail "the drained thread table takes no new thread"
faults=$((faults + un))
thread_syscalls=$(json_sum syscalls)
run sysanomctl untrack threads
rmdir "$CG/threads"
i=1
while [ "$i" -le "$NFL" ]; do rmdir "$CG/flood$i"; i=$((i + 1)); done
run rmmod sysanom

echo "STRESS SUMMARY scenario=floods cgroups=$NFL threads=$held_threads" \
	"syscalls=$((storm_syscalls + thread_syscalls)) alerts=$storm_alerts dropped=$storm_dropped" \
	"faults=$faults bad_inputs=0 untracked_calls=$untracked seconds=$(elapsed)"
exit 0
