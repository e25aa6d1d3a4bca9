"""The audit chain: hashing, verification, the JSONL format and `tender audit verify`."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tender.cli.app import app
from tender.ledger.audit import GENESIS, append, chain_of, dumps_jsonl, head, verify, verify_jsonl

BODIES = [
    {"kind": "notice_issued", "clause": "c-rofr", "data": {"gpus": "20000", "price": "6.5"}},
    {"kind": "holder_declined", "clause": "c-rofr", "data": {"note": "déclin"}},
    {"kind": "award", "clause": None, "data": {}},
]


def test_chain_links_and_head() -> None:
    chain = chain_of(BODIES)
    assert chain[0]["prev"] == GENESIS
    assert [r["seq"] for r in chain] == [0, 1, 2]
    assert all(chain[i]["prev"] == chain[i - 1]["hash"] for i in (1, 2))
    assert verify(chain) is None
    assert head(chain) == chain[-1]["hash"] and head([]) == GENESIS


def test_same_bodies_same_head_and_order_matters() -> None:
    assert head(chain_of(BODIES)) == head(chain_of([dict(b) for b in BODIES]))
    assert head(chain_of(reversed(BODIES))) != head(chain_of(BODIES))


@pytest.mark.parametrize("index", [0, 1, 2])
def test_verify_names_first_altered_record(index: int) -> None:
    chain = chain_of(BODIES)
    chain[index] = {**chain[index], "kind": "forged"}
    assert verify(chain) == index


def test_removed_record_is_detected() -> None:
    chain = chain_of(BODIES)
    assert verify([chain[0], chain[2]]) == 1


def test_reserved_keys_refused() -> None:
    with pytest.raises(ValueError, match="reserved"):
        append([], {"hash": "x"})


def test_every_single_flipped_byte_is_detected() -> None:
    data = dumps_jsonl(chain_of(BODIES))
    assert verify_jsonl(data).bad_line is None
    for position in range(len(data)):
        for mask in (0x01, 0x20, 0x80):
            tampered = bytearray(data)
            tampered[position] ^= mask
            check = verify_jsonl(bytes(tampered))
            assert check.bad_line is not None, (position, mask)
            line_of_byte = data[:position].count(b"\n") + 1
            assert check.bad_line <= line_of_byte + 1


runner = CliRunner()


def test_cli_verify_exit_codes(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    log.write_bytes(dumps_jsonl(chain_of(BODIES)))
    result = runner.invoke(app, ["audit", "verify", str(log)])
    assert result.exit_code == 0, result.output
    assert "intact, 3 record(s)" in result.output

    lines = log.read_bytes().split(b"\n")
    lines[1] = lines[1].replace(b"holder_declined", b"holder_exercised")
    log.write_bytes(b"\n".join(lines))
    result = runner.invoke(app, ["audit", "verify", str(log)])
    assert result.exit_code == 1
    assert f"{log}:2: record 2 is bad" in result.output

    result = runner.invoke(app, ["audit", "verify", str(tmp_path / "missing.jsonl")])
    assert result.exit_code == 2
    assert "file not found" in result.output


def test_cli_verify_empty_log_is_intact(tmp_path: Path) -> None:
    log = tmp_path / "empty.jsonl"
    log.write_bytes(b"")
    assert runner.invoke(app, ["audit", "verify", str(log)]).exit_code == 0
