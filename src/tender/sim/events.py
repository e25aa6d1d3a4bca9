"""The event heap, keyed (time, priority, sequence), and the virtual clock it drives.

The simulator counts time in float seconds (`VirtualClock.seconds`); the clock also satisfies
`tender.ports.Clock` (`now()`: the same instant as an aware UTC datetime, seconds since the epoch).

At equal times events run in priority order (completions free GPUs before faults take pools
down, before arrivals queue, before the round tick decides); `seq` keeps insertion order
otherwise, so the order never depends on payload comparison.
"""

from __future__ import annotations

import heapq
import math
from datetime import UTC, datetime
from enum import IntEnum
from typing import NamedTuple


class Kind(IntEnum):
    COMPLETION = 0
    FAULT_END = 1
    FAULT_START = 2
    ARRIVAL = 3
    TICK = 4


class Event(NamedTuple):
    """Immutable; a named tuple because a replay makes one per arrival, start and tick (the
    cheapest immutable record to build). The heap orders by its own key, never by comparing events."""

    time: float
    kind: Kind
    subject: str = ""  # job id or pool id
    generation: int = 0  # a completion is stale once its job was preempted (generation moved on)


class VirtualClock:
    """Simulated seconds; only the event loop advances it."""

    def __init__(self, start: float = 0.0) -> None:
        self._now = start

    @property
    def seconds(self) -> float:
        """The simulated time in seconds (what the replay loop and the scheduler use)."""
        return self._now

    def now(self) -> datetime:
        """`tender.ports.Clock`: the simulated time as an aware datetime (`seconds` after the epoch)."""
        return datetime.fromtimestamp(self._now, UTC)

    def advance(self, to: float) -> None:
        if to < self._now:
            raise ValueError(f"time cannot go backwards ({to} < {self._now})")
        self._now = to


class EventHeap:
    def __init__(self) -> None:
        self._heap: list[tuple[float, int, int, Event]] = []
        self._seq = 0

    def push(self, event: Event) -> None:
        heapq.heappush(self._heap, (event[0], event[1], self._seq, event))  # IntEnum orders as int
        self._seq += 1

    def pop(self) -> Event:
        return heapq.heappop(self._heap)[3]

    def peek_time(self) -> float | None:
        return self._heap[0][0] if self._heap else None

    def __len__(self) -> int:
        return len(self._heap)


def next_boundary(now: float, length: float, last_tick: float | None) -> float:
    """The first round boundary (a multiple of `length`) at or after `now`, after `last_tick`."""
    tick = math.ceil(now / length) * length
    if last_tick is not None and tick <= last_tick:
        tick = last_tick + length
    return tick
