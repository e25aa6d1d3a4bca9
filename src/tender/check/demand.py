"""Spec §6: each training run is placed whole at one site or reported unmet; fleets are covered each month."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal

from tender.check.context import Context
from tender.check.plan_doc import Award, Unmet
from tender.check.violation import Code, Violation, violation
from tender.domain import Fleet, TrainingRun

REASONS = frozenset({"capacity", "residency", "exclusive_to_other", "rofr_pending", "campus_not_online"})
TOLERANCE = Decimal("0.001")  # fleet unmet h100_eq is written rounded to 0.001


def _v(code: Code, run: TrainingRun, message: str, month: int | None = None, **numbers: object) -> Violation:
    return violation(code, f"{run.id}: {message}", demand=run.id, month=month, values=numbers)


def _one_site_one_type(run: TrainingRun, awards: list[Award]) -> Iterator[Violation]:
    sites = sorted({(a.provider, a.region) for a in awards})
    if len(sites) > 1:
        yield _v(Code.RUN_SITES, run, "awarded at " + ", ".join(f"{p}/{r}" for p, r in sites))
    types = sorted({a.gpu for a in awards})
    if len(types) > 1:
        yield _v(Code.RUN_TYPES, run, "awarded several accelerator types: " + ", ".join(types))


def _months(run: TrainingRun, per_month: dict[int, int]) -> Iterator[Violation]:
    months = sorted(per_month)
    first, last = months[0], months[-1]
    if months != list(range(first, first + run.duration_months)):
        yield _v(
            Code.RUN_MONTHS, run, f"awarded months {months}, needs {run.duration_months} contiguous months"
        )
    if first < run.earliest_start_month or last > run.latest_end_month:
        window = f"{run.earliest_start_month}..{run.latest_end_month}"
        yield _v(Code.RUN_WINDOW, run, f"awarded months {first}..{last}, outside its window {window}")
    for month in months:
        if per_month[month] < run.gpus:
            message = f"{per_month[month]} of {run.gpus} GPUs awarded"
            yield _v(Code.RUN_GPUS, run, message, month, gpus=per_month[month])


def _placed_run(run: TrainingRun, awards: list[Award]) -> Iterator[Violation]:
    per_month: dict[int, int] = defaultdict(int)
    for a in awards:
        per_month[a.month] += a.gpus
    yield from _one_site_one_type(run, awards)
    yield from _months(run, per_month)


def _run(run: TrainingRun, awards: list[Award], unmet: list[Unmet]) -> Iterator[Violation]:
    if awards and unmet:
        yield _v(Code.RUN_UNMET_WITH_AWARDS, run, f"{len(awards)} awards and an unmet entry")
    if not awards and not unmet:
        yield _v(Code.RUN_PARTIAL, run, "neither awarded nor reported unmet")
    for u in unmet if not awards else ():
        if u.gpus != run.gpus:
            yield _v(
                Code.RUN_GPUS, run, f"{u.path} reports {u.gpus} GPUs unmet, the run needs {run.gpus}", u.month
            )
    if awards:
        yield from _placed_run(run, awards)


def _fleet_month(
    ctx: Context, fleet: Fleet, month: int, delivered: Decimal, unmet: Decimal
) -> Iterator[Violation]:
    need = fleet.need(month)
    numbers = {"need": need, "delivered": delivered, "unmet": unmet}
    if delivered + unmet < need - TOLERANCE:
        message = f"{fleet.id}: delivered {delivered} + unmet {unmet} h100_eq < need {need}"
        yield violation(Code.COVER, message, demand=fleet.id, month=month, values=numbers)
    if unmet > max(Decimal(0), need - delivered) + TOLERANCE:
        message = f"{fleet.id}: unmet {unmet} h100_eq, but need {need} - delivered {delivered} leaves less"
        yield violation(Code.UNMET_OVERSTATED, message, demand=fleet.id, month=month, values=numbers)


def _fleet(ctx: Context, fleet: Fleet, awards: list[Award], unmet: list[Unmet]) -> Iterator[Violation]:
    delivered: dict[int, Decimal] = defaultdict(Decimal)
    for a in awards:
        delivered[a.month] += a.gpus * ctx.scenario.accelerators[a.gpu].h100_eq
    short: dict[int, Decimal] = defaultdict(Decimal)
    for u in unmet:
        short[u.month] += u.h100_eq or Decimal(0)
    for month in ctx.calendar.months():
        yield from _fleet_month(ctx, fleet, month, delivered[month], short[month])


def _reasons(unmet: list[Unmet]) -> Iterator[Violation]:
    for u in unmet:
        unknown = sorted(set(u.reasons) - REASONS)
        if not u.reasons or unknown:
            what = "no reason" if not u.reasons else "unknown reasons " + ", ".join(unknown)
            yield violation(Code.UNMET_REASON, f"{u.path}: {what}", demand=u.demand, month=u.month)


def demand(ctx: Context, awards: list[Award], unmet: list[Unmet]) -> list[Violation]:
    by_demand: dict[str, list[Award]] = defaultdict(list)
    for a in awards:
        by_demand[a.demand].append(a)
    unmet_of: dict[str, list[Unmet]] = defaultdict(list)
    for u in unmet:
        unmet_of[u.demand].append(u)
    found = list(_reasons(unmet))
    for run in ctx.scenario.training_runs:
        found += _run(run, by_demand[run.id], unmet_of[run.id])
    for fleet in ctx.scenario.fleets:
        found += _fleet(ctx, fleet, by_demand[fleet.id], unmet_of[fleet.id])
    return found
