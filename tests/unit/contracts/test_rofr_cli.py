"""`tender rofr replay`: JSON output, the audit log it writes, and exit 2 on a malformed case."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tender.cli.app import app
from tender.ledger.audit import verify_jsonl

CASES = Path(__file__).resolve().parents[2] / "scenarios" / "rofr"
runner = CliRunner()


def test_replay_writes_json_and_audit(tmp_path: Path) -> None:
    out, audit = tmp_path / "out.json", tmp_path / "audit.jsonl"
    case = CASES / "issue-example-partial-exercise.yaml"
    result = runner.invoke(app, ["rofr", "replay", str(case), "--json", str(out), "--audit", str(audit)])
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text())
    assert {"notices", "awards", "rejected", "audit_head", "events"} <= set(document)
    notice = document["notices"][0]
    assert {
        "id",
        "need",
        "holder",
        "clause",
        "issued_at",
        "deadline",
        "status",
        "exercised_gpus",
        "released_gpus",
    } <= set(notice)
    assert notice["status"] == "partially_exercised"
    check = verify_jsonl(audit.read_bytes())
    assert check.bad_line is None and check.head == document["audit_head"]
    assert check.records == len(document["events"])
    # deterministic: byte-identical on a second run
    again = tmp_path / "again.json"
    runner.invoke(app, ["rofr", "replay", str(case), "--json", str(again)])
    assert again.read_bytes() == out.read_bytes()


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "lab.yaml").write_text((CASES / "scenarios" / "lab.yaml").read_text())
    path = tmp_path / "case.yaml"
    path.write_text(text)
    return path


def test_malformed_case_exits_2_with_location(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "scenario: lab.yaml\nevents:\n  - {at: 2026-07-01T00:00:00Z, respond: {need: n1, holder: x, exercise: 3}}\n",
    )
    result = runner.invoke(app, ["rofr", "replay", str(path)])
    assert result.exit_code == 2
    assert f"{path}:3:" in result.output and "events[0].respond.exercise" in result.output


def test_bad_timestamp_and_two_commands(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "scenario: lab.yaml\nevents:\n  - {at: yesterday, tick: {}}\n  - {at: 2026-07-01T00:00:00Z, tick: {}, signed: {need: a, provider: b, gpus: 1, price: 1}}\n",
    )
    result = runner.invoke(app, ["rofr", "replay", str(path)])
    assert result.exit_code == 2
    assert "exactly one of" in result.output


def test_missing_scenario_and_missing_case(tmp_path: Path) -> None:
    path = _write(tmp_path, "scenario: nowhere.yaml\nevents: []\n")
    result = runner.invoke(app, ["rofr", "replay", str(path)])
    assert result.exit_code == 2 and "scenario file not found" in result.output
    result = runner.invoke(app, ["rofr", "replay", str(tmp_path / "none.yaml")])
    assert result.exit_code == 2 and "file not found" in result.output
