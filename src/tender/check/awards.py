"""Spec §1-§6 for one set of awards and unmet entries (the plan's, or the baseline's)."""

from __future__ import annotations

from dataclasses import dataclass

from tender.check.capacity import capacity
from tender.check.context import Context
from tender.check.demand import demand
from tender.check.hard_rules import hard_rules
from tender.check.notices import blocks
from tender.check.plan_doc import Award, Unmet
from tender.check.pricing import pricing
from tender.check.rights import rights
from tender.check.structure import award_structure, unmet_structure
from tender.check.violation import Violation


@dataclass(frozen=True)
class AwardCheck:
    found: list[Violation]
    awards: list[Award]  # the structurally sound ones, which every later rule reads
    unmet: list[Unmet]


def check_awards(ctx: Context, awards: tuple[Award, ...], unmet: tuple[Unmet, ...]) -> AwardCheck:
    """1. structure (unsound entries are set aside) -> 2. hard rules -> 3. capacity -> 4. rights and
    holder blocks -> 5. pricing -> 6. demand."""
    found: list[Violation] = []
    sound: list[Award] = []
    for award in awards:
        problems = award_structure(ctx, award)
        found += problems
        sound += [] if problems else [award]
    sound_unmet: list[Unmet] = []
    for entry in unmet:
        problems = unmet_structure(ctx, entry)
        found += problems
        sound_unmet += [] if problems else [entry]
    found += hard_rules(ctx, sound)
    found += capacity(ctx, sound)
    found += rights(ctx, sound) + blocks(ctx, sound)
    found += pricing(ctx, sound)
    found += demand(ctx, sound, sound_unmet)
    return AwardCheck(found, sound, sound_unmet)
