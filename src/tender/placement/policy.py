"""Policy settings: which policy, backfill, rounds, preemption overhead, seed."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class PolicyName(StrEnum):
    FIFO = "fifo"  # first come first served, heterogeneity-agnostic (random free pool, seeded)
    FIFO_HET = "fifo_het"  # FIFO onto the fastest free accelerator type for the job
    LAS_HET = "las_het"  # Gavel's heterogeneity-aware max-min fairness LP, time-sliced in rounds
    COST_HET = "cost_het"  # cheapest cost per unit of work that still meets the job's deadline


POLICY_NAMES: tuple[str, ...] = tuple(p.value for p in PolicyName)


class UnknownPolicy(ValueError):
    pass


@dataclass(frozen=True)
class GavelCompat:
    """Reproduce Gavel commit 1f6f02e's scheduler (a validation harness, `--compat 1f6f02e`).

    Every policy then runs Gavel's round mechanism (`gavel_round.py`): an allocation (job x type
    time fractions) recomputed only when the job set changed and `reset_seconds` have passed since
    the last reset, then per-type priorities = allocation / share of the type's time since that reset,
    each job starting with `initial_credit` seconds. fifo keeps Gavel's type-choice bug (see
    `gavel_fifo.py`), fifo_het re-plans every job from scratch at each reset (free migration), and
    las_het weights its LP by gang size and solves it with an interior-point method.

    Rounds are Gavel's micro-tasks (`tender.sim.micro_tasks`): a job scheduled for a round
    runs `min(int(throughput x round), steps left)` steps and is credited the time they take; the
    round ends when its longest micro-task does.
    """

    reset_seconds: float = 1920.0  # Gavel's minimum_time_between_allocation_resets
    initial_credit: float = 180.0  # time_per_iteration / 2, credited to every job on every type
    fifo_seed: int = 0  # Gavel's FIFOPolicy seeds random.Random(seed)
    batch_rounds: bool = True  # let the caller skip rounds the core promises repeat the last one


@dataclass(frozen=True)
class Policy:
    name: PolicyName = PolicyName.FIFO
    backfill: bool = True  # later jobs may start when the head of the queue cannot
    round_seconds: float | None = None  # None: decide on every event; else only on round ticks
    restore_seconds: float = 0.0  # checkpoint/restore overhead paid by a preempted job on restart
    seed: int = 0  # seeds fifo's random pool choice (mixed with `now`)
    compat: GavelCompat | None = None  # None: Tender's own policies

    @property
    def preemptive(self) -> bool:
        """Whether running jobs are re-decided every round (and may be preempted)."""
        return self.name is PolicyName.LAS_HET or self.compat is not None

    @property
    def uses_rounds(self) -> bool:
        return self.round_seconds is not None or self.preemptive

    @property
    def round_length(self) -> float:
        return self.round_seconds if self.round_seconds is not None else 360.0


def parse_policy(name: str) -> PolicyName:
    try:
        return PolicyName(name)
    except ValueError:
        raise UnknownPolicy(f"unknown policy {name!r}; choose one of {', '.join(POLICY_NAMES)}") from None
