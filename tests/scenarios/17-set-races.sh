#!/bin/sh
# kernels: debian debug debian-6.12 debian-7.2
# SET and TRACK under the profile's locks (issue 10, findings 7 and 8).
# 1. A profile emptied by a new window length cannot be enforced or
#    calibrated: a cgroup trains until it has entries, its processes are
#    killed (nothing refills the profile), 'set k=8' empties it; 'enforce'
#    and 'calibrate' must fail saying the profile is empty, and it stays in
#    training, empty. TRACK used to skip the guard on a tracked cgroup.
# 2. Concurrent SETs lose nothing (nlfuzz setrace): three writers on sockets
#    of their own set epoch_threshold, combo_threshold and k of one training
#    cgroup while status dumps check that no threshold goes backwards; at the
#    end each holds its writer's last value, k included (a SET that wrote back
#    a stale k would have emptied the profile again). The cgroup then trains
#    on, at that k. The family has no parallel_ops, so genl_mutex serializes
#    its doits: through netlink the SET race of finding 7 needs parallel_ops
#    to show. With them, the pre-fix SET (read, edit outside the lock, write
#    back) lost updates in 2000 SETs per writer, the fixed one in none.
# shellcheck source-path=SCRIPTDIR source=../vm/guest-lib.sh
. /lib/sysanom/guest-lib.sh

ITERS=${SETRACE_ITERS:-200}
t0=$(date +%s)
load_module
nf=$(command -v nlfuzz) || fail "nlfuzz is not in the initramfs (run-guest.sh builds it)"

# Waits until cgroup $1 (path below the root) has profile entries; prints them.
wait_entries() {
	_i=0
	while [ "$_i" -lt 100 ]; do
		_n=$(status_entry "$1" | json_num profile_entries)
		[ "${_n:-0}" -gt 0 ] && { echo "$_n"; return 0; }
		sleep 0.2; _i=$((_i + 1))
	done
	fail "$1 learnt nothing in 20 s: $(status_entry "$1")"
}

# ---- 1. an emptied profile is neither enforced nor calibrated ----
start_cgroup_loop sr8 > /dev/null || fail "cannot start a loop in $CG/sr8"
run sysanomctl train sr8
n=$(wait_entries /sr8)
kill_cgroup "$CG/sr8"
note "sr8 trained $n entries; its processes killed"
run sysanomctl set sr8 k=8
e=$(status_entry /sr8)
[ "$(echo "$e" | json_num profile_entries)" = 0 ] || fail "k=8 did not empty the profile: $e"
[ "$(echo "$e" | json_num k)" = 8 ] || fail "k=8 was not applied: $e"
for cmd in enforce calibrate; do
	echo "+ sysanomctl $cmd sr8 (expect exit 1: empty profile)"
	out=$(sysanomctl "$cmd" sr8 2>&1)
	rc=$?
	[ "$rc" = 1 ] || fail "'$cmd' of an emptied profile exited $rc: $out; status: $(status_entry /sr8)"
	case $out in *"empty profile"*) ;; *) fail "'$cmd' of an emptied profile: $out" ;; esac
	note "$out"
	e=$(status_entry /sr8)
	echo "$e" | grep -q '"mode":"training"' || fail "'$cmd' of an emptied profile left training: $e"
	[ "$(echo "$e" | json_num profile_entries)" = 0 ] || fail "the emptied profile has entries: $e"
done
run sysanomctl untrack sr8
rmdir "$CG/sr8"

# ---- 2. concurrent SETs ----
start_cgroup_loop sr7 > /dev/null || fail "cannot start a loop in $CG/sr7"
run sysanomctl train sr7
n=$(wait_entries /sr7)
id=$(stat -c %i "$CG/sr7")
note "sr7 ($id) trained $n entries"
t1=$(date +%s)
echo "+ nlfuzz setrace --real $id --iters $ITERS"
"$nf" setrace --real "$id" --iters "$ITERS" > /tmp/setrace.out 2>&1
rc=$?
grep -v '^NLFUZZ FAIL' /tmp/setrace.out
grep '^NLFUZZ FAIL' /tmp/setrace.out | head -n 20
[ "$rc" = 0 ] || fail "nlfuzz setrace exited $rc: $(grep '^NLFUZZ FAIL' /tmp/setrace.out | head -n 3 | tr '\n' ' ')"
note "setrace took $(($(date +%s) - t1)) s"
# It trains on at the k of the last SET, and learns again.
k=$(sed -n 's/.* k=\([0-9]*\) (set [0-9]*).*/\1/p' /tmp/setrace.out)
e=$(status_entry /sr7)
echo "$e" | grep -q '"mode":"training"' || fail "sr7 left training: $e"
[ "$(echo "$e" | json_num k)" = "$k" ] || fail "sr7's k is not $k: $e"
n=$(wait_entries /sr7)
note "sr7 learns again at k=$k: $n entries"
kill_cgroup "$CG/sr7"
run sysanomctl untrack sr7
rmdir "$CG/sr7"
run rmmod sysanom
note "17-set-races: $(($(date +%s) - t0)) s"
