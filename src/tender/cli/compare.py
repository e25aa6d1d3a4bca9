"""`tender compare BASE VARIANT...`: contract regimes side by side, per party (docs/compare.md).

1. check the options and the output paths (before any planning);
2. load the base and every variant overlay (`compare_run.load_all`: FILE:LINE:COL problems, exit 2);
3. plan each variant with the same seed and options, and account per party (`compare_run.plan_all`);
   with `--samples N`: every variant in the same N sampled futures, locally or on Ray
   (`compare_run.sample_all`), sample means and standard errors;
4. with `--break-even FIELD --between A B`: bisect FIELD of B until the lab pays what it pays in A;
5. print the tables; write `--json` / `--report` together, whole or not at all.
"""

from __future__ import annotations

from decimal import Decimal
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

if TYPE_CHECKING:  # the planner, the accounts and the renderers load when the command runs
    from tender.cli.compare_run import Loaded
    from tender.plan_output.compare_json import BreakEvenDoc
    from tender.sourcing import PlanOptions
    from tender.sourcing.compare.deltas import VariantResult
    from tender.sourcing.compare.sampled import Errors


def compare_cmd(
    base: Path = typer.Argument(..., help="Base scenario YAML (deltas are against it)."),
    variants: list[Path] = typer.Argument(None, help="Variant overlays on the base (docs/compare.md)."),
    seed: int = typer.Option(0, "--seed", min=0, help="Seed for every plan (solver and holder model)."),
    time_limit: float = typer.Option(60.0, "--time-limit", min=0.1, help="Solver time limit per pass, s."),
    json_path: Annotated[Path | None, json_option("the comparison")] = None,
    report: Path | None = typer.Option(None, "--report", help="Write a self-contained HTML report."),
    field: str | None = typer.Option(
        None,
        "--break-even",
        help="Dotted numeric field of variant B to solve for (e.g. contracts.ID.milestones.0.cumulative_usd).",
    ),
    between: tuple[str, str] | None = typer.Option(
        None,
        "--between",
        help="Variant names A B: find FIELD of B at which the lab pays what it pays in A.",
    ),
    searched: tuple[str, str] | None = typer.Option(
        None,
        "--range",
        help="LO HI searched for --break-even (default: 0 to twice B's value).",
    ),
    tolerance: str = typer.Option(
        "1000000", "--tolerance", help="Break-even tolerance on the lab's cost difference, USD."
    ),
    samples: int = typer.Option(
        0,
        "--samples",
        help="Plan every variant in N sampled futures (the base's uncertainty; 0: deterministic).",
    ),
    workers: int = typer.Option(1, "--workers", help="Local worker processes for --samples (>= 1)."),
    ray_address: str | None = typer.Option(
        None, "--ray", help="Run the --samples plans as Ray tasks on the cluster at this GCS HOST:PORT."
    ),
) -> None:
    """Plan every variant on the same demand and report what each clause is worth to each party.
    Long because: Typer declares each option in the signature; the body is the numbered steps."""
    from tender.cli.compare_run import break_even, break_even_target, load_all, plan_all
    from tender.plan_output.compare_json import compare_to_json
    from tender.plan_output.compare_report import compare_report_html
    from tender.sourcing import PlanOptions

    if (field is None) != (between is None):
        fail_bad_input("--break-even and --between go together (give both, or neither)")
    tol = _tolerance(tolerance)
    _check_sampling(samples, workers, ray_address, field)
    check_outputs([(json_path, "--json"), (report, "--report")])
    loaded = load_all(base, list(variants or []))
    target = break_even_target(loaded, field, between, searched) if field and between else None
    options = PlanOptions(seed=seed, time_limit_s=time_limit)
    be: BreakEvenDoc | None = None
    errors: list[Errors] | None = None
    if samples:
        results, errors = _sampled(loaded, seed, samples, workers, ray_address, options)
    else:
        with status("planning the variants…") as update:
            show = lambda what: update(f"planned {what}…")  # noqa: E731
            results = plan_all(loaded, options, show)
            if target is not None:
                be = break_even(loaded, target, tol, options, show, results)
    _print_tables(results, errors, be)  # on stderr with `--json -`: stdout holds the document
    outputs = []
    if json_path is not None:
        outputs.append(Output(json_path, compare_to_json(results, seed, be, samples, errors), "--json"))
    if report is not None:
        outputs.append(Output(report, compare_report_html(results), "--report"))
    write_outputs(outputs)  # all or none
    for o in outputs:
        if o.path != STDOUT:
            console.print(f"wrote {o.path}")


def register(app: typer.Typer) -> None:
    app.command("compare")(compare_cmd)


def _print_tables(results: list[VariantResult], errors: list[Errors] | None, be: BreakEvenDoc | None) -> None:
    from tender.plan_output.compare_tables import break_even_table, build_table, lab_table, party_table

    console.print(lab_table(results, errors))
    console.print(party_table(results))
    console.print(build_table(results))
    if be is not None:
        console.print(break_even_table(be))


def _check_sampling(samples: int, workers: int, ray_address: str | None, field: str | None) -> None:
    from tender.cli.risk_ray import RayUnavailable, check_address

    if samples < 0:
        fail_bad_input(f"--samples: {samples} is not a number of samples (0 = deterministic, or at least 1)")
    if workers < 1:
        fail_bad_input(f"--workers: {workers} is not a number of workers (give at least 1)")
    if samples and field is not None:
        fail_bad_input("--break-even works on the deterministic plans (drop --samples)")
    if ray_address is not None:
        if not samples:
            fail_bad_input("--ray runs the --samples plans (give --samples N)")
        try:
            check_address(ray_address)
        except RayUnavailable as exc:
            fail_bad_input(str(exc))


def _sampled(
    loaded: list[Loaded], seed: int, samples: int, workers: int, ray_address: str | None, options: PlanOptions
) -> tuple[list[VariantResult], list[Errors]]:
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn

    from tender.cli.compare_run import sample_all

    total = samples * len(loaded)
    columns = (TextColumn("plans"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with progress_bar(*columns) as bar:
        task = bar.add_task("plans", total=total)
        return sample_all(
            loaded, seed, samples, workers, ray_address, options, lambda k: bar.advance(task, k)
        )


def _tolerance(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except ArithmeticError:
        fail_bad_input(f"--tolerance: '{text}' is not an amount in USD")
    if not value.is_finite() or value < 0:
        fail_bad_input(f"--tolerance: '{text}' must be a finite amount >= 0 (USD)")
    return value
