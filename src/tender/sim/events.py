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


Parts = tuple[float, Kind, str, int]  # an event's fields (time, kind, subject, generation); `Event` is one
_ARRIVAL = Kind.ARRIVAL
_TICK_VALUE = int(Kind.TICK)
_COMPLETION_VALUE = int(Kind.COMPLETION)
_KINDS = tuple(Kind)  # by value: 0..4
assert all(int(kind) == i for i, kind in enumerate(_KINDS))


class EventHeap:
    """Events keyed (time, kind, sequence), plus one side slot for the next arrival.

    1. `push` stores an event as a tuple of plain values (time, kind as an int, sequence, subject,
       generation): no enum member and no `Event` inside, so the garbage collector stops tracking it
       and a completion waiting in the heap for a long job's whole run adds nothing to the full
       collections of a long replay; `pop` rebuilds the `Event` (`pop_parts`: just its fields).
    2. Arrivals come in time order, one pending at a time (the replay pulls the next when one is
       handled), and no other event has their kind, so the pending arrival need not enter the heap:
       `push_arrival` parks it in the slot and `pop` takes it when it comes first by (time, kind),
       the order the heap would give it (its sequence number could only break a tie with another
       arrival). This halves the heap traffic of a trace replay.
    """

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, int, str, int]] = []
        self._seq = 0
        self._arrival: Parts | None = None

    def push(self, event: Event) -> None:
        time, kind, subject, generation = event
        heapq.heappush(self._heap, (time, int(kind), self._seq, subject, generation))
        self._seq += 1

    def push_completion(self, time: float, job_id: str, generation: int) -> None:
        """`push(Event(time, Kind.COMPLETION, job_id, generation))` without building the `Event`."""
        heapq.heappush(self._heap, (time, _COMPLETION_VALUE, self._seq, job_id, generation))
        self._seq += 1

    def push_arrival(self, event: Parts) -> None:
        """Park the next arrival (the slot must be empty; its kind is `Kind.ARRIVAL`): an `Event`, or
        its fields as a plain tuple (what the replay passes, cheaper to build)."""
        assert self._arrival is None and event[1] is _ARRIVAL
        self._arrival = event

    def pop(self) -> Event:
        return Event(*self.pop_parts())

    def pop_parts(self) -> Parts:
        """`pop` as a plain tuple (time, kind, subject, generation), without building the `Event`
        (the replay loop's form: it only unpacks it)."""
        arrival, heap = self._arrival, self._heap
        if arrival is not None:
            if not heap:
                self._arrival = None
                return arrival
            top = heap[0]
            # Only TICK (4) sorts after ARRIVAL (3) at one time.
            if arrival[0] < top[0] or (arrival[0] == top[0] and top[1] == _TICK_VALUE):
                self._arrival = None
                return arrival
        time, kind, _, subject, generation = heapq.heappop(heap)
        return time, _KINDS[kind], subject, generation

    def peek_time(self) -> float | None:
        arrival, heap = self._arrival, self._heap
        if arrival is None:
            return heap[0][0] if heap else None
        return arrival[0] if not heap or arrival[0] < heap[0][0] else heap[0][0]

    def __len__(self) -> int:
        return len(self._heap) + (self._arrival is not None)


def next_boundary(now: float, length: float, last_tick: float | None) -> float:
    """The first round boundary (a multiple of `length`) at or after `now`, after `last_tick`."""
    tick = math.ceil(now / length) * length
    if last_tick is not None and tick <= last_tick:
        tick = last_tick + length
    return tick
