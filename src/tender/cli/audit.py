"""`tender audit verify` / `tender audit export`: check a hash-chained audit log, a file or a database.

1. `verify FILE` checks every line of a JSONL log; `verify --database URL` checks the chain stored in a
   database, its columns and its signed checkpoints (`tender.ledger.sql.anchor`).
2. `--head HASH` (a head printed or stored earlier) and `--checkpoint FILE` (a signed checkpoint saved from
   `GET /api/v1/audit/checkpoint` or `tender audit export`) anchor the tail: if that record is gone, the
   log was cut. Signatures are checked with the server's key when it is at hand (TENDER_AUDIT_KEY or
   $TENDER_HOME/audit.key).
3. `verify --json PATH` also writes the verdict: {"intact": true, "source", "records", "head", ...} or
   {"intact": false, "source", "problem"} (`-` = stdout).
4. `export --database URL OUT` writes the log (JSONL) and its latest checkpoint (`OUT.checkpoint.json`).

Exit 0 when intact, 1 naming the first bad record (numbered from 1, its line in the JSONL), 2 when an
input cannot be read.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tender.cli.output import (
    Output,
    check_outputs,
    console,
    err_console,
    fail_bad_input,
    json_option,
    write_atomic,
    write_outputs,
)

if TYPE_CHECKING:
    from tender.ledger.sql import Database, anchor

EXIT_TAMPERED = 1
HEX64 = re.compile(r"^[0-9a-f]{64}$")


def _read(file: Path, what: str) -> bytes:
    try:
        return file.read_bytes()
    except FileNotFoundError:
        fail_bad_input(f"{file}: file not found (check the path)")
    except IsADirectoryError:
        fail_bad_input(f"{file}: is a directory, not {what}")
    except OSError as exc:
        fail_bad_input(f"{file}: cannot read ({exc.strerror or exc})")


def _checkpoint(file: Path | None) -> list[anchor.Anchor]:
    from tender.ledger.sql import anchor

    if file is None:
        return []
    try:
        data = json.loads(_read(file, "a checkpoint file").decode("utf-8"))
        if not isinstance(data, dict):
            raise ValueError("expected a JSON object")
        return [anchor.parse_checkpoint(data)]
    except (UnicodeDecodeError, ValueError) as exc:
        fail_bad_input(f"{file}: not a checkpoint file ({exc})")


def _head(value: str | None) -> str | None:
    if value is not None and not HEX64.match(value):
        fail_bad_input(f"--head: expected the 64 hex digits of a record hash, got {value[:80]!r}")
    return value


class Tampered(Exception):
    """The log is not intact: `where` (the file and line, or `database`) and what is wrong."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where, self.message = where, message


def _tampered(where: str, message: str) -> None:
    raise Tampered(where, message)


def _check_anchors(where: str, hashes: list[str], head: str | None, outside: list[anchor.Anchor]) -> int:
    from tender.ledger.sql import anchor

    key = _key()
    held = anchor.check(outside, hashes, key)
    if not held.ok:
        _tampered(where, held.message)
    if head is not None and head not in hashes:
        _tampered(
            where, f"head {head[:16]}... is not in the chain (records cut from the tail, or another log)"
        )
    return held.anchored


def _key() -> bytes | None:
    from tender.ledger.sql.audit_key import resolve_key

    return resolve_key(None, create=False)


def _verify_file(file: Path, head: str | None, outside: list[anchor.Anchor]) -> dict[str, Any]:
    from tender.ledger.audit import verify_jsonl

    data = _read(file, "an audit log")
    check = verify_jsonl(data)
    if check.bad_line is not None:
        _tampered(
            f"{file}:{check.bad_line}",
            f"record {check.bad_line} is bad: {check.problem} ({check.records} record(s) before it verify)",
        )
    hashes = [str(json.loads(line)["hash"]) for line in data.splitlines() if line]
    anchored = _check_anchors(str(file), hashes, head, outside)
    console.print(f"{file}: intact, {check.records} record(s), head {check.head}", markup=False)
    return {"source": str(file), "records": check.records, "head": check.head, "anchored": anchored}


def _open_database(url: str) -> Database:
    from tender.ledger.sql import Database

    try:
        return Database(url, audit_key=_key())
    except Exception as exc:  # a malformed URL or a missing driver
        fail_bad_input(f"--database: cannot use {url!r} ({str(exc).splitlines()[0][:200]})")


