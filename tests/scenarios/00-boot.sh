#!/bin/sh
# Smoke test of the guest itself: cgroup v2, runc and a real OCI container.
# shellcheck source-path=SCRIPTDIR source=../vm/guest-lib.sh
. /lib/sysanom/guest-lib.sh

grep -q cgroup2 /proc/mounts || fail "cgroup2 is not mounted"
note "kernel $(uname -r), controllers: $(cat "$CG/cgroup.controllers")"
run runc --version
run start_container smoke smoke-ct 'echo hello-from-container; exec sleep 30'
i=0
until grep -q hello-from-container /tmp/smoke.out; do
	i=$((i + 1)); [ $i -lt 100 ] || fail "container printed nothing: $(cat /tmp/smoke.out)"
	sleep 0.1
done
[ -d "$CG/smoke-ct" ] || fail "the container has no cgroup $CG/smoke-ct"
pid=$(runc state smoke | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p')
note "container init pid $pid, cgroup $(cat "/proc/$pid/cgroup")"
grep -qx '0::/smoke-ct' /proc/"$pid"/cgroup || fail "container pid $pid is not in /smoke-ct"
run stop_container smoke
exit 0
