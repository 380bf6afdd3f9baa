#!/bin/sh
# Profiles persist: a trained container's profile is saved, the module is
# reloaded, the profile loaded, and the same intrusion is detected again.
# Corrupt and truncated profiles are refused and leave the loaded one alone.
# A profile learnt offline from an strace -f recording of the workload
# enforces on a fresh container with no live training.
# On Debian's kernel only, for CI time: two calibrations take minutes on the
# debug kernel (52-hostile-input loads hostile profiles there).
# kernels: debian
# timeout: 1500
. /lib/sysanom/guest-lib.sh

WORKLOAD='while :; do cat /proc/self/status > /dev/null; echo ok > /tmp/beat; done'
INTRUSION='ls -la / /etc; cat /etc/passwd; echo done'

alerts_of() { status_entry "$1" | json_num alerts; }

# Alerts of cgroup $2 (container $1) from its trained work, then an
# intrusion; $3, the alerts it had before (default 0).
check_detects() {
	b=${3:-0}
	sleep 5
	a=$(alerts_of "/$2")
	note "$2 doing its trained work: $((a - b)) alerts"
	[ "$a" = "$b" ] || { sysanomctl alerts | tail -n 5; fail "$2 raised $((a - b)) alerts on its trained workload"; }
	runc exec "$1" /bin/sh -c "$INTRUSION" > /dev/null 2>&1
	sleep 1
	a=$(alerts_of "/$2")
	note "$2 after the intrusion: $((a - b)) alerts"
	[ "$a" -gt "$b" ] || fail "the intrusion in $2 raised no alert"
}

load_module
run start_container cts ct-s "$WORKLOAD"
run sysanomctl train --until-stable ct-s
i=0
while [ $i -lt 240 ] && status_entry /ct-s | grep -qE '"mode":"(training|calibrating)"'; do
	sleep 1; i=$((i + 1))
done
note "ct-s converged after ${i}s: $(status_entry /ct-s)"
run sysanomctl save ct-s /tmp/ct-s.prof
size=$(stat -c %s /tmp/ct-s.prof)
entries=$(status_entry /ct-s | json_num profile_entries)
pairs=$(status_entry /ct-s | json_num call_pairs)
# 96 bytes of header, 9 per entry, 129 per program's call set.
rows=$(( (size - 96 - 9 * entries) / 129 ))
note "saved $entries entries and $rows call sets ($pairs calls) in $size bytes"
[ "$size" -eq $((96 + 9 * entries + 129 * rows)) ] && [ "$rows" -ge 1 ] && [ "$rows" -le "$pairs" ] ||
	fail "profile of $entries entries and $pairs calls is $size bytes"
thr=$(status_entry /ct-s | json_num combo_threshold)
status_entry /ct-s | grep -q '"calibration":"done"' || fail "ct-s was not calibrated: $(status_entry /ct-s)"
sysanomctl save ct-s - > /tmp/ct-s.stdout || fail "save to - failed"
cmp -s /tmp/ct-s.prof /tmp/ct-s.stdout || fail "save to - differs from save to a file"
check_detects cts ct-s

# Reload the module: nothing is monitored; load the saved profile.
run rmmod sysanom
run insmod "$MODULE"
[ -z "$(status_entry /ct-s)" ] || fail "ct-s still monitored after reload"
run sysanomctl load ct-s /tmp/ct-s.prof
e=$(status_entry /ct-s)
echo "$e" | grep -q '"mode":"enforcing"' || fail "loaded profile is not enforcing: $e"
[ "$(echo "$e" | json_num profile_entries)" = "$entries" ] || fail "loaded $(echo "$e" | json_num profile_entries) entries, saved $entries"
# The learnt thresholds and how they were learnt come back with it.
echo "$e" | grep -q '"calibration":"done"' || fail "the loaded profile lost its calibration: $e"
[ "$(echo "$e" | json_num combo_threshold)" = "$thr" ] || fail "combo_threshold $thr was saved, $(echo "$e" | json_num combo_threshold) loaded"
echo "$e" | grep -q '"converged":true' || fail "a calibrated profile loads as converged: $e"
echo "$e" | grep -q '"call_sets":true' && [ "$(echo "$e" | json_num call_pairs)" = "$pairs" ] ||
	fail "$pairs calls were saved, the loaded profile has: $e"
# A threshold set by hand is marked as overridden; the call sets stay.
run sysanomctl set ct-s combo_threshold=$((thr + 1))
status_entry /ct-s | grep -q '"overridden":\["combo_threshold"\]' || fail "no override shown: $(status_entry /ct-s)"
[ "$(status_entry /ct-s | json_num call_pairs)" = "$pairs" ] || fail "set lost the call sets: $(status_entry /ct-s)"
run sysanomctl set ct-s combo_threshold=$thr
check_detects cts ct-s

# Hostile profiles: refused with exit 1, the loaded profile untouched.
head -c $((size - 5)) /tmp/ct-s.prof > /tmp/trunc.prof
run_status 1 sysanomctl load ct-s /tmp/trunc.prof
cp /tmp/ct-s.prof /tmp/flip.prof
printf '\377' | dd of=/tmp/flip.prof bs=1 seek=70 conv=notrunc 2> /dev/null
run_status 1 sysanomctl load ct-s /tmp/flip.prof
: > /tmp/empty.prof
run_status 1 sysanomctl load ct-s /tmp/empty.prof
run_status 1 sysanomctl load ct-s /nonexistent.prof
run_status 2 sysanomctl load ct-s
e=$(status_entry /ct-s)
echo "$e" | grep -q '"mode":"enforcing"' || fail "bad loads changed the mode: $e"
[ "$(echo "$e" | json_num profile_entries)" = "$entries" ] || fail "bad loads changed the profile: $e"
run stop_container cts

# Offline: record the workload with strace -f, learn, load, enforce.
# As the container runs it: a script file, which the shell keeps open (and
# closes in every child), not sh -c.
echo 'i=0; while [ $i -lt 400 ]; do cat /proc/self/status > /dev/null; echo ok > /tmp/beat; i=$((i + 1)); done' > /tmp/wl.sh
run strace -f -qq -o /tmp/wl.strace sh /tmp/wl.sh
note "recorded $(wc -l < /tmp/wl.strace) strace lines"
run sysanomctl learn -q --format strace -o /tmp/offline.prof /tmp/wl.strace
run start_container cto ct-o "$WORKLOAD"
run sysanomctl load ct-o /tmp/offline.prof
note "offline profile: $(status_entry /ct-o)"
status_entry /ct-o | grep -q '"calibration":"cross-validated"' ||
	fail "the offline profile's thresholds were not learnt: $(status_entry /ct-o)"
# Learnt on another run of the workload: calibrated on this one, as a profile
# brought from elsewhere should be, before it judges it.
run sysanomctl calibrate ct-o
i=0
while [ $i -lt 300 ] && status_entry /ct-o | grep -q '"mode":"calibrating"'; do
	sleep 1; i=$((i + 1))
done
status_entry /ct-o | grep -q '"calibration":"done"' || fail "ct-o did not calibrate in ${i}s: $(status_entry /ct-o)"
note "calibrated on the live workload after ${i}s: $(status_entry /ct-o | json_num combo_threshold)"
a0=$(alerts_of /ct-o)
check_detects cto ct-o "$a0"
run stop_container cto
run rmmod sysanom
exit 0
