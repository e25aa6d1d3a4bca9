"""Strategic sourcing: a MILP (HiGHS) over monthly buckets with the ROFR protocol in the loop.

Public API: `plan(scenario, PlanOptions(seed=..., time_limit_s=...), now=None, progress=None) -> Plan`;
`PlanOptions(stop=...)` lets a caller abandon the solve (`Interrupted`).
"""

from tender.sourcing.planner import plan
from tender.sourcing.solve import Interrupted, NoSolution
from tender.sourcing.types import (
    Award,
    Charge,
    Infeasibility,
    LedgerRow,
    MilestoneStatus,
    Notice,
    Plan,
    PlanOptions,
    SolveStats,
    Unmet,
)

__all__ = [
    "Award",
    "Charge",
    "Infeasibility",
    "Interrupted",
    "LedgerRow",
    "MilestoneStatus",
    "NoSolution",
    "Notice",
    "Plan",
    "PlanOptions",
    "SolveStats",
    "Unmet",
    "plan",
]
