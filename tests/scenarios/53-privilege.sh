#!/bin/sh
# Privilege, beyond 15-permissions (train/untrack/status and the status file):
# an unprivileged user can neither enforce, set, save, load, nor read alerts
# (dump or follow), cannot join the alerts multicast group, and reads no file
# under /proc/sysanom; module parameters are not writable to it; every raw
# netlink command returns EPERM (nlfuzz unpriv), also as root of its own user
# namespace when the kernel has them; root of another network namespace does
# not see the family at all. The state is unchanged afterwards.
# shellcheck source-path=SCRIPTDIR source=../vm/guest-lib.sh
. /lib/sysanom/guest-lib.sh

t0=$(date +%s)
tries=0
denied() {	# the command, run as nobody, must fail with exit 1
	tries=$((tries + 1))
	out=$(as_nobody "$*" 2>&1)
	rc=$?
	[ "$rc" = 1 ] || fail "as nobody: '$*' exited $rc, expected 1: $out"
}

[ "$(as_nobody 'id -u')" = 65534 ] || fail "cannot run commands as nobody"
load_module
mkdir -p "$CG/priv-a" "$CG/priv-b"
chmod 0777 "$CG/priv-a"	# even a cgroup the user may write to
id_a=$(stat -c %i "$CG/priv-a")
sh -c 'echo $$ > '"$CG/priv-a"'/cgroup.procs; while :; do cat /proc/self/stat > /dev/null; sleep 0.3; done' \
	> /dev/null 2>&1 &
loop=$!
run sysanomctl train priv-a
sleep 3
run sysanomctl enforce priv-a
# An alert to hide: something priv-a never did.
sh -c 'echo $$ > '"$CG/priv-a"'/cgroup.procs; ls -l / > /dev/null; uname -a > /dev/null' 2> /dev/null
sleep 1
before=$(status_entry /priv-a)
note "priv-a: $before"
echo "$before" | grep -q '"alerts":0,' && note "(no alert raised yet; the alert checks still deny the dump)"

denied sysanomctl enforce priv-a
denied sysanomctl enforce --action kill priv-a
denied sysanomctl train priv-b
denied sysanomctl train --until-stable priv-b
denied sysanomctl set priv-a action=kill
denied sysanomctl set priv-a k=3
denied sysanomctl calibrate priv-a
denied sysanomctl allow 1
denied sysanomctl untrack "$id_a"
denied sysanomctl alerts
denied sysanomctl alerts --json
# --follow must fail at once (joining the group), not hang.
tries=$((tries + 1))
as_nobody "timeout 20 sysanomctl alerts --follow" > /tmp/follow.out 2>&1
rc=$?
[ "$rc" = 1 ] || fail "as nobody: alerts --follow exited $rc, expected 1: $(head -c 300 /tmp/follow.out)"
if sysanomctl save --help > /dev/null 2>&1; then
	sysanomctl save priv-a /tmp/priv-a.prof || fail "root cannot save priv-a"
	chmod 0644 /tmp/priv-a.prof
	denied sysanomctl save priv-a /tmp/nobody.prof
	denied sysanomctl load priv-b /tmp/priv-a.prof
	denied sysanomctl load --train priv-a /tmp/priv-a.prof
fi

# procfs: the directory and its files are root's alone.
for f in /proc/sysanom/status /proc/sysanom/alerts; do
	tries=$((tries + 1))
	[ "$(stat -c %a "$f")" = 400 ] || fail "$f has mode $(stat -c %a "$f"), expected 400"
	[ "$(stat -c %u "$f")" = 0 ] || fail "$f is not root's"
	if as_nobody "cat $f" > /dev/null 2>&1; then fail "nobody can read $f"; fi
done
tries=$((tries + 1))
[ "$(stat -c %a /proc/sysanom)" = 500 ] || fail "/proc/sysanom has mode $(stat -c %a /proc/sysanom), expected 500"
if as_nobody "ls /proc/sysanom" > /dev/null 2>&1; then fail "nobody can list /proc/sysanom"; fi
# Module parameters: nobody writes none.
for p in /sys/module/sysanom/parameters/*; do
	tries=$((tries + 1))
	v=$(cat "$p")
	if as_nobody "echo 1 > $p" 2> /dev/null; then fail "nobody can write $p"; fi
	[ "$(cat "$p")" = "$v" ] || fail "$p changed under nobody: $v -> $(cat "$p")"
done

# Raw netlink as nobody, and as root of a user namespace.
nf=$(command -v nlfuzz) || fail "nlfuzz is not in the initramfs (run-guest.sh builds it)"
"$nf" unpriv --real "$id_a" ${PROFILE:+--profile "$PROFILE"} > /tmp/unpriv.out 2>&1
rc=$?
cat /tmp/unpriv.out
[ "$rc" = 0 ] || fail "nlfuzz unpriv exited $rc"
"$nf" unpriv --real "$id_a" --userns > /tmp/unpriv-ns.out 2>&1
rc=$?
cat /tmp/unpriv-ns.out
[ "$rc" = 0 ] || fail "nlfuzz unpriv --userns exited $rc"
n=$(sed -n 's/^NLFUZZ unpriv sent=\([0-9]*\) .*/\1/p' /tmp/unpriv.out /tmp/unpriv-ns.out |
	awk '{ s += $1 } END { print s + 0 }')
tries=$((tries + n))

# Root of another network namespace: the family lives in the initial one only.
if unshare -n true 2> /dev/null; then
	tries=$((tries + 1))
	out=$(unshare -n sysanomctl status 2>&1)
	rc=$?
	note "sysanomctl status in a new network namespace: exit $rc: $out"
	[ "$rc" = 1 ] || fail "root of another network namespace drives the module (exit $rc): $out"
	tries=$((tries + 1))
	out=$(unshare -n sysanomctl untrack "$id_a" 2>&1)
	[ $? = 1 ] || fail "untrack from another network namespace: $out"
fi

after=$(status_entry /priv-a)
for f in mode action k detector frame; do
	b=$(echo "$before" | grep -o "\"$f\":[^,}]*")
	a=$(echo "$after" | grep -o "\"$f\":[^,}]*")
	[ "$a" = "$b" ] || fail "priv-a's $f changed: $b -> $a"
done
[ -z "$(status_entry /priv-b)" ] || fail "priv-b got tracked: $(status_entry /priv-b)"
kill -0 "$loop" 2> /dev/null || fail "priv-a's workload was killed"

kill "$loop"
run sysanomctl untrack priv-a
sleep 0.5
rmdir "$CG/priv-a" "$CG/priv-b" 2> /dev/null || { sleep 1; rmdir "$CG/priv-a" "$CG/priv-b"; }
run rmmod sysanom
echo "STRESS SUMMARY scenario=privilege cgroups=1 threads=0 syscalls=0 alerts=0 dropped=0" \
	"faults=0 bad_inputs=$tries seconds=$(($(date +%s) - t0))"
exit 0
