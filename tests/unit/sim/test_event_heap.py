"""`EventHeap` with its arrival slot pops events in the order of a plain heap of every event.

Independent check: the reference is `heapq` over (time, kind, insertion number, event) with the
arrivals pushed like any other event (the heap as it was before the slot). Hypothesis draws the
interleaving of pushes (`push`, `push_completion`), pops (`pop`, `pop_parts`) and the arrival stream (the next arrival is parked when the previous
one is popped, as the replay does), with times from a small set so that ties of time, and of time
and kind, are common; after every step both sides agree on what `pop`, `peek_time` and `len` say.
"""

from __future__ import annotations

import gc
import heapq

from hypothesis import given, settings
from hypothesis import strategies as st

from tender.sim.events import Event, EventHeap, Kind

OTHER_KINDS = [Kind.COMPLETION, Kind.FAULT_END, Kind.FAULT_START, Kind.TICK]
times = st.sampled_from([0.0, 1.0, 1.5, 2.0, 3.0])
ops = st.lists(
    st.one_of(
        st.tuples(st.just("push"), times, st.sampled_from(OTHER_KINDS), st.integers(0, 3)),
        st.tuples(st.just("push_completion"), times, st.integers(0, 3)),
        st.tuples(st.just("pop")),
    ),
    max_size=60,
)


class Reference:
    def __init__(self) -> None:
        self.heap: list[tuple[float, int, int, Event]] = []
        self.seq = 0

    def push(self, event: Event) -> None:
        heapq.heappush(self.heap, (event.time, int(event.kind), self.seq, event))
        self.seq += 1

    def pop(self) -> Event:
        return heapq.heappop(self.heap)[3]

    def peek_time(self) -> float | None:
        return self.heap[0][0] if self.heap else None


@settings(max_examples=300, deadline=None)
@given(steps=ops, arrivals=st.lists(times, max_size=15))
def test_pops_in_the_plain_heaps_order(steps: list[tuple[object, ...]], arrivals: list[float]) -> None:
    fast, plain = EventHeap(), Reference()
    stream = iter(Event(t, Kind.ARRIVAL, f"a{i}") for i, t in enumerate(arrivals))

    def next_arrival() -> None:
        event = next(stream, None)
        if event is not None:
            fast.push_arrival(event if int(event.subject[1:]) % 2 else tuple(event))  # type: ignore[arg-type]
            plain.push(event)

    next_arrival()
    for k, step in enumerate([*steps, *[("pop",)] * 80]):
        assert len(fast) == len(plain.heap) and fast.peek_time() == plain.peek_time()
        if step[0] == "push":
            _, time, kind, generation = step
            event = Event(time, kind, f"e{k}", generation)  # type: ignore[arg-type]
            fast.push(event)
            plain.push(event)
        elif step[0] == "push_completion":
            _, time, generation = step
            fast.push_completion(time, f"e{k}", generation)  # type: ignore[arg-type]
            plain.push(Event(time, Kind.COMPLETION, f"e{k}", generation))  # type: ignore[arg-type]
        elif plain.heap:
            got = fast.pop() if k % 2 else Event(*fast.pop_parts())  # both forms
            want = plain.pop()
            assert got == want and got.kind is want.kind
            if got.kind is Kind.ARRIVAL:
                next_arrival()
    assert len(fast) == 0


def test_entries_are_plain_tuples_the_collector_untracks() -> None:
    heap = EventHeap()
    heap.push(Event(5.0, Kind.COMPLETION, "job", 3))
    gc.collect()
    assert not gc.is_tracked(heap._heap[0])  # a completion waiting in the heap costs full collections nothing
    assert heap.pop() == Event(5.0, Kind.COMPLETION, "job", 3)
