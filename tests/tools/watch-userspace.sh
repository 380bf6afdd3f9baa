#!/bin/bash
# Userspace tests of the watcher's pieces, no module needed: container
# naming from fake runtime state directories (runc, crun, containerd CRI,
# Docker, Podman, CRI-O), the config parser and its selectors, and the
# profile store ('profiles add|list|show|approve|rm', corrupt files).
#
# usage: tests/tools/watch-userspace.sh [SYSANOMCTL]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ctl=${1:-$here/../../tools/sysanomctl/sysanomctl}
[ -x "$ctl" ] || { echo "no sysanomctl at $ctl (make tools)"; exit 1; }
command -v jq > /dev/null || { echo "jq is needed (tests/install-deps.sh)"; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0 checks=0
ok() { checks=$((checks + 1)); echo "ok   $*"; }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL $*"; }
# expect DESCRIPTION WANT GOT
expect() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: want '$2', got '$3'"; fi; }

# A live pid (this shell) gives a cgroup from /proc; a dead one makes the
# watcher fall back to the cgroup runc recorded.
live=$$ dead=999999999
own_cg=$(sed -n 's/^0:://p' /proc/self/cgroup)

bundle() {	# bundle DIR 'annotations JSON'
	mkdir -p "$T$1"
	printf '{"ociVersion":"1.0.2","process":{"args":["sh"]},\n "annotations": %s,\n "linux":{}}\n' "$2" > "$T$1/config.json"
}
state() {	# state RUNTIME_DIR ID PID BUNDLE [CGROUP]
	mkdir -p "$T$1/$2"
	printf '{"id":"%s","init_process_pid":%s,"config":{"labels":["bundle=%s"]},"cgroup_paths":{"":"/sys/fs/cgroup%s"}}' \
		"$2" "$3" "$4" "${5:-/x}" > "$T$1/$2/state.json"
}

# Plain runc, the image named by an OCI annotation; values with escapes.
bundle /b/web1 '{"org.opencontainers.image.ref.name":"example.com/web:1.0","team":"pay\"ments"}'
state /run/runc web1 $live /b/web1
# runc with no image: keyed by its name.
bundle /b/bare '{}'
state /run/runc bare $dead /b/bare /bare-cg
# containerd CRI: a pod's container and its sandbox (left out).
cid=4f1c0a9d8e7b6a5c4f1c0a9d8e7b6a5c4f1c0a9d8e7b6a5c4f1c0a9d8e7b6a5c
bundle /run/containerd/io.containerd.runtime.v2.task/k8s.io/$cid '{
  "io.kubernetes.cri.container-type": "container",
  "io.kubernetes.cri.container-name": "nginx",
  "io.kubernetes.cri.sandbox-name": "web-7d9f",
  "io.kubernetes.cri.sandbox-namespace": "prod",
  "io.kubernetes.cri.image-name": "docker.io/library/nginx@sha256:0123abcd"
}'
state /run/containerd/runc/k8s.io $cid $dead /run/containerd/io.containerd.runtime.v2.task/k8s.io/$cid /kubepods/pod1/$cid
bundle /run/containerd/io.containerd.runtime.v2.task/k8s.io/sandbox1 '{"io.kubernetes.cri.container-type":"sandbox","io.kubernetes.cri.sandbox-name":"web-7d9f"}'
state /run/containerd/runc/k8s.io sandbox1 $dead /run/containerd/io.containerd.runtime.v2.task/k8s.io/sandbox1
# Docker: name, image, image id and labels from config.v2.json.
did=aa11bb22cc33dd44ee55ff66aa11bb22cc33dd44ee55ff66aa11bb22cc33dd44
bundle /run/containerd/io.containerd.runtime.v2.task/moby/$did '{}'
state /run/docker/runtime-runc/moby $did $dead /run/containerd/io.containerd.runtime.v2.task/moby/$did
mkdir -p "$T/var/lib/docker/containers/$did"
printf '{"ID":"%s","Name":"/db","Image":"sha256:beef","Config":{"Image":"postgres:15","Labels":{"tier":"backend"}},"State":{"Running":true}}' \
	"$did" > "$T/var/lib/docker/containers/$did/config.v2.json"
# Podman (runc under /run/runc, names in containers/storage).
pid_=cc11dd22ee33ff44aa55bb66cc11dd22ee33ff44aa55bb66cc11dd22ee33ff44
bundle /var/lib/containers/storage/overlay-containers/$pid_/userdata '{"io.container.manager":"libpod"}'
state /run/runc $pid_ $dead /var/lib/containers/storage/overlay-containers/$pid_/userdata
mkdir -p "$T/var/lib/containers/storage/overlay-containers"
printf '[{"id":"%s","names":["cache"],"image":"cafe","layer":"x","metadata":"{\\"image-name\\":\\"docker.io/library/redis:7\\",\\"name\\":\\"cache\\"}"}]' \
	"$pid_" > "$T/var/lib/containers/storage/overlay-containers/containers.json"
