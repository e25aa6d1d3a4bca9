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
from tender.ledger.sql import comparison_store, plan_store
from tender.ledger.sql.models import ComparisonRow
from tender.service import comparing
from tender.service.auth import Principal, require
from tender.service.context import ctx_of
from tender.service.errors import ApiError, stored_output
from tender.service.payloads import ComparisonIn, ComparisonOut, ErrorOut

router = APIRouter(prefix="/api/v1/comparisons", tags=["comparisons"])
Negotiator = Depends(require("planner", "admin"))


def _out(row: ComparisonRow, with_result: bool = False) -> ComparisonOut:
    return ComparisonOut(
        id=row.id,
        scenario=row.scenario_pk,
        seed=row.seed,
        variants=comparison_store.variant_names(row),
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
        variants = comparing.prepare(text, name, [(v.name, v.overlay) for v in body.variants])
    except InputError as exc:
        first = exc.problems[0]
        where = first.file if first.file.startswith("variants[") else "scenario"
        raise ApiError(422, "invalid_variant", str(first), where) from None
    except ValueError as exc:
        raise ApiError(422, "invalid_variant", str(exc), str(exc).split(":")[0]) from None
    overlays: list[str | None] = [None, *(v.overlay for v in body.variants)]
    return _out(comparing.submit(ctx, body.scenario, body.seed, variants, overlays, who.actor))


@router.get("/{comparison_id:int}", response_model=ComparisonOut, responses={404: {"model": ErrorOut}})
def get_comparison(comparison_id: int, request: Request, _who: Principal = Negotiator) -> ComparisonOut:
    with ctx_of(request).db.read() as session:
        row = comparison_store.get_comparison(session, comparison_id, with_result=True)
    if row is None:
        raise ApiError(404, "not_found", f"no comparison {comparison_id}", "comparison_id")
    return _out(row, with_result=True)


@router.get(
    "/{comparison_id:int}/report",
    response_class=HTMLResponse,
    responses={404: {"model": ErrorOut}, 409: {"model": ErrorOut}},
)
def comparison_report(comparison_id: int, request: Request, _who: Principal = Negotiator) -> HTMLResponse:
    """The `tender compare --report` page (inline SVG, offline), as stored."""
    with ctx_of(request).db.read() as session:
        row = comparison_store.get_comparison(session, comparison_id)
        html = comparison_store.comparison_output(session, comparison_id, "report") if row else None
    return HTMLResponse(
        stored_output("comparison", comparison_id, row.status if row is not None else None, html)
    )
