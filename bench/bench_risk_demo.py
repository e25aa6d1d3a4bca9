"""`make demo`'s study: where its CPU goes, and its wall and CPU time against a baseline checkout.

Usage: .venv/bin/python bench/bench_risk_demo.py --phases [--eval-samples 200]
       .venv/bin/python bench/bench_risk_demo.py --baseline-src /tmp/base/src [--repeats 3]
                                                 [--eval-samples 200] [--samples 10] [--workers 2]
1. `--phases`: the demo's study in this process, one worker, one phase after the other (CPU seconds,
   `time.process_time`, and wall): load, the deterministic plan, the robust plan (K = `--samples`, the
   extensive form), the fresh samples (`study.study_group` per future, with the re-plans counted and
   timed by kind: EEV (deterministic first stage), RP (robust) and WS (wait-and-see), and the first
   passes they solved, `risk.passes`, where the code has it), the hedge, the
   tornado, the JSON and report; then VSS / EVPI and the JSON's SHA-256. It imports whatever `tender`
   is first on `PYTHONPATH`, so it profiles a baseline checkout too;
2. otherwise: `tender plan examples/frontier-lab.yaml --robust --samples K --eval-samples N --workers
   W --json ... --report ...` as its own process, `--repeats` times per code, alternating baseline and
   this checkout's `src` (or `--src`, e.g. a `git archive` of a commit; `PYTHONPATH=<src>`, ABBA order so a drift in the machine's load hits both alike):
   wall seconds, CPU seconds of the process and its pool's workers (`RUSAGE_CHILDREN`), the CPU
   seconds of a fixed pure-Python calibration just before (the host's speed moves), load average
   before and after; medians per code; the JSON and HTML of every run compared byte for byte.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "frontier-lab.yaml"
TENDER = [sys.executable, "-c", "import sys; from tender.cli.entry import main; sys.exit(main())"]


def _timed(label: str, fn: Callable[[], Any]) -> Any:
    c, w = time.process_time(), time.perf_counter()
    out = fn()
    print(f"| {label} | {time.process_time() - c:.2f} | {time.perf_counter() - w:.2f} |", flush=True)
    return out


def phases(samples: int, eval_samples: int) -> None:
    """Step 1."""
    from tender.config.load import load_scenario
    from tender.plan_output.risk_json import study_to_json
    from tender.plan_output.risk_study_report import study_report_html
    from tender.sourcing import PlanOptions, plan
    from tender.sourcing.risk import study
    from tender.sourcing.risk.first_stage import of_plan
    from tender.sourcing.risk.robust import solve_robust
    from tender.sourcing.risk.stats import summarize
    from tender.sourcing.risk.tornado import tornado

    print(f"load average {os.getloadavg()[0]:.2f}; tender from {Path(study.__file__).parents[3]}")
    print("| phase | CPU s | wall s |\n|---|---:|---:|")
    sc = _timed("load the scenario", lambda: load_scenario(str(EXAMPLE)))
    opts, seed = PlanOptions(), 0
    run_ids = tuple(r.id for r in sc.training_runs)
    det = _timed("deterministic plan", lambda: of_plan(plan(sc, opts), run_ids, book=True))
    robust = _timed(f"robust plan, K = {samples}", lambda: solve_robust(sc, det, seed, samples, opts))
    cpu: dict[str, float] = defaultdict(float)
    count: dict[str, int] = defaultdict(int)
    real_eval, real_ws = study.evaluate_draw, study.wait_and_see

    def counted(kind: Callable[..., str], fn: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kw: Any) -> Any:
            c = time.process_time()
            out = fn(*args, **kw)
            cpu[kind(*args)] += time.process_time() - c
            count[kind(*args)] += 1
            return out

        return call

    try:  # the first passes solved (this checkout; a baseline without `risk.passes` solves one per re-plan)
        from tender.sourcing.risk import passes

        real_first = passes.first_pass
        passes.first_pass = counted(lambda *_a: "first passes", real_first)  # type: ignore[assignment]
    except ImportError:
        pass
    stage_kind = lambda _sc, first, *_a: "EEV" if first is det else "RP"  # noqa: E731
    study.evaluate_draw = counted(stage_kind, real_eval)  # type: ignore[assignment]
    study.wait_and_see = counted(lambda *_a: "WS", real_ws)  # type: ignore[assignment]
    batches = study.study_batches(sc, seed, eval_samples)

    def fresh() -> list[Any]:
        found: dict[int, Any] = {}
        for b in batches:
            found.update(zip(b, study.study_group(sc, det, robust.first, seed, b, opts), strict=True))
        return [found[i] for i in range(eval_samples)]

    try:
        triples = _timed(f"{eval_samples} fresh samples ({len(batches)} futures)", fresh)
    finally:
        study.evaluate_draw, study.wait_and_see = real_eval, real_ws  # type: ignore[assignment]
    for kind in ("EEV", "RP", "WS"):
        print(f"| - {kind}: {count[kind]} re-plans | {cpu[kind]:.2f} | |")
    if "first passes" in count:
        print(f"| - first passes solved: {count['first passes']} | (in the above) | |")
    m = study.measures(triples)
    hedged = _timed("hedge (2 re-plans, plan profile)", lambda: study.hedge(sc, det, robust.first, opts))
    bars = _timed("tornado of the robust plan", lambda: tornado(sc, robust.first, opts))
    fleets = tuple(f.id for f in sc.fleets)
    pair = tuple(
        summarize(name, [getattr(t, name) for t in triples], fleets, run_ids, sc.horizon)
        for name in ("deterministic", "robust")
    )
    doc = _timed(
        "JSON and report",
        lambda: (
            study_to_json(sc, seed, pair, m, robust, hedged, bars),  # type: ignore[arg-type]
            study_report_html(sc, seed, pair, triples, m, robust, hedged, bars),  # type: ignore[arg-type]
        ),
    )[0]
    print(f"total {time.process_time():.2f} CPU s in this process (imports included)")
    print(
        f"VSS {m.vss_usd:.2f}, EVPI {m.evpi_usd:.2f}, JSON sha256 {hashlib.sha256(doc.encode()).hexdigest()[:16]}"
    )


CALIBRATION = "sum(i * i for i in range(5_000_000))"  # fixed pure-Python work: the host's speed now


def _calibration() -> float:
    """CPU seconds of CALIBRATION in a fresh process (start-up included): a run's CPU seconds move
    with it (the same code took 83-104 CPU s within one hour here)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-c", CALIBRATION], check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _run(src: Path, out: Path, args: argparse.Namespace) -> dict[str, Any]:
    cmd = [
        *TENDER,
        "plan",
        str(EXAMPLE),
        "--robust",
        "--samples",
        str(args.samples),
        "--eval-samples",
        str(args.eval_samples),
        "--workers",
        str(args.workers),
        "--json",
        str(out / "risk.json"),
        "--report",
        str(out / "risk.html"),
    ]
    env = {**os.environ, "PYTHONPATH": str(src)}
    calibration = _calibration()
    load_before = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    files = ((out / "risk.json").read_bytes(), (out / "risk.html").read_bytes())
    load = (load_before, os.getloadavg()[0])
    return {"wall": wall, "cpu": cpu, "load": load, "files": files, "calibration": calibration}


