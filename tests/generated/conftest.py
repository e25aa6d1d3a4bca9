"""Put this directory on sys.path so tests (and bench/sweep_generated.py) can `import scenario_gen`."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)
