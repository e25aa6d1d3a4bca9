"""Ctrl-C: one line and exit 130, whenever it comes (stdlib only, loaded first).

`tender.cli.entry` installs `leave_at_once` while the commands load. `tender.cli.boundary` then
installs `interrupt`: a KeyboardInterrupt (so a command can stop its solver and leave nothing
half-written), except while the main thread is importing. It also records that the interrupt came
(`received`): a KeyboardInterrupt raised inside native code at run time (pydantic-core validating,
HiGHS calling back) can come out as another exception, and the boundary reports that as the interrupt
it is, not as a bug. Commands import their heavy modules when
they run (a fast `tender --help`), and a KeyboardInterrupt raised while a native extension
initialises is lost or turned into an ImportError ("initialization failed", exit 1); nothing has been
written during an import, so the process leaves at once.

An interrupted command ends with `leave_interrupted`: stdio flushed, `atexit` handlers run (Ray's
shutdown among them), then `os._exit(130)`, skipping the interpreter's finalisation and C++'s static
destructors. After a Ctrl-C stopped HiGHS in mid-solve, those destructors met a thread still in use
(by the message, a joinable `std::thread`; most likely HiGHS's scheduler): 1 in 500 interrupted
`tender plan`s here aborted ("terminate called without an active exception", exit -6) after printing
the one line (0 in 500 since), and CI once died by SIGSEGV (-11) after the same line, very likely the
same way (not reproduced here). Nothing is left to write by then: an interrupted command writes nothing.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
from types import FrameType
from typing import NoReturn

_IMPORTING = "<frozen importlib._bootstrap"

MESSAGE = b"tender: interrupted (Ctrl-C)\n"
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what shells report for Ctrl-C

_RECEIVED: list[bool] = []  # one entry once SIGINT has come (a list: no `global` statement)


def leave_at_once(signum: int, frame: FrameType | None) -> None:
    os.write(2, MESSAGE)
    os._exit(EXIT_INTERRUPTED)


def _importing(frame: FrameType | None) -> bool:
    while frame is not None:
        if frame.f_code.co_filename.startswith(_IMPORTING):
            return True
        frame = frame.f_back
    return False


def received() -> bool:
    """True once `interrupt` has handled a SIGINT in this process."""
    return bool(_RECEIVED)


def interrupt(signum: int, frame: FrameType | None) -> None:
    _RECEIVED.append(True)
    if _importing(frame):
        leave_at_once(signum, frame)
    raise KeyboardInterrupt


def leave_interrupted() -> NoReturn:
    """Exit 130 without the interpreter's finalisation (module docstring); `atexit` handlers run."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # a closed or broken pipe: nothing more can be said
            stream.flush()
    atexit._run_exitfuncs()
    os._exit(EXIT_INTERRUPTED)
