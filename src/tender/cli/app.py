"""The `tender` command: one Typer app; each command lives in its own module and registers itself
(`registry.COMMANDS` lists them in `--help` order). `app` holds every command (tests, `CliRunner`);
the `tender` script builds only the command it runs (`registry.for_args`, from `entry.main`)."""

from __future__ import annotations

from tender.cli.registry import build

app = build()


def main() -> None:
    app()
