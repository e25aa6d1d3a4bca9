"""Value types of the online scheduler: pools, jobs, the cluster snapshot and a round's proposal.

Times are seconds on whatever clock the caller drives (virtual in `tender.sim`, wall time in
`tender.runtime`); nothing here reads a clock. Money is `Decimal`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum


class Reason(StrEnum):
    """Why a job was not placed on a pool (or anywhere)."""

    GPU_TYPE = "gpu_type"  # the job cannot run on this accelerator type
    GANG = "gang"  # the gang is larger than the pool: all-or-nothing on one pool cannot hold
    RESIDENCY = "residency"  # the pool's region is not allowed for this workload
    EXCLUSIVITY = "exclusivity"  # the workload is bound to another provider (plain-data ContractRules)
    # Contract-engine codes (`tender.contracts.Reason`), carried through as they are; within a replay
    # no contract changes, so each of these is static.
    EXCLUSIVE_TO_OTHER = "exclusive_to_other"  # a workload_exclusivity clause names another provider
    REGION = "region"  # the provider does not operate in the pool's region
    UNKNOWN_PROVIDER = "unknown_provider"  # the scenario has no such provider
    ROFR_PENDING = "rofr_pending"  # a right of first refusal's holder must be offered this first
    ROFR_EXERCISED_BY_HOLDER = "rofr_exercised_by_holder"
    FIRST_SHIP_PENDING = "first_ship_pending"
    FIRST_SHIP_EXERCISED_BY_HOLDER = "first_ship_exercised_by_holder"
    OUTAGE = "outage"  # the pool is down right now
    # The pool's engine does not answer (the live runtime names the engine and its last error).
    ENGINE_UNREACHABLE = "engine_unreachable"
    CAPACITY = "capacity"  # not enough free GPUs right now
    DEADLINE = "deadline"  # cannot finish before the job's deadline here
    ORDER = "order"  # waits behind an earlier job (strict FIFO, no backfill)
    FAIR_SHARE = "fair_share"  # las_het gave this round's share to other jobs
    NO_POOL_FITS = "no_pool_fits"  # statically infeasible everywhere, for mixed reasons


#: Reasons that can never change while the pool set stays the same: such a job is rejected.
STATIC_REASONS = frozenset(
    {
        Reason.GPU_TYPE,
        Reason.GANG,
        Reason.RESIDENCY,
        Reason.EXCLUSIVITY,
        Reason.NO_POOL_FITS,
        Reason.EXCLUSIVE_TO_OTHER,
        Reason.REGION,
        Reason.UNKNOWN_PROVIDER,
        Reason.ROFR_PENDING,
        Reason.ROFR_EXERCISED_BY_HOLDER,
        Reason.FIRST_SHIP_PENDING,
        Reason.FIRST_SHIP_EXERCISED_BY_HOLDER,
    }
)


@dataclass(frozen=True)
class Verdict:
    """Yes, or no with a reason code, a human detail and (for contract verdicts) the clause id."""

    ok: bool
    reason: Reason | None = None
    detail: str = ""
    clause: str | None = None
    # True when the job waits for capacity on a pool it may use, and `reason` says what bars it
    # from a pool that has room right now (e.g. `exclusive_to_other`): not a rejection.
    waiting: bool = False

    @property
    def never(self) -> bool:
        """True when the "no" cannot change without new pools or contracts."""
        return not self.ok and not self.waiting and self.reason in STATIC_REASONS


OK = Verdict(True)


def no(reason: Reason, detail: str = "", clause: str | None = None) -> Verdict:
    return Verdict(False, reason, detail, clause)


@dataclass(frozen=True)
class Pool:
    """Held capacity: `count` GPUs of one type at one provider and region."""

    id: str
    provider: str
    region: str
    gpu: str
    count: int
    price_per_gpu_hour: Decimal
    node_size: int = 8
    preemptible: bool = False
    backend: str | None = None
    speed: float = 1.0  # work per second per gang for jobs that give no per-type throughput


@dataclass(frozen=True)
class JobRequest:
    """A gang job: `gpus` GPUs on one pool, all or nothing.

    `work` is in the job's own units (steps, or seconds on the reference accelerator);
    `throughput[gpu_type]` is units per second for the whole gang on that type. An empty
    `throughput` means "runs anywhere at the pool's `speed`". Empty `gpu_types` / `regions`
    mean "any".
    """

    id: str
    gpus: int
    arrival: float
    work: float
    throughput: Mapping[str, float] = field(default_factory=dict)
    gpu_types: frozenset[str] = frozenset()
    workload_class: str = "training"
    workload: str = ""
    regions: frozenset[str] = frozenset()
    deadline: float | None = None
    weight: float = 1.0

    def rate_on(self, pool: Pool) -> float:
        """Work units per second this job makes on `pool` (0 = cannot run there)."""
        if not self.throughput:
            return pool.speed
        return self.throughput.get(pool.gpu, 0.0)


# Value types built once per decision in a replay (`RunningJob`, `Placement`, `Preemption`,
# `RoundResult`; `commit.Committed` too) stay frozen dataclasses (equality, hash, repr, `dataclasses.replace`,
# `FrozenInstanceError` on assignment) but define `__init__` by hand: the generated one of a frozen
# class calls `object.__setattr__` once per field, about three times the cost of writing the
# instance dict. Same parameters, order and defaults as the fields
# (tests/unit/placement/test_value_types.py checks each against `dataclasses.fields`).


@dataclass(frozen=True)
class RunningJob:
    job_id: str
    pool_id: str
    gpus: int
    since: float

    def __init__(self, job_id: str, pool_id: str, gpus: int, since: float) -> None:
        d = self.__dict__
        d["job_id"], d["pool_id"], d["gpus"], d["since"] = job_id, pool_id, gpus, since


@dataclass(frozen=True)
class GavelState:
    """What Gavel's scheduler remembers between rounds (compat mode), carried in `Allocation.gavel`.
    Time "since the reset" is the caller's `GavelClock`."""

    reset_at: float  # Gavel's _last_reset_time (0 until the first reset after time 0)
    credited_jobs: int  # jobs present at the reset: each put `initial_credit` on every type
    deficits: Mapping[str, Mapping[str, float]]  # per type per job (a tie-breaker of the ranking)
    fifo: tuple[tuple[float, str, str], ...] = ()  # Gavel fifo's persistent (arrival, job, type) choices
    rng_state: object = None  # Gavel fifo's random.Random state
    # Each job's rate per type at the reset (every pool up), reused by later rounds and resets.
    rates: Mapping[str, Mapping[str, float]] = field(default_factory=dict)


