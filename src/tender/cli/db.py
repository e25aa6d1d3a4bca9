"""`tender db upgrade`: bring the database (SQLite or PostgreSQL) to the newest schema."""

from __future__ import annotations

import typer

from tender.cli.output import console
from tender.cli.serve import DB_HELP

db_app = typer.Typer(
    help="Database schema (Alembic migrations shipped in the package).", no_args_is_help=True
)


@db_app.command("upgrade")
def upgrade_cmd(
    database_url: str | None = typer.Option(
        None, "--database-url", envvar="TENDER_DATABASE_URL", help=DB_HELP
    ),
) -> None:
    """Apply every migration not yet applied; print the revision now current."""
    from tender.ledger.sql import Database, upgrade

    db = Database(database_url)
    try:
        revision = upgrade(db)
    finally:
        db.dispose()
    console.print(f"database at revision {revision}", markup=False)


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
