"""Anchoring the audit chain's head (`tender.ledger.sql.anchor`) and `tender audit verify/export`.

Cut tails, replaced records and forged checkpoints are built by hand (an intruder's edits on a real
SQLite database or on the exported file); the CLI must exit 1 naming the record (numbered from 1), and
exit 2 with one line for input it cannot use.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from audit_tamper import cut_audit_tail
from tender.cli.app import app
from tender.ledger.sql import Database, anchor, audit_store, upgrade

KEY = b"unit-test-key"
T0 = datetime(2026, 7, 1, tzinfo=UTC)
runner = CliRunner()


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("TENDER_AUDIT_KEY", KEY.decode())
    url = f"sqlite:///{tmp_path / 'a.db'}"
    db = Database(url, audit_key=KEY)
    upgrade(db)
    for i in range(6):  # three transactions of two records each: three checkpoints
        with db.write() as session:
            for j in range(2):
                at = T0 + timedelta(minutes=2 * i + j)
                audit_store.append(session, kind="t.event", actor="t", at=at, data={"i": i, "j": j})
    db.dispose()
    return url


def test_every_write_transaction_leaves_one_signed_checkpoint(db_url: str) -> None:
    db = Database(db_url)
    with db.read() as session:
        stored = anchor.stored(session)
        hashes = [r.hash for r in audit_store.records(session, limit=100)]
    db.dispose()
    assert [a.seq for a in stored] == [1, 3, 5, 7, 9, 11]  # the head of each transaction
    assert all(a.hash == hashes[a.seq] and a.mac == anchor.sign(KEY, a.seq, a.hash) for a in stored)


def test_check_by_hand() -> None:
    hashes = ["a" * 64, "b" * 64, "c" * 64]
    good = anchor.Anchor(1, "b" * 64, anchor.sign(KEY, 1, "b" * 64))
    assert anchor.check([good], hashes, KEY) == anchor.AnchorCheck(True, 2)
    cut = anchor.check([anchor.Anchor(4, "e" * 64, anchor.sign(KEY, 4, "e" * 64))], hashes, KEY)
    assert not cut.ok and "record 5" in cut.message and "ends at record 3" in cut.message
    replaced = anchor.check([anchor.Anchor(2, "d" * 64, anchor.sign(KEY, 2, "d" * 64))], hashes, KEY)
    assert not replaced.ok and "record 3 differs" in replaced.message
    forged = anchor.check([anchor.Anchor(1, "b" * 64, "0" * 64)], hashes, KEY)
    assert not forged.ok and "signature" in forged.message
    assert anchor.check([anchor.Anchor(1, "b" * 64, "0" * 64)], hashes, None).ok  # no key: unsigned check


def test_database_verify_detects_a_cut_tail(db_url: str) -> None:
    ok = runner.invoke(app, ["audit", "verify", "--database", db_url])
    assert ok.exit_code == 0 and "12 record(s), 12 anchored" in ok.stdout, ok.output
    cut_audit_tail(db_url, 3)
    bad = runner.invoke(app, ["audit", "verify", "--database", db_url])
    assert bad.exit_code == 1
    # records 1..9 remain; checkpoints name records 2, 4, ..., 12: the first one past the end is record 10
    assert "names record 10" in bad.output and "ends at record 9" in bad.output


def test_export_then_verify_the_file_against_its_checkpoint(db_url: str, tmp_path: Path) -> None:
    out = tmp_path / "audit.jsonl"
    done = runner.invoke(app, ["audit", "export", str(out), "--database", db_url])
    assert done.exit_code == 0, done.output
    checkpoint = out.with_name("audit.jsonl.checkpoint.json")
    doc = json.loads(checkpoint.read_text())
    assert (doc["seq"], doc["record"]) == (11, 12)
    assert runner.invoke(app, ["audit", "verify", str(out), "--checkpoint", str(checkpoint)]).exit_code == 0
    lines = out.read_bytes().splitlines(keepends=True)
    out.write_bytes(b"".join(lines[:-1]))  # the last record dropped: the chain alone still verifies
    assert runner.invoke(app, ["audit", "verify", str(out)]).exit_code == 0
    bad = runner.invoke(app, ["audit", "verify", str(out), "--checkpoint", str(checkpoint)])
    assert bad.exit_code == 1 and "record 12" in bad.output
    bad = runner.invoke(app, ["audit", "verify", str(out), "--head", doc["hash"]])
    assert bad.exit_code == 1 and "not in the chain" in bad.output
    earlier = json.loads(lines[4])["hash"]
    assert runner.invoke(app, ["audit", "verify", str(out), "--head", earlier]).exit_code == 0
    checkpoint.write_text(json.dumps({**doc, "seq": 3, "record": 4, "hash": json.loads(lines[3])["hash"]}))
    forged = runner.invoke(app, ["audit", "verify", str(out), "--checkpoint", str(checkpoint)])
    assert forged.exit_code == 1 and "signature does not verify" in forged.output


@pytest.mark.parametrize(
    "args",
    [
        ["audit", "verify"],
        ["audit", "verify", "x.jsonl", "--database", "sqlite:///x.db"],
        ["audit", "verify", "--database", "foo://nowhere"],
        ["audit", "verify", "--database", "sqlite:///{tmp}/empty.db"],
        ["audit", "verify", "{tmp}/a.jsonl", "--head", "not-a-hash"],
        ["audit", "verify", "{tmp}/a.jsonl", "--checkpoint", "{tmp}/bad.json"],
        ["audit", "verify", "{tmp}/a.jsonl", "--checkpoint", "{tmp}"],
    ],
)
def test_unusable_input_is_one_line_and_exit_2(args: list[str], tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_bytes(b"")
    (tmp_path / "bad.json").write_text('{"format": "something else"}')
    result = runner.invoke(app, [a.replace("{tmp}", str(tmp_path)) for a in args])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert len(result.output.strip().splitlines()) == 1, result.output


def test_database_verify_with_a_head(db_url: str) -> None:
    db = Database(db_url)
    with db.read() as session:
        fifth = audit_store.records(session, limit=100)[4].hash
    db.dispose()
    assert runner.invoke(app, ["audit", "verify", "--database", db_url, "--head", fifth]).exit_code == 0
    gone = runner.invoke(app, ["audit", "verify", "--database", db_url, "--head", "f" * 64])
    assert gone.exit_code == 1 and "not in the chain" in gone.output
