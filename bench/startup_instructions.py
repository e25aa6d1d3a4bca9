"""Start-up as instructions executed (valgrind), a count the machine's load does not change.

Usage: .venv/bin/python bench/startup_instructions.py [--base-src OTHER/src]

bench/bench_startup.py's wall-clock ratios swing with the load of a shared machine (2 cores, several
sessions); this counts, for `python -c pass`, `tender --help`, `tender --version` and
`tender validate examples/minimal.yaml`, the instructions each fresh process executes (`valgrind
--tool=callgrind`, bytecode cached as bench_startup.py has it), for this checkout and, with
`--base-src`, another one's `src` (`PYTHONPATH`), and prints each count and its ratio to `python -c pass`.
An instruction ratio is not the wall-clock ratio of the targets (a `python -c pass` spends more of its
time outside the interpreter loop); it shows what a change removed, exactly and repeatably.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = {
    "pass": ["-c", "pass"],
    "help": ["-m", "tender.cli", "--help"],
    "version": ["-m", "tender.cli", "--version"],
    "validate": ["-m", "tender.cli", "validate", "examples/minimal.yaml"],
}


def instructions(args: list[str], env: dict[str, str]) -> int:
    """Instructions of one run of `python ARGS` (callgrind's "Collected" total)."""
    cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, *args]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    found = re.search(r"Collected : (\d+)", proc.stderr)
    if found is None:
        raise SystemExit(f"{' '.join(args)}: no count from valgrind\n{proc.stderr[-2000:]}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-src", type=Path, help="another checkout's src/ to count as well")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed")
    trees = {"this": ROOT / "src"} | ({"base": args.base_src.resolve()} if args.base_src else {})
    with tempfile.TemporaryDirectory() as tmp:
        base_env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        base_env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        for name, src in trees.items():
            env = base_env | {"PYTHONPATH": str(src)}
            for argv in COMMANDS.values():  # warm the bytecode cache
                subprocess.run([sys.executable, *argv], cwd=ROOT, env=env, capture_output=True, timeout=300)
            counts = {cmd: instructions(argv, env) for cmd, argv in COMMANDS.items()}
            for cmd, count in counts.items():
                print(
                    f"{name:<5} {cmd:<9} {count / 1e6:9.1f} M instructions  {count / counts['pass']:6.1f}x pass"
                )


if __name__ == "__main__":
    main()
