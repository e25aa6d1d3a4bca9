"""Benchmarks for `tender simulate` (not timed tests; results go to bench/README.md "## Simulate").

1. Full Philly replay (82,247 jobs) with fifo on 2,816 GPUs (one pool, and 11 per-VC pools):
   events/s, wall seconds, peak RSS. Baseline in the same run: a bare event-heap loop that pushes
   and pops the same number of events with no scheduling (the floor any replay pays).
2. las_het LP solve time per round at 256 / 512 / 1,024 active jobs on 36 V100 + 36 P100 + 36 K80
   (Gavel job types and throughputs, multi-GPU scale factors), median of 5 solves each.

    .venv/bin/python bench/bench_simulate.py
    .venv/bin/python bench/bench_simulate.py --baseline-src /tmp/A/src --baseline-src /tmp/B/src  # 3. only

3. With `--baseline-src` (repeatable): the full Philly replay (fifo, one pool) in child processes, this
   tree and each archived earlier commit alternating, median CPU seconds of `--runs` each, whether the
   results (summary, every job's start, finish and pools, the timeline) hash the same, and the load
   average before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from tender.placement import FairnessInput, Policy, PolicyName, solve_max_min
from tender.sim.events import Event, EventHeap, Kind
from tender.sim.experiments import run_trace, silence_highs_banner
from tender.sim.gavel import GavelWorkload
from tender.sim.pools import philly_pools
from tender.sim.traces import load_trace

HERE = Path(__file__).resolve().parent


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def heap_baseline(n: int) -> float:
    heap = EventHeap()
    t0 = time.perf_counter()
    for i in range(n):
        heap.push(Event(float(i % 1000), Kind.ARRIVAL, "x"))
    while len(heap):
        heap.pop()
    return time.perf_counter() - t0


def philly(per_vc: bool) -> None:
    t0 = time.perf_counter()
    trace = load_trace(per_vc=per_vc)  # per-VC: every job confined to its VC's pool
    load_s = time.perf_counter() - t0
    walls, events, rejected = [], 0, 0
    for _ in range(3):
        t0 = time.perf_counter()
        result = run_trace(trace.jobs, philly_pools(per_vc), Policy(PolicyName.FIFO))
        walls.append(time.perf_counter() - t0)
        events = result.summary["events_processed"]
        rejected = result.summary["jobs_rejected"]
    wall = statistics.median(walls)
    base = statistics.median(heap_baseline(events) for _ in range(3))
    label = "11 per-VC pools, jobs confined to their VC" if per_vc else "1 pool"
    print(
        f"philly fifo ({label}): {len(trace.jobs):,} jobs, {events:,} events, load {load_s:.2f} s, "
        f"replay median {wall:.2f} s of {[round(w, 2) for w in walls]}, {events / wall:,.0f} events/s; "
        f"heap-only baseline {base:.2f} s; peak RSS {peak_rss_mb():.0f} MB; {rejected} rejected; "
        f"avg JCT {result.summary['avg_jct_hours']} h, avg queue {result.summary['avg_queue_hours']} h"
    )


def lp(n: int) -> None:
    jobs = GavelWorkload(1.0, seed=0, multi_gpu=True).jobs()
    active = [next(jobs) for _ in range(n)]
    data = FairnessInput(
        job_ids=[j.id for j in active],
        gpus={j.id: j.gpus for j in active},
        weights={},
        rates={j.id: dict(j.throughput) for j in active},
        capacity={"v100": 36, "p100": 36, "k80": 36},
    )
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        solve_max_min(data)
        times.append(time.perf_counter() - t0)
    print(
        f"las_het LP at {n} active jobs: median {statistics.median(times) * 1000:.1f} ms (max {max(times) * 1000:.1f})"
    )


def philly_vs_baseline(baselines: list[Path], runs: int) -> None:
    """The full replay (fifo, one pool) from this tree and from each of `baselines` (archived src/ trees
    of earlier commits), alternating, each in a child process: median CPU seconds, the results' hash,
    and the load average before and after (the machine is shared)."""
    trees = [("current", HERE.parent / "src"), *((f"{b.parent.name}", b) for b in baselines)]
    cpu: dict[str, list[float]] = {label: [] for label, _ in trees}
    digest: dict[str, set[str]] = {label: set() for label, _ in trees}
    load_before = os.getloadavg()
    for _ in range(runs):
        for label, src in trees:
            env = {**os.environ, "PYTHONPATH": str(src)}
            done = subprocess.run(
                [sys.executable, str(HERE / "_philly_point.py")],
                capture_output=True,
                text=True,
                env=env,
                check=True,
            )
            row = json.loads(done.stdout.strip().splitlines()[-1])
            cpu[label].append(row["cpu_s"])
            digest[label].add(row["sha256"])
    load_after = os.getloadavg()
    now = statistics.median(cpu["current"])
    print(
        f"philly fifo (1 pool), CPU s, {runs} alternating runs per tree; load average (1/5/15 min) "
        f"before {'/'.join(f'{x:.2f}' for x in load_before)}, after {'/'.join(f'{x:.2f}' for x in load_after)}"
    )
    print(f"  current median {now:.2f} of {cpu['current']}")
    for label, _ in trees[1:]:
        before = statistics.median(cpu[label])
        same = digest["current"] == digest[label] and len(digest["current"]) == 1
        print(
            f"  {label} median {before:.2f} of {cpu[label]}: ratio {now / before:.2f}; same results: {same}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--baseline-src",
        type=Path,
        action="append",
        default=None,
        help="only the Philly replay, this tree vs this src/ (`git archive` of an earlier commit; repeatable)",
    )
    parser.add_argument("--runs", type=int, default=5, help="runs per side with --baseline-src")
    args = parser.parse_args()
    if args.baseline_src is not None:
        philly_vs_baseline(args.baseline_src, args.runs)
        return
    silence_highs_banner()
    philly(per_vc=False)
    philly(per_vc=True)
    for n in (256, 512, 1024):
        lp(n)


if __name__ == "__main__":
    main()
