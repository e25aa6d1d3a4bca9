"""Spec §4, third-party side: an award a priority right binds needs a notice that released it.

A right binds an award when it is in force that month, the award is not at the holder, the capacity
is new (unless the right covers all capacity), the right's scope matches and no carve-out excludes it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal

from tender.check.context import Context
from tender.check.plan_doc import Award, Notice, iso
from tender.check.violation import Code, Violation, violation
from tender.domain import CarveOut, Demand, Rofr, Scope

RELEASED = frozenset({"declined", "expired", "partially_exercised"})
EXISTING = "existing_contracted_capacity"

NoticeKey = tuple[
    str, str, str, str, str | None, str | None
]  # clause, holder, demand, gpu, third party, region


def _scope_matches(scope: Scope, a: Award, d: Demand) -> bool:
    """A right's scope (its `providers` are not used for rights)."""
    return (
        (not scope.workloads or d.id in scope.workloads)
        and (not scope.workload_classes or d.workload_class in scope.workload_classes)
        and (not scope.gpus or a.gpu in scope.gpus)
        and (not scope.regions or a.region in scope.regions)
    )


def _carved_out(carve: CarveOut, a: Award, d: Demand, existing: bool) -> bool:
    if carve.kind == EXISTING:
        return existing
    if carve.kind is not None:
        return False
    s = carve.scope
    return s.matches(
        workload=d.id, workload_class=d.workload_class, gpu=a.gpu, region=a.region, provider=a.provider
    )


def binds(ctx: Context, right: Rofr, a: Award, d: Demand) -> bool:
    """Whether `right` (in force in a.month) makes `a` a third-party award.

    What a holder supplies through its own exercised notice (a holder-block award) is settled by
    that right: it is not a new third-party purchase under another holder's right."""
    if right.holder == a.provider or ctx.block_notice(a) is not None:
        return False
    existing = ctx.existing_contracted(a)
    if right.applies_to == "new_capacity" and existing:
        return False
    if not _scope_matches(right.scope, a, d):
        return False
    return not any(_carved_out(c, a, d, existing) for c in right.carve_outs)


def notice_index(ctx: Context) -> dict[NoticeKey, list[Notice]]:
    """Notices by what they are about, each list latest last (by issued_at, then id)."""
    index: dict[NoticeKey, list[Notice]] = defaultdict(list)
    for n in ctx.notices.values():
        index[(n.clause, n.holder, n.demand, n.gpu, n.third_party, n.region)].append(n)
    for notices in index.values():
        notices.sort(key=lambda n: (n.issued_at, n.id))
    return index


def _key(right: Rofr, a: Award) -> NoticeKey:
    return (right.id, right.holder, a.demand, a.gpu, a.provider, a.region)


def _v(code: Code, a: Award, right: Rofr, message: str, **numbers: object) -> Violation:
    return violation(
        code, f"{a.path}: {message}", clause=right.id, demand=a.demand, month=a.month, values=numbers
    )


def _against_notice(ctx: Context, a: Award, right: Rofr, n: Notice) -> Iterator[Violation]:
    if n.status not in RELEASED:
        yield _v(Code.ROFR_NOT_RELEASED, a, right, f"notice {n.id} is {n.status}; nothing was released")
    month_start = ctx.calendar.month_start(a.month)
    if n.answer_at > month_start or n.issued_at > n.answer_at:
        message = f"used from {iso(month_start)}, notice {n.id} issued {iso(n.issued_at)}, answered {iso(n.answer_at)}"
        yield _v(Code.ROFR_BEFORE_ANSWER, a, right, message)
    if not n.start_month <= a.month <= n.last_month:
        yield _v(
            Code.ROFR_OUTSIDE_NEED, a, right, f"notice {n.id} covers months {n.start_month}..{n.last_month}"
        )
    ceiling = n.terms.price * (1 + right.reoffer_if_terms_improve_pct / Decimal(100))
    if a.rate is not None and a.rate > ceiling:
        message = f"rate {a.rate} beats the holder's terms {n.terms.price} by more than {right.reoffer_if_terms_improve_pct}%"
        yield _v(Code.REOFFER_REQUIRED, a, right, message, rate=a.rate, price=n.terms.price)


def _third_party(ctx: Context, a: Award, right: Rofr, candidates: list[Notice]) -> Iterator[Violation]:
    """One binding right must have released the award: checked against the notice the award cites
    when it is this right's, else this right's latest notice covering the month (whether the award
    cites a binding right's notice at all is checked by `rights`)."""
    what = f"{a.demand}/{a.gpu} at {a.provider} in {a.region}"
    if not candidates:
        yield _v(Code.ROFR_NO_NOTICE, a, right, f"no notice to {right.holder} under {right.id} for {what}")
        return
    cited = next((n for n in candidates if n.id == a.notice), None)
    if cited is None:
        fitting = [n for n in candidates if n.start_month <= a.month <= n.last_month]
        cited = fitting[-1] if fitting else candidates[-1]
    yield from _against_notice(ctx, a, right, cited)


def _exceeds_released(
    key: tuple[str, str, str, str, int, str], used: int, candidates: list[Notice]
) -> list[Violation]:
    clause, demand, gpu, provider, month, region = key
    fitting = [n for n in candidates if n.start_month <= month <= n.last_month]
    latest = {n.need: n for n in fitting}  # each need's latest notice (candidates are in issue order)
    released = sum(n.released_gpus for n in latest.values())
    if not fitting or used <= released:
        return []
    ids = ", ".join(sorted(x.id for x in latest.values()))
    message = (
        f"{demand}/{gpu} at {provider} in {region}: {used} GPUs awarded, notices {ids} released {released}"
    )
    return [
        violation(
            Code.ROFR_EXCEEDS_RELEASED,
            message,
            clause=clause,
            demand=demand,
            month=month,
            used=used,
            released=released,
        )
    ]


def rights(ctx: Context, awards: list[Award]) -> list[Violation]:
    found: list[Violation] = []
    index = notice_index(ctx)
    bound: dict[tuple[str, str, str, str, int, str], int] = defaultdict(int)
    keys: dict[tuple[str, str, str, str, int, str], NoticeKey] = {}
    for a in awards:
        d = ctx.demands[a.demand]
        binding = [r for r in ctx.timeline.rights(a.month) if binds(ctx, r, a, d)]
        cited = ctx.notices.get(a.notice) if a.notice is not None else None
        if binding and (cited is None or cited.clause not in {r.id for r in binding}):
            ids = ", ".join(r.id for r in binding)
            found.append(
                _v(Code.ROFR_NO_NOTICE, a, binding[0], f"cites no notice of a right that binds it ({ids})")
            )
        for right in binding:
            notice_key = _key(right, a)
            found += _third_party(ctx, a, right, index.get(notice_key, []))
            per_month = (right.id, d.id, a.gpu, a.provider, a.month, a.region)
            bound[per_month] += a.gpus
            keys[per_month] = notice_key
    for per_month, used in sorted(bound.items()):
        found += _exceeds_released(per_month, used, index.get(keys[per_month], []))
    return found
