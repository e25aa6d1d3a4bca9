"""Spec §5: each award's pricing label and rate come from a rule of the scenario; reservations hold.

Every label has one rule: spot / contract / on_demand at the provider's listed rate, a burst over a
cited reservation at its burst rate, reserved and take-or-pay at the committed rate. An award whose
label no rule allows is `pricing_label`; one whose rate differs is `rate`; a zero where the scenario
asks money is `free_capacity`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from tender.check.context import Context
from tender.check.plan_doc import Award
from tender.check.violation import Code, Violation, violation
from tender.domain import Pricing, ReservedCapacity, TakeOrPay


@dataclass(frozen=True)
class Rule:
    """The rule that prices an award: `problem` says why no rule allows its label."""

    expected: Decimal | None = None
    source: str = ""
    problem: str | None = None
    reservation: ReservedCapacity | None = None
    burst: bool = False


def take_or_pay_for(ctx: Context, a: Award) -> TakeOrPay | None:
    for clause in ctx.timeline.of_type(TakeOrPay, a.month):
        in_term = (
            clause.effective_from_month <= a.month <= clause.effective_from_month + clause.term_months - 1
        )
        if clause.provider == a.provider and clause.gpu in (None, a.gpu) and in_term:
            return clause
    return None


def _committed(ctx: Context, a: Award, res: ReservedCapacity | None = None) -> Rule:
    return Rule(
        ctx.committed_rate(a.provider, a.gpu), f"committed rate of {a.provider} {a.gpu}", reservation=res
    )


def _listed(ctx: Context, a: Award, res: ReservedCapacity | None) -> Rule:
    label = Pricing(a.pricing)
    rate = ctx.rates(a.provider, a.gpu).get(label)
    burst = res is not None and res.burst_rate == a.pricing
    if rate is None:
        return Rule(problem=f"{a.provider} lists no {a.pricing} rate for {a.gpu}")
    return Rule(
        rate, f"{a.pricing} rate of {a.provider} {a.gpu}", reservation=res if burst else None, burst=burst
    )


def rule_for(ctx: Context, a: Award) -> Rule:
    """The scenario's rule for the award's label (holder-block awards are priced by their notice)."""
    if a.pricing == "reserved":
        res = ctx.cited_reservation(a)
        if res is None:
            return Rule(
                problem=f"clause {a.clause} is not a reservation in force covering {a.provider} {a.gpu} {a.region}"
            )
        return _committed(ctx, a, res)
    if a.pricing == "take_or_pay":
        if take_or_pay_for(ctx, a) is None:
            return Rule(problem=f"no take_or_pay clause with {a.provider} for {a.gpu} is in its term")
        return _committed(ctx, a)
    return _listed(ctx, a, ctx.cited_reservation(a))


def _rate_problem(a: Award, rule: Rule) -> tuple[Code, str] | None:
    if rule.problem is not None:
        code = Code.FREE_CAPACITY if a.rate == 0 else Code.PRICING_LABEL
        return code, f"priced {a.pricing} at {a.rate}, but {rule.problem}"
    if a.rate == rule.expected:
        return None
    if a.rate == 0:
        return Code.FREE_CAPACITY, f"priced 0 as {a.pricing}; the {rule.source} is {rule.expected}"
    return Code.RATE, f"rate {a.rate} for {a.pricing}; the {rule.source} is {rule.expected}"


Usage = dict[tuple[str, int], int]  # (reservation id, month) -> GPUs
Versions = dict[tuple[str, int], ReservedCapacity]  # (reservation id, month) -> the version in force


def _reserved_over(reserved: Usage, versions: Versions) -> Iterator[Violation]:
    for (cid, month), gpus in sorted(reserved.items()):
        limit = versions[(cid, month)].gpus
        if gpus > limit:
            message = f"{gpus} reserved GPUs on {cid}, which reserves {limit}"
            yield violation(Code.RESERVED_OVER, message, clause=cid, month=month)


def _full(ctx: Context, res: ReservedCapacity, month: int) -> int:
    """What a full reservation uses: its GPUs, or all the existing capacity it covers if less."""
    provider = ctx.scenario.providers[res.provider]
    existing = sum(provider.existing_gpus(res.gpu, r, month) for r in ctx.reservation_regions(res))
    return min(res.gpus, existing)


def _burst(ctx: Context, reserved: Usage, burst: Usage, versions: Versions) -> Iterator[Violation]:
    for (cid, month), gpus in sorted(burst.items()):
        res = versions[(cid, month)]
        if gpus > res.burst_max_gpus:
            message = f"{gpus} burst GPUs on {cid}, burst limit {res.burst_max_gpus}"
            yield violation(Code.BURST_OVER, message, clause=cid, month=month)
        used, full = reserved.get((cid, month), 0), _full(ctx, res, month)
        if used != full:
            message = f"burst while {used} of {full} reservable GPUs of {cid} are used"
            yield violation(Code.BURST_BEFORE_FULL, message, clause=cid, month=month, full=full)


def pricing(ctx: Context, awards: list[Award]) -> list[Violation]:
    found: list[Violation] = []
    reserved: Usage = defaultdict(int)
    burst: Usage = defaultdict(int)
    versions: Versions = {}
    for a in awards:
        if ctx.block_notice(a) is not None:
            continue
        rule = rule_for(ctx, a)
        problem = _rate_problem(a, rule)
        if problem is not None:
            code, message = problem
            found.append(
                violation(code, f"{a.path}: {message}", clause=a.clause, demand=a.demand, month=a.month)
            )
        if rule.reservation is not None:
            versions[(rule.reservation.id, a.month)] = rule.reservation
            usage = burst if rule.burst else reserved
            usage[(rule.reservation.id, a.month)] += a.gpus
    return [*found, *_reserved_over(reserved, versions), *_burst(ctx, reserved, burst, versions)]
