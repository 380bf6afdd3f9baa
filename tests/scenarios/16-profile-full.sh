#!/bin/sh
# A profile that cannot grow is not a converged one, and it grows again once
# memory allows. The module is loaded with max_total_bytes just above its
# first sets (2 x 1024 slots); a cgroup making harmless calls in a random
# order (nlfuzz noise) trains with 'train --until-stable' and fills them. Its profile must show full and stay
# in training while full (its slope falls to 0 because nothing new is
# counted: the until-stable rule used to take that for convergence). Raising
# max_total_bytes, it grows within seconds, is no longer full, and learns
# more entries.
# shellcheck source-path=SCRIPTDIR source=../vm/guest-lib.sh
. /lib/sysanom/guest-lib.sh

CAP=/sys/module/sysanom/parameters/max_total_bytes
load_module
echo 20000 > "$CAP" || fail "cannot set max_total_bytes"
mkdir -p "$CG/full"
nf=$(command -v nlfuzz) || fail "nlfuzz is not in the initramfs (run-guest.sh builds it)"
# Harmless calls in a random order: nearly every window is new.
sh -c 'echo $$ > '"$CG/full"'/cgroup.procs; exec '"$nf"' noise --iters 900' > /dev/null 2>&1 &
loop=$!
run sysanomctl train --until-stable full

full_since=
i=0
while [ $i -lt 240 ]; do
	e=$(status_entry /full)
	echo "$e" | grep -q '"profile_full":true' && { full_since=$i; break; }
	sleep 1; i=$((i + 1))
done
[ -n "$full_since" ] || fail "the profile never filled its first sets: $(status_entry /full)"
e_full=$(echo "$e" | json_num profile_entries)
note "full after ${full_since}s with $e_full entries"

# Full, it stays in training (the rule would have needed 15 checkpoints of
# flat slope and 10 checks): watch long enough for both.
w0=$(echo "$e" | json_num windows)
i=0
while [ $i -lt 60 ]; do
	e=$(status_entry /full)
	echo "$e" | grep -q '"mode":"training"' || fail "a full profile left training: $e"
	echo "$e" | grep -q '"profile_full":true' || fail "the profile stopped being full under the cap: $e"
	[ $(($(echo "$e" | json_num windows) - w0)) -ge 20000 ] && [ $i -ge 15 ] && break
	sleep 1; i=$((i + 1))
done
note "still training after ${i}s full, $(($(echo "$e" | json_num windows) - w0)) windows later, slope $(echo "$e" | sed -n 's/.*"growth_slope":\([0-9.]*\).*/\1/p')"
[ $(($(echo "$e" | json_num windows) - w0)) -ge 16000 ] ||
	fail "too few windows while full to have tested the rule: $e"

# Memory allowed again: it grows and learns.
echo $((512 << 20)) > "$CAP"
i=0
while [ $i -lt 30 ]; do
	e=$(status_entry /full)
	echo "$e" | grep -q '"profile_full":false' &&
		[ "$(echo "$e" | json_num profile_entries)" -gt "$e_full" ] && break
	sleep 1; i=$((i + 1))
done
[ $i -lt 30 ] || fail "the profile did not grow again once the cap was raised: $e"
note "grew again ${i}s after the cap was raised: $(echo "$e" | json_num profile_entries) entries"
dmesg | grep -E 'sysanom|cgroup [0-9]+:' | tail -n 5

kill "$loop"
cgroup_kill "$CG/full"
run sysanomctl untrack full
sleep 1
rmdir "$CG/full"
run rmmod sysanom
