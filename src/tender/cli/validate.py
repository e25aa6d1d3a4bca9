"""`tender validate FILE [--json PATH]`: check a scenario and print a short summary (exit 2 listing every
problem). `--json` writes {"valid": true, counts...} or {"valid": false, "problems": [...]}.
The summary is `validate_summary`'s; `tender validate FILE [-q]` of a valid file is answered by
`validate_quick` before Typer loads (the same summary, the same bytes)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tender.cli.output import check_outputs, fail_bad_input, json_option, write_atomic
from tender.cli.validate_summary import print_summary, summary_doc

if TYPE_CHECKING:
    from tender.config import InputError
    from tender.domain import Scenario


def load_or_exit(path: Path, json_path: Path | None = None) -> Scenario:
    """Load a scenario for any command; on bad input print every problem and exit 2 (with
    `json_path`, first write the problems there as JSON). pydantic's plugin scan is skipped while it
    loads (`validate_quick.no_pydantic_plugins`)."""
    from tender.cli.validate_quick import no_pydantic_plugins

    with no_pydantic_plugins():
        from tender.config import InputError, load_scenario

        try:
            return load_scenario(str(path))
        except InputError as exc:
            bad = exc
    if json_path is not None:
        write_atomic(json_path, _dumps({"valid": False, "problems": _problems(bad)}), "--json")
    count = len(bad.problems)
    if count == 1 and bad.problems[0].line == 0:  # the file could not be read at all: one line
        fail_bad_input(str(bad.problems[0]))
    fail_bad_input([str(p) for p in bad.problems] + [f"{path}: {count} problem{'s' * (count != 1)} found"])


def _problems(exc: InputError) -> list[dict[str, Any]]:
    return [
        {"file": p.file, "line": p.line, "column": p.column, "field": p.path, "message": p.message}
        for p in exc.problems
    ]


def _dumps(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def register(app: typer.Typer) -> None:
    @app.command()
    def validate(
        file: Path = typer.Argument(..., help="Scenario YAML file."),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only problems."),
        json_path: Annotated[Path | None, json_option("the verdict (counts, or every problem)")] = None,
    ) -> None:
        """Check a scenario file; print a summary, or every problem as FILE:LINE:COL: field: message."""
        check_outputs([(json_path, "--json")])
        sc = load_or_exit(file, json_path)
        if json_path is not None:
            write_atomic(json_path, _dumps(summary_doc(sc)), "--json")
        if not quiet:
            print_summary(sc, file)
