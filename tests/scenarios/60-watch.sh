#!/bin/sh
# kernels: debian
# timeout: 600
# The watcher: 'sysanomctl watch' matches runc containers to profiles by the
# image their bundle's OCI annotation names, with no other command.
#  - w1, of a new image, is trained until stable, calibrates, and its
#    profile is saved to the store and enforced; w2, of the same image,
#    started during that training, follows it and enforces its profile;
#  - a container the config excludes is left alone;
#  - w3, started later, gets the stored profile at once and enforces it
#    after the startup grace (see startup_grace in the README); its ordinary
#    work raises no alert, an intruder's shell does, and the watcher's
#    --json alert line names the container and its image (stderr too:
#    there is no journal in the guest);
#  - SIGTERM saves the profiles and exits 0;
#  - after a module reload and with a corrupt file in the store, a new
#    watcher sets that file aside and reports it, and enforces the stored
#    profile on the running containers again;
#  - with new_profiles = hold, a new image's profile waits in held/, its
#    container training, until 'sysanomctl profiles approve', then it
#    enforces; SIGHUP reloads the config.
# The workload is the simple loop of 20-enforce-alerts, trained at the
# defaults (no thresholds, slope or growth settings changed).
. /lib/sysanom/guest-lib.sh

IMG=example.com/loop:1
STORE=/tmp/sa-store
OUT=/tmp/watch.out
ERR=/tmp/watch.err
WORKLOAD='while :; do cat /proc/self/status > /dev/null; echo ok > /tmp/beat; done'

# A runc container whose bundle names its image in an OCI annotation.
start_image_container() {	# ID CGROUP IMAGE WORKLOAD
	b=/tmp/bundle-$1
	rm -rf "$b"
	cp -a /bundle "$b" || return 1
	sed -i -e "s|@CGROUP@|/$2|" \
		-e 's|"ociVersion": *"\([^"]*\)",|"ociVersion": "\1", "annotations": {"org.opencontainers.image.ref.name": "'"$3"'"},|' \
		"$b/config.json"
	grep -q '"org.opencontainers.image.ref.name"' "$b/config.json" || { echo "no annotation in $b/config.json"; return 1; }
	printf '%s\n' "$4" > "$b/rootfs/workload.sh"
	echo 'root:$6$secret:19000:0:99999:7:::' > "$b/rootfs/etc/shadow"
	runc run --no-pivot -d --bundle "$b" "$1" < /dev/null > "/tmp/$1.out" 2>&1 ||
		{ cat "/tmp/$1.out"; return 1; }
}

# Wait up to $3 seconds for a line of file $2 matching the ERE $1.
wait_line() {
	_i=0
	while ! grep -Eq "$1" "$2"; do
		_i=$((_i + 1))
		[ "$_i" -le "$3" ] || { echo "--- $2:"; tail -n 20 "$2"; echo "--- stderr:"; tail -n 20 "$ERR"; fail "no line /$1/ in $2 after $3 s"; }
		sleep 1
	done
	echo "$_i"
}
event() { echo '"event":"'"$1"'".*"container":"'"$2"'"'; }

start_watcher() {
	sysanomctl watch --config /tmp/sysanom.conf --store "$STORE" --json > "$OUT" 2> "$ERR" &
	watcher=$!
}

load_module
cat > /tmp/sysanom.conf <<'EOF'
# the test's config
action = log
new_profiles = enforce
exclude = name:ignored-*
EOF
run sysanomctl watch --config /tmp/sysanom.conf --check
start_watcher
run start_image_container w1 w1 "$IMG" "$WORKLOAD"
t=$(wait_line "$(event training w1)" "$OUT" 20)
note "w1 training after ${t}s: $(grep "$(event training w1)" "$OUT" | head -n1)"
run start_image_container w2 w2 "$IMG" "$WORKLOAD"
run start_image_container ignored-1 ign "$IMG" "$WORKLOAD"
t=$(wait_line "$(event following w2)" "$OUT" 20)
note "w2 follows w1 after ${t}s"
status_entry /w2 | grep -q '"mode":"training"' || fail "w2 is not training beside w1: $(status_entry /w2)"
wait_line "$(event ignored ignored-1)" "$OUT" 10 > /dev/null
[ -z "$(status_entry /ign)" ] || fail "the excluded container is monitored: $(status_entry /ign)"

