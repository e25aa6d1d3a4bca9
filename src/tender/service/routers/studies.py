"""/api/v1/studies: planners run a `tender plan --robust` study as a background job; lab roles read it.

A finished study's outputs are the study's own bytes (`tender.plan_output.risk_study`), served verbatim:
`/risk.json` (= `tender plan --robust --json`), `/report` (= `--report`). A scenario with nothing
uncertain is refused at once (422, field `scenario`), as the CLI refuses it.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from tender.ledger.sql import plan_store, study_store
from tender.ledger.sql.models import StudyRow
from tender.service import rofr, studying
from tender.service.auth import LabUser, Planner, Principal
from tender.service.context import ctx_of
from tender.service.errors import ApiError, stored_output
from tender.service.paging import TOTAL_HEADERS, PageParams, PageQ, set_total
from tender.service.payloads import ErrorOut, In, PositiveId, Whole
from tender.sourcing.risk.sampler import uncertain

router = APIRouter(prefix="/api/v1/studies", tags=["studies"])


class StudyIn(In):
    scenario: PositiveId = Field(description="id of an uploaded scenario")
    seed: Whole = Field(0, ge=0, le=2**31 - 1)
    samples: Whole = Field(10, ge=1, le=100, description="K: samples of the extensive form")
    eval_samples: Whole = Field(20, ge=1, le=1000, description="fresh samples the two plans are evaluated on")


class StudyOut(BaseModel):
    id: int
    scenario: int
    seed: int
    samples: int
    eval_samples: int
    status: Literal["queued", "running", "done", "failed"]
    error: str | None
    created_at: datetime
    finished_at: datetime | None
    created_by: str
    result: dict[str, Any] | None = None


def _out(row: StudyRow, with_result: bool = False) -> StudyOut:
    return StudyOut(
        id=row.id,
        scenario=row.scenario_pk,
        seed=row.seed,
        samples=row.samples,
        eval_samples=row.eval_samples,
        status=row.status,
        error=row.error,
        created_at=row.created_at,
        finished_at=row.finished_at,
        created_by=row.created_by,
        result=json.loads(row.result_json) if with_result and row.result_json else None,
    )


@router.post(
    "",
    status_code=202,
    response_model=StudyOut,
    responses={404: {"model": ErrorOut}, 422: {"model": ErrorOut}},
)
def run_study(body: StudyIn, request: Request, who: Principal = Planner) -> StudyOut:
    ctx = ctx_of(request)
    with ctx.db.write() as session:
        if plan_store.get_scenario(session, body.scenario) is None:
            raise ApiError(404, "not_found", f"no scenario {body.scenario}", "scenario")
        if not uncertain(rofr.scenario_for(session, body.scenario)):
            raise ApiError(
                422, "invalid", "nothing in the scenario is uncertain: there is nothing to hedge", "scenario"
            )
        row = study_store.add_study(
            session,
            scenario_pk=body.scenario,
            seed=body.seed,
            samples=body.samples,
            eval_samples=body.eval_samples,
            actor=who.actor,
            now=ctx.now(),
        )
        out = _out(row)
    studying.submit(ctx, out.id)
    return out


@router.get("", response_model=list[StudyOut], responses={200: {"headers": TOTAL_HEADERS}})
def list_studies(
    request: Request, response: Response, params: PageParams = PageQ, _who: Principal = LabUser
) -> list[StudyOut]:
    """Newest first."""
    with ctx_of(request).db.read() as session:
        found = study_store.list_studies(session, params.offset, params.limit)
    set_total(request, response, params, found.total)
    return [_out(r) for r in found.items]


@router.get("/{study_id:int}", response_model=StudyOut, responses={404: {"model": ErrorOut}})
def get_study(study_id: int, request: Request, _who: Principal = LabUser) -> StudyOut:
    with ctx_of(request).db.read() as session:
        row = study_store.get_study(session, study_id, with_result=True)
    if row is None:
        raise ApiError(404, "not_found", f"no study {study_id}", "study_id")
    return _out(row, with_result=True)


NOT_READY: dict[int | str, dict[str, Any]] = {404: {"model": ErrorOut}, 409: {"model": ErrorOut}}


def _output(request: Request, study_id: int, kind: study_store.StudyOutput) -> str:
    with ctx_of(request).db.read() as session:
        row = study_store.get_study(session, study_id)
        text = study_store.study_output(session, study_id, kind) if row is not None else None
    return stored_output("study", study_id, row.status if row is not None else None, text)


@router.get("/{study_id:int}/report", response_class=HTMLResponse, responses=NOT_READY)
def study_report(study_id: int, request: Request, _who: Principal = LabUser) -> HTMLResponse:
    """The study's HTML report (`tender plan --robust --report`), self-contained."""
    return HTMLResponse(_output(request, study_id, "report"))


@router.get(
    "/{study_id:int}/risk.json",
    response_class=Response,
    responses={**NOT_READY, 200: {"content": {"application/json": {}}}},
)
def study_json(study_id: int, request: Request, _who: Principal = LabUser) -> Response:
    """The study document byte for byte as `tender plan --robust --json` writes it (schema tender.risk/1)."""
    return Response(_output(request, study_id, "json"), media_type="application/json")
