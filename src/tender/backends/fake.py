"""An in-memory backend for unit tests, driven by a Clock: no processes, no sleeps.

Attempts run for `durations[job_id]` seconds (default `default_seconds`) after submission, measured on
the clock, then succeed (or exit with `exit_codes[job_id]`). Tests can also `lose` an attempt, refuse
submissions (`refuse`), or take the engine away (`reachable = False`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tender.ports import (
    CapacityReport,
    Clock,
    EngineUnreachable,
    Reachability,
    RunRequest,
    RunState,
    RunStatus,
    SubmitRefused,
)


@dataclass
class _Run:
    request: RunRequest
    submitted: datetime
    seconds: float
    exit_code: int
    forced: RunState | None = None
    forced_at: datetime | None = None
    reason: str = ""


@dataclass
class FakeBackend:
    clock: Clock
    gpus: int = 4
    default_seconds: float = 60.0
    durations: dict[str, float] = field(default_factory=dict)
    exit_codes: dict[str, int] = field(default_factory=dict)
    reachable: bool = True
    refuse: str | None = None  # a reason: every submit is refused with it
    degraded: str | None = None  # a reason: the engine answers but cannot run work (node down)
    kind: str = "fake"
    runs: dict[str, _Run] = field(default_factory=dict)
    submitted: list[str] = field(default_factory=list)  # keys, in order

    def _check(self) -> None:
        if not self.reachable:
            raise EngineUnreachable("fake: engine switched off")

    def submit(self, request: RunRequest) -> str:
        if not self.reachable:
            raise SubmitRefused("fake: engine switched off")
        if self.refuse:
            raise SubmitRefused(self.refuse)
        if request.key in self.runs:
            raise SubmitRefused(f"fake: {request.key} exists already", infrastructure=False)
        self.runs[request.key] = _Run(
            request,
            self.clock.now(),
            self.durations.get(request.job_id, self.default_seconds),
            self.exit_codes.get(request.job_id, 0),
        )
        self.submitted.append(request.key)
        return request.key

    def find(self, key: str) -> str | None:
        self._check()
        return key if key in self.runs else None

    def lose(self, handle: str, reason: str = "node down") -> None:
        run = self.runs[handle]
        run.forced, run.forced_at, run.reason = RunState.LOST, self.clock.now(), reason

    def _one(self, handle: str) -> RunStatus:
        run = self.runs.get(handle)
        if run is None:
            return RunStatus(handle, RunState.UNKNOWN)
        gpus = run.request.gpus
        if run.forced is not None:
            return RunStatus(
                handle,
                run.forced,
                reason=run.reason,
                started_at=run.submitted,
                ended_at=run.forced_at,
                gpus=gpus,
            )
        end = run.submitted + timedelta(seconds=run.seconds)
        if self.clock.now() < end:
            return RunStatus(handle, RunState.RUNNING, started_at=run.submitted, gpus=gpus)
        state = RunState.SUCCEEDED if run.exit_code == 0 else RunState.FAILED
        return RunStatus(
            handle, state, exit_code=run.exit_code, started_at=run.submitted, ended_at=end, gpus=gpus
        )

    def status(self, handles: Sequence[str]) -> Mapping[str, RunStatus]:
        self._check()
        return {handle: self._one(handle) for handle in handles}

    def cancel(self, handle: str) -> None:
        self._check()
        run = self.runs.get(handle)
        if run is not None and not self._one(handle).state.final:
            run.forced, run.forced_at = RunState.CANCELLED, self.clock.now()

    def logs(self, handle: str) -> str:
        self._check()
        return f"fake log of {handle}\n" if handle in self.runs else ""

    def capacity(self) -> CapacityReport:
        if not self.reachable:
            return CapacityReport(Reachability.UNREACHABLE, reason="fake: engine switched off")
        if self.degraded:
            return CapacityReport(Reachability.DEGRADED, reason=self.degraded)
        used = sum(r.request.gpus for h, r in self.runs.items() if self._one(h).state is RunState.RUNNING)
        return CapacityReport(Reachability.OK, total_gpus=self.gpus, free_gpus=max(0, self.gpus - used))
