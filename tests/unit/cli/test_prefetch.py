"""`cli.prefetch` with `output.run_interruptible`: the waiting main thread imports the named modules
while the worker still works, only after the worker has marked the solver as running, and once."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tender.cli.output import run_interruptible
from tender.cli.prefetch import Prefetch


def _module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> list[str]:
    """A module that records, on import, the thread that imported it."""
    (tmp_path / f"{name}.py").write_text(
        "import threading\nIMPORTED_BY = threading.current_thread().name\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, name, raising=False)
    return [name]


def test_nothing_is_imported_before_the_mark(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    names = _module(tmp_path, monkeypatch, "tender_prefetch_probe_a")
    after = Prefetch(names)
    after.run_if_due()
    assert names[0] not in sys.modules
    after.mark()
    after.run_if_due()
    assert names[0] in sys.modules
    del sys.modules[names[0]]
    after.run_if_due()  # once only
    assert names[0] not in sys.modules


def test_the_main_thread_imports_while_the_worker_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = _module(tmp_path, monkeypatch, "tender_prefetch_probe_b")
    after = Prefetch(names)
    seen: list[bool] = []
    waiting = threading.current_thread().name

    def work(stop: Callable[[], bool]) -> str:
        after.mark()  # as the progress callback does once HiGHS reports
        for _ in range(500):  # the worker goes on until the waiting thread has imported the module
            if names[0] in sys.modules:
                break
            time.sleep(0.01)
        seen.append(names[0] in sys.modules)
        return "planned"

    assert run_interruptible(work, meanwhile=after) == "planned"
    assert seen == [True]
    assert waiting == sys.modules[names[0]].IMPORTED_BY  # not the worker's thread


def test_without_a_mark_the_worker_ends_and_nothing_was_imported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = _module(tmp_path, monkeypatch, "tender_prefetch_probe_c")
    assert run_interruptible(lambda stop: 7, meanwhile=Prefetch(names)) == 7
    assert names[0] not in sys.modules
