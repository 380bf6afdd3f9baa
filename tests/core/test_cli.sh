#!/bin/sh
# Tests of the offline commands on small hand-made traces.
# Usage: test_cli.sh SA_OFFLINE   (a binary taking "learn ..." / "eval ...")
set -u
bin=${1:?usage: test_cli.sh BINARY}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
n=0

expect() {	# expect STATUS DESCRIPTION -- command...
	want=$1 desc=$2
	shift 3
	n=$((n + 1))
	"$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" != "$want" ]; then
		echo "FAIL: $desc: exit $got, want $want" >&2
		sed 's/^/  | /' "$tmp/err" >&2
		fail=$((fail + 1))
	fi
}

mkdir -p "$tmp/train/sub" "$tmp/normal" "$tmp/attack"
pattern="openat read fstat read close write"
for i in 1 2 3; do
	for r in $(seq 20); do
		for c in $pattern; do
			echo "$c(3, \"x\", 1) = 0"
		done
	done > "$tmp/train/sub/t$i"
done
cp "$tmp/train/sub/t1" "$tmp/normal/n1"
{
	head -30 "$tmp/train/sub/t1"
	echo "execve(\"/bin/sh\", [], 0x0) = 0"
	for r in $(seq 10); do
		echo "socket(AF_INET, SOCK_STREAM, 0) = 4"
		echo "connect(4, {}, 16) = 0"
		echo "dup2(4, 0) = 0"
	done
} > "$tmp/attack/a1"
: > "$tmp/train/empty"
printf '%%%%%%\n\001\002\n' > "$tmp/train/junk"

expect 2 "learn without -o" -- "$bin" learn "$tmp/train"
expect 2 "learn without paths" -- "$bin" learn -o "$tmp/p"
expect 2 "learn bad k" -- "$bin" learn -k 2 -o "$tmp/p" "$tmp/train"
expect 2 "learn bad option" -- "$bin" learn --bogus -o "$tmp/p" "$tmp/train"
expect 2 "learn bad format" -- "$bin" learn --format xml -o "$tmp/p" \
	"$tmp/train"
expect 1 "learn missing path" -- "$bin" learn -o "$tmp/p" "$tmp/nope"
grep -q '^sysanomctl: ' "$tmp/err" || {
	echo "FAIL: error not prefixed with sysanomctl:" >&2
	fail=$((fail + 1))
}
expect 1 "learn only empty input" -- "$bin" learn -o "$tmp/p" \
	"$tmp/train/empty"
expect 0 "learn" -- "$bin" learn -o "$tmp/p" "$tmp/train"
grep -q 'learnt 3 traces' "$tmp/out" || {
	echo "FAIL: learn summary: $(cat "$tmp/out")" >&2
	fail=$((fail + 1))
}
grep -q 'empty file' "$tmp/err" && grep -q 'junk' "$tmp/err" || {
	echo "FAIL: no warning for the empty and garbage files" >&2
	fail=$((fail + 1))
}
[ "$(head -c 6 "$tmp/p")" = SAPROF ] || {
	echo "FAIL: profile magic" >&2
	fail=$((fail + 1))
}
expect 2 "eval without attack" -- "$bin" eval --train "$tmp/train" \
	--normal "$tmp/normal"
expect 2 "eval path before group" -- "$bin" eval "$tmp/train"
expect 0 "eval" -- "$bin" eval --detector stide --train "$tmp/train" \
	--normal "$tmp/normal" --attack "$tmp/attack" --json
cp "$tmp/out" "$tmp/json1"
for key in auc dr_at_fpr5 fpr dr profile_entries growth_slope; do
	grep -q "\"$key\":" "$tmp/json1" || {
		echo "FAIL: JSON lacks $key" >&2
		fail=$((fail + 1))
	}
done
grep -q '"auc":1.000000' "$tmp/json1" && grep -q '"dr":1.000000' \
	"$tmp/json1" && grep -q '"fpr":0.000000' "$tmp/json1" || {
	echo "FAIL: separable toy case not separated: $(cat "$tmp/json1")" >&2
	fail=$((fail + 1))
}
# The exported profile gives the same answers as training in place.
expect 0 "eval --profile" -- "$bin" eval --detector stide --profile "$tmp/p" \
	--normal "$tmp/normal" --attack "$tmp/attack" --json
sed 's/"train_traces":[0-9]*,//; s/"folds":[0-9]*,"fp_budget":[0-9]*,//; s/"cv_held_out":[0-9]*,"cv_at_ceiling":[0-9]*,//' "$tmp/json1" > "$tmp/a"
sed 's/"train_traces":[0-9]*,//; s/"folds":[0-9]*,"fp_budget":[0-9]*,//; s/"cv_held_out":[0-9]*,"cv_at_ceiling":[0-9]*,//' "$tmp/out" > "$tmp/b"
cmp -s "$tmp/a" "$tmp/b" || {
	echo "FAIL: --profile and --train disagree" >&2
	fail=$((fail + 1))
}
# A corrupt profile is refused with a message.
cp "$tmp/p" "$tmp/bad"
printf 'X' | dd of="$tmp/bad" bs=1 seek=70 conv=notrunc 2>/dev/null
expect 1 "eval corrupt profile" -- "$bin" eval --profile "$tmp/bad" \
	--normal "$tmp/normal" --attack "$tmp/attack"
