#!/bin/sh
# Gathers what every node learnt, merges the profiles of each image, and
# writes the sysanom-profiles ConfigMap that the pods install at start.
#
# usage: fleet-profiles.sh [-n NAMESPACE] [-o FILE] [--from DIR...]
#   default     copy /var/lib/sysanom/profiles out of every sysanom pod
#               (kubectl exec ... tar), one folder per node
#   --from      use these folders instead (copies of nodes' stores'
#               profiles/ folders)
#   -o FILE     where to write the ConfigMap (default: standard output);
#               then 'kubectl apply -f FILE' and restart the DaemonSet
#
# The profiles of one image (the same BASE.prof file name in the stores)
# are merged with 'sysanomctl merge': parameters that differ, or a corrupt
# file, leave that image out, reported, and the others go on. Files that
# are byte for byte the same (the profile the fleet already shared) count
# once. Exit status: 0, or 1 when some image was left out.
set -eu

ns=sysanom out=- from=0
SYSANOMCTL=${SYSANOMCTL:-sysanomctl}
KUBECTL=${KUBECTL:-kubectl}
dirs=""
while [ $# -gt 0 ]; do
	case "$1" in
	-n) ns=$2; shift 2 ;;
	-o) out=$2; shift 2 ;;
	--from) from=1; shift ;;
	-h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "fleet-profiles: unknown option $1" >&2; exit 2 ;;
	*) [ "$from" = 1 ] || { echo "fleet-profiles: folders need --from" >&2; exit 2; }
	   dirs="$dirs $1"; shift ;;
	esac
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ "$from" = 1 ]; then
	[ -n "$dirs" ] || { echo "fleet-profiles: --from needs folders" >&2; exit 2; }
	i=0
	for d in $dirs; do
		i=$((i + 1))
		mkdir -p "$work/node$i"
		cp "$d"/*.prof "$d"/*.meta "$work/node$i/" 2> /dev/null || true
	done
else
	pods=$("$KUBECTL" -n "$ns" get pods -l app.kubernetes.io/name=sysanom -o name)
	[ -n "$pods" ] || { echo "fleet-profiles: no sysanom pods in namespace $ns" >&2; exit 1; }
	for p in $pods; do
		d=$work/${p##*/}
		mkdir -p "$d"
		"$KUBECTL" -n "$ns" exec "${p##*/}" -c watch -- \
			tar -C /var/lib/sysanom/profiles -cf - . | tar -C "$d" -xf - ||
			echo "fleet-profiles: could not copy the store of ${p##*/}" >&2
	done
fi

mkdir -p "$work/merged"
left=0 merged=0
for base in $(find "$work" -path "$work/merged" -prune -o -name '*.prof' -print |
	sed 's|.*/||; s|\.prof$||' | sort -u); do
	set --
	meta=
	for f in "$work"/*/"$base.prof"; do
		[ "${f#"$work"/merged/}" = "$f" ] || continue
		set -- "$@" "$f"
		[ -n "$meta" ] || [ ! -f "${f%.prof}.meta" ] || meta=${f%.prof}.meta
	done
	if [ -z "$meta" ]; then
		echo "fleet-profiles: $base: no .meta on any node, left out" >&2
		left=$((left + 1))
		continue
	fi
	if "$SYSANOMCTL" merge -o "$work/merged/$base.prof" "$@" > "$work/msg" 2>&1; then
		cp "$meta" "$work/merged/$base.meta"
		echo "fleet-profiles: $base: $(cat "$work/msg")" >&2
		merged=$((merged + 1))
	else
		echo "fleet-profiles: $base left out: $(cat "$work/msg")" >&2
		left=$((left + 1))
	fi
done

{
	echo "# Written by deploy/kubernetes/fleet-profiles.sh: $merged image(s)."
	echo "apiVersion: v1"
	echo "kind: ConfigMap"
	echo "metadata:"
	echo "  name: sysanom-profiles"
	echo "  namespace: $ns"
	echo "  labels:"
	echo "    app.kubernetes.io/name: sysanom"
	if [ "$merged" = 0 ]; then
		echo "data: {}"
	else
		echo "binaryData:"
		for f in "$work"/merged/*; do
			printf '  %s: %s\n' "${f##*/}" "$(base64 -w0 < "$f")"
		done
	fi
} > "$work/configmap.yaml"
if [ "$out" = - ]; then
	cat "$work/configmap.yaml"
else
	cp "$work/configmap.yaml" "$out.tmp.$$" && mv -f "$out.tmp.$$" "$out"
fi
echo "fleet-profiles: $merged image(s) merged, $left left out" >&2
[ "$left" = 0 ]
