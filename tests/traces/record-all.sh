#!/bin/bash
# Records every workload, one after the other, into $OUT.
set -euo pipefail
d=$(dirname "$0")
for w in ${WORKLOADS:-httpd nginx postgres memcached shell shell-async}; do
	"$d/record-$w.sh"
done
