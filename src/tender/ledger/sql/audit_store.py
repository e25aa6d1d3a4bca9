"""The audit chain in SQL: the same hash-chained records as `tender.ledger.audit`, one row each.

1. `append(session, ...)` runs inside a serialized write transaction (`Database.write()`): it reads the
   head (highest seq), builds the next record with `tender.ledger.audit`'s format, and inserts it. `seq` is
   the primary key and `prev_hash` is unique, so even a writer that bypassed the lock could not fork it.
   Times never go backwards along the chain: a record is stamped `max(at, the head's at)` (writers on other
   machines, a clock stepped back, or a caller holding an earlier `now` cannot put a record before its
   predecessor); `append` returns the stored row, whose `at` is the time used.
   The new head is noted for the transaction's checkpoint (`anchor.seal`).
2. `records(session, after, limit)` pages through the chain in order.
3. `verify_chain(session, key)` re-reads every stored record and checks it with `tender.ledger.audit.verify`,
   checks the `hash` column against the record, and checks the signed checkpoints (`anchor.py`), so a cut
   tail is detected; `export_jsonl` writes the JSONL file format, `latest_checkpoint` its anchor.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tender.ledger import audit
from tender.ledger.sql import anchor, chain
from tender.ledger.sql.models import AuditCheckpoint, AuditRecord


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    records: int
    head: str
    first_bad_seq: int | None = None
    message: str = ""
    anchored: int = 0  # records covered by the latest checkpoint that holds


def head(session: Session) -> tuple[int, str]:
    """(seq of the last record, its hash), or (-1, GENESIS) for an empty chain."""
    seq, prev, _ = _head(session)
    return seq, prev


def _head(session: Session) -> tuple[int, str, datetime | None]:
    row = session.execute(
        select(AuditRecord.seq, AuditRecord.hash, AuditRecord.at).order_by(AuditRecord.seq.desc()).limit(1)
    ).first()
    return (-1, chain.GENESIS, None) if row is None else (int(row[0]), str(row[1]), row[2])


def append(session: Session, *, kind: str, actor: str, at: datetime, data: dict[str, Any]) -> AuditRecord:
    seq, prev, last = _head(session)
    if last is not None and at < last:
        at = last  # monotonic along the chain (step 1)
    record = chain.make_record(seq + 1, prev, at, kind, actor, data)
    row = AuditRecord(
        seq=seq + 1,
        hash=record["hash"],
        prev_hash=prev,
        kind=kind,
        actor=actor,
        at=at,
        record=chain.text_of(record),
    )
    session.add(row)
    session.flush()
    anchor.note_head(session, row.seq, row.hash, at)
    return row


def records(
    session: Session, after: int = -1, limit: int = 100, kind: str | None = None
) -> list[AuditRecord]:
    query = select(AuditRecord).where(AuditRecord.seq > after)
    if kind:
        query = query.where(AuditRecord.kind == kind)
    return list(session.scalars(query.order_by(AuditRecord.seq).limit(limit)))


def count(session: Session, kind: str | None = None) -> int:
    query = select(func.count()).select_from(AuditRecord)
    if kind:
        query = query.where(AuditRecord.kind == kind)
    return int(session.scalar(query) or 0)


def verify_chain(
    session: Session, key: bytes | None = None, outside: Sequence[anchor.Anchor] = ()
) -> ChainCheck:
    """The chain, its columns, and its checkpoints (stored, plus `outside` ones: `--checkpoint`); messages
    number records from 1. With `key`, checkpoint signatures are verified too."""
    rows = list(session.scalars(select(AuditRecord).order_by(AuditRecord.seq)))
    parsed: list[dict[str, Any]] = []
    for row in rows:
        try:
            parsed.append(json.loads(row.record))
        except ValueError:
            return ChainCheck(False, len(rows), "", row.seq, f"record {row.seq + 1} is not valid JSON")
    bad = chain.verify(parsed)
    last = rows[-1].hash if rows else chain.GENESIS
    if bad is not None:
        number = bad + 1
        return ChainCheck(False, len(rows), last, rows[bad].seq, f"record {number}: hash chain broken")
    for row, rec in zip(rows, parsed, strict=True):
        if rec["hash"] != row.hash or rec["seq"] != row.seq or rec["prev"] != row.prev_hash:
            return ChainCheck(
                False, len(rows), last, row.seq, f"record {row.seq + 1}: columns differ from the record"
            )
    anchors = [*anchor.stored(session), *outside]
    held = anchor.check(anchors, [r.hash for r in rows], key)
    if not held.ok:
        return ChainCheck(False, len(rows), last, None, held.message, held.anchored)
    return ChainCheck(True, len(rows), last, anchored=held.anchored)


def latest_checkpoint(session: Session) -> anchor.Anchor | None:
    row = session.scalar(select(AuditCheckpoint).order_by(AuditCheckpoint.seq.desc()).limit(1))
    return None if row is None else anchor.Anchor(row.seq, row.hash, row.mac, row.at.isoformat())


def export_jsonl(session: Session) -> bytes:
    """The whole chain in the JSONL file format (`tender audit verify FILE` reads it)."""
    rows = session.scalars(select(AuditRecord.record).order_by(AuditRecord.seq))
    return audit.dumps_jsonl(json.loads(text) for text in rows)
