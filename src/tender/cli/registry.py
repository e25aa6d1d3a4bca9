"""Which module registers which `tender` command, and the Typer app built from some or all of them.

1. `COMMANDS` names each top-level command (or group) and the module in `tender.cli` that registers
   it, modules in registration order (`tender --help` lists the commands, then the groups, each in
   that order); `tests/unit/cli/test_cli_registry.py` checks the table against what each module
   really registers.
2. `build(modules)` makes the root Typer app (the error boundary `TenderGroup`, the root callback)
   and lets each module `register(app)`; `tender.cli.app.app` is `build()`, every command.
3. `for_args(argv)`: the `tender` script builds only the module of the command it was given
   (`tender validate FILE` imports and builds one command, not seventy); anything else (`--help`,
   no command, an unknown or misspelt name) gets every command, so Click's help and its
   "No such command" message are the same as before.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

import typer

# command or group name -> the module of `tender.cli` that registers it (registration order)
COMMANDS: dict[str, str] = {
    "validate": "validate",
    "catalog": "catalog",
    "plan": "plan",
    "risk": "risk",
    "compare": "compare",
    "check": "check",
    "actuals": "actuals",
    "ledger": "ledger",
    "simulate": "simulate",
    "rofr": "rofr_cmd",
    "audit": "audit",
    "run": "run",
    "jobs": "jobs",
    "logs": "jobs",
    "cancel": "jobs",
    "pools": "pools",
    "agent": "agent",
    "serve": "serve",
    "token": "token",
    "db": "db",
}
MODULES: tuple[str, ...] = tuple(dict.fromkeys(COMMANDS.values()))
HELP = "Tender: a contract-aware compute broker for AI labs."


def root() -> None:
    """Tender: a contract-aware compute broker for AI labs."""


def build(modules: Sequence[str] = MODULES) -> typer.Typer:
    """The root app with the commands of `modules` (names in `tender.cli`), registered in that order."""
    from tender.cli.boundary import TenderGroup

    app = typer.Typer(
        name="tender",
        help=HELP,
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,  # plain help: the Rich help renderer alone costs ~8x `python -c pass`
        cls=TenderGroup,  # the one error boundary for every command (cli/boundary.py)
    )
    app.callback()(root)
    for name in modules:
        importlib.import_module(f"tender.cli.{name}").register(app)
    return app


def for_args(argv: Sequence[str]) -> typer.Typer:
    """The app for `tender ARGV...`: only the named command's module when ARGV starts with a known
    command, else every command."""
    module = COMMANDS.get(argv[0]) if argv else None
    return build((module,)) if module is not None else build()
