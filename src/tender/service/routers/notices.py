"""/api/v1/notices: the lab sees every notice; a provider only its own, redacted; only a holder answers.

Answering (POST /api/v1/notices/{id}/respond):
1. only a `provider:ID` token may answer, and only a notice addressed to ID (another provider's notice is a
   404, exactly as a missing one, and the attempt is audited);
2. an `Idempotency-Key` header makes retries safe: the first outcome (success or refusal) is stored under
   (caller, key) in the same transaction and replayed for every retry with the same body;
3. the engine decides (after the deadline, block sizes, not open...), the store guarantees one decision.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse, Response

from tender.ledger.sql import notice_store
from tender.ledger.sql.models import NoticeRow
from tender.service import protocol_flow
from tender.service.auth import Principal, deny, require
from tender.service.context import ctx_of
from tender.service.errors import ApiError, error_body
from tender.service.paging import TOTAL_HEADERS, PageParams, PageQ, set_total
from tender.service.payloads import ErrorOut, NoticeOut, ProviderNoticeOut, RespondIn
from tender.service.views import lab_notice, provider_notice

router = APIRouter(prefix="/api/v1/notices", tags=["notices"])
STATUSES = ("open", "exercised", "partially_exercised", "declined", "expired", "withdrawn")
Reader = Annotated[Principal, Depends(require("admin", "planner", "provider"))]
Holder = Annotated[Principal, Depends(require("provider"))]
IdempotencyKey = Annotated[str | None, Header(max_length=200, pattern=r"^[\x21-\x7e]+$")]


def _view(who: Principal, row: NoticeRow, request: Request) -> NoticeOut | ProviderNoticeOut:
    now = ctx_of(request).now()
    return lab_notice(row, now) if who.is_lab else provider_notice(row, now)


@router.get(
    "", response_model=list[NoticeOut | ProviderNoticeOut], responses={200: {"headers": TOTAL_HEADERS}}
)
def list_notices(
    request: Request,
    response: Response,
    who: Reader,
    status: str | None = Query(None, pattern="^(" + "|".join(STATUSES) + ")$"),
    holder: str | None = Query(None, max_length=128, description="filter by holder (lab roles)"),
    need: str | None = Query(None, max_length=128),
    params: PageParams = PageQ,
) -> list[NoticeOut | ProviderNoticeOut]:
    if not who.is_lab:
        if holder is not None and holder != who.subject:
            raise deny(request, who, 403, "forbidden", "a provider sees only its own notices", "holder")
        holder = who.subject
    with ctx_of(request).db.read() as session:
        found = notice_store.list_notices_page(
            session, holder=holder, status=status, need=need, offset=params.offset, limit=params.limit
        )
    set_total(request, response, params, found.total)
    return [_view(who, row, request) for row in found.items]


def _owned(request: Request, who: Principal, row: NoticeRow | None, notice_id: str) -> NoticeRow:
    if row is None:
        raise ApiError(404, "not_found", f"no notice {notice_id}", "notice_id")
    if not who.is_lab and row.holder != who.subject:
        raise deny(request, who, 404, "not_found", f"no notice {notice_id}", "notice_id")
    return row


@router.get(
    "/{notice_id}", response_model=NoticeOut | ProviderNoticeOut, responses={404: {"model": ErrorOut}}
)
def get_notice(notice_id: str, request: Request, who: Reader) -> NoticeOut | ProviderNoticeOut:
    with ctx_of(request).db.read() as session:
        row = _owned(request, who, notice_store.get_notice(session, notice_id), notice_id)
    return _view(who, row, request)


def respond_once(
    request: Request, who: Principal, notice_id: str, body: RespondIn, idempotency_key: str | None
) -> tuple[int, dict[str, Any]]:
    """Answer a notice exactly once (shared by the API and the portal form): (status, JSON body)."""
    ctx = ctx_of(request)
    if body.action == "decline" and body.gpus is not None:
        raise ApiError(422, "invalid_input", "gpus: a decline takes no gpus", "gpus")
    digest = notice_store.request_digest(
        "POST", f"/api/v1/notices/{notice_id}/respond", body.model_dump(mode="json")
    )
    foreign = False
    with ctx.db.write() as session:
        if idempotency_key:
            seen = notice_store.idempotent_get(session, who.actor, idempotency_key)
            if seen is not None:
                if seen.request_sha != digest:
                    raise ApiError(
                        422,
                        "idempotency_key_reused",
                        "this Idempotency-Key was used for a different request",
                        "Idempotency-Key",
                    )
                return seen.status_code, dict(json.loads(seen.body_json))
        row = notice_store.get_notice(session, notice_id)
        if row is None or row.holder != who.subject:
            foreign = row is not None
        else:
            row, refusal = protocol_flow.answer(
                ctx,
                session,
                row,
                exercise_gpus=body.gpus if body.action == "exercise" else None,
                decline=body.action == "decline",
                actor=who.actor,
            )
            if refusal is not None:
                status, payload = refusal.status, error_body(refusal.code, refusal.message, refusal.field)
            else:
                status, payload = 200, provider_notice(row, ctx.now()).model_dump(mode="json")
            if idempotency_key:
                notice_store.idempotent_put(
                    session,
                    actor=who.actor,
                    key=idempotency_key,
                    request_sha=digest,
                    status_code=status,
                    body=payload,
                    now=ctx.now(),
                )
            return status, payload
    if foreign:
        raise deny(request, who, 404, "not_found", f"no notice {notice_id}", "notice_id")
    raise ApiError(404, "not_found", f"no notice {notice_id}", "notice_id")


@router.post(
    "/{notice_id}/respond",
    response_model=ProviderNoticeOut,
    responses={404: {"model": ErrorOut}, 409: {"model": ErrorOut}, 422: {"model": ErrorOut}},
)
def respond(
    notice_id: str,
    body: RespondIn,
    request: Request,
    who: Holder,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    status, payload = respond_once(request, who, notice_id, body, idempotency_key)
    return JSONResponse(payload, status_code=status)
