"""`python -m tender.fence.wrapper --dir D --lease L --renew R --grace G -- CMD...`: one attempt's fence.

Stdlib only, so any Python 3.11 on a node runs it. Two processes:

1. The wrapper (this process, the one the engine started and signals) checks the lease: if `D/revoked`
   exists it starts nothing. It becomes a child subreaper and forks the keeper.
2. The keeper moves to its own process group (an engine's kill of the wrapper's group does not take it
   away), becomes a subreaper too (orphaned grandchildren come back to it), asks the kernel for SIGHUP
   when the wrapper dies (PR_SET_PDEATHSIG), records `started`, and spawns CMD in a new process group.
3. Every R seconds the wrapper renews the lease: no `revoked` file and `beat` written. A revocation, a
   renewal failing for more than L seconds, or a signal from the engine (scancel, ray stop, cancel) is a
   kill order: the wrapper writes `cause` and sends SIGTERM to the keeper.
4. On a kill order or on the wrapper's death, the keeper sends SIGTERM to the command's process group and
   to every descendant, SIGKILL after G seconds, and reaps until no descendant is left. When the command
   ends by itself, leftovers (background processes) are killed the same way.
5. Only then the keeper writes `D/record` (started, ended, rc, exited, cause) and exits with the
   command's code; the wrapper exits with it. If the keeper was killed, the wrapper (subreaper: the
   tree is now its own) kills the tree and writes the record itself.

A dead wrapper therefore never leaves a running command (the keeper kills it), a dead keeper neither
(the wrapper does); SIGKILL of both at once is the engine's own kill of the job (Slurm kills every
process of the job; the local backend kills both process groups).
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import os
import signal
import sys
import time
from pathlib import Path
from types import FrameType

from tender.fence.lease import read_pids, read_record, write_whole

_PR_SET_PDEATHSIG = 1
_PR_SET_CHILD_SUBREAPER = 36
_POLL = 0.05


def _prctl(option: int, value: int) -> bool:
    """Linux prctl; False where it is not available (the fence then relies on process groups)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(option, value, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _children_map() -> dict[int, list[int]]:
    """Live (non-zombie) processes by parent pid, from /proc."""
    out: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z":
            out.setdefault(int(fields[1]), []).append(int(entry))
    return out


def descendants(root: int, exclude: int | None = None) -> list[int]:
    """Live descendants of `root` (the subtree of `exclude` left out)."""
    children = _children_map()
    found: list[int] = []
    stack = list(children.get(root, []))
    while stack:
        pid = stack.pop()
        if pid == exclude:
            continue
        found.append(pid)
        stack.extend(children.get(pid, []))
    return found


def _signal_tree(root: int, pgid: int | None, sig: int, exclude: int | None = None) -> None:
    """`sig` to the command's group, then to each descendant outside it (one that left by `setsid`):
    each process gets the signal once, so a command's SIGTERM handler runs once."""
    if pgid:
        with contextlib.suppress(OSError):
            os.killpg(pgid, sig)
    for pid in descendants(root, exclude):
        with contextlib.suppress(OSError):
            if not pgid or os.getpgid(pid) != pgid:
                os.kill(pid, sig)


def _exit_code(status: int) -> int:
    code = os.waitstatus_to_exitcode(status)
    return 128 - code if code < 0 else code


class Reaper:
    """Reaps every child of this process (subreaper: orphans included), noting `watched`'s exit code."""

    def __init__(self, watched: int | None = None) -> None:
        self.watched = watched
        self.rc: int | None = None

    def reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid == self.watched and self.rc is None:
                self.rc = _exit_code(status)

    def kill_tree(self, pgid: int | None, grace: float, exclude: int | None = None) -> None:
        """SIGTERM the group and every descendant, SIGKILL after `grace` s, reap until none is left."""
        me = os.getpid()
        _signal_tree(me, pgid, signal.SIGTERM, exclude)
        deadline = time.monotonic() + grace
        while descendants(me, exclude) and time.monotonic() < deadline:
            self.reap()
            time.sleep(_POLL)
        for _ in range(200):  # SIGKILL cannot be ignored: a few rounds reach every straggler
            _signal_tree(me, pgid, signal.SIGKILL, exclude)
            self.reap()
            if not descendants(me, exclude):
                break
            time.sleep(_POLL)
        self.reap()


def _write_record(directory: Path, started: float | None, rc: int, exited: bool, cause: str) -> None:
    body = {"started": started, "ended": time.time(), "rc": rc, "exited": exited, "cause": cause}
    with contextlib.suppress(OSError):
        write_whole(directory / "record", json.dumps(body, sort_keys=True) + "\n")


def _read_cause(directory: Path, default: str) -> str:
    try:
        return (directory / "cause").read_text().strip() or default
    except OSError:
        return default


def keeper(directory: Path, argv: list[str], grace: float, wrapper_pid: int) -> int:
    """Steps 2, 4, 5: run the command and own its whole tree."""
    os.setpgid(0, 0)
    _prctl(_PR_SET_CHILD_SUBREAPER, 1)
    _prctl(_PR_SET_PDEATHSIG, signal.SIGHUP)
    ordered: list[str] = []

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        ordered.append("wrapper died" if signum == signal.SIGHUP else f"signal {signum}")

    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, on_signal)
    if os.getppid() != wrapper_pid:
        ordered.append("wrapper died")
    started = time.time()
    write_whole(directory / "started", f"{started:.6f}\n")
    child = os.posix_spawnp(argv[0], argv, dict(os.environ), setpgroup=0)
    write_whole(
        directory / "pids",
        json.dumps({"wrapper": wrapper_pid, "keeper": os.getpid(), "command_pgid": child}) + "\n",
    )
    reaper = Reaper(watched=child)
    while reaper.rc is None and not ordered:
        reaper.reap()
        time.sleep(_POLL)
    exited = reaper.rc is not None and not ordered
    reaper.kill_tree(child, grace)  # the command's leftovers, or the whole tree on an order
    cause = "exited" if exited else _read_cause(directory, ordered[0] if ordered else "killed")
    rc = reaper.rc if reaper.rc is not None else 128 + signal.SIGKILL
    _write_record(directory, started, rc, exited, cause)
    return rc


