"""`--ledger`: the ledger rows as CSV (FOCUS-style columns, money as exact cents)."""

from __future__ import annotations

import csv
import io

from tender.plan_output.json_out import usd
from tender.sourcing import Plan

LEDGER_COLUMNS = (
    "month",
    "billing_period",
    "provider",
    "contract_id",
    "gpu_hours",
    "billed_cost_usd",
    "effective_cost_usd",
    "commitment_status",
    "commitment_drawdown_usd",
    "shortfall_accrual_usd",
    "revenue_share_usd",
)


def ledger_csv(plan: Plan, month_label: dict[int, str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(LEDGER_COLUMNS)
    for r in plan.ledger:
        writer.writerow(
            (
                r.month,
                month_label.get(r.month, ""),
                r.provider,
                r.contract_id or "",
                format(r.gpu_hours, "f"),
                usd(r.billed_cost_usd),
                usd(r.effective_cost_usd),
                r.commitment_status,
                usd(r.commitment_drawdown_usd),
                usd(r.shortfall_accrual_usd),
                usd(r.revenue_share_usd),
            )
        )
    return out.getvalue()
