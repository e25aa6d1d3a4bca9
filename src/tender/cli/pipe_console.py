"""The Rich console of every command (`tender.cli.output.console` / `err_console` make one on first use)."""

from __future__ import annotations

from typing import Any

from rich.console import Console, ConsoleDimensions

PIPE_WIDTH = 1000  # columns a table may take when the stream is not a terminal (never cut to fit)


class PipeConsole(Console):
    """A Rich console that lays tables out at their full width when its stream is not a terminal.

    Rich otherwise asks the terminal of *any* standard stream (or assumes 80 columns), so
    `tender plan ... | tee out.txt` cut provider names and totals to `jv-d…`.

    The console lives as long as the process and outlives a command (tests invoke many); Rich would
    freeze `COLUMNS` as it was when the console was made, so a width not given explicitly is left to
    `size`, which reads the environment at each print."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kwargs.get("width") is None:
            self._width = None

    @property
    def size(self) -> ConsoleDimensions:
        size = Console.size.fget(self)  # type: ignore[attr-defined]
        if self._width is None and not self.is_terminal:
            return ConsoleDimensions(PIPE_WIDTH, size.height)
        return size  # type: ignore[no-any-return]

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        Console.size.fset(self, new_size)  # type: ignore[attr-defined]
