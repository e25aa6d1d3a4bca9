"""FOCUS (FinOps Open Cost and Usage Specification) export of a plan and of the runtime's metered use."""

from tender.ledger.focus.columns import COLUMNS, FOCUS_1_0, FOCUS_LATER, PREVIEW_NAMES, TENDER, render_csv
from tender.ledger.focus.plan_rows import PlanMismatch, plan_rows
from tender.ledger.focus.usage_rows import usage_rows

__all__ = [
    "COLUMNS",
    "FOCUS_1_0",
    "FOCUS_LATER",
    "PREVIEW_NAMES",
    "TENDER",
    "PlanMismatch",
    "plan_rows",
    "render_csv",
    "usage_rows",
]
