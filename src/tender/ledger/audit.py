"""Tamper-evident audit trail: a hash chain of JSON records (one format for JSONL files and SQL rows).

A record is a JSON object with `seq` (0-based position), `prev` (the previous record's hash, or 64
zeros for the first), the event's own fields, and `hash` = sha256 hex of
`prev` (ASCII) + canonical JSON of the record without `hash`. Canonical JSON: keys sorted, no
spaces (`separators=(",", ":")`), UTF-8, non-ASCII kept as is, no NaN. In a JSONL file each line is
exactly the canonical JSON of one whole record (with `hash`), so any changed byte is detected.

Flow:
1. `append(chain, body)` builds the next record for `body` (a mapping of JSON values);
2. `verify(records)` recomputes every hash and link and returns the index of the first bad
   record, or None when the chain is intact;
3. `dumps_jsonl(records)` / `verify_jsonl(data)` write and check the file format byte for byte.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64
RESERVED = ("seq", "prev", "hash")


def canonical(value: Mapping[str, Any]) -> bytes:
    """Canonical JSON bytes of a mapping: sorted keys, compact, UTF-8, finite numbers only."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def record_hash(prev: str, unhashed: Mapping[str, Any]) -> str:
    """sha256 hex of `prev` + canonical JSON of the record without its `hash` field."""
    return hashlib.sha256(prev.encode("ascii") + canonical(unhashed)).hexdigest()


def head(chain: Sequence[Mapping[str, Any]]) -> str:
    """The hash of the last record (the chain's head), or GENESIS for an empty chain."""
    return str(chain[-1]["hash"]) if chain else GENESIS


def append(chain: Sequence[Mapping[str, Any]], body: Mapping[str, Any]) -> dict[str, Any]:
    """The record that follows `chain` for event `body` (keys `seq`, `prev`, `hash` are reserved).

    Pure: returns the new record; the caller stores it (list, file line or SQL row)."""
    clash = [k for k in RESERVED if k in body]
    if clash:
        raise ValueError(f"audit body may not contain reserved keys {clash}")
    unhashed = {**body, "seq": len(chain), "prev": head(chain)}
    return {**unhashed, "hash": record_hash(str(unhashed["prev"]), unhashed)}


def chain_of(bodies: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """A whole chain for `bodies`, in order."""
    chain: list[dict[str, Any]] = []
    for body in bodies:
        chain.append(append(chain, body))
    return chain


def follows(record: Mapping[str, Any], index: int, prev: str) -> bool:
    """Is `record` a valid record number `index` after a record whose hash is `prev`?"""
    if not isinstance(record, Mapping) or record.get("seq") != index or record.get("prev") != prev:
        return False
    unhashed = {k: v for k, v in record.items() if k != "hash"}
    try:
        return record.get("hash") == record_hash(prev, unhashed)
    except (TypeError, ValueError):
        return False


def verify(records: Sequence[Mapping[str, Any]]) -> int | None:
    """Index of the first record whose seq, link or hash is wrong; None when the chain is intact."""
    prev = GENESIS
    for index, record in enumerate(records):
        if not follows(record, index, prev):
            return index
        prev = str(record["hash"])
    return None


def dumps_jsonl(records: Iterable[Mapping[str, Any]]) -> bytes:
    """The JSONL file bytes: one canonical record per line, each ending with a newline."""
    return b"".join(canonical(r) + b"\n" for r in records)


@dataclass(frozen=True)
class JsonlCheck:
    """Result of checking a JSONL audit log: `bad_line` is 1-based (None = intact)."""

    records: int
    bad_line: int | None
    problem: str
    head: str


def verify_jsonl(data: bytes) -> JsonlCheck:
    """Check a JSONL audit log byte for byte: every line must be the canonical JSON of a record
    whose chain verifies; the file must end with a newline and hold no blank lines."""
    if not data:
        return JsonlCheck(0, None, "", GENESIS)
    lines = data.split(b"\n")
    if lines[-1] != b"":
        return JsonlCheck(
            0, len(lines), "last line is not terminated by a newline (truncated or altered)", GENESIS
        )
    lines = lines[:-1]
    records: list[dict[str, Any]] = []
    for number, raw in enumerate(lines, start=1):
        try:
            record = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
        except (UnicodeDecodeError, ValueError):
            return JsonlCheck(len(records), number, "not a valid JSON record", head(records))
        if not isinstance(record, dict) or canonical(record) != raw:
            return JsonlCheck(len(records), number, "not in canonical form (altered)", head(records))
        if not follows(record, len(records), head(records)):
            return JsonlCheck(
                len(records),
                number,
                "hash chain broken (record altered, removed or reordered)",
                head(records),
            )
        records.append(record)
    return JsonlCheck(len(records), None, "", head(records))


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in an audit record")
