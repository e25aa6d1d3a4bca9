"""Ctrl-C rows of the CLI test table: a real SIGINT to a real `tender` process -> exit 130, exactly one
line on stderr, no traceback, nothing in the output folder.

`tender plan` runs with its stderr on a pseudo-terminal so that its status line (drawn on stderr, and
only on a terminal) shows the solver's progress ("best $..."): the signal is sent once HiGHS has
reported a solution, i.e. while it solves. Before the fix that was "no feasible plan found (Solve
error)", exit 2.
"""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
FRONTIER = str(REPO / "examples" / "frontier-lab.yaml")
TENDER = [sys.executable, "-m", "tender.cli"]
POOLS = "pools:\n  - {id: local-h100, provider: p, gpu: H100, gpus: 2, backend: {kind: local}}\n"


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TENDER_")}
    return {**env, "TENDER_HOME": str(tmp_path / "home"), "COLUMNS": "200", "TERM": "xterm"}


def _sigint_as_a_terminal_sends_it() -> None:
    """In the child before it runs: SIGINT at its default. A shell's background job (`make test &`)
    starts with SIGINT ignored, which the child would inherit, and then no Ctrl-C could reach it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _read_until(fd: int, marker: bytes, proc: subprocess.Popen[bytes], limit_s: float = 120.0) -> bytes:
    seen = b""
    deadline = time.monotonic() + limit_s
    while marker not in seen and proc.poll() is None and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                seen += os.read(fd, 65536)
            except OSError:
                break
    return seen


def _drain(fd: int, proc: subprocess.Popen[bytes]) -> list[str]:
    """What the process still writes to the terminal until it ends, as lines without the status
    line's redraws (ANSI sequences, carriage returns, `solving…` frames)."""
    seen = b""
    while True:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # the other end closed: the process is gone
                break
            if not chunk:
                break
            seen += chunk
        elif proc.poll() is not None:
            break
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", seen.decode("utf-8", "replace")).replace("\r", "\n")
    return [line for line in text.splitlines() if line.strip() and "solving" not in line]


# `-X importtime` reports each import on stderr as it completes: the moments below count from the line of
# `tender.cli.entry`, the module that installs Tender's SIGINT handler. Before it, a Ctrl-C meets
# CPython's own start-up (under heavy load 0.1 s after spawning can still be inside `site`), which no
# program can handle. Those lines are dropped from what the test reads as the command's stderr.
IMPORTTIME = [sys.executable, "-X", "importtime", "-m", "tender.cli"]


def _start_after_entry(
    argv: list[str], tmp_path: Path, module: str = "tender.cli.entry"
) -> subprocess.Popen[bytes]:
    """`tender` started, once `module` has been imported (its `-X importtime` line came)."""
    proc = subprocess.Popen(
        argv,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=_env(tmp_path),
        cwd=tmp_path,
        preexec_fn=_sigint_as_a_terminal_sends_it,
    )
    assert proc.stderr is not None
    for raw in proc.stderr:
        if raw.rstrip().endswith(module.encode()):
            return proc
    code = proc.wait(timeout=60)
    proc.stderr.close()
    raise AssertionError(f"`tender` ended before {module} loaded (exit {code})")


def _finish(proc: subprocess.Popen[bytes]) -> tuple[int, list[str]]:
    try:
        _out, raw = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:  # it did not stop: fail, and leave no process behind
        proc.kill()
        proc.communicate()
        raise
    err = raw.decode("utf-8", "replace")
    return proc.returncode, [line for line in err.splitlines() if not line.startswith("import time:")]


def _assert_interrupted(code: int, lines: list[str], out: Path) -> None:
    assert code == 130, lines
    assert len(lines) == 1 and "interrupted" in lines[0], lines
    assert os.listdir(out) == [], "an output or a temporary file was left behind"


def test_plan_interrupted_while_solving(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    master, slave = pty.openpty()
    cmd = [*TENDER, "plan", FRONTIER, "--out", str(out), "--report", str(out / "r.html")]
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.DEVNULL,
        stderr=slave,
        env=_env(tmp_path),
        preexec_fn=_sigint_as_a_terminal_sends_it,
    )
    os.close(slave)
    try:
        seen = _read_until(master, b"best $", proc)
        if b"best $" not in seen:
            proc.kill()
            pytest.fail(f"the solve never reported progress: {seen[-500:]!r}")
        proc.send_signal(signal.SIGINT)
        lines = _drain(master, proc)
        code = proc.wait(timeout=60)
    finally:
        os.close(master)
    _assert_interrupted(code, lines, out)


@pytest.mark.parametrize(
    ("argv", "module", "after_s"),
    [
        (["plan", FRONTIER, "-q"], "tender.cli.entry", 0.2),  # while Python still imports the commands
        # 82,247 jobs (~0.7 s to load, ~1.2 s to replay here): counted from the replay's import
        (["simulate", "--trace", "philly"], "tender.sim.runner", 0.6),
        (["agent", "--interval", "0.2"], "tender.cli.entry", 4.0),  # between ticks of the loop
    ],
    ids=["plan-at-start", "simulate", "agent"],
)
def test_interrupted_command_exits_130(argv: list[str], module: str, after_s: float, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "pools.yaml").write_text(POOLS)
    extra = {
        "plan": ["--out", str(out)],
        "simulate": ["--json", str(out / "s.json"), "--report", str(out / "s.html")],
        "agent": ["--pools", str(tmp_path / "pools.yaml"), "--state", str(tmp_path / "st")],
    }[argv[0]]
    proc = _start_after_entry([*IMPORTTIME, *argv, *extra], tmp_path, module)
    time.sleep(after_s)
    if proc.poll() is not None:
        _finish(proc)  # closes its stderr
        pytest.fail("the command ended before the interrupt")
    proc.send_signal(signal.SIGINT)
    code, lines = _finish(proc)
    assert not any("Traceback" in line for line in lines), lines
    _assert_interrupted(code, lines, out)


