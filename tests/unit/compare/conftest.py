"""Put tests/generated on sys.path so the balance test can use the seeded scenario generator."""

from __future__ import annotations

import sys
from pathlib import Path

GENERATED = str(Path(__file__).resolve().parents[2] / "generated")
if GENERATED not in sys.path:
    sys.path.insert(0, GENERATED)
