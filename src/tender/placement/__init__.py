"""tender.placement: the online scheduler (pure core; time is a parameter).

Entry points: `schedule_round(state, now, policy, eligibility)` proposes placements, preemptions
and a verdict for every job left waiting; `admit(job, pools, eligibility)` tells at arrival
whether a job could ever run on these pools.
"""

from tender.placement.checkers import admit, explain, feasible_pools, static_verdict
from tender.placement.cycle import schedule_round
from tender.placement.eligibility import ContractRules, Eligibility, allow_all
from tender.placement.fairness_lp import FairnessInput, solve_max_min
from tender.placement.model import (
    OK,
    Allocation,
    ClusterState,
    JobRequest,
    Placement,
    Pool,
    Preemption,
    Reason,
    RoundResult,
    RunningJob,
    Verdict,
)
from tender.placement.policy import POLICY_NAMES, GavelCompat, Policy, PolicyName, UnknownPolicy, parse_policy

__all__ = [
    "OK",
    "POLICY_NAMES",
    "Allocation",
    "ClusterState",
    "ContractRules",
    "Eligibility",
    "FairnessInput",
    "GavelCompat",
    "JobRequest",
    "Placement",
    "Policy",
    "PolicyName",
    "Pool",
    "Preemption",
    "Reason",
    "RoundResult",
    "RunningJob",
    "UnknownPolicy",
    "Verdict",
    "admit",
    "allow_all",
    "explain",
    "feasible_pools",
    "parse_policy",
    "schedule_round",
    "solve_max_min",
    "static_verdict",
]
