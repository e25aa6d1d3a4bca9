"""`registry.COMMANDS` (which module registers which command) against what the modules really register,
and the one-command app of `registry.for_args` against the full app: same command, same help, same
outcome for good and bad arguments."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from tender.cli import registry
from tender.cli.app import app

REPO = Path(__file__).resolve().parents[3]
MINIMAL = str(REPO / "examples" / "minimal.yaml")


def _names(module: str) -> list[str]:
    """The top-level commands and groups `module.register` adds to a bare Typer app."""
    bare = typer.Typer()
    importlib.import_module(f"tender.cli.{module}").register(bare)
    names = [c.name or (c.callback.__name__ if c.callback else "") for c in bare.registered_commands]
    return [n.replace("_", "-") for n in names] + [g.name or "" for g in bare.registered_groups]


def test_the_table_names_what_each_module_registers() -> None:
    found = {name: module for module in registry.MODULES for name in _names(module)}
    assert found == registry.COMMANDS


def test_the_full_app_lists_the_table_in_order() -> None:
    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    assert sorted(group.list_commands(typer.Context(group))) == sorted(registry.COMMANDS)


@pytest.mark.parametrize("name", list(registry.COMMANDS))
def test_the_one_command_app_has_the_same_command(name: str) -> None:
    one_app = registry.for_args([name, "--help"])
    one = typer.main.get_command(one_app)
    assert isinstance(one, typer.core.TyperGroup)
    assert set(one.commands) == {n for n, m in registry.COMMANDS.items() if m == registry.COMMANDS[name]}
    runner = CliRunner()
    assert runner.invoke(one_app, [name, "--help"]).output == runner.invoke(app, [name, "--help"]).output


@pytest.mark.parametrize(
    "args",
    [
        ["validate", MINIMAL],
        ["validate", MINIMAL, "--json", "-", "-q"],
        ["validate", "missing.yaml"],
        ["validate", MINIMAL, "--bogus"],
        ["plan", MINIMAL, "--seed", "-1"],
        ["logs"],
    ],
)
def test_the_one_command_app_answers_like_the_full_app(args: list[str]) -> None:
    runner = CliRunner()
    one = runner.invoke(registry.for_args(args), args)
    full = runner.invoke(app, args)
    assert (one.exit_code, one.output) == (full.exit_code, full.output)


def test_anything_but_a_known_command_gets_every_command() -> None:
    for args in ([], ["--help"], ["valdate"], ["-h", "validate"]):
        built = typer.main.get_command(registry.for_args(args))
        assert isinstance(built, typer.core.TyperGroup)
        assert sorted(built.commands) == sorted(registry.COMMANDS)
