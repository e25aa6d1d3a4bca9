"""/api/v1/comparisons: `tender compare` on an uploaded scenario, as a background job (docs/compare.md).

The planner and admin roles only, for every route: a comparison is the lab's negotiation analysis, so a
provider (or a team) token gets 403. A bad overlay is refused before anything runs: 422 naming
`variants[i].overlay` with its line and column. Outputs are the CLI's bytes: `result` (= `--json`) and
`/report` (= `--report`).
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from tender.config.errors import InputError
from tender.ledger.sql import plan_store
from tender.service.auth import Principal, require
from tender.service.comparing import Job, prepare, registry_of
from tender.service.context import ctx_of
from tender.service.errors import ApiError
from tender.service.payloads import ComparisonIn, ComparisonOut, ErrorOut

router = APIRouter(prefix="/api/v1/comparisons", tags=["comparisons"])
Negotiator = Depends(require("planner", "admin"))


def _out(job: Job, with_result: bool = False) -> ComparisonOut:
    return ComparisonOut(
        id=job.id,
        scenario=job.scenario,
        seed=job.seed,
        variants=list(job.variants),
        status=job.status,
        error=job.error,
        created_at=job.created_at,
        created_by=job.created_by,
        result=json.loads(job.json_text) if with_result and job.json_text else None,
    )


@router.post(
    "",
    status_code=202,
    response_model=ComparisonOut,
    responses={404: {"model": ErrorOut}, 422: {"model": ErrorOut}},
)
def run_comparison(body: ComparisonIn, request: Request, who: Principal = Negotiator) -> ComparisonOut:
    ctx = ctx_of(request)
    with ctx.db.read() as session:
        row = plan_store.get_scenario(session, body.scenario)
        if row is None:
            raise ApiError(404, "not_found", f"no scenario {body.scenario}", "scenario")
        text, name = row.text, row.name
    try:
        variants = prepare(text, name, [(v.name, v.overlay) for v in body.variants])
    except InputError as exc:
        first = exc.problems[0]
        where = first.file if first.file.startswith("variants[") else "scenario"
        raise ApiError(422, "invalid_variant", str(first), where) from None
    except ValueError as exc:
        raise ApiError(422, "invalid_variant", str(exc), str(exc).split(":")[0]) from None
    job = registry_of(request.app.state).submit(ctx, body.scenario, body.seed, variants, who.actor)
    return _out(job)


def _job(request: Request, comparison_id: int) -> Job:
    job = registry_of(request.app.state).get(comparison_id)
    if job is None:
        raise ApiError(404, "not_found", f"no comparison {comparison_id}", "comparison_id")
    return job


@router.get("/{comparison_id:int}", response_model=ComparisonOut, responses={404: {"model": ErrorOut}})
def get_comparison(comparison_id: int, request: Request, _who: Principal = Negotiator) -> ComparisonOut:
    return _out(_job(request, comparison_id), with_result=True)


@router.get(
    "/{comparison_id:int}/report",
    response_class=HTMLResponse,
    responses={404: {"model": ErrorOut}, 409: {"model": ErrorOut}},
)
def comparison_report(comparison_id: int, request: Request, _who: Principal = Negotiator) -> HTMLResponse:
    """The `tender compare --report` page (inline SVG, offline)."""
    job = _job(request, comparison_id)
    if job.report_html is None:
        raise ApiError(
            409, "not_ready", f"comparison {comparison_id} is {job.status}; its report exists once done"
        )
    return HTMLResponse(job.report_html)
