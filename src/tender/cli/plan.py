"""`tender plan FILE`: contract-aware sourcing over the horizon; terminal tables, JSON, CSV and HTML.

With `--actuals [--as-of M]` the months before M are fixed to the actuals in the database (`plan_actuals`).
"""

from __future__ import annotations

from pathlib import Path

import typer

from tender.cli.output import console, err_console, fail_bad_input, write_atomic
from tender.cli.plan_actuals import Replan, load_replan, with_fixed
from tender.cli.serve import DB_HELP
from tender.cli.validate import load_or_exit
from tender.domain import Scenario
from tender.plan_output import CHECK_FAILED, ledger_csv, plan_tables, plan_to_json, report_html, verified
from tender.plan_output.json_out import plan_to_dict
from tender.sourcing import NoSolution, Plan, PlanOptions, plan


def _json(result: Plan, sc: Scenario, timings: bool, replan: Replan | None) -> str:
    if replan is None:
        return plan_to_json(result, sc, timings)
    return with_fixed(plan_to_dict(result, sc, timings), replan)


def register(app: typer.Typer) -> None:
    @app.command("plan")
    def plan_cmd(
        file: Path = typer.Argument(..., help="Scenario YAML file."),
        seed: int = typer.Option(0, "--seed", min=0, help="Seed for the solver and the ROFR holder model."),
        time_limit: float = typer.Option(
            60.0, "--time-limit", min=0.1, help="Solver time limit per pass, seconds (best plan + gap)."
        ),
        gap: float = typer.Option(0.001, "--gap", min=0.0, max=1.0, help="Relative MIP gap to stop at."),
        json_path: Path | None = typer.Option(None, "--json", help="Write the plan as JSON."),
        report: Path | None = typer.Option(None, "--report", help="Write a self-contained HTML report."),
        ledger: Path | None = typer.Option(None, "--ledger", help="Write the ledger rows as CSV."),
        out: Path | None = typer.Option(
            None, "--out", help="Directory for plan.json, plan.html and ledger.csv (all three)."
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
    ) -> None:
        """Plan who supplies what each month, run ROFR notices, and project the ledger."""
        sc = load_or_exit(file)
        replan = load_replan(sc, as_of, database_url) if actuals else None
        if as_of is not None and replan is None:
            fail_bad_input("--as-of: only with --actuals")
        if out is not None:
            json_path = json_path or out / "plan.json"
            report = report or out / "plan.html"
            ledger = ledger or out / "ledger.csv"
        options = PlanOptions(seed=seed, time_limit_s=time_limit, mip_gap=gap)
        with console.status("solving…") as status:

            def progress(objective: float, bound: float, mip_gap: float) -> None:
                status.update(
                    f"solving… best ${objective / 1e6:,.1f}M, bound ${bound / 1e6:,.1f}M, gap {mip_gap:.4%}"
                )

            try:
                fixed = replan.fixed if replan is not None else None
                result = plan(sc, options, progress=progress, fixed=fixed)
                sc = replan.scenario if replan is not None else sc
                result = verified(result, sc)
            except NoSolution as exc:
                fail_bad_input(f"{file}: no feasible plan found ({exc}); try a longer --time-limit")
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
        labels = {m: sc.calendar.label(m) for m in sc.calendar.months()}
        for path, text in (
            (json_path, _json(result, sc, timings, replan) if json_path else ""),
            (ledger, ledger_csv(result, labels) if ledger else ""),
            (report, report_html(result, sc) if report else ""),
        ):
            if path is not None:
                write_atomic(path, text)
                console.print(f"wrote {path}")
        if result.check_violations:
            for line in result.check_violations:
                err_console.print(f"check: {line}", markup=False)
            err_console.print(
                f"{file}: the plan breaks {len(result.check_violations)} rule(s) (`tender check`); "
                "status check_failed",
                markup=False,
            )
            raise typer.Exit(1)