class Wrapper:
    """Steps 1, 3, 5: hold the lease, order the kill, outlive the keeper."""

    def __init__(self, directory: Path, lease: float, renew: float, grace: float) -> None:
        self.dir = directory
        self.lease = lease
        self.renew = renew
        self.grace = grace
        self.last_ok = time.monotonic()
        self.order: str | None = None
        self.ordered_at = 0.0

    def revoked(self) -> bool:
        try:
            (self.dir / "revoked").stat()
            return True
        except FileNotFoundError:
            return False

    def renew_once(self) -> None:
        """A renewal counts from before its check: a revocation after that instant stops the next one."""
        checked = time.monotonic()
        try:
            if self.revoked():
                self.kill_order("revoked")
                return
            write_whole(self.dir / "beat", f"{time.time():.6f}\n")
            self.last_ok = checked
        except OSError:
            pass
        if time.monotonic() - self.last_ok > self.lease:
            self.kill_order(f"lease lapsed (no renewal for {self.lease:g} s)")

    def kill_order(self, cause: str) -> None:
        if self.order is None:
            self.order, self.ordered_at = cause, time.monotonic()
            with contextlib.suppress(OSError):
                write_whole(self.dir / "cause", cause + "\n")

    def run(self, argv: list[str]) -> int:
        _prctl(_PR_SET_CHILD_SUBREAPER, 1)
        if self.revoked():
            _write_record(self.dir, None, 1, False, "revoked before start")
            return 1
        with contextlib.suppress(OSError):
            write_whole(self.dir / "beat", f"{time.time():.6f}\n")
        me = os.getpid()
        pid = os.fork()
        if pid == 0:  # the keeper
            code = 1
            try:
                code = keeper(self.dir, argv, self.grace, me)
            finally:
                os._exit(code)
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, lambda signum, _f: self.kill_order(f"signal {signum}"))
        return self._watch(pid)

    def _watch(self, keeper_pid: int) -> int:
        reaper = Reaper(watched=keeper_pid)
        signalled = False
        next_renewal = time.monotonic() + self.renew
        while reaper.rc is None:
            reaper.reap()
            if reaper.rc is not None:
                break
            if time.monotonic() >= next_renewal:
                next_renewal = time.monotonic() + self.renew
                self.renew_once()
            if self.order is not None and not signalled:
                with contextlib.suppress(OSError):
                    os.kill(keeper_pid, signal.SIGTERM)
                signalled = True
            if signalled and time.monotonic() - self.ordered_at > self.grace + 5:
                with contextlib.suppress(OSError):
                    os.kill(keeper_pid, signal.SIGKILL)  # a stuck keeper: the tree comes back to us
            time.sleep(_POLL)
        record = read_record(self.dir)
        if record is None:  # the keeper was killed: its orphans are ours now (subreaper)
            pgid = read_pids(self.dir).get("command_pgid")
            reaper.kill_tree(pgid, self.grace)
            started_raw = (
                (self.dir / "started").read_text().strip() if (self.dir / "started").exists() else ""
            )
            started = float(started_raw) if started_raw else None
            _write_record(self.dir, started, 128 + signal.SIGKILL, False, self.order or "keeper died")
            return 128 + signal.SIGKILL
        return record.rc


def main(args: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tender.fence.wrapper")
    parser.add_argument("--dir", required=True, type=Path, help="the attempt's lease directory")
    parser.add_argument("--lease", type=float, default=20.0)
    parser.add_argument("--renew", type=float, default=2.0)
    parser.add_argument("--grace", type=float, default=5.0)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    parsed = parser.parse_args(args)
    command = parsed.command[1:] if parsed.command[:1] == ["--"] else parsed.command
    if not command:
        parser.error("no command after --")
    parsed.dir.mkdir(parents=True, exist_ok=True)
    return Wrapper(parsed.dir, parsed.lease, parsed.renew, parsed.grace).run(command)


if __name__ == "__main__":
    sys.exit(main())