def _verify_database(url: str, head: str | None, outside: list[anchor.Anchor]) -> dict[str, Any]:
    from sqlalchemy.exc import SQLAlchemyError

    from tender.ledger.sql import audit_store

    db = _open_database(url)
    try:
        with db.read() as session:
            check = audit_store.verify_chain(session, db.audit_key, outside)
            hashes = [r.hash for r in audit_store.records(session, limit=2**31 - 1)] if head else []
    except SQLAlchemyError as exc:
        fail_bad_input(f"--database: cannot read the audit log ({str(exc).splitlines()[0][:200]})")
    finally:
        db.dispose()
    if not check.ok:
        _tampered("database", check.message)
    if head is not None:
        _check_anchors("database", hashes, head, [])
    signed = "signatures checked" if db.audit_key else "signatures not checked (no audit key here)"
    console.print(
        f"database: intact, {check.records} record(s), {check.anchored} anchored by checkpoints "
        f"({signed}), head {check.head}",
        markup=False,
    )
    return {
        "source": "database",
        "records": check.records,
        "head": check.head,
        "anchored": check.anchored,
        "signatures_checked": bool(db.audit_key),
    }


def _write_verdict(json_path: Path | None, verdict: dict[str, Any]) -> None:
    if json_path is not None:
        write_atomic(json_path, json.dumps(verdict, indent=2, sort_keys=True) + "\n", "--json")


def verify_cmd(
    file: Path | None = typer.Argument(None, help="JSONL audit log (or give --database)."),
    database: str | None = typer.Option(None, "--database", help="Verify the log stored in this database."),
    head: str | None = typer.Option(
        None, "--head", help="A head hash recorded earlier: it must be in the log."
    ),
    checkpoint: Path | None = typer.Option(
        None, "--checkpoint", help="A signed checkpoint JSON saved earlier."
    ),
    json_path: Annotated[Path | None, json_option("the verdict")] = None,
) -> None:
    """Verify every record's hash and link, and that the anchored tail is still there."""
    if (file is None) == (database is None):
        fail_bad_input("give either FILE or --database URL (exactly one)")
    check_outputs([(json_path, "--json")])
    outside = _checkpoint(checkpoint)
    try:
        if database is not None:
            verdict = {"intact": True, **_verify_database(database, _head(head), outside)}
        else:
            assert file is not None
            verdict = {"intact": True, **_verify_file(file, _head(head), outside)}
    except Tampered as exc:
        source = "database" if database is not None else str(file)
        _write_verdict(
            json_path, {"intact": False, "source": source, "where": exc.where, "problem": exc.message}
        )
        err_console.print(str(exc), markup=False)
        raise typer.Exit(EXIT_TAMPERED) from None
    _write_verdict(json_path, verdict)


def export_cmd(
    out: Path = typer.Argument(..., help="JSONL file to write (its checkpoint goes to OUT.checkpoint.json)."),
    database: str = typer.Option(..., "--database", help="The database whose log to export."),
) -> None:
    """Write the database's audit log as JSONL, with its latest signed checkpoint beside it."""
    from sqlalchemy.exc import SQLAlchemyError

    from tender.ledger.sql import anchor, audit_store

    checkpoint = out.with_name(out.name + ".checkpoint.json")
    check_outputs([(out, ""), (checkpoint, "")])
    db = _open_database(database)
    try:
        with db.read() as session:
            data = audit_store.export_jsonl(session)
            latest = audit_store.latest_checkpoint(session)
    except SQLAlchemyError as exc:
        fail_bad_input(f"--database: cannot read the audit log ({str(exc).splitlines()[0][:200]})")
    finally:
        db.dispose()
    outputs = [Output(out, data, "")]
    if latest is not None:
        doc = json.dumps(anchor.checkpoint_document(latest), indent=2, sort_keys=True) + "\n"
        outputs.append(Output(checkpoint, doc, ""))
    write_outputs(outputs)  # both or neither
    records = data.count(b"\n")
    console.print(f"{out}: {records} record(s)", markup=False)


def register(app: typer.Typer) -> None:
    audit_app = typer.Typer(help="Audit-trail tools.", no_args_is_help=True)

    audit_app.command("verify")(verify_cmd)
    audit_app.command("export")(export_cmd)

    app.add_typer(audit_app, name="audit")
