#!/bin/bash
# Demo: boot a guest, run a real OCI container with runc, train sysanom on it
# and show its system-call counts growing in 'sysanomctl status'.
#
# usage: tests/vm/demo.sh [debian|debug]    (default: debian, the faster one)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
kernel=${1:-debian}
exec "$here/run-guest.sh" --kernel "$kernel" --verbose --scenario "$here/demo-scenario.sh"
