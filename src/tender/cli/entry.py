"""The `tender` script: Ctrl-C while the commands still load (imports, Typer building the command
tree, before the boundary in cli/boundary.py runs) exits 130 with one line as well."""

from __future__ import annotations

import sys


def main() -> None:
    try:
        from tender.cli.app import app

        app()
    except KeyboardInterrupt:
        sys.stderr.write("tender: interrupted (Ctrl-C)\n")
        raise SystemExit(130) from None
