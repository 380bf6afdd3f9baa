#!/bin/bash
# Runs in the system test's guest (tests/vm/system-test.sh), as root under
# systemd, from the data disk mounted on /systest; one stage a boot, named by
# sysanom.systest= on the kernel command line. Writes PASS/FAIL/SKIP lines
# and ends with "END STAGE", in /systest/out/STAGE.log.
#
# The watcher's checks, with runc containers of one image (an OCI annotation
# in the bundle's config.json names it) and no sysanomctl command:
#   install  c1 is trained until stable, calibrated, saved to /var/lib/sysanom
#            and enforced; c2, started after, gets the stored profile and
#            enforces it after startup_grace, with no training
#   boot     (a new boot of the same disk) the profile is in the store; c3
#            gets it and enforces it, with no training; its work raises no
#            alert, an intruder's shell ('runc exec') does, and the alert is
#            in 'journalctl -o json' with the container's name and image
# The detector runs at its defaults: nothing here sets thresholds, slope or
# growth. The boot stage also checks the metrics file of the textfile
# collector (sysanom-metrics.service): c3 enforcing, its alerts counted.
set -uo pipefail

stage=$(sed -n 's/.*sysanom\.systest=\([a-z]*\).*/\1/p' /proc/cmdline)
logf=/systest/out/$stage.log
exec > >(tee "$logf") 2>&1
echo "stage $stage, kernel $(uname -r), $(systemctl --version | head -n1)"

pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; }
skip() { echo "SKIP $*"; }
check() {	# check NAME COMMAND...: PASS when COMMAND succeeds
	local name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name"; fi
}
loaded() { [ -d /sys/module/sysanom ]; }

# Wait for the boot to end: running, or degraded (a failed unit, which the
# checks below then name).
state=$(timeout 600 systemctl is-system-running --wait)
echo "system: $state, up $(cut -d' ' -f1 /proc/uptime)s"
check "systemd is PID 1" test "$(cat /proc/1/comm)" = systemd

# The watcher is up: active, its store made.
check_watcher() {
	for _ in $(seq 60); do
		[ "$(systemctl is-active sysanom.service)" = active ] && break
		sleep 1
	done
	check "sysanom.service is active (the watcher runs)" \
		test "$(systemctl is-active sysanom.service)" = active
	check "the store /var/lib/sysanom exists" test -d /var/lib/sysanom
	check "the watcher is sysanom.service's main process" \
		sh -c "grep -q '^sysanomctl' /proc/\$(systemctl show -p MainPID --value sysanom.service)/comm"
}

# --- containers -------------------------------------------------------------
IMG=example.com/loop:1
BUNDLES=/var/lib/systest/bundles
# The workload of 60-watch: a simple loop.
WORKLOAD='while :; do cat /proc/self/status > /dev/null; echo ok > /tmp/beat; done'
EVENT_ID=e608b5b527df45afa8d3a1438666f73a
ALERT_ID=470b969246fe43f1b540466ef5ca6761

# A runc container ID, in cgroup /ID, whose bundle names image IMAGE in an OCI
# annotation (org.opencontainers.image.ref.name, as plain runc users set it);
# its root is Debian's static busybox, its program /workload.sh.
start_container() {	# ID IMAGE
	local b=$BUNDLES/$1
	rm -rf "$b"
	mkdir -p "$b/rootfs"/{bin,proc,sys,dev,tmp,etc} || return 1
	cp /bin/busybox "$b/rootfs/bin/busybox"
	for a in sh sleep cat echo ls true; do ln -s busybox "$b/rootfs/bin/$a"; done
	printf '%s\n' "$WORKLOAD" > "$b/rootfs/workload.sh"
	# shellcheck disable=SC2016	# a shadow line
	echo 'root:$6$secret:19000:0:99999:7:::' > "$b/rootfs/etc/shadow"
	(cd "$b" && runc spec) || return 1
	jq --arg img "$2" --arg cg "/$1" \
		'.process.terminal = false | .process.args = ["/bin/sh", "/workload.sh"]
		| .root.readonly = false | .hostname = "sysanom-ct"
		| .linux.cgroupsPath = $cg
		| .annotations = {"org.opencontainers.image.ref.name": $img}' \
		"$b/config.json" > "$b/config.json.new" && mv "$b/config.json.new" "$b/config.json" || return 1
	runc run -d --bundle "$b" "$1" < /dev/null > "$b/run.out" 2>&1 || { cat "$b/run.out"; return 1; }
	echo "started container $1 (image $2): pid $(runc state "$1" | jq .pid)"
}
stop_containers() {
	for c in $(runc list -q); do runc delete -f "$c"; done
}

