"""A generated scenario (`sourcing_gen.generate`) with a little uncertainty: an on-demand price band and
a delivery slip on its first provider. Shared by the risk tests that compare solver profiles."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from sourcing_gen import generate

from tender.domain import Scenario
from tender.domain.uncertainty import Band, MonthsQuantiles, Uncertainty


def uncertain(seed: int) -> Scenario:
    base = generate(seed)
    first = sorted(base.providers)[0]
    u = Uncertainty(
        on_demand_multiplier=Band(Decimal("0.8"), Decimal("1"), Decimal("1.3")),
        delivery_slip_months={first: MonthsQuantiles(0, 2)},
    )
    return replace(base, uncertainty=u)
