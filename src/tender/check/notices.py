"""Spec §4, the notices themselves and the holder's blocks: right holder, terms, and what a block allows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import timedelta

from tender.check.context import Context
from tender.check.plan_doc import Award, Notice, iso
from tender.check.violation import Code, Violation, violation
from tender.domain import OnExpiry, Rofr

STATUSES = frozenset({"open", "exercised", "partially_exercised", "declined", "expired", "withdrawn"})
UNDECIDED = frozenset({"open", "withdrawn"})


def _right_at_issue(ctx: Context, n: Notice) -> Rofr | None:
    version = ctx.timeline.version_in_force(n.clause, ctx.calendar.month_of(n.issued_at))
    return version if isinstance(version, Rofr) else None


def _holder(ctx: Context, n: Notice, right: Rofr | None) -> Iterator[str]:
    if right is None:
        issued = ctx.calendar.month_of(n.issued_at)
        yield f"{n.clause} is not a priority right in force in month {issued}, when the notice was issued"
    elif n.holder != right.holder:
        yield f"sent to {n.holder}, but {right.id} is held by {right.holder}"
    if n.third_party == n.holder:
        yield f"{n.holder} is noticed about its own capacity"


def _exercise(n: Notice, right: Rofr | None) -> Iterator[str]:
    if n.status == "exercised" and n.exercised_gpus != n.gpus:
        yield f"exercised, but {n.exercised_gpus} of {n.gpus} GPUs"
    if n.status in ("declined", "expired") and n.exercised_gpus != 0:
        yield f"{n.status}, but {n.exercised_gpus} GPUs exercised"
    if n.status != "partially_exercised":
        return
    if not 0 < n.exercised_gpus < n.gpus:
        yield f"partially exercised, but {n.exercised_gpus} of {n.gpus} GPUs"
    if right is not None and right.on_expiry is OnExpiry.DEEMED_EXERCISED and n.answer_at == n.deadline:
        return  # deemed exercised at the deadline: the holder is awarded what the need still lacks
    if right is not None and not right.partial_exercise:
        yield f"partially exercised, but {right.id} does not allow partial exercise"
    elif right is not None and n.exercised_gpus % right.min_exercise_block_gpus:
        yield f"{n.exercised_gpus} GPUs is not a multiple of the {right.min_exercise_block_gpus}-GPU exercise block"


def _terms(n: Notice, right: Rofr | None) -> Iterator[str]:
    if right is not None and n.deadline != n.issued_at + timedelta(days=right.response_window_days):
        yield f"deadline {iso(n.deadline)} is not issued_at + {right.response_window_days} days"
    if n.responded_at is not None and n.responded_at > n.deadline:
        yield f"answered {iso(n.responded_at)}, after the deadline {iso(n.deadline)}"
    if n.status not in STATUSES:
        yield f"unknown status {n.status!r}"
    elif n.status not in UNDECIDED and n.exercised_gpus + n.released_gpus != n.gpus:
        yield f"exercised {n.exercised_gpus} + released {n.released_gpus} != noticed {n.gpus}"
    yield from _exercise(n, right)


def notice_rules(ctx: Context) -> list[Violation]:
    found: list[Violation] = []
    for n in ctx.notices.values():
        right = _right_at_issue(ctx, n)
        for code, problems in (
            (Code.ROFR_NOTICE_HOLDER, _holder(ctx, n, right)),
            (Code.ROFR_NOTICE_TERMS, _terms(n, right)),
        ):
            found += [
                violation(code, f"notice {n.id}: {p}", clause=n.clause, demand=n.demand) for p in problems
            ]
    return found


def _block_award(ctx: Context, a: Award, n: Notice) -> Iterator[Violation]:
    months = ctx.block_months(n)
    if a.month not in months:
        message = f"{a.path}: notice {n.id}'s block is usable in months {months.start}..{months.stop - 1}"
        yield violation(Code.BLOCK_OUTSIDE_MONTHS, message, clause=n.clause, demand=a.demand, month=a.month)
    if a.rate != n.terms.price or a.pricing != "contract":
        message = f"{a.path}: priced {a.pricing} at {a.rate}; the block is contract at {n.terms.price}"
        yield violation(Code.BLOCK_PRICE, message, clause=n.clause, demand=a.demand, month=a.month)


def blocks(ctx: Context, awards: list[Award]) -> list[Violation]:
    """Awards at a notice's holder citing it draw on the exercised block: within its GPUs, months, price."""
    found: list[Violation] = []
    used: dict[tuple[str, int], int] = defaultdict(int)
    regions: dict[str, set[str]] = defaultdict(set)
    for a in awards:
        n = ctx.block_notice(a)
        if n is not None:
            used[(n.id, a.month)] += a.gpus
            regions[n.id].add(a.region)
            found += _block_award(ctx, a, n)
    for notice_id, where in sorted(regions.items()):
        if len(where) > 1:  # a block is capacity in one region of the holder
            n = ctx.notices[notice_id]
            message = (
                f"awards cite the block of notice {n.id} in {len(where)} regions: {', '.join(sorted(where))}"
            )
            found.append(violation(Code.BLOCK_REGIONS, message, clause=n.clause, demand=n.demand))
    for (notice_id, month), gpus in sorted(used.items()):
        n = ctx.notices[notice_id]
        if gpus > n.exercised_gpus:
            message = f"{gpus} GPUs at {n.holder} cite notice {n.id}, which exercised {n.exercised_gpus}"
            found.append(
                violation(
                    Code.BLOCK_EXCEEDS_EXERCISED,
                    message,
                    clause=n.clause,
                    demand=n.demand,
                    month=month,
                    used=gpus,
                )
            )
    return found
