"""Adapter from SQL rows to the one audit record format, `tender.ledger.audit` (no second format here).

A stored row keeps the record's canonical JSON text verbatim (exactly a line of the JSONL format), plus
`seq` / `hash` / `prev_hash` columns for ordering and uniqueness.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from tender.ledger import audit

GENESIS = audit.GENESIS


def canonical(value: Any) -> str:
    """Canonical JSON text of any JSON-able value (Decimals and datetimes as strings)."""
    return json.dumps(
        json_safe(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def json_safe(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def make_record(
    seq: int, prev: str, at: datetime, kind: str, actor: str, data: dict[str, Any]
) -> dict[str, Any]:
    """Record number `seq` (0-based) after a record whose hash is `prev`, in `tender.ledger.audit` format."""
    body = {
        "at": at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "kind": kind,
        "actor": actor,
        "data": json_safe(data),
    }
    unhashed = {**body, "seq": seq, "prev": prev}
    record = {**unhashed, "hash": audit.record_hash(prev, unhashed)}
    if not audit.follows(record, seq, prev):  # the format's own check: never store a record it rejects
        raise ValueError("built an audit record that does not verify")
    return record


def text_of(record: dict[str, Any]) -> str:
    return audit.canonical(record).decode("utf-8")


def verify(records: list[dict[str, Any]]) -> int | None:
    return audit.verify(records)
