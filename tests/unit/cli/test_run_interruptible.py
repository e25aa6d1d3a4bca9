"""`run_interruptible(work, meanwhile=...)`: the main thread's work overlaps the worker's solve.

`tender plan` imports its renderers in `meanwhile` while HiGHS solves; these tests hold the contract
that makes that safe: `meanwhile` runs once, in the main thread, after the worker first asks `stop()`
and while the worker is still running, and neither the result nor an error of `work` is lost.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from tender.cli.output import run_interruptible


def test_meanwhile_runs_in_the_main_thread_while_the_worker_waits_after_its_first_stop() -> None:
    ran: list[str] = []
    released = threading.Event()

    def meanwhile() -> None:
        ran.append(threading.current_thread().name)
        released.set()

    def work(stop: Callable[[], bool]) -> bool:
        assert not stop()
        assert not ran, "meanwhile ran before the worker asked stop()"
        return released.wait(10)  # True only if meanwhile ran while this worker was still running

    assert run_interruptible(work, meanwhile=meanwhile) is True
    assert ran == [threading.main_thread().name]


def test_meanwhile_runs_once_when_the_worker_never_asks_stop() -> None:
    calls: list[int] = []
    assert run_interruptible(lambda stop: 42, meanwhile=lambda: calls.append(1)) == 42
    assert calls == [1]


def test_an_error_of_the_work_reaches_the_caller_after_meanwhile() -> None:
    calls: list[int] = []

    def work(stop: Callable[[], bool]) -> None:
        stop()
        raise ValueError("no feasible plan")

    with pytest.raises(ValueError, match="no feasible plan"):
        run_interruptible(work, meanwhile=lambda: calls.append(1))
    assert calls == [1]
