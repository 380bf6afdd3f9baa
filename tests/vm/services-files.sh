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
)

root=${1:?usage: $0 ROOT}
[ -d "$root" ] || die "$root is not a directory"

# Paths nobody runs: documentation, init scripts, unit files; PostgreSQL's
# JIT (bitcode and llvmjit, which would pull in LLVM) and the extensions
# other than plpgsql, which initdb installs.
skip='^/usr/share/(doc|man|locale|lintian|vim|apport|bug)/|^/usr/include/|^/lib/systemd/|^/etc/(init\.d|logrotate\.d|ufw)/'
skip+='|^/usr/lib/postgresql/15/lib/(bitcode/|llvmjit|pgxs/)|\.bc$'
skip+='|^/usr/share/postgresql/15/extension/(?!plpgsql)|^/usr/share/postgresql/15/man/'

files=$(mktemp)
trap 'rm -f "$files"' EXIT
for p in "${SERVICE_PACKAGES[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	[ "${status:0:2}" = ii ] || die "package $p is not installed (run tests/install-deps.sh)"
	dpkg-query -L "$p"
done | grep -vP "$skip" | sort -u > "$files"

# Regular files and symlinks at their own paths; directories come with them.
n=0
while IFS= read -r f; do
	{ [ -f "$f" ] || [ -L "$f" ]; } || continue
	# A merged-/usr link such as /lib: the guest has real directories.
	[ -L "$f" ] && [ -d "$f" ] && continue
	[ -e "$root$f" ] && continue
	mkdir -p "$root$(dirname "$f")"
	cp -P "$f" "$root$f"
	n=$((n + 1))
done < "$files"

# Shared libraries of every ELF program and library copied, at their paths.
libs=$(mktemp)
trap 'rm -f "$files" "$libs"' EXIT
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
	n=$((n + 1))
done < "$libs"

# PostgreSQL and curl look up the time zone; the services run in UTC.
for z in UTC Etc/UTC; do
	install -D -m 0644 "/usr/share/zoneinfo/$z" "$root/usr/share/zoneinfo/$z"
done
log "copied $n files of ${#SERVICE_PACKAGES[@]} packages"
