"""Ctrl-C before a command starts: end the process at once with one line (stdlib only, loaded first).

`tender.cli.entry` installs `leave_at_once` while the commands load; `tender.cli.boundary` puts Python's
own handler back before the command runs.
"""

from __future__ import annotations

import os
from types import FrameType

MESSAGE = b"tender: interrupted (Ctrl-C)\n"


def leave_at_once(signum: int, frame: FrameType | None) -> None:
    os.write(2, MESSAGE)
    os._exit(130)
