"""The `tender` script: Ctrl-C while the commands still load exits 130 with one line as well.

Until the boundary (cli/boundary.py) starts the command, SIGINT ends the process at once: nothing
has been written yet, and a KeyboardInterrupt raised inside a native extension that is loading
(pydantic-core building a validator) would be swallowed ("Exception ignored in ...") and the command
would run on. The boundary puts Python's own handler back before the command runs.

The cyclic collector runs less often (`gc.set_threshold(200_000, 30, 30)`, as mypy sets it): the
imports and the planner make hundreds of thousands of objects that live until the command ends, and
at the default threshold (700 allocations) the collector scanned them 196 times in one `tender plan`,
40 ms of its time outside the solver (78 times and 16 ms in `tender validate`); now it never runs
there, and a long command (`serve`, a trace replay) still collects every 200,000 allocations.

When the command is over, the objects it made are frozen (`gc.freeze`): the interpreter's shutdown
then skips its last full collection over every object the imports and the command made (measured:
`tender plan` ended 65-145 ms after its last line ran, 15-34 ms frozen; load 2-3). Outputs are already
written, renamed and flushed by then; `atexit` handlers still run. An interrupted command skips the
shutdown altogether (`interrupt.leave_interrupted`: `atexit` handlers run, then `os._exit(130)`).
"""

from __future__ import annotations

import gc
import signal
import sys

from tender.cli.interrupt import EXIT_INTERRUPTED, MESSAGE, leave_at_once, leave_interrupted

GC_THRESHOLD = (200_000, 30, 30)


def main() -> None:
    gc.set_threshold(*GC_THRESHOLD)
    if sys.argv[1:] == ["--version"]:  # answered before the commands load (`tender X --version`: boundary.py)
        from tender import __version__

        sys.stdout.write(f"tender {__version__}\n")
        return
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, leave_at_once)
    try:
        from tender.cli.validate_quick import quick_args, run

        quick = quick_args(sys.argv[1:])  # `validate FILE [-q]`: answered without Typer when valid
        code = run(*quick) if quick is not None else None
        if code is not None:
            raise SystemExit(code)
        from tender.cli.registry import for_args

        for_args(sys.argv[1:])()
    except KeyboardInterrupt:
        sys.stderr.write(MESSAGE.decode())
        leave_interrupted()
    except SystemExit as exc:
        if exc.code == EXIT_INTERRUPTED:  # the boundary's answer to a Ctrl-C (it printed the line)
            leave_interrupted()
        raise
    finally:
        gc.freeze()
