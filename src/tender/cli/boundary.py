"""The CLI's one error boundary: every command's mistakes become one line on stderr and an exit code.

`TenderGroup` is the root Typer group (`Typer(cls=TenderGroup)`), so every command, and every new one,
runs inside it, from the `tender` script and from `CliRunner` alike:

0. Every command and group, and the root, takes `--version` and `-h`/`--help`, and a flag shows no
   `<bool>` placeholder in `--help` (`one_dialect`); the console streams are reset
   (`output.reset_streams`).
1. Typer parses and runs the command (`standalone_mode=False`, so errors come back here).
2. A usage error (unknown option, bad or out-of-range number, bad choice) -> one line naming the
   option and `--help`, exit 2; `tender` or a group with no arguments prints its help, exit 2.
3. A user's mistake that escaped the command -> one line, exit 2: `InputError` (FILE:LINE:COL lines),
   an unusable or unreachable database URL, an OSError (names its path: a missing file, a directory
   given as a file, a full disk, no permission).
4. Ctrl-C -> exit 130 with one line; outputs are staged and renamed (`output.write_outputs`), so an
   interrupted run leaves no half-written output and no temporary file. An exception that escapes
   after a Ctrl-C came is the interrupt's too (native code can turn a KeyboardInterrupt into another
   error): exit 130 as well.
5. Anything else is a bug in Tender: it propagates with its traceback.
"""

from __future__ import annotations

import errno
import signal
import sys
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

import typer
from typer.core import TyperGroup

from tender import __version__
from tender.cli.interrupt import EXIT_INTERRUPTED, interrupt, leave_at_once, received
from tender.cli.output import EXIT_BAD_INPUT, err_console, reset_streams

# Click's UsageError (Typer's vendored copy in new versions): the base of BadParameter.
UsageError: type[Exception] = typer.BadParameter.__mro__[1]
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as `tender plan ... | head` under a shell


def _say(line: str) -> None:
    err_console.print(" ".join(line.split()), markup=False)


def usage_line(exc: Any) -> str:
    """`tender plan: Invalid value for '--seed': ... (see `tender plan --help`)`."""
    ctx = getattr(exc, "ctx", None)
    where = ctx.command_path if ctx is not None else "tender"
    return f"{where}: {exc.format_message()} (see `{where} --help`)"


def user_error(exc: BaseException) -> str | None:
    """The one line for a user's mistake that a command did not catch itself; None for a bug."""
    from tender.config import InputError

    if isinstance(exc, InputError):
        return "; ".join(str(p) for p in exc.problems)
    if isinstance(exc, OSError):
        name = exc.filename if exc.filename is not None else ""
        reason = exc.strerror or str(exc)
        return f"{name}: {reason}" if name else reason
    if "sqlalchemy" in sys.modules or "tender.ledger.sql" in sys.modules:
        from tender.ledger.sql import BadDatabaseUrl, unreachable

        if isinstance(exc, BadDatabaseUrl):
            return str(exc)
        return unreachable(exc)
    return None


def _print_version(ctx: Any, _param: Any, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        typer.echo(f"tender {__version__}")
        ctx.exit(0)


def _version_option() -> Any:
    """The `--version` flag as Typer builds it (taken from a one-option probe command)."""
    probe = typer.Typer()

    @probe.command()
    def _probe(
        version: bool = typer.Option(
            False,
            "--version",
            is_eager=True,
            callback=_print_version,
            help="Print Tender's version and exit.",
        ),
    ) -> None:
        """A probe."""

    option = typer.main.get_command(probe).params[0]
    option.expose_value = False  # the commands' functions never see it
    return option


HELP_NAMES = ["-h", "--help"]


def one_dialect(command: Any, version: Any = None) -> None:
    """`command` and every command under it: a `--version` flag (eager: prints, exits 0), `-h` as
    well as `--help`, and flags listed without Typer's `<bool>` type placeholder."""
    version = version or _version_option()
    if not any("--version" in getattr(p, "opts", ()) for p in command.params):
        command.params.append(version)
    command.context_settings.setdefault("help_option_names", HELP_NAMES)
    # Typer caches the help option on first use; make it now, so its placeholder can be blanked too.
    helper = command.get_help_option(SimpleNamespace(help_option_names=HELP_NAMES))
    for param in [*command.params, helper]:
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""  # Typer's help shows `metavar` in the type column
    for sub in getattr(command, "commands", {}).values():
        one_dialect(sub, version)


def run_command(group: TyperGroup, args: Sequence[str] | None, prog_name: str | None, **extra: Any) -> int:
    """Steps 0-5; the exit code."""
    reset_streams()
    if signal.getsignal(signal.SIGINT) is leave_at_once:  # loaded: Ctrl-C is a KeyboardInterrupt again
        signal.signal(signal.SIGINT, interrupt)  # (but for one that comes while a module imports)
    try:
        code = group_main(group, args, prog_name, **extra)
    except UsageError as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":
            typer.echo(exc.format_message())  # type: ignore[attr-defined]
        else:
            _say(usage_line(exc))
        return EXIT_BAD_INPUT
    except typer.Abort:
        _say("tender: aborted")
        return 1
    except KeyboardInterrupt:
        code = EXIT_INTERRUPTED
    except Exception as exc:
        if received():
            code = EXIT_INTERRUPTED
        elif isinstance(exc, OSError) and exc.errno == errno.EPIPE:
            return EXIT_BROKEN_PIPE
        else:
            return _bad_input_or_bug(exc)
    if code == EXIT_INTERRUPTED:
        _say("tender: interrupted (Ctrl-C)")
    return code


def _bad_input_or_bug(exc: Exception) -> int:
    """Step 3 (one line, exit 2), or step 5: the exception propagates with its traceback."""
    line = user_error(exc)
    if line is None:
        raise exc
    _say(line)
    return EXIT_BAD_INPUT


def group_main(group: TyperGroup, args: Sequence[str] | None, prog_name: str | None, **extra: Any) -> int:
    result = TyperGroup.main(group, args, prog_name, standalone_mode=False, **extra)
    return result if isinstance(result, int) else 0


class TenderGroup(TyperGroup):
    """The root group: runs every command inside `run_command`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        one_dialect(self)

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        code = run_command(
            self, args, prog_name, complete_var=complete_var, windows_expand_args=windows_expand_args, **extra
        )
        if standalone_mode:
            sys.exit(code)
        return code
