#!/bin/sh
# The metrics checker must accept valid text and refuse each kind of
# invalid text; then it checks FILE... given (e.g. test_prom's output), and
# so does Prometheus's own 'promtool check metrics' when get-promtool.sh can
# fetch it from Debian's archive (else it says so and goes on).
# usage: [AWK="busybox awk"] test-prom-check.sh [FILE...]
set -u
AWK=${AWK:-awk}
here=$(dirname "$0")
chk="$here/prom-check.awk"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 n=0

# Run in pipelines (subshells): counts go through files.
check() {	# check WANT(0|1) DESCRIPTION, text on stdin
	echo "$2" >> "$tmp/checks"
	cat > "$tmp/t.prom"
	$AWK -v prefix=sysanom_ -f "$chk" "$tmp/t.prom" > "$tmp/out" 2>&1
	got=$?
	[ "$got" = 0 ] || got=1
	if [ "$got" != "$1" ]; then
		echo "FAIL: $2: checker exit $got, want $1" >&2
		sed 's/^/  | /' "$tmp/out" "$tmp/t.prom" >&2
		echo "$2" >> "$tmp/failed"
	fi
}

H='# HELP sysanom_x_total X.
# TYPE sysanom_x_total counter'
G='# HELP sysanom_g G.
# TYPE sysanom_g gauge'

printf '%s\nsysanom_x_total{a="1",b="q\\"\\\\\\n"} 3\nsysanom_x_total{a="2"} 0\n%s\nsysanom_g -1.5e-06\nsysanom_g{m="x"} NaN\n' "$H" "$G" |
	check 0 "valid text"
printf '%s\nsysanom_x_total 1 1700000000000\n' "$H" | check 0 "a timestamp"
printf '# TYPE sysanom_x_total counter\nsysanom_x_total 1\n' | check 1 "no HELP"
printf '# HELP sysanom_x_total X.\nsysanom_x_total 1\n' | check 1 "no TYPE"
printf 'sysanom_x_total 1\n%s\n' "$H" | check 1 "TYPE after the samples"
printf '%s\n%s\n' "$H" "$H" | check 1 "HELP and TYPE twice"
printf '%s\nsysanom_x_total 1\n\nsysanom_x_total{a="1"} 1\n' "$H" | check 1 "a blank line"
printf '%s\nsysanom_x_total 1\nsysanom_x_total 2\n' "$H" | check 1 "a series twice"
printf '%s\nsysanom_x_total{a="1",a="2"} 1\n' "$H" | check 1 "a label twice"
printf '%s\nsysanom_x_total{a="1"} 1\n%s\nsysanom_g 1\nsysanom_x_total{a="2"} 1\n' "$H" "$G" | check 1 "a family not contiguous"
printf '%s\nsysanom_x_total{a=1} 1\n' "$H" | check 1 "an unquoted label value"
printf '%s\nsysanom_x_total{a="\\t"} 1\n' "$H" | check 1 "a bad escape"
printf '%s\nsysanom_x_total{a="1} 1\n' "$H" | check 1 "an unterminated label value"
printf '%s\nsysanom_x_total{__a="1"} 1\n' "$H" | check 1 "a reserved label name"
printf '%s\nsysanom_x_total{1a="1"} 1\n' "$H" | check 1 "a bad label name"
printf '%s\nsysanom_x_total one\n' "$H" | check 1 "a value that is no number"
printf '%s\nsysanom_x_total -1\n' "$H" | check 1 "a negative counter"
printf '%s\nsysanom_x_total 1 2 3\n' "$H" | check 1 "too many fields"
printf '%s\nsysanom_x_total  1\n' "$H" | check 1 "two spaces"
printf '%s\nsysanom_x_total 1 \n' "$H" | check 1 "trailing space"
printf '# HELP sysanom_x X.\n# TYPE sysanom_x counter\nsysanom_x 1\n' | check 1 "a counter not named _total"
printf '# HELP sysanom_g_total G.\n# TYPE sysanom_g_total gauge\nsysanom_g_total 1\n' | check 1 "a gauge named _total"
printf '# HELP sysanom_g G.\n# TYPE sysanom_g gauge int\nsysanom_g 1\n' | check 1 "a bad TYPE line"
printf '# HELP sysanom_g G.\n# TYPE sysanom_g meter\nsysanom_g 1\n' | check 1 "an unknown type"
printf '# HELP other_g G.\n# TYPE other_g gauge\nother_g 1\n' | check 1 "no sysanom_ prefix"
printf '# HELP sysanom_g G.\n# TYPE sysanom_g gauge\n' | check 1 "no sample"
printf 'garbage here\n' | check 1 "garbage"

promtool=$("$here/get-promtool.sh") || promtool=
[ -n "$promtool" ] || echo "test-prom-check: no promtool, the awk checker alone"
for f in "$@"; do
	n=$((n + 1))
	if [ -n "$promtool" ] && ! "$promtool" check metrics < "$f"; then
		echo "FAIL: promtool check metrics refuses $f" >&2
		fail=$((fail + 1))
	fi
	if ! $AWK -v prefix=sysanom_ -f "$chk" "$f"; then
		echo "FAIL: $f is not valid" >&2
		fail=$((fail + 1))
	elif [ -s "$f" ] && [ "$(tail -c1 "$f" | od -An -c | tr -d ' ')" != '\n' ]; then
		echo "FAIL: $f does not end with a newline" >&2
		fail=$((fail + 1))
	fi
done
n=$((n + $(wc -l < "$tmp/checks")))
[ ! -f "$tmp/failed" ] || fail=$((fail + $(wc -l < "$tmp/failed")))
echo "test-prom-check: $n checks, $fail failures"
[ "$fail" = 0 ]
