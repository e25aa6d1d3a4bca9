"""The lease of one attempt: files in `<root>/<attempt key>/` that the runtime and the wrapper both see.

Files (each written whole: temp file + rename):
- `timings`  runtime, at submission: JSON {"lease", "renew", "grace"} the wrapper was started with, so a
             runtime restarted with other settings still waits long enough for this attempt.
- `revoked`  runtime -> wrapper: epoch seconds of the revocation; the wrapper kills its tree on sight.
- `beat`     wrapper -> runtime: epoch seconds of the last renewal (written every `renew` seconds).
- `started`  wrapper: epoch seconds just before the command was started.
- `pids`     wrapper: JSON {"wrapper": pid, "keeper": pid, "command_pgid": pgid} (local cancel, tests).
- `cause`    wrapper: why it ordered its tree killed (revoked, lease lapsed, signal N).
- `record`   wrapper: JSON {"started", "ended", "rc", "exited", "cause"} once the whole tree is dead;
             `exited` is true when the command ended by itself (not killed).

The lease is renewed by the wrapper as long as `revoked` is absent and the directory is writable; a
renewal that fails for longer than `lease` seconds makes the wrapper kill its tree (it cannot tell that
it still holds the lease). The runtime therefore knows, without asking the engine, that an attempt whose
lease it revoked at time r is dead by `fence_deadline(r)` = r + lease + renew + grace + margin.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MARGIN_SECONDS = 1.0  # clock-rate slack and scheduling delays between the runtime and the wrapper


@dataclass(frozen=True)
class LeaseSettings:
    root: Path  # shared by the runtime and every node that runs attempts
    lease: float = 20.0  # seconds a wrapper keeps running without a successful renewal
    renew: float = 2.0  # seconds between renewals (and between checks for a revocation)
    grace: float = 5.0  # seconds between SIGTERM and SIGKILL of the command's tree
    python: str = sys.executable  # the interpreter that runs the wrapper on the node

    def timings(self, directory: Path | None = None) -> tuple[float, float, float]:
        """(lease, renew, grace) the attempt's wrapper was started with (`directory/timings`), else these."""
        if directory is not None:
            try:
                raw = json.loads((directory / "timings").read_text())
                return float(raw["lease"]), float(raw["renew"]), float(raw["grace"])
            except (OSError, ValueError, KeyError, TypeError):
                pass
        return self.lease, self.renew, self.grace

    def fence_deadline(self, revoked_at: float, directory: Path | None = None) -> float:
        """When an attempt revoked at `revoked_at` is dead for sure, confirmed or not."""
        lease, renew, grace = self.timings(directory)
        return revoked_at + lease + renew + grace + MARGIN_SECONDS

    def dir(self, key: str) -> Path:
        if "/" in key or key in {"", ".", ".."}:
            raise ValueError(f"bad attempt key {key!r}")
        return self.root / key

    def wrap_argv(self, key: str, argv: list[str]) -> list[str]:
        """The command line that runs `argv` under the wrapper for attempt `key`."""
        return [
            self.python,
            "-m",
            "tender.fence.wrapper",
            "--dir",
            str(self.dir(key).resolve()),
            "--lease",
            repr(self.lease),
            "--renew",
            repr(self.renew),
            "--grace",
            repr(self.grace),
            "--",
            *argv,
        ]

    def prepare(self, key: str) -> Path:
        """Create the attempt's lease directory (world-writable root: jobs may run as another user)."""
        self.root.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o1777)
        path = self.dir(key)
        path.mkdir(exist_ok=True)
        os.chmod(path, 0o777)
        timings = {"lease": self.lease, "renew": self.renew, "grace": self.grace}
        write_whole(path / "timings", json.dumps(timings, sort_keys=True) + "\n")
        return path


def write_whole(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def _float(path: Path) -> float | None:
    try:
        return float(path.read_text().strip())
    except (OSError, ValueError):
        return None


def revoke(directory: Path, now: float) -> float:
    """Revoke the lease (idempotent); returns the time of the first revocation."""
    earlier = revoked_at(directory)
    if earlier is not None:
        return earlier
    directory.mkdir(parents=True, exist_ok=True)
    write_whole(directory / "revoked", f"{now:.6f}\n")
    return now


def revoked_at(directory: Path) -> float | None:
    return _float(directory / "revoked")


def last_beat(directory: Path) -> float | None:
    return _float(directory / "beat")


def started_at(directory: Path) -> float | None:
    return _float(directory / "started")


@dataclass(frozen=True)
class Record:
    """What the wrapper wrote once its whole tree was dead."""

    started: float | None
    ended: float
    rc: int
    exited: bool  # the command ended by itself (not killed by the wrapper)
    cause: str


def read_record(directory: Path) -> Record | None:
    try:
        raw: Any = json.loads((directory / "record").read_text())
        started = raw.get("started")
        return Record(
            started=float(started) if started is not None else None,
            ended=float(raw["ended"]),
            rc=int(raw["rc"]),
            exited=bool(raw["exited"]),
            cause=str(raw.get("cause", "")),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def read_pids(directory: Path) -> dict[str, int]:
    try:
        raw = json.loads((directory / "pids").read_text())
        return {str(k): int(v) for k, v in raw.items()}
    except (OSError, ValueError, TypeError, AttributeError):
        return {}
