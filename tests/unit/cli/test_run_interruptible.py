"""`output.run_interruptible(work, meanwhile=...)`: the main thread's `meanwhile()` runs while the
worker works, its failure never leaves the worker running, and a Ctrl-C in it stops the worker."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from tender.cli.output import run_interruptible


def test_meanwhile_runs_while_the_worker_works() -> None:
    """The worker waits for an event only `meanwhile` sets: run one after the other, it would time out."""
    started = threading.Event()
    both = threading.Event()

    def work(stop: Callable[[], bool]) -> bool:
        started.set()
        return both.wait(5.0)

    def meanwhile() -> None:
        assert started.wait(5.0)
        both.set()

    assert run_interruptible(work, meanwhile=meanwhile) is True


def test_an_error_in_meanwhile_is_raised_after_the_worker_is_done() -> None:
    finished: list[bool] = []

    def work(stop: Callable[[], bool]) -> int:
        time.sleep(0.2)
        finished.append(True)
        return 1

    def meanwhile() -> None:
        raise ImportError("no such renderer")

    with pytest.raises(ImportError, match="no such renderer"):
        run_interruptible(work, meanwhile=meanwhile)
    assert finished == [True]


def test_the_workers_error_comes_first() -> None:
    def work(stop: Callable[[], bool]) -> int:
        raise ValueError("no feasible plan")

    def meanwhile() -> None:
        raise ImportError("no such renderer")

    with pytest.raises(ValueError, match="no feasible plan"):
        run_interruptible(work, meanwhile=meanwhile)


def test_ctrl_c_in_meanwhile_stops_the_worker() -> None:
    stopped: list[bool] = []

    def work(stop: Callable[[], bool]) -> int:
        deadline = time.monotonic() + 5.0
        while not stop() and time.monotonic() < deadline:
            time.sleep(0.01)
        stopped.append(stop())
        return 1

    def meanwhile() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_interruptible(work, grace_s=5.0, meanwhile=meanwhile)
    assert stopped == [True]


def test_without_meanwhile_the_value_comes_back() -> None:
    assert run_interruptible(lambda stop: 7) == 7
