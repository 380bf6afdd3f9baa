#!/bin/bash
# Cheap checks of deploy/kubernetes/ (no cluster): the manifests parse as
# YAML (Debian's python3-yaml) and hang together (privileges, mounts,
# volumes, labels, namespace, the watcher with --json); the scripts pass
# the linter; the watcher's config parses (when sysanomctl has 'watch');
# fleet-profiles.sh merges two nodes' stores, from folders and through a
# stand-in kubectl, into a ConfigMap whose profile is exactly what
# 'sysanomctl merge' writes, and leaves out an image whose profiles
# disagree; sysanom-node.sh seed installs the good profiles of that
# ConfigMap into a store and refuses a corrupt one and one without .meta.
#
# usage: test-kubernetes.sh SYSANOMCTL
set -euo pipefail
ctl=$(realpath "${1:?usage: test-kubernetes.sh SYSANOMCTL}")
here=$(cd "$(dirname "$0")" && pwd)
k8s=$(cd "$here/../../deploy/kubernetes" && pwd)
py=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

# --- the manifests -----------------------------------------------------------
"$py" - "$k8s" <<'PY' || bad "the manifests"
import os, sys, yaml
d = sys.argv[1]
docs = {}
errors = []
def err(m):
    errors.append(m)
    print("  manifest: " + m)
for f in sorted(os.listdir(d)):
    if f.endswith(".yaml"):
        with open(os.path.join(d, f)) as fh:
            for doc in yaml.safe_load_all(fh):
                if doc is None:
                    continue
                docs.setdefault(doc.get("kind"), []).append((f, doc))
kust = docs["Kustomization"][0][1]
for r in kust["resources"]:
    if not os.path.exists(os.path.join(d, r)):
        err("kustomization lists a missing " + r)
listed = set(kust["resources"])
for kind, items in docs.items():
    for f, doc in items:
        if kind != "Kustomization" and f not in listed:
            err(f + " is not in kustomization.yaml")
        if kind not in ("Kustomization", "Namespace") and doc["metadata"].get("namespace") != "sysanom":
            err(f + ": " + kind + " not in namespace sysanom")
        if kind != "Kustomization" and doc.get("apiVersion") not in ("v1", "apps/v1"):
            err(f + ": apiVersion " + str(doc.get("apiVersion")))
assert docs["Namespace"][0][1]["metadata"]["name"] == "sysanom"
cms = {doc["metadata"]["name"]: doc for f, doc in docs["ConfigMap"]}
conf = cms["sysanom-config"]["data"]["sysanom.conf"]
open(os.environ.get("CONF_OUT", "/dev/null"), "w").write(conf)
for want in ("exclude = namespace:kube-system", "store = /var/lib/sysanom"):
    if want not in conf:
        err("sysanom.conf lacks '" + want + "'")
if "sysanom-profiles" not in cms:
    err("no sysanom-profiles ConfigMap")
ds = docs["DaemonSet"][0][1]
spec = ds["spec"]["template"]["spec"]
if ds["spec"]["selector"]["matchLabels"].items() - ds["spec"]["template"]["metadata"]["labels"].items():
    err("the selector does not match the pod's labels")
for k in ("hostPID", "hostNetwork"):
    if spec.get(k) is not True:
        err(k + " is not true")
vols = {v["name"]: v for v in spec["volumes"]}
mounted = set()
watch = None
for c in spec["containers"]:
    for m in c.get("volumeMounts", []):
        if m["name"] not in vols:
            err(c["name"] + " mounts an undefined volume " + m["name"])
        mounted.add(m["name"])
    if c["name"] == "watch":
        watch = c
for v in vols:
    if v not in mounted:
        err("volume " + v + " is never mounted")
if not watch or watch.get("securityContext", {}).get("privileged") is not True:
    err("the watch container is not privileged")
paths = {vols[m["name"]]["hostPath"]["path"]: m["mountPath"]
         for m in watch["volumeMounts"] if "hostPath" in vols[m["name"]]}
for p in ("/sys/fs/cgroup", "/lib/modules", "/usr/src", "/var/lib/sysanom"):
    if paths.get(p) != p:
        err("the node's " + p + " is not mounted at " + p)
