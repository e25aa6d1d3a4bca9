"""A re-plan honours what happened before `as_of` (the plan JSON's `fixed` facts, `domain.pinned`).

Read from the plan's own awards, ledger and notices, with the scenario's rates; nothing of the
planner's model:
1. a pinned run: in every month `as_of`..its `end_month` its awards sum to its GPUs, all at its site
   (provider, accelerator, region); none in any other month (`run_pinned`);
2. held capacity: in every month `as_of`..`until_month` the provider's billed cost (its ledger rows
   summed) is at least the held GPUs x the contract rate (else on-demand) x hours (`held_not_billed`);
3. an answered notice: every notice of the re-plan to that holder for that demand carries the recorded
   answer (declined: status declined, nothing exercised; else exactly the GPUs exercised), given at
   the instant it was issued (no fresh response window: it is not offered again); awards on that
   holder's block for that demand never exceed the GPUs exercised; an exercised answer for a demand
   the re-plan still has is not dropped (a notice carries it) (`notice_answer`).
"""

from __future__ import annotations

from decimal import Decimal

from tender.check.context import Context
from tender.check.plan_doc import PlanDoc
from tender.check.violation import Code, Violation, violation
from tender.domain.pinned import AnsweredNotice, HeldCapacity, PinnedRun
from tender.domain.rebase import FixedMonths

ZERO = Decimal(0)


def _run(ctx: Context, doc: PlanDoc, pin: PinnedRun, as_of: int) -> list[Violation]:
    run = next((r for r in ctx.scenario.training_runs if r.id == pin.run), None)
    gpus = run.gpus if run is not None else 0
    out = []
    awards = [a for a in doc.awards if a.demand == pin.run]
    for a in awards:
        if (a.provider, a.gpu, a.region) != pin.site or not as_of <= a.month <= pin.end:
            out.append(
                violation(
                    Code.RUN_PINNED,
                    f"{a.path}: run in progress at {'/'.join(pin.site)} months "
                    f"{as_of}-{pin.end}, awarded {a.provider}/{a.gpu}/{a.region} month {a.month}",
                    demand=pin.run,
                    month=a.month,
                )
            )
    for m in range(as_of, pin.end + 1):
        at_site = sum(a.gpus for a in awards if a.month == m and (a.provider, a.gpu, a.region) == pin.site)
        if at_site != gpus:
            out.append(
                violation(
                    Code.RUN_PINNED,
                    f"run in progress needs {gpus} GPUs at {'/'.join(pin.site)}, has {at_site}",
                    demand=pin.run,
                    month=m,
                    required=gpus,
                    awarded=at_site,
                )
            )
    return out


def _held(ctx: Context, doc: PlanDoc, h: HeldCapacity, as_of: int) -> list[Violation]:
    rate = ctx.committed_rate(h.provider, h.gpu)
    if rate is None:
        return []
    due = h.gpus * rate * ctx.hours
    out = []
    for m in range(as_of, min(h.until, ctx.scenario.horizon) + 1):
        billed = sum((r.billed for r in doc.ledger if r.provider == h.provider and r.month == m), ZERO)
        if billed < due:
            out.append(
                violation(
                    Code.HELD_NOT_BILLED,
                    f"{h.gpus} {h.gpu} held at {h.provider}/{h.region} bill "
                    f"{due}; the provider's month bills {billed}",
                    clause=h.clause_id,
                    month=m,
                    due=due,
                    billed=billed,
                )
            )
    return out


def _notice(ctx: Context, doc: PlanDoc, n: AnsweredNotice) -> list[Violation]:
    out = []
    mine = [x for x in doc.notices if x.demand == n.demand and x.holder == n.holder]
    demands = {f.id for f in ctx.scenario.fleets} | {r.id for r in ctx.scenario.training_runs}
    if not mine and not n.declined and n.demand in demands:
        out.append(
            violation(
                Code.NOTICE_ANSWER,
                f"{n.notice}: {n.exercised_gpus} GPUs exercised at {n.decided_at}; the re-plan has no notice "
                f"to {n.holder} for {n.demand}, so the block is ignored",
                demand=n.demand,
            )
        )
    for x in mine:
        same = (
            (x.status == "declined" and x.exercised_gpus == 0)
            if n.declined
            else x.exercised_gpus == n.exercised_gpus
        )
        if not same or x.responded_at != x.issued_at:
            out.append(
                violation(
                    Code.NOTICE_ANSWER,
                    f"{x.path}: {n.notice} was answered "
                    f"{'declined' if n.declined else f'{n.exercised_gpus} GPUs exercised'} at {n.decided_at}; "
                    f"the re-plan has {x.status}, {x.exercised_gpus} exercised, answered "
                    f"{x.responded_at.isoformat() if x.responded_at else 'never'}",
                    demand=n.demand,
                )
            )
    blocks = {x.id for x in mine}
    on_block: dict[int, int] = {}  # month -> GPUs on the holder's block for the demand
    for a in doc.awards:
        if a.demand == n.demand and a.provider == n.holder and a.notice in blocks:
            on_block[a.month] = on_block.get(a.month, 0) + a.gpus
    for month, used in sorted(on_block.items()):
        if used > n.exercised_gpus:
            out.append(
                violation(
                    Code.NOTICE_ANSWER,
                    f"{used} GPUs on {n.holder}'s block for {n.demand}, {n.exercised_gpus} exercised in {n.notice}",
                    demand=n.demand,
                    month=month,
                )
            )
    return out


def pinned_rules(ctx: Context, doc: PlanDoc, fixed: FixedMonths | None) -> list[Violation]:
    if fixed is None:
        return []
    found: list[Violation] = []
    for pin in fixed.runs:
        found += _run(ctx, doc, pin, fixed.as_of)
    for h in fixed.held:
        found += _held(ctx, doc, h, fixed.as_of)
    for n in fixed.notices:
        found += _notice(ctx, doc, n)
    return found
