"""`tender risk SCENARIO`: evaluate a plan against N sampled futures (docs/risk.md).

1. load the scenario (bad scenario: the `tender validate` lines, exit 2);
2. the first stage: of `--plan PLAN.json` (checked to be of this scenario), else of the deterministic
   plan `tender plan` makes with `--seed`;
3. run the samples (`risk_pool`, or `risk_ray` with `--ray HOST:PORT|auto`; by default samples of
   the same future share a re-plan where their holder coins agree, `--no-share-futures` re-plans
   every one), with a progress bar (samples done, rate, ETA);
4. summarize (`sourcing.risk.stats`), print the summary, write `--json` / `--report` atomically.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tender.cli.output import (
    STDOUT,
    Output,
    check_outputs,
    console,
    fail_bad_input,
    json_option,
    progress_bar,
    status,
    write_outputs,
)
from tender.cli.validate import load_or_exit

if TYPE_CHECKING:
    # the solver, the samplers and the renderers load when the command runs
    from rich.progress import Progress
    from rich.table import Table

    from tender.domain import Scenario
    from tender.sourcing import PlanOptions
    from tender.sourcing.risk.first_stage import FirstStage
    from tender.sourcing.risk.stats import Summary


def _samples_bar() -> Progress:
    """Samples done, the rate and the time left; on stderr, only when it is a terminal."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        ProgressColumn,
        Task,
        TextColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class Rate(ProgressColumn):
        def render(self, task: Task) -> Text:
            return Text(f"{task.speed:.2f} samples/s" if task.speed else "- samples/s")

    return progress_bar(
        TextColumn("samples"), BarColumn(), MofNCompleteColumn(), Rate(), TimeRemainingColumn()
    )


def _summary_table(s: Summary) -> Table:
    from rich.table import Table

    t = Table(title=f"plan {s.name}: {s.samples} samples")
    t.add_column("measure")
    t.add_column("value", justify="right")
    for label, v in (
        ("expected cost", s.expected_cost_usd),
        ("cost p50", s.cost_p50_usd),
        ("cost p90", s.cost_p90_usd),
        ("cost p99", s.cost_p99_usd),
        ("CVaR95", s.cvar95_usd),
        ("std error of expected cost", s.expected_cost_se_usd),
    ):
        t.add_row(label, f"${v / 10**6:,.1f}M")
    for run, p in s.runs:
        t.add_row(f"miss probability {run}", f"{p:.4f}")
    for c, p, e in s.commitments:
        t.add_row(f"shortfall {c}", f"p={p:.4f}, E=${e / 10**6:,.1f}M")
    return t


def risk_cmd(
    file: Path = typer.Argument(..., help="Scenario YAML file."),
    plan_json: Path | None = typer.Option(
        None, "--plan", help="Plan JSON (`tender plan --json`) whose first stage is evaluated."
    ),
    samples: int = typer.Option(100, "--samples", help="Number of sampled futures (>= 1)."),
    seed: int = typer.Option(0, "--seed", min=0, help="Seed: sample i of seed s is the same anywhere."),
    workers: int = typer.Option(1, "--workers", help="Local worker processes (>= 1)."),
    ray_address: str | None = typer.Option(
        None,
        "--ray",
        help="Run the samples as Ray tasks on the cluster at this GCS HOST:PORT ('auto': the running one).",
    ),
    time_limit: float = typer.Option(60.0, "--time-limit", min=0.1, help="Solver time limit per pass."),
    json_path: Annotated[Path | None, json_option("the study")] = None,
    report: Path | None = typer.Option(None, "--report", help="Write a self-contained HTML report."),
    per_sample: bool = typer.Option(False, "--per-sample", help="Also write per_sample into the JSON."),
    share_futures: bool = typer.Option(
        True,
        "--share-futures/--no-share-futures",
        help="Samples that draw the same future share its re-plan where their holder coins agree "
        "(exact: the same JSON as --no-share-futures, which re-plans every sample; docs/risk.md).",
    ),
) -> None:
    """Evaluate a plan's first stage against sampled futures: cost risk, misses, shortfalls.
    Long because: Typer declares each option in the signature; the body fits one screen."""
    from tender.cli.risk_pool import run_local
    from tender.cli.risk_ray import RayUnavailable, check_address, run_ray
    from tender.plan_output.risk_json import risk_to_json
    from tender.plan_output.risk_report import risk_report_html
    from tender.sourcing import PlanOptions
    from tender.sourcing.risk.classes import replans
    from tender.sourcing.risk.stats import summarize
    from tender.sourcing.risk.tornado import tornado

    if samples < 1:
        fail_bad_input(f"--samples: {samples} is not a number of samples (give at least 1)")
    if workers < 1:
        fail_bad_input(f"--workers: {workers} is not a number of workers (give at least 1)")
    check_outputs([(json_path, "--json"), (report, "--report")])  # before minutes of sampling
    sc = load_or_exit(file)
    if ray_address is not None:
        try:
            check_address(ray_address)
        except RayUnavailable as exc:
            fail_bad_input(str(exc))
    options = PlanOptions(seed=seed, time_limit_s=time_limit)
    name = "given" if plan_json is not None else "deterministic"
    first = _first_stage(file, sc, plan_json, options)
    with _samples_bar() as bar:
        task = bar.add_task("samples", total=samples)
        advance = lambda k: bar.advance(task, k)  # noqa: E731
        try:
            if ray_address is not None:
                outcomes = run_ray(
                    ray_address, file, sc, first, seed, samples, options, advance, share_futures
                )
            else:
                outcomes = run_local(file, sc, first, seed, samples, workers, options, advance, share_futures)
        except RayUnavailable as exc:
            fail_bad_input(str(exc))
    console.print(
        f"re-planned {replans(outcomes):,} of {samples:,} samples "
        f"({'sharing' if share_futures else 'not sharing'} the re-plans of equal futures)"
    )
    fleets = tuple(f.id for f in sc.fleets)
    summary = summarize(name, outcomes, fleets, tuple(r.id for r in sc.training_runs), sc.horizon)
    with status("tornado: each input at its p10 and p90…"):
        bars = tornado(sc, first, options)
    console.print(_summary_table(summary))
    outputs = []
    if json_path is not None:
        doc = risk_to_json(sc, seed, [summary], outcomes if per_sample else None, {name: bars})
        outputs.append(Output(json_path, doc, "--json"))
    if report is not None:
        outputs.append(Output(report, risk_report_html(sc, seed, summary, outcomes, bars), "--report"))
    write_outputs(outputs)  # all or none
    for o in outputs:
        if o.path != STDOUT:
            console.print(f"wrote {o.path}")


def _first_stage(file: Path, sc: Scenario, plan_json: Path | None, options: PlanOptions) -> FirstStage:
    """The plan evaluated: the given plan JSON's first stage, or the deterministic plan's."""
    from tender.plan_output.risk_plan_in import PlanInputError, read_first_stage
    from tender.sourcing import NoSolution, plan
    from tender.sourcing.risk.first_stage import of_plan

    if plan_json is not None:
        try:
            return read_first_stage(plan_json, sc)
        except PlanInputError as exc:
            fail_bad_input(str(exc))
    try:
        with status("planning the deterministic first stage…"):
            return of_plan(plan(sc, options), tuple(r.id for r in sc.training_runs))
    except NoSolution as exc:
        fail_bad_input(f"{file}: no feasible plan found ({exc}); try a longer --time-limit")


def register(app: typer.Typer) -> None:
    app.command("risk")(risk_cmd)
