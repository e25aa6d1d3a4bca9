"""Shared terminal helpers for CLI commands: consoles and the bad-input exit."""

from __future__ import annotations

import os
from pathlib import Path
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


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` whole or not at all: a temporary file beside it, then a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
