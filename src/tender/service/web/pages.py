"""The dashboard (lab roles) and the provider portal: server-rendered pages, a little JS, no build step.

1. `/login` takes a token and sets it as an HttpOnly, SameSite=Strict cookie; `/logout` clears it.
2. `/` (admin, planner): charts of the latest finished plan (plotly.js served from the `plotly` wheel at
   /static/plotly.min.js), open notices with time left, the latest 50 jobs of the live runtime.
3. `/portal` (provider:ID): its open notices with a form to exercise (all or part) or decline, and its
   history. The form carries a CSRF token (derived from the session token) and an idempotency key, and
   goes through the same exactly-once path as the API.
Pages for the wrong role answer 403 and are audited, as the API does.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from tender.ledger.sql import notice_store, plan_store, study_store
from tender.ledger.sql.models import StudyRow
from tender.service import answers, job_queue
from tender.service.auth import COOKIE, Principal, audit_denial, authenticate
from tender.service.context import ctx_of
from tender.service.errors import ApiError
from tender.service.payloads import RespondIn
from tender.service.views import lab_notice, provider_notice
from tender.service.web.charts import all_charts
from tender.service.web.formats import cell, when

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.filters["when"] = when
templates.env.filters["cell"] = cell
router = APIRouter(include_in_schema=False)


@cache
def _plotly_js() -> bytes:
    from plotly.offline import get_plotlyjs

    return str(get_plotlyjs()).encode("utf-8")


@router.get("/static/plotly.min.js")
def plotly_js() -> Response:
    return Response(
        _plotly_js(), media_type="text/javascript", headers={"Cache-Control": "public, max-age=86400"}
    )


@router.get("/static/{name}")
def static(name: str) -> Response:
    types = {"app.css": "text/css", "app.js": "text/javascript", "charts.js": "text/javascript"}
    if name not in types:
        raise ApiError(404, "not_found", f"no static file {name}")
    return Response((HERE / "static" / name).read_bytes(), media_type=types[name])


def _csrf(token: str) -> str:
    return hashlib.sha256(f"csrf:{token}".encode()).hexdigest()[:32]


def _who(request: Request) -> tuple[Principal | None, str]:
    token = request.cookies.get(COOKIE, "")
    return (authenticate(ctx_of(request), token) if token else None), token


def _page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(
        request, name, {"title": "", "message": None, "error": False, **context}, status_code=status
    )


def _forbidden(request: Request, who: Principal) -> HTMLResponse:
    audit_denial(
        ctx_of(request), request, who, 403, "forbidden", f"role {who.role} may not open {request.url.path}"
    )
    return _page(
        request, "error.html", 403, title="Forbidden", who=who, detail=f"{who.actor} may not open this page."
    )


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, message: str | None = None) -> HTMLResponse:
    return _page(request, "login.html", title="Log in", who=None, message=message, error=bool(message))


@router.post("/login")
def login(request: Request, token: str = Form(..., max_length=200)) -> Response:
    who = authenticate(ctx_of(request), token)
    if who is None:
        audit_denial(
            ctx_of(request), request, None, 401, "unauthenticated", "dashboard login with an unknown token"
        )
        return _page(
            request,
            "login.html",
            401,
            title="Log in",
            who=None,
            message="Unknown or revoked token.",
            error=True,
        )
    target = "/portal" if who.role == "provider" else "/"
    response = RedirectResponse(target, status_code=303)
    secure = ctx_of(request).settings.secure_cookies
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict", secure=secure, max_age=12 * 3600)
    return response


@router.get("/logout")
def logout() -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request) -> Response:
    who, _token = _who(request)
    if who is None:
        return RedirectResponse("/login", status_code=303)
    if not who.is_lab:
        return (
            _forbidden(request, who)
            if who.role != "provider"
            else RedirectResponse("/portal", status_code=303)
        )
    ctx = ctx_of(request)
    now = ctx.now()
    with ctx.db.read() as session:
        plan_row = plan_store.latest_done_plan(session)
        study_row = study_store.latest_done_study(session)
        notices = [lab_notice(n, now) for n in notice_store.list_notices(session, status="open")]
        jobs = job_queue.jobs(session, limit=50)
    plan = json.loads(plan_row.result_json) if plan_row and plan_row.result_json else None
    charts = all_charts(plan) if plan else []
    return _page(
        request,
        "dashboard.html",
        title="Dashboard",
        who=who,
        plan=(
            {"id": plan_row.id, "scenario": plan_row.scenario_pk, "seed": plan_row.seed}
            if plan_row and plan
            else None
        ),
        plan_status=(plan or {}).get("status", ""),
        cost=f"{Decimal(str((plan or {}).get('cost_total_usd', '0'))):,.2f}",
        baseline=f"{Decimal(str((plan or {}).get('baseline_cost_usd', '0'))):,.2f}",
        charts=charts,
        charts_json=json.dumps(charts).replace("<", "\\u003c"),  # a data block: no "</script>" inside
        notices=notices,
        jobs=jobs,
        study=_study(study_row),
    )


def _study(row: StudyRow | None) -> dict[str, str] | None:
    """The latest finished `--robust` study's headline: VSS, EVPI and the hedge's cost (USD text)."""
    if row is None or not row.result_json:
        return None
    doc = json.loads(row.result_json)
    return {
        "id": str(row.id),
        "scenario": str(row.scenario_pk),
        "samples": f"{row.samples} + {row.eval_samples} fresh",
        "vss": f"{Decimal(doc['vss_usd']):,.2f}",
        "evpi": f"{Decimal(doc['evpi_usd']):,.2f}",
        "hedge": f"{Decimal(doc['hedge']['cost_usd']):,.2f}",
    }


@router.get("/portal", response_class=HTMLResponse)
def portal(request: Request, message: str | None = None, error: bool = False) -> Response:
    who, token = _who(request)
    if who is None:
        return RedirectResponse("/login", status_code=303)
    if who.role != "provider":
        return _forbidden(request, who)
    ctx = ctx_of(request)
    now = ctx.now()
    with ctx.db.read() as session:
        mine = [provider_notice(n, now) for n in notice_store.list_notices(session, holder=who.subject)]
    open_notices = [n for n in mine if n.status == "open"]
    return _page(
        request,
        "portal.html",
        title="Provider portal",
        who=who,
        open_notices=open_notices,
        history=[n for n in mine if n.status != "open"],
        keys={n.id: secrets.token_hex(12) for n in open_notices},
        csrf=_csrf(token),
        message=message,
        error=error,
    )


@router.post("/portal/notices/{notice_id}/respond")
def portal_respond(
    notice_id: str,
    request: Request,
    action: str = Form(..., pattern="^(exercise|decline)$"),
    gpus: str = Form("", max_length=12),
    csrf: str = Form(..., max_length=64),
    key: str = Form(..., max_length=64),
) -> Response:
    from urllib.parse import urlencode

    who, token = _who(request)
    if who is None:
        return RedirectResponse("/login", status_code=303)
    if who.role != "provider" or not hmac.compare_digest(csrf, _csrf(token)):
        return _forbidden(request, who)
    try:
        count = int(gpus) if gpus.strip() and action == "exercise" else None
        body = RespondIn(action=action, gpus=count)
        status, payload = answers.respond_once(request, who, notice_id, body, f"portal:{key}")
    except (ValueError, ApiError) as exc:
        text = exc.message if isinstance(exc, ApiError) else "GPUs must be a positive whole number"
        return RedirectResponse("/portal?" + urlencode({"message": text, "error": "true"}), status_code=303)
    if status == 200:
        text = f"{notice_id}: {payload['status']} ({payload['exercised_gpus']} GPUs exercised)"
        return RedirectResponse("/portal?" + urlencode({"message": text}), status_code=303)
    return RedirectResponse(
        "/portal?" + urlencode({"message": payload["error"]["message"], "error": "true"}), status_code=303
    )
