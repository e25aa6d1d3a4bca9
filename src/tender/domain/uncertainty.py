"""What a scenario says is uncertain (the `uncertainty:` section; campus delays come from providers).

Plain values; the distributions they define and the sampler live in `tender.sourcing.risk`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class MonthsQuantiles:
    """Whole months >= 0 with a median and a 90th percentile (p50 <= p90)."""

    p50: int = 0
    p90: int = 0


@dataclass(frozen=True)
class Band:
    """A multiplier by its 10th, 50th and 90th percentiles (0 < p10 <= p50 <= p90)."""

    p10: Decimal
    p50: Decimal
    p90: Decimal


@dataclass(frozen=True)
class Range:
    """A uniform range [low, high]."""

    low: Decimal
    high: Decimal


@dataclass(frozen=True)
class HolderRanges:
    """A ROFR holder model's parameters, each uniform on its range (None: the scenario's fixed value)."""

    accept_probability: Range | None = None
    max_share_of_request: Range | None = None


@dataclass(frozen=True)
class Uncertainty:
    """What a risk study samples: delays and slips, demand bands, holder behaviour and price multipliers."""

    campus_delay_correlation: Mapping[str, Decimal] = field(default_factory=dict)  # provider -> rho
    delivery_slip_months: Mapping[str, MonthsQuantiles] = field(default_factory=dict)  # provider
    demand_bands: Mapping[str, Band] = field(default_factory=dict)  # fleet id
    run_start_slip_months: Mapping[str, MonthsQuantiles] = field(default_factory=dict)  # run id
    rofr_behavior_ranges: Mapping[str, HolderRanges] = field(default_factory=dict)  # holder
    on_demand_multiplier: Band | None = None  # p50 = the midpoint of p10 and p90
    spot_multiplier: Band | None = None
