"""/api/v1/audit: read the hash-chained audit log in order, and verify it (lab roles)."""

from __future__ import annotations

import json

from fastapi import APIRouter, Query, Request

from tender.ledger.sql import audit_store
from tender.service.auth import LabUser, Principal
from tender.service.context import ctx_of
from tender.service.payloads import AuditRecordOut, AuditVerifyOut

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])


@router.get("", response_model=list[AuditRecordOut])
def read_audit(
    request: Request,
    after: int = Query(
        -1, ge=-1, le=2**31 - 1, description="return records with seq greater than this (seq is 0-based)"
    ),
    limit: int = Query(100, ge=1, le=1000),
    kind: str | None = Query(None, max_length=64),
    _who: Principal = LabUser,
) -> list[AuditRecordOut]:
    with ctx_of(request).db.read() as session:
        return [
            AuditRecordOut(
                seq=r.seq,
                hash=r.hash,
                prev_hash=r.prev_hash,
                kind=r.kind,
                actor=r.actor,
                at=r.at,
                record=json.loads(r.record),
            )
            for r in audit_store.records(session, after=after, limit=limit, kind=kind)
        ]


@router.get("/verify", response_model=AuditVerifyOut)
def verify_audit(request: Request, _who: Principal = LabUser) -> AuditVerifyOut:
    with ctx_of(request).db.read() as session:
        check = audit_store.verify_chain(session)
    return AuditVerifyOut(
        ok=check.ok,
        records=check.records,
        head=check.head,
        first_bad_seq=check.first_bad_seq,
        message=check.message,
    )
