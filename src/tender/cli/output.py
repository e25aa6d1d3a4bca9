"""Shared terminal helpers for CLI commands: consoles and the bad-input exit."""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console

console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)

EXIT_BAD_INPUT = 2


def fail_bad_input(lines: list[str] | str) -> NoReturn:
    """Print one or more problems to stderr (no markup interpretation) and exit with code 2."""
    for line in [lines] if isinstance(lines, str) else lines:
        err_console.print(line, markup=False)
    raise typer.Exit(EXIT_BAD_INPUT)
