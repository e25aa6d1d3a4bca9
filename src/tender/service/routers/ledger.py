"""/api/v1/ledger: ledger rows by month / provider / contract / plan, as JSON or CSV (lab roles).

The CSV has the planner's columns (`tender.plan_output.LEDGER_COLUMNS`) after a `plan` column, and each
row's cells are the planner's own text: a row reads `PLAN,` + its line of `tender plan --ledger`
(one plan's file verbatim: `GET /api/v1/plans/{id}/ledger.csv`). Rows with no plan (and month 0) are
GPU-hours runtime jobs actually used, appended by `tender agent` (`tender.ledger.sql.runtime_ledger`).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from tender.ledger.sql import plan_store
from tender.ledger.sql.models import LedgerEntry
from tender.ledger.sql.paging import Page
from tender.plan_output import LEDGER_COLUMNS
from tender.service.auth import LabUser, Principal
from tender.service.context import ctx_of
from tender.service.paging import TOTAL_HEADERS, PageParams, PageQ, set_total
from tender.service.payloads import LedgerRowOut

router = APIRouter(prefix="/api/v1/ledger", tags=["ledger"])


def _query(
    request: Request,
    month: int | None,
    provider: str | None,
    contract: str | None,
    plan: int | None,
    params: PageParams | None = None,
) -> Page[LedgerEntry]:
    """One page of rows (every row, for the CSV export, when `params` is None)."""
    offset, limit = (params.offset, params.limit) if params else (0, None)
    with ctx_of(request).db.read() as session:
        return plan_store.ledger_rows(
            session,
            month=month,
            provider=provider,
            contract=contract,
            plan_id=plan,
            offset=offset,
            limit=limit,
        )


def _out(row: LedgerEntry) -> LedgerRowOut:
    return LedgerRowOut(
        plan=row.plan_id,
        month=row.month,
        period=row.period,
        provider=row.provider,
        contract=row.contract,
        billed_cost=row.billed_cost,
        effective_cost=row.effective_cost,
        columns=json.loads(row.row_json),
    )


MonthQ = Query(None, ge=1, le=1200, description="horizon month (1-based)")
ProviderQ = Query(None, max_length=128)
ContractQ = Query(None, max_length=128)
PlanQ = Query(None, ge=1, le=2**31 - 1)


@router.get("", response_model=list[LedgerRowOut], responses={200: {"headers": TOTAL_HEADERS}})
def query_ledger(
    request: Request,
    response: Response,
    month: int | None = MonthQ,
    provider: str | None = ProviderQ,
    contract: str | None = ContractQ,
    plan: int | None = PlanQ,
    params: PageParams = PageQ,
    _who: Principal = LabUser,
) -> list[LedgerRowOut]:
    found = _query(request, month, provider, contract, plan, params)
    set_total(request, response, params, found.total)
    return [_out(r) for r in found.items]


@router.get(
    "/export.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "headers": TOTAL_HEADERS}},
)
def export_ledger(
    request: Request,
    month: int | None = MonthQ,
    provider: str | None = ProviderQ,
    contract: str | None = ContractQ,
    plan: int | None = PlanQ,
    _who: Principal = LabUser,
) -> Response:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(("plan", *LEDGER_COLUMNS))
    found = _query(request, month, provider, contract, plan)
    for row in found.items:
        cells = json.loads(row.row_json)
        known: dict[str, Any] = {"month": row.month, "billing_period": row.period}
        known |= {"provider": row.provider, "contract_id": row.contract or ""}
        writer.writerow((row.plan_id or "", *(known.get(c, cells.get(c, "")) for c in LEDGER_COLUMNS)))
    return Response(
        buf.getvalue(),
        media_type="text/csv",
        headers={
            "Content-Disposition": 'attachment; filename="tender-ledger.csv"',
            "X-Total-Count": str(found.total),
        },
    )