@dataclass(frozen=True)
class GavelClock:
    """Gavel's time counters since the last allocation reset, kept by the caller round by round
    (compat mode with integer steps), so that priorities and deficits use Gavel's own floats:
    `job_time[job][type]` is `_job_time_so_far` (the initial credit, plus each micro-task's
    execution time on the type, added in order) and `type_time[type]` is `_worker_time_so_far`."""

    job_time: Mapping[str, Mapping[str, float]]
    type_time: Mapping[str, float]
    # A micro-task failed since the last reset: Gavel's _need_to_update_allocation, raised by
    # arrivals and departures too (those the job set shows).
    update_asked: bool = False


@dataclass(frozen=True)
class Allocation:
    """las_het's LP answer: time fractions per (job, accelerator type), valid for a job set."""

    job_ids: frozenset[str]
    capacity: tuple[tuple[str, int], ...]  # (gpu type, GPUs up) the LP was solved for
    fractions: Mapping[str, Mapping[str, float]]
    solve_seconds: float = 0.0  # measured by the caller if it wants; the core leaves it at 0
    gavel: GavelState | None = None  # compat mode only


@dataclass(frozen=True)
class ClusterState:
    """A snapshot the scheduler reads and never mutates.

    `queued` must be in queue order (arrival, then id). `free` is free GPUs per pool id;
    `attained` is seconds of service per job per accelerator type (for las_het).
    """

    pools: Sequence[Pool]
    free: Mapping[str, int]
    queued: Collection[JobRequest]
    running: Mapping[str, RunningJob] = field(default_factory=dict)
    jobs: Mapping[str, JobRequest] = field(default_factory=dict)  # every active job, by id
    remaining: Mapping[str, float] = field(default_factory=dict)  # work left, by job id
    down: frozenset[str] = frozenset()
    attained: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    allocation: Allocation | None = None  # the previous round's LP answer, reused if still valid
    # Optional cache of each active job's statically feasible pools (in `pools` order), as
    # `checkers.feasible_pools` would compute them; the caller fills it once per job (at admission)
    # so a round does not re-run the static chain for every job. Missing jobs are computed.
    static: Mapping[str, tuple[Pool, ...]] = field(default_factory=dict)
    # Pools that draw on one engine (a Slurm partition, a Ray cluster, one machine): pool id -> engine id,
    # and each engine's free GPUs now (like `free`, after what runs). A pool has room only if its engine
    # has too, and a round never places more on an engine than it has free (`tender.placement.room`).
    # Pools absent from `engine_of` are limited by `free` alone.
    engine_of: Mapping[str, str] = field(default_factory=dict)
    engine_free: Mapping[str, int] = field(default_factory=dict)
    # Compat mode: seconds each accelerator type has served jobs so far, summed over jobs (a gang
    # counts once), including jobs that have finished; Gavel's per-type "worker time".
    type_service: Mapping[str, float] = field(default_factory=dict)
    # Compat mode with integer steps: Gavel's counters since the last reset (None: derived from
    # `attained` and `type_service` minus their snapshot at the reset).
    gavel_clock: GavelClock | None = None


