"""Modules a command needs only after its solve, imported by the main thread while HiGHS solves.

`tender plan` spends most of its wall time in HiGHS, which runs without the GIL, while the main thread
only waits for the worker (`output.run_interruptible`). Once the solver reports (`mark`, called from
the progress callback: HiGHS is then in its MIP loop), the waiting main thread imports the renderers
and the independent checker (`run`), so that the second core does that start-up while the first
solves. Nothing is computed, only imported: the output is the same bytes with or without it.

1. `Prefetch(names)`: the modules, not yet imported.
2. `mark()` (any thread): the solver is running.
3. `run_if_due()` (the main thread, while it waits): imports them once, after `mark`.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Sequence


class Prefetch:
    def __init__(self, names: Sequence[str]) -> None:
        self.names = tuple(names)
        self._due = threading.Event()
        self._done = False

    def mark(self) -> None:
        self._due.set()

    def run_if_due(self) -> None:
        if self._done or not self._due.is_set():
            return
        self._done = True
        for name in self.names:
            importlib.import_module(name)