cfgmounts = [m for m in watch["volumeMounts"] if m["mountPath"] == "/etc/sysanom/sysanom.conf"]
if not cfgmounts or vols[cfgmounts[0]["name"]].get("configMap", {}).get("name") != "sysanom-config":
    err("sysanom.conf is not mounted from sysanom-config")
fleet = [m for m in watch["volumeMounts"] if vols[m["name"]].get("configMap", {}).get("name") == "sysanom-profiles"]
env = {e["name"]: e.get("value") for e in watch.get("env", [])}
if not fleet or env.get("SYSANOM_FLEET_PROFILES") != fleet[0]["mountPath"]:
    err("the profiles ConfigMap is not where SYSANOM_FLEET_PROFILES points")
if watch["command"] != ["/usr/local/sbin/sysanom-node.sh"]:
    err("the watch container does not run sysanom-node.sh")
if ds["spec"]["template"]["spec"].get("terminationGracePeriodSeconds", 30) < 30:
    err("too short a grace period to save the profiles")
print("  manifest: %d documents, %d problem(s)" % (sum(len(v) for v in docs.values()), len(errors)))
sys.exit(1 if errors else 0)
PY
CONF_OUT=$tmp/sysanom.conf "$py" - "$k8s" > /dev/null 2>&1 <<'PY' || true
import os, sys, yaml
for doc in yaml.safe_load_all(open(os.path.join(sys.argv[1], "configmap.yaml"))):
    open(os.environ["CONF_OUT"], "w").write(doc["data"]["sysanom.conf"])
PY
if grep -q 'sysanom-node.sh"\]' "$k8s/daemonset.yaml" &&
	grep -q 'watch --json --config' "$k8s/sysanom-node.sh"; then
	ok "the pod runs the watcher with --json"
else
	bad "the pod does not run 'sysanomctl watch --json'"
fi
if grep -q '^COPY build/deb/sysanom-dkms_\*_all.deb build/deb/sysanom_\*_amd64.deb' "$k8s/Containerfile"; then
	ok "the Containerfile installs the two packages"
else
	bad "the Containerfile does not install the packages"
fi

if command -v shellcheck > /dev/null; then
	if shellcheck "$k8s/sysanom-node.sh" "$k8s/fleet-profiles.sh"; then ok "shellcheck"; else bad "shellcheck"; fi
fi
if "$ctl" watch --help > /dev/null 2>&1; then
	if "$ctl" watch --check --config "$tmp/sysanom.conf" > "$tmp/check.out" 2>&1; then
		ok "the ConfigMap's sysanom.conf parses (watch --check)"
	else
		bad "watch --check refuses the ConfigMap's sysanom.conf: $(cat "$tmp/check.out")"
	fi
else
	echo "note: this sysanomctl has no 'watch': the config is not parsed"
fi

# --- fleet-profiles.sh and sysanom-node.sh seed ------------------------------
# Two nodes that saw different shares of one image's traffic; a second image
# whose nodes learnt it with different k.
share() {	# share PATTERN: a trace of 300 rounds of PATTERN
	for _ in $(seq 300); do for c in $1; do echo "$c(3) = 0"; done; done
}
share "openat read fstat read close write" > "$tmp/a.trace"
share "openat read fstat read close getpid socket write" > "$tmp/b.trace"
mkdir -p "$tmp/n1" "$tmp/n2"
learn() { "$ctl" learn -q "$@" > /dev/null 2>&1; }
learn -o "$tmp/n1/web-0123.prof" "$tmp/a.trace"
learn -o "$tmp/n2/web-0123.prof" "$tmp/b.trace"
learn -o "$tmp/n1/db-4567.prof" "$tmp/a.trace"
learn -k 4 -o "$tmp/n2/db-4567.prof" "$tmp/b.trace"
for n in n1 n2; do
	printf 'key=registry.example/web@sha256:0123\nimage=registry.example/web\nsaved=1\n' > "$tmp/$n/web-0123.meta"
	printf 'key=registry.example/db\nimage=registry.example/db\nsaved=1\n' > "$tmp/$n/db-4567.meta"
done
"$ctl" merge -o "$tmp/want.prof" "$tmp/n1/web-0123.prof" "$tmp/n2/web-0123.prof" > /dev/null

