"""Shared state and small seeded helpers of the scenario generator (`scenario_gen`, `gen_clauses`).

Numbers: whole amounts are `int`; every fraction is a `float` built from an integer count of
hundredths or thousandths (`cents`, `milli`), so its `repr` is exactly the intended short decimal
("3.47"); `yaml.safe_dump` writes that text and Tender's loader reads it back as that exact `Decimal`.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")
Doc = dict[str, Any]

REGION_POOL = ("us-east", "us-central", "us-west", "eu-west", "eu-north", "ap-south")
CLASSES = ("inference", "api-serving", "training", "research")


@dataclass(frozen=True)
class Size:
    horizon: tuple[int, int]
    providers: tuple[int, int]
    gpus: tuple[int, int]
    regions: tuple[int, int]
    fleets: tuple[int, int]
    continuous: tuple[int, int]
    runs: tuple[int, int]
    amendments: tuple[int, int]
    scale: int  # typical GPUs on one capacity line


SIZES: dict[str, Size] = {
    "small": Size((6, 12), (2, 7), (2, 4), (1, 3), (1, 3), (0, 1), (0, 2), (0, 2), 4000),
    "medium": Size((12, 36), (5, 12), (2, 4), (2, 4), (3, 8), (0, 3), (1, 5), (1, 4), 16000),
}


def cents(value: int) -> float:
    """A decimal with two places from an integer count of hundredths (`cents(347)` -> 3.47)."""
    return value / 100


def milli(value: int) -> float:
    """A decimal with three places from an integer count of thousandths (`milli(125)` -> 0.125)."""
    return value / 1000


@dataclass
class Ctx:
    """Everything generated so far; later sections read earlier ones (demand reads capacity...)."""

    rng: random.Random
    size: Size
    horizon: int
    catalog: dict[str, Doc] = field(default_factory=dict)
    providers: dict[str, Doc] = field(default_factory=dict)
    fleets: list[Doc] = field(default_factory=list)
    continuous: list[Doc] = field(default_factory=list)
    runs: list[Doc] = field(default_factory=list)
    contracts: list[Doc] = field(default_factory=list)
    amendments: list[Doc] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    serial: int = 0

    def new_id(self, prefix: str) -> str:
        self.serial += 1
        return f"{prefix}-{self.serial}"

    # -- randomness -------------------------------------------------------------------------------
    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pick(self, items: Sequence[T]) -> T:
        return items[self.rng.randrange(len(items))]

    def some(self, items: Iterable[T], lo: int = 1, hi: int | None = None) -> list[T]:
        pool = list(items)
        top = len(pool) if hi is None else min(hi, len(pool))
        return self.rng.sample(pool, self.rng.randint(min(lo, top), top)) if pool else []

    def month(self, lo: int = 1, hi: int | None = None) -> int:
        return self.rng.randint(lo, max(lo, self.horizon if hi is None else hi))

    # -- what exists so far -----------------------------------------------------------------------
    @property
    def regions(self) -> list[str]:
        return sorted({r for p in self.providers.values() for r in p["regions"]})

    @property
    def demands(self) -> list[Doc]:
        return [*self.fleets, *self.continuous, *self.runs]

    def demand_ids(self) -> list[str]:
        return [d["id"] for d in self.demands]

    def existing(self, pid: str, gpu: str, region: str, month: int) -> int:
        """GPUs listed by `pid` (capacity steps + campus phases online), as the domain counts them."""
        p = self.providers[pid]
        total = sum(
            _at(line["steps"], month)
            for line in p.get("capacity", [])
            if line["gpu"] == gpu and line["region"] == region
        )
        if p.get("campus_phases") and region == p["regions"][0]:
            total += sum(
                ph["gpus"] for ph in p["campus_phases"] if ph["gpu"] == gpu and ph["online_month"] <= month
            )
        return total

    def offerable(self, pid: str, gpu: str, region: str, month: int) -> int:
        lines = self.providers[pid].get("new_capacity_offerable", [])
        return sum(_at(ln["steps"], month) for ln in lines if ln["gpu"] == gpu and ln["region"] == region)

    def pairs(self, pid: str) -> list[tuple[str, str]]:
        """(accelerator, region) pairs `pid` lists existing capacity for, in a stable order."""
        p = self.providers[pid]
        out = {(ln["gpu"], ln["region"]): None for ln in p.get("capacity", [])}
        for ph in p.get("campus_phases", []):
            out[(ph["gpu"], p["regions"][0])] = None
        return list(out)

    def peak(self, pid: str, gpu: str, region: str) -> int:
        return max(self.existing(pid, gpu, region, m) for m in range(1, self.horizon + 1))

    def h100_eq_capacity(self, month: int) -> float:
        """Existing capacity of every provider in `month`, in H100 equivalents."""
        return sum(
            self.existing(pid, gpu, region, month) * float(self.catalog[gpu]["h100_eq"])
            for pid in self.providers
            for gpu, region in self.pairs(pid)
        )

    def committed_ids(self) -> list[str]:
        return [c["id"] for c in self.contracts if c["type"] == "committed_spend"]


def _at(steps: list[Doc], month: int) -> int:
    gpus = 0
    for step in steps:
        if step["from_month"] <= month:
            gpus = int(step["gpus"])
    return gpus
