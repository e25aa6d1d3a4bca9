"""POST /api/v1/integrations/skypilot/policy: Tender as SkyPilot's RESTful admin policy.

SkyPilot's API server (config `admin_policy: https://skypilot:TOKEN@tender.example/api/v1/integrations/
skypilot/policy`) posts each user request as `UserRequest.encode()`: a JSON string holding `task` and
`skypilot_config` as YAML texts, `request_name`, `user`, ... It expects back a JSON string holding the
mutated `task` and `skypilot_config` YAML texts, or status 400 whose text it shows the user.

1. Authenticate: `Authorization: Bearer TOKEN`, or HTTP Basic with the token as password (SkyPilot's
   client sends the URL's user:password as Basic); only the `skypilot` role (and admin) may ask.
2. Read the body (a JSON string, or the same object unwrapped); the task YAML's first document.
3. The scenario: `?scenario=ID` (an uploaded scenario), else the latest uploaded; the month:
   `?month=N`, else the month the server's clock is in. In the same read transaction, the needs raised
   against that scenario and their stored commands; each need's ROFR state is rebuilt by
   `tender.service.rofr.state_from_commands` (the same rebuild that answers notices).
4. `tender.integrations.skypilot.evaluate` (the same code as the Python `ContractPolicy`) with those
   needs and states, so a holder's answer (declined, exercised) decides the rights it covers.
5. Record the decision (`skypilot.decision`) in the audit chain; answer the rewritten task, or 400
   `rejected_by_contract` with the reason codes and clause ids.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

import yaml
from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import JSONResponse

from tender.domain import Scenario
from tender.integrations.skypilot.decide import StoredNeed
from tender.integrations.skypilot.evaluate import evaluate
from tender.integrations.skypilot.tasks import TaskError
from tender.ledger.sql import audit_store, plan_store
from tender.service import rofr
from tender.service.auth import Principal, authenticate, deny
from tender.service.context import ctx_of
from tender.service.errors import ApiError
from tender.service.payloads import ErrorOut

router = APIRouter(prefix="/api/v1/integrations/skypilot", tags=["integrations"])
ROLES = ("skypilot", "admin")


def _token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer":
        return value.strip() or None
    if scheme.lower() == "basic":
        try:
            return base64.b64decode(value.strip(), validate=True).decode().partition(":")[2] or None
        except (binascii.Error, UnicodeDecodeError):
            return None
    return None


def _caller(request: Request) -> Principal:
    token = _token(request)
    if token is None:
        raise deny(
            request,
            None,
            401,
            "unauthenticated",
            "a token is required (Bearer, or Basic with it as password)",
        )
    who = authenticate(ctx_of(request), token)
    if who is None:
        raise deny(request, None, 401, "unauthenticated", "unknown or revoked token")
    request.state.actor = who.actor
    if who.role not in ROLES:
        raise deny(request, who, 403, "forbidden", f"role {who.role} may not ask the SkyPilot policy")
    return who


def _body(raw: Any) -> dict[str, Any]:
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ApiError(422, "invalid_request", f"body: not JSON ({exc.msg})", "body") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("task"), str):
        raise ApiError(
            422, "invalid_request", "body: SkyPilot's UserRequest (task as YAML text)", "body.task"
        )
    return raw


def _task(text: str) -> dict[str, Any]:
    try:
        docs = [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError as exc:
        raise ApiError(
            422, "invalid_request", f"task: not YAML ({str(exc).splitlines()[0]})", "body.task"
        ) from None
    if not docs or not isinstance(docs[0], dict):
        raise ApiError(422, "invalid_request", "task: a SkyPilot task mapping", "body.task")
    return docs[0]


def _scenario(request: Request, scenario_id: int | None) -> tuple[Scenario, tuple[StoredNeed, ...]]:
    """The scenario, and every need raised against it with its replayed ROFR state (one read)."""
    with ctx_of(request).db.read() as session:
        row = (
            plan_store.get_scenario(session, scenario_id)
            if scenario_id is not None
            else plan_store.latest_scenario(session)
        )
        if row is None:
            raise ApiError(
                404, "not_found", "no such scenario: upload one (POST /api/v1/scenarios)", "scenario"
            )
        scenario = rofr.parsed_scenario(row)
        stored = tuple(
            StoredNeed(need, state) for need, state in rofr.needs_with_states(session, row.id, scenario)
        )
    return scenario, stored


@router.post("/policy", responses={400: {"model": ErrorOut}, 422: {"model": ErrorOut}})
def skypilot_policy(
    request: Request,
    body: Any = Body(..., description="SkyPilot's `UserRequest.encode()` (a JSON string), or that object"),
    scenario: int | None = Query(None, description="an uploaded scenario's id; default: the latest"),
    month: int | None = Query(None, ge=1, description="1-based month of the horizon; default: now's"),
) -> JSONResponse:
    who = _caller(request)
    raw = _body(body)
    ctx = ctx_of(request)
    found, stored = _scenario(request, scenario)
    at = month if month is not None else found.calendar.month_of(ctx.now())
    if not 1 <= at <= found.horizon:
        raise ApiError(
            422,
            "invalid_request",
            f"month {at} is outside {found.id}'s horizon (1..{found.horizon})",
            "month",
        )
    try:
        outcome = evaluate(_task(raw["task"]), found, at, stored)
    except TaskError as exc:
        raise ApiError(400, "invalid_task", f"tender: {exc}", "body.task") from None
    data = {**outcome.record(), "scenario": found.id, "request_name": str(raw.get("request_name", ""))}
    with ctx.db.write() as session:
        audit_store.append(session, kind="skypilot.decision", actor=who.actor, at=ctx.now(), data=data)
    if outcome.task is None:
        codes = ",".join(outcome.decision.codes)
        raise ApiError(
            400, "rejected_by_contract", f"{outcome.decision.message()} (codes: {codes})", "body.task"
        )
    mutated = {
        "task": yaml.safe_dump(outcome.task, sort_keys=False),
        "skypilot_config": raw.get("skypilot_config") or "{}\n",
    }
    return JSONResponse(content=json.dumps(mutated))
