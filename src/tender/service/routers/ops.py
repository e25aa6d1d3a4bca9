"""/healthz (process alive), /readyz (database answers, schema current), /metrics (Prometheus).

Only /healthz is public by default: /readyz names the database type and /metrics counts open notices, so
they need an admin or planner token unless `Settings.public_endpoints` (`tender serve --public`) opens them.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials

from tender.ledger.sql import current_revision
from tender.service.auth import LAB_ROLES, bearer, deny, principal
from tender.service.context import ctx_of
from tender.service.payloads import HealthOut

router = APIRouter(tags=["ops"])


@router.get("/healthz", response_model=HealthOut)
def healthz() -> HealthOut:
    return HealthOut(status="ok")


def _access(name: str) -> Callable[..., None]:
    def check(request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> None:
        if name in ctx_of(request).settings.public_endpoints:
            return
        who = principal(request, credentials)
        if who.role not in LAB_ROLES:
            raise deny(request, who, 403, "forbidden", f"role {who.role} may not read /{name}")

    return check


@router.get(
    "/readyz",
    response_model=HealthOut,
    responses={503: {"model": HealthOut}},
    dependencies=[Depends(_access("readyz"))],
)
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


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}}},
    dependencies=[Depends(_access("metrics"))],
)
def metrics(request: Request) -> Response:
    return Response(ctx_of(request).metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")
