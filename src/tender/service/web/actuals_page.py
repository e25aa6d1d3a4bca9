"""`/actuals` (lab roles): plan vs actual for the latest finished plan, the charts of `tender actuals report`.

1. Read the latest finished plan, its scenario text, the imported actuals and the runtime's metered use
   (one read transaction).
2. `tender.ledger.actuals.variance.compare` as the CLI does; the figures are the HTML report's own
   (`report_html.figures`), sent to plotly.js as JSON specs.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from tender.config import InputError, load_scenario_text
from tender.ledger.actuals import ActualsError
from tender.ledger.actuals.planned import planned_from_doc
from tender.ledger.actuals.report_html import figures
from tender.ledger.actuals.variance import actuals_by_month, compare
from tender.ledger.sql import plan_store
from tender.ledger.sql.actuals_store import actual_lines, runtime_lines
from tender.service.context import ctx_of
from tender.service.web.pages import _forbidden, _page, _who

router = APIRouter(include_in_schema=False)


def _charts(request: Request) -> tuple[list[dict[str, Any]], str | None, str]:
    """(charts, as-of label, message) of the latest finished plan against the database's actuals."""
    with ctx_of(request).db.read() as session:
        row = plan_store.latest_done_plan(session)
        text = row.result_json if row is not None else None
        scenario = plan_store.get_scenario(session, row.scenario_pk) if row is not None else None
        if row is None or text is None or scenario is None:
            return [], None, "No finished plan yet."
        lines = [*actual_lines(session), *runtime_lines(session)]
    try:
        sc = load_scenario_text(scenario.text, scenario.name)
        planned = planned_from_doc(json.loads(text), sc, f"plan {row.id}")
    except (InputError, ActualsError) as exc:
        return [], None, f"Plan {row.id} cannot be compared: {exc}"
    result = compare(sc, planned, actuals_by_month(sc, lines))
    charts = [
        {"id": f"actuals-{i}", **json.loads(fig.to_json())} for i, fig in enumerate(figures(result, sc))
    ]
    return charts, sc.calendar.label(result.as_of), f"Plan {row.id} (scenario {sc.id})"


@router.get("/actuals")
def actuals_page(request: Request) -> Response:
    who, _token = _who(request)
    if who is None:
        return RedirectResponse("/login", status_code=303)
    if not who.is_lab:
        return _forbidden(request, who)
    charts, as_of, message = _charts(request)
    return _page(
        request,
        "actuals.html",
        title="Plan vs actual",
        who=who,
        charts=charts,
        as_of=as_of,
        summary=message,
        charts_json=json.dumps(charts).replace(
            "<", "\\u003c"
        ),  # a data block (the CSP allows no inline script)
    )
