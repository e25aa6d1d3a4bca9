"""Admission of an arriving job: its statically feasible pools (`checkers.feasible_pools`), once.

Under `allow_all` the answer depends only on what the static chain reads of the job (gang size,
types, regions, throughput: `checkers.STATIC_CHAIN`) and on the replay's fixed pools, so it is
memoised per job shape (traces repeat shapes: Philly's 82,247 jobs have a handful). With any other
eligibility (contracts, rules) every job is checked.
"""

from __future__ import annotations

from collections.abc import Sequence

from tender.placement import Eligibility, JobRequest, Pool, allow_all, feasible_pools
from tender.placement.checkers import Feasible


class Admission:
    def __init__(self, pools: Sequence[Pool], eligibility: Eligibility) -> None:
        self.pools, self.eligibility = pools, eligibility
        self.shapes: dict[tuple[object, ...], Feasible] = {}

    def feasible(self, job: JobRequest) -> Feasible:
        if self.eligibility is not allow_all:
            return feasible_pools(job, self.pools, self.eligibility)
        throughput = job.throughput
        key = (job.gpus, job.gpu_types, job.regions, tuple(throughput.items()) if throughput else ())
        found = self.shapes.get(key)
        if found is None:
            found = self.shapes[key] = feasible_pools(job, self.pools, allow_all)
        return found
