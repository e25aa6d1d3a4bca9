"""`tender audit verify FILE`: check a hash-chained JSONL audit log.

Exit 0 when intact, 1 naming the first bad record (its line number), 2 when the file cannot be read.
"""

from __future__ import annotations

from pathlib import Path

import typer

from tender.cli.output import console, err_console, fail_bad_input
from tender.ledger.audit import verify_jsonl

EXIT_TAMPERED = 1


def register(app: typer.Typer) -> None:
    audit_app = typer.Typer(help="Audit-trail tools.", no_args_is_help=True)

    @audit_app.command("verify")
    def verify_cmd(file: Path = typer.Argument(..., help="JSONL audit log.")) -> None:
        """Verify every record's hash and link; name the first bad record."""
        try:
            data = file.read_bytes()
        except FileNotFoundError:
            fail_bad_input(f"{file}: file not found (check the path)")
        except IsADirectoryError:
            fail_bad_input(f"{file}: is a directory, not an audit log")
        except OSError as exc:
            fail_bad_input(f"{file}: cannot read ({exc.strerror or exc})")
        check = verify_jsonl(data)
        if check.bad_line is not None:
            err_console.print(
                f"{file}:{check.bad_line}: record {check.bad_line} is bad: {check.problem} "
                f"({check.records} record(s) before it verify)",
                markup=False,
            )
            raise typer.Exit(EXIT_TAMPERED)
        console.print(f"{file}: intact, {check.records} record(s), head {check.head}", markup=False)

    app.add_typer(audit_app, name="audit")
