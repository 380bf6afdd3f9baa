# The fleet test's service, sourced by fleet-train.sh and fleet-enforce.sh
# in the guest (installed as /lib/sysanom/fleet-service.sh): one image,
# busybox httpd with two CGI pages, as in scenario 25, and two shares of its
# traffic that exercise different parts of it.
#   share a: the search page (grep) and the home page
#   share b: the stats page (wc, date) and the data file
# The search page hands its query to the shell: the intrusion's way in.
# shellcheck shell=sh

fleet_image() {
	root=/bundle/rootfs
	for a in grep sed printf cat cp chmod nc id uname wget wc date; do
		ln -sf busybox "$root/bin/$a"
	done
	mkdir -p "$root/www/cgi-bin"
	printf 'apple pie\nbanana bread\ncherry tart\n' > "$root/www/data.txt"
	echo '<h1>recipes</h1>' > "$root/www/index.html"
	cat > "$root/www/cgi-bin/search" <<'CGI'
#!/bin/sh
echo "Content-Type: text/plain"
echo
eval "grep -i ${QUERY_STRING//%20/ } /www/data.txt"
CGI
	cat > "$root/www/cgi-bin/stats" <<'CGI'
#!/bin/sh
echo "Content-Type: text/plain"
echo
wc -l /www/data.txt
date -u +%Y
CGI
	chmod 0755 "$root/www/cgi-bin/search" "$root/www/cgi-bin/stats"
	# shellcheck disable=SC2016
	echo 'root:$6$secret:19000:0:99999:7:::' > "$root/etc/shadow"
}

# fleet_start ID CGROUP: the service in a runc container; sets PID.
fleet_start() {
	start_container "$1" "$2" 'exec /bin/busybox httpd -f -p 8080 -h /www' || return 1
	PID=$(runc state "$1" | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p')
	[ -n "$PID" ]
}

# fleet_get PID PATH: one HTTP/1.0 request in the container's network.
fleet_get() {
	printf 'GET %s HTTP/1.0\r\n\r\n' "$2" |
		nsenter --net="/proc/$1/ns/net" /bin/busybox nc 127.0.0.1 8080
}

# fleet_client PID SHARE: a client loop of that share, in the background;
# prints its pid. It runs in the container's network namespace, not in its
# cgroup.
fleet_client() {
	case $2 in
	a) paths='/cgi-bin/search?apple /cgi-bin/search?banana /index.html' ;;
	b) paths='/cgi-bin/stats /data.txt /cgi-bin/stats' ;;
	*) return 1 ;;
	esac
	nsenter --net="/proc/$1/ns/net" /bin/sh -c "while :; do
		for p in $paths; do
			printf 'GET %s HTTP/1.0\r\n\r\n' \$p | /bin/busybox nc 127.0.0.1 8080
		done
	done" > /dev/null 2>&1 &
	echo $!
}

# fleet_serves PID: both shares' pages answer.
fleet_serves() {
	fleet_get "$1" /cgi-bin/search?apple | grep -q 'apple pie' &&
		fleet_get "$1" /cgi-bin/stats | grep -q 'data.txt'
}
