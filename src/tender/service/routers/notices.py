"""/api/v1/notices: the lab sees every notice; a provider only its own, redacted; only a holder answers.

Answering (POST /api/v1/notices/{id}/respond): only a `provider:ID` token may answer; the exactly-once
answer itself (only a notice addressed to ID, `Idempotency-Key` retries, the engine's decision, one stored
decision) is `tender.service.answers.respond_once`, shared with the portal's form.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse, Response

from tender.ledger.sql import notice_store
from tender.ledger.sql.models import NoticeRow
from tender.service import answers
from tender.service.auth import Principal, deny, require
from tender.service.context import ctx_of
from tender.service.errors import ApiError
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
    status, payload = answers.respond_once(request, who, notice_id, body, idempotency_key)
    return JSONResponse(payload, status_code=status)
