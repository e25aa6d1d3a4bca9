"""`tender plan FILE --robust --samples K`: the SAA two-stage plan and its out-of-sample study.

1. check the flags (`--samples`, `--eval-samples`, `--workers` >= 1, `--method`; the scenario has
   something uncertain) and the output paths, before any solve;
2. the deterministic plan (`tender plan --seed S`) and its first stage with its bookings;
3. the robust plan over samples 0..K-1 (`sourcing.risk.robust`): the extensive form, or Benders
   (`--method benders`, or `auto` above 100 samples) with its subproblems on `--workers` processes;
4. both first stages evaluated on `--eval-samples` fresh samples with common random numbers, and each
   future planned with perfect information (`sourcing.risk.study`, `study_pool`), with a progress bar;
   with `--workers` > 1 the pool (`study_pool.StudyPool`) is started before step 2 with the
   wait-and-see plans (they depend on neither plan), so the workers run them while this process
   makes the deterministic plan and solves the robust one;
5. the hedge (both first stages in the future as written) and the robust plan's tornado
   (`sourcing.risk.tornado`, as `tender risk`'s), here while the pool runs both plans' re-plans;
6. print both plans side by side, VSS, EVPI, the hedge, the tornado; write `--json` / `--report`
   all or none.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
from rich.table import Table

from tender.cli.output import (
    Output,
    check_outputs,
    console,
    fail_bad_input,
    progress_bar,
    status,
    write_outputs,
)
from tender.cli.risk_ray import RayUnavailable
from tender.cli.study_pool import StudyPool, SubproblemPool, run_study, run_study_ray
from tender.cli.validate import load_or_exit
from tender.domain import Scenario
from tender.plan_output.risk_json import study_to_json
from tender.plan_output.risk_study_report import study_report_html
from tender.sourcing import NoSolution, PlanOptions, plan
from tender.sourcing.risk.benders import Pool
from tender.sourcing.risk.extensive import Robust
from tender.sourcing.risk.first_stage import FirstStage, of_plan
from tender.sourcing.risk.robust import METHODS, chosen, local_pool, solve_robust
from tender.sourcing.risk.saa_sample import Protocol
from tender.sourcing.risk.sampler import uncertain
from tender.sourcing.risk.stats import Summary, summarize
from tender.sourcing.risk.study import Measures, Triple, hedge, measures
from tender.sourcing.risk.tornado import Bar, tornado


@dataclass(frozen=True)
class Request:
    file: Path
    seed: int
    samples: int
    eval_samples: int
    workers: int
    options: PlanOptions
    json_path: Path | None
    report: Path | None
    ray_address: str | None = None
    method: str = "auto"


def _check(req: Request) -> Scenario:
    for flag, value in (("--samples", req.samples), ("--eval-samples", req.eval_samples)):
        if value < 1:
            fail_bad_input(f"{flag}: {value} is not a number of samples (give at least 1)")
    if req.workers < 1:
        fail_bad_input(f"--workers: {req.workers} is not a number of workers (give at least 1)")
    if req.method not in METHODS:
        fail_bad_input(f"--method: {req.method!r} is not one of {', '.join(METHODS)}")
    if req.ray_address is not None:
        from tender.cli.risk_ray import RayUnavailable, check_address

        try:
            check_address(req.ray_address)
        except RayUnavailable as exc:
            fail_bad_input(str(exc))
    check_outputs([(req.json_path, "--json"), (req.report, "--report")])
    sc = load_or_exit(req.file)
    if not uncertain(sc):
        fail_bad_input(
            f"{req.file}: --robust: nothing in the scenario is uncertain (no uncertainty: section, "
            "no campus delay_risk_months): there is nothing to hedge"
        )
    return sc


def _side_by_side(det: Summary, rob: Summary, m: Measures, hedge_usd: tuple[Decimal, Decimal]) -> Table:
    t = Table(title=f"deterministic vs robust: {det.samples} fresh samples")
    t.add_column("measure")
    t.add_column("deterministic", justify="right")
    t.add_column("robust", justify="right")

    def usd(v: Decimal) -> str:
        return f"${v / 10**6:,.2f}M"

    t.add_row("expected cost", usd(det.expected_cost_usd), usd(rob.expected_cost_usd))
    t.add_row("std error", usd(det.expected_cost_se_usd), usd(rob.expected_cost_se_usd))
    t.add_row("CVaR95", usd(det.cvar95_usd), usd(rob.cvar95_usd))
    t.add_row("cost as written (hedge)", usd(hedge_usd[0]), usd(hedge_usd[1]))
    for (run, p), (_r, q) in zip(det.runs, rob.runs, strict=True):
        t.add_row(f"miss probability {run}", f"{p:.4f}", f"{q:.4f}")
    for (c, p, _e), (_c, q, _f) in zip(det.commitments, rob.commitments, strict=False):
        t.add_row(f"shortfall probability {c}", f"{p:.4f}", f"{q:.4f}")
    t.add_row("VSS (± se)", f"{usd(m.vss_usd)} ± {usd(m.vss_se_usd)}", "")
    t.add_row("EVPI (± se)", f"{usd(m.evpi_usd)} ± {usd(m.evpi_se_usd)}", "")
    t.add_row("wait-and-see (± se)", f"{usd(m.wait_and_see_usd)} ± {usd(m.wait_and_see_se_usd)}", "")
    return t


def _tornado_table(bars: tuple[Bar, ...]) -> Table:
    t = Table(title="tornado of the robust plan: one input at a time at p10 and p90")
    for name in ("input", "p10", "cost at p10", "p90", "cost at p90", "swing"):
        t.add_column(name, justify="left" if name == "input" else "right")
    for b in bars:
        t.add_row(
            f"{b.input} {b.key or ''}".strip(),
            format(b.low, "f"),
            f"${b.cost_low_usd / 10**6:,.1f}M",
            format(b.high, "f"),
            f"${b.cost_high_usd / 10**6:,.1f}M",
            f"${b.swing_usd / 10**6:,.1f}M",
        )
    return t


def _solve(req: Request, sc: Scenario, det: FirstStage) -> Robust:
    """Step 3: Benders' subproblems in a `SubproblemPool` with more than one worker."""
    pools: list[SubproblemPool] = []

    def pool(sc: Scenario, proto: Protocol, seed: int, k: int, options: PlanOptions) -> Pool:
        if req.workers <= 1:
            return local_pool(sc, proto, seed, k, options)
        pools.append(SubproblemPool(req.file, proto, seed, k, options, req.workers))
        return pools[-1]

    try:
        return solve_robust(sc, det, req.seed, req.samples, req.options, req.method, pool)
    finally:
        for p in pools:
            p.close()


