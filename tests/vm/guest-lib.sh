# Helpers for scenario scripts, sourced inside the guest (busybox sh):
#   . /lib/sysanom/guest-lib.sh
# shellcheck shell=sh

CG=/sys/fs/cgroup
# FLAVOR (debian or debug) and what the initramfs holds, from mkinitramfs.
# shellcheck source=/dev/null
. /etc/sysanom-test.conf
MODULE=/lib/sysanom/sysanom.ko

fail() { echo "FAIL: $*"; exit 1; }
note() { echo "  $*"; }

# Run a command, show it, fail the scenario with its output if it fails.
run() {
	echo "+ $*"
	"$@" || fail "'$*' exited with $?"
}

# Like run, but the command must fail with the given exit status.
run_status() {
	want=$1; shift
	echo "+ $* (expect exit $want)"
	"$@"
	got=$?
	[ "$got" = "$want" ] || fail "'$*' exited with $got, expected $want"
}

# The JSON object of one cgroup in 'sysanomctl status --json', by its path
# relative to the cgroup2 root (e.g. /a); empty when not listed.
status_entry() {
	sysanomctl status --json | tr -d '\n' |
		grep -o '{[^{}]*"path":"'"$1"'"[^{}]*}' | head -n1
}

# A numeric field of a JSON object given on stdin, e.g. json_num syscalls.
json_num() {
	sed -n 's/.*"'"$1"'":\([0-9][0-9]*\).*/\1/p'
}

# Start a shell loop in a new cgroup $CG/$1; prints the loop's pid.
start_cgroup_loop() {
	mkdir -p "$CG/$1" || return 1
	sh -c 'echo $$ > '"$CG/$1"'/cgroup.procs; while :; do cat /proc/self/status > /dev/null; done' \
		> /dev/null 2>&1 &
	echo $!
}

# Run a detached OCI container with runc. $1 container id, $2 cgroup path
# (relative to the cgroup2 root), $3 the shell workload run inside it.
start_container() {
	b=/tmp/bundle-$1
	rm -rf "$b"
	cp -a /bundle "$b" || return 1
	sed -i "s|@CGROUP@|/$2|" "$b/config.json"
	printf '%s\n' "$3" > "$b/rootfs/workload.sh"
	runc run --no-pivot -d --bundle "$b" "$1" < /dev/null > "/tmp/$1.out" 2>&1 ||
		{ cat "/tmp/$1.out"; return 1; }
}

stop_container() {
	runc kill "$1" KILL 2>/dev/null
	i=0
	while [ "$i" -lt 50 ] && runc state "$1" 2>/dev/null | grep -q '"running"'; do
		sleep 0.1; i=$((i + 1))
	done
	runc delete -f "$1"
}

# Wait until cgroup directory $1 has no process left (10 s at most).
wait_empty() {
	_k=0
	while [ -n "$(cat "$1/cgroup.procs" 2> /dev/null)" ]; do
		_k=$((_k + 1)); [ "$_k" -lt 100 ] || fail "$1 does not empty"; sleep 0.1
	done
}

# SIGKILL to every process of cgroup directory $1 and its subtree, by the
# kernel (cgroup.kill): no pid list to race with, where a pid read from
# cgroup.procs may exit, and its number be reused, before 'kill -9' runs.
cgroup_kill() {
	echo 1 > "$1/cgroup.kill"
}

# Kill every process of cgroup directory $1 and wait until it is empty.
kill_cgroup() {
	cgroup_kill "$1"
	wait_empty "$1"
}

# Load the module fresh (unloading what an earlier scenario left behind).
load_module() {
	if grep -q '^sysanom ' /proc/modules; then
		rmmod sysanom || fail "cannot unload the sysanom left by an earlier scenario"
	fi
	run insmod "$MODULE"
}

# Run a command as the unprivileged user nobody.
as_nobody() {
	su -s /bin/sh nobody -c "$*"
}

# Succeeds when 'sysanomctl status --json' lists no cgroup; fails the scenario
# (with the output) when the command fails.
none_listed() {
	_json=$(sysanomctl status --json) || fail "sysanomctl status --json failed: $_json"
	echo "$_json" | grep -q '"cgroups":\[\]'
}

# Export file $2 to the host as $1 ([A-Za-z0-9._-]): base64 on the results
# port between markers; run-guest.sh writes it to its results' files/.
export_file() {
	echo "SYSANOM-FILE-BEGIN $1"
	base64 "$2" || return 1
	echo "SYSANOM-FILE-END $1"
}
