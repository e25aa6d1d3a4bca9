"""What the lab needs: fleets (h100_eq per month) and single-site training runs."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class WorkloadClass(StrEnum):
    TRAINING = "training"
    INFERENCE = "inference"
    API_SERVING = "api-serving"
    RESEARCH = "research"


class FleetKind(StrEnum):
    INFERENCE = "inference_fleets"
    CONTINUOUS_TRAINING = "continuous_training"


@dataclass(frozen=True)
class Fleet:
    """A steady need in H100-equivalents per month, met by any mix of allowed accelerators."""

    id: str
    kind: FleetKind
    workload_class: str
    h100_eq: tuple[Decimal, ...]  # one value per horizon month, month 1 first
    allowed_gpus: tuple[str, ...]
    regions_preferred: tuple[str, ...] = ()
    regions_allowed: tuple[str, ...] = ()  # empty = any region
    latency_sensitive: bool = False
    preemptible_ok: bool = False

    def need(self, month: int) -> Decimal:
        return self.h100_eq[month - 1]


@dataclass(frozen=True)
class TrainingRun:
    """N accelerators of one type, at one site, for contiguous months inside a window."""

    id: str
    workload_class: str
    gpu_types: tuple[str, ...]
    gpus: int
    earliest_start_month: int
    duration_months: int
    latest_end_month: int  # inclusive
    single_site: bool = True
    mixed_types_ok: bool = False
    preemptible_ok: bool = False
    regions_allowed: tuple[str, ...] = ()

    def start_months(self) -> range:
        """Every month the run may start in and still end by `latest_end_month`."""
        return range(self.earliest_start_month, self.latest_end_month - self.duration_months + 2)


Demand = Fleet | TrainingRun
