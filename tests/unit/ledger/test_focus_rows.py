"""FOCUS rows, held to the specification rather than to the row builders.

1. Reservation rows have the shape of the spec's own commitment-discount examples (CC-BY-4.0
   fixtures in focus_spec_examples/): one-time and recurring purchases, Used and Unused rows.
2. The spec's arithmetic on every row of the example plan: ContractedCost = ContractedUnitPrice x
   PricingQuantity and ListCost = ListUnitPrice x PricingQuantity where both are set; ConsumedQuantity
   only on Usage rows; CommitmentDiscountStatus only on Usage rows with a CommitmentDiscountId; the
   allowed values of FOCUS 1.0's enumerated columns; Tags a JSON object.
3. A metered attempt worked by hand: 2 GPUs for 3,600 s at 2.49 is 2 GPU-hours and 4.98 USD.
4. A plan of another scenario is refused.
"""

from __future__ import annotations

import csv
import functools
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tender.config.load import load_scenario
from tender.domain import Scenario
from tender.ledger.focus import PlanMismatch, plan_rows, usage_rows
from tender.ledger.focus.columns import FocusRow, text
from tender.plan_output import plan_to_dict
from tender.sourcing import PlanOptions, plan

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
SPEC = HERE / "focus_spec_examples"
ALLOWED = {
    "ChargeCategory": {"Usage", "Purchase", "Tax", "Credit", "Adjustment"},
    "ChargeFrequency": {"One-Time", "Recurring", "Usage-Based"},
    "PricingCategory": {"Standard", "Dynamic", "Committed", "Other", ""},
    "CommitmentDiscountStatus": {"Used", "Unused", ""},
    "CommitmentDiscountCategory": {"Spend", "Usage", ""},
    "ChargeClass": {"Correction", ""},
}


@functools.cache
def _example() -> tuple[Scenario, dict[str, Any]]:
    sc = load_scenario(ROOT / "examples" / "frontier-lab.yaml")
    return sc, json.loads(json.dumps(plan_to_dict(plan(sc, PlanOptions(seed=0)), sc)))


def _null(value: str) -> bool:
    return value in ("", "null")


def _shape(row: dict[str, str]) -> tuple[object, ...]:
    return (
        row["ChargeCategory"],
        row["ChargeFrequency"],
        row["PricingCategory"],
        row.get("CommitmentDiscountStatus", ""),
        Decimal(row["BilledCost"]) == 0,
        Decimal(row["EffectiveCost"]) == 0,
        _null(row.get("ConsumedQuantity", "")),
        row["ResourceId"] == row["CommitmentDiscountId"],
    )


def _as_text(row: FocusRow) -> dict[str, str]:
    return {k: text(v) for k, v in row.items()}


def test_reservation_rows_have_the_shape_of_the_specs_examples() -> None:
    spec = set()
    for name in ("commitment_discount_purchase_scenario_3.csv", "commitment_discount_usage_scenario_3.csv"):
        with (SPEC / name).open(encoding="utf-8") as f:
            spec |= {_shape(r) for r in csv.DictReader(f)}
    sc, doc = _example()
    ours = {_shape(_as_text(r)) for r in plan_rows(sc, doc) if r.get("x_ChargeKind") == "reservation"}
    assert ours == spec


def test_every_row_keeps_the_specs_arithmetic_and_values() -> None:
    sc, doc = _example()
    rows = [_as_text(r) for r in plan_rows(sc, doc)]
    assert rows
    for r in rows:
        q = r.get("PricingQuantity", "")
        for cost, price in (("ContractedCost", "ContractedUnitPrice"), ("ListCost", "ListUnitPrice")):
            if q and r.get(price):
                assert Decimal(r[cost]) == Decimal(r[price]) * Decimal(q), (cost, r)
        if r.get("ConsumedQuantity"):
            assert r["ChargeCategory"] == "Usage", r
        if r.get("CommitmentDiscountStatus"):
            assert r["ChargeCategory"] == "Usage" and r["CommitmentDiscountId"], r
        for column, allowed in ALLOWED.items():
            assert r.get(column, "") in allowed, (column, r)
        assert isinstance(json.loads(r["Tags"]), dict)
        assert r["BillingCurrency"] == "USD" and r["ChargePeriodStart"] < r["ChargePeriodEnd"]


def test_a_metered_attempt_by_hand() -> None:
    entry = {
        "provider": "on-prem",
        "pool_id": "p1",
        "job_id": "j1",
        "gpus": 2,
        "seconds": "3600",
        "gpu_hours": "2",
        "price_per_gpu_hour_usd": "2.49",
        "billed_cost_usd": "4.98",
        "outcome": "succeeded",
        "ended_at": "2026-08-01T00:30:00+00:00",
    }
    (row,) = usage_rows([entry], "lab")
    assert (row["BilledCost"], row["PricingQuantity"], row["ContractedUnitPrice"]) == (
        Decimal("4.98"),
        Decimal("2"),
        Decimal("2.49"),
    )
    assert (row["ChargePeriodStart"], row["ChargePeriodEnd"]) == (
        "2026-07-31T23:30:00Z",
        "2026-08-01T00:30:00Z",
    )
    assert (row["BillingPeriodStart"], row["BillingPeriodEnd"]) == (
        "2026-08-01T00:00:00Z",
        "2026-09-01T00:00:00Z",
    )


def test_a_plan_of_another_scenario_is_refused() -> None:
    sc, doc = _example()
    with pytest.raises(PlanMismatch):
        plan_rows(sc, {**doc, "scenario": "someone-else"})