# CRI-O: Kubernetes annotations io.kubernetes.pod.* and a JSON label map.
oid=ee11ff22aa33bb44cc55dd66ee11ff22aa33bb44cc55dd66ee11ff22aa33bb44
bundle /run/containers/storage/overlay-containers/$oid/userdata '{
  "io.kubernetes.cri-o.ContainerType": "container",
  "io.kubernetes.pod.namespace": "kube-system",
  "io.kubernetes.pod.name": "coredns-5d78",
  "io.kubernetes.container.name": "coredns",
  "io.kubernetes.cri-o.ImageName": "registry.k8s.io/coredns/coredns:v1.10.1",
  "io.kubernetes.cri-o.Labels": "{\"k8s-app\":\"kube-dns\",\"io.kubernetes.pod.name\":\"coredns-5d78\"}"
}'
state /run/runc $oid $dead /run/containers/storage/overlay-containers/$oid/userdata
# crun: status, not state.json.
mkdir -p "$T/run/crun/cr1"
bundle /b/cr1 '{"org.opencontainers.image.ref.name":"example.com/batch:2"}'
printf '{"pid":%s,"bundle":"/b/cr1","status":"running"}' $dead > "$T/run/crun/cr1/status"
# Broken state: ignored, does not stop the others.
mkdir -p "$T/run/runc/broken"; printf '{"init_process_pid": ' > "$T/run/runc/broken/state.json"

SYSANOM_ROOT=$T "$ctl" containers --config /dev/null --json > "$T/out.json" ||
	{ bad "containers --json exited $?"; cat "$T/out.json"; }
q() { jq -r "$1" "$T/out.json"; }
by() { q ".containers[] | select(.id == \"$1\") | $2"; }
expect "the sandbox is left out, 7 containers" 7 "$(q '.containers | length')"
expect "runc: name is its id" web1 "$(by web1 .name)"
expect "runc: image from the bundle's annotation" example.com/web:1.0 "$(by web1 .image)"
expect "runc: escaped annotation value" 'pay"ments' "$(by web1 '.labels.team')"
expect "runc: live pid, cgroup from /proc" "$own_cg" "$(by web1 .cgroup)"
expect "runc: running" true "$(by web1 .running)"
expect "runc: key is the image" example.com/web:1.0 "$(by web1 .key)"
expect "runc without image: keyed by name" name:bare "$(by bare .key)"
expect "dead pid: cgroup runc recorded" /bare-cg "$(by bare .cgroup)"
expect "dead pid: not running" false "$(by bare .running)"
expect "CRI: runtime" containerd "$(by $cid .runtime)"
expect "CRI: namespace/pod/container" prod/web-7d9f/nginx "$(by $cid .name)"
expect "CRI: digest from the image reference" sha256:0123abcd "$(by $cid .digest)"
expect "CRI: key is digest#container" 'sha256:0123abcd#nginx' "$(by $cid .key)"
expect "Docker: runtime" docker "$(by $did .runtime)"
expect "Docker: name" db "$(by $did .name)"
expect "Docker: image" postgres:15 "$(by $did .image)"
expect "Docker: image id as digest" sha256:beef "$(by $did .digest)"
expect "Docker: label" backend "$(by $did .labels.tier)"
expect "Podman: runtime" podman "$(by $pid_ .runtime)"
expect "Podman: name" cache "$(by $pid_ .name)"
expect "Podman: image" docker.io/library/redis:7 "$(by $pid_ .image)"
expect "Podman: key is the image id" sha256:cafe "$(by $pid_ .key)"
expect "CRI-O: runtime" cri-o "$(by $oid .runtime)"
expect "CRI-O: name" kube-system/coredns-5d78/coredns "$(by $oid .name)"
expect "CRI-O: image" registry.k8s.io/coredns/coredns:v1.10.1 "$(by $oid .image)"
expect "CRI-O: pod label from its JSON map" kube-dns "$(by $oid '.labels["k8s-app"]')"
expect "crun: image" example.com/batch:2 "$(by cr1 .image)"

