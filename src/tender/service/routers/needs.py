"""/api/v1/needs: planners raise a capacity need (the contract engine issues the ROFR notices it requires)."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request, Response

from tender.ledger.sql import notice_store
from tender.ledger.sql.models import NeedRow
from tender.service import rofr
from tender.service.auth import LabUser, Planner, Principal
from tender.service.context import ctx_of
from tender.service.errors import ApiError
from tender.service.paging import TOTAL_HEADERS, PageParams, PageQ, set_total
from tender.service.payloads import ErrorOut, NeedIn, NeedOut, NoticeOut
from tender.service.views import lab_notice

router = APIRouter(prefix="/api/v1/needs", tags=["needs"])


def _outs(request: Request, needs: list[NeedRow]) -> list[NeedOut]:
    """The needs with their notices, read in one query (not one per need)."""
    ctx = ctx_of(request)
    with ctx.db.read() as session:
        notices = notice_store.list_notices(session, need_ids=[n.id for n in needs]) if needs else []
    now = ctx.now()
    by_need: dict[str, list[NoticeOut]] = {}
    for row in notices:
        by_need.setdefault(row.need_id, []).append(lab_notice(row, now))
    return [
        NeedOut(
            id=need.id,
            scenario=need.scenario_pk,
            need=json.loads(need.body_json),
            created_at=need.created_at,
            created_by=need.created_by,
            notices=by_need.get(need.id, []),
        )
        for need in needs
    ]


@router.post(
    "",
    status_code=201,
    response_model=NeedOut,
    responses={404: {"model": ErrorOut}, 409: {"model": ErrorOut}, 422: {"model": ErrorOut}},
)
def raise_need(body: NeedIn, request: Request, who: Principal = Planner) -> NeedOut:
    ctx = ctx_of(request)
    need = body.need.model_dump(mode="json")
    quotes = [q.model_dump(mode="json") for q in body.quotes]
    need_id = rofr.raise_need(ctx, scenario_pk=body.scenario, need=need, quotes=quotes, actor=who.actor)
    return get_need(need_id, request, who)


@router.get("", response_model=list[NeedOut], responses={200: {"headers": TOTAL_HEADERS}})
def list_needs(
    request: Request, response: Response, params: PageParams = PageQ, _who: Principal = LabUser
) -> list[NeedOut]:
    with ctx_of(request).db.read() as session:
        found = notice_store.list_needs(session, params.offset, params.limit)
    set_total(request, response, params, found.total)
    return _outs(request, found.items)


@router.get("/{need_id}", response_model=NeedOut)
def get_need(need_id: str, request: Request, _who: Principal = LabUser) -> NeedOut:
    with ctx_of(request).db.read() as session:
        need = notice_store.get_need(session, need_id)
    if need is None:
        raise ApiError(404, "not_found", f"no need {need_id}", "need_id")
    return _outs(request, [need])[0]
