#!/bin/sh
# The fleet test, a training node (tests/vm/fleet.sh boots two): the service
# of fleet-service.sh serves one share of its traffic (/etc/fleet-share, a
# or b), is trained until stable, calibrates and enforces by itself; its
# profile is exported to the host as share-SHARE.prof.
# kernels: debian
# timeout: 900
# shellcheck source-path=SCRIPTDIR source=../vm/guest-lib.sh
. /lib/sysanom/guest-lib.sh
# shellcheck source=service.sh
. /lib/sysanom/fleet-service.sh

share=$(cat /etc/fleet-share) || fail "no /etc/fleet-share"
load_module
fleet_image
run fleet_start web ct-web
sleep 1
fleet_serves "$PID" || fail "the service does not answer"
client=$(fleet_client "$PID" "$share")
trap 'kill $client 2> /dev/null' EXIT

t0=$(date +%s)
run sysanomctl train --until-stable web
i=0
while [ $i -lt 700 ] && status_entry /ct-web | grep -qE '"mode":"(training|calibrating)"'; do
	[ $((i % 30)) = 0 ] && note "${i}s: $(status_entry /ct-web | tr ',' '\n' | grep -E '"mode|"windows|entries|slope|"calibration"' | tr '\n' ' ')"
	sleep 1; i=$((i + 1))
done
e=$(status_entry /ct-web)
echo "$e" | grep -q '"mode":"enforcing"' || fail "share $share did not converge in ${i}s: $e"
echo "$e" | grep -q '"calibration":"done"' || fail "share $share enforces uncalibrated: $e"
note "share $share: enforcing after $(($(date +%s) - t0))s, windows $(echo "$e" | json_num windows), entries $(echo "$e" | json_num profile_entries), combo_threshold $(echo "$e" | json_num combo_threshold), worst normal score $(echo "$e" | json_num calibration_worst_score)"
sleep 10
a=$(status_entry /ct-web | json_num alerts)
[ "$a" = 0 ] || { sysanomctl alerts | tail -n 5; fail "share $share raised $a alerts on its own traffic"; }
run sysanomctl save web "/tmp/share-$share.prof"
export_file "share-$share.prof" "/tmp/share-$share.prof" || fail "export failed"
kill "$client"
run stop_container web
