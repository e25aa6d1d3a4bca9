"""Clause evaluation: may a need be placed with a provider at an instant, and if not, why.

Flow for one provider:
1. the provider must exist (`unknown_provider`);
2. data residency: a workload bound to regions may not leave them (`residency`);
3. workload exclusivity: a workload exclusive to one provider may not go elsewhere (`exclusive_to_other`);
4. the provider must operate in the need's region (`region`), and its capacity: existing + offerable accelerators at the start month must cover the need (`capacity`);
5. priority rights (ROFR, first ship): a third party in a right's scope, not carved out, must wait for
   the holder (`rofr_pending` / `first_ship_pending`), or loses to it (`..._exercised_by_holder`).
   Without protocol state every right in scope is pending; with `state` the notices decide.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from tender.contracts.need import Need, Reason, Verdict
from tender.contracts.rights import NoticeStatus, Right
from tender.contracts.timeline import clauses_at
from tender.domain import (
    DataResidency,
    FirstShip,
    Rofr,
    Scenario,
    WorkloadExclusivity,
)

if TYPE_CHECKING:  # the protocol's state, when a caller has one (the protocol itself loads apart)
    from tender.contracts.protocol_types import RofrState


def in_right_scope(right: Right, need: Need, provider_id: str | None = None) -> bool:
    """Does `need` fall in `right`'s scope (for `provider_id`, or for any provider when None)?

    The need must be new capacity unless the right covers all capacity; its workload, class,
    accelerator and region must match the scope; and no carve-out may exclude it. A carve-out
    that names providers only applies when `provider_id` is one of them.
    """
    if right.applies_to == "new_capacity" and not need.new_capacity:
        return False
    if not right.scope.matches(
        workload=need.workload,
        workload_class=need.workload_class,
        gpu=need.gpu,
        region=need.region,
        provider=provider_id or "",
    ):
        return False
    return carve_out_for(right, need, provider_id) is None


def carve_out_for(right: Right, need: Need, provider_id: str | None) -> str | None:
    """A description of the carve-out that excludes `need` (with `provider_id`) from `right`, or None."""
    for carve in right.carve_outs:
        if carve.kind == "existing_contracted_capacity":
            if not need.new_capacity:
                return carve.kind
            continue
        if carve.kind is not None:
            continue
        scope = carve.scope
        if scope.providers and provider_id is None:
            continue
        if scope.matches(
            workload=need.workload,
            workload_class=need.workload_class,
            gpu=need.gpu,
            region=need.region,
            provider=provider_id or "",
        ):
            what = ",".join((*scope.workload_classes, *scope.workloads)) or "scope"
            where = ",".join(scope.providers)
            return f"{what} at {where}" if where else what
    return None


def rights_in_scope(scenario: Scenario, need: Need, provider_id: str, at: datetime) -> tuple[Right, ...]:
    """Every ROFR / first-ship clause in force at `at` that binds placing `need` with `provider_id`."""
    return tuple(
        c
        for c in clauses_at(scenario, at)
        if isinstance(c, Rofr) and c.holder != provider_id and in_right_scope(c, need, provider_id)
    )


def rofr_in_scope(scenario: Scenario, need: Need, provider_id: str, at: datetime) -> Rofr | FirstShip | None:
    """The first right whose holder must get a notice before `need` goes to third party `provider_id`.

    None when the provider is itself the holder, the need is out of every right's scope, or a
    carve-out (e.g. training on the lab's own or joint-venture capacity) applies.
    """
    found = rights_in_scope(scenario, need, provider_id, at)
    return found[0] if found else None


def static_verdict_in_use(scenario: Scenario, need: Need, provider_id: str) -> Verdict | None:
    """`static_verdict` against the clauses in force in each month the need's capacity is used
    (a deal signed today for months ahead is bound by the clauses of those months)."""
    start = need.start_month(scenario.calendar)
    for month in range(max(start, 1), min(start + need.months, scenario.horizon + 1)):
        refused = static_verdict(scenario, need, provider_id, month)
        if refused is not None:
            return refused
    return None


def static_verdict(scenario: Scenario, need: Need, provider_id: str, at: datetime | int) -> Verdict | None:
    """Contract checks (provider exists, residency, exclusivity) under the clauses in force at `at`
    (an instant or a horizon month): a refusal, or None when all pass."""
    provider = scenario.providers.get(provider_id)
    if provider is None:
        return Verdict(provider_id, False, Reason.UNKNOWN_PROVIDER, None, f"no provider '{provider_id}'")
    for clause in clauses_at(scenario, at):
        if (
            isinstance(clause, DataResidency)
            and need.workload in clause.workloads
            and need.region not in clause.allowed_regions
        ):
            return Verdict(
                provider_id,
                False,
                Reason.RESIDENCY,
                clause.id,
                f"{need.workload} must stay in {', '.join(clause.allowed_regions)}",
            )
    for clause in clauses_at(scenario, at):
        if (
            isinstance(clause, WorkloadExclusivity)
            and clause.provider != provider_id
            and (need.workload in clause.workloads or need.workload_class in clause.workload_classes)
        ):
            return Verdict(
                provider_id,
                False,
                Reason.EXCLUSIVE_TO_OTHER,
                clause.id,
                f"{need.workload} is exclusive to {clause.provider}",
            )
    del provider
    return None


def eligibility(
    scenario: Scenario, need: Need, provider_id: str, at: datetime, state: RofrState | None = None
) -> Verdict:
    """May `need` be placed with `provider_id` at instant `at`? See the module flow for the order."""
    refused = static_verdict(scenario, need, provider_id, at)
    if refused is not None:
        return refused
    provider = scenario.providers[provider_id]
    if need.region not in provider.regions:
        return Verdict(provider_id, False, Reason.REGION, None, f"{provider_id} is not in {need.region}")
    month = need.start_month(scenario.calendar)
    available = provider.existing_gpus(need.gpu, need.region, month) + provider.offerable_gpus(
        need.gpu, need.region, month
    )
    if available < need.gpus:
        return Verdict(
            provider_id,
            False,
            Reason.CAPACITY,
            None,
            f"{provider_id} has {available} {need.gpu} in {need.region} in month {month}, need {need.gpus}",
        )
    for right in rights_in_scope(scenario, need, provider_id, at):
        verdict = _right_verdict(right, need, provider_id, state)
        if verdict is not None:
            return verdict
    return Verdict(provider_id, True)


def eligibility_all(
    scenario: Scenario, need: Need, at: datetime, state: RofrState | None = None
) -> list[Verdict]:
    """`eligibility` for every provider of the scenario, sorted by provider id."""
    return [eligibility(scenario, need, pid, at, state) for pid in sorted(scenario.providers)]


def _right_verdict(right: Right, need: Need, provider_id: str, state: RofrState | None) -> Verdict | None:
    first_ship = isinstance(right, FirstShip)
    pending = Reason.FIRST_SHIP_PENDING if first_ship else Reason.ROFR_PENDING
    taken = Reason.FIRST_SHIP_EXERCISED_BY_HOLDER if first_ship else Reason.ROFR_EXERCISED_BY_HOLDER
    notice = state.latest_notice(need.id, right.id) if state is not None else None
    if notice is None:
        return Verdict(provider_id, False, pending, right.id, f"{right.holder} must be offered this first")
    if notice.status is NoticeStatus.OPEN:
        return Verdict(provider_id, False, pending, right.id, f"notice {notice.id} is open")
    if notice.status is NoticeStatus.EXERCISED:
        return Verdict(provider_id, False, taken, right.id, f"{right.holder} exercised notice {notice.id}")
    if notice.status is NoticeStatus.WITHDRAWN or not notice.window_open:
        return None
    if notice.unsigned_gpus <= 0:
        return Verdict(provider_id, False, taken, right.id, f"nothing left released by {notice.id}")
    return None
