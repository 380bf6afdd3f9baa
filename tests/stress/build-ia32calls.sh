#!/bin/bash
# Build tests/stress/ia32calls.c as a static i386 program for the test guest
# (gcc -m32 -static: Debian's gcc-multilib). Prints the path of the binary.
#
# usage: build-ia32calls.sh [OUT]   (default: tests/results/stress/ia32calls, git-ignored)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=${1:-$repo/tests/results/stress/ia32calls}
mkdir -p "$(dirname "$out")"
gcc -m32 -O2 -Wall -Wextra -Werror -static -o "$out" "$here/ia32calls.c"
file "$out" | grep -q 'ELF 32-bit LSB executable, Intel 80386' ||
	{ echo "build-ia32calls: $out is not an i386 executable: $(file "$out")" >&2; exit 1; }
echo "$out"
