"""`set_field` amendments: YAML field names map onto the domain's, from the amendment month on, never before."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from tender.config import load_scenario_text
from tender.contracts import clauses_at
from tender.domain import ReservedCapacity, RevenueShare, Rofr

MINIMAL = (Path(__file__).resolve().parents[3] / "examples" / "minimal.yaml").read_text()

EXTRA = """
  - id: c-reserved
    type: reserved_capacity
    provider: rival-cloud-a
    gpu: H100
    gpus: 1000
    term_months: 12
    burst: {max_gpus: 100, rate: on_demand}
  - id: c-share
    type: revenue_share
    counterparty: primary-cloud
    outbound_rate: 0.2
"""

AMENDMENT = """
amendments:
  - id: a-changes
    effective_month: 7
    changes:
      - {contract: c-reserved, action: set_field, field: burst, value: {max_gpus: 400, rate: on_demand}}
      - {contract: c-share, action: set_field, field: outbound_rate, value: 0.1}
      - {contract: c-rofr, action: set_field, field: response_window_days, value: 14}
"""


@pytest.fixture(scope="module")
def scenario():  # type: ignore[no-untyped-def]
    text = MINIMAL.replace("\ndemand:\n", EXTRA + AMENDMENT + "\ndemand:\n")
    return load_scenario_text(text, "amended.yaml")


def _get(scenario, month: int, cid: str):  # type: ignore[no-untyped-def]
    return next(c for c in clauses_at(scenario, month) if c.id == cid)


@pytest.mark.parametrize(
    ("cid", "kind", "attr", "before", "after"),
    [
        ("c-reserved", ReservedCapacity, "burst_max_gpus", 100, 400),
        ("c-share", RevenueShare, "outbound_rate", Decimal("0.2"), Decimal("0.1")),
        ("c-rofr", Rofr, "response_window_days", 30, 14),
    ],
)
def test_set_field_applies_from_its_month_on(scenario, cid, kind, attr, before, after) -> None:  # type: ignore[no-untyped-def]
    for month, expected in ((1, before), (6, before), (7, after), (12, after)):
        clause = _get(scenario, month, cid)
        assert isinstance(clause, kind)
        assert getattr(clause, attr) == expected, (month, clause)


def test_other_fields_and_counterparty_survive(scenario) -> None:  # type: ignore[no-untyped-def]
    share = _get(scenario, 9, "c-share")
    assert isinstance(share, RevenueShare) and share.counterparty() == "primary-cloud"
    reserved = _get(scenario, 9, "c-reserved")
    assert (
        isinstance(reserved, ReservedCapacity)
        and reserved.gpus == 1000
        and reserved.effective_from_month == 7
    )
