"""One clock family: every clock satisfies `tender.ports.Clock` with an aware datetime, and nothing in src/
reads the wall time except the real clock (`tender.clocks.SystemClock`).

The fence wrapper (`tender.fence.wrapper`) is the one exception, named here: it runs on the nodes in a
process of its own, imports only the standard library, and stamps its lease files with `time.time()`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tender.clocks import ManualClock, SystemClock
from tender.ports import Clock
from tender.sim.events import VirtualClock

SRC = Path(__file__).resolve().parents[3] / "src" / "tender"
WALL_TIME = re.compile(r"\bdatetime\.(now|utcnow|today)\(|\btime\.time\(\)|\bdate\.today\(")
ALLOWED = {SRC / "clocks.py", SRC / "fence" / "wrapper.py"}


def test_no_wall_time_outside_the_real_clock() -> None:
    found = [
        f"{path.relative_to(SRC.parent)}:{number}: {line.strip()}"
        for path in sorted(SRC.rglob("*.py"))
        if path not in ALLOWED
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if WALL_TIME.search(line)
    ]
    assert found == []


def test_the_scan_would_see_a_wall_clock_read() -> None:  # the pattern is not one that matches nothing
    for line in ("x = datetime.now(UTC)", "t = time.time()", "d = date.today()", "datetime.utcnow()"):
        assert WALL_TIME.search(line), line
    assert not WALL_TIME.search("t = time.monotonic()")


@pytest.mark.parametrize("clock", [SystemClock(), ManualClock(), VirtualClock(90.5)], ids=type)
def test_every_clock_is_a_port_clock_with_an_aware_utc_time(clock: Clock) -> None:
    assert isinstance(clock, Clock)
    now = clock.now()
    assert now.tzinfo is not None and now.utcoffset() == timedelta(0)


def test_virtual_clock_now_is_its_seconds_after_the_epoch() -> None:
    clock = VirtualClock(90.5)
    assert clock.now() == datetime(1970, 1, 1, 0, 1, 30, 500000, tzinfo=UTC)  # 90.5 s, by hand
    clock.advance(3690.5)  # to: the loop moves it to each event's time
    assert clock.seconds == 3690.5
    assert clock.now() == datetime(1970, 1, 1, 1, 1, 30, 500000, tzinfo=UTC)
    with pytest.raises(ValueError):
        clock.advance(90.5)  # never backwards


def test_manual_clock_moves_only_by_hand_in_seconds_or_timedeltas() -> None:
    clock = ManualClock(datetime(2025, 3, 31, 23, 58, tzinfo=UTC))
    assert clock.now() == clock.now() == datetime(2025, 3, 31, 23, 58, tzinfo=UTC)
    assert clock.advance(90) == datetime(2025, 3, 31, 23, 59, 30, tzinfo=UTC)
    assert clock.advance(timedelta(seconds=30)) == datetime(2025, 4, 1, tzinfo=UTC)
    clock.set(datetime(2026, 1, 1, tzinfo=UTC))
    assert clock.now() == datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.raises(ValueError):
        ManualClock(datetime(2025, 1, 1))  # a naive start is refused
