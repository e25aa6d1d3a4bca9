"""Spec §1: every id a plan names exists, and every field holds a value the schema allows."""

from __future__ import annotations

from collections.abc import Iterator

from tender.check.context import Context
from tender.check.plan_doc import Award, Notice, Unmet
from tender.check.violation import Code, Violation, violation
from tender.domain import Fleet

PRICINGS = frozenset({"contract", "on_demand", "spot", "reserved", "take_or_pay"})


def _bad(where: str, what: str, *, demand: str | None = None, month: int | None = None) -> Violation:
    return violation(Code.STRUCTURE, f"{where}: {what}", demand=demand, month=month)


def _award_problems(ctx: Context, a: Award) -> Iterator[str]:
    if a.demand not in ctx.demands:
        yield f"unknown demand {a.demand!r}"
    provider = ctx.provider(a.provider)
    if provider is None:
        yield f"unknown provider {a.provider!r}"
    elif a.region not in provider.regions:
        yield f"region {a.region!r} is not one of {a.provider}'s regions ({', '.join(provider.regions)})"
    if a.gpu not in ctx.scenario.accelerators:
        yield f"gpu {a.gpu!r} is not in gpu_catalog"
    if not 1 <= a.month <= ctx.scenario.horizon:
        yield f"month {a.month} is outside the horizon 1..{ctx.scenario.horizon}"
    if a.gpus <= 0:
        yield f"gpus must be > 0, got {a.gpus}"
    if a.pricing not in PRICINGS:
        yield f"pricing {a.pricing!r} is not one of {', '.join(sorted(PRICINGS))}"
    if a.clause is not None and a.clause not in ctx.timeline.by_id:
        yield f"unknown clause {a.clause!r}"
    if a.notice is not None and a.notice not in ctx.notices:
        yield f"unknown notice {a.notice!r}"


def award_structure(ctx: Context, award: Award) -> list[Violation]:
    """The award's structural problems; an award with any is left out of every other rule."""
    demand = award.demand if award.demand in ctx.demands else None
    month = award.month if 1 <= award.month <= ctx.scenario.horizon else None
    return [_bad(award.path, p, demand=demand, month=month) for p in _award_problems(ctx, award)]


def _notice_problems(ctx: Context, n: Notice) -> Iterator[str]:
    if n.clause not in ctx.timeline.by_id:
        yield f"notice {n.id}: unknown clause {n.clause!r}"
    if ctx.provider(n.holder) is None:
        yield f"notice {n.id}: unknown holder {n.holder!r}"
    if n.third_party is not None and ctx.provider(n.third_party) is None:
        yield f"notice {n.id}: unknown third party {n.third_party!r}"
    if n.demand not in ctx.demands:
        yield f"notice {n.id}: unknown demand {n.demand!r}"
    if n.gpu not in ctx.scenario.accelerators:
        yield f"notice {n.id}: gpu {n.gpu!r} is not in gpu_catalog"
    if ctx.notices[n.id] is not n:
        yield f"notice id {n.id!r} is used twice"


def notice_structure(ctx: Context, notices: tuple[Notice, ...]) -> list[Violation]:
    return [_bad(n.path, p, demand=n.demand) for n in notices for p in _notice_problems(ctx, n)]


def _unmet_problems(ctx: Context, u: Unmet) -> Iterator[str]:
    demand = ctx.demands.get(u.demand)
    if demand is None:
        yield f"unknown demand {u.demand!r}"
    elif isinstance(demand, Fleet) and u.h100_eq is None:
        yield f"fleet {u.demand} unmet entry has no h100_eq"
    elif not isinstance(demand, Fleet) and u.gpus is None:
        yield f"training run {u.demand} unmet entry has no gpus"
    if not 1 <= u.month <= ctx.scenario.horizon:
        yield f"month {u.month} is outside the horizon 1..{ctx.scenario.horizon}"


def unmet_structure(ctx: Context, entry: Unmet) -> list[Violation]:
    """The unmet entry's structural problems; an entry with any is left out of every other rule."""
    demand = entry.demand if entry.demand in ctx.demands else None
    return [_bad(entry.path, p, demand=demand) for p in _unmet_problems(ctx, entry)]
