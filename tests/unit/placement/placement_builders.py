"""Small builders for placement tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from tender.placement import ClusterState, JobRequest, PolicyName, Pool, RunningJob


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


class MakePool:
    """`MakePool("a-v100").gpu("v100").count(4).price("3.00").obj()` (Kueue's wrapper style)."""

    def __init__(self, pid: str) -> None:
        self._pool = Pool(
            id=pid, provider="p", region="r", gpu="v100", count=8, price_per_gpu_hour=Decimal("1.00")
        )

    def gpu(self, gpu: str) -> MakePool:
        self._pool = replace(self._pool, gpu=gpu)
        return self

    def count(self, count: int) -> MakePool:
        self._pool = replace(self._pool, count=count)
        return self

    def price(self, usd_per_gpu_hour: str) -> MakePool:
        self._pool = replace(self._pool, price_per_gpu_hour=Decimal(usd_per_gpu_hour))
        return self

    def provider(self, provider: str) -> MakePool:
        self._pool = replace(self._pool, provider=provider)
        return self

    def region(self, region: str) -> MakePool:
        self._pool = replace(self._pool, region=region)
        return self

    def obj(self) -> Pool:
        return self._pool


class MakeJob:
    """`MakeJob("j1").gpus(2).arrival(1).throughput(FAST_ON_V100).obj()`: a 1-GPU job of 100 units
    arriving at 0 unless told otherwise."""

    def __init__(self, jid: str) -> None:
        self._job = JobRequest(id=jid, gpus=1, arrival=0.0, work=100.0)

    def gpus(self, gpus: int) -> MakeJob:
        self._job = replace(self._job, gpus=gpus)
        return self

    def arrival(self, arrival: float) -> MakeJob:
        self._job = replace(self._job, arrival=arrival)
        return self

    def work(self, work: float) -> MakeJob:
        self._job = replace(self._job, work=work)
        return self

    def throughput(self, throughput: Mapping[str, float]) -> MakeJob:
        self._job = replace(self._job, throughput=throughput)
        return self

    def deadline(self, deadline: float) -> MakeJob:
        self._job = replace(self._job, deadline=deadline)
        return self

    def obj(self) -> JobRequest:
        return self._job


@dataclass(frozen=True)
class PolicyCase:
    """One round of one policy: pools, queued jobs, free GPUs per pool (None = all), and the
    placements expected ({job: pool}; every other queued job must be refused)."""

    name: str
    policy: PolicyName
    pools: tuple[Pool, ...]
    queued: tuple[JobRequest, ...]
    free: dict[str, int] | None
    expected: dict[str, str]


class MakeCase:
    """`MakeCase("...").policy(FIFO).pools(V100).queued(...).free({"a-v100": 2}).expect({...}).obj()`."""

    def __init__(self, name: str) -> None:
        self._case = PolicyCase(name, PolicyName.FIFO, (), (), None, {})

    def policy(self, policy: PolicyName) -> MakeCase:
        self._case = replace(self._case, policy=policy)
        return self

    def pools(self, *pools: Pool) -> MakeCase:
        self._case = replace(self._case, pools=pools)
        return self

    def queued(self, *jobs: JobRequest | MakeJob) -> MakeCase:
        built = tuple(j.obj() if isinstance(j, MakeJob) else j for j in jobs)
        self._case = replace(self._case, queued=built)
        return self

    def free(self, free: dict[str, int]) -> MakeCase:
        self._case = replace(self._case, free=free)
        return self

    def expect(self, placements: dict[str, str]) -> MakeCase:
        self._case = replace(self._case, expected=placements)
        return self

    def obj(self) -> PolicyCase:
        return self._case
