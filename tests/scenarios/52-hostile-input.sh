#!/bin/sh
# timeout: 900
# (On the debug kernel it took 376 s, then 478 s in CI on 2026-12-03, and
# 622 s, over the old 600, with two other guests on the same two cores.)
# Hostile input: malformed and random generic netlink messages (nlfuzz, a
# fixed seed), interrupted dumps, corrupt and truncated profiles, bogus
# targets and bad arguments through sysanomctl. Each gets an error; the module
# keeps working, lists its cgroups in their modes, and the enforcing profiles
# are unchanged (same entries); a profile crafted to flood the hash sets loads
# at once. nlfuzz is built and put in
# /usr/sbin by the harness. Prints a STRESS SUMMARY line.
# shellcheck source-path=SCRIPTDIR source=../vm/guest-lib.sh
. /lib/sysanom/guest-lib.sh

# shellcheck source=/dev/null
. /etc/sysanom-test.conf
# Fewer on the 7.2 debug kernel: there the whole scenario took 606 s with
# 1500 and 504 s with 800 (CI's time pays for the real-system test now).
if [ "$FLAVOR" = debug ]; then ITERS=${HOSTILE_ITERS:-300}; else ITERS=${HOSTILE_ITERS:-3000}; fi
SEED=${HOSTILE_SEED:-20261126}
t0=$(date +%s)
bad=0
elapsed() { echo $(($(date +%s) - t0)); }

load_module
# Four busy cgroups: two keep training, two enforce; one scratch for imports.
for c in h1 h2 h3 h4 hscratch; do
	mkdir -p "$CG/$c"
	sh -c 'echo $$ > '"$CG/$c"'/cgroup.procs; while :; do cat /proc/self/stat > /dev/null; sleep 0.5; done' \
		> /dev/null 2>&1 &
	run sysanomctl train "$c"
done
sleep 6
run sysanomctl enforce h3
run sysanomctl enforce h4
run sysanomctl enforce hscratch
ids='' expects='' reals=''
for c in h1 h2 h3 h4; do
	id=$(stat -c %i "$CG/$c")
	mode=training
	case $c in h3|h4) mode=enforcing ;; esac
	expects="$expects --expect $id:$mode"
	reals="$reals --real $id"
	ids="$ids $id"
done
scratch=$(stat -c %i "$CG/hscratch")
entries_before() { status_entry "/$1" | json_num profile_entries; }
e3=$(entries_before h3) e4=$(entries_before h4)
note "enforcing profiles: h3 $e3 entries, h4 $e4 entries"

# Bogus targets: the root cgroup, a cgroup file, a removed cgroup, a plain
# directory that is no cgroup, and ids that never existed.
mkdir "$CG/gone" && gone=$(stat -c %i "$CG/gone") && rmdir "$CG/gone"
bogus="--bogus $(stat -c %i "$CG") --bogus $(stat -c %i "$CG/h1/cgroup.procs")"
bogus="$bogus --bogus $gone --bogus $(stat -c %i /tmp) --bogus 0 --bogus 18446744073709551615"

# A valid profile to corrupt, saved from h3, and a trace for offline eval.
profile=/tmp/h3.prof
sysanomctl save h3 "$profile" || fail "cannot save h3's profile"
i=0; while [ $i -lt 400 ]; do echo $((i % 7 + i % 13)); i=$((i + 1)); done > /tmp/trace.ids
note "profile to corrupt: $profile ($(wc -c < "$profile") bytes)"

# ---- nlfuzz ----
nf=$(command -v nlfuzz) || fail "nlfuzz is not in the initramfs (run-guest.sh builds it)"
# shellcheck disable=SC2086
"$nf" fuzz --seed "$SEED" --iters "$ITERS" --half-dumps 40 $reals $bogus $expects \
	--profile "$profile" --scratch "$scratch" > /tmp/nlfuzz.out 2>&1
rc=$?
grep -v '^NLFUZZ FAIL' /tmp/nlfuzz.out
grep '^NLFUZZ FAIL' /tmp/nlfuzz.out | head -n 30
sent=$(sed -n 's/^NLFUZZ total sent=\([0-9]*\) .*/\1/p' /tmp/nlfuzz.out)
bad=$((bad + ${sent:-0}))
[ "$rc" = 0 ] || fail "nlfuzz exited $rc"