t=$(wait_line "$(event saved w1)" "$OUT" 300)
note "w1's profile saved after ${t}s more: $(grep "$(event saved w1)" "$OUT")"
wait_line "$(event enforced w1)" "$OUT" 5 > /dev/null
wait_line "$(event enforced w2)" "$OUT" 5 > /dev/null
e1=$(status_entry /w1)
echo "$e1" | grep -q '"mode":"enforcing"' || fail "w1 is not enforcing: $e1"
echo "$e1" | grep -q '"calibration":"done"' || fail "w1 enforces with thresholds not learnt: $e1"
entries=$(echo "$e1" | json_num profile_entries)
e2=$(status_entry /w2)
echo "$e2" | grep -q '"mode":"enforcing"' || fail "w2 is not enforcing: $e2"
[ "$(echo "$e2" | json_num profile_entries)" = "$entries" ] || fail "w2 enforces $(echo "$e2" | json_num profile_entries) entries, w1's profile has $entries"
sysanomctl profiles --store "$STORE" list
sysanomctl profiles --store "$STORE" list --json | grep -q '"key":"'"$IMG"'","state":"approved"' ||
	fail "the store has no approved profile of $IMG: $(sysanomctl profiles --store "$STORE" list --json)"
prof=$(ls "$STORE"/profiles/*.prof)
[ "$(echo "$prof" | wc -l)" = 1 ] || fail "expected one profile in the store: $prof"
# The stored file is the module's profile: 'load' takes it as it is.
sysanomctl save w1 /tmp/w1.prof
cmp -s /tmp/w1.prof "$prof" || note "(w1's profile changed since it was saved: calibration learnt more)"

# w3: the stored profile at once, enforced after the startup grace (5 s by
# default from when the watcher noticed it), in which a new container
# learns its start: w1 was noticed after its workload started, so its
# profile may lack the workload's start.
run start_image_container w3 w3 "$IMG" "$WORKLOAD"
t=$(wait_line "$(event starting w3)" "$OUT" 5)
note "w3 got the stored profile after ${t}s: $(grep "$(event starting w3)" "$OUT" | sed 's/.*"message"://')"
status_entry /w3 | grep -q '"mode":"training"' || fail "w3 is not learning its start: $(status_entry /w3)"
t=$(wait_line "$(event enforced w3)" "$OUT" 10)
note "w3 enforcing after ${t}s: $(status_entry /w3)"
status_entry /w3 | grep -q '"mode":"enforcing"' || fail "w3 is not enforcing"
status_entry /w3 | grep -q '"calibration":"done"' || fail "w3's thresholds were not loaded"
grep -q "$(event training w3)" "$OUT" && fail "w3 was trained: its image has a profile"
sleep 5
for c in w1 w2 w3; do
	a=$(status_entry /$c | json_num alerts)
	note "$c doing its trained work: $a alerts"
	[ "$a" = 0 ] || { grep '"event":"alert"' "$OUT" | tail -n 3; fail "$c raised $a alerts on its trained workload"; }
done

# The intrusion, in w3.
runc exec w3 /bin/sh -c 'ls -la / /etc; cat /etc/shadow; echo done' > /dev/null 2>&1
t=$(wait_line '"event":"alert".*"container":"w3"' "$OUT" 10)
line=$(grep '"event":"alert".*"container":"w3"' "$OUT" | head -n1)
note "alert: $line"
echo "$line" | grep -q '"image":"'"$IMG"'"' || fail "the alert does not name the image: $line"
echo "$line" | grep -q '"cgroup":"/w3"' || fail "the alert does not name the cgroup: $line"
echo "$line" | grep -q '"profile":"'"$IMG"'"' || fail "the alert does not name the profile: $line"
for f in container_id pid comm detector score syscalls; do
	echo "$line" | grep -q "\"$f\":" || fail "the alert has no $f: $line"
done
grep -q "sysanom: anomaly in container w3 (image $IMG).*CONTAINER=w3 .*IMAGE=$IMG" "$ERR" ||
	fail "no alert on stderr: $(tail -n 5 "$ERR")"
grep -q '"event":"alert".*"container":"w[12]"' "$OUT" && fail "w1 or w2 alerted: they did nothing new"

# SIGTERM saves the profiles that run (a new 'saved' stamp) and exits 0.
saved0=$(sed -n 's/^saved=//p' "${prof%.prof}.meta")
sleep 1
kill -TERM "$watcher"
wait "$watcher"
rc=$?
[ "$rc" = 0 ] || fail "the watcher exited $rc on SIGTERM: $(tail -n 5 "$ERR")"
saved1=$(sed -n 's/^saved=//p' "${prof%.prof}.meta")
note "SIGTERM: exit 0, profile saved at $saved0 then $saved1, now $(stat -c %s "$prof") bytes"
[ "$saved1" -gt "$saved0" ] || fail "SIGTERM did not save the profile again"
tail -n 2 "$OUT" | grep -q '"event":"saved"' || fail "no saved event at exit: $(tail -n 3 "$OUT")"

# A module reload forgets every profile; a corrupt file joins the store.
# The new watcher holds new profiles for review: h1, of a new image, trains
# meanwhile.
run rmmod sysanom
run insmod "$MODULE"
run sysanomctl profiles --store "$STORE" add example.com/other:2 "$prof"
other=$(ls "$STORE"/profiles/example.com_other*.prof)
head -c 40 "$prof" > "$other"
sed -i 's/^new_profiles = enforce/new_profiles = hold/' /tmp/sysanom.conf
start_watcher
run start_image_container h1 h1 example.com/held:1 "$WORKLOAD"
wait_line '"event":"corrupt"' "$OUT" 10 > /dev/null
note "$(grep '"event":"corrupt"' "$OUT")"
grep -q "corrupt profile .*example.com_other.*set aside" "$ERR" || fail "the corrupt file was not reported on stderr"
[ -e "$other" ] && fail "the corrupt file is still in profiles/"
set -- "$STORE"/corrupt/example.com_other*.prof.profiles.*
[ -e "$1" ] || fail "the corrupt file is not in corrupt/: $(ls "$STORE"/corrupt/)"
for c in w1 w2 w3; do
	wait_line "$(event enforced $c)" "$OUT" 10 > /dev/null
	status_entry /$c | grep -q '"mode":"enforcing"' || fail "$c does not enforce after the restart: $(status_entry /$c)"
done
note "after a module reload the stored profile enforces again on w1, w2, w3"
grep -q "$(event training w)" "$OUT" && fail "a container was trained again after the restart"

# Held for review: h1's profile is saved under held/ and h1 goes back to
# training (no alerts) until 'profiles approve', when the running watcher
# enforces it.
t=$(wait_line "$(event held h1)" "$OUT" 300)
note "h1's profile held after ${t}s: $(sysanomctl profiles --store "$STORE" list | grep held)"
sleep 1
status_entry /h1 | grep -q '"mode":"training"' || fail "h1 is not back in training while its profile is held: $(status_entry /h1)"
sysanomctl profiles --store "$STORE" list --json | grep -q '"key":"example.com/held:1","state":"held"' ||
	fail "no held profile: $(sysanomctl profiles --store "$STORE" list --json)"
run sysanomctl profiles --store "$STORE" approve example.com/held:1
t=$(wait_line "$(event enforced h1)" "$OUT" 10)
note "approved: h1 enforces after ${t}s"
status_entry /h1 | grep -q '"mode":"enforcing"' || fail "h1 does not enforce its approved profile: $(status_entry /h1)"
# SIGHUP reloads the config.
sed -i 's/^new_profiles = hold/new_profiles = enforce/' /tmp/sysanom.conf
kill -HUP "$watcher"
wait_line '"event":"config"' "$OUT" 5 > /dev/null
kill -TERM "$watcher"
wait "$watcher" || fail "the second watcher exited $? on SIGTERM"
for c in w1 w2 w3 ignored-1 h1; do stop_container $c; done
run rmmod sysanom
exit 0