# The config: selectors and the default watch-all.
watched() { q ".containers[] | select(.watched) | .id" | sort | tr '\n' ' '; }
cfg() { printf '%s\n' "$@" > "$T/c.conf"; SYSANOM_ROOT=$T "$ctl" containers --config "$T/c.conf" --json > "$T/out.json"; }
all=$(printf '%s\n' web1 bare $cid $did $pid_ $oid cr1 | sort | tr '\n' ' ')
cfg '# nothing'
expect "no include: all watched" "$all" "$(watched)"
cfg 'exclude = namespace:kube-system'
expect "exclude namespace" "$(printf '%s\n' web1 bare $cid $did $pid_ cr1 | sort | tr '\n' ' ')" "$(watched)"
expect "why it is not watched" "excluded by line 1: namespace:kube-system" "$(by $oid .why)"
cfg 'include = image:example.com/*' '  include=name:db  ' 'exclude = name:cr*'
expect "include image glob and name, exclude wins" "$(printf '%s\n' web1 $did | sort | tr '\n' ' ')" "$(watched)"
cfg 'include = label:tier=back*' 'include = label:k8s-app'
expect "include by label value and by label key" "$(printf '%s\n' $did $oid | sort | tr '\n' ' ')" "$(watched)"
cfg 'include = name:nginx'
expect "name matches a Kubernetes container name" "$cid " "$(watched)"

# The config parser: values, and errors with line numbers (exit 1).
printf '# c\n; c\n\naction = kill\nnew_profiles = hold\nstartup_grace = 0\nstore = /srv/sa\ninclude = namespace:prod-*\nexclude = label:x\n' > "$T/good.conf"
expect "config --check" "$(printf 'action = kill\nnew_profiles = hold\nstartup_grace = 0\nstore = /srv/sa\ninclude = namespace:prod-*\nexclude = label:x')" \
	"$("$ctl" watch --config "$T/good.conf" --check)"
expect "--store overrides the config" "store = /tmp/st" "$("$ctl" watch --config "$T/good.conf" --store /tmp/st --check | grep store)"
badconf() {	# badconf 'expected message' lines...
	local want=$1; shift
	printf '%s\n' "$@" > "$T/bad.conf"
	local rc=0 out
	out=$("$ctl" watch --config "$T/bad.conf" --check 2>&1) || rc=$?
	expect "bad config exits 1: $want" 1 "$rc"
	case "$out" in *"$T/bad.conf:$want"*) ok "message: $out" ;; *) bad "message: want '$want', got '$out'" ;; esac
}
badconf "2: unknown key 'acton'" '# x' 'acton = log'
badconf "1: action is log or kill, not 'drop'" 'action = drop'
badconf "3: new_profiles is enforce or hold, not 'later'" '' '' 'new_profiles = later'
badconf "1: unknown selector 'img'" 'include = img:x'
badconf "1: expected SELECTOR:PATTERN" 'exclude = web'
badconf "2: expected key = value, got 'include'" 'action = log' 'include'
badconf "2: startup_grace is 0..600 seconds, not '5s'" '' 'startup_grace = 5s'
badconf "1: 'store' has no value" 'store ='
badconf "1: store must be an absolute path" 'store = var/lib'
badconf "1: empty pattern after 'name:'" 'include = name:'
rc=0; "$ctl" watch --config "$T/missing.conf" --check > /dev/null 2>&1 || rc=$?
expect "a missing --config file exits 1" 1 "$rc"
rc=0; "$ctl" watch --bogus > /dev/null 2>&1 || rc=$?
expect "a usage error exits 2" 2 "$rc"

# The store: add, list, show, approve, rm; corrupt files are reported and
# never hide the others.
S=$T/store
printf '%s\n' 0 1 2 3 0 1 2 3 4 5 0 1 2 3 0 1 2 3 4 5 > "$T/trace.ids"
"$ctl" learn -q --format ids -o "$T/a.prof" "$T/trace.ids" > /dev/null
"$ctl" profiles --store "$S" add example.com/web:1.0 "$T/a.prof" > /dev/null || bad "profiles add"
"$ctl" profiles --store "$S" add --held 'sha256:0123abcd#nginx' "$T/a.prof" > /dev/null || bad "profiles add --held"
"$ctl" profiles --store "$S" add redis:7 "$T/a.prof" > /dev/null
"$ctl" profiles --store "$S" list --json > "$T/list.json"
expect "list: three profiles" 3 "$(jq '.profiles | length' "$T/list.json")"
expect "list: held one" 'sha256:0123abcd#nginx' "$(jq -r '.profiles[] | select(.state == "held") | .key' "$T/list.json")"
expect "add: digest and container from the key" 'sha256:0123abcd nginx' \
	"$(jq -r '.profiles[] | select(.state == "held") | "\(.digest) \(.container)"' "$T/list.json")"
expect "show --json: entries read from the profile" true \
	"$("$ctl" profiles --store "$S" --json show example.com/web:1.0 | jq '.stide_entries > 0 and .k == 6')"
