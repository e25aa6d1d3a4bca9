"""`tender validate FILE [-q]` of a valid scenario, answered before Typer and the commands load.

Typer and building its command are about 8% of `tender validate`'s start-up (instructions counted
under valgrind, bench/README.md "Start-up"), run from an editor or a pre-commit hook on every save.
`entry.main` asks `quick_args` first:

1. only `validate FILE`, with `-q`/`--quiet` anywhere after `validate`, takes this path (FILE not
   starting with `-`); any other option, a second argument, `-h` or `--version` goes to Typer;
2. the scenario is loaded (pydantic's plugin scan skipped meanwhile, `no_pydantic_plugins`, as in
   every command's `validate.load_or_exit`);
   a file with any problem (missing, unreadable, invalid) is handed back to
   the Typer command, which loads it again and reports every problem as it always does (the bad
   path costs one more load, the good one saves Typer);
3. a valid file prints `validate_summary.print_summary`, the very function the Typer command calls,
   so the output is the same bytes (`tests/unit/cli/test_cli_validate_quick.py` runs both paths on
   the same inputs and compares stdout, stderr and the exit code).

Ctrl-C exits 130 with `interrupt.MESSAGE` (the handler `entry.main` installed is still in place); a
closed stdout exits 141 as under the boundary; anything else is a bug and shows its traceback.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

QUIET = ("-q", "--quiet")
EXIT_BROKEN_PIPE = 141  # as `boundary.EXIT_BROKEN_PIPE`
PLUGINS_VAR = "PYDANTIC_DISABLE_PLUGINS"


def quick_args(argv: Sequence[str]) -> tuple[Path, bool] | None:
    """(FILE, quiet) when `argv` is `validate FILE` with at most `-q`/`--quiet` besides; else None."""
    if not argv or argv[0] != "validate":
        return None
    rest = list(argv[1:])
    quiet = any(arg in QUIET for arg in rest)
    files = [arg for arg in rest if arg not in QUIET]
    if len(files) != 1 or files[0].startswith("-") or not files[0] or len(rest) - len(files) > 1:
        return None
    return Path(files[0]), quiet


@contextlib.contextmanager
def no_pydantic_plugins() -> Iterator[None]:
    """`PYDANTIC_DISABLE_PLUGINS` while the scenario loads, as Typer sets it around its own pydantic
    use: pydantic then skips scanning every installed package's entry points for plugins (Tender has
    none; a third-party plugin would only observe the validation). Restored at once; nothing else
    runs meanwhile, so no other process or command sees it."""
    before = os.environ.get(PLUGINS_VAR)
    os.environ[PLUGINS_VAR] = "1"
    try:
        yield
    finally:
        if before is None:
            del os.environ[PLUGINS_VAR]
        else:
            os.environ[PLUGINS_VAR] = before


def run(file: Path, quiet: bool) -> int | None:
    """The exit code when answered here; None when the Typer command must answer (a bad file)."""
    with no_pydantic_plugins():  # (the import builds the first validators too)
        from tender.config import InputError, load_scenario

        try:
            sc = load_scenario(str(file))
        except InputError:
            return None
    if quiet:
        return 0
    from tender.cli.validate_summary import print_summary

    try:
        print_summary(sc, file)
    except OSError as exc:
        if exc.errno == errno.EPIPE:
            return EXIT_BROKEN_PIPE
        raise
    return 0
