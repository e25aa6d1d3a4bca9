"""`/comparisons` (admin, planner): the app's comparisons, newest first; `/comparisons/{id}` its report.

1. the session cookie's principal (as every dashboard page): none -> /login; any other role -> 403,
   audited — a comparison is the lab's negotiation analysis, never shown to a provider;
2. the list reads the app's comparison registry (`service.comparing`); a finished one links its
   report, the `tender compare --report` page served as stored.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tender.service.comparing import registry_of
from tender.service.web.pages import _forbidden, _page, _who

router = APIRouter(include_in_schema=False)
NEGOTIATORS = ("admin", "planner")


@router.get("/comparisons")
def comparisons_page(request: Request) -> Response:
    who, _token = _who(request)
    if who is None:
        return RedirectResponse("/login", status_code=303)
    if who.role not in NEGOTIATORS:
        return _forbidden(request, who)
    reg = registry_of(request.app.state)
    with reg.lock:
        jobs = sorted(reg.jobs.values(), key=lambda j: -j.id)
    return _page(request, "comparisons.html", title="Comparisons", who=who, comparisons=jobs)


@router.get("/comparisons/{comparison_id:int}")
def comparison_page(comparison_id: int, request: Request) -> Response:
    who, _token = _who(request)
    if who is None:
        return RedirectResponse("/login", status_code=303)
    if who.role not in NEGOTIATORS:
        return _forbidden(request, who)
    job = registry_of(request.app.state).get(comparison_id)
    if job is None or job.report_html is None:
        return _page(
            request, "error.html", 404, title="Not found", who=who, detail="No finished comparison here."
        )
    return HTMLResponse(job.report_html)
