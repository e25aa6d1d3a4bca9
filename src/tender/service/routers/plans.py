"""/api/v1/plans: planners run a plan on an uploaded scenario (in a worker thread); lab roles read it.

A finished plan's outputs are the planner's own bytes (`tender.plan_output`), served verbatim:
`/plan.json` (= `tender plan --json`), `/report` (= `--report`), `/ledger.csv` (= `--ledger`).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from tender.ledger.sql import plan_store
from tender.ledger.sql.models import PlanRow
from tender.service import planning
from tender.service.auth import LabUser, Planner, Principal
from tender.service.context import ctx_of
from tender.service.errors import ApiError, stored_output
from tender.service.paging import TOTAL_HEADERS, PageParams, PageQ, set_total
from tender.service.payloads import ErrorOut, PlanIn, PlanOut

router = APIRouter(prefix="/api/v1/plans", tags=["plans"])


def _out(row: PlanRow, with_result: bool = False) -> PlanOut:
    return PlanOut(
        id=row.id,
        scenario=row.scenario_pk,
        seed=row.seed,
        status=row.status,
        error=row.error,
        solve_seconds=row.solve_seconds,
        created_at=row.created_at,
        finished_at=row.finished_at,
        created_by=row.created_by,
        result=json.loads(row.result_json) if with_result and row.result_json else None,
    )


@router.post("", status_code=202, response_model=PlanOut, responses={404: {"model": ErrorOut}})
def run_plan(body: PlanIn, request: Request, who: Principal = Planner) -> PlanOut:
    ctx = ctx_of(request)
    with ctx.db.write() as session:
        if plan_store.get_scenario(session, body.scenario) is None:
            raise ApiError(404, "not_found", f"no scenario {body.scenario}", "scenario")
        row = plan_store.add_plan(
            session, scenario_pk=body.scenario, seed=body.seed, actor=who.actor, now=ctx.now()
        )
        out = _out(row)
    planning.submit(ctx, out.id)
    return out


@router.get("", response_model=list[PlanOut], responses={200: {"headers": TOTAL_HEADERS}})
def list_plans(
    request: Request, response: Response, params: PageParams = PageQ, _who: Principal = LabUser
) -> list[PlanOut]:
    """Newest first."""
    with ctx_of(request).db.read() as session:
        found = plan_store.list_plans(session, params.offset, params.limit)
    set_total(request, response, params, found.total)
    return [_out(r) for r in found.items]


def _plan(request: Request, plan_id: int, with_result: bool = False) -> PlanRow:
    with ctx_of(request).db.read() as session:
        row = plan_store.get_plan(session, plan_id, with_result=with_result)
    if row is None:
        raise ApiError(404, "not_found", f"no plan {plan_id}", "plan_id")
    return row


@router.get("/{plan_id:int}", response_model=PlanOut, responses={404: {"model": ErrorOut}})
def get_plan(plan_id: int, request: Request, _who: Principal = LabUser) -> PlanOut:
    return _out(_plan(request, plan_id, with_result=True), with_result=True)


NOT_READY: dict[int | str, dict[str, Any]] = {404: {"model": ErrorOut}, 409: {"model": ErrorOut}}


def _output(request: Request, plan_id: int, kind: plan_store.PlanOutput) -> str:
    with ctx_of(request).db.read() as session:
        row = plan_store.get_plan(session, plan_id)
        text = plan_store.plan_output(session, plan_id, kind) if row is not None else None
    return stored_output("plan", plan_id, row.status if row is not None else None, text)


@router.get("/{plan_id:int}/report", response_class=HTMLResponse, responses=NOT_READY)
def plan_report(plan_id: int, request: Request, _who: Principal = LabUser) -> HTMLResponse:
    """The planner's HTML report (`tender plan --report`): self-contained, plotly.js inlined."""
    return HTMLResponse(_output(request, plan_id, "report"))


@router.get(
    "/{plan_id:int}/plan.json",
    response_class=Response,
    responses={**NOT_READY, 200: {"content": {"application/json": {}}}},
)
def plan_json(plan_id: int, request: Request, _who: Principal = LabUser) -> Response:
    """The plan document byte for byte as `tender plan --json` writes it (schema tender.plan/1)."""
    return Response(_output(request, plan_id, "json"), media_type="application/json")


@router.get(
    "/{plan_id:int}/ledger.csv",
    response_class=Response,
    responses={**NOT_READY, 200: {"content": {"text/csv": {}}}},
)
def plan_ledger_csv(plan_id: int, request: Request, _who: Principal = LabUser) -> Response:
    """The plan's ledger byte for byte as `tender plan --ledger` writes it."""
    return Response(
        _output(request, plan_id, "ledger_csv"),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="plan-{plan_id}-ledger.csv"'},
    )
