"""Schema of a scenario file (pydantic v2). Key names follow examples/frontier-lab.yaml.

Contracts are validated one by one by `type` (see `schema_contracts`) so that an error points at the
clause's own fields; everything else is validated here.
"""

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator

from tender.config.schema_base import (
    Fraction,
    Month,
    Name,
    NonNegDecimal,
    NonNegInt,
    PosDecimal,
    PosInt,
    Strict,
)
from tender.config.schema_contracts import AmendmentIn
from tender.config.schema_uncertainty import UncertaintyIn


class HeaderIn(Strict):
    id: Name
    description: str = ""
    start_month: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    horizon_months: Annotated[int, Field(ge=1, le=240, strict=True)] = 24
    hours_per_month: PosInt = 730
    currency: Literal["USD"] = "USD"
    unmet_penalty_usd_per_h100_eq_hour: PosDecimal = Decimal(50)


class AcceleratorIn(Strict):
    h100_eq: PosDecimal
    memory_gb: PosInt
    kw_per_gpu_facility: PosDecimal
    rack_size: PosInt | None = None


class StepIn(Strict):
    from_month: Month
    gpus: NonNegInt


class CapacityLineIn(Strict):
    gpu: Name
    region: Name
    steps: list[StepIn] = Field(min_length=1)


class CampusPhaseIn(Strict):
    phase: PosInt
    online_month: Month
    mw: NonNegDecimal
    gpu: Name
    gpus: NonNegInt


class DelayRiskIn(Strict):
    p50: NonNegInt = 0
    p90: NonNegInt = 0


class CatalogRefIn(Strict):
    """`on_demand: {catalog: Lambda}`: take the provider's public list price from the shipped catalog."""

    catalog: str = Field(min_length=1)
    region: str | None = None
    gpu: str | None = None  # catalog accelerator name when it differs from the scenario's


class RatesIn(Strict):
    contract: NonNegDecimal | None = None
    on_demand: NonNegDecimal | CatalogRefIn | None = None
    spot: NonNegDecimal | None = None


class RofrBehaviorIn(Strict):
    accept_probability: Fraction
    max_share_of_request: Fraction = Decimal(1)
    typical_response_days: NonNegInt = 0


class CapacityBlocksIn(Strict):
    gpu: Name
    durations_days: str = ""
    max_instances_per_block: PosInt
    paid_upfront: bool = True
    cancellable: bool = False


class BackendIn(Strict):
    kind: Literal["local", "slurm", "ray", "fake"]
    partition: str | None = None
    address: str | None = None
    gpus: PosInt | None = None


class SkyPilotIn(Strict):
    """`skypilot: {cloud: Azure, regions: {us-central: [centralus]}}`: where SkyPilot launches this
    provider's capacity. `cloud` is a SkyPilot cloud (the shipped catalog's names, or Kubernetes);
    `regions` maps each of the provider's regions to SkyPilot region names (a region left out is not
    launchable through SkyPilot)."""

    cloud: str = Field(min_length=1, max_length=64)
    regions: dict[
        Name,
        list[Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]],
    ] = {}


class ProviderIn(Strict):
    resembles: str = ""
    note: str = ""
    kind: Literal["hyperscaler", "joint_venture_campus", "neocloud", "marketplace", "owned"]
    regions: list[Name] = Field(min_length=1)
    capacity: list[CapacityLineIn] = []
    new_capacity_offerable: list[CapacityLineIn] = []
    campus_phases: list[CampusPhaseIn] = []
    single_site: bool = False
    delay_risk_months: DelayRiskIn = DelayRiskIn()
    lead_time_months: NonNegInt = 0
    rates: dict[Name, RatesIn] = {}
    rofr_behavior: RofrBehaviorIn | None = None
    capacity_blocks: CapacityBlocksIn | None = None
    full_rack_only: bool = False
    min_block_hours: PosInt | None = None
    resale_allowed: bool = False
    price_volatility_pct: NonNegDecimal | None = None
    backend: BackendIn | None = None
    skypilot: SkyPilotIn | None = None


class FleetIn(Strict):
    id: Name
    workload_class: str
    latency_sensitive: bool = False
    preemptible_ok: bool = False
    allowed_gpus: list[Name] = Field(min_length=1)
    regions_preferred: list[Name] = []
    regions_allowed: list[Name] = []
    h100_eq: list[NonNegDecimal] = Field(min_length=1)


class TrainingRunIn(Strict):
    id: Name
    workload_class: str = "training"
    gpu_types: list[Name] = Field(min_length=1)
    gpus: PosInt
    single_site: bool = True
    mixed_types_ok: bool = False
    earliest_start_month: Month
    duration_months: PosInt
    latest_end_month: Month
    preemptible_ok: bool = False
    regions_allowed: list[Name] = []


class DemandIn(Strict):
    inference_fleets: list[FleetIn] = []
    continuous_training: list[FleetIn] = []
    training_runs: list[TrainingRunIn] = []


class ResponseIn(Strict):
    """A scripted answer of a right holder to the notice for one need."""

    need: Name
    holder: Name | None = None
    exercise_gpus: NonNegInt | None = None
    decline: bool = False
    silent: bool = False
    response_days: NonNegInt | None = None


class ScenarioIn(Strict):
    scenario: HeaderIn
    gpu_catalog: dict[Name, AcceleratorIn] = Field(min_length=1)
    providers: dict[Name, ProviderIn] = Field(min_length=1)
    contracts: list[dict[str, Any]] = []  # validated per clause type in `load.py`
    amendments: list[AmendmentIn] = []
    demand: DemandIn = DemandIn()
    revenue_forecast_usd_billions: list[NonNegDecimal] | None = None
    revenue_forecast_usd: list[NonNegDecimal] | None = None
    rofr_responses: list[ResponseIn] = []
    ledger_columns: list[str] = []
    uncertainty: UncertaintyIn | None = None

    @field_validator("contracts", mode="before")
    @classmethod
    def _contracts_are_mappings(cls, value: Any) -> Any:
        if isinstance(value, list):
            for item in value:
                if not isinstance(item, dict):
                    raise ValueError("every contract must be a mapping with at least `id` and `type`")
        return value
