#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Sorts the late-new STIDE windows of `replay --dump` by likely cause.

Each dump line: seconds window pid call1 ... callk, where a call is
[!]name[:ERRNO] ("!" = a signal handler was entered just before it).
A window gets the first cause that fits, in this order:

  signal      a handler was entered inside the window, or rt_sigreturn is
              in it (the handler's calls and return land anywhere)
  wait        wait4/waitid failing (ECHILD, EINTR), or any call
              interrupted (EINTR, ERESTART*)
  futex       futex in the window failing or repeated (lock retries)
  run         a run of 3 or more of the same call (loops whose length
              varies: read/write, rt_sigprocmask, futex, epoll_wait...)
  alternation a repeating pair a,b,a,b (read/write or poll/read loops)
  poll        an event-wait call (epoll_wait, poll, select...) or a call
              failing with EAGAIN (nothing ready yet: timing)
  other       none of these

Prints counts and shares per cause, and the most frequent windows of each,
then how many windows hold each call that lands at data- or timing-
dependent points (multi-label: a window may count under several).
"""
import collections
import sys

POLL = {"epoll_wait", "epoll_pwait", "epoll_pwait2", "poll", "ppoll",
        "select", "pselect6", "io_uring_enter"}
WAIT = {"wait4", "waitid"}


def parse(tok):
    sig = tok.startswith("!")
    if sig:
        tok = tok[1:]
    name, _, err = tok.partition(":")
    return name, err, sig


def cause(calls):
    names = [c[0] for c in calls]
    if any(c[2] for c in calls[1:]) or "rt_sigreturn" in names:
        return "signal"
    for name, err, _ in calls:
        if name in WAIT and err in ("ECHILD", "EINTR", "ERESTARTSYS"):
            return "wait"
        if err == "EINTR" or err.startswith("ERESTART"):
            return "wait"
    fut = [c for c in calls if c[0] == "futex"]
    if fut and (len(fut) > 1 or any(c[1] for c in fut)):
        return "futex"
    for i in range(len(names) - 2):
        if names[i] == names[i + 1] == names[i + 2]:
            return "run"
    for i in range(len(names) - 3):
        if (names[i] == names[i + 2] and names[i + 1] == names[i + 3] and
                names[i] != names[i + 1]):
            return "alternation"
    if any(n in POLL for n in names) or any(c[1] == "EAGAIN" for c in calls):
        return "poll"
    return "other"


def main():
    path = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    counts = collections.Counter()
    examples = collections.defaultdict(collections.Counter)
    n = 0
    holds = collections.Counter()
    marks = {
        "signal (! or rt_sigreturn)": lambda c: any(x[2] for x in c) or
        any(x[0] == "rt_sigreturn" for x in c),
        "brk/mmap/munmap": lambda c: any(x[0] in ("brk", "mmap", "munmap")
                                         for x in c),
        "futex": lambda c: any(x[0] == "futex" for x in c),
        "EAGAIN": lambda c: any(x[1] == "EAGAIN" for x in c),
        "EINTR/ERESTART*": lambda c: any(x[1] == "EINTR" or
                                         x[1].startswith("ERESTART")
                                         for x in c),
        "wait4/waitid": lambda c: any(x[0] in WAIT for x in c),
        "poll/epoll/select": lambda c: any(x[0] in POLL for x in c),
        "kill/tgkill": lambda c: any(x[0] in ("kill", "tgkill") for x in c),
        "pread64/pwrite64": lambda c: any(x[0] in ("pread64", "pwrite64")
                                          for x in c),
        "run of 3+": lambda c: any(c[i][0] == c[i + 1][0] == c[i + 2][0]
                                   for i in range(len(c) - 2)),
        "stream start (^)": lambda c: any(x[0] == "^" for x in c),
    }
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) < 4:
                continue
            calls = [parse(t) for t in parts[3:]]
            c = cause(calls)
            counts[c] += 1
            for m, fn in marks.items():
                if fn(calls):
                    holds[m] += 1
            examples[c][" ".join(parts[3:])] += 1
            n += 1
    print(f"{path}: {n} late-new STIDE windows")
    for c, k in counts.most_common():
        print(f"  {c:12s} {k:6d}  {100.0 * k / n:5.1f}%")
        for w, m in examples[c].most_common(top):
            print(f"      {m:5d}  {w}")
    if n:
        print("  windows holding:")
        for m in marks:
            print(f"    {m:28s} {holds[m]:6d}  {100.0 * holds[m] / n:5.1f}%")


if __name__ == "__main__":
    main()
