"""Benchmark `tender risk` on the example: N samples on 1 and 2 local workers (and Ray, with --ray),
and `tender plan --robust` at several K (with --robust 10,30,100).

Usage: .venv/bin/python bench/bench_risk.py [--samples 1000] [--repeats 1] [--ray 127.0.0.1:6379]
                                            [--local 1,2] [--no-share] [--scenario PATH]
                                            [--baseline-src DIR --baseline-samples N]
       .venv/bin/python bench/bench_risk.py --robust 10,30,100 [--methods extensive,benders]
                                            [--eval-samples 40] [--workers 2]
       .venv/bin/python bench/bench_risk.py --growth S,M [--samples 20]
       .venv/bin/python bench/bench_risk.py --robust-growth S,M [--robust 10,30] [--limit 600]
Baseline, measured in the same run: one `tender plan` of the example (a sample is one such re-plan).
Each configuration is its own `tender risk` process (wall clock, including start-up and the
deterministic plan); the JSONs of all configurations must be byte-identical (checked). Sharing the
re-plans of equal futures is `tender risk`'s default; `--no-share` adds `--no-share-futures` (every
sample re-planned) to every configuration; each row reports how many samples were re-planned (the
line `tender risk` prints). `--baseline-src DIR` (e.g. main's `src`, from `git archive`) adds the
same local configurations run with that code first on PYTHONPATH (its own default flags), at
`--baseline-samples` samples (default `--samples`), for a code-against-code ratio in the same run
(seconds per sample; its JSONs are compared among themselves).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "frontier-lab.yaml"
TENDER = str(Path(sys.executable).parent / "tender")


CPU: list[float] = []  # CPU seconds of each `_timed` process and its children (pool workers)


REPLANNED: list[str] = []  # the "re-planned R of N samples" count of each `_timed` risk run


def _timed(args: list[str], src: Path | None = None) -> float:
    env = dict(os.environ, COLUMNS="200")
    if src is not None:
        env["PYTHONPATH"] = str(src)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([TENDER, *args], check=True, capture_output=True, text=True, env=env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    found = re.search(r"re-planned ([\d,]+) of", done.stdout)
    REPLANNED.append(found.group(1).replace(",", "") if found else "all")
    return time.perf_counter() - start


def robust(ks: list[int], methods: list[str], eval_samples: int, workers: int) -> None:
    """In-process: the deterministic plan (baseline), then per K and method (the extensive form, or
    Benders with its subproblems on `workers` processes) the solve (wall seconds, HiGHS's seconds,
    the SAA objective, status and gap) and its study on the same fresh samples (VSS and EVPI with
    their standard errors)."""
    from tender.cli.study_pool import SubproblemPool, run_study
    from tender.config import load_scenario
    from tender.domain import Scenario
    from tender.sourcing import NoSolution, PlanOptions, plan
    from tender.sourcing.risk.benders import Pool
    from tender.sourcing.risk.first_stage import of_plan
    from tender.sourcing.risk.robust import local_pool, solve_robust
    from tender.sourcing.risk.saa_sample import Protocol
    from tender.sourcing.risk.study import measures

    sc = load_scenario(str(EXAMPLE))
    options = PlanOptions(seed=0, time_limit_s=600.0)
    start = time.perf_counter()
    det = of_plan(plan(sc, options), tuple(r.id for r in sc.training_runs), book=True)
    plan_s = time.perf_counter() - start
    print(
        f"baseline: the deterministic plan in process {plan_s:.2f} s; fresh samples {eval_samples}, {workers} workers"
    )
    print(
        "| K | method | columns | status | iterations | gap | solve s (wall, CPU) | HiGHS s | / plan s "
        "| SAA objective | study s | VSS | SE of VSS | EVPI | SE |"
    )
    print("|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    pools: list[SubproblemPool] = []

    def pool(sc_: Scenario, proto: Protocol, seed: int, k: int, opts: PlanOptions) -> Pool:
        if workers <= 1:
            return local_pool(sc_, proto, seed, k, opts)
        pools.append(SubproblemPool(EXAMPLE, proto, seed, k, opts, workers))
        return pools[-1]

    for k in ks:
        for method in methods:
            start, cpu = time.perf_counter(), time.process_time()
            try:
                r = solve_robust(sc, det, 0, k, options, method, pool)
            except NoSolution as exc:
                print(
                    f"| {k} | {method} | no plan: {exc} after {time.perf_counter() - start:.0f} s |",
                    flush=True,
                )
                continue
            finally:
                for p in pools:
                    p.close()
                pools.clear()
            wall, cpu = time.perf_counter() - start, time.process_time() - cpu
            start = time.perf_counter()
            triples = run_study(
                EXAMPLE, sc, (det, r.first), 0, eval_samples, workers, options, lambda _n: None
            )
            study_s = time.perf_counter() - start
            m = measures(triples)
            print(
                f"| {k} | {r.method} | {r.columns:,} | {r.status} | {r.iterations} | {r.gap:.4f} | {wall:.1f} ({cpu:.1f} CPU) "
                f"| {r.seconds:.1f} | {wall / plan_s:.1f} | ${float(r.objective_usd) / 1e6:,.0f}M | {study_s:.0f} "
                f"| ${float(m.vss_usd) / 1e6:,.0f}M | ${float(m.vss_se_usd) / 1e6:,.0f}M "
                f"| ${float(m.evpi_usd) / 1e6:,.0f}M | ${float(m.evpi_se_usd) / 1e6:,.0f}M |",
                flush=True,
            )


def growth(sizes: list[str], samples: int) -> None:
    """In-process, one worker: bench_plan.py's synthetic scenario of each size with an on-demand
    multiplier band (0.8, 1, 1.3) and a delivery slip {p50: 0, p90: 2} on its first provider; the
    deterministic plan (baseline) and each sample's re-plan timed; the shared run's time is the sum
    over the samples `classes.resolve` re-plans (the same re-plans, timed in the same run)."""
    from tender.sourcing import PlanOptions, plan
    from tender.sourcing.risk.classes import batches, resolve
    from tender.sourcing.risk.evaluate import Outcome, evaluate
    from tender.sourcing.risk.first_stage import of_plan
    from tender.sourcing.risk.sampler import inputs, sample_seed

    print(f"samples per size: {samples}, seed 1, 1 worker, in process")
    print(
        "| size | plan s | median s per sample | / plan s | all samples s | distinct futures | re-plans shared | shared run s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for size in sizes:
        sc = _uncertain_synthetic(size)
        options = PlanOptions(seed=1, time_limit_s=600.0)
        start = time.perf_counter()
        first = of_plan(plan(sc, options), tuple(r.id for r in sc.training_runs))
        plan_s = time.perf_counter() - start
        secs: dict[int, float] = {}
        outs: dict[int, Outcome] = {}
        for i in range(samples):
            start = time.perf_counter()
            outs[i] = evaluate(sc, first, 1, i, options)
            secs[i] = time.perf_counter() - start
        used: list[int] = []

        def again(i, outs=outs, used=used):  # type: ignore[no-untyped-def]
            used.append(i)
            return outs[i]

        futures = batches(inputs(sc), 1, samples, True)
        for group in futures:
            resolve(group, lambda i: sample_seed(1, i), again)
        total = sum(secs.values())
        print(
            f"| {size} | {plan_s:.2f} | {statistics.median(secs.values()):.2f} "
            f"| {statistics.median(secs.values()) / plan_s:.2f} | {total:.1f} | {len(futures)} "
            f"| {samples - len(used)} | {sum(secs[i] for i in used):.1f} |",
            flush=True,
        )


def _uncertain_synthetic(size: str):  # type: ignore[no-untyped-def]
    """bench_plan.py's synthetic scenario of `size` with `growth`'s uncertainty (an on-demand band
    (0.8, 1, 1.3) and a delivery slip {p50: 0, p90: 2} on its first provider)."""
    from dataclasses import replace
    from decimal import Decimal

    sys.path.insert(0, str(ROOT / "bench"))
    from bench_plan import synthetic  # type: ignore[import-not-found]

    from tender.domain.uncertainty import Band, MonthsQuantiles, Uncertainty

    base = synthetic(size)
    u = Uncertainty(
        on_demand_multiplier=Band(Decimal("0.8"), Decimal("1"), Decimal("1.3")),
        delivery_slip_months={sorted(base.providers)[0]: MonthsQuantiles(0, 2)},
    )
    return replace(base, uncertainty=u)


def robust_growth(sizes: list[str], ks: list[int], limit_s: float) -> None:
    """In process, one worker: per size the deterministic plan, then per K `solve_robust` (method
    auto: the extensive form up to 100 samples) with a time limit per solve; no study."""
    from tender.sourcing import NoSolution, PlanOptions, plan
    from tender.sourcing.risk.first_stage import of_plan
    from tender.sourcing.risk.robust import solve_robust

    print(f"--robust growth, in process, 1 worker, seed 0, time limit {limit_s:.0f} s per solve")
    print("| size | K | plan s | columns | status | gap | solve s (wall, CPU) | HiGHS s | / plan s |")
    print("|---|---:|---:|---:|---|---:|---:|---:|---:|")
    for size in sizes:
        sc = _uncertain_synthetic(size)
        options = PlanOptions(seed=0, time_limit_s=limit_s)
        start = time.perf_counter()
        det = of_plan(plan(sc, options), tuple(r.id for r in sc.training_runs), book=True)
        plan_s = time.perf_counter() - start
        for k in ks:
            start, cpu = time.perf_counter(), time.process_time()
            try:
                r = solve_robust(sc, det, 0, k, options)
            except NoSolution as exc:
                print(
                    f"| {size} | {k} | {plan_s:.2f} | no plan: {exc} after {time.perf_counter() - start:.0f} s |"
                )
                continue
            wall, cpu = time.perf_counter() - start, time.process_time() - cpu
            print(
                f"| {size} | {k} | {plan_s:.2f} | {r.columns:,} | {r.status} | {r.gap:.4f} "
                f"| {wall:.1f} ({cpu:.1f} CPU) | {r.seconds:.1f} | {wall / plan_s:.1f} |",
                flush=True,
            )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--ray", default=None)
    ap.add_argument("--robust", default=None, help="Comma-separated K values: bench --robust instead.")
    ap.add_argument("--methods", default="extensive,benders", help="With --robust: comma-separated methods.")
    ap.add_argument("--eval-samples", type=int, default=40)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--local", default="1,2", help="Comma-separated local worker counts to time.")
    ap.add_argument("--no-share", action="store_true", help="Time `tender risk --no-share-futures`.")
    ap.add_argument("--scenario", type=Path, default=EXAMPLE)
    ap.add_argument("--growth", default=None, help="Comma-separated bench_plan.py sizes (S,M,...).")
    ap.add_argument("--baseline-src", type=Path, default=None, help="A src/ to time the same runs with.")
    ap.add_argument("--baseline-samples", type=int, default=None, help="Samples of the baseline runs.")
    ap.add_argument("--robust-growth", default=None, help="Sizes (S,M,...): --robust per K of --robust.")
    ap.add_argument("--limit", type=float, default=600.0, help="With --robust-growth: seconds per solve.")
    a = ap.parse_args()
    if a.robust_growth:
        robust_growth(a.robust_growth.split(","), [int(k) for k in (a.robust or "10").split(",")], a.limit)
        return
    if a.growth:
        growth(a.growth.split(","), a.samples)
        return
    if a.robust:
        robust([int(k) for k in a.robust.split(",")], a.methods.split(","), a.eval_samples, a.workers)
        return
    scenario = a.scenario
    with tempfile.TemporaryDirectory() as tmp:
        plan_s = statistics.median(
            _timed(["plan", str(scenario), "--quiet", "--json", f"{tmp}/p.json"]) for _ in range(a.repeats)
        )
        configs = [
            (f"{w} worker{'s' if int(w) > 1 else ''}", ["--workers", w]) for w in a.local.split(",") if w
        ]
        if a.ray:
            configs.append((f"Ray {a.ray}", ["--ray", a.ray]))
        share = ["--no-share-futures"] if a.no_share else []
        runs: list[tuple[str, list[str], Path | None, int]] = []
        if a.baseline_src is not None:
            n = a.baseline_samples or a.samples
            runs += [
                (f"baseline, {name}", extra, a.baseline_src, n)
                for name, extra in configs
                if "Ray" not in name
            ]
        runs += [(name, extra, None, a.samples) for name, extra in configs]
        rows, outputs = [], []
        for name, extra, src, n in runs:
            out = f"{tmp}/{len(outputs)}.json"
            base = ["risk", str(scenario), "--samples", str(n), "--seed", "1", "--json", out]
            CPU.clear()
            before = os.getloadavg()[0]
            flags = [*base, *(share if src is None else []), *extra]
            secs = statistics.median(_timed(flags, src) for _ in range(a.repeats))
            outputs.append((src, Path(out).read_bytes()))
            rows.append((name, secs, n, statistics.median(CPU), before, os.getloadavg()[0], REPLANNED[-1]))
        mine = [o for src, o in outputs if src is None]
        theirs = [o for src, o in outputs if src is not None]
        identical = all(o == mine[0] for o in mine) and all(o == theirs[0] for o in theirs)
    print(
        f"baseline: tender plan of {scenario.name} {plan_s:.2f} s; samples {a.samples}; "
        f"{_distinct(scenario, a.samples)} distinct futures; no-share {a.no_share}; JSON identical: {identical}"
    )
    print(
        "| run | samples | re-planned | seconds | samples/s | seconds per sample / plan seconds "
        "| speed-up vs first row | CPU s (all processes) | load before / after |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    first = rows[0][1] / rows[0][2]
    for name, secs, n, cpu, load0, load1, replanned in rows:
        print(
            f"| {name} | {n} | {replanned} | {secs:.1f} | {n / secs:.2f} | {secs / n / plan_s:.2f} "
            f"| {first / (secs / n):.2f} | {cpu:.1f} | {load0:.1f} / {load1:.1f} |",
            flush=True,
        )


def _distinct(path: Path, samples: int) -> int:
    from tender.config import load_scenario
    from tender.sourcing.risk.classes import groups
    from tender.sourcing.risk.sampler import inputs

    return len(groups(inputs(load_scenario(str(path))), 1, range(samples)))


if __name__ == "__main__":
    main()
