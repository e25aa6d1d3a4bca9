"""`tender actuals report SCENARIO`: planned vs actual per provider and month, and the burn-down.

1. Load the scenario; the plan from `--plan PLAN.json` (else plan the scenario now, seed 0).
2. Read the actuals from the database (imported FOCUS rows + the runtime's metered use).
3. `variance.compare`: per provider x month planned, actual and variance; commitment burn-down from
   actuals; projected shortfall at each milestone if the rest of the plan holds.
4. Print Rich tables; write `--json` / `--report` whole or not at all (`write_atomic`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tender.cli.check import _read_plan
from tender.cli.output import (
    STDOUT,
    check_outputs,
    console,
    fail_bad_input,
    json_option,
    no_database,
    status,
    write_atomic,
)
from tender.cli.serve import DB_HELP
from tender.cli.validate import load_or_exit

if TYPE_CHECKING:
    from rich.table import Table

    from tender.domain import Scenario


def _plan_doc(sc: Scenario, plan_path: Path | None) -> dict[str, Any]:
    if plan_path is not None:
        return _read_plan(plan_path)
    from tender.plan_output import verified
    from tender.plan_output.json_out import plan_to_dict
    from tender.sourcing import PlanOptions, plan

    with status("planning…"):
        return plan_to_dict(verified(plan(sc, PlanOptions()), sc), sc)


def _m(value: Any) -> str:
    return "-" if value is None else f"{value / 1_000_000:,.3f}"


def _h(value: Any) -> str:
    return "-" if value is None else f"{value:,.0f}"


def tables(c: Any, sc: Scenario) -> list[Table]:
    from rich.table import Table

    months = Table(title=f"Plan vs actual (USD millions; actuals before {sc.calendar.label(c.as_of)})")
    for col in ("month", "provider", "planned", "actual", "variance", "GPU-h planned", "GPU-h actual"):
        months.add_column(col, justify="left" if col in ("month", "provider") else "right")
    for r in c.rows:
        months.add_row(
            sc.calendar.label(r.month),
            r.provider,
            _m(r.planned_usd),
            _m(r.actual_usd),
            _m(r.variance_usd),
            _h(r.planned_gpu_hours),
            _h(r.actual_gpu_hours),
        )
    ms = Table(title="Commitment milestones (USD millions)")
    for col in (
        "commitment",
        "milestone",
        "due",
        "planned shortfall",
        "projected drawdown",
        "projected shortfall",
    ):
        ms.add_column(col, justify="left" if col in ("commitment", "milestone") else "right")
    for m in c.milestones:
        ms.add_row(
            m.clause,
            sc.calendar.label(m.by_month),
            _m(m.due_usd),
            _m(m.planned_shortfall),
            _m(m.projected_cumulative),
            _m(m.projected_shortfall),
        )
    return [months, ms]


def register(app: typer.Typer) -> None:
    @app.command("report")
    def report_cmd(
        scenario: Path = typer.Argument(..., help="Scenario YAML file."),
        plan_path: Path | None = typer.Option(None, "--plan", help="Plan JSON (`tender plan --json`)."),
        as_of: int | None = typer.Option(
            None, "--as-of", min=1, help="First month not fixed to actuals (default: after the last actual)."
        ),
        database_url: str | None = typer.Option(
            None, "--database-url", envvar="TENDER_DATABASE_URL", help=DB_HELP
        ),
        json_path: Annotated[Path | None, json_option("the comparison")] = None,
        report: Path | None = typer.Option(None, "--report", help="Write a self-contained HTML report."),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="No tables; outputs only."),
    ) -> None:
        """Planned vs actual spend and GPU-hours, commitment burn-down, projected milestone shortfalls."""
        from sqlalchemy.exc import OperationalError

        from tender.ledger.actuals import ActualsError
        from tender.ledger.actuals.planned import planned_from_doc
        from tender.ledger.actuals.report_doc import comparison_json
        from tender.ledger.actuals.report_html import report_html
        from tender.ledger.actuals.variance import actuals_by_month, compare
        from tender.ledger.sql import Database, upgrade
        from tender.ledger.sql.actuals_store import actual_lines, runtime_lines

        check_outputs([(json_path, "--json"), (report, "--report")])
        sc = load_or_exit(scenario)
        if as_of is not None and as_of > sc.horizon + 1:
            fail_bad_input(f"--as-of: month {as_of} is past the horizon ({sc.horizon} months)")
        doc = _plan_doc(sc, plan_path)
        try:
            planned = planned_from_doc(doc, sc, str(plan_path or scenario))
        except ActualsError as exc:
            fail_bad_input(str(exc))
        db = Database(database_url)
        try:
            upgrade(db)
            with db.read() as session:
                actual = actuals_by_month(sc, [*actual_lines(session), *runtime_lines(session)])
        except OperationalError as exc:
            fail_bad_input(no_database(exc))
        finally:
            db.dispose()
        result = compare(sc, planned, actual, as_of)
        if not quiet:
            for table in tables(result, sc):
                console.print(table)
        if result.outside_horizon:
            console.print(f"{result.outside_horizon} actual rows fall outside the horizon (not compared)")
        for path, render in ((json_path, comparison_json), (report, report_html)):
            if path is not None:
                write_atomic(path, render(result, sc))
                if path != STDOUT:
                    console.print(f"wrote {path}")
