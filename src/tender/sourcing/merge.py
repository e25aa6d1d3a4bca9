"""Exact model shrinking: fleets with identical eligibility share one set of columns.

Two fleets are interchangeable in the model when they may use exactly the same (offer, months), are
both (or both not) preemptible, and no ROFR gate applies to either: every cost is per (offer, month),
so columns x[i, o, m] differ only in whose demand-cover row they enter. Such fleets form a group;
the model has one column per (group, offer, month) and one cover row per (group, month) whose need is
the members' total (unmet bounded by the same total). Any feasible split of a group's columns among
its members is a feasible plan of the same cost, so the merge is exact.

`split` maps a group's values back to its members, month by month, greedily in member order: each
member takes h100_eq from the group's offers (in offer order, spot after base) until its own need is
met; the last member keeps whatever is left (over-cover, if the solver bought more than the need).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from tender.domain import Fleet

EPS = 1e-9

Signature = tuple[tuple[tuple[int, tuple[int, ...]], ...], bool]


def fleet_groups(
    fleets: Sequence[Fleet],
    fleet_offers: Sequence[tuple[tuple[int, tuple[int, ...]], ...]],
    gated: set[str],
) -> tuple[tuple[int, ...], ...]:
    """Groups of fleet indices with one eligibility signature, ordered by their first member."""
    groups: dict[Signature | int, list[int]] = {}
    for i, fleet in enumerate(fleets):
        key: Signature | int = i if fleet.id in gated else (fleet_offers[i], fleet.preemptible_ok)
        groups.setdefault(key, []).append(i)
    return tuple(sorted((tuple(members) for members in groups.values()), key=lambda members: members[0]))


def group_need(fleets: Sequence[Fleet], members: Sequence[int], month: int) -> Decimal:
    return sum((fleets[i].need(month) for i in members), Decimal(0))


def split(
    fleets: Sequence[Fleet],
    members: Sequence[int],
    month: int,
    parts: Sequence[tuple[int, bool, float]],
    h100_eq: Mapping[int, float],
) -> list[tuple[int, int, bool, float]]:
    """Share one group-month's (offer, spot, GPUs) among `members` -> (fleet, offer, spot, GPUs)."""
    if len(members) == 1:
        return [(members[0], o, spot, g) for o, spot, g in parts]
    left = [[o, spot, g] for o, spot, g in sorted(parts, key=lambda part: (part[1], part[0]))]
    out: list[tuple[int, int, bool, float]] = []
    k = 0
    for position, i in enumerate(members):
        last = position == len(members) - 1
        want = float(fleets[i].need(month))
        while k < len(left) and (last or want > EPS):
            o_idx, spot, amount = left[k]
            per_gpu = h100_eq[int(o_idx)]
            take = float(amount) if last else min(float(amount), want / per_gpu)
            if take > EPS:
                out.append((i, int(o_idx), bool(spot), take))
            want -= take * per_gpu
            left[k][2] = float(amount) - take
            if float(left[k][2]) <= EPS:
                k += 1
    return out
