"""Small builders for placement tests."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from tender.placement import ClusterState, JobRequest, Pool, RunningJob


def pool(pid: str, gpu: str = "v100", count: int = 8, price: str = "1.00", **kw: object) -> Pool:
    return Pool(
        id=pid,
        provider=str(kw.get("provider", "p")),
        region=str(kw.get("region", "r")),
        gpu=gpu,
        count=count,
        price_per_gpu_hour=Decimal(price),
    )


def job(jid: str, gpus: int = 1, arrival: float = 0.0, work: float = 100.0, **kw: object) -> JobRequest:
    return JobRequest(id=jid, gpus=gpus, arrival=arrival, work=work, **kw)  # type: ignore[arg-type]


def state(
    pools: Sequence[Pool],
    queued: Sequence[JobRequest],
    free: dict[str, int] | None = None,
    running: Sequence[RunningJob] = (),
    down: frozenset[str] = frozenset(),
    attained: dict[str, dict[str, float]] | None = None,
    extra_jobs: Sequence[JobRequest] = (),
) -> ClusterState:
    jobs = {j.id: j for j in (*queued, *extra_jobs)}
    return ClusterState(
        pools=tuple(pools),
        free=free if free is not None else {p.id: p.count for p in pools},
        queued=tuple(queued),
        running={r.job_id: r for r in running},
        jobs=jobs,
        down=down,
        attained=attained or {},
    )
