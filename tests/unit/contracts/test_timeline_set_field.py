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


@pytest.mark.parametrize(("value", "months_in_force"), [(9, [1, 2, 3, 4, 5, 6, 7, 8, 9]), (4, [1, 2, 3, 4])])
def test_set_field_effective_to_month_ends_the_clause_there(value: int, months_in_force: list[int]) -> None:
    """`effective_to_month` set at month 4 ends the clause at its new value, in the engine's timeline
    and in the independent checker's alike."""
    from tender.check.timeline import build_timeline

    amendment = f"""
amendments:
  - id: a-end
    effective_month: 4
    changes:
      - {{contract: c-rofr, action: set_field, field: effective_to_month, value: {value}}}
"""
    sc = load_scenario_text(MINIMAL + amendment, "end.yaml")
    engine = [m for m in range(1, 13) if any(c.id == "c-rofr" for c in clauses_at(sc, m))]
    checker = build_timeline(sc)
    assert engine == months_in_force
    assert [m for m in range(1, 13) if any(r.id == "c-rofr" for r in checker.rights(m))] == months_in_force
