"""Contract eligibility: may this job run on this pool at all?

The contract engine (`tender.contracts`) plugs in any callable `(job, pool) -> Verdict`. The
default, `ContractRules`, enforces two clauses given as plain data: workload exclusivity
(workload or workload class -> the only provider allowed) and data residency (workload or class ->
allowed regions). Each of its "no"s names the rule as its clause id: `exclusivity.KEY` or
`residency.KEY`, the rule's path in the pools file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from tender.placement.model import OK, JobRequest, Pool, Reason, Verdict, no


class Eligibility(Protocol):
    def __call__(self, job: JobRequest, pool: Pool) -> Verdict: ...


def allow_all(job: JobRequest, pool: Pool) -> Verdict:
    del job, pool
    return OK


@dataclass(frozen=True)
class ContractRules:
    """Exclusivity and residency as data; keys match a job's `workload` or `workload_class`."""

    exclusivity: Mapping[str, str] = field(default_factory=dict)  # workload -> provider
    residency: Mapping[str, frozenset[str]] = field(default_factory=dict)  # workload -> regions

    def __call__(self, job: JobRequest, pool: Pool) -> Verdict:
        for key in (job.workload, job.workload_class):
            provider = self.exclusivity.get(key)
            if provider is not None and pool.provider != provider:
                clause = f"exclusivity.{key}"
                return no(Reason.EXCLUSIVITY, f"{key} runs only on {provider} [{clause}]", clause)
        for key in (job.workload, job.workload_class):
            regions = self.residency.get(key)
            if regions is not None and pool.region not in regions:
                clause = f"residency.{key}"
                return no(
                    Reason.RESIDENCY, f"{key} must stay in {','.join(sorted(regions))} [{clause}]", clause
                )
        return OK
