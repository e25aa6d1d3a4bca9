"""`tender plan FILE`: contract-aware sourcing over the horizon; terminal tables, JSON, CSV and HTML.

With `--actuals [--as-of M]` the months before M are fixed to the actuals in the database (`plan_actuals`).
With `--robust --samples K` the plan is the SAA two-stage plan and its study (`plan_robust`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tender.cli.output import (
    STDOUT,
    Output,
    check_outputs,
    console,
    err_console,
    fail_bad_input,
    json_option,
    real_console,
    run_interruptible,
    status,
    write_outputs,
)
from tender.cli.serve import DB_HELP
from tender.cli.validate import load_or_exit

if TYPE_CHECKING:  # the solver and renderers load when the command runs (fast `tender --help`)
    from tender.cli.plan_actuals import Replan
    from tender.domain import Scenario
    from tender.plan_output import PlanRenders
    from tender.sourcing import Plan


def _replan(sc: Scenario, as_of: int | None, database_url: str | None) -> Replan:
    from tender.cli.plan_actuals import load_replan  # (the database and the re-basing: --actuals only)

    return load_replan(sc, as_of, database_url)


def _json(rendered: PlanRenders, replan: Replan | None) -> str:
    if replan is None:
        return rendered.json_text()
    from tender.cli.plan_actuals import with_fixed

    return with_fixed(rendered.document, replan)


def plan_cmd(
    file: Path = typer.Argument(..., help="Scenario YAML file."),
    seed: int = typer.Option(0, "--seed", min=0, help="Seed for the solver and the ROFR holder model."),
    time_limit: float = typer.Option(
        60.0, "--time-limit", min=0.1, help="Solver time limit per pass, seconds (best plan + gap)."
    ),
    gap: float = typer.Option(0.001, "--gap", min=0.0, max=1.0, help="Relative MIP gap to stop at."),
    json_path: Annotated[Path | None, json_option("the plan")] = None,
    report: Path | None = typer.Option(None, "--report", help="Write a self-contained HTML report."),
    ledger: Path | None = typer.Option(None, "--ledger", help="Write the ledger rows as CSV."),
    out: Path | None = typer.Option(
        None,
        "--out",
        help="Directory for plan.json, plan.html and ledger.csv (all three); created if missing "
        "when its parent exists.",
    ),
    mkdir: bool = typer.Option(
        False, "--mkdir", help="Create missing parent folders of the outputs (never done otherwise)."
    ),
    timings: bool = typer.Option(False, "--timings", help="Also write solve_seconds into the JSON."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No tables; outputs only."),
    actuals: bool = typer.Option(
        False,
        "--actuals",
        help="Fix the months before --as-of to the actuals in the database; plan the rest.",
    ),
    as_of: int | None = typer.Option(
        None,
        "--as-of",
        min=1,
        help="With --actuals: first month planned (default: after the last actuals).",
    ),
    database_url: str | None = typer.Option(
        None, "--database-url", envvar="TENDER_DATABASE_URL", help=DB_HELP
    ),
    robust: bool = typer.Option(
        False, "--robust", help="Two-stage plan by SAA over --samples futures, studied out of sample."
    ),
    samples: int | None = typer.Option(
        None, "--samples", help="With --robust: sampled futures in the extensive form (default 10)."
    ),
    eval_samples: int = typer.Option(
        100, "--eval-samples", help="With --robust: fresh samples the two plans are evaluated on."
    ),
    workers: int = typer.Option(1, "--workers", help="With --robust: local worker processes (>= 1)."),
    method: str = typer.Option(
        "auto",
        "--method",
        help="With --robust: extensive, benders, or auto (the extensive form up to 100 samples, else Benders).",
    ),
    ray_address: str | None = typer.Option(
        None,
        "--ray",
        help="With --robust: run the fresh samples as Ray tasks on the cluster at this GCS HOST:PORT ('auto': the running one).",
    ),
) -> None:
    """Plan who supplies what each month, run ROFR notices, and project the ledger.
    Long because: Typer declares each option in the signature; the body is the numbered steps."""
    if robust or samples is not None or ray_address is not None or method != "auto":  # 0. plan_robust.py
        _refuse_with_robust(robust, actuals=actuals, out=out, ledger=ledger)
        study = (samples, eval_samples, workers, ray_address, method)
        _robust(file, seed, time_limit, gap, study, json_path, report, robust)
        return
    # 1. outputs checked before any work; 2. the scenario (re-based on the actuals with --actuals)
    _check(out, [(json_path, "--json"), (report, "--report"), (ledger, "--ledger")], mkdir)
    sc = load_or_exit(file)
    replan = _replan(sc, as_of, database_url) if actuals else None
    if as_of is not None and replan is None:
        fail_bad_input("--as-of: only with --actuals")
    if out is not None:
        json_path = json_path or out / "plan.json"
        report = report or out / "plan.html"
        ledger = ledger or out / "ledger.csv"
    # 3. solve and re-check; 4. tables; 5. outputs (all or none); 6. exit 1 when the checker objects
    rendered = _solve(file, sc, replan, seed=seed, time_limit=time_limit, gap=gap, timings=timings)
    result, sc = rendered.result, rendered.scenario
    _print_result(result, sc, quiet)
    renders: list[tuple[Path | None, Callable[[], str], str]] = [
        (json_path, lambda: _json(rendered, replan), "--json"),
        (ledger, rendered.ledger_csv, "--ledger"),
        (report, rendered.report_html, "--report"),
    ]
    outputs = [Output(path, render(), option) for path, render, option in renders if path is not None]
    _write(outputs, out, mkdir)
    for o in outputs:
        if o.path != STDOUT:
            console.print(f"wrote {o.path}")
    _fail_on_violations(file, result)


def _refuse_with_robust(robust: bool, *, actuals: bool, out: Path | None, ledger: Path | None) -> None:
    for flag, given in (("--actuals", actuals), ("--out", out is not None), ("--ledger", ledger is not None)):
        if robust and given:
            fail_bad_input(f"{flag}: not with --robust (the robust plan writes --json and --report)")


def _solve(
    file: Path,
    sc: Scenario,
    replan: Replan | None,
    *,
    seed: int,
    time_limit: float,
    gap: float,
    timings: bool,
) -> PlanRenders:
    """The plan's renders, re-checked by the independent checker (on the JSON text `--json` writes),
    with the scenario (re-based, for a re-plan). The renderers and the checker are imported while
    HiGHS solves (`_import_renderers`)."""
    from tender.sourcing import NoSolution, PlanOptions, plan

    def options(stop: Callable[[], bool]) -> PlanOptions:
        return PlanOptions(seed=seed, time_limit_s=time_limit, mip_gap=gap, stop=stop)

    with status("solving…") as update:  # on stderr, only when it is a terminal

        def progress(objective: float, bound: float, mip_gap: float) -> None:
            update(f"solving… best ${objective / 1e6:,.1f}M, bound ${bound / 1e6:,.1f}M, gap {mip_gap:.4%}")

        try:
            fixed = replan.fixed if replan is not None else None
            planned = run_interruptible(
                lambda stop: plan(sc, options(stop), progress=progress, fixed=fixed),
                meanwhile=_import_renderers,
            )
        except NoSolution as exc:
            fail_bad_input(f"{file}: no feasible plan found ({exc}); try a longer --time-limit")
    from tender.plan_output import verified_renders

    sc = replan.scenario if replan is not None else sc
    return verified_renders(planned, sc, replan.fixed if replan is not None else None, timings)


def _import_renderers() -> None:
    """What runs after the first solve, loaded while HiGHS solves it (in the main thread, which the
    solver leaves free): the planner's second half (the ROFR protocol, the baseline: `sourcing.finish`),
    the checker, the tables and the JSON, and the consoles (Rich) that print them (bench/README.md,
    "Start-up")."""
    import tender.plan_output
    import tender.sourcing.finish  # noqa: F401

    real_console(console)
    real_console(err_console)


def _print_result(result: Plan, sc: Scenario, quiet: bool) -> None:
    from tender.plan_output import CHECK_FAILED, plan_tables

    if not quiet:
        for table in plan_tables(result, sc):
            console.print(table)
    for item in result.infeasibilities:
        err_console.print(f"hard rule {item.rule} on demand {item.demand}: {item.message}", markup=False)
    if result.status not in ("optimal", CHECK_FAILED):
        err_console.print(
            f"solver stopped ({result.status}): best plan found, gap {float(result.gap):.4%}",
            markup=False,
        )
    console.print(
        f"solved in {result.solve_seconds:.2f} s, status {result.status}, gap {float(result.gap):.4%}"
    )


def _fail_on_violations(file: Path, result: Plan) -> None:
    if not result.check_violations:
        return
    for line in result.check_violations:
        err_console.print(f"check: {line}", markup=False)
    err_console.print(
        f"{file}: the plan breaks {len(result.check_violations)} rule(s) (`tender check`); "
        "status check_failed",
        markup=False,
    )
    raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("plan")(plan_cmd)


def _robust(
    file: Path,
    seed: int,
    time_limit: float,
    gap: float,
    study: tuple[int | None, int, int, str | None, str],
    json_path: Path | None,
    report: Path | None,
    robust: bool,
) -> None:
    samples, eval_samples, workers, ray_address, method = study
    if not robust:
        flag = "--samples" if samples is not None else "--ray" if ray_address is not None else "--method"
        fail_bad_input(f"{flag}: only with --robust")
    from tender.cli import plan_robust  # only a robust plan pays for its imports
    from tender.sourcing import PlanOptions

    options = PlanOptions(seed=seed, time_limit_s=time_limit, mip_gap=gap)
    req = plan_robust.Request(
        file,
        seed,
        10 if samples is None else samples,
        eval_samples,
        workers,
        options,
        json_path,
        report,
        ray_address,
        method,
    )
    plan_robust.run(req)


def _write(outputs: list[Output], out: Path | None, mkdir: bool) -> None:
    """All outputs or none; `--out DIR` is created (its parent must exist unless `--mkdir`) and
    removed again if the outputs cannot be written."""
    created = out is not None and not out.exists() and (mkdir or out.parent.is_dir())
    if created and out is not None:
        try:
            out.mkdir(parents=mkdir)
        except OSError as exc:
            fail_bad_input(f"--out: cannot create {out}: {exc.strerror or exc}")
    try:
        write_outputs(outputs, mkdir=mkdir)
    except BaseException:
        if created and out is not None and not any(out.iterdir()):
            out.rmdir()
        raise


def _check(out: Path | None, files: list[tuple[Path | None, str]], mkdir: bool) -> None:
    """Fail at once on an output path that cannot be written (before the solve)."""
    if out is not None:
        if out.exists() and not out.is_dir():
            fail_bad_input(f"--out: {out} is not a folder")
        if not out.exists() and not out.parent.is_dir() and not mkdir:
            fail_bad_input(
                f"--out: cannot create {out}: folder {out.parent} does not exist "
                "(create it first, or pass --mkdir)"
            )
    check_outputs([(p, o) for p, o in files if p is not None and (out is None or out.is_dir())], mkdir)
