#!/bin/bash
# The Debian packages: 'make deb' in a scratch copy of the tree, lintian (no
# error and no warning), systemd-analyze verify on every unit as installed,
# the packages' contents, and the module built from the source that
# sysanom-dkms ships, as DKMS builds it.
#
# usage: tests/deb/test-deb.sh RESULTS_DIR
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../vm/lib.sh
. "$(dirname "$0")/../vm/lib.sh"

out=${1:?usage: test-deb.sh RESULTS_DIR}
for c in dpkg-buildpackage dh dh_dkms lintian systemd-analyze man; do
	command -v "$c" > /dev/null || die "$c is missing (run tests/install-deps.sh)"
done
ver=$(sed -n 's/^PACKAGE_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$REPO_DIR/dkms.conf")
[ -n "$ver" ] || die "no PACKAGE_VERSION in dkms.conf"

src=$out/src debs=$out/src/build/deb root=$out/root
rm -rf "$out"
copy_tree "$src"
log "make deb (version $ver)"
make -C "$src" deb
dkms_deb=$debs/sysanom-dkms_${ver}_all.deb
tool_deb=$debs/sysanom_${ver}_amd64.deb
for f in "$dkms_deb" "$tool_deb" "$debs/sysanom_${ver}_amd64.changes"; do
	[ -f "$f" ] || die "make deb did not make $f"
done

fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

# Lintian on the source and binary packages; informational tags are shown.
log "lintian"
lrc=0
lintian --info --display-info --fail-on error,warning "$debs/sysanom_${ver}_amd64.changes" \
	> "$out/lintian.txt" 2>&1 || lrc=$?
grep -v 'running with root privileges' "$out/lintian.txt" || true
if [ "$lrc" = 0 ]; then
	ok "lintian: $(grep -c '^E:' "$out/lintian.txt" || true) errors, $(grep -c '^W:' "$out/lintian.txt" || true) warnings, $(grep -c '^I:' "$out/lintian.txt" || true) infos"
else
	fail "lintian reports errors or warnings (above, and in $out/lintian.txt)"
fi

# The packages as installed, in a root of their own.
mkdir -p "$root"
dpkg-deb -x "$dkms_deb" "$root"
dpkg-deb -x "$tool_deb" "$root"
has() {	# has PACKAGE_DEB PATH...: the package holds every PATH
	local deb=$1 p list n=0
	shift
	list=$(dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|; s|/$||')
	for p in "$@"; do
		if grep -qxF -- "$p" <<< "$list"; then n=$((n + 1))
		else fail "$(basename "$deb") lacks $p"; fi
	done
	ok "$(basename "$deb") has $n of the $# files looked for"
}

# sysanom-dkms: the tree's own dkms.conf and every source file Kbuild builds.
usrc=/usr/src/sysanom-$ver
files=("$usrc/dkms.conf" "$usrc/Kbuild" "$usrc/Makefile" "$usrc/include/uapi/linux/sysanom.h")
for f in "$REPO_DIR"/module/*.[ch] "$REPO_DIR"/module/core/*.c "$REPO_DIR"/include/sysanom/*.h; do
	files+=("$usrc/${f#"$REPO_DIR"/}")
done
has "$dkms_deb" "${files[@]}"
if cmp -s "$REPO_DIR/dkms.conf" "$root$usrc/dkms.conf"; then ok "dkms.conf is the tree's"
else fail "the packaged dkms.conf differs from the tree's"; fi
dpkg-deb -f "$dkms_deb" Depends | grep -q 'dkms' || fail "sysanom-dkms does not depend on dkms"
# Installing it has DKMS build and install the module (dh_dkms).
if dpkg-deb -I "$dkms_deb" postinst | grep -q "^DKMS_NAME=sysanom$" &&
	dpkg-deb -I "$dkms_deb" postinst | grep -q "^DKMS_VERSION=$ver$" &&
	dpkg-deb -I "$dkms_deb" prerm | grep -q 'dkms remove'; then
	ok "sysanom-dkms's postinst and prerm call DKMS for sysanom $ver"
else
	fail "sysanom-dkms's maintainer scripts do not call DKMS for sysanom $ver"
fi

# sysanom: the tool, the units, the man page, the completion.
units=(sysanom.service sysanom-metrics.service sysanom-metrics.timer)
has "$tool_deb" /usr/sbin/sysanomctl /usr/share/man/man8/sysanomctl.8.gz \
	/usr/share/bash-completion/completions/sysanomctl "${units[@]/#//lib/systemd/system/}"
got=$("$root/usr/sbin/sysanomctl" --version)
if [ "$got" = "sysanomctl $ver" ]; then ok "sysanomctl --version: $got"
else fail "sysanomctl --version says '$got'"; fi
if [ -f "$REPO_DIR/deploy/sysanom.conf" ]; then
	has "$tool_deb" /etc/sysanom/sysanom.conf
	if dpkg-deb -I "$tool_deb" conffiles | grep -qx /etc/sysanom/sysanom.conf; then
		ok "sysanom.conf is a conffile"
	else
		fail "/etc/sysanom/sysanom.conf is not a conffile"
	fi
fi
# The package starts sysanom.service and the timer when installed.
postinst=$(dpkg-deb -I "$tool_deb" postinst)
for u in sysanom.service sysanom-metrics.timer; do
	if grep -q "enable '$u'" <<< "$postinst"; then ok "postinst enables $u"
	else fail "postinst does not enable $u"; fi
done
dpkg-deb -f "$tool_deb" Depends | grep -q "sysanom-dkms (= $ver)" ||
	fail "sysanom does not depend on sysanom-dkms (= $ver)"

# Every command of the tool's command table, in the man page and the
# completion (the commands are the indented first words of --help).
cmds=$("$root/usr/sbin/sysanomctl" --help | sed -n '/^commands:/,/^$/p' | awk 'NF > 1 { print $1 }')
[ "$(wc -w <<< "$cmds")" -ge 10 ] || fail "sysanomctl --help lists only: $cmds"
man_txt=$(MANWIDTH=200 man -l "$root/usr/share/man/man8/sysanomctl.8.gz" 2> "$out/man.err")
[ -s "$out/man.err" ] && fail "man reports: $(cat "$out/man.err")"
LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z \
	"$root/usr/share/man/man8/sysanomctl.8.gz" > /dev/null 2> "$out/man.warn" || true
[ -s "$out/man.warn" ] && fail "groff warnings: $(cat "$out/man.warn")"
comp=$root/usr/share/bash-completion/completions/sysanomctl
bash -n "$comp" || fail "the bash completion does not parse"
# What the completion offers after 'sysanomctl ', by running it.
offered=$(bash -c '. /usr/share/bash-completion/bash_completion; . "$1"
	COMP_WORDS=(sysanomctl ""); COMP_CWORD=1; COMP_LINE="sysanomctl "; COMP_POINT=11
	_sysanomctl; printf "%s\n" "${COMPREPLY[@]}"' sh "$comp")
# The agreed commands of issue 11 too, whichever branch brings them.
before=$fails
for c in $cmds watch profiles merge; do
	grep -qE "^ {7}$c( |$)" <<< "$man_txt" || fail "the man page has no entry for '$c'"
	grep -qx -- "$c" <<< "$offered" || fail "the completion does not offer '$c'"
done
[ "$fails" != "$before" ] || ok "man page and completion cover: $(tr '\n' ' ' <<< "$cmds")watch profiles merge"
grep -q -- '--prometheus' <<< "$man_txt" || fail "the man page does not document status --prometheus"

# systemd-analyze verify on each unit, in the root the packages were
# extracted to (with the host's units beside them, for the targets they
# name, and modprobe), with the man page it cites; any message fails.
mkdir -p "$root/lib/systemd/system" "$root/sbin"
cp -an /lib/systemd/system/. "$root/lib/systemd/system/"
cp /sbin/modprobe "$root/sbin/modprobe"
for u in "${units[@]}"; do
	if (cd "$root" && MANPATH=$root/usr/share/man systemd-analyze verify --root="$root" \
		"lib/systemd/system/$u") > "$out/verify-$u.txt" 2>&1 && [ ! -s "$out/verify-$u.txt" ]; then
		ok "systemd-analyze verify $u"
	else
		fail "systemd-analyze verify $u: $(cat "$out/verify-$u.txt")"
	fi
done
grep -qx 'ConditionKernelCommandLine=!sysanom.off' "$root/lib/systemd/system/sysanom.service" ||
	fail "sysanom.service does not skip on sysanom.off"
grep -qx 'ExecStart=/usr/sbin/sysanomctl watch' "$root/lib/systemd/system/sysanom.service" ||
	fail "sysanom.service does not run 'sysanomctl watch'"

# The module from the packaged source, with DKMS's MAKE and CLEAN lines.
rel=$(debian_kernel_release)
bsrc=$out/dkms-src
cp -a "$root$usrc" "$bsrc"
log "building the packaged module source for $rel"
if make -C "$bsrc" module KDIR="/lib/modules/$rel/build" > "$out/dkms-build.log" 2>&1 &&
	[ -f "$bsrc/sysanom.ko" ] && make -C "$bsrc" clean KDIR="/lib/modules/$rel/build" >> "$out/dkms-build.log" 2>&1 &&
	[ ! -e "$bsrc/sysanom.ko" ]; then
	ok "the packaged source builds sysanom.ko for $rel and cleans"
else
	tail -n 20 "$out/dkms-build.log"
	fail "the packaged source does not build (or clean) for $rel"
fi

echo "test-deb: $fails failure(s); packages in $debs"
[ "$fails" = 0 ]
