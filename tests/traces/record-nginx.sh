#!/bin/bash
# nginx (master and 2 workers) in front of fcgiwrap running a small shell
# CGI, driven by curl (URL globbing: many requests per curl process).
# Both servers run under one strace -f. Writes $OUT/nginx.strace.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
DURATION=${DURATION:-240}
PORT=${PORT:-18081}

mkdir -p "$WORK/www/cgi-bin" "$WORK/logs" "$WORK/tmp"
printf 'apple pie\nbanana bread\ncherry tart\n' > "$WORK/www/data.txt"
echo '<h1>recipes</h1>' > "$WORK/www/index.html"
cat > "$WORK/www/cgi-bin/search" <<CGI
#!/bin/sh
echo "Content-Type: text/plain"
echo
q=\$(printf '%s' "\$QUERY_STRING" | tr -cd 'a-z')
grep -i -- "\$q" $WORK/www/data.txt || echo none
CGI
chmod 0755 "$WORK/www/cgi-bin/search"
cat > "$WORK/nginx.conf" <<CONF
daemon off;
master_process on;
worker_processes 2;
pid $WORK/nginx.pid;
error_log $WORK/logs/error.log;
events { worker_connections 256; }
http {
	access_log $WORK/logs/access.log;
	client_body_temp_path $WORK/tmp;
	fastcgi_temp_path $WORK/tmp;
	server {
		listen 127.0.0.1:$PORT;
		root $WORK/www;
		location /cgi-bin/ {
			include /etc/nginx/fastcgi_params;
			fastcgi_param SCRIPT_FILENAME $WORK/www\$fastcgi_script_name;
			fastcgi_pass unix:$WORK/fcgi.sock;
		}
	}
}
CONF
start_traced nginx sh -c "(umask 0; exec fcgiwrap -c 2 -s unix:$WORK/fcgi.sock) & exec nginx -c $WORK/nginx.conf -e $WORK/logs/error.log"
wait_port "$PORT"
end=$((SECONDS + DURATION))
n=0
while [ $SECONDS -lt $end ] && [ $n -lt 500000 ]; do
	curl -s "http://127.0.0.1:$PORT/cgi-bin/search?q=apple[1-50]" \
		"http://127.0.0.1:$PORT/index.html?[1-50]" > /dev/null || true
	n=$((n + 100))
done
note "$n requests in ${DURATION}s"
stop_traced
