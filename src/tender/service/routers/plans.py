"""/api/v1/plans: planners run a plan on an uploaded scenario (in a worker thread); lab roles read it."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from tender.ledger.sql import plan_store
from tender.ledger.sql.models import PlanRow
from tender.service import planning
from tender.service.auth import LabUser, Planner, Principal
from tender.service.context import ctx_of
from tender.service.errors import ApiError
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


@router.get("", response_model=list[PlanOut])
def list_plans(request: Request, _who: Principal = LabUser) -> list[PlanOut]:
    with ctx_of(request).db.read() as session:
        return [_out(r) for r in plan_store.list_plans(session)]


def _plan(request: Request, plan_id: int) -> PlanRow:
    with ctx_of(request).db.read() as session:
        row = plan_store.get_plan(session, plan_id)
    if row is None:
        raise ApiError(404, "not_found", f"no plan {plan_id}", "plan_id")
    return row


@router.get("/{plan_id}", response_model=PlanOut, responses={404: {"model": ErrorOut}})
def get_plan(plan_id: int, request: Request, _who: Principal = LabUser) -> PlanOut:
    return _out(_plan(request, plan_id), with_result=True)


@router.get(
    "/{plan_id}/report",
    response_class=HTMLResponse,
    responses={404: {"model": ErrorOut}, 409: {"model": ErrorOut}},
)
def plan_report(plan_id: int, request: Request, _who: Principal = LabUser) -> HTMLResponse:
    row = _plan(request, plan_id)
    if row.report_html is None:
        raise ApiError(409, "not_ready", f"plan {plan_id} is {row.status}; its report exists once it is done")
    return HTMLResponse(row.report_html)