def _described(r: Robust) -> str:
    how = f"{r.columns:,} columns, {r.rows:,} rows"
    if r.method == "benders":
        how = f"Benders, {r.iterations} iterations, proven gap {r.gap:.4%}, master {how}"
    return f"robust plan: {r.samples} samples, {how}, status {r.status}, SAA objective ${float(r.objective_usd) / 1e6:,.2f}M"


def _study(
    req: Request, sc: Scenario, det: FirstStage, robust: Robust, pool: StudyPool | None
) -> tuple[list[Triple], tuple[Decimal, Decimal], tuple[Bar, ...]]:
    """Steps 4-5; with a pool both first stages' re-plans are submitted first, and the hedge and the
    tornado are computed here while the workers run (before the progress bar: one live display at a
    time)."""
    if pool is not None:
        pool.stages(det, robust.first)
        hedged, bars = _hedge_and_tornado(req, sc, det, robust)
    columns = (TextColumn("fresh samples"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with progress_bar(*columns) as bar:
        task = bar.add_task("samples", total=req.eval_samples)
        advance = lambda k: bar.advance(task, k)  # noqa: E731
        stages = (det, robust.first)
        if pool is not None:
            triples = pool.triples(advance)
        elif req.ray_address is not None:
            try:
                triples = run_study_ray(
                    req.ray_address, sc, stages, req.seed, req.eval_samples, req.options, advance
                )
            except RayUnavailable as exc:
                fail_bad_input(str(exc))
        else:
            triples = run_study(
                req.file, sc, stages, req.seed, req.eval_samples, req.workers, req.options, advance
            )
    if pool is None:
        hedged, bars = _hedge_and_tornado(req, sc, det, robust)
    return triples, hedged, bars


def _hedge_and_tornado(
    req: Request, sc: Scenario, det: FirstStage, robust: Robust
) -> tuple[tuple[Decimal, Decimal], tuple[Bar, ...]]:
    with status("both plans in the future as written…"):
        hedged = hedge(sc, det, robust.first, req.options)
    with status("tornado of the robust plan: each input at its p10 and p90…"):
        bars = tornado(sc, robust.first, req.options)
    return hedged, bars


def _solve_both(req: Request, sc: Scenario) -> tuple[FirstStage, Robust]:
    """Steps 2-3 (with a pool, its workers run the wait-and-see plans meanwhile)."""
    run_ids = tuple(r.id for r in sc.training_runs)
    try:
        with status("planning the deterministic first stage…"):
            det = of_plan(plan(sc, req.options), run_ids, book=True)
        how = "the extensive form" if chosen(req.method, req.samples) == "extensive" else "Benders"
        with status(f"solving the robust plan over {req.samples} samples ({how})…"):
            return det, _solve(req, sc, det)
    except NoSolution as exc:
        fail_bad_input(f"{req.file}: no feasible plan found ({exc}); try a longer --time-limit")


def run(req: Request) -> None:
    sc = _check(req)
    run_ids = tuple(r.id for r in sc.training_runs)
    pool = None
    if req.workers > 1 and req.ray_address is None:  # started now: it works while this process plans
        pool = StudyPool(req.file, sc, req.seed, req.eval_samples, req.workers, req.options)
    try:
        det, robust = _solve_both(req, sc)
        console.print(_described(robust))
        triples, hedged, bars = _study(req, sc, det, robust, pool)
    finally:
        if pool is not None:
            pool.close()
    fleets, horizon = tuple(f.id for f in sc.fleets), sc.horizon
    d_sum = summarize("deterministic", [t.deterministic for t in triples], fleets, run_ids, horizon)
    r_sum = summarize("robust", [t.robust for t in triples], fleets, run_ids, horizon)
    m = measures(triples)
    console.print(_side_by_side(d_sum, r_sum, m, hedged))
    console.print(_tornado_table(bars))
    outputs = []
    pair = (d_sum, r_sum)
    if req.json_path is not None:
        doc = study_to_json(sc, req.seed, pair, m, robust, hedged, bars)
        outputs.append(Output(req.json_path, doc, "--json"))
    if req.report is not None:
        html = study_report_html(sc, req.seed, pair, triples, m, robust, hedged, bars)
        outputs.append(Output(req.report, html, "--report"))
    write_outputs(outputs)
    for o in outputs:
        console.print(f"wrote {o.path}")
