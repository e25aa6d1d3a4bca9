"""A small seeded generator of scenarios with every clause family the planner handles."""

from __future__ import annotations

import random
from decimal import Decimal

from tender.domain import (
    Accelerator,
    Calendar,
    CarveOut,
    CommittedSpend,
    DataResidency,
    Fleet,
    FleetKind,
    Milestone,
    Provider,
    ProviderKind,
    Rates,
    ReservedCapacity,
    Rofr,
    RofrBehavior,
    Scenario,
    Scope,
    TrainingRun,
    WorkloadExclusivity,
)
from tender.domain.provider import CapacityLine, CapacityStep

GPUS = ("G1", "G2", "G3")
REGIONS = ("r-us", "r-eu", "r-ap")


def generate(seed: int, months: int = 8) -> Scenario:
    rng = random.Random(seed)
    accelerators = {
        "G1": Accelerator("G1", Decimal(1), 80, Decimal("1.8")),
        "G2": Accelerator("G2", Decimal("1.5"), 141, Decimal("2.0")),
        "G3": Accelerator("G3", Decimal("2.5"), 186, Decimal("2.8"), rack_size=8),
    }
    providers: dict[str, Provider] = {}
    for k in range(rng.randint(3, 5)):
        pid = f"p{k}"
        lines = []
        rates = {}
        for g in rng.sample(GPUS, rng.randint(1, 3)):
            region = rng.choice(REGIONS)
            steps = (
                CapacityStep(1, rng.randrange(0, 4000, 8)),
                CapacityStep(rng.randint(2, months), rng.randrange(0, 6000, 8)),
            )
            lines.append(CapacityLine(g, region, steps))
            base = Decimal(rng.randint(150, 600)) / 100
            spot = (base * Decimal("0.5")).quantize(Decimal("0.01")) if rng.random() < 0.5 else None
            rates[g] = Rates(
                contract=base, on_demand=(base * Decimal("1.4")).quantize(Decimal("0.01")), spot=spot
            )
        new = ()
        behavior = None
        if k == 0:
            new = (CapacityLine("G3", "r-us", (CapacityStep(2, 2048),)),)
            rates.setdefault("G3", Rates(Decimal("5.00"), Decimal("8.00")))
            behavior = RofrBehavior(Decimal("0.5"), Decimal("0.6"), 10)
        providers[pid] = Provider(
            id=pid,
            kind=ProviderKind.OWNED if k == 2 else ProviderKind.HYPERSCALER,
            regions=tuple(sorted({line.region for line in lines} | ({"r-us"} if new else set()))),
            capacity=tuple(lines),
            new_capacity_offerable=new,
            lead_time_months=1 if new else 0,
            rates=rates,
            rofr_behavior=behavior,
            full_rack_only=k == 1,
        )
    fleets = []
    for k in range(rng.randint(2, 4)):
        allowed = tuple(sorted(rng.sample(GPUS, rng.randint(1, 3))))
        fleets.append(
            Fleet(
                id=f"f{k}",
                kind=FleetKind.INFERENCE,
                workload_class=rng.choice(("inference", "training")),
                h100_eq=tuple(Decimal(rng.randint(200, 3000)) for _ in range(months)),
                allowed_gpus=allowed,
                preemptible_ok=rng.random() < 0.4,
            )
        )
    runs = (
        TrainingRun("run0", "training", ("G1", "G2", "G3"), rng.randrange(200, 1600, 8), 2, 2, months - 1),
    )
    p1 = sorted(providers)[1]
    contracts = (
        Rofr(
            id="c-rofr",
            holder="p0",
            effective_to_month=months - 2,
            carve_outs=(
                CarveOut(kind="existing_contracted_capacity"),
                CarveOut(scope=Scope(workload_classes=("training",), providers=(p1,))),
            ),
            response_window_days=20,
            min_exercise_block_gpus=256,
        ),
        WorkloadExclusivity(id="c-excl", provider="p0", workloads=("f0",))
        if rng.random() < 0.5
        else DataResidency(id="c-res0", workloads=("f0",), allowed_regions=("r-eu",)),
        DataResidency(id="c-res", workloads=("f1",), allowed_regions=("r-eu", "r-us")),
        ReservedCapacity(
            id="c-res-cap",
            provider=p1,
            gpu=providers[p1].capacity[0].gpu,
            gpus=8 * rng.randint(1, 50),
            term_months=months // 2,
            burst_max_gpus=64,
        ),
        CommittedSpend(
            id="c-commit",
            provider="p0",
            total_usd=Decimal(20_000_000),
            milestones=(Milestone(months, Decimal(20_000_000)),),
            eligible_spend=("compute_contract", "compute_on_demand"),
        ),
    )
    return Scenario(
        id=f"gen-{seed}",
        calendar=Calendar(2026, 1, months),
        accelerators=accelerators,
        providers=providers,
        contracts=contracts,
        fleets=tuple(fleets),
        training_runs=runs,
        revenue_forecast_usd=tuple(Decimal(1_000_000) for _ in range(months)),
    )