# ---- sysanomctl: bogus targets and arguments ----
# Each must fail with 1 (runtime) or 2 (usage) and change nothing.
try_bad() {
	bad=$((bad + 1))
	"$@" > /tmp/bad.out 2>&1
	rc=$?
	case $rc in
	1|2) ;;
	*) fail "'$*' exited $rc (expected 1 or 2): $(head -c 300 /tmp/bad.out)" ;;
	esac
	[ "$(wc -l < /tmp/bad.out)" -le 3 ] || fail "'$*' printed more than an error line: $(head -c 300 /tmp/bad.out)"
}
long=$(printf '%4000s' '' | tr ' ' a)
for t in /nonexistent nonexistent "$CG/h1/cgroup.procs" "$CG" / 0 1 -1 \
	18446744073709551616 99999999999999999999 1e3 0x10 " " "$long" ../../etc \
	"$CG/../../etc" "h1/../../.." "$gone" "$(stat -c %i /tmp)"; do
	try_bad sysanomctl train "$t"
	try_bad sysanomctl enforce "$t"
	try_bad sysanomctl untrack "$t"
	try_bad sysanomctl set "$t" k=6
done
try_bad sysanomctl untrack h1 h2 extra
try_bad sysanomctl train
try_bad sysanomctl train ""
try_bad sysanomctl enforce h3 --action explode
try_bad sysanomctl frobnicate h1
for kv in k=2 k=17 k=-1 k=999999999999 k= =6 k bag=1 bag=17 frame=0 frame=65 lfc=0 \
	lfc=65 action=nuke detector=magic epoch=0 epoch_threshold=0 combo_threshold=0 \
	stable_slope=-1 stable_slope=abc stable_checks=-2 nosuchkey=1 "k=6 junk"; do
	try_bad sysanomctl set h3 "$kv"
done
try_bad sysanomctl set h3 frame=4 lfc=9
try_bad sysanomctl alerts --seq notanumber
try_bad sysanomctl status --bogus

# ---- corrupt and truncated profiles through the tool ----
size=$(wc -c < "$profile")
: > /tmp/empty.prof
head -c 16 "$profile" > /tmp/short.prof
head -c $((size / 2)) "$profile" > /tmp/half.prof
head -c $((size - 1)) "$profile" > /tmp/minus1.prof
cp "$profile" /tmp/flip.prof
printf '\377' | dd of=/tmp/flip.prof bs=1 seek=$((size / 3)) conv=notrunc 2> /dev/null
cp "$profile" /tmp/magic.prof
printf 'XXXX' | dd of=/tmp/magic.prof bs=1 seek=0 conv=notrunc 2> /dev/null
head -c 4096 /dev/urandom > /tmp/random.prof
{ cat "$profile"; echo trailing; } > /tmp/trail.prof
for f in /tmp/empty.prof /tmp/short.prof /tmp/half.prof /tmp/minus1.prof \
	/tmp/flip.prof /tmp/magic.prof /tmp/random.prof /tmp/trail.prof /nonexistent.prof /tmp; do
	try_bad sysanomctl load h4 "$f"
	try_bad sysanomctl eval --profile "$f" --normal /tmp/trace.ids --attack /tmp/trace.ids
done
try_bad sysanomctl load "$gone" "$profile"
try_bad sysanomctl load / "$profile"

# ---- the module still works, profiles intact ----
for c in h1 h2 h3 h4; do
	e=$(status_entry "/$c")
	[ -n "$e" ] || fail "/$c is no longer listed: $(sysanomctl status)"
	case $c in
	h1|h2) echo "$e" | grep -q '"mode":"training"' || fail "/$c left training: $e" ;;
	h3|h4) echo "$e" | grep -q '"mode":"enforcing"' || fail "/$c left enforcing: $e" ;;
	esac
