"""Benchmark `tender risk` on the example: N samples on 1 and 2 local workers (and Ray, with --ray).

Usage: .venv/bin/python bench/bench_risk.py [--samples 1000] [--repeats 1] [--ray 127.0.0.1:6379]
Baseline, measured in the same run: one `tender plan` of the example (a sample is one such re-plan).
Each configuration is its own `tender risk` process (wall clock, including start-up and the
deterministic plan); the JSONs of all configurations must be byte-identical (checked).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "frontier-lab.yaml"
TENDER = str(Path(sys.executable).parent / "tender")


def _timed(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([TENDER, *args], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--ray", default=None)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        plan_s = statistics.median(
            _timed(["plan", str(EXAMPLE), "--quiet", "--json", f"{tmp}/p.json"]) for _ in range(a.repeats)
        )
        configs = [("1 worker", ["--workers", "1"]), ("2 workers", ["--workers", "2"])]
        if a.ray:
            configs.append((f"Ray {a.ray}", ["--ray", a.ray]))
        rows, outputs = [], []
        for name, extra in configs:
            out = f"{tmp}/{len(outputs)}.json"
            base = ["risk", str(EXAMPLE), "--samples", str(a.samples), "--seed", "1", "--json", out]
            secs = statistics.median(_timed([*base, *extra]) for _ in range(a.repeats))
            outputs.append(Path(out).read_bytes())
            rows.append((name, secs))
        identical = all(o == outputs[0] for o in outputs)
    print(
        f"baseline: tender plan of the example {plan_s:.2f} s; samples {a.samples}; JSON identical: {identical}"
    )
    print("| run | seconds | samples/s | seconds per sample / plan seconds | speed-up vs 1 worker |")
    print("|---|---:|---:|---:|---:|")
    for name, secs in rows:
        print(
            f"| {name} | {secs:.1f} | {a.samples / secs:.2f} | {secs / a.samples / plan_s:.2f} | {rows[0][1] / secs:.2f} |"
        )


if __name__ == "__main__":
    main()
