"""Schema of the optional `uncertainty:` section (docs/scenario.md, "Uncertainty").

Order checks (p90 >= p50, low <= high, ...) and references are in `uncertainty_refs.py`, so every
problem is reported at its own field.
"""

from decimal import Decimal
from typing import Annotated

from pydantic import Field

from tender.config.schema_base import Fraction, Name, NonNegInt, PosDecimal, Strict

Correlation = Annotated[Decimal, Field(ge=-1, le=1, allow_inf_nan=False)]


class MonthsIn(Strict):
    p50: NonNegInt = 0
    p90: NonNegInt = 0


class BandIn(Strict):
    p10: PosDecimal
    p50: PosDecimal
    p90: PosDecimal


class PriceBandIn(Strict):
    p10: PosDecimal
    p90: PosDecimal


class HolderRangesIn(Strict):
    accept_probability: list[Fraction] | None = Field(None, min_length=2, max_length=2)
    max_share_of_request: list[Fraction] | None = Field(None, min_length=2, max_length=2)


class PriceMultipliersIn(Strict):
    on_demand: PriceBandIn | None = None
    spot: PriceBandIn | None = None


class UncertaintyIn(Strict):
    campus_delay_correlation: dict[Name, Correlation] = {}
    delivery_slip_months: dict[Name, MonthsIn] = {}
    demand_bands: dict[Name, BandIn] = {}
    run_start_slip_months: dict[Name, MonthsIn] = {}
    rofr_behavior_ranges: dict[Name, HolderRangesIn] = {}
    price_multipliers: PriceMultipliersIn = PriceMultipliersIn()