ls "$S"/profiles/*.tmp.* > /dev/null 2>&1 && bad "temporary files left" || ok "no temporary files left"
rc=0; "$ctl" profiles --store "$S" approve example.com/web:1.0 > /dev/null 2>&1 || rc=$?
expect "approve of an approved profile exits 1" 1 "$rc"
"$ctl" profiles --store "$S" approve 'sha256:0123abcd#nginx' > /dev/null || bad "approve"
expect "approved: no held left" 0 "$("$ctl" profiles --store "$S" list --json | jq '[.profiles[] | select(.state == "held")] | length')"
"$ctl" profiles --store "$S" rm redis:7 > /dev/null || bad "rm"
expect "rm: two left" 2 "$("$ctl" profiles --store "$S" list --json | jq '.profiles | length')"
rc=0; "$ctl" profiles --store "$S" rm redis:7 > /dev/null 2>&1 || rc=$?
expect "rm of a missing profile exits 1" 1 "$rc"
rc=0; "$ctl" profiles --store "$S" frob > /dev/null 2>&1 || rc=$?
expect "unknown subcommand exits 2" 2 "$rc"
rc=0; "$ctl" profiles --store "$S" add k "$T/trace.ids" > /dev/null 2>&1 || rc=$?
expect "add of a file that is no profile exits 1" 1 "$rc"
# Corrupt one file: list reports it (stderr) and still lists the other.
f=$(ls "$S"/profiles/example.com*.prof)
head -c 50 "$f" > "$f.x" && mv "$f.x" "$f"
rc=0; "$ctl" profiles --store "$S" list --json > "$T/list.json" 2> "$T/list.err" || rc=$?
expect "list with a corrupt file exits 0" 0 "$rc"
expect "the intact profile is still listed" 'sha256:0123abcd#nginx' "$(jq -r '.profiles[].key' "$T/list.json")"
grep -q "corrupt profile .*example.com.*not a valid sysanom profile" "$T/list.err" && ok "corrupt file reported" ||
	bad "corrupt file not reported: $(cat "$T/list.err")"
[ -f "$f" ] && ok "list leaves the corrupt file in place (the watcher sets it aside)" || bad "list moved the file"

# journald: structured entries to /run/systemd/journal/socket when it
# exists. In a mount namespace of its own, a fake journal (a datagram
# socket) records what the watcher sends (no module: its start, the module
# missing, its stop).
if [ "$(id -u)" = 0 ] && unshare -m true 2> /dev/null; then
	unshare -m bash -c '
		set -e
		mkdir -p /run/systemd/journal
		mount -t tmpfs none /run/systemd/journal
		python3 -c "
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(\"/run/systemd/journal/socket\")
s.settimeout(3)
with open(sys.argv[1], \"wb\") as f:
    try:
        while True:
            f.write(s.recv(65536) + b\"\\n--\\n\"); f.flush()
    except socket.timeout:
        pass
" "$1/journal.dgrams" &
		py=$!
		for _ in $(seq 50); do [ -S /run/systemd/journal/socket ] && break; sleep 0.1; done
		"$2" watch --config /dev/null --store "$1/jstore" > "$1/j.out" 2> "$1/j.err" &
		w=$!
		sleep 1.5
		kill -TERM $w
		wait $w
		wait $py
	' _ "$T" "$ctl" || bad "the fake journal run failed"
	grep -q '^SYSANOM_EVENT=start$' "$T/journal.dgrams" && ok "journald: the start event" ||
		bad "journald: no start event: $(cat "$T/journal.dgrams" "$T/j.err")"
	grep -q '^SYSANOM_EVENT=stop$' "$T/journal.dgrams" && ok "journald: the stop event" || bad "journald: no stop event"
	grep -q '^MESSAGE_ID=e608b5b527df45afa8d3a1438666f73a$' "$T/journal.dgrams" && ok "journald: MESSAGE_ID" || bad "journald: no MESSAGE_ID"
	grep -q '^SYSLOG_IDENTIFIER=sysanom$' "$T/journal.dgrams" && ok "journald: SYSLOG_IDENTIFIER" || bad "journald: no SYSLOG_IDENTIFIER"
	grep -q '^MESSAGE=cannot reach the sysanom module' "$T/journal.dgrams" && ok "journald: the module is missing" || bad "journald: no module event"
	[ ! -s "$T/j.err" ] && ok "journald: nothing on stderr" || bad "journald: stderr has $(cat "$T/j.err")"
else
	echo "skip the journald check: needs root and unshare"
fi

echo "$checks checks, $fails failed"
[ "$fails" = 0 ]