done
[ "$(entries_before h3)" = "$e3" ] || fail "h3's profile changed: $e3 -> $(entries_before h3) entries"
[ "$(entries_before h4)" = "$e4" ] || fail "h4's profile changed: $e4 -> $(entries_before h4) entries"
n=$(status_entry /h1 | json_num syscalls)
sleep 2
[ "$(status_entry /h1 | json_num syscalls)" -gt "$n" ] || fail "h1 stopped counting system calls"
run sysanomctl status

# ---- a profile crafted to flood the hash ----
# 100,000 keys that share one slot under an unkeyed hash load (or are
# refused) as fast as 100,000 keys that do not, and a status meanwhile is
# answered as fast as without them: within three times the time, plus 300 ms
# for an emulated guest's jitter. Unkeyed and unbounded, the crafted profile
# took 30 s to load and the kernel reported a soft lockup.
now_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }
# Loads profile $1 into a new cgroup while timing a status; sets load_ms,
# load_rc, status_ms.
timed_load() {
	mkdir -p "$CG/hflood"
	t=$(now_ms)
	{ sysanomctl load --train hflood "$1" > /tmp/flood.out 2>&1; echo $? > /tmp/flood.rc
	  echo $(($(now_ms) - t)) > /tmp/flood.ms; } &
	loader=$!
	sleep 0.1
	status_ms=$(now_ms)
	sysanomctl status > /dev/null || fail "status failed during a load of $1"
	status_ms=$(($(now_ms) - status_ms))
	wait "$loader"
	load_ms=$(cat /tmp/flood.ms) load_rc=$(cat /tmp/flood.rc)
	note "$1: load exit $load_rc in $load_ms ms $(cat /tmp/flood.out); a status meanwhile took $status_ms ms"
	sysanomctl untrack hflood 2> /dev/null
	rmdir "$CG/hflood"
}
"$nf" flood --profile "$profile" --out /tmp/flood.prof ||
	fail "nlfuzz could not craft a flood profile from $profile"
"$nf" flood --spread --profile "$profile" --out /tmp/spread.prof ||
	fail "nlfuzz could not craft a spread profile from $profile"
# Twice each, alternately, keeping the faster: the host's load varies.
min() { [ "$1" -le "$2" ] && echo "$1" || echo "$2"; }
base_load=999999 base_status=999999 flood_load=999999 flood_status=999999
for _ in 1 2; do
	timed_load /tmp/spread.prof
	[ "$load_rc" = 0 ] || fail "a valid profile of 100,000 entries did not load"
	base_load=$(min "$base_load" "$load_ms") base_status=$(min "$base_status" "$status_ms")
	timed_load /tmp/flood.prof
	flood_load=$(min "$flood_load" "$load_ms") flood_status=$(min "$flood_status" "$status_ms")
done
[ "$flood_load" -le $((3 * base_load + 300)) ] ||
	fail "the crafted profile took $flood_load ms to load, against $base_load ms"
[ "$flood_status" -le $((3 * base_status + 300)) ] ||
	fail "status waited $flood_status ms behind the crafted profile, against $base_status ms"
! dmesg | grep -q 'soft lockup' || fail "soft lockup: $(dmesg | grep -A5 'soft lockup')"
# And it still takes a well-formed change.
mkdir -p "$CG/hnew"
run sysanomctl train hnew
run sysanomctl set hnew k=8 frame=10 lfc=5
run sysanomctl untrack hnew
rmdir "$CG/hnew"
syscalls=$(sysanomctl status --json | tr '{' '\n' | json_num syscalls | awk '{ s += $1 } END { print s + 0 }')
alerts=$(sysanomctl status --json | tr '{' '\n' | json_num alerts | awk '{ s += $1 } END { print s + 0 }')

for c in h1 h2 h3 h4 hscratch; do
	cgroup_kill "$CG/$c"
done
sleep 1
for c in h1 h2 h3 h4 hscratch; do rmdir "$CG/$c" 2> /dev/null || { sleep 1; rmdir "$CG/$c"; }; done
run rmmod sysanom
echo "STRESS SUMMARY scenario=hostile cgroups=5 threads=0 syscalls=$syscalls alerts=$alerts" \
	"dropped=0 faults=0 bad_inputs=$bad seconds=$(elapsed)"
exit 0
