"""Could the holder model's seeded coin have changed a re-plan? (`Outcome.holder_drawn`, `classes.py`)

A re-plan's ROFR answers come from the first stage's scripts, or, for a need the plan did not have,
from the holder model, whose accept coin is seeded by the re-plan's seed (`rofr_answers.answer`).
1. every notice of the re-plan, once per (need, right), at its first issue (when it was answered);
2. its need and right as the protocol had them (the right in force at the notice's month);
3. `rofr_answers.coin_decides`: no script, a holder model with 0 < accept probability < 1, and an
   accepting holder would take GPUs (room in a region, in time, a share of at least one block);
4. a need the contract engine refused (`NewNeed` rejected) has no notice to read: counted as drawn.
"""

from __future__ import annotations

from datetime import datetime

from tender.contracts import Need
from tender.domain import Scenario
from tender.sourcing.clauses import ClauseView
from tender.sourcing.rofr_answers import coin_decides
from tender.sourcing.types import Notice, Plan


def coin_drawn(sc: Scenario, p: Plan) -> bool:
    """`sc`: the future's scenario with the first stage's answers scripted (as the re-plan saw it)."""
    if any(e.startswith("NewNeed ") for e in p.explanations):
        return True
    first: dict[tuple[str, str], Notice] = {}
    for n in sorted(p.notices, key=lambda n: n.issued_at):
        first.setdefault((n.need, n.clause), n)
    if not first:
        return False
    view = ClauseView.of(sc)
    rights = {c.id: c for c in view.rofrs()}
    classes = {d.id: d.workload_class for d in sc.demands}
    runs = {r.id for r in sc.training_runs}
    for n in first.values():
        at = datetime.fromisoformat(n.issued_at)
        right = view.right_at(n.clause, sc.calendar.month_of(at)) or rights[n.clause]
        need = Need(
            n.need,
            n.demand,
            classes[n.demand],
            n.gpu,
            n.gpus,
            n.region,
            n.start_month,
            n.duration_months,
            n.price_usd_per_gpu_hour,
            third_party=n.third_party,
        )
        if coin_decides(sc, need, right, at, n.demand in runs):
            return True
    return False