# The watcher's events and alerts of this boot in the journal, as JSON.
events() {	# EVENT CONTAINER
	journalctl -b -o json --no-pager MESSAGE_ID=$EVENT_ID \
		SYSANOM_EVENT="$1" SYSANOM_CONTAINER="$2" 2> /dev/null
}
alerts() {	# CONTAINER
	journalctl -b -o json --no-pager MESSAGE_ID=$ALERT_ID SYSANOM_CONTAINER="$1" 2> /dev/null
}
# Wait up to LIMIT seconds for an EVENT of CONTAINER; prints the seconds
# waited, fails when there is none.
wait_event() {	# EVENT CONTAINER LIMIT
	local t0=$SECONDS
	until [ -n "$(events "$1" "$2")" ]; do
		if [ $((SECONDS - t0)) -ge "$3" ]; then
			echo "no '$1' event of $2 after $3 s; the watcher's last lines:"
			journalctl -b -u sysanom.service --no-pager -o cat | tail -n 15 | sed 's/^/    /'
			return 1
		fi
		sleep 2
	done
	echo "'$1' event of $2 after $((SECONDS - t0)) s: $(events "$1" "$2" | jq -r .MESSAGE | head -n1)"
}
# Milliseconds from ID's 'starting' event to its 'enforced' one: at least
# startup_grace (5 s, the packaged config's; 4.5 s allowed for the
# journal's timestamps).
graced() {	# ID
	local s e
	s=$(events starting "$1" | jq -r "._SOURCE_REALTIME_TIMESTAMP // .__REALTIME_TIMESTAMP" | head -n1)
	e=$(events enforced "$1" | jq -r "._SOURCE_REALTIME_TIMESTAMP // .__REALTIME_TIMESTAMP" | head -n1)
	[ -n "$s" ] && [ -n "$e" ] || return 1
	echo "$1: enforced $(( (e - s) / 1000 )) ms after it was noticed"
	[ $(( (e - s) / 1000 )) -ge 4500 ]
}
# The module's status of the container in cgroup /ID, one JSON object.
status_of() {
	sysanomctl status --json | jq -c --arg p "/$1" '.. | objects | select(.path? == $p)' | head -n1
}
field_of() { status_of "$1" | jq -r ".$2"; }	# ID FIELD
enforcing_stored() {	# ID: enforcing with its thresholds calibrated
	[ "$(field_of "$1" mode)" = enforcing ] && [ "$(field_of "$1" calibration)" = "done" ]
}
stored() {	# the image's profile is in the store, approved
	sysanomctl profiles list --json |
		jq -e --arg k "$IMG" '.. | objects | select(.key? == $k and .state? == "approved")' > /dev/null &&
		ls /var/lib/sysanom/profiles/*.prof > /dev/null 2>&1
}
no_alerts() {	# ID...: none raised an alert, in the module or the journal
	local c a
	for c in "$@"; do
		a=$(field_of "$c" alerts)
		echo "$c: $a alerts, $(field_of "$c" profile_entries) entries, $(field_of "$c" windows) windows"
		if [ "$a" != 0 ] || [ -n "$(alerts "$c")" ]; then
			alerts "$c" | jq -r .MESSAGE | head -n 3
			return 1
		fi
	done
}

case "$stage" in
install)
	check "sysanom.service not there yet" test ! -e /lib/systemd/system/sysanom.service
	t0=$(date +%s)
	DEBIAN_FRONTEND=noninteractive dpkg -i /systest/sysanom-dkms_*_all.deb /systest/sysanom_*_amd64.deb
	rc=$?
	echo "dpkg -i took $(( $(date +%s) - t0 ))s"
	check "dpkg -i of both packages" test "$rc" = 0
	dkms status
	check "DKMS installed the module for $(uname -r)" \
		sh -c "dkms status -k '$(uname -r)' sysanom | grep -q ': installed'"
	check "the module is DKMS's" sh -c "modinfo -n sysanom | grep -q /updates/dkms/"
	check "installing started sysanom.service: the module is loaded" loaded
	check "sysanom.service is enabled" test "$(systemctl is-enabled sysanom.service)" = enabled
	check "sysanom-metrics.timer is enabled" \
		test "$(systemctl is-enabled sysanom-metrics.timer)" = enabled
	check_watcher
	check "the installed config parses" sysanomctl watch --check
	# shellcheck disable=SC2016	# $0 in sh -c
	check "the store holds no profile of $IMG yet" sh -c '! sysanomctl profiles list | grep -qF "$0"' "$IMG"

	# c1, of an image new to the store: trained until stable, calibrated,
	# saved and enforced by the watcher alone.
	t0=$SECONDS
	check "container c1 of $IMG started" start_container c1 "$IMG"
	check "the watcher trains c1" wait_event training c1 60
	check "the watcher saved c1's profile (trained until stable)" wait_event saved c1 1500
	echo "c1 trained and saved in $((SECONDS - t0)) s"
	check "c1 enforced" wait_event enforced c1 30
	echo "c1: $(status_of c1)"
	check "c1 enforces, its thresholds calibrated" enforcing_stored c1
	check "c1's detector settings are the defaults (none overridden)" \
		test "$(field_of c1 overridden)" = "[]"
	check "the store has $IMG's profile, approved" stored
	sysanomctl profiles list
	# c2, of the same image: the stored profile at once, enforced after
	# startup_grace (5 s), never trained.
	t0=$SECONDS
	check "container c2 of $IMG started" start_container c2 "$IMG"
	check "c2 got the stored profile" wait_event starting c2 30
	check "c2 enforced" wait_event enforced c2 60
	check "c2 enforced after startup_grace (5 s)" graced c2
	echo "c2 enforcing $((SECONDS - t0)) s after its start: $(status_of c2)"
	check "c2 enforces, its thresholds calibrated (the stored ones)" enforcing_stored c2
	check "c2 was not trained" test -z "$(events training c2)$(events following c2)"
	sleep 5
	check "c1 and c2 doing their trained work raised no alert" no_alerts c1 c2
	stop_containers
	;;
boot)
	check "the module was loaded at boot" loaded
	journalctl -b -u sysanom.service --no-pager | tail -n 20
	systemctl status --no-pager sysanom.service | head -n 12
	# The modprobe of this boot was the unit's, and it succeeded.
	pre=$(systemctl show -p ExecStartPre --value sysanom.service)
	echo "ExecStartPre: $pre"
	check "sysanom.service ran modprobe sysanom, successfully" \
		sh -c "echo '$pre' | grep -q 'argv\[\]=/sbin/modprobe sysanom ;.* code=exited ; status=0 }'"
	check "sysanom-metrics.timer is active" \
		test "$(systemctl is-active sysanom-metrics.timer)" = active
	check_watcher

	# The reboot: the profile is back, a new container of the image is
	# enforced with no training, and an intruder shows in the journal.
	check "the store still has $IMG's profile, approved" stored
	check "no stored profile was set aside as corrupt" \
		test -z "$(journalctl -b -o json --no-pager MESSAGE_ID=$EVENT_ID SYSANOM_EVENT=corrupt)"
	t0=$SECONDS
	check "container c3 of $IMG started" start_container c3 "$IMG"
	check "c3 got the stored profile" wait_event starting c3 30
	check "c3 enforced" wait_event enforced c3 60
	check "c3 enforced after startup_grace (5 s)" graced c3
	echo "c3 enforcing $((SECONDS - t0)) s after its start: $(status_of c3)"
	check "c3 enforces, its thresholds calibrated (the stored ones)" enforcing_stored c3
	check "c3 was not trained" test -z "$(events training c3)$(events following c3)"
	check "no container was trained in this boot" \
		test -z "$(journalctl -b -o json --no-pager MESSAGE_ID=$EVENT_ID SYSANOM_EVENT=training)"
	sleep 5
	check "c3 doing its trained work raised no alert" no_alerts c3
	# The intrusion: a shell in c3 lists the system and reads /etc/shadow.
	runc exec c3 /bin/sh -c 'ls -la / /etc; cat /etc/shadow; echo done' > /dev/null 2>&1
	for _ in $(seq 30); do [ -n "$(alerts c3)" ] && break; sleep 2; done
	sleep 2
	echo "c3's alerts in the journal:"
	alerts c3 | jq -r .MESSAGE | sed 's/^/    /'
	alert=$(alerts c3 | head -n1)
	echo "the first, as JSON: $alert"
	check "the intrusion in c3 is in 'journalctl -o json'" test -n "$alert"
	jfield() { echo "$alert" | jq -r ".$1 // empty"; }
	check "the alert names the container (SYSANOM_CONTAINER=c3)" test "$(jfield SYSANOM_CONTAINER)" = c3
	check "the alert names the image (SYSANOM_IMAGE=$IMG)" test "$(jfield SYSANOM_IMAGE)" = "$IMG"
	check "the alert names the profile (SYSANOM_PROFILE=$IMG)" test "$(jfield SYSANOM_PROFILE)" = "$IMG"
	check "the alert names the runtime and the cgroup" \
		test "$(jfield SYSANOM_RUNTIME)/$(jfield SYSANOM_CGROUP)" = "runc//c3"
	check "the alert has the pid, comm, score and calls" \
		test -n "$(jfield SYSANOM_PID)" -a -n "$(jfield SYSANOM_COMM)" -a -n "$(jfield SYSANOM_SCORE)" -a -n "$(jfield SYSANOM_SYSCALLS)"
	# runc's own set-up in the container (runc:[2:INIT]) alerts first; the
	# intruder's commands must too.
	check "the intruder's own commands (sh, ls, cat) raised alerts, not only runc's set-up" \
		test -n "$(alerts c3 | jq -r 'select(.SYSANOM_COMM == "sh" or .SYSANOM_COMM == "ls" or .SYSANOM_COMM == "cat") | .MESSAGE')"
	check "the alert is sysanom's warning" \
		test "$(jfield SYSLOG_IDENTIFIER)/$(jfield PRIORITY)/$(jfield _SYSTEMD_UNIT)" = "sysanom/4/sysanom.service"
	# The metrics file of node_exporter's textfile collector, written by
	# the timer's service once its folder exists: c3 enforcing, its alerts.
	mkdir -p /var/lib/prometheus/node-exporter
	systemctl start sysanom-metrics.service
	prom=/var/lib/prometheus/node-exporter/sysanom.prom
	check "sysanom-metrics.service wrote sysanom.prom" test -s $prom
	grep -E 'cgroup="/c3"' $prom | grep -E '^sysanom_(mode|alerts_total)' | sed 's/^/    /'
	check "sysanom.prom: c3 is enforcing" \
		grep -Eq '^sysanom_mode\{.*cgroup="/c3".*mode="enforcing"\} 1$' $prom
	check "sysanom.prom: c3's alerts are counted" \
		grep -Eq '^sysanom_alerts_total\{.*cgroup="/c3".*\} [1-9][0-9]*$' $prom
	# Stopping the service leaves the module, and its profiles, in place.
	# It saves the profiles of the images that run, but never from a
	# container that learnt its start unjudged (c3, in startup_grace).
	sum0=$(cat /var/lib/sysanom/profiles/*.prof | sha256sum)
	systemctl stop sysanom.service
	check "the module stays loaded when sysanom.service stops" loaded
	check "stopping sysanom.service did not save the profile from c3" \
		test -z "$(events saved c3)" -a "$(cat /var/lib/sysanom/profiles/*.prof | sha256sum)" = "$sum0"
	check "c3 still enforces with the watcher stopped" enforcing_stored c3
	stop_containers
	;;
off)
	check "sysanom.off is on the command line" grep -qw sysanom.off /proc/cmdline
	check "the module was not loaded" sh -c '! test -d /sys/module/sysanom'
	check "sysanom.service was skipped by its condition" \
		test "$(systemctl show -p ConditionResult --value sysanom.service)" = no
	check "sysanom.service is inactive" \
		test "$(systemctl is-active sysanom.service)" = inactive
	;;
*)
	fail "unknown stage '$stage'"
	;;
esac

failed=$(systemctl list-units --failed --plain --no-legend | awk '{ print $1 }' | grep -v '^sysanom\.service$' || true)
[ -z "$failed" ] || echo "note: failed units: $failed"
echo "END $stage"
