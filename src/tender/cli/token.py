"""`tender token create --role ROLE`: make an API token; the secret is printed once, only its hash is kept."""

from __future__ import annotations

import typer

from tender.cli.output import console, fail_bad_input
from tender.cli.serve import DB_HELP
from tender.clocks import SystemClock

token_app = typer.Typer(
    help="API tokens (admin, planner, skypilot, team:NAME, provider:ID).", no_args_is_help=True
)


@token_app.command("create")
def create(
    role: str = typer.Option(..., "--role", help="admin | planner | skypilot | team:NAME | provider:ID"),
    label: str = typer.Option("", help="A note shown in token lists."),
    database_url: str | None = typer.Option(
        None, "--database-url", envvar="TENDER_DATABASE_URL", help=DB_HELP
    ),
) -> None:
    """Create a token in the database `tender serve` reads; print the secret once."""
    from tender.ledger.sql import Database, audit_store, token_store, upgrade

    try:
        parsed, subject = token_store.parse_role(role)
    except ValueError as exc:
        fail_bad_input(f"--role: {exc}")
    db = Database(database_url)
    try:
        upgrade(db)
        now = SystemClock().now()
        with db.write() as session:
            new = token_store.create(
                session, role=parsed, subject=subject, now=now, created_by="cli", label=label
            )
            audit_store.append(
                session, kind="token.created", actor="cli", at=now, data={"token": new.id, "role": role}
            )
    finally:
        db.dispose()
    console.print(new.token, markup=False)
    typer.echo(f"token {new.id} for {role}: shown once, store it now", err=True)


def register(app: typer.Typer) -> None:
    app.add_typer(token_app, name="token")
