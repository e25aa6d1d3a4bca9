"""Why a job waits or is refused, as `tender jobs`, the API and the dashboard show it: a reason code, the
contract clause id behind it (if a clause is the cause), and the detail.

1. `job_request(...)`: the scheduler's view of a job (`tender.placement.JobRequest`), for a queued row and
   for a spec being submitted alike.
2. `refusal(request, config, now)`: at submit time, what no pool may ever take (`admit`: type, gang
   size, region, contracts in the month `now` falls in): one `Why` per pool, or [] when some pool may.
3. `waiting(request, verdict, ...)` after a round: the scheduler's verdict, made honest about engines:
   every pool the job may use is down -> `engine_unreachable` (an engine that does not answer) or
   `outage` (one that answers but cannot run work), naming each engine and its last error; else the
   verdict (`capacity`, ...) with the engines that are down and the pools a clause bars named after it.
4. `Why.text()`: `code: detail`, each clause id in brackets; `Why.code` / `Why.clause` are stored apart
   (`runtime_jobs.reason_code` / `reason_clause`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from tender.placement import Eligibility, JobRequest, Pool, Reason, Verdict, feasible_pools, static_verdict
from tender.ports import CapacityReport, Reachability
from tender.runtime.pools import RuntimeConfig

CONTRACT_REASONS = frozenset(
    {
        Reason.EXCLUSIVITY,
        Reason.EXCLUSIVE_TO_OTHER,
        Reason.RESIDENCY,
        Reason.REGION,
        Reason.UNKNOWN_PROVIDER,
        Reason.ROFR_PENDING,
        Reason.ROFR_EXERCISED_BY_HOLDER,
        Reason.FIRST_SHIP_PENDING,
        Reason.FIRST_SHIP_EXERCISED_BY_HOLDER,
    }
)


@dataclass(frozen=True)
class Why:
    code: str
    detail: str
    clause: str | None = None
    never: bool = False

    def text(self) -> str:
        detail = self.detail
        if self.clause and f"[{self.clause}]" not in detail:
            detail = f"{detail} [{self.clause}]".strip()
        return f"{self.code}: {detail}" if detail else self.code


def job_request(
    job_id: str, gpus: int, gpu_types: Sequence[str], workload_class: str, workload: str, arrival: float
) -> JobRequest:
    return JobRequest(
        id=job_id,
        gpus=gpus,
        arrival=arrival,
        work=1.0,
        gpu_types=frozenset(t.lower() for t in gpu_types if t),
        workload_class=workload_class,
        workload=workload,
    )


def _of(verdict: Verdict, never: bool = False) -> Why:
    return Why(verdict.reason.value if verdict.reason else "waiting", verdict.detail, verdict.clause, never)


def _clauses(verdicts: Sequence[Verdict]) -> str | None:
    found = sorted({v.clause for v in verdicts if v.clause})
    return ",".join(found) or None


def _static(request: JobRequest, pools: Sequence[Pool], rules: Eligibility) -> tuple[bool, list[Verdict]]:
    """(some pool may take it, each refusing pool's verdict with the pool named in its detail)."""
    refused: list[Verdict] = []
    for pool in pools:
        verdict = static_verdict(request, pool, rules)
        if verdict.ok:
            return True, []
        if not verdict.detail.startswith(f"{pool.id}: "):
            verdict = replace(verdict, detail=f"{pool.id}: {verdict.detail}")
        refused.append(verdict)
    return False, refused


def refusal(request: JobRequest, config: RuntimeConfig, now: float) -> list[Why]:
    """Each pool's static "no" when no pool may ever take the job (step 2); [] when one may."""
    pools = [p.placement_pool() for p in config.pools]
    fits, refused = _static(request, pools, config.rules(now))
    return [] if fits else [_of(v, never=True) for v in refused]


def rejected(verdicts: Sequence[Verdict]) -> Why:
    """A job no pool may take: one reason, or `no_pool_fits` listing every pool's reason and clause."""
    if len({v.reason for v in verdicts}) == 1:
        first = verdicts[0]
        details = "; ".join(v.detail for v in verdicts)
        return Why(_of(first).code, details, _clauses(verdicts), never=True)
    parts = "; ".join(Why(_of(v).code, v.detail, v.clause).text() for v in verdicts)
    code = Reason.NO_POOL_FITS.value
    return Why(
        code, f"every pool rejects it: {parts}" if parts else "no pools", _clauses(verdicts), never=True
    )


def waiting(
    request: JobRequest,
    verdict: Verdict,
    pools: Sequence[Pool],
    rules: Eligibility,
    capacity: Mapping[str, CapacityReport],
    config: RuntimeConfig,
) -> Why:
    """Step 3: why a job the round did not place waits (or is rejected), under the round's `rules`."""
    feasible = feasible_pools(request, pools, rules)
    if not feasible.pools:
        return rejected(_static(request, pools, rules)[1])
    down = [p for p in feasible.pools if not capacity[p.id].usable]
    engines = "; ".join(engine_line(config, p.id, capacity[p.id]) for p in down)
    if len(down) == len(feasible.pools):
        unreachable = any(capacity[p.id].status is Reachability.UNREACHABLE for p in down)
        code = Reason.ENGINE_UNREACHABLE if unreachable else Reason.OUTAGE
        return Why(code.value, engines)
    why = _of(verdict)
    notes = [why.detail] if why.detail else []
    if down:
        notes.append(f"down: {engines}")
    barred = [v for v in feasible.rejected if v.reason in CONTRACT_REASONS]
    if barred and why.code not in {r.value for r in CONTRACT_REASONS}:
        notes.append(_barred(request, pools, feasible.pools, rules))
    return Why(why.code, "; ".join(notes), why.clause or _clauses(barred))


def _barred(request: JobRequest, pools: Sequence[Pool], usable: Sequence[Pool], rules: Eligibility) -> str:
    """`barred by CODE [CLAUSE] on POOL, POOL (DETAIL); ...`: the pools a contract rules out, grouped by
    clause, with the clause's own words (e.g. whom the workload is exclusive to)."""
    groups: dict[tuple[str, str, str], list[str]] = {}
    for pool in pools:
        if pool in usable:
            continue
        verdict = static_verdict(request, pool, rules)
        if verdict.reason in CONTRACT_REASONS:
            key = (_of(verdict).code, verdict.clause or "", verdict.detail)
            groups.setdefault(key, []).append(pool.id)
    parts = [
        f"{code}{f' [{clause}]' if clause else ''} on {', '.join(sorted(ids))}{f' ({detail})' if detail else ''}"
        for (code, clause, detail), ids in sorted(groups.items())
    ]
    return "barred by " + "; ".join(parts)


def engine_line(config: RuntimeConfig, pool_id: str, cap: CapacityReport) -> str:
    """`POOL on KIND (option=value, ...) STATUS: the engine's last error`."""
    pool = config.pool(pool_id)
    engine = "an engine no longer configured"
    if pool is not None:
        options = ", ".join(f"{k}={v}" for k, v in sorted(pool.backend.options.items()))
        engine = f"{pool.backend.kind} ({options})" if options else pool.backend.kind
    return f"{pool_id} on {engine} {cap.status.value}: {cap.reason or 'no reason given'}"
