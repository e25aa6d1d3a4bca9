"""/healthz (process alive), /readyz (database answers, schema current), /metrics (Prometheus)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from tender.ledger.sql import current_revision
from tender.service.context import ctx_of
from tender.service.payloads import HealthOut

router = APIRouter(tags=["ops"])


@router.get("/healthz", response_model=HealthOut)
def healthz() -> HealthOut:
    return HealthOut(status="ok")


@router.get("/readyz", response_model=HealthOut, responses={503: {"model": HealthOut}})
def readyz(request: Request) -> Response:
    ctx = ctx_of(request)
    if not ctx.db.ping():
        return JSONResponse(
            HealthOut(status="unavailable", database="unreachable").model_dump(), status_code=503
        )
    revision = current_revision(ctx.db)
    if revision is None:
        return JSONResponse(
            HealthOut(status="unavailable", database="not migrated").model_dump(), status_code=503
        )
    return JSONResponse(HealthOut(status="ok", database=ctx.db.dialect, revision=revision).model_dump())


@router.get("/metrics", response_class=Response, responses={200: {"content": {"text/plain": {}}}})
def metrics(request: Request) -> Response:
    return Response(ctx_of(request).metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")
