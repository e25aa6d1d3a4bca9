"""`/comparisons` (admin, planner): the app's comparisons, newest first; `/comparisons/{id}` its report.

1. the session cookie's principal (as every dashboard page): none -> /login; any other role -> 403,
   audited — a comparison is the lab's negotiation analysis, never shown to a provider;
2. the list reads the comparisons stored in the database (`ledger.sql.comparison_store`: every server
   process on it sees the same ones); a finished one links its report, the `tender compare --report`
   page served as stored.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tender.ledger.sql import comparison_store
from tender.service.context import ctx_of
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
    with ctx_of(request).db.read() as session:
        rows = comparison_store.list_comparisons(session).items  # the latest 100
    listed = [(row, ", ".join(comparison_store.variant_names(row))) for row in rows]
    return _page(request, "comparisons.html", title="Comparisons", who=who, comparisons=listed)


@router.get("/comparisons/{comparison_id:int}")
def comparison_page(comparison_id: int, request: Request) -> Response:
    who, _token = _who(request)
    if who is None:
        return RedirectResponse("/login", status_code=303)
    if who.role not in NEGOTIATORS:
        return _forbidden(request, who)
    with ctx_of(request).db.read() as session:
        html = comparison_store.comparison_output(session, comparison_id, "report")
    if html is None:
        return _page(
            request, "error.html", 404, title="Not found", who=who, detail="No finished comparison here."
        )
    return HTMLResponse(html)
