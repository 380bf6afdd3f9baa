#!/bin/sh
# The fleet test, the third node: the profile merged on the host from the
# two training nodes' (/fleet/merged.prof) is loaded on a new container of
# the service, which then serves both shares of traffic: no alert. A second
# container loaded with share a's profile alone serves the same traffic and
# must alert (share b is new to it: the merge is what covers both). Then an
# intrusion through the search page raises alerts on the merged profile.
# kernels: debian
# timeout: 600
# shellcheck source-path=SCRIPTDIR source=../vm/guest-lib.sh
. /lib/sysanom/guest-lib.sh
# shellcheck source=service.sh
. /lib/sysanom/fleet-service.sh

SECONDS_SERVED=${FLEET_SERVE_SECONDS:-120}
load_module
fleet_image
run fleet_start web ct-web
web=$PID
run fleet_start solo ct-solo
solo=$PID
run sysanomctl load ct-web /fleet/merged.prof
run sysanomctl load ct-solo /fleet/share-a.prof
e=$(status_entry /ct-web)
note "merged profile: $e"
echo "$e" | grep -q '"mode":"enforcing"' || fail "ct-web does not enforce the merged profile: $e"
sleep 1
fleet_serves "$web" || fail "ct-web does not answer"
fleet_serves "$solo" || fail "ct-solo does not answer"
clients="$(fleet_client "$web" a) $(fleet_client "$web" b) $(fleet_client "$solo" a) $(fleet_client "$solo" b)"
# shellcheck disable=SC2064
trap "kill $clients 2> /dev/null" EXIT
sleep "$SECONDS_SERVED"
w=$(status_entry /ct-web | json_num alerts)
s=$(status_entry /ct-solo | json_num alerts)
note "after ${SECONDS_SERVED}s of both shares: merged profile $w alerts, share a's alone $s alerts, $(status_entry /ct-web | json_num syscalls) calls judged on ct-web"
[ "$w" = 0 ] || { sysanomctl alerts | grep ct-web | tail -n 5; fail "the merged profile raised $w alerts on both shares' traffic"; }
[ "$s" -gt 0 ] || fail "share a's profile alone raised no alert on share b's traffic: the test proves nothing"
# shellcheck disable=SC2086
kill $clients
fleet_serves "$web" || fail "ct-web stopped answering"

before=$(status_entry /ct-web | json_num alerts)
fleet_get "$web" '/cgi-bin/search?x%20/dev/null;%20cat%20/etc/shadow' > /tmp/attack.out 2>&1
sleep 1
after=$(status_entry /ct-web | json_num alerts)
note "intrusion (/etc/shadow read through the search page): alerts $before -> $after"
# shellcheck disable=SC2016
grep -q 'root:\$6\$secret' /tmp/attack.out || fail "the injection did not work: the intrusion proved nothing"
[ "$after" -gt "$before" ] || fail "the intrusion raised no alert on the merged profile"
sysanomctl alerts | grep ct-web | tail -n 3
run stop_container web
run stop_container solo
