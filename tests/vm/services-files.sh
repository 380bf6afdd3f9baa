#!/bin/bash
# Copy real services from Debian's packages into a guest root (for
# mkinitramfs.sh --services): each package's files (no docs, manuals,
# translations, unit files or PostgreSQL's JIT bitcode), the shared
# libraries of every ELF file among them, and the few data files the
# services read at start (UTC zoneinfo). The packages must be installed on
# this machine (tests/install-deps.sh); nothing is downloaded.
#
# usage: services-files.sh ROOT
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

# Keep in step with tests/install-deps.sh.
SERVICE_PACKAGES=(
	nginx nginx-common fcgiwrap curl wrk              # web: server, CGI gateway, clients
	postgresql-15 postgresql-client-15                # database, psql and pgbench
	memcached libmemcached-tools                      # cache and its load generator
	redis-server redis-tools                          # key-value store, redis-cli, redis-benchmark
)

root=${1:?usage: $0 ROOT}
[ -d "$root" ] || die "$root is not a directory"

# Paths nobody runs: documentation, init scripts, unit files; PostgreSQL's
# JIT (bitcode and llvmjit, which would pull in LLVM) and the extensions
# other than plpgsql, which initdb installs.
skip='^/usr/share/(doc|man|locale|lintian|vim|apport|bug)/|^/usr/include/|^/lib/systemd/|^/etc/(init\.d|logrotate\.d|ufw)/'
skip+='|^/usr/lib/postgresql/15/lib/(bitcode/|llvmjit|pgxs/)|\.bc$'
skip+='|^/usr/share/postgresql/15/extension/(?!plpgsql)|^/usr/share/postgresql/15/man/'

# Copy the packages' files and libraries into the empty directory $1.
build_tree() {
	local root=$1 files=$1/.files libs=$1/.libs f lib z
	dpkg-query -L "${SERVICE_PACKAGES[@]}" | grep -vP "$skip" | sort -u > "$files"

	# Regular files and symlinks at their own paths; directories come with them.
	while IFS= read -r f; do
		{ [ -f "$f" ] || [ -L "$f" ]; } || continue
		# A merged-/usr link such as /lib: the guest has real directories.
		[ -L "$f" ] && [ -d "$f" ] && continue
		[ -e "$root$f" ] && continue
		mkdir -p "$root$(dirname "$f")"
		cp -P "$f" "$root$f"
	done < "$files"

	# Shared libraries of every ELF program and library copied, at their paths.
	while IFS= read -r f; do
		if [ -L "$f" ] || [ ! -f "$f" ]; then continue; fi
		[ "$(head -c4 "$f" | od -An -c | tr -d ' ')" = '177ELF' ] || continue
		{ ldd "$f" 2>/dev/null || true; } | { grep -oE '/[^ ]+' || true; }
	done < "$files" | sort -u > "$libs"
	while IFS= read -r lib; do
		[ -e "$lib" ] || continue
		# ldd names some libraries under /usr/lib (or $ORIGIN/../lib), others
		# under /lib: the loader searches both, one copy (under /lib, as
		# copy_bin does) is enough.
		lib=$(realpath -ms "$lib")
		case "$lib" in /usr/lib/x86_64-linux-gnu/*) lib=${lib#/usr} ;; esac
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done < "$libs"

	# PostgreSQL and curl look up the time zone; the services run in UTC.
	for z in UTC Etc/UTC; do
		install -D -m 0644 "/usr/share/zoneinfo/$z" "$root/usr/share/zoneinfo/$z"
	done
	rm -f "$files" "$libs"
}

# The copy is made once per set of package versions (and version of this
# script) under $SYSANOM_CACHE, then copied into ROOT (without replacing
# what ROOT has, e.g. busybox's applets or runc's libraries).
for p in "${SERVICE_PACKAGES[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	[ "${status:0:2}" = ii ] || die "package $p is not installed (run tests/install-deps.sh)"
done
key=$( { dpkg-query -W "${SERVICE_PACKAGES[@]}"; cat "$0"; } | sha256sum | cut -c1-16)
cache=$SYSANOM_CACHE/services-$key
if [ ! -f "$cache/.done" ]; then
	mkdir -p "$SYSANOM_CACHE"
	tmp=$(mktemp -d "$cache.tmp.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	chmod 0755 "$tmp"	# cp -a below gives its mode to the guest's /
	build_tree "$tmp"
	touch "$tmp/.done"
	if [ -f "$cache/.done" ]; then
		rm -rf "$tmp"	# somebody else won the race
	else
		rm -rf "$cache"
		mv "$tmp" "$cache"
	fi
fi
cp -an "$cache/." "$root/"
rm -f "$root/.done"
log "copied $(find "$cache" -type f -o -type l | grep -vc '/\.done$') files of ${#SERVICE_PACKAGES[@]} packages (from $cache)"
