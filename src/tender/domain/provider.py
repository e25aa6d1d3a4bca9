"""Providers, accelerators, capacity over time and rates."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum


class ProviderKind(StrEnum):
    HYPERSCALER = "hyperscaler"
    JOINT_VENTURE_CAMPUS = "joint_venture_campus"
    NEOCLOUD = "neocloud"
    MARKETPLACE = "marketplace"
    OWNED = "owned"


class Pricing(StrEnum):
    """How an accelerator-hour is priced."""

    CONTRACT = "contract"
    ON_DEMAND = "on_demand"
    SPOT = "spot"
    RESERVED = "reserved"
    TAKE_OR_PAY = "take_or_pay"


@dataclass(frozen=True)
class Accelerator:
    """An accelerator type: its throughput in H100 equivalents, memory and facility power per GPU."""

    name: str
    h100_eq: Decimal  # throughput relative to one H100
    memory_gb: int
    kw_per_gpu_facility: Decimal
    rack_size: int | None = None  # sold in whole racks of this many when a provider is full_rack_only


@dataclass(frozen=True)
class CapacityStep:
    """`gpus` available from `from_month` until the next step."""

    from_month: int
    gpus: int


@dataclass(frozen=True)
class CapacityLine:
    """Capacity of one accelerator type in one region, as steps that hold until the next step."""

    gpu: str
    region: str
    steps: tuple[CapacityStep, ...]

    def gpus_at(self, month: int) -> int:
        gpus = 0
        for step in self.steps:
            if step.from_month <= month:
                gpus = step.gpus
        return gpus


@dataclass(frozen=True)
class CampusPhase:
    """One phase of a campus build-out: `gpus` of `gpu` online from `online_month` (`mw` of power)."""

    phase: int
    online_month: int
    mw: Decimal
    gpu: str
    gpus: int


@dataclass(frozen=True)
class DelayRisk:
    """A campus's phase delay in whole months: median and 90th percentile (`delay_risk_months`)."""

    p50: int = 0
    p90: int = 0


@dataclass(frozen=True)
class Rates:
    """USD per accelerator-hour under each pricing model; None = not offered."""

    contract: Decimal | None = None
    on_demand: Decimal | None = None
    spot: Decimal | None = None

    def get(self, pricing: Pricing) -> Decimal | None:
        if pricing is Pricing.ON_DEMAND:
            return self.on_demand
        if pricing is Pricing.SPOT:
            return self.spot
        return self.contract


@dataclass(frozen=True)
class RofrBehavior:
    """Simulation hints for a right holder's answers (not contract terms)."""

    accept_probability: Decimal
    max_share_of_request: Decimal
    typical_response_days: int


@dataclass(frozen=True)
class CapacityBlocks:
    """Short fixed-length blocks of `gpu` a provider sells (durations, instances per block, terms)."""

    gpu: str
    durations_days: str
    max_instances_per_block: int
    paid_upfront: bool = True
    cancellable: bool = False


@dataclass(frozen=True)
class BackendSpec:
    """Where jobs placed on this provider's pools run: `local`, `slurm`, `ray` or `fake`."""

    kind: str
    options: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SkyTarget:
    """Where SkyPilot launches this provider's capacity: its cloud (a SkyPilot cloud name, e.g. `Azure`)
    and, per Tender region of the provider, the SkyPilot regions it stands for (in preference order)."""

    cloud: str
    regions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Provider:
    """A supplier of compute: its regions, capacity (existing, new, campus phases), rates and terms."""

    id: str
    kind: ProviderKind
    regions: tuple[str, ...]
    capacity: tuple[CapacityLine, ...] = ()
    new_capacity_offerable: tuple[CapacityLine, ...] = ()
    campus_phases: tuple[CampusPhase, ...] = ()
    single_site: bool = False
    delay_risk: DelayRisk = DelayRisk()
    lead_time_months: int = 0
    rates: Mapping[str, Rates] = field(default_factory=dict)
    rofr_behavior: RofrBehavior | None = None
    capacity_blocks: CapacityBlocks | None = None
    full_rack_only: bool = False
    min_block_hours: int | None = None
    resale_allowed: bool = False
    price_volatility_pct: Decimal | None = None
    backend: BackendSpec | None = None
    resembles: str = ""
    note: str = ""
    skypilot: SkyTarget | None = None  # None: not launchable through SkyPilot

    def campus_region(self) -> str | None:
        """The single region a campus's phases land in (its first region)."""
        return self.regions[0] if self.campus_phases and self.regions else None

    def existing_gpus(self, gpu: str, region: str, month: int) -> int:
        """Capacity already contracted or built (capacity steps + campus phases online by `month`)."""
        total = sum(
            line.gpus_at(month) for line in self.capacity if line.gpu == gpu and line.region == region
        )
        if region == self.campus_region():
            total += sum(p.gpus for p in self.campus_phases if p.gpu == gpu and p.online_month <= month)
        return total

    def offerable_gpus(self, gpu: str, region: str, month: int) -> int:
        """New capacity the provider could add (e.g. if a right holder exercises)."""
        return sum(
            line.gpus_at(month)
            for line in self.new_capacity_offerable
            if line.gpu == gpu and line.region == region
        )

    def gpu_region_pairs(self) -> tuple[tuple[str, str], ...]:
        """Every (accelerator, region) this provider has or could have capacity in, in a stable order."""
        pairs: dict[tuple[str, str], None] = {}
        for line in (*self.capacity, *self.new_capacity_offerable):
            pairs[(line.gpu, line.region)] = None
        region = self.campus_region()
        if region is not None:
            for phase in self.campus_phases:
                pairs[(phase.gpu, region)] = None
        return tuple(pairs)
