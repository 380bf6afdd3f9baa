#!/bin/sh
# Only root (CAP_NET_ADMIN) drives the module: an unprivileged user can neither
# train, untrack nor list, and cannot read /proc/sysanom/status. Denials are
# runtime errors (exit 1).
# shellcheck source-path=SCRIPTDIR source=../vm/guest-lib.sh
. /lib/sysanom/guest-lib.sh

[ "$(as_nobody 'id -u')" = 65534 ] || fail "cannot run commands as nobody"
load_module
mkdir -p "$CG/perm-a" || fail "cannot create $CG/perm-a"
id_a=$(stat -c %i "$CG/perm-a")

run_status 1 as_nobody sysanomctl train perm-a
none_listed || fail "an unprivileged train changed the state: $(sysanomctl status --json)"

run sysanomctl train perm-a
run_status 1 as_nobody sysanomctl untrack "$id_a"
[ -n "$(status_entry /perm-a)" ] || fail "an unprivileged untrack removed perm-a"
run_status 1 as_nobody sysanomctl status
run_status 1 as_nobody sysanomctl status --json
if as_nobody cat /proc/sysanom/status > /dev/null 2>&1; then
	fail "an unprivileged user can read /proc/sysanom/status"
fi

run sysanomctl untrack perm-a
rmdir "$CG/perm-a"
run rmmod sysanom
exit 0
