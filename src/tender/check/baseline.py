"""Spec §8: the contract-blind baseline obeys the same rules, and the plan costs no more than it."""

from __future__ import annotations

from tender.check.awards import check_awards
from tender.check.context import Context
from tender.check.money import breakdown_checks, differs, either_total, recompute
from tender.check.plan_doc import PlanDoc
from tender.check.violation import BASELINE_PREFIX, DEMAND_CODES, Code, Violation, prefixed, violation

WHAT = "baseline.cost_breakdown_usd"


def baseline(ctx: Context, doc: PlanDoc) -> list[Violation]:
    """The baseline's awards against §1-§6 (with the plan's notices) and its four costs against §7."""
    if doc.baseline is None:
        return []
    checked = check_awards(ctx, doc.baseline.awards, doc.baseline.unmet)
    costs = recompute(ctx, checked.awards, checked.unmet)
    found = checked.found
    found += differs(
        Code.COMPUTE_TOTAL,
        f"{WHAT}.compute",
        doc.baseline.breakdown.compute,
        either_total(costs.billed.values()),
    )
    if doc.baseline_cost is not None:
        found += breakdown_checks(costs, doc.baseline.breakdown, doc.baseline_cost, WHAT)
    return prefixed(found)


def _serves_demand(found: list[Violation], prefix: str = "") -> bool:
    return not any(v.code in {prefix + c for c in DEMAND_CODES} for v in found)


def cost_above_baseline(
    doc: PlanDoc, plan_found: list[Violation], baseline_found: list[Violation]
) -> list[Violation]:
    """A plan dearer than the baseline while both serve their demand correctly."""
    if doc.baseline_cost is None or doc.cost_total <= doc.baseline_cost:
        return []
    if not (_serves_demand(plan_found) and _serves_demand(baseline_found, BASELINE_PREFIX)):
        return []
    message = f"plan cost {doc.cost_total} is above the contract-blind baseline {doc.baseline_cost}"
    return [violation(Code.COST_ABOVE_BASELINE, message, cost=doc.cost_total, baseline=doc.baseline_cost)]
