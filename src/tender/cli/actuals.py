"""`tender actuals import|report`: FOCUS cost files into the ledger database, and plan vs actual.

1. `import FILE.csv`: load the mapping (`--mapping`, defaults from the catalog) and the scenario
   (`--scenario`, optional: then providers and horizon are checked), migrate the database, stream the
   file into it in one transaction (`tender.ledger.actuals.import_file`). A bad row prints
   `FILE:LINE: column: problem` and exits 2 with nothing stored.
2. `report SCENARIO`: read the plan (`--plan PLAN.json`, else plan the scenario now), the actuals
   (imported rows and the runtime's metered use), compute plan vs actual (`tender.ledger.actuals.variance`)
   and print Rich tables; `--json` and `--report` (self-contained HTML) are written whole or not at all.
"""

from __future__ import annotations

from pathlib import Path

import typer

from tender.cli.output import console, fail_bad_input, no_database
from tender.cli.serve import DB_HELP
from tender.cli.validate import load_or_exit

actuals_app = typer.Typer(
    help="Actual spend: import FOCUS cost files, compare them with the plan.", no_args_is_help=True
)


@actuals_app.command("import")
def import_cmd(
    file: Path = typer.Argument(..., help="FOCUS 1.0-1.2 cost-and-usage CSV."),
    provider: str | None = typer.Option(None, "--provider", help="Scenario provider id of every row."),
    mapping: Path | None = typer.Option(
        None,
        "--mapping",
        help="Mapping YAML: SKU / instance type -> accelerator and count (docs/actuals.md).",
    ),
    scenario: Path | None = typer.Option(
        None, "--scenario", help="Scenario YAML: rows must name its providers and fall in its horizon."
    ),
    database_url: str | None = typer.Option(
        None, "--database-url", envvar="TENDER_DATABASE_URL", help=DB_HELP
    ),
) -> None:
    """Import a FOCUS file into the ledger database (twice adds nothing; one bad row stores nothing)."""
    from sqlalchemy.exc import OperationalError

    from tender.ledger.actuals import ActualsError, import_file, load_mapping
    from tender.ledger.sql import Database, upgrade

    sc = load_or_exit(scenario) if scenario is not None else None
    try:
        rules = load_mapping(mapping)
    except ActualsError as exc:
        fail_bad_input(str(exc))
    db = Database(database_url)
    try:
        upgrade(db)
        result = import_file(db, file, rules, provider=provider, scenario=sc)
    except ActualsError as exc:
        fail_bad_input(str(exc))  # one transaction: nothing of the file is stored
    except OperationalError as exc:
        fail_bad_input(no_database(exc))
    finally:
        db.dispose()
    console.print(
        f"{file}: {result.read} rows read, {result.added} added, {result.already_stored} already stored",
        markup=False,
    )


def register(app: typer.Typer) -> None:
    from tender.cli import actuals_report

    actuals_report.register(actuals_app)
    app.add_typer(actuals_app, name="actuals")
