#!/bin/bash
# Build tests/stress/nlfuzz.c for the test guest: static, so that it needs
# nothing from the initramfs. Prints the path of the binary.
#
# usage: build-nlfuzz.sh [OUT]     (default: tests/results/stress/nlfuzz, git-ignored)
# It uses the working tree's uapi header; when that declares the profile
# save/load commands (SYSANOM_CMD_IMPORT), the import cases are built in.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=${1:-$repo/tests/results/stress/nlfuzz}
mkdir -p "$(dirname "$out")"
defs=()
if grep -q 'SYSANOM_CMD_IMPORT' "$repo/include/uapi/linux/sysanom.h"; then
	defs+=(-DHAVE_IMPORT)
fi
gcc -O2 -g -Wall -Wextra -Werror -static -pthread "${defs[@]}" -I"$repo/include" \
	-o "$out" "$here/nlfuzz.c"
echo "$out"
