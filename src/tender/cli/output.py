"""Shared terminal helpers for CLI commands: consoles, the bad-input exit, whole-or-nothing outputs.

1. `fail_bad_input(lines)` prints each problem on stderr and exits 2.
2. `write_outputs([Output(path, data, "--json"), ...])` checks every path first (a directory, a
   missing or non-folder parent: one line naming the option and the path, exit 2; a missing parent
   is created only when the command's `--mkdir` is given), stages each regular file in a temporary
   file beside it, writes devices (`/dev/stdout`, `/dev/full`) directly, then renames the staged
   files over their targets. Any error or Ctrl-C on the way removes the temporary files: no
   half-written output and no temporary file is left behind. A Ctrl-C that native code swallowed
   (pydantic-core, a C callback: "Exception ignored in ...") is honoured here all the same: once one
   came (`interrupt.received`), nothing is written and KeyboardInterrupt is raised. `write_atomic` is
   the one-file form; `check_outputs` makes the same checks when a command starts, before its work.
3. `--json PATH` everywhere: `-` means stdout (`json_target`, the option's callback, then sends the
   human lines and tables to stderr, so `tender plan s.yaml --json - | jq` reads clean JSON);
   `write_outputs` writes `-` to stdout last, after every file is in place.
4. A stream that is not a terminal (`| tee`, `> file`) gets tables at their full width
   (`pipe_console.PipeConsole`, made on first use); progress (`status`, `progress_bar`) is drawn on stderr, only when it is a terminal.
5. `run_interruptible(work)` runs native-heavy work (a HiGHS solve) in a worker thread so that
   Ctrl-C reaches the main thread at once and stops the solver (`work(stop)`); the command then
   exits 130 with nothing written.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar, cast

from tender.cli.interrupt import leave_interrupted, received

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, ProgressColumn


class _Deferred:
    """A console made on first use, so that Rich loads only when a command prints (`tender --help`
    and `--version` need none of it; `tender plan` makes its consoles while HiGHS solves). Attribute
    reads go to the real console; writes wait for it when it is not made yet (`--json -` sets
    `stderr` while Typer parses the options)."""

    def __init__(self, stderr: bool) -> None:
        object.__setattr__(self, "_made", None)
        object.__setattr__(self, "_settings", {"stderr": stderr})

    def real(self) -> Console:
        made = object.__getattribute__(self, "_made")
        if made is None:
            from tender.cli.pipe_console import PipeConsole

            settings = object.__getattribute__(self, "_settings")
            made = PipeConsole(  # no emoji codes: an id such as `a:fire:1` prints as it is
                stderr=settings.pop("stderr"), highlight=False, soft_wrap=True, emoji=False
            )
            for name, value in settings.items():
                setattr(made, name, value)
            object.__setattr__(self, "_made", made)
        return made  # type: ignore[no-any-return]

    def may_be_terminal(self) -> bool:
        """Rich's `is_terminal`, without loading Rich when the answer is surely no: Rich says yes only
        for `TTY_COMPATIBLE`, `FORCE_COLOR` or a stream whose `isatty()` is true."""
        if object.__getattribute__(self, "_made") is not None:
            return self.real().is_terminal
        stream = sys.stderr if object.__getattribute__(self, "_settings")["stderr"] else sys.stdout
        isatty = getattr(stream, "isatty", None)
        try:
            maybe = "TTY_COMPATIBLE" in os.environ or "FORCE_COLOR" in os.environ or bool(isatty and isatty())
        except ValueError:  # a closed stream (Rich answers no too)
            maybe = False
        return maybe and self.real().is_terminal

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        if object.__getattribute__(self, "_made") is None:
            object.__getattribute__(self, "_settings")[name] = value
        else:
            setattr(self.real(), name, value)


def real_console(c: Console) -> Console:
    """The Rich console itself (for Rich objects that take one, such as a progress bar)."""
    return c.real() if isinstance(c, _Deferred) else c


def is_terminal(c: Console) -> bool:
    """`c.is_terminal`, loading Rich only when the stream may be a terminal (`_Deferred.may_be_terminal`)."""
    return c.may_be_terminal() if isinstance(c, _Deferred) else c.is_terminal


console: Console = cast("Console", _Deferred(stderr=False))
err_console: Console = cast("Console", _Deferred(stderr=True))

STDOUT = Path("-")
JSON_HELP = "`-` writes it to stdout (tables and messages then go to stderr)."


def json_option(what: str) -> Any:
    """The one `--json PATH` option (for `Annotated[Path | None, json_option("the plan")] = None`)."""
    import typer  # (this module loads without Typer: `validate_quick`)

    return typer.Option(
        "--json", metavar="PATH", callback=json_target, help=f"Write {what} as JSON to PATH; {JSON_HELP}"
    )


EXIT_BAD_INPUT = 2

T = TypeVar("T")


def reset_streams() -> None:
    """Human output back on stdout (a command run earlier in this process may have given `--json -`)."""
    console.stderr = False


def json_target(value: Path | None) -> Path | None:
    """The callback of every `--json PATH` option: `-` is stdout, and the human output moves to stderr."""
    console.stderr = value == STDOUT  # called for every run of the command, given or not
    return value


@contextlib.contextmanager
def status(text: str) -> Iterator[Callable[[str], None]]:
    """A spinner line on stderr while work runs (`update(text)` changes it); nothing when stderr is
    not a terminal, so a log file or a pipe holds no redraws."""
    if not is_terminal(err_console):
        yield lambda _text: None
        return
    with err_console.status(text) as shown:
        yield lambda new: shown.update(new)


def progress_bar(*columns: str | ProgressColumn) -> Progress:
    """A Rich progress bar on stderr, drawn only when stderr is a terminal; removed when done."""
    from rich.progress import Progress

    shown = real_console(err_console)
    return Progress(*columns, console=shown, transient=True, disable=not shown.is_terminal)


def fail_bad_input(lines: list[str] | str) -> NoReturn:
    """Print one or more problems to stderr (no markup interpretation) and exit with code 2. After a
    Ctrl-C the problems may be its doing (pydantic-core, interrupted inside a pattern check, reported
    valid names as not matching it): KeyboardInterrupt instead, exit 130."""
    _not_interrupted()
    for line in [lines] if isinstance(lines, str) else lines:
        err_console.print(line, markup=False)
    import typer

    raise typer.Exit(EXIT_BAD_INPUT)


@dataclass(frozen=True)
class Output:
    """One file a command writes: where, what, and the option that named it (for messages)."""

    path: Path
    data: str | bytes
    option: str = ""


def write_atomic(path: Path, data: str | bytes, option: str = "", mkdir: bool | None = None) -> None:
    """Write `data` to `path` whole or not at all (see `write_outputs`)."""
    write_outputs([Output(path, data, option)], mkdir=mkdir)


def write_outputs(outputs: Sequence[Output], mkdir: bool | None = None) -> None:
    """Write every output or none. `mkdir`: None = the command has no `--mkdir`; False = not given;
    True = create missing parent folders."""
    _not_interrupted()
    targets = [(_target(o, mkdir), o) for o in outputs if o.path != STDOUT]
    staged: list[tuple[Path, Path, Output]] = []
    try:
        for target, o in targets:
            if target.exists() and not target.is_file():
                _guard(o, partial(_write_device, target, o.data))
            else:
                staged.append((_guard(o, partial(_stage, target, o.data)), target, o))
        _not_interrupted()
        while staged:
            tmp, target, o = staged[0]
            _guard(o, partial(os.replace, tmp, target))
            staged.pop(0)
    finally:
        for tmp, _target_path, _o in staged:
            tmp.unlink(missing_ok=True)
    for o in outputs:
        if o.path == STDOUT:
            _to_stdout(o.data)


def _not_interrupted() -> None:
    """Raise the KeyboardInterrupt of a Ctrl-C that came, even one native code swallowed."""
    if received():
        raise KeyboardInterrupt


def _to_stdout(data: str | bytes) -> None:
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    sys.stdout.write(text)
    sys.stdout.flush()


def check_outputs(outputs: Sequence[tuple[Path | None, str]], mkdir: bool | None = None) -> None:
    """The checks `write_outputs` makes before writing (a directory, a missing parent), made when the
    command starts, so that a mistyped path fails at once rather than after minutes of work."""
    for path, option in outputs:
        if path is not None and path != STDOUT:
            _target(Output(path, b"", option), mkdir, create=False)


def _prefix(o: Output) -> str:
    return f"{o.option}: " if o.option else ""


def _target(o: Output, mkdir: bool | None, create: bool = True) -> Path:
    """The file to replace (a symlink's target), after the checks that need no writing."""
    path = Path(os.path.realpath(o.path)) if o.path.is_symlink() else o.path
    if path.is_dir():
        fail_bad_input(f"{_prefix(o)}{o.path}: is a directory (give a file name)")
    parent = path.parent
    if parent.exists() and not parent.is_dir():
        fail_bad_input(f"{_prefix(o)}cannot write {o.path}: {parent} is not a folder")
    if not parent.exists():
        if mkdir and not create:
            return path
        if mkdir:
            _guard(o, partial(parent.mkdir, parents=True, exist_ok=True))
        else:
            hint = "create it first" if mkdir is None else "create it first, or pass --mkdir"
            fail_bad_input(f"{_prefix(o)}cannot write {o.path}: folder {parent} does not exist ({hint})")
    return path


def _guard(o: Output, action: Callable[[], T]) -> T:
    try:
        return action()
    except OSError as exc:
        fail_bad_input(f"{_prefix(o)}cannot write {o.path}: {exc.strerror or exc}")


def _stage(target: Path, data: str | bytes) -> Path:
    """A temporary file beside `target` holding all of `data`, flushed to disk; removed on failure."""
    try:
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:  # e.g. /proc: no new file may be made there
        raise OSError(exc.errno, f"{target.parent} takes no new file ({exc.strerror})") from None
    tmp = Path(name)
    try:
        os.fchmod(fd, _mode(target))
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def _mode(target: Path) -> int:
    """The replaced file's permissions, else what a new file gets under the umask."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _write_device(target: Path, data: str | bytes) -> None:
    """A character device or a pipe (`/dev/stdout`, `/dev/full`): written in place, nothing to stage."""
    with open(target, "wb") as f:
        f.write(data.encode("utf-8") if isinstance(data, str) else data)
        f.flush()


def run_interruptible(
    work: Callable[[Callable[[], bool]], T],
    grace_s: float = 10.0,
    meanwhile: Callable[[], object] | None = None,
) -> T:
    """`work(stop)` in a worker thread, the main thread waiting where Ctrl-C reaches it at once.

    A native solver (HiGHS) runs for seconds without returning to Python and calls back into
    Python from its own loop, where a KeyboardInterrupt would be swallowed or turned into a solver
    error ("Solve error"). Here the worker never sees the signal: on Ctrl-C the main thread sets the
    flag that `stop()` reports (HiGHS's interrupt callbacks ask it), waits up to `grace_s` for the
    worker to wind down, and raises KeyboardInterrupt (exit 130; nothing was written). A second
    Ctrl-C, or a worker that does not stop in time, ends the process at once with 130.

    `meanwhile()` runs once in the main thread as soon as the worker first asks `stop()` (the solver
    is about to run in native code, without Python's lock) or has ended: work that does not need the
    result (importing what renders it) then overlaps the solve instead of slowing the Python before it."""
    _not_interrupted()  # a Ctrl-C that came (and native code swallowed) while the command loaded
    box: dict[str, object] = {}
    stopping, polled, done = threading.Event(), threading.Event(), threading.Event()

    def stop() -> bool:
        polled.set()
        return stopping.is_set()

    def target() -> None:
        try:
            box["value"] = work(stop)
        except BaseException as exc:  # re-raised in the main thread
            box["error"] = exc
        finally:
            polled.set()
            done.set()

    # Waiting on an Event, not Thread.join: an interrupted join can leave the thread looking finished.
    threading.Thread(target=target, name="tender-work", daemon=True).start()
    try:
        if meanwhile is not None:
            while not polled.wait(0.05):
                pass
            meanwhile()
        while not done.wait(0.05):
            pass
    except KeyboardInterrupt:
        stopping.set()
        with contextlib.suppress(KeyboardInterrupt):
            done.wait(grace_s)
        if not done.is_set():  # a thread stuck in native code cannot be unwound: leave now
            err_console.print("tender: interrupted (Ctrl-C); nothing was written", markup=False)
            leave_interrupted()
        raise
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]


def no_database(exc: Exception) -> str:
    """One line for a database that cannot be reached or used (a wrong --database-url)."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return f"--database-url: cannot use the database ({text.splitlines()[0] if text else 'no reason given'})"
