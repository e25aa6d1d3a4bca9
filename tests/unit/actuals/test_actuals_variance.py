"""Plan vs actual on a hand-computed case: a hand-written plan, hand-written actuals, figures by hand.

Scenario tests/unit/actuals/data/two_clouds.yaml (730 h/month): cloud-a has `c-a` (total 10,000;
4,000 due by month 2, 10,000 by month 4; only compute_contract spend counts) and `c-a-2` (total
2,000 by month 4, drawn only once c-a's total is met).

Plan: cloud-a bills 3,000 a month, of which month 1 holds one on-demand GPU (1 x 1.00 x 730 = 730,
not eligible); cloud-b bills 1,000 a month.
  planned drawdown of c-a: m1 3,000 - 730 = 2,270; m2 5,270; m3 8,270; m4 10,000 (capped), the
  other 1,270 of m4 goes to c-a-2. Shortfalls: c-a m2 0, m4 0; c-a-2 m4 2,000 - 1,270 = 730.
Actuals (months 1-2, so as_of = 3):
  cloud-a m1 FOCUS: 2,500 contract + 400 on-demand + 50 tax = 2,950, 1,100 GPU-h;
  cloud-a m2 FOCUS: 1,000 contract, 300 GPU-h; the runtime also metered 999 there: not added
  (the bill wins); cloud-b m1 runtime only: 600 (cloud-b has a contract rate: compute_contract),
  200 GPU-h; one row in 2025-12 is outside the horizon.
  variance: cloud-a m1 2,950 - 3,000 = -50 (GPU-h +100), m2 -2,000; cloud-b m1 -400, m2 -1,000.
  c-a drawdown from actuals: m1 2,500, m2 3,500 -> milestone m2 short 4,000 - 3,500 = 500.
  projected (plan from m3): m3 6,500, m4 9,500 -> m4 short max(0, 10,000 - 9,500 - 500 paid) = 0;
  c-a-2 never starts (c-a below its total): projected shortfall 2,000.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from tender.config import load_scenario
from tender.ledger.actuals import ActualsError
from tender.ledger.actuals.planned import planned_from_doc
from tender.ledger.actuals.report_doc import comparison_json, comparison_to_dict
from tender.ledger.actuals.variance import actuals_by_month, compare
from tender.ledger.sql.actuals_store import ActualLine

DATA = Path(__file__).parent / "data"
D = Decimal


def _plan_doc() -> dict[str, object]:
    ledger = [
        {"month": m, "provider": p, "billed_cost_usd": amount, "gpu_hours": hours}
        for m in (1, 2, 3, 4)
        for p, amount, hours in (("cloud-a", "3000.00", "1000"), ("cloud-b", "1000.00", "333"))
    ]
    awards = [
        {
            "provider": "cloud-a",
            "month": 1,
            "gpus": 1,
            "rate_usd_per_gpu_hour": "1.00",
            "pricing": "on_demand",
        },
        {
            "provider": "cloud-a",
            "month": 1,
            "gpus": 2,
            "rate_usd_per_gpu_hour": "2.00",
            "pricing": "contract",
        },
    ]
    return {"scenario": "two-clouds", "ledger": ledger, "awards": awards}


def _line(source: str, provider: str, period: str, category: str, cost: str, hours: str) -> ActualLine:
    return ActualLine(source, provider, period, "us-east", "H100", category, D(cost), D(cost), D(hours))


ACTUALS = [
    _line("focus", "cloud-a", "2026-01", "compute_contract", "2500", "1000"),
    _line("focus", "cloud-a", "2026-01", "compute_on_demand", "400", "100"),
    _line("focus", "cloud-a", "2026-01", "tax", "50", "0"),
    _line("focus", "cloud-a", "2026-02", "compute_contract", "1000", "300"),
    _line("runtime", "cloud-a", "2026-02", "", "999", "333"),
    _line("runtime", "cloud-b", "2026-01", "", "600", "200"),
    _line("focus", "cloud-a", "2025-12", "compute_contract", "77", "7"),
]


@pytest.fixture(scope="module")
def doc() -> dict[str, object]:
    sc = load_scenario(str(DATA / "two_clouds.yaml"))
    planned = planned_from_doc(_plan_doc(), sc, "plan.json")
    return comparison_to_dict(compare(sc, planned, actuals_by_month(sc, ACTUALS)), sc)


def test_provider_months_hand_computed(doc: dict[str, object]) -> None:
    rows = {(r["provider"], r["month"]): r for r in doc["provider_months"]}  # type: ignore[attr-defined]
    assert doc["as_of_month"] == 3 and doc["fixed_months"] == [1, 2]
    assert doc["rows_outside_horizon"] == 1
    a1, a2, b1, b2 = rows[("cloud-a", 1)], rows[("cloud-a", 2)], rows[("cloud-b", 1)], rows[("cloud-b", 2)]
    assert (a1["actual_usd"], a1["variance_usd"], a1["variance_gpu_hours"]) == ("2950.00", "-50.00", "100")
    assert (a2["actual_usd"], a2["variance_usd"]) == ("1000.00", "-2000.00")
    assert (b1["actual_usd"], b1["variance_usd"], b1["actual_gpu_hours"]) == ("600.00", "-400.00", "200")
    assert (b2["actual_usd"], b2["variance_usd"]) == ("0.00", "-1000.00")
    assert rows[("cloud-a", 3)]["actual_usd"] is None and rows[("cloud-a", 3)]["planned_usd"] == "3000.00"


def test_burn_down_hand_computed(doc: dict[str, object]) -> None:
    burn = {(b["contract"], b["month"]): b for b in doc["burn_down"]}  # type: ignore[attr-defined]
    assert [burn[("c-a", m)]["planned_cumulative_usd"] for m in (1, 2, 3, 4)] == [
        "2270.00",
        "5270.00",
        "8270.00",
        "10000.00",
    ]
    assert burn[("c-a-2", 4)]["planned_cumulative_usd"] == "1270.00"
    assert [burn[("c-a", m)]["actual_cumulative_usd"] for m in (1, 2, 3)] == ["2500.00", "3500.00", None]
    assert [burn[("c-a", m)]["projected_cumulative_usd"] for m in (3, 4)] == ["6500.00", "9500.00"]
    assert burn[("c-a", 4)]["remaining_usd"] == "500.00"
    assert burn[("c-a-2", 4)]["projected_cumulative_usd"] == "0.00"


def test_milestones_hand_computed(doc: dict[str, object]) -> None:
    ms = {(m["contract"], m["by_month"]): m for m in doc["milestones"]}  # type: ignore[attr-defined]
    assert set(ms) == {("c-a", 2), ("c-a", 4), ("c-a-2", 4)}
    assert (ms[("c-a", 2)]["planned_shortfall_usd"], ms[("c-a", 2)]["projected_shortfall_usd"]) == (
        "0.00",
        "500.00",
    )
    assert (ms[("c-a", 4)]["planned_shortfall_usd"], ms[("c-a", 4)]["projected_shortfall_usd"]) == (
        "0.00",
        "0.00",
    )
    assert ms[("c-a-2", 4)]["planned_shortfall_usd"] == "730.00"
    assert ms[("c-a-2", 4)]["projected_shortfall_usd"] == "2000.00"


def test_as_of_override_and_determinism() -> None:
    sc = load_scenario(str(DATA / "two_clouds.yaml"))
    planned = planned_from_doc(_plan_doc(), sc, "plan.json")
    actual = actuals_by_month(sc, ACTUALS)
    early = comparison_to_dict(compare(sc, planned, actual, as_of=2), sc)
    assert early["fixed_months"] == [1]
    ms = {(m["contract"], m["by_month"]): m for m in early["milestones"]}
    # month 1 actual 2,500 + month 2 planned 3,000 = 5,500 >= 4,000
    assert ms[("c-a", 2)]["projected_cumulative_usd"] == "5500.00"
    assert comparison_json(compare(sc, planned, actual), sc) == comparison_json(
        compare(sc, planned, actuals_by_month(sc, list(reversed(ACTUALS)))), sc
    )
    json.loads(comparison_json(compare(sc, planned, actual), sc))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d.pop("ledger"), "ledger"),
        (lambda d: d["ledger"][3].pop("billed_cost_usd"), "ledger[3].billed_cost_usd"),
        (lambda d: d["awards"][0].update(gpus="x"), "awards[0].gpus"),
        (lambda d: d.update(scenario="other"), "scenario"),
    ],
)
def test_bad_plan_document_names_the_field(change: object, field: str) -> None:
    sc = load_scenario(str(DATA / "two_clouds.yaml"))
    doc = _plan_doc()
    change(doc)  # type: ignore[operator]
    with pytest.raises(ActualsError) as err:
        planned_from_doc(doc, sc, "plan.json")
    assert str(err.value).startswith(f"plan.json: {field}: ")
