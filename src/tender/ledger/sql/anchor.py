"""Anchors for the audit chain's head, so that dropping records from its tail is detected.

A hash chain proves order and integrity, not completeness: without the last records it is a valid
shorter chain. So the head is recorded where truncation cannot hide it:

1. Key: `audit_key.resolve_key(explicit)` is the server's HMAC key: the explicit one (Settings.audit_key), else
   `TENDER_AUDIT_KEY`, else `$TENDER_HOME/audit.key` (32 random bytes, hex, created once with mode 0600).
2. Seal: every write transaction that appended audit records (`audit_store.append` notes the new head in
   `session.info`) inserts, before commit, one checkpoint `(seq, hash, at, mac)` into `audit_checkpoints`,
   where `mac` = HMAC-SHA256(key, canonical JSON of {format, seq, hash}). No key: no checkpoint.
3. Check: `check(checkpoints, hashes, key)` compares every checkpoint with the chain: a checkpoint whose
   record is missing means the tail was cut; a different hash means the record was replaced; a signature
   that does not verify (key given) means the checkpoint was forged.
4. Outside the database: `checkpoint_document(...)` is the JSON a checkpoint is exported as
   (`GET /api/v1/audit/checkpoint`, `tender audit export`), and `tender audit verify --checkpoint FILE` /
   `--head HASH` check a file or a database against it. Deleting both the tail and its checkpoints from the
   database is caught only by such an outside anchor.

Record numbers in messages count from 1 (record N = seq N-1 = line N of the JSONL export).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from tender.ledger.sql.models import AuditCheckpoint

FORMAT = "tender.audit-checkpoint/1"
HEAD_INFO = "audit_head"  # session.info key: (seq, hash) of the last record appended in this transaction
KEY_INFO = "audit_key"


def signed_text(seq: int, head_hash: str) -> bytes:
    body = {"format": FORMAT, "seq": seq, "hash": head_hash}
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sign(key: bytes, seq: int, head_hash: str) -> str:
    return hmac.new(key, signed_text(seq, head_hash), hashlib.sha256).hexdigest()


def note_head(session: Session, seq: int, head_hash: str, at: datetime) -> None:
    session.info[HEAD_INFO] = (seq, head_hash, at)


def seal(session: Session) -> None:
    """Step 2: called by `Database.write()` just before commit."""
    head = session.info.pop(HEAD_INFO, None)
    key = session.info.get(KEY_INFO)
    if head is None or not key:
        return
    seq, head_hash, at = head
    session.add(AuditCheckpoint(seq=seq, hash=head_hash, at=at, mac=sign(key, seq, head_hash)))
    session.flush()


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str
    mac: str | None = None
    at: str | None = None


@dataclass(frozen=True)
class AnchorCheck:
    ok: bool
    anchored: int  # records covered by the latest checkpoint that holds (0 if none)
    message: str = ""


def check(anchors: Sequence[Anchor], hashes: Sequence[str], key: bytes | None) -> AnchorCheck:
    """Step 3: every anchor against the chain's record hashes (index = seq)."""
    anchored = 0
    for a in sorted(anchors, key=lambda x: x.seq):
        record = a.seq + 1
        if key and a.mac is not None and not hmac.compare_digest(a.mac, sign(key, a.seq, a.hash)):
            return AnchorCheck(
                False, anchored, f"checkpoint of record {record}: signature does not verify (forged)"
            )
        if a.seq >= len(hashes):
            return AnchorCheck(
                False,
                anchored,
                f"chain truncated: a checkpoint names record {record} (hash {a.hash[:16]}...) "
                f"but the chain ends at record {len(hashes)}",
            )
        if hashes[a.seq] != a.hash:
            return AnchorCheck(False, anchored, f"record {record} differs from its checkpoint (replaced)")
        anchored = record
    return AnchorCheck(True, anchored)


def stored(session: Session) -> list[Anchor]:
    from sqlalchemy import select

    rows = session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.seq))
    return [Anchor(r.seq, r.hash, r.mac, r.at.isoformat()) for r in rows]


def checkpoint_document(anchor: Anchor) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "seq": anchor.seq,
        "record": anchor.seq + 1,
        "hash": anchor.hash,
        "at": anchor.at,
        "mac": anchor.mac,
    }


def parse_checkpoint(data: Mapping[str, Any]) -> Anchor:
    """A checkpoint document (step 4); ValueError naming the field when it is not one."""
    if data.get("format") != FORMAT:
        raise ValueError(f"format: expected {FORMAT!r}")
    seq, head_hash, mac = data.get("seq"), data.get("hash"), data.get("mac")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise ValueError("seq: expected a whole number >= 0")
    if not isinstance(head_hash, str) or len(head_hash) != 64:
        raise ValueError("hash: expected 64 hex digits")
    if mac is not None and not isinstance(mac, str):
        raise ValueError("mac: expected hex text")
    return Anchor(seq, head_hash, mac, data.get("at") if isinstance(data.get("at"), str) else None)
