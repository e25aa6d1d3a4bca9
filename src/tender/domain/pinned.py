"""Facts a re-plan may not change: runs in progress, capacity still held, notices already answered.

`tender plan --actuals --as-of M` reads them (docs/ledger.md, "Re-plan: what is pinned") and passes
them inside `FixedMonths`; `domain.rebase` turns them into the re-based scenario:

1. `PinnedRun`: a training run that started before `as_of` and has not ended: it keeps its site
   (provider, accelerator, region) and its start; from `as_of` it needs its GPUs there until its
   last month (`end`), neither moved nor restarted;
2. `HeldCapacity`: GPUs the lab held in month `as_of - 1` at a provider it cannot release them from
   sooner than its `lead_time_months`: they stay held and billed (at the contract rate, whether used)
   through `until`;
3. `AnsweredNotice`: a ROFR notice the holder answered before `as_of` (exercised GPUs, or declined):
   the re-plan takes that answer as given for the demand and holder; it does not ask again.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PinnedRun:
    """Step 1: a run in progress, kept at its site from `start` through `end`."""

    run: str
    provider: str
    gpu: str
    region: str
    start: int  # the month it started (< as_of)
    end: int  # its last month (start + duration - 1 >= as_of)

    @property
    def site(self) -> tuple[str, str, str]:
        return (self.provider, self.gpu, self.region)


@dataclass(frozen=True)
class HeldCapacity:
    """Step 2: GPUs still held (and billed) at a provider through `until`."""

    provider: str
    gpu: str
    region: str
    gpus: int
    until: int  # last month held (inclusive, >= as_of)

    @property
    def clause_id(self) -> str:
        """The reservation the re-based scenario bills it as."""
        return f"held:{self.provider}/{self.gpu}/{self.region}"


@dataclass(frozen=True)
class AnsweredNotice:
    """Step 3: a holder's answer given before `as_of`, taken as given by the re-plan."""

    notice: str  # the notice id where it was answered (the server's notices table)
    demand: str  # the workload the need was for
    holder: str
    exercised_gpus: int  # 0: declined (or deemed declined)
    decided_at: str  # ISO 8601 UTC

    @property
    def declined(self) -> bool:
        return self.exercised_gpus <= 0
