#!/bin/bash
# busybox httpd with the CGI search page of tests/scenarios/25-httpd-attack.sh
# (busybox sh, grep through busybox applets), driven by a client loop of
# busybox nc requests, as the scenario does. Writes $OUT/httpd.strace.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
DURATION=${DURATION:-240}
PORT=${PORT:-18080}
BB=$(command -v busybox)

root=$WORK/root
mkdir -p "$root/www/cgi-bin" "$root/bin"
for a in sh grep sed cat; do ln -s "$BB" "$root/bin/$a"; done
printf 'apple pie\nbanana bread\ncherry tart\n' > "$root/www/data.txt"
echo '<h1>recipes</h1>' > "$root/www/index.html"
cat > "$root/www/cgi-bin/search" <<CGI
#!$root/bin/sh
echo "Content-Type: text/plain"
echo
eval "grep -i \${QUERY_STRING//%20/ } $root/www/data.txt"
CGI
chmod 0755 "$root/www/cgi-bin/search"

PATH=$root/bin:$PATH start_traced httpd "$BB" httpd -f -p "127.0.0.1:$PORT" -h "$root/www"
wait_port "$PORT"
end=$((SECONDS + DURATION))
n=0
while [ $SECONDS -lt $end ] && [ $n -lt 200000 ]; do
	for p in /cgi-bin/search?apple /cgi-bin/search?banana /cgi-bin/search?cherry /index.html; do
		printf 'GET %s HTTP/1.0\r\n\r\n' "$p" | "$BB" nc 127.0.0.1 "$PORT" > /dev/null 2>&1 || true
		n=$((n + 1))
	done
done
note "$n requests in ${DURATION}s"
stop_traced
