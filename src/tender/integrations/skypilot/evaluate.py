"""The one implementation behind the Python policy and the REST endpoint: task config in, outcome out.

1. read the task config into a `Request` (`tasks.request_of`);
2. decide (`decide.decide`, pure; with the stored needs and their ROFR states when a server has them);
3. rewrite the task when allowed (`tasks.rewrite`); a rejection carries the decision's message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tender.domain import Scenario
from tender.integrations.skypilot.decide import Decision, StoredNeed, decide
from tender.integrations.skypilot.tasks import request_of, rewrite


@dataclass(frozen=True)
class Outcome:
    decision: Decision
    task: dict[str, Any] | None  # the rewritten task config; None when rejected

    def record(self) -> dict[str, Any]:
        """A JSON-ready summary (audit data, API answers)."""
        d = self.decision
        return {
            "task": d.name,
            "workload": d.workload,
            "workload_class": d.workload_class,
            "month": d.month,
            "rejected": d.rejected,
            "passthrough": d.passthrough,
            "allowed": [
                {
                    "provider": c.provider,
                    "region": c.region,
                    "gpu": c.gpu,
                    "infra": f"{c.cloud.lower()}/{c.sky_region}",
                    "tier": c.tier,
                    "price_per_gpu_hour": str(c.price),
                    "clause": c.clause,
                }
                for c in d.allowed
            ],
            "refused": [
                {"provider": r.provider, "region": r.region, "gpu": r.gpu, "code": r.code, "clause": r.clause}
                for r in d.refused
            ],
        }


def evaluate(
    task: dict[str, Any], scenario: Scenario, month: int, stored: tuple[StoredNeed, ...] = ()
) -> Outcome:
    decision = decide(scenario, request_of(task, month), stored)
    return Outcome(decision, None if decision.rejected else rewrite(task, decision))
