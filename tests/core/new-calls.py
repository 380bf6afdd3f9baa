#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""How many test traces make a system call their training set never made?

A measure of the rule "a call the profile never saw is an anomaly", on the
dev splits with the protocol of eval.sh (HIDS-Docker: train normal_0..6,
test normal_7..12 against exec_0..12; ADFA-LD: train Training_Data_Master,
test Validation_Data_Master against Attack_Data_Master). Neither data set
names the program of a call, so the set is the whole training's.

usage: new-calls.py DIR    (DIR: the data sets as datasets.sh extracts them)
"""
import glob
import os
import re
import sys

STRACE_CALL = re.compile(r"^(?:\[pid\s+\d+\]\s+)?([a-z_0-9]+)\(")


def strace_calls(path):
    with open(path, errors="replace") as f:
        return {m.group(1) for m in map(STRACE_CALL.match, f) if m}


def adfa_calls(path):
    with open(path) as f:
        return set(f.read().split())


def report(name, train, normals, attacks, calls):
    known = set()
    for t in train:
        known |= calls(t)
    fp = [t for t in normals if calls(t) - known]
    tp = [t for t in attacks if calls(t) - known]
    print(f"{name}: {len(known)} calls in training; a call never seen in "
          f"{len(fp)} of {len(normals)} test normals (FPR {len(fp) / len(normals):.3f}), "
          f"{len(tp)} of {len(attacks)} attacks (DR {len(tp) / len(attacks):.3f})")
    return tp


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip().splitlines()[-1])
    ds = sys.argv[1]
    h = os.path.join(ds, "hids-docker")
    report("HIDS-Docker",
           [f"{h}/normal/wordpress_normal_{i}" for i in range(7)],
           [f"{h}/normal/wordpress_normal_{i}" for i in range(7, 13)],
           [f"{h}/exec/wordpress_exec_{i}" for i in range(13)],
           strace_calls)
    a = os.path.join(ds, "adfa-ld")
    attacks = sorted(glob.glob(f"{a}/Attack_Data_Master/*/*.txt"))
    tp = report("ADFA-LD",
                glob.glob(f"{a}/Training_Data_Master/*.txt"),
                glob.glob(f"{a}/Validation_Data_Master/*.txt"),
                attacks, adfa_calls)
    runs = {os.path.basename(os.path.dirname(t)) for t in attacks}
    hit = {os.path.basename(os.path.dirname(t)) for t in tp}
    print(f"ADFA-LD attack runs with such a trace: {len(hit)} of {len(runs)}")


if __name__ == "__main__":
    main()
