"""The `tender` script: Ctrl-C while the commands' modules are still loading exits 130 as well."""

from __future__ import annotations

import sys


def main() -> None:
    try:
        from tender.cli.app import app
    except KeyboardInterrupt:
        sys.stderr.write("tender: interrupted (Ctrl-C)\n")
        raise SystemExit(130) from None
    app()
