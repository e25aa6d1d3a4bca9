"""What a re-plan at `as_of` may not change, read from what happened (docs/ledger.md, "what is pinned").

1. `runs_in_progress`: a training run of the scenario with actual GPU-hours billed to it (FOCUS
   `SubAccountId` = the run id) in month `as_of - 1`, or run for it by the runtime (`attempt_lines`:
   the attempts of jobs whose `workload` is the run id, GPUs x the hours of each month they ran in,
   up to the start of `as_of` for one still running); its site is where most of those hours were
   billed (ties: the first site in name order), its start the first month of the unbroken stretch of
   months with hours for it that ends in `as_of - 1`; it is pinned when start + duration - 1 >= as_of
   (its end: that month, at most the horizon's last);
2. `held_capacity`: in month `as_of - 1`, the GPUs held at contract rates (spend category
   `compute_contract`; GPU-hours / hours per month, rounded down) per provider x accelerator x region,
   less what a reservation of the scenario in force at `as_of` already holds there, at a provider with
   `lead_time_months` L >= 1 (capacity booked that far ahead cannot be released sooner): held for
   months `as_of` .. `as_of + L - 1` (at most the horizon);
3. `answered_notices`: every notice in the server's notices table resolved (not open) before the start
   of month `as_of`, of a need raised against a stored scenario with this scenario's `id`, whose
   workload is a demand of the scenario and whose holder is one of its providers; per (demand, holder) the latest decision counts (its exercised GPUs, 0 = declined).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from tender.domain import ReservedCapacity, Scenario
from tender.domain.pinned import AnsweredNotice, HeldCapacity, PinnedRun
from tender.ledger.actuals.variance import period_month
from tender.ledger.sql.actuals_store import ActualLine, WorkloadAttempt, WorkloadLine
from tender.ledger.sql.models import NeedRow, NoticeRow, ScenarioRow

ZERO = Decimal(0)
Site = tuple[str, str, str]


def runs_in_progress(sc: Scenario, lines: Iterable[WorkloadLine], as_of: int) -> tuple[PinnedRun, ...]:
    runs = {r.id: r for r in sc.training_runs}
    hours: dict[str, dict[int, dict[Site, Decimal]]] = {}
    for w in lines:
        m = period_month(sc, w.line.period)
        if w.workload not in runs or not 1 <= m < as_of or w.line.gpu_hours <= 0:
            continue
        site = (w.line.provider, w.line.accelerator, w.line.region)
        by_site = hours.setdefault(w.workload, {}).setdefault(m, {})
        by_site[site] = by_site.get(site, ZERO) + w.line.gpu_hours
    out = []
    for run_id in sorted(hours):
        months = hours[run_id]
        if as_of - 1 not in months:
            continue
        start = as_of - 1
        while start - 1 in months:
            start -= 1
        last = months[as_of - 1]
        site = max(sorted(last), key=lambda s: last[s])
        end = min(start + runs[run_id].duration_months - 1, sc.horizon)
        if end >= as_of:
            out.append(PinnedRun(run_id, *site, start=start, end=end))
    return tuple(out)


def attempt_lines(sc: Scenario, attempts: Iterable[WorkloadAttempt], as_of: int) -> list[WorkloadLine]:
    cut = sc.calendar.month_start(as_of).timestamp()
    out = []
    for a in attempts:
        parts = a.pool_id.split("/")
        if len(parts) != 3:
            continue
        end = cut if a.ended_at is None else min(a.ended_at, cut)
        for m in range(1, as_of):
            lo = max(a.started_at, sc.calendar.month_start(m).timestamp())
            hi = min(end, sc.calendar.month_start(m + 1).timestamp())
            if hi > lo:
                hours = Decimal(a.gpus) * Decimal(str(round(hi - lo, 3))) / 3600
                line = ActualLine(
                    "runtime", parts[0], sc.calendar.label(m), parts[2], parts[1], "", ZERO, ZERO, hours
                )
                out.append(WorkloadLine(a.workload, line))
    return out


def _reserved(sc: Scenario, site: Site, month: int) -> int:
    provider, gpu, region = site
    return sum(
        c.gpus
        for c in sc.contracts
        if isinstance(c, ReservedCapacity)
        and (c.provider, c.gpu) == (provider, gpu)
        and c.region in (None, region)
        and c.start_month <= month <= c.end_month
    )


def held_capacity(sc: Scenario, lines: Iterable[ActualLine], as_of: int) -> tuple[HeldCapacity, ...]:
    hours: dict[Site, Decimal] = {}
    for line in lines:
        if line.spend_category != "compute_contract" or not line.accelerator:
            continue
        if period_month(sc, line.period) != as_of - 1:
            continue
        site = (line.provider, line.accelerator, line.region)
        hours[site] = hours.get(site, ZERO) + line.gpu_hours
    out = []
    per_month = Decimal(sc.calendar.hours_per_month)
    for site in sorted(hours):
        provider = sc.providers.get(site[0])
        if provider is None or provider.lead_time_months < 1:
            continue
        gpus = int(hours[site] / per_month) - _reserved(sc, site, as_of)
        until = min(sc.horizon, as_of + provider.lead_time_months - 1)
        if gpus > 0 and as_of <= sc.horizon:
            out.append(HeldCapacity(*site, gpus=gpus, until=until))
    return tuple(out)


def answered_notices(session: Session, sc: Scenario, before: datetime) -> tuple[AnsweredNotice, ...]:
    demands = {f.id for f in sc.fleets} | {r.id for r in sc.training_runs}
    query = (
        select(NoticeRow, NeedRow.body_json)
        .join(NeedRow, NeedRow.id == NoticeRow.need_id)
        .join(ScenarioRow, ScenarioRow.id == NeedRow.scenario_pk)
        .where(
            NoticeRow.status != "open", NoticeRow.decided_at.is_not(None), ScenarioRow.scenario_id == sc.id
        )
        .order_by(NoticeRow.decided_at, NoticeRow.id)
    )
    latest: dict[tuple[str, str], AnsweredNotice] = {}
    for row, body in session.execute(query):
        decided = row.decided_at
        if decided is None or decided >= before:
            continue
        workload = str(json.loads(body).get("workload", ""))
        if workload not in demands or row.holder not in sc.providers:
            continue
        latest[(workload, row.holder)] = AnsweredNotice(
            row.id, workload, row.holder, int(row.exercised_gpus or 0), decided.isoformat()
        )
    return tuple(latest[k] for k in sorted(latest))