grep -q 'not a valid profile' "$tmp/err" || {
	echo "FAIL: corrupt profile message: $(cat "$tmp/err")" >&2
	fail=$((fail + 1))
}
expect 0 "eval text" -- "$bin" eval --detector bosc --bag 4 --train \
	"$tmp/train" --normal "$tmp/normal" --attack "$tmp/attack"
grep -q '^AUC 1.0000' "$tmp/out" || {
	echo "FAIL: text summary: $(cat "$tmp/out")" >&2
	fail=$((fail + 1))
}
# Attack runs are folders: one run detected, one that looks normal.
mkdir -p "$tmp/runs/r1" "$tmp/runs/r2"
cp "$tmp/attack/a1" "$tmp/runs/r1/a"
cp "$tmp/attack/a1" "$tmp/runs/r1/b"
cp "$tmp/normal/n1" "$tmp/runs/r2/a"
expect 0 "eval runs" -- "$bin" eval --detector stide --train "$tmp/train" \
	--normal "$tmp/normal" --attack "$tmp/runs" --json
grep -q '"attack_runs":2,"runs_dr_at_fpr5":0.500000' "$tmp/out" || {
	echo "FAIL: attack runs: $(cat "$tmp/out")" >&2
	fail=$((fail + 1))
}
# Streams as the module keeps them: a handler's calls are a stream of their
# own and the interrupted stream resumes intact; a successful exec starts a
# fresh stream. Both test traces match training only if the feeder does so.
mkdir -p "$tmp/st/train" "$tmp/st/normal"
pat() {	# pat N: N rounds of the training pattern
	for r in $(seq "$1"); do
		for c in $pattern; do
			echo "$c(3, \"x\", 1) = 0"
		done
	done
}
pat 20 > "$tmp/st/train/p"
{
	echo 'getpid() = 7'
	echo '--- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_USER} ---'
	echo 'kill(7, SIGUSR2) = 0'
	echo 'rt_sigreturn({mask=[]}) = 0'
	echo 'execve("/bin/true", ["true"], 0x0) = 0'
	echo 'brk(NULL) = 0x1000'
	echo 'getuid() = 0'
	echo 'exit_group(0) = ?'
} > "$tmp/st/train/h"
{
	pat 5
	echo '--- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_USER} ---'
	echo 'kill(7, SIGUSR2) = 0'
	echo 'rt_sigreturn({mask=[]}) = 0'
	pat 5
} > "$tmp/st/normal/sig"
{
	pat 5
	echo 'execve("/bin/true", ["true"], 0x0) = 0'
	echo 'brk(NULL) = 0x1000'
	echo 'getuid() = 0'
	echo 'exit_group(0) = ?'
} > "$tmp/st/normal/exec"
expect 0 "eval signal and exec streams" -- "$bin" eval --json \
	--detector stide --train "$tmp/st/train" --normal "$tmp/st/normal" \
	--attack "$tmp/attack"
for t in sig exec; do
	# sig: no mismatch at all; exec: only the window ending at execve.
	want=0
	[ $t = exec ] && want=1
	grep -q "\"trace\":\"[^\"]*/normal/$t\",\"label\":\"normal\",[^}]*\"max_lfc\":$want," \
		"$tmp/out" || {
		echo "FAIL: $t stream not kept apart: $(cat "$tmp/out")" >&2
		fail=$((fail + 1))
	}
done
# learn: cross-validated thresholds are printed and stored.
expect 0 "learn calibrated" -- "$bin" learn --folds 3 --margin 50 \
	-o "$tmp/pc" "$tmp/train"
grep -q '^thresholds (cross-validated): combo 144, lfc 12, epoch 20, margin 50%' \
	"$tmp/out" && grep -q '3 folds of 3 files' "$tmp/out" || {
	echo "FAIL: learn calibration summary: $(cat "$tmp/out")" >&2
	fail=$((fail + 1))
}
expect 0 "eval calibrated profile" -- "$bin" eval --json --profile \
	"$tmp/pc" --normal "$tmp/normal" --attack "$tmp/attack"
grep -q '"combo_threshold":144,' "$tmp/out" &&
	grep -q '"calibration":"cv","margin":50,' "$tmp/out" || {
	echo "FAIL: learnt thresholds not stored: $(cat "$tmp/out")" >&2
	fail=$((fail + 1))
}
# An explicit threshold wins over the learnt one; --no-calibrate keeps
# the defaults; -q prints nothing.
expect 0 "eval given threshold" -- "$bin" eval --json --profile "$tmp/pc" \
	--combo-threshold 100 --normal "$tmp/normal" --attack "$tmp/attack"
grep -q '"combo_threshold":100,' "$tmp/out" || {
	echo "FAIL: given threshold ignored: $(cat "$tmp/out")" >&2
	fail=$((fail + 1))
}
expect 0 "learn --no-calibrate" -- "$bin" learn --no-calibrate -o "$tmp/pn" \
	"$tmp/train"
grep -q '^thresholds (not calibrated): combo 216, lfc 17, epoch 10' \
	"$tmp/out" || {
	echo "FAIL: --no-calibrate: $(cat "$tmp/out")" >&2
	fail=$((fail + 1))
}
expect 0 "learn -q" -- "$bin" learn -q -o "$tmp/pq" "$tmp/train"
[ ! -s "$tmp/out" ] || {
	echo "FAIL: learn -q printed: $(cat "$tmp/out")" >&2
	fail=$((fail + 1))
}
expect 2 "learn --folds 1" -- "$bin" learn --folds 1 -o "$tmp/p1" "$tmp/train"
echo "test_cli: $n commands, $fail failures"
[ "$fail" = 0 ]
