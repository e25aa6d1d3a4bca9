"""Spec §2: rules every award obeys on its own (accelerator type, regions, residency, exclusivity, spot)."""

from __future__ import annotations

from collections.abc import Iterator

from tender.check.context import Context
from tender.check.plan_doc import Award
from tender.check.violation import Code, Violation, violation
from tender.domain import DataResidency, Demand, Fleet, WorkloadExclusivity


def _allowed_gpus(demand: Demand) -> tuple[str, ...]:
    return demand.allowed_gpus if isinstance(demand, Fleet) else demand.gpu_types


def _gpu_and_regions(a: Award, d: Demand) -> Iterator[Violation]:
    if a.gpu not in _allowed_gpus(d):
        allowed = ", ".join(_allowed_gpus(d))
        yield violation(
            Code.GPU_TYPE,
            f"{a.path}: {a.gpu} is not allowed for {d.id} ({allowed})",
            demand=d.id,
            month=a.month,
        )
    if d.regions_allowed and a.region not in d.regions_allowed:
        allowed = ", ".join(d.regions_allowed)
        yield violation(
            Code.REGIONS_ALLOWED,
            f"{a.path}: region {a.region} is not allowed for {d.id} ({allowed})",
            demand=d.id,
            month=a.month,
        )


def _residency(ctx: Context, a: Award, d: Demand) -> Iterator[Violation]:
    for clause in ctx.timeline.of_type(DataResidency, a.month):
        if d.id in clause.workloads and a.region not in clause.allowed_regions:
            allowed = ", ".join(clause.allowed_regions)
            message = f"{a.path}: {d.id} must stay in {allowed}, awarded in {a.region}"
            yield violation(Code.RESIDENCY, message, clause=clause.id, demand=d.id, month=a.month)


def _exclusivity(ctx: Context, a: Award, d: Demand) -> Iterator[Violation]:
    for clause in ctx.timeline.of_type(WorkloadExclusivity, a.month):
        covered = d.id in clause.workloads or d.workload_class in clause.workload_classes
        if covered and a.provider != clause.provider:
            message = f"{a.path}: {d.id} is exclusive to {clause.provider}, awarded at {a.provider}"
            yield violation(Code.EXCLUSIVITY, message, clause=clause.id, demand=d.id, month=a.month)


def _spot(a: Award, d: Demand) -> Iterator[Violation]:
    if a.pricing == "spot" and not d.preemptible_ok:
        yield violation(
            Code.SPOT,
            f"{a.path}: spot capacity for {d.id}, which is not preemptible_ok",
            demand=d.id,
            month=a.month,
        )


def hard_rules(ctx: Context, awards: list[Award]) -> list[Violation]:
    found: list[Violation] = []
    for a in awards:
        d = ctx.demands[a.demand]
        found += [*_gpu_and_regions(a, d), *_residency(ctx, a, d), *_exclusivity(ctx, a, d), *_spot(a, d)]
    return found
