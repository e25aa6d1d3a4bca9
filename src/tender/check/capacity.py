"""Spec §3: what each (provider, gpu, region, month) can hold, and whole racks where they are sold so.

cap = existing + new capacity the lab may order directly (from D(p)) + the holder's exercised blocks.
"""

from __future__ import annotations

from collections import defaultdict

from tender.check.context import Context
from tender.check.plan_doc import Award
from tender.check.violation import Code, Violation, violation

Cell = tuple[str, str, str, int]  # provider, gpu, region, month


def direct_from(ctx: Context, provider_id: str) -> int:
    """D(p): the first month p's new capacity may be bought without a notice (after its last right + lead time)."""
    provider = ctx.provider(provider_id)
    lead = provider.lead_time_months if provider is not None else 0
    return ctx.timeline.last_right_month(provider_id) + 1 + lead


def block_gpus(ctx: Context) -> dict[tuple[str, str, int], int]:
    """Exercised GPUs per (holder, gpu, month) over every holder block's usable months."""
    out: dict[tuple[str, str, int], int] = defaultdict(int)
    for notice in ctx.holder_blocks():
        for month in ctx.block_months(notice):
            out[(notice.holder, notice.gpu, month)] += notice.exercised_gpus
    return out


def used_per_cell(awards: list[Award]) -> dict[Cell, int]:
    used: dict[Cell, int] = defaultdict(int)
    for a in awards:
        used[(a.provider, a.gpu, a.region, a.month)] += a.gpus
    return used


def _cap(ctx: Context, cell: Cell, blocks: dict[tuple[str, str, int], int], direct: int) -> dict[str, int]:
    provider_id, gpu, region, month = cell
    provider = ctx.scenario.providers[provider_id]
    offerable = provider.offerable_gpus(gpu, region, month) if month >= direct else 0
    return {
        "existing": provider.existing_gpus(gpu, region, month),
        "offerable": offerable,
        "blocks": blocks.get((provider_id, gpu, month), 0),
    }


def _racks(ctx: Context, cell: Cell, used: int) -> list[Violation]:
    provider_id, gpu, region, month = cell
    rack = ctx.scenario.accelerators[gpu].rack_size
    if not ctx.scenario.providers[provider_id].full_rack_only or not rack or used % rack == 0:
        return []
    message = f"{provider_id} {gpu} {region}: {used} GPUs is not a whole number of {rack}-GPU racks"
    return [violation(Code.FULL_RACKS, message, month=month, gpus=used, rack_size=rack)]


def capacity(ctx: Context, awards: list[Award]) -> list[Violation]:
    found: list[Violation] = []
    blocks = block_gpus(ctx)
    direct = {p: direct_from(ctx, p) for p in ctx.scenario.providers}
    for cell, used in sorted(used_per_cell(awards).items()):
        parts = _cap(ctx, cell, blocks, direct[cell[0]])
        cap = sum(parts.values())
        if used > cap:
            provider_id, gpu, region, month = cell
            message = f"{provider_id} {gpu} {region}: {used} GPUs awarded, capacity {cap}"
            numbers = {**parts, "used": used, "cap": cap, "direct_from_month": direct[provider_id]}
            found.append(violation(Code.CAPACITY, message, month=month, values=numbers))
        found += _racks(ctx, cell, used)
    return found
