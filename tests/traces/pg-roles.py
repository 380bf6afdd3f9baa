#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Late-new STIDE windows of a PostgreSQL recording by process role.

  pg-roles.py TRACE.ftrace.zst DUMP [END_SECONDS]

DUMP is what `replay --dump` wrote for TRACE. A process is the postmaster
(the one that exec'd bin/postgres), an auxiliary process (its children
forked within 0.1 s of the first one and living over 100 s: checkpointer,
background writer, WAL writer, autovacuum and logical replication
launchers), a backend (any other child living over 50 s: a pgbench
connection), an autovacuum worker (a child forked after 5 s that lives
less), or something else. Windows after END_SECONDS (the shutdown) are
left out. Each role is followed by its windows' causes as categorize.py
sorts them.
"""
import collections
import importlib.util
import os
import re
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    "categorize", os.path.join(here, "categorize.py"))
cat = importlib.util.module_from_spec(spec)
spec.loader.exec_module(cat)

EV = re.compile(r'-(\d+)\s+\[\d+\]\s+([\d.]+): (\w+): (.*)')


def main():
    trace, dump = sys.argv[1], sys.argv[2]
    end = float(sys.argv[3]) if len(sys.argv) > 3 else float("inf")
    t0 = None
    born, died, parent, execd = {}, {}, {}, {}
    with subprocess.Popen(["zstd", "-dc", trace], stdout=subprocess.PIPE,
                          text=True, errors="replace") as p:
        for line in p.stdout:
            m = EV.search(line)
            if not m:
                continue
            if t0 is None:
                t0 = float(m.group(2))
            ev = m.group(3)
            if not ev.startswith("sched_process_"):
                continue
            pid, t, rest = int(m.group(1)), float(m.group(2)) - t0, m.group(4)
            if ev == "sched_process_fork":
                c = int(re.search(r"child_pid=(\d+)", rest).group(1))
                born[c], parent[c] = t, pid
            elif ev == "sched_process_exec":
                execd[pid] = rest.split()[0]
            elif ev == "sched_process_exit":
                died[pid] = t
    pm = [q for q, f in execd.items() if f.endswith("bin/postgres")][0]
    kids = sorted((c for c in born if parent[c] == pm), key=born.get)

    def role(pid):
        if pid == pm:
            return "postmaster"
        if parent.get(pid) != pm:
            return "other (launcher)"
        life = died.get(pid, float("inf")) - born[pid]
        if born[pid] - born[kids[0]] < 0.1 and life > 100:
            return "auxiliary"
        if life > 50:
            return "backend"
        if born[pid] > 5:
            return "autovacuum worker"
        return "other (startup)"

    by = collections.Counter()
    causes = collections.defaultdict(collections.Counter)
    n = 0
    with open(dump) as f:
        for line in f:
            parts = line.split()
            if len(parts) < 4 or float(parts[0]) > end:
                continue
            r = role(int(parts[2]))
            by[r] += 1
            causes[r][cat.cause([cat.parse(t) for t in parts[3:]])] += 1
            n += 1
    print(f"{dump}: {n} late-new STIDE windows up to {end} s")
    for r, k in by.most_common():
        print(f"  {k:5d} {100.0 * k / max(n, 1):5.1f}%  {r}: " +
              ", ".join(f"{c} {v}" for c, v in causes[r].most_common()))


if __name__ == "__main__":
    main()