@pytest.mark.timeout(300)
def test_ctrl_c_at_any_moment_of_loading_exits_130(tmp_path: Path) -> None:
    """Commands import their solver when they run. A Ctrl-C while HiGHS's native module initialised
    came out as `ImportError: initialization failed` (exit 1) or as death by SIGINT (-2): tried here
    at eleven moments from 0.1 s to 0.6 s after the entry module loaded, each must be one line and 130."""
    out = tmp_path / "out"
    out.mkdir()
    for tenths in range(2, 13):
        proc = _start_after_entry([*IMPORTTIME, "plan", FRONTIER, "-q", "--out", str(out)], tmp_path)
        time.sleep(tenths / 20)
        if proc.poll() is not None:
            pytest.fail(f"plan ended before {tenths / 20:.2f} s")
        proc.send_signal(signal.SIGINT)
        code, lines = _finish(proc)
        assert (code, len(lines)) == (130, 1), (tenths / 20, code, lines)
        assert "interrupted" in lines[0] and os.listdir(out) == [], (tenths / 20, lines)


def test_an_error_that_a_ctrl_c_turned_into_is_reported_as_the_interrupt(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Native code (pydantic-core, a solver's callback) can turn the KeyboardInterrupt that the handler
    raised into another exception. Once a SIGINT has come, that exception is the interrupt's: exit 130,
    one line, no traceback. Without a SIGINT the same exception is a bug and propagates."""
    import typer

    from tender.cli import interrupt as handler
    from tender.cli.boundary import TenderGroup

    app = typer.Typer(cls=TenderGroup)

    @app.command()
    def native(
        signal_first: bool = typer.Option(False, "--signal-first", help="Ctrl-C before the error."),
    ) -> None:
        """Like a native extension: the KeyboardInterrupt comes out as a RuntimeError."""
        try:
            if signal_first:
                handler.interrupt(signal.SIGINT, None)
            raise RuntimeError("initialization failed")
        except KeyboardInterrupt:
            raise RuntimeError("initialization failed") from None

    @app.command()
    def other() -> None:
        """A second command, so that `native` is a subcommand."""

    monkeypatch.setattr(handler, "_RECEIVED", [])
    with pytest.raises(RuntimeError, match="initialization failed"):
        typer.main.get_command(app).main(["native"], standalone_mode=False)
    assert typer.main.get_command(app).main(["native", "--signal-first"], standalone_mode=False) == 130
    assert capsys.readouterr().err.strip().splitlines() == ["tender: interrupted (Ctrl-C)"]


def test_a_ctrl_c_that_native_code_swallowed_still_writes_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Seen 4 times in 740 Ctrl-Cs at 0.2-2 s: pydantic-core printed "Exception ignored in:
    '^[A-Za-z0-9]...'" for the handler's KeyboardInterrupt, and `tender plan` either went on to write
    its files and exit 0, or reported valid GPU names as not matching their pattern and exited 2. Once
    the handler has run, no output is written (before staging, or between staging and renaming), the
    solve does not start and no bad input is reported: KeyboardInterrupt, as if nothing had swallowed it."""
    from tender.cli import interrupt as handler
    from tender.cli import output

    monkeypatch.setattr(handler, "_RECEIVED", [])
    target = tmp_path / "plan.json"
    output.write_atomic(target, "{}\n")  # no Ctrl-C yet: written
    handler._RECEIVED.append(True)
    with pytest.raises(KeyboardInterrupt):
        output.write_atomic(tmp_path / "other.json", "{}\n")
    with pytest.raises(KeyboardInterrupt):
        output.run_interruptible(lambda stop: pytest.fail("the solve started after the Ctrl-C"))
    with pytest.raises(KeyboardInterrupt):
        output.fail_bad_input("frontier-lab.yaml:73:15: providers.primary-cloud.capacity[0].gpu: ...")
    assert capsys.readouterr().err == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.json"]


def test_a_ctrl_c_while_files_are_staged_removes_them(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The second check: the Ctrl-C (swallowed) comes while the files are being staged."""
    from tender.cli import interrupt as handler
    from tender.cli import output

    monkeypatch.setattr(handler, "_RECEIVED", [])
    staged = output._stage

    def stage_then_ctrl_c(target: Path, data: str | bytes) -> Path:
        tmp = staged(target, data)
        handler._RECEIVED.append(True)
        return tmp

    monkeypatch.setattr(output, "_stage", stage_then_ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        output.write_outputs(
            [output.Output(tmp_path / "a.json", "{}"), output.Output(tmp_path / "b.csv", "x")]
        )
    assert list(tmp_path.iterdir()) == []


def test_an_interrupted_command_leaves_without_the_interpreters_shutdown(tmp_path: Path) -> None:
    """`leave_interrupted`: what was printed is flushed, atexit handlers run (Ray's shutdown is one),
    exit 130, and what the interpreter's finalisation would run does not (here a __del__ at shutdown,
    standing for the C++ static destructors that met HiGHS's scheduler still in use)."""
    code = (
        "import atexit, sys\n"
        "from tender.cli.interrupt import leave_interrupted\n"
        "class AtShutdown:\n"
        "    def __del__(self):\n"
        "        sys.__stderr__.write('finalised\\n')\n"
        "keep = AtShutdown()\n"
        "atexit.register(lambda: sys.stderr.write('atexit ran\\n'))\n"
        "sys.stdout.write('buffered')\n"
        "leave_interrupted()\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert (proc.returncode, proc.stdout, proc.stderr) == (130, "buffered", "atexit ran\n")