def compare(args: argparse.Namespace) -> None:
    """Step 2."""
    codes = {"baseline": Path(args.baseline_src).resolve(), "this checkout": Path(args.src).resolve()}
    order = [name for r in range(args.repeats) for name in (list(codes) if r % 2 == 0 else list(codes)[::-1])]
    runs: dict[str, list[dict[str, Any]]] = defaultdict(list)
    print(
        f"`plan --robust --samples {args.samples} --eval-samples {args.eval_samples} --workers {args.workers}`"
    )
    print(
        "| run | code | wall s | CPU s | calibration CPU s | load before / after |\n|---:|---|---:|---:|---:|---|"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for n, name in enumerate(order):
            out = Path(tmp) / str(n)
            out.mkdir()
            r = _run(codes[name], out, args)
            runs[name].append(r)
            print(
                f"| {n + 1} | {name} | {r['wall']:.1f} | {r['cpu']:.1f} | {r['calibration']:.3f} "
                f"| {r['load'][0]:.2f} / {r['load'][1]:.2f} |",
                flush=True,
            )
    for name, rs in runs.items():
        print(
            f"{name}: median {statistics.median(r['wall'] for r in rs):.1f} s wall, "
            f"{statistics.median(r['cpu'] for r in rs):.1f} CPU s over {len(rs)} runs"
        )
    every = [r["files"] for rs in runs.values() for r in rs]
    print("JSON identical across all runs:", all(f[0] == every[0][0] for f in every))
    print("HTML identical across all runs:", all(f[1] == every[0][1] for f in every))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--phases", action="store_true", help="Step 1: the study's phases in this process.")
    ap.add_argument("--baseline-src", default=None, help="The src/ of the baseline checkout (step 2).")
    ap.add_argument("--src", default=str(ROOT / "src"), help="The code measured against the baseline.")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--samples", type=int, default=10, help="K, the robust plan's samples.")
    ap.add_argument("--eval-samples", type=int, default=200)
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    if a.phases:
        phases(a.samples, a.eval_samples)
    elif a.baseline_src:
        compare(a)
    else:
        ap.error("give --phases or --baseline-src")


if __name__ == "__main__":
    main()
