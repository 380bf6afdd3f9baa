#!/bin/sh
# A call cut short by a signal and made again is one call: when the signal
# came is timing, not behaviour. A cgroup trained on a program whose SIGALRM
# handler runs between its calls (tests/helpers/sigretry.c, "between"),
# enforcing, then the same program whose signals cut its sleeps short
# ("during": EINTR, and it sleeps again): the same calls, so no alert. On
# the unfixed module each retried sleep made windows never seen in training.
# kernels: debian debug debian-6.12 debian-7.2
# shellcheck source-path=SCRIPTDIR source=../vm/guest-lib.sh
. /lib/sysanom/guest-lib.sh

SR=/usr/sbin/sa-sigretry
[ -x "$SR" ] || fail "$SR is not in the initramfs"
in_cg() { sh -c 'echo $$ > '"$CG"'/sr/cgroup.procs && exec "$@"' sh "$@"; }

load_module
mkdir -p "$CG/sr"
run sysanomctl train sr
for _ in 1 2 3; do in_cg "$SR" between 200 || fail "$SR between failed"; done
e=$(status_entry /sr)
note "trained: windows $(echo "$e" | json_num windows), entries $(echo "$e" | json_num profile_entries)"
run sysanomctl enforce sr > /dev/null 2>&1
in_cg "$SR" between 100 || fail "$SR between failed"
a=$(status_entry /sr | json_num alerts)
[ "$a" = 0 ] || fail "the trained program alerts: $(sysanomctl alerts | tail -n 5)"

out=$(in_cg "$SR" during 100) || fail "$SR during failed: $out"
note "$out"
cut=$(echo "$out" | sed -n 's/.* \([0-9]*\) sleeps cut short/\1/p')
[ "${cut:-0}" -gt 0 ] || fail "no sleep was cut short: the test proves nothing ($out)"
a=$(status_entry /sr | json_num alerts)
[ "$a" = 0 ] || { sysanomctl alerts | tail -n 5
	fail "$cut retried sleeps raised $a alerts"; }

run sysanomctl untrack sr
rmdir "$CG/sr"
rmmod sysanom || fail "rmmod sysanom failed"
