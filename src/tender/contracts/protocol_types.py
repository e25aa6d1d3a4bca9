"""Value types of the ROFR / first-ship protocol: commands, notices, awards, events and the state."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from tender.contracts.need import Need
from tender.contracts.rights import NoticeStatus, Right
from tender.domain import Scenario

# --- commands -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewNeed:
    """The lab needs capacity; every right in force whose scope covers it gets a notice."""

    need: Need


@dataclass(frozen=True)
class QuoteReceived:
    """A third party quoted `price` (USD per accelerator-hour) for `gpus` of the need."""

    need: str
    provider: str
    price: Decimal
    gpus: int


@dataclass(frozen=True)
class HolderResponse:
    """The holder answers its notice: decline, exercise all (`exercise_gpus=None`) or exercise part.
    `clause` says which right it answers under when the holder holds several (None = its first open
    notice for the need)."""

    need: str
    holder: str
    exercise_gpus: int | None = None
    decline: bool = False
    clause: str | None = None


@dataclass(frozen=True)
class Tick:
    """Time passes: deadlines and close windows that ended before `now` take effect."""


@dataclass(frozen=True)
class ThirdPartySigned:
    """The lab signs with a third party for `gpus` of the need at `price`."""

    need: str
    provider: str
    gpus: int
    price: Decimal


@dataclass(frozen=True)
class ThirdPartyFellThrough:
    """The deal (or quote) with a third party fell through; released capacity revives the right."""

    need: str
    provider: str


@dataclass(frozen=True)
class ClauseTerminated:
    """An amendment (named by `amendment`) ends clause `clause` now; its open notices are withdrawn."""

    clause: str
    amendment: str = ""


Command = (
    NewNeed
    | QuoteReceived
    | HolderResponse
    | Tick
    | ThirdPartySigned
    | ThirdPartyFellThrough
    | ClauseTerminated
)


# --- records --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Notice:
    """An offer to a right holder. `price` is the terms offered (best third-party quote under
    `match_best_offer`, the lab's own price under `accept_or_decline`)."""

    id: str
    need: str
    holder: str
    clause: str
    right: Right
    issued_at: datetime
    deadline: datetime
    gpus: int
    price: Decimal
    best_quote: Decimal | None = None
    best_quote_provider: str | None = None
    status: NoticeStatus = NoticeStatus.OPEN
    exercised_gpus: int = 0
    released_gpus: int = 0
    signed_gpus: int = 0  # released capacity signed with third parties so far
    resolved_at: datetime | None = None
    close_by: datetime | None = None  # released capacity must be signed by then
    window_closed: bool = False
    cause: str = "need"  # need | revival | reoffer

    @property
    def kind(self) -> str:
        return self.right.type.value

    @property
    def unsigned_gpus(self) -> int:
        return self.released_gpus - self.signed_gpus

    @property
    def window_open(self) -> bool:
        return self.close_by is not None and not self.window_closed


@dataclass(frozen=True)
class Award:
    """Capacity bought: from `provider`, for `need`, under `clause`/`notice` when a right governed it."""

    need: str
    provider: str
    gpus: int
    price: Decimal
    clause: str | None
    notice: str | None
    at: datetime


@dataclass(frozen=True)
class Quote:
    """A third party's quote for a need as the protocol records it: price, GPUs and when it came."""

    need: str
    provider: str
    price: Decimal
    gpus: int
    at: datetime


@dataclass(frozen=True)
class Rejection:
    """A refused command: `reason` is a `Reason` code, `clause` the clause that refused it (if any)."""

    at: datetime
    command: str
    need: str | None
    reason: str
    clause: str | None
    message: str


@dataclass(frozen=True)
class Event:
    """One transition. `clause` names the clause that caused it (None only when no clause is involved)."""

    at: datetime
    kind: str
    clause: str | None = None
    need: str | None = None
    notice: str | None = None
    data: tuple[tuple[str, str], ...] = ()

    def record(self) -> dict[str, object]:
        """A JSON-ready mapping (for the audit trail)."""
        return {
            "at": iso(self.at),
            "kind": self.kind,
            "clause": self.clause,
            "need": self.need,
            "notice": self.notice,
            "data": dict(self.data),
        }


@dataclass(frozen=True)
class RightWindow:
    """One version of a priority right, in force over [start, end) (end None = open)."""

    clause: Right
    start: datetime
    end: datetime | None

    def covers(self, at: datetime) -> bool:
        return self.start <= at and (self.end is None or at < self.end)

    def overlaps(self, start: datetime, end: datetime) -> bool:
        """Is the right in force at some instant of [start, end)?"""
        return self.start < end and (self.end is None or start < self.end)


@dataclass(frozen=True)
class RofrState:
    """Everything the protocol knows. Immutable: `step` returns a new one."""

    scenario: Scenario
    rights: tuple[RightWindow, ...]
    needs: Mapping[str, Need] = field(default_factory=dict)
    notices: tuple[Notice, ...] = ()
    quotes: tuple[Quote, ...] = ()
    awards: tuple[Award, ...] = ()
    rejected: tuple[Rejection, ...] = ()
    now: datetime | None = None

    def notices_for(self, need: str, clause: str | None = None) -> tuple[Notice, ...]:
        return tuple(n for n in self.notices if n.need == need and (clause is None or n.clause == clause))

    def latest_notice(self, need: str, clause: str) -> Notice | None:
        found = self.notices_for(need, clause)
        return found[-1] if found else None

    def right_at(self, clause: str, at: datetime) -> Right | None:
        for window in self.rights:
            if window.clause.id == clause and window.covers(at):
                return window.clause
        return None


def iso(at: datetime) -> str:
    """ISO-8601 UTC with a trailing Z, e.g. 2026-07-01T00:00:00Z."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def money_text(value: Decimal | None) -> str:
    return "" if value is None else format(value.normalize(), "f")
