"""Contract eligibility for placement, from the contract engine (`tender.contracts.eligibility`).

When pools come from a scenario, a job may use a pool only if the contract engine says its
provider may take the job's need at that month: `ScenarioEligibility(scenario, month)` is an
`Eligibility` (`(job, pool) -> Verdict`) for `tender.placement`. There is no second rule set here:
every "no" is the engine's, with its reason code (`exclusive_to_other`, `residency`, `region`,
`unknown_provider`, `rofr_pending`, ...) and the clause id.

A job becomes a `Need` as follows (`need_for`):

1. `workload` <- the job's `workload` (a scenario workload id such as `api-serving`), and
   `workload_class` <- its `workload_class` (`training`, `inference`, ...);
2. `gpu`, `region` <- the pool's accelerator type and region; `gpus` <- the job's gang size;
3. `start` <- the regime's month, `months` = 1, `price` <- the pool's price per GPU-hour;
4. `new_capacity=False`: the pools are capacity the lab already holds (a scenario's existing
   capacity), so rights that cover only new capacity, or carve out existing contracted capacity,
   do not apply; rights over all capacity do (a pending right bars the pool for the whole replay:
   no ROFR protocol runs inside a replay).

Verdicts are memoised per (workload, class, gpus, pool): the engine is pure and the month is fixed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tender.contracts import Need
from tender.contracts import eligibility as contract_eligibility
from tender.domain import Scenario
from tender.placement.model import OK, JobRequest, Pool, Reason, Verdict

# Contract-engine codes that can come back for a held pool, as placement reasons (same strings).
_REASONS: dict[str, Reason] = {
    "exclusive_to_other": Reason.EXCLUSIVE_TO_OTHER,
    "residency": Reason.RESIDENCY,
    "region": Reason.REGION,
    "unknown_provider": Reason.UNKNOWN_PROVIDER,
    "rofr_pending": Reason.ROFR_PENDING,
    "rofr_exercised_by_holder": Reason.ROFR_EXERCISED_BY_HOLDER,
    "first_ship_pending": Reason.FIRST_SHIP_PENDING,
    "first_ship_exercised_by_holder": Reason.FIRST_SHIP_EXERCISED_BY_HOLDER,
    # the provider's capacity at that month cannot hold the gang: as static as a gang too big
    "capacity": Reason.GANG,
}


def need_for(job: JobRequest, pool: Pool, month: int) -> Need:
    """The contract engine's view of running `job` on `pool` in horizon month `month`."""
    return Need(
        id=job.id,
        workload=job.workload,
        workload_class=job.workload_class,
        gpu=pool.gpu,
        gpus=job.gpus,
        region=pool.region,
        start=month,
        months=1,
        price=pool.price_per_gpu_hour,
        new_capacity=False,
    )


@dataclass
class ScenarioEligibility:
    """`(job, pool) -> Verdict` from `tender.contracts.eligibility(scenario, need, provider, month)`."""

    scenario: Scenario
    month: int
    _memo: dict[tuple[str, str, int, str], Verdict] = field(default_factory=dict, repr=False)

    def __call__(self, job: JobRequest, pool: Pool) -> Verdict:
        memo_key = (job.workload, job.workload_class, job.gpus, pool.id)
        cached = self._memo.get(memo_key)
        if cached is None:
            cached = self._verdict(job, pool)
            self._memo[memo_key] = cached
        return cached

    def _verdict(self, job: JobRequest, pool: Pool) -> Verdict:
        at = self.scenario.calendar.month_start(self.month)
        answer = contract_eligibility(self.scenario, need_for(job, pool, self.month), pool.provider, at)
        if answer.allowed:
            return OK
        reason = _REASONS.get(answer.reason or "", Reason.NO_POOL_FITS)
        clause = f" [{answer.clause}]" if answer.clause else ""
        return Verdict(False, reason, f"{pool.id}: {answer.message}{clause}", answer.clause)
