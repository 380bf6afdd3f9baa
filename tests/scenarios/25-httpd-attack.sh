#!/bin/sh
# A real service in a runc container: busybox httpd with a CGI search page,
# and a client loop outside the container (in its network namespace, not its
# cgroup). Trained until stable and enforced, it keeps serving with no alert.
# Then attacks through the page's command injection each raise alerts
# attributed to that container only: a shell spawned, /etc/shadow read, a
# reverse-shell attempt (to a closed local port), a binary dropped and run.
# A second container doing its own work raises none.
# On Debian's kernel only: trained until stable, calibrated, then serving for
# as long again, it is too long for CI on the debug kernel.
# kernels: debian
# timeout: 1500
. /lib/sysanom/guest-lib.sh

load_module
# The service: the container runs httpd; the page turns %20 back into
# spaces and hands the query to the shell (the vulnerability). Added to the
# bundle template, which start_container copies.
root=/bundle/rootfs
for a in grep sed printf cat cp chmod nc id uname wget; do ln -sf busybox "$root/bin/$a"; done
mkdir -p "$root/www/cgi-bin"
printf 'apple pie\nbanana bread\ncherry tart\n' > "$root/www/data.txt"
echo '<h1>recipes</h1>' > "$root/www/index.html"
cat > "$root/www/cgi-bin/search" <<'CGI'
#!/bin/sh
echo "Content-Type: text/plain"
echo
eval "grep -i ${QUERY_STRING//%20/ } /www/data.txt"
CGI
chmod 0755 "$root/www/cgi-bin/search"
echo 'root:$6$secret:19000:0:99999:7:::' > "$root/etc/shadow"
run start_container web ct-web 'exec /bin/busybox httpd -f -p 8080 -h /www'
pid=$(runc state web | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p')
[ -n "$pid" ] || fail "no pid for the web container"

netns() { nsenter --net=/proc/$pid/ns/net "$@"; }
# HTTP/1.0 by hand: the static busybox's wget crashes without NSS files.
get() {
	printf 'GET %s HTTP/1.0\r\n\r\n' "$1" | netns /bin/busybox nc 127.0.0.1 8080
}
sleep 1
get /cgi-bin/search?apple | grep -q 'apple pie' || fail "the service does not answer: $(get /cgi-bin/search?apple 2>&1)"
netns /bin/sh -c 'while :; do
	for p in /cgi-bin/search?apple /cgi-bin/search?banana /cgi-bin/search?cherry /index.html; do
		printf "GET %s HTTP/1.0\r\n\r\n" $p | /bin/busybox nc 127.0.0.1 8080
	done
done' > /dev/null 2>&1 &
client=$!
trap 'kill $client 2> /dev/null' EXIT
run start_container other ct-other 'while :; do cat /proc/self/status > /dev/null; echo ok > /tmp/beat; done'

# At the defaults: no threshold, slope or growth_shift is set by hand.
# Until stable, each trains, calibrates its thresholds and enforces.
t0=$(date +%s)
run sysanomctl train --until-stable web
run sysanomctl train --until-stable other
i=0
while [ $i -lt 600 ] && sysanomctl status --json | grep -qE '"mode":"(training|calibrating)"'; do
	[ $((i % 15)) = 0 ] && note "${i}s: $(status_entry /ct-web | tr ',' '\n' | grep -E '"mode|windows|entries|slope|calibration"' | tr '\n' ' ')"
	sleep 1; i=$((i + 1))
done
trained=$(($(date +%s) - t0))
run sysanomctl status
for c in /ct-web /ct-other; do
	e=$(status_entry $c)
	echo "$e" | grep -q '"mode":"enforcing"' || fail "$c did not converge in ${i}s: $e"
	echo "$e" | grep -q '"calibration":"done"' || fail "$c enforces uncalibrated: $e"
	note "$c: enforcing after ${trained}s, windows $(echo "$e" | json_num windows), entries $(echo "$e" | json_num profile_entries), combo_threshold $(echo "$e" | json_num combo_threshold) (worst normal score $(echo "$e" | json_num calibration_worst_score))"
done
# Ordinary work, as long as training took: no alert.
sleep "$trained"
for c in /ct-web /ct-other; do
	a=$(status_entry $c | json_num alerts)
	[ "$a" = 0 ] || { sysanomctl alerts | tail -n 5; fail "$c raised $a alerts in ordinary work"; }
done
get /cgi-bin/search?cherry | grep -q 'cherry tart' || fail "the service stopped answering"

# Each attack goes through the page and must raise new alerts in ct-web.
attack() {
	before=$(status_entry /ct-web | json_num alerts)
	get "/cgi-bin/search?$2" > /tmp/attack.out 2>&1
	sleep 1
	after=$(status_entry /ct-web | json_num alerts)
	note "$1: alerts $before -> $after"
	[ "$after" -gt "$before" ] || fail "$1 raised no alert (response: $(head -c 200 /tmp/attack.out))"
}
attack "shell spawned" 'x%20/dev/null;%20sh%20-c%20id'
attack "/etc/shadow read" 'x%20/dev/null;%20cat%20/etc/shadow'
attack "reverse shell attempt" 'x%20/dev/null;%20nc%20127.0.0.1%204444%20-e%20/bin/sh'
# Under its own name, which busybox knows: the dropped copy really runs
# ("; true" takes the page's trailing argument).
attack "binary dropped and run" 'x%20/dev/null;%20cp%20/bin/busybox%20/tmp/uname;%20chmod%20755%20/tmp/uname;%20/tmp/uname%20-a;%20true'
grep -q Linux /tmp/attack.out || fail "the dropped binary did not run: $(head -c 200 /tmp/attack.out)"
grep -q 'root:\$6\$secret' /tmp/attack.out 2> /dev/null ||
	get '/cgi-bin/search?x%20/dev/null;%20cat%20/etc/shadow' | grep -q secret ||
	fail "the injection does not work: the attacks proved nothing"

o=$(status_entry /ct-other | json_num alerts)
[ "$o" = 0 ] || fail "ct-other raised $o alerts but did nothing new"
sysanomctl alerts --json | grep -v '"cgroup":"/ct-web"' | grep -q . &&
	fail "an alert is attributed to another cgroup: $(sysanomctl alerts --json | grep -v '"cgroup":"/ct-web"' | head -n 1)"
sysanomctl alerts | tail -n 3

kill "$client"
run stop_container web
run stop_container other
run rmmod sysanom
exit 0
