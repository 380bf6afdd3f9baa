#!/bin/sh
# Evaluation test on the dev splits with the DESIGN.md protocol.
#   HIDS-Docker: train normal_0..6, test normal_7..12 against exec_0..12.
#   ADFA-LD: train Training_Data_Master, test Validation_Data_Master
#   against Attack_Data_Master.
# Fails when a figure falls below its floor (the references of DESIGN.md,
# and the figures this engine reached, rounded down). Exit 77 without data.
# usage: eval.sh SYSANOMCTL_OFFLINE_BINARY
set -u
bin=${1:?usage: eval.sh BINARY}
. "$(dirname "$0")/datasets.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
H=$DS/hids-docker
A=$DS/adfa-ld
fail=0

get() {	# get KEY: a number from the last JSON summary
	sed -n "s/.*\"$1\":\([0-9.eE+-]*\).*/\1/p" "$work/out" | head -1
}

ge() {	# ge VALUE FLOOR
	awk -v v="$1" -v f="$2" 'BEGIN { exit !(v + 0 >= f + 0) }'
}

run() {	# run NAME ARGS...: one evaluation, summary line printed
	name=$1
	shift
	if ! "$bin" eval -q --json "$@" > "$work/out" 2> "$work/err"; then
		echo "FAIL: $name: sysanomctl eval failed"
		sed 's/^/  | /' "$work/err"
		fail=$((fail + 1))
		return 1
	fi
	printf '%-26s AUC %s  DR@FPR5 %s  runs %s  FPR %s  DR %s  entries %s  slope %s\n' \
		"$name" "$(get auc)" "$(get dr_at_fpr5)" "$(get runs_dr_at_fpr5)" "$(get fpr)" \
		"$(get dr)" "$(get profile_entries)" "$(get growth_slope)"
}

expect() {	# expect NAME KEY OP VALUE   (OP: ge, eq)
	v=$(get "$2")
	case $3 in
	ge) ge "$v" "$4" ;;
	eq) awk -v v="$v" -v w="$4" 'BEGIN { exit !(v + 0 == w + 0) }' ;;
	esac || {
		echo "FAIL: $1: $2 = $v, want $3 $4"
		fail=$((fail + 1))
	}
}

hids() {
	run "$@" --train "$H"/normal/wordpress_normal_[0-6] \
		--normal "$H"/normal/wordpress_normal_[7-9] \
		"$H"/normal/wordpress_normal_1[0-2] --attack "$H/exec"
}

adfa() {
	run "$@" --format adfa --train "$A/Training_Data_Master" \
		--normal "$A/Validation_Data_Master" \
		--attack "$A/Attack_Data_Master"
}

echo "== HIDS-Docker (7 train, 6 normal, 13 attack traces)"
if hids "hids default (combo)"; then
	expect "hids default" auc eq 1
	expect "hids default" dr eq 1
	expect "hids default" fpr eq 0
fi
if hids "hids stide default" --detector stide; then
	expect "hids stide default" dr eq 1
	expect "hids stide default" fpr eq 0
fi
for det in stide bosc; do
	for k in 3 6 10; do
		hids "hids $det k=$k" --detector "$det" -k "$k" --bag "$k" &&
			expect "hids $det k=$k" auc eq 1
	done
done

echo "== ADFA-LD (833 train, 2186 normal, 504 attack traces)"
# DESIGN.md reference AUCs of plain STIDE and BoSC, less 0.005.
for ref in stide:3:0.693 stide:6:0.775 stide:10:0.765 \
	   bosc:3:0.679 bosc:6:0.673 bosc:10:0.762; do
	det=${ref%%:*}
	k=${ref#*:}
	k=${k%%:*}
	floor=${ref##*:}
	adfa "adfa $det k=$k" --detector "$det" -k "$k" --bag "$k" &&
		expect "adfa $det k=$k" auc ge "$floor"
done
# The default configuration: at least the best plain STIDE reference.
if adfa "adfa default (combo)"; then
	expect "adfa default" auc ge 0.780
	expect "adfa default" dr_at_fpr5 ge 0.20
	# Every attack run has a trace over the 5%-FPR threshold.
	expect "adfa default" runs_dr_at_fpr5 eq 1
fi
if [ "$fail" != 0 ]; then
	echo "eval: $fail failure(s)"
	exit 1
fi
echo "eval: all figures at or above their floors"
