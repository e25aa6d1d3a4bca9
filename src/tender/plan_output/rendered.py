"""The outputs `tender plan` writes for one verified plan, shared by the CLI and the service.

1. `PlanRenders(result, scenario, timings)` holds a plan that went through `verified` (or is made by
   `verified_renders`);
2. `json_text()` / `ledger_csv()` / `report_html()` render `--json`, `--ledger` and `--report`, each only
   when asked for (the report is megabytes), the same bytes wherever they are written (the JSON text
   once: `verify.verified_renders` checks it before it is written);
3. `document` is the JSON's data (rendered once), so `ledger_rows()` and `cost_total_usd()` read the
   plan's ledger without parsing the JSON text back.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from tender.domain import Scenario
from tender.plan_output.json_out import dumps_plan, plan_to_dict
from tender.plan_output.ledger_csv import ledger_csv
from tender.sourcing import Plan


def month_labels(scenario: Scenario) -> dict[int, str]:
    """Horizon month -> its billing-period label (`2026-07`)."""
    return {m: scenario.calendar.label(m) for m in scenario.calendar.months()}


@dataclass(frozen=True)
class PlanRenders:
    """Step 1: one verified plan and its scenario, rendered on demand (steps 2-3)."""

    result: Plan
    scenario: Scenario
    timings: bool = False  # write `solve_seconds` into the JSON (`tender plan --timings`)

    @cached_property
    def document(self) -> dict[str, Any]:
        """The plan JSON's data (`plan_to_dict`), built on first use."""
        return plan_to_dict(self.result, self.scenario, self.timings)

    def json_text(self) -> str:
        """`tender plan --json` (as `plan_to_json` writes it), rendered once: `verified_renders` checks
        these bytes, and they are what is written."""
        return self._json_text

    @cached_property
    def _json_text(self) -> str:
        return dumps_plan(self.document)

    def ledger_csv(self) -> str:
        """`tender plan --ledger`."""
        return ledger_csv(self.result, month_labels(self.scenario))

    def report_html(self) -> str:
        """`tender plan --report` (plotly loads only here)."""
        from tender.plan_output.report_html import report_html

        return report_html(self.result, self.scenario)

    def ledger_rows(self) -> list[dict[str, Any]]:
        """The JSON's ledger rows, each with its `billing_period` label."""
        labels = month_labels(self.scenario)
        return [
            {**row, "billing_period": labels.get(int(row["month"]), "")} for row in self.document["ledger"]
        ]

    def cost_total_usd(self) -> str:
        """The plan's total cost as the JSON writes it (exact decimal text)."""
        return str(self.document["cost_total_usd"])
