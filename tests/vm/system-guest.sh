#!/bin/bash
# Runs in the system test's guest (tests/vm/system-test.sh), as root under
# systemd, from the data disk mounted on /systest; one stage a boot, named by
# sysanom.systest= on the kernel command line. Writes PASS/FAIL/SKIP lines
# and ends with "END STAGE", in /systest/out/STAGE.log.
#
# Checks that need the watcher ('sysanomctl watch') or the metrics
# ('status --prometheus') run when this sysanomctl has them and are
# reported as SKIP otherwise; add the watcher's own checks (containers
# trained and enforced by image, profiles back after a reboot, alerts in
# the journal) in the stages below.
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
has_watch() { sysanomctl watch --help > /dev/null 2>&1; }
has_prometheus() { sysanomctl status --help 2>&1 | grep -q -- --prometheus; }

# Wait for the boot to end: running, or degraded (a failed unit, which the
# checks below then name).
state=$(timeout 600 systemctl is-system-running --wait)
echo "system: $state, up $(cut -d' ' -f1 /proc/uptime)s"
check "systemd is PID 1" test "$(cat /proc/1/comm)" = systemd

# The watcher is up (once it exists): active, its store made.
check_watcher() {
	if has_watch; then
		for _ in $(seq 60); do
			[ "$(systemctl is-active sysanom.service)" = active ] && break
			sleep 1
		done
		check "sysanom.service is active (the watcher runs)" \
			test "$(systemctl is-active sysanom.service)" = active
		check "the store /var/lib/sysanom exists" test -d /var/lib/sysanom
	else
		skip "watcher checks: this sysanomctl has no 'watch' yet"
	fi
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
	if has_prometheus; then
		mkdir -p /var/lib/prometheus/node-exporter
		systemctl start sysanom-metrics.service
		check "sysanom-metrics.service wrote sysanom.prom" \
			test -s /var/lib/prometheus/node-exporter/sysanom.prom
	else
		skip "metrics file: this sysanomctl has no 'status --prometheus' yet"
	fi
	# Stopping the service leaves the module, and its profiles, in place.
	systemctl stop sysanom.service
	check "the module stays loaded when sysanom.service stops" loaded
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