# Writes BASE files of ConfigMap $1's binaryData into folder $2.
unpack() {
	"$py" - "$1" "$2" <<'PY'
import base64, os, sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
assert doc["kind"] == "ConfigMap" and doc["metadata"]["name"] == "sysanom-profiles"
os.makedirs(sys.argv[2], exist_ok=True)
for k, v in (doc.get("binaryData") or {}).items():
    open(os.path.join(sys.argv[2], k), "wb").write(base64.b64decode(v))
print(" ".join(sorted((doc.get("binaryData") or {}).keys())))
PY
}

check_configmap() {	# check_configmap HOW RC FILE
	if [ "$2" != 1 ]; then
		bad "$1: exit $2 with an image left out, want 1"
	fi
	keys=$(unpack "$3" "$tmp/unpacked-$1") || { bad "$1: the ConfigMap does not parse"; return; }
	if [ "$keys" != "web-0123.meta web-0123.prof" ]; then
		bad "$1: ConfigMap holds '$keys', want web-0123.meta web-0123.prof"
	elif ! cmp -s "$tmp/unpacked-$1/web-0123.prof" "$tmp/want.prof"; then
		bad "$1: the shared profile is not 'sysanomctl merge' of the two nodes'"
	else
		ok "$1: the image's two profiles merged into the ConfigMap, the mismatched one left out"
	fi
}

rc=0
SYSANOMCTL=$ctl "$k8s/fleet-profiles.sh" -o "$tmp/cm.yaml" --from "$tmp/n1" "$tmp/n2" 2> "$tmp/fleet.err" || rc=$?
grep -q 'db-4567 left out: .*different parameters: k' "$tmp/fleet.err" || bad "the k mismatch is not reported: $(cat "$tmp/fleet.err")"
check_configmap folders "$rc" "$tmp/cm.yaml"

# The same through kubectl, stood in for by a script serving the folders.
mkdir -p "$tmp/bin"
cat > "$tmp/bin/kubectl" <<EOF
#!/bin/sh
# kubectl -n NS get pods -l ... -o name | kubectl -n NS exec POD -c watch -- tar -C DIR -cf - .
case "\$3" in
get) printf 'pod/sysanom-n1\\npod/sysanom-n2\\n' ;;
exec) [ "\$5" = -c ] && [ "\$6" = watch ] && [ "\${10}" = /var/lib/sysanom/profiles ] || exit 9
      tar -C "$tmp/\${4#sysanom-}" -cf - . ;;
*) exit 9 ;;
esac
EOF
chmod +x "$tmp/bin/kubectl"
rc=0
KUBECTL=$tmp/bin/kubectl SYSANOMCTL=$ctl "$k8s/fleet-profiles.sh" > "$tmp/cm2.yaml" 2> "$tmp/fleet2.err" || rc=$?
check_configmap kubectl "$rc" "$tmp/cm2.yaml"

# Seeding a store from the ConfigMap's files, with a corrupt profile and
# one without its .meta beside them.
fleet=$tmp/unpacked-folders
head -c 150 "$tmp/want.prof" > "$fleet/bad-89ab.prof"
printf 'key=registry.example/bad\n' > "$fleet/bad-89ab.meta"
cp "$tmp/want.prof" "$fleet/nometa-cdef.prof"
SYSANOM_STORE=$tmp/store SYSANOM_FLEET_PROFILES=$fleet SYSANOMCTL=$ctl \
	"$k8s/sysanom-node.sh" seed 2> "$tmp/seed.err" || bad "sysanom-node.sh seed failed: $(cat "$tmp/seed.err")"
if cmp -s "$tmp/store/profiles/web-0123.prof" "$tmp/want.prof" &&
	cmp -s "$tmp/store/profiles/web-0123.meta" "$fleet/web-0123.meta" &&
	[ ! -e "$tmp/store/profiles/bad-89ab.prof" ] && [ ! -e "$tmp/store/profiles/nometa-cdef.prof" ] &&
	grep -q '1 installed, 2 refused' "$tmp/seed.err" &&
	[ "$(find "$tmp/store" -name '.*' -type f | wc -l)" = 0 ]; then
	ok "seed: the good profile installed, the corrupt one and the one without .meta refused"
else
	bad "seed: $(cat "$tmp/seed.err"; ls -la "$tmp/store/profiles")"
fi

echo "test-kubernetes: $fails failure(s)"
[ "$fails" = 0 ]