@dataclass(frozen=True)
class Placement:
    job_id: str
    pool_id: str
    gpus: int

    def __init__(self, job_id: str, pool_id: str, gpus: int) -> None:
        d = self.__dict__
        d["job_id"], d["pool_id"], d["gpus"] = job_id, pool_id, gpus


@dataclass(frozen=True)
class Preemption:
    job_id: str
    pool_id: str
    reason: Reason

    def __init__(self, job_id: str, pool_id: str, reason: Reason) -> None:
        d = self.__dict__
        d["job_id"], d["pool_id"], d["reason"] = job_id, pool_id, reason


NO_ROOM = Verdict(False, Reason.CAPACITY, "no pool has enough free GPUs")  # `RoundResult.others`' default


@dataclass(frozen=True)
class RoundResult:
    """A proposal: the caller commits it against fresh state (or not)."""

    placements: tuple[Placement, ...]
    preemptions: tuple[Preemption, ...]
    verdicts: Mapping[str, Verdict]  # the jobs the cycle examined and did not place, by id
    allocation: Allocation | None = None
    # The verdict of every queued job the cycle did not need to examine (the cluster was full).
    others: Verdict = NO_ROOM
    # Compat mode: while the job set stays the same, every round before this time proposes nothing
    # new (the caller may skip those rounds); None = no such promise.
    stable_until: float | None = None

    def __init__(
        self,
        placements: tuple[Placement, ...],
        preemptions: tuple[Preemption, ...],
        verdicts: Mapping[str, Verdict],
        allocation: Allocation | None = None,
        others: Verdict = NO_ROOM,
        stable_until: float | None = None,
    ) -> None:
        d = self.__dict__
        d["placements"], d["preemptions"], d["verdicts"] = placements, preemptions, verdicts
        d["allocation"], d["others"], d["stable_until"] = allocation, others, stable_until

    def verdict(self, job_id: str) -> Verdict:
        """Why an unplaced job waits (`others` if the cycle stopped before reaching it)."""
        return self.verdicts.get(job_id, self.others)

    def rejected(self) -> tuple[str, ...]:
        """Jobs that can never run on these pools (sorted)."""
        return tuple(sorted(job_id for job_id, v in self.verdicts.items() if v.never))
