#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""When does each (program, system call) pair first occur in a recording?

Reads an ftrace recording of record-*.sh (TRACER=ftrace) on standard input:

    zstdcat OUT/r3/nginx.ftrace.zst | tests/traces/call-pairs.py

A pid's program is the base name of its last exec, inherited at fork (the
comm field of ftrace's lines is often "<...>"). Prints the trace's length,
the number of distinct pairs, and the pairs first seen after 30 s and in
the second half of the trace, leaving out its last 5 s (the scripts stop
the servers there). A pair first seen late is normal behaviour that a rule
"a call this program never made in training" would alert on.
"""
import re
import sys

EVENT = re.compile(r"^\s*.+?-(\d+)\s+\[\d+\]\s+(\d+\.\d+): (\w+): (.*)$")


def fields(rest):
    return dict(f.split("=", 1) for f in rest.split() if "=" in f)


def main():
    prog = {}
    first = {}
    t0 = t_end = None
    for line in sys.stdin:
        m = EVENT.match(line)
        if not m:
            continue
        pid, t, event, rest = int(m.group(1)), float(m.group(2)), m.group(3), m.group(4)
        if t0 is None:
            t0 = t
        t_end = t
        if event == "sys_enter":
            pair = (prog.get(pid, "?"), int(rest.split()[1]))
            first.setdefault(pair, t - t0)
        elif event == "sched_process_fork":
            f = fields(rest)
            prog[int(f["child_pid"])] = prog.get(int(f["pid"]), f["comm"])
        elif event == "sched_process_exec":
            f = fields(rest)
            prog[int(f["pid"])] = f["filename"].rsplit("/", 1)[-1]
    if t0 is None:
        sys.exit("call-pairs: no ftrace event on standard input")
    length = t_end - t0
    print(f"{length:.0f} s, {len(first)} (program, call) pairs")
    for label, start in (("after 30 s", 30.0), ("in the second half", length / 2)):
        late = sorted((t, p) for p, t in first.items() if start <= t < length - 5)
        print(f"  first seen {label} (to the last 5 s): {len(late)}")
        for t, (name, nr) in late:
            print(f"    {t:7.1f} s  {name} {nr}")


if __name__ == "__main__":
    main()
