"""/api/v1/audit: read the hash-chained audit log in order, verify it, export it (lab roles).

`/verify` checks the chain and its signed checkpoints (`tender.ledger.sql.anchor`): records cut from the
tail are detected. `/checkpoint` is the latest signed anchor and `/export.jsonl` the log in the JSONL file
format, so that `tender audit verify FILE --checkpoint CP.json` can check a copy kept elsewhere.
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Query, Request, Response

from tender.ledger.sql import anchor, audit_store
from tender.service.auth import LabUser, Principal
from tender.service.context import ctx_of
from tender.service.errors import ApiError
from tender.service.paging import TOTAL_HEADERS
from tender.service.payloads import AuditRecordOut, AuditVerifyOut, CheckpointOut, ErrorOut

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])


@router.get("", response_model=list[AuditRecordOut], responses={200: {"headers": TOTAL_HEADERS}})
def read_audit(
    request: Request,
    response: Response,
    after: int = Query(
        -1, ge=-1, le=2**31 - 1, description="return records with seq greater than this (seq is 0-based)"
    ),
    limit: int = Query(100, ge=1, le=1000),
    kind: str | None = Query(None, max_length=64),
    _who: Principal = LabUser,
) -> list[AuditRecordOut]:
    with ctx_of(request).db.read() as session:
        total = audit_store.count(session, kind=kind)
        found = audit_store.records(session, after=after, limit=limit, kind=kind)
    response.headers["X-Total-Count"] = str(total)
    if len(found) == limit:
        url = request.url.include_query_params(after=found[-1].seq, limit=limit)
        response.headers["Link"] = f'<{url}>; rel="next"'
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
        for r in found
    ]


@router.get("/verify", response_model=AuditVerifyOut)
def verify_audit(request: Request, _who: Principal = LabUser) -> AuditVerifyOut:
    db = ctx_of(request).db
    with db.read() as session:
        check = audit_store.verify_chain(session, db.audit_key)
    return AuditVerifyOut(
        ok=check.ok,
        records=check.records,
        head=check.head,
        first_bad_seq=check.first_bad_seq,
        message=check.message,
        anchored_records=check.anchored,
    )


@router.get("/checkpoint", response_model=CheckpointOut, responses={404: {"model": ErrorOut}})
def audit_checkpoint(request: Request, _who: Principal = LabUser) -> CheckpointOut:
    with ctx_of(request).db.read() as session:
        latest = audit_store.latest_checkpoint(session)
    if latest is None:
        raise ApiError(404, "not_found", "no checkpoint yet (nothing audited, or no audit key)")
    return CheckpointOut(**anchor.checkpoint_document(latest))


@router.get("/export.jsonl", response_class=Response, responses={200: {"content": {"application/jsonl": {}}}})
def audit_export(request: Request, _who: Principal = LabUser) -> Response:
    """The whole chain in the JSONL file format (`tender audit verify FILE`)."""
    with ctx_of(request).db.read() as session:
        data = audit_store.export_jsonl(session)
    return Response(
        data,
        media_type="application/jsonl",
        headers={"Content-Disposition": 'attachment; filename="tender-audit.jsonl"'},
    )
