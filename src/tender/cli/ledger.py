"""`tender ledger export --focus OUT.csv`: the books as FOCUS 1.0 cost-and-usage rows (docs/ledger.md).

1. Source: `--plan PLAN.json SCENARIO` (a plan's charges, penalties and revenue share; the plan must
   be of that scenario) or `--database-url URL` (the runtime's metered usage in `ledger_entries`).
2. Rows: `tender.ledger.focus.plan_rows` / `usage_rows` (pure); `render_csv` sorts them. With
   `--focus-commitments C.csv` (and a SCENARIO), also FOCUS 1.3's Contract Commitment dataset of the
   scenario's commitments (`tender.ledger.focus.commitments`).
3. Write the outputs whole or not at all (`write_outputs`: staged, then renamed); a missing or foreign
   plan, an unreadable database or an unwritable output is one line on stderr and exit 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from tender.cli.check import _read_plan
from tender.cli.output import Output, console, fail_bad_input, write_outputs
from tender.cli.serve import DB_HELP
from tender.cli.validate import load_or_exit

if TYPE_CHECKING:
    from tender.ledger.focus.columns import FocusRow

ledger_app = typer.Typer(help="The ledger's books: FOCUS export.", no_args_is_help=True)


def _from_plan(plan_path: Path, scenario: Path) -> list[FocusRow]:
    from tender.ledger.focus import PlanMismatch, plan_rows

    sc = load_or_exit(scenario)
    doc = _read_plan(plan_path)
    try:
        return list(plan_rows(sc, doc))
    except PlanMismatch as exc:
        fail_bad_input(f"{plan_path}: {exc} ({scenario})")
    except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
        fail_bad_input(f"{plan_path}: not a plan JSON of `tender plan --json` (field {exc})")


def _from_database(url: str | None, account: str) -> list[FocusRow]:
    from sqlalchemy.exc import SQLAlchemyError

    from tender.ledger.focus import usage_rows
    from tender.ledger.sql import Database
    from tender.ledger.sql.runtime_ledger import usage_entries

    try:
        db = Database(url)
        try:
            with db.read() as session:
                entries = usage_entries(session)
        finally:
            db.dispose()
    except (SQLAlchemyError, ValueError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        fail_bad_input(f"--database-url: cannot read the ledger ({first})")
    return list(usage_rows(entries, account))


@ledger_app.command("export")
def export_cmd(
    focus: Path = typer.Option(..., "--focus", help="Write the FOCUS 1.0 CSV here."),
    scenario: Path | None = typer.Argument(None, help="Scenario YAML the plan was made from (with --plan)."),
    plan: Path | None = typer.Option(None, "--plan", help="Plan JSON written by `tender plan --json`."),
    database_url: str | None = typer.Option(None, "--database-url", help=DB_HELP),
    account: str = typer.Option("tender", "--account", help="Billing account name for runtime usage."),
    preview_names: bool = typer.Option(
        False,
        "--preview-names",
        help="Also write InvoiceIssuer, Provider, Publisher, ResourceID, ChargeType (focus-validator 1.0.0).",
    ),
    commitments: Path | None = typer.Option(
        None,
        "--focus-commitments",
        help="Also write the scenario's commitments as FOCUS 1.3's Contract Commitment dataset (CSV).",
    ),
) -> None:
    """Export the books as FOCUS 1.0 rows: a plan's (--plan PLAN.json SCENARIO) or the runtime's (--database-url)."""
    from tender.ledger.focus import render_csv

    if (plan is None) == (database_url is None):
        fail_bad_input("give either --plan PLAN.json SCENARIO or --database-url URL")
    if commitments is not None and scenario is None:
        fail_bad_input("--focus-commitments: needs the SCENARIO whose commitments it lists")
    if plan is not None:
        if scenario is None:
            fail_bad_input(f"{plan}: --plan needs the SCENARIO the plan was made from")
        rows = _from_plan(plan, scenario)
    else:
        rows = _from_database(database_url, account)
    outputs = [Output(focus, render_csv(rows, preview_names=preview_names), "--focus")]
    done = [f"wrote {focus} ({len(rows)} FOCUS rows)"]
    if commitments is not None and scenario is not None:
        from tender.ledger.focus.commitments import commitment_rows, render_commitments_csv

        terms = commitment_rows(load_or_exit(scenario))
        outputs.append(Output(commitments, render_commitments_csv(terms), "--focus-commitments"))
        done.append(f"wrote {commitments} ({len(terms)} contract commitments)")
    write_outputs(outputs)
    for line in done:
        console.print(line, markup=False)


def register(app: typer.Typer) -> None:
    app.add_typer(ledger_app, name="ledger")
