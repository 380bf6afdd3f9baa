#!/bin/sh
# status --prometheus: the node_exporter text format of a live module, with
# a trained container and an enforcing one that an intrusion made alert.
# The output must pass the strict checker (tests/helpers/prom-check.awk),
# agree with status --json, be written atomically with -o (mode 0644, no
# temporary file left, an unwritable path exits 1 and keeps the old file),
# and say sysanom_module_loaded 0 with the module unloaded.
# kernels: debian
# timeout: 300
# shellcheck source-path=SCRIPTDIR source=../vm/guest-lib.sh
. /lib/sysanom/guest-lib.sh

CHECK=/lib/sysanom/prom-check.awk
WORKLOAD='while :; do cat /proc/self/status > /dev/null; echo ok > /tmp/beat; done'
OUT=/tmp/textfile/sysanom.prom

# The value of metric $1 for cgroup $2 in file $3.
metric() {
	grep "^$1{container=\"${2#/}\",cgroup=\"$2\"," "$3" | sed 's/.* //'
}

load_module
run start_container mta ct-ma "$WORKLOAD"
run start_container mtb ct-mb "$WORKLOAD"
run sysanomctl train ct-ma
run sysanomctl train ct-mb
sleep 4
# ct-mb enforces a short training at a low threshold: an intrusion alerts.
run sysanomctl set ct-mb combo_threshold=24
run sysanomctl enforce ct-mb
runc exec mtb /bin/sh -c 'ls -la / /etc; cat /etc/passwd' > /dev/null 2>&1
sleep 1

mkdir -p /tmp/textfile
echo old > "$OUT"
run sysanomctl status --prometheus -o "$OUT"
sysanomctl status --json > /tmp/status.json
sed 's/^/METRICS| /' "$OUT"
awk -v prefix=sysanom_ -f "$CHECK" "$OUT" || fail "status --prometheus output is not valid"
[ "$(tail -c1 "$OUT" | od -An -c | tr -d ' ')" = '\n' ] || fail "no final newline"
[ "$(stat -c %a "$OUT")" = 644 ] || fail "mode $(stat -c %a "$OUT"), not 644"
[ "$(ls -A /tmp/textfile)" = sysanom.prom ] || fail "left behind: $(ls -A /tmp/textfile)"
sysanomctl status --prometheus > /tmp/stdout.prom || fail "status --prometheus to stdout failed"
awk -v prefix=sysanom_ -f "$CHECK" /tmp/stdout.prom > /dev/null || fail "stdout output is not valid"

grep -qx 'sysanom_module_loaded 1' "$OUT" || fail "sysanom_module_loaded is not 1"
grep -qx 'sysanom_monitored_cgroups 2' "$OUT" || fail "not 2 monitored cgroups"
for m in sysanom_threads sysanom_untracked_calls_total sysanom_module_profile_bytes sysanom_alerts_lost_total; do
	grep -q "^$m [0-9][0-9]*\$" "$OUT" || fail "no module total $m"
done
for c in /ct-ma /ct-mb; do
	e=$(tr -d '\n' < /tmp/status.json | grep -o '{[^{}]*"path":"'"$c"'"[^{}]*}')
	for pair in syscalls_total:syscalls profile_entries:profile_entries \
		profile_windows:windows profile_bytes:profile_bytes alerts_total:alerts; do
		v=$(metric "sysanom_${pair%%:*}" "$c" "$OUT")
		j=$(echo "$e" | json_num "${pair#*:}")
		note "$c sysanom_${pair%%:*} $v (status --json: $j)"
		[ -n "$v" ] || fail "no sysanom_${pair%%:*} for $c"
		# The metrics were read first: counters, and a profile in
		# training, can only have grown since; an enforced profile not.
		case $c:$pair in
		/ct-mb:profile*)
			[ "$v" = "$j" ] || fail "$c sysanom_${pair%%:*} is $v, status --json says $j" ;;
		*)	if [ "$v" -gt "$j" ]; then fail "$c sysanom_${pair%%:*} is $v, over status --json's later $j"; fi ;;
		esac
		case $pair in
		syscalls*|profile*) [ "$v" -gt 0 ] || fail "$c sysanom_${pair%%:*} is 0" ;;
		esac
	done
	metric sysanom_growth_slope "$c" "$OUT" | grep -Eq '^[0-9.e+-]+$' || fail "no slope for $c"
done
[ "$(metric sysanom_alerts_total /ct-mb "$OUT")" -gt 0 ] || fail "the intrusion's alerts are not counted"
[ "$(metric sysanom_alerts_total /ct-ma "$OUT")" = 0 ] || fail "ct-ma alerts in training"
grep -q '^sysanom_mode{container="ct-ma",cgroup="/ct-ma",cgroup_id="[0-9]*",mode="training"} 1$' "$OUT" ||
	fail "ct-ma is not training in the metrics"
grep -q '^sysanom_mode{container="ct-mb",cgroup="/ct-mb",cgroup_id="[0-9]*",mode="enforcing"} 1$' "$OUT" ||
	fail "ct-mb is not enforcing in the metrics"
[ "$(grep -c '^sysanom_mode{.*} 1$' "$OUT")" = 2 ] || fail "not one mode per container"

# An unwritable path: exit 1, the file in place untouched.
cp "$OUT" /tmp/before.prom
run_status 1 sysanomctl status --prometheus -o /nonexistent/dir/sysanom.prom
run_status 2 sysanomctl status --json --prometheus
cmp -s "$OUT" /tmp/before.prom || fail "the old file changed"

run stop_container mta
run stop_container mtb
run rmmod sysanom
run sysanomctl status --prometheus -o "$OUT"
awk -v prefix=sysanom_ -f "$CHECK" "$OUT" || fail "output without the module is not valid"
grep -qx 'sysanom_module_loaded 0' "$OUT" || fail "sysanom_module_loaded is not 0 without the module: $(cat "$OUT")"
echo "metrics: valid, and they agree with status --json"
