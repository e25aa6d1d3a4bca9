"""Benchmark `tender compare examples/frontier-lab.yaml examples/regimes/*.yaml` (the issue's target:
under a minute on 2 cores, deterministic).

Usage: .venv/bin/python bench/bench_compare.py [--repeats 3] [--samples N]
Baseline, measured in the same run: one `tender plan` of the example (the comparison plans the base
and each of the five regimes: six such plans). Each run is its own process (wall clock, start-up
included); the JSONs of all repeats must be byte-identical (checked and printed). With `--samples N`
also `--samples N --seed 1` on 1 and 2 local workers (6 x N plans each), JSONs compared too.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "frontier-lab.yaml"
REGIMES = sorted(str(p) for p in (ROOT / "examples" / "regimes").glob("*.yaml"))
TENDER = str(Path(sys.executable).parent / "tender")


def _timed(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([TENDER, *args], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--samples", type=int, default=0)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        plans = [
            _timed(["plan", str(EXAMPLE), "--quiet", "--json", f"{tmp}/p.json"]) for _ in range(a.repeats)
        ]
        runs, outputs = [], []
        for i in range(a.repeats):
            out = f"{tmp}/c{i}.json"
            runs.append(_timed(["compare", str(EXAMPLE), *REGIMES, "--json", out]))
            outputs.append(Path(out).read_bytes())
        sampled, sampled_out = [], []
        for workers in (1, 2) if a.samples else ():
            out = f"{tmp}/s{workers}.json"
            extra = ["--samples", str(a.samples), "--seed", "1", "--workers", str(workers)]
            sampled.append((workers, _timed(["compare", str(EXAMPLE), *REGIMES, *extra, "--json", out])))
            sampled_out.append(Path(out).read_bytes())
    plan_s, compare_s = statistics.median(plans), statistics.median(runs)
    print(f"load average at the end: {os.getloadavg()[0]:.1f}; repeats {a.repeats}")
    print(f"JSON identical across repeats: {all(o == outputs[0] for o in outputs)}")
    print("| command | median s | min s | max s | / plan |")
    print("|---|---:|---:|---:|---:|")
    print(f"| tender plan (baseline) | {plan_s:.1f} | {min(plans):.1f} | {max(plans):.1f} | 1.0 |")
    print(
        f"| tender compare, base + {len(REGIMES)} regimes | {compare_s:.1f} | {min(runs):.1f} | {max(runs):.1f} "
        f"| {compare_s / plan_s:.1f} |"
    )
    for workers, secs in sampled:
        print(
            f"| tender compare --samples {a.samples}, {workers} worker(s) | {secs:.1f} | | | {secs / plan_s:.1f} |"
        )
    if sampled:
        print(f"sampled JSON identical on 1 and 2 workers: {sampled_out[0] == sampled_out[1]}")


if __name__ == "__main__":
    main()
