"""The `tender` command: one Typer app; each command lives in its own module and registers itself."""

from __future__ import annotations

import typer

from tender.cli import (
    actuals,
    agent,
    audit,
    catalog,
    check,
    compare,
    db,
    jobs,
    ledger,
    plan,
    pools,
    risk,
    rofr_cmd,
    run,
    serve,
    simulate,
    token,
    validate,
)
from tender.cli.boundary import TenderGroup

app = typer.Typer(
    name="tender",
    help="Tender: a contract-aware compute broker for AI labs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: the Rich help renderer alone costs ~8x `python -c pass` at start-up
    cls=TenderGroup,  # the one error boundary for every command (cli/boundary.py)
)


@app.callback()
def root() -> None:
    """Tender: a contract-aware compute broker for AI labs."""


# One line per command module, in the order `tender --help` lists them.
for module in (
    validate,
    catalog,
    plan,
    risk,
    compare,
    check,
    actuals,
    ledger,
    simulate,
    rofr_cmd,
    audit,
    run,
    jobs,
    pools,
    agent,
    serve,
    token,
    db,
):
    module.register(app)


def main() -> None:
    app()
