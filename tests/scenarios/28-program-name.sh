#!/bin/sh
# After exec a stream starts with the program's name (two ids from a hash
# of its comm, params.start 2): a program the cgroup never ran misses from
# its first call, however much its calls look like a known one's. Trains on
# a copy of sysanomctl named 'known' ('--version': the same calls whatever
# its name), enforces, runs it again (no alert), then the very same file
# named 'intruder': identical calls, a new name, and it must alert. Without
# the program's name in the stream it raised no alert. The same for a
# program that names itself without exec (prctl(PR_SET_NAME), as busybox's
# shell runs its applets: tests/helpers/rename.c): trained as 'known2', it
# must alert as 'intruder2' (it did not before the task_rename hook).
# kernels: debian debug debian-6.12 debian-7.2
# shellcheck source-path=SCRIPTDIR source=../vm/guest-lib.sh
. /lib/sysanom/guest-lib.sh

D=/tmp/progname
mkdir -p "$D" "$CG/pn"
cp /usr/sbin/sysanomctl "$D/known" && cp /usr/sbin/sysanomctl "$D/intruder" ||
	fail "cannot copy sysanomctl"
RN=/usr/sbin/sa-rename
[ -x "$RN" ] || fail "$RN is not in the initramfs"
in_cg() { sh -c 'echo $$ > '"$CG"'/pn/cgroup.procs && exec "$@"' sh "$@" > /dev/null; }

load_module
run sysanomctl train pn
i=0
while [ "$i" -lt 40 ]; do
	in_cg "$D/known" --version || fail "$D/known failed"
	in_cg "$RN" known2 || fail "$RN known2 failed"
	i=$((i + 1))
done
e=$(status_entry /pn)
note "trained: windows $(echo "$e" | json_num windows), entries $(echo "$e" | json_num profile_entries)"
# Thresholds learnt as usual: calibration on the known program, which
# then enforces by itself.
run sysanomctl calibrate pn
i=0
until status_entry /pn | grep -q '"mode":"enforcing"'; do
	in_cg "$D/known" --version || fail "$D/known failed"
	in_cg "$RN" known2 || fail "$RN known2 failed"
	i=$((i + 1))
	[ "$i" -lt 600 ] || fail "calibration did not end: $(status_entry /pn)"
	sleep 0.1
done
note "enforcing, combo threshold $(status_entry /pn | json_num combo_threshold)"
for _ in 1 2 3 4 5; do
	in_cg "$D/known" --version || fail "$D/known failed"
	in_cg "$RN" known2 || fail "$RN known2 failed"
done
a=$(status_entry /pn | json_num alerts)
[ "$a" = 0 ] || { sysanomctl alerts | tail -n 5; fail "the trained program raised $a alert(s)"; }

in_cg "$D/intruder" --version || fail "$D/intruder failed"
a=$(status_entry /pn | json_num alerts)
[ "$a" -ge 1 ] || fail "the same calls under a new program name raised no alert"
sysanomctl alerts --json | grep -q '"comm":"intruder"' ||
	fail "no alert names the program: $(sysanomctl alerts | tail -n 5)"
note "intruder: $a alert(s): $(sysanomctl alerts --json | grep intruder | head -n 1 | cut -c1-400)"
# Only the name differs: the k - 1 windows and bag - 1 bags that hold it
# (76 points at the defaults) are what crossed the threshold.
m=$(sysanomctl alerts --json | grep '"comm":"intruder"' | head -n 1 | json_num max_score)
[ "${m:-0}" -ge 76 ] || fail "the intruder's incident peaked at ${m:-?}, not the 76 of a new name"

in_cg "$RN" intruder2 || fail "$RN intruder2 failed"
sysanomctl alerts --json | grep -q '"comm":"intruder2"' ||
	fail "a program that names itself intruder2 raised no alert: $(sysanomctl alerts | tail -n 3)"
note "intruder2: $(sysanomctl alerts --json | grep '"comm":"intruder2"' | head -n 1 | cut -c1-300)"

run sysanomctl untrack pn
rmdir "$CG/pn"
rmmod sysanom || fail "rmmod sysanom failed"
