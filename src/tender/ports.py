"""Protocols the core and the drivers need from the outside world, and the plain values they exchange.

- `Clock`: where "now" comes from, an aware UTC datetime (`tender.clocks.SystemClock` live,
  `tender.clocks.ManualClock` in tests, `tender.sim.events.VirtualClock` in simulation).
- `Backend`: an execution engine (Slurm, Ray, local processes, a fake) that runs one attempt of a job.

Adapters live in `tender.backends`; nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol, runtime_checkable


@runtime_checkable
class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""
        ...


class RunState(StrEnum):
    """What an engine says about one submitted attempt."""

    QUEUED = "queued"  # accepted, waiting for resources inside the engine
    RUNNING = "running"
    SUCCEEDED = "succeeded"  # exit code 0
    FAILED = "failed"  # the job's own failure (non-zero exit): not retried elsewhere
    CANCELLED = "cancelled"  # cancelled by us (or an operator)
    LOST = "lost"  # the engine lost it (node down, daemon killed, preempted): an infrastructure failure
    UNKNOWN = "unknown"  # the engine does not know this handle (yet, or any more)

    @property
    def final(self) -> bool:
        return self in FINAL_RUN_STATES


FINAL_RUN_STATES = frozenset({RunState.SUCCEEDED, RunState.FAILED, RunState.CANCELLED, RunState.LOST})


@dataclass(frozen=True)
class RunRequest:
    """One attempt of one job, as an engine should run it.

    `key` is unique per attempt (`tender-<job>-<attempt>`) and is given to the engine as the job's
    name / submission id, so a restarted runtime can find an attempt it submitted but did not record.
    """

    key: str
    job_id: str
    attempt: int
    command: str
    gpus: int
    gpu_type: str | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    workdir: str | None = None


@dataclass(frozen=True)
class RunStatus:
    handle: str
    state: RunState
    exit_code: int | None = None
    reason: str = ""  # the engine's own words for a failure or a wait
    started_at: datetime | None = None  # as the engine accounted it
    ended_at: datetime | None = None
    gpus: int | None = None  # GPUs the engine allocated, when it says
    node: str | None = None  # where it runs, when the engine says (Slurm NodeList)

    @property
    def elapsed_seconds(self) -> float | None:
        if self.started_at is None or self.ended_at is None:
            return None
        return max(0.0, (self.ended_at - self.started_at).total_seconds())


class Reachability(StrEnum):
    OK = "ok"
    DEGRADED = "degraded"  # the engine answers but cannot run work now (node down, drained)
    UNREACHABLE = "unreachable"  # the engine does not answer


@dataclass(frozen=True)
class CapacityReport:
    status: Reachability
    total_gpus: int = 0
    free_gpus: int = 0
    reason: str = ""

    @property
    def usable(self) -> bool:
        return self.status is Reachability.OK


class SubmitRefused(Exception):
    """The engine refused an attempt. `infrastructure=True` when it is the engine's fault (retry elsewhere)."""

    def __init__(self, reason: str, *, infrastructure: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.infrastructure = infrastructure


class EngineUnreachable(Exception):
    """The engine did not answer (controller down, wrong address, timeout); the message says how."""


class Backend(Protocol):
    """An execution engine.

    `capacity` never raises: an unreachable engine is a report with status `unreachable` and the reason.
    `submit` raises `SubmitRefused`; `find`, `status`, `cancel` and `logs` raise `EngineUnreachable` when
    the engine does not answer. `status` returns UNKNOWN for handles the engine does not know.
    """

    kind: str

    def submit(self, request: RunRequest) -> str:
        """Start the attempt; returns the engine's handle (job id, submission id, ...)."""
        ...

    def find(self, key: str) -> str | None:
        """The handle of an attempt submitted under `key`, if the engine has it."""
        ...

    def status(self, handles: Sequence[str]) -> Mapping[str, RunStatus]: ...

    def cancel(self, handle: str) -> None: ...

    def logs(self, handle: str) -> str: ...

    def capacity(self) -> CapacityReport: ...
