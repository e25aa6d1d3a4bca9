"""Benchmark the `tender` command's start-up (issue 18 item 9), every figure a ratio to
`python -c pass` measured in the same run.

Usage: .venv/bin/python bench/bench_startup.py [--repeats 9] [--plan-repeats 5] [--any-exit] [--against DIR]
(`PYTHONPATH=OTHER/src ... --any-exit` measures another checkout, e.g. one without `--version`;
`--against DIR` measures this tree and DIR's `src/` in alternating rounds of one run, e.g. DIR made by
`git archive BASE src | tar -x -C DIR`, and prints both, with `plan`'s wall minus its solve.)

1. Each round runs, in turn, `python -c pass`, `tender --help`, `tender --version`,
   `tender validate examples/minimal.yaml` and (every round up to --plan-repeats)
   `tender plan examples/frontier-lab.yaml --timings --json TMP`, each as a fresh process (wall time
   from outside, `time.perf_counter` around `subprocess.run`); interleaving keeps a drift of the
   machine's speed out of the ratios.
2. Per round: each command's wall / that round's `python -c pass` wall; plan: its wall /
   (its own `solve_seconds` from the JSON + that round's `tender --help` wall, the start-up), and
   `plan_vs_load`: its wall / (`solve_seconds` + that round's `tender validate` wall, the start-up
   with the scenario loaded).
3. Prints the medians (and min-max) and the targets: help and version < 10x, validate < 20x,
   plan < 1.5x.

Bytecode is cached as an installed package has it (PYTHONDONTWRITEBYTECODE is dropped; the cache goes to
a temporary PYTHONPYCACHEPREFIX, filled by one warm-up run of each command): without it every run
compiles Tender's sources again, which is not what a user's `tender` does.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
TENDER = (
    [str(Path(PYTHON).parent / "tender")]
    if (Path(PYTHON).parent / "tender").exists()
    else [PYTHON, "-m", "tender.cli"]
)
TARGETS = {"help": 10.0, "version": 10.0, "validate": 20.0, "plan": 1.5, "plan_vs_load": 1.5}


ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
ANY_EXIT = "--any-exit" in sys.argv


def wall(argv: list[str]) -> float:
    started = time.perf_counter()
    proc = subprocess.run(argv, cwd=ROOT, env=ENV, capture_output=True, timeout=600)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0 and not ANY_EXIT:
        raise SystemExit(f"{' '.join(argv)}: exit {proc.returncode}\n{proc.stderr.decode()[-2000:]}")
    return elapsed


def one_round(plan_json: Path | None) -> dict[str, float]:
    """One round of every command (step 1), with its ratios (step 2)."""
    base = wall([PYTHON, "-c", "pass"])
    walls = {
        "base": base,
        "help": wall([*TENDER, "--help"]),
        "version": wall([*TENDER, "--version"]),
        "validate": wall([*TENDER, "validate", "examples/minimal.yaml"]),
    }
    row = {name: walls[name] / base for name in ("help", "version", "validate")} | {
        f"{name}_s": seconds for name, seconds in walls.items()
    }
    if plan_json is not None:
        plan_s = wall([*TENDER, "plan", "examples/frontier-lab.yaml", "--timings", "--json", str(plan_json)])
        solve_s = float(json.loads(plan_json.read_text())["solve_seconds"])
        row |= {
            "plan": plan_s / (solve_s + walls["help"]),
            "plan_vs_load": plan_s / (solve_s + walls["validate"]),
            "plan_s": plan_s,
            "solve_s": solve_s,
            "plan_minus_solve_s": plan_s - solve_s,
        }
    return row


def tree_round(src: str | None, plan_json: Path | None) -> dict[str, float]:
    """`one_round` with `src` (a tree's `src/`) first on PYTHONPATH, or as installed (None)."""
    saved = ENV.get("PYTHONPATH")
    if src is not None:
        ENV["PYTHONPATH"] = src
    try:
        return one_round(plan_json)
    finally:
        if saved is None:
            ENV.pop("PYTHONPATH", None)
        else:
            ENV["PYTHONPATH"] = saved


def summary(title: str, rows: list[dict[str, float]]) -> None:
    """Step 3 for one tree's rounds."""
    print(title)
    for name in ("base_s", "help_s", "version_s", "validate_s", "plan_s", "solve_s", "plan_minus_solve_s"):
        values = [r[name] for r in rows if name in r]
        print(f"  {name:<18} {statistics.median(values):8.3f} s  [{min(values):.3f} - {max(values):.3f}]")
    for name, target in TARGETS.items():
        values = [r[name] for r in rows if name in r]
        median = statistics.median(values)
        verdict = "met" if median < target else "NOT met"
        print(
            f"  {name:<18} {median:8.2f} x  [{min(values):.2f} - {max(values):.2f}]  target < {target}x: {verdict}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9, help="rounds of the short commands")
    parser.add_argument("--plan-repeats", type=int, default=5, help="rounds that also run the plan")
    parser.add_argument("--any-exit", action="store_true", help="time commands that fail too")
    parser.add_argument("--against", type=Path, help="another tree, measured in alternating rounds")
    args = parser.parse_args()
    trees: dict[str, str | None] = {"this tree": None}
    if args.against is not None:
        trees[f"against {args.against}"] = str(args.against.resolve() / "src")
    rows: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
    with tempfile.TemporaryDirectory() as tmp:
        ENV["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        for src in trees.values():
            tree_round(src, Path(tmp) / "plan.json")  # warm-up: the file cache and the bytecode
        for i in range(args.repeats):
            for name, src in trees.items():
                plan_json = Path(tmp) / "plan.json" if i < args.plan_repeats else None
                rows[name].append(tree_round(src, plan_json))
    print(f"{args.repeats} rounds ({args.plan_repeats} with the plan); medians, [min - max]")
    for name in trees:
        summary(name, rows[name])


if __name__ == "__main__":
    main()
