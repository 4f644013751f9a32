#!/usr/bin/env python3
"""CPU time of running JVMs (Kvorum nodes) per kind of thread, over a window of load.

    tools/thread-cpu.py SECONDS PID...       e.g. tools/thread-cpu.py 10 $(pgrep -f 'kvorum.jar')

Prints the share of one core each kind of thread used during SECONDS, summed over the PIDs:
Ratis's apply threads (StateMachineUpdater), log workers (SegmentedRaftLogWorker), the RESP
event loops, gRPC, the JIT and so on. Thread names come from `jstack` (the kernel keeps only 15
characters, which cuts every slot group's thread to the same prefix); group ids and numbers are
folded so that the 16 groups' apply threads count as one line. Why it exists: the README's
breakdowns of where the CPU goes under a benchmark are taken with it, and async-profiler's
sampled shares do not say how much of the machine a thread kind used in absolute terms.

Standard library only, plus `jstack` from the JDK that runs the nodes.
"""
import collections
import os
import re
import subprocess
import sys
import time


def thread_names(pid):
    """Native thread id -> Java thread name, from jstack's nid=0x… fields."""
    out = subprocess.run(["jstack", pid], capture_output=True, text=True, check=False).stdout
    return {str(int(m.group(2), 16)): m.group(1)
            for m in re.finditer(r'^"([^"]+)".*? nid=(0x[0-9a-f]+)', out, re.M)}


def cpu_ticks(pids, names):
    """(pid, tid) -> (name, utime + stime in clock ticks)."""
    ticks = {}
    for pid in pids:
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{tid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                with open(f"/proc/{pid}/task/{tid}/comm") as f:
                    comm = f.read().strip()
            except OSError:
                continue  # the thread ended meanwhile
            ticks[(pid, tid)] = (names[pid].get(tid, comm), int(fields[11]) + int(fields[12]))
    return ticks


def kind(name):
    name = re.sub(r"[0-9a-f-]{20,}@group-[0-9A-F]+", "<group>", name)
    name = re.sub(r"^[0-9a-f-]{20,}", "<node>", name)
    return re.sub(r"\d+", "N", name)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    seconds, pids = float(sys.argv[1]), sys.argv[2:]
    names = {pid: thread_names(pid) for pid in pids}
    before = cpu_ticks(pids, names)
    time.sleep(seconds)
    after = cpu_ticks(pids, names)
    hz = os.sysconf("SC_CLK_TCK")
    per_kind = collections.Counter()
    for key, (name, t) in after.items():
        per_kind[kind(name)] += t - before.get(key, (name, 0))[1]
    total = sum(per_kind.values())
    print(f"{100 * total / hz / seconds:6.1f}% of one core in total, {len(pids)} process(es)")
    for k, t in per_kind.most_common(20):
        if t:
            print(f"{100 * t / hz / seconds:6.1f}%  {k}")


if __name__ == "__main__":
    main()
