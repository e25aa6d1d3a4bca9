"""The fence wrapper on real processes (short): exit codes and times, and that no process of the tree
survives a revocation, a lapsed lease, or the death of either wrapper process. Liveness is read from
/proc by pid, independently of the wrapper's own record."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tender.fence.lease import LeaseSettings, read_pids, read_record, revoke

LEASE = LeaseSettings(Path("/nonexistent"), lease=2.0, renew=0.2, grace=1.0)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _start(tmp_path: Path, script: str) -> tuple[subprocess.Popen[bytes], Path]:
    directory = tmp_path / "lease"
    directory.mkdir()
    argv = LeaseSettings(tmp_path, LEASE.lease, LEASE.renew, LEASE.grace).wrap_argv(
        "lease", ["bash", "-c", script]
    )
    return subprocess.Popen(argv, start_new_session=True), directory


def _wait(predicate: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


# A tree: the command, a background child, and a daemon that left the session (setsid) — each pid noted.
TREE = "sleep 60 & echo $! > {d}/bg; setsid sleep 60 & echo $! > {d}/daemon; echo $$ > {d}/cmd; sleep 60"


def _tree(tmp_path: Path) -> list[int]:
    files = [tmp_path / n for n in ("cmd", "bg", "daemon")]
    _wait(lambda: all(f.exists() and f.read_text().strip() for f in files))
    return [int(f.read_text()) for f in files]


def test_exit_code_and_times_bracket_the_command(tmp_path: Path) -> None:
    proc, directory = _start(
        tmp_path, f"date +%s.%N > {tmp_path}/t; sleep 0.5; date +%s.%N >> {tmp_path}/t; exit 3"
    )
    assert proc.wait(timeout=10) == 3
    record = read_record(directory)
    assert record is not None and record.rc == 3 and record.exited and record.cause == "exited"
    start, end = map(float, (tmp_path / "t").read_text().split())
    assert record.started is not None and record.started <= start and end <= record.ended
    assert (start - record.started) + (record.ended - end) < 0.5


def test_revocation_kills_the_whole_tree(tmp_path: Path) -> None:
    proc, directory = _start(tmp_path, TREE.format(d=tmp_path))
    pids = _tree(tmp_path)
    revoke(directory, time.time())
    assert proc.wait(timeout=LEASE.renew + LEASE.grace + 5) == 143
    record = read_record(directory)
    assert record is not None and not record.exited and record.cause == "revoked"
    assert not any(_alive(p) for p in pids), [p for p in pids if _alive(p)]


def test_each_process_of_the_tree_gets_one_sigterm(tmp_path: Path) -> None:
    """A command's SIGTERM handler (a checkpoint writer, say) runs once: the group is signalled, and only
    processes that left it (setsid) are signalled one by one. Counted by the handlers themselves."""
    handler = tmp_path / "handler.py"
    handler.write_text(
        "import signal, sys, time\n"
        f"out = {str(tmp_path)!r} + '/' + sys.argv[1]\n"
        "def term(*_):\n"
        "    open(out, 'a').write('term\\n')\n"
        "    time.sleep(0.3)  # a checkpoint in progress: a second SIGTERM would run this again\n"
        "    sys.exit(0)\n"
        "signal.signal(signal.SIGTERM, term)\n"
        "open(out + '.up', 'w').write('up')\n"
        "while True: time.sleep(0.05)\n"
    )
    py = sys.executable
    proc, directory = _start(
        tmp_path, f"{py} {handler} child & setsid {py} {handler} daemon & {py} {handler} main"
    )
    _wait(lambda: all((tmp_path / f"{n}.up").exists() for n in ("child", "daemon", "main")))
    revoke(directory, time.time())
    proc.wait(timeout=LEASE.renew + LEASE.grace + 5)
    for name in ("child", "daemon", "main"):
        _wait(lambda name=name: (tmp_path / name).exists())
        assert (tmp_path / name).read_text() == "term\n", name


@pytest.mark.parametrize("victim", ["wrapper", "keeper"])
def test_a_killed_wrapper_process_leaves_no_running_child(tmp_path: Path, victim: str) -> None:
    proc, directory = _start(tmp_path, TREE.format(d=tmp_path))
    pids = _tree(tmp_path)
    _wait(lambda: read_pids(directory))
    os.kill(read_pids(directory)[victim], signal.SIGKILL)  # that process only, not its group
    _wait(lambda: read_record(directory) is not None, timeout=LEASE.grace + 5)
    record = read_record(directory)
    assert record is not None and not record.exited
    assert record.cause == ("wrapper died" if victim == "wrapper" else "keeper died")
    _wait(lambda: not any(_alive(p) for p in pids), timeout=2)
    proc.wait(timeout=5)


def test_a_lapsed_lease_kills_the_tree_without_a_revocation(tmp_path: Path) -> None:
    proc, directory = _start(tmp_path, TREE.format(d=tmp_path))
    pids = _tree(tmp_path)
    t0 = time.monotonic()
    shutil.rmtree(directory)  # renewals now fail: the wrapper cannot know it still holds the lease
    proc.wait(timeout=LEASE.lease + LEASE.renew + LEASE.grace + 5)
    assert time.monotonic() - t0 >= LEASE.lease  # not before the lease ran out
    assert not any(_alive(p) for p in pids)


def test_a_revoked_lease_runs_nothing(tmp_path: Path) -> None:
    directory = tmp_path / "lease"
    revoke(directory, time.time())
    argv = LeaseSettings(tmp_path).wrap_argv("lease", ["bash", "-c", f"touch {tmp_path}/ran"])
    assert subprocess.run(argv, check=False).returncode == 1
    record = read_record(directory)
    assert record is not None and record.started is None and not (tmp_path / "ran").exists()


def test_the_wrapper_runs_with_the_standard_library_alone(tmp_path: Path) -> None:
    import tender

    src = Path(tender.__file__).resolve().parents[1]  # no site-packages (-S): only the stdlib and tender
    argv = [sys.executable, "-S", "-m", "tender.fence.wrapper", "--dir", str(tmp_path / "l"), "--", "true"]
    done = subprocess.run(argv, env={"PYTHONPATH": str(src), "PATH": os.environ["PATH"]}, check=False)
    record = read_record(tmp_path / "l")
    assert done.returncode == 0 and record is not None and record.exited
