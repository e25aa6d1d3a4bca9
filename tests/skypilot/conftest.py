"""Tests that need the real `skypilot` package: collected only where `sky` imports (the venv
tools/ci/skypilot-venv.sh builds). The dev venv cannot hold SkyPilot (click pins), so there
tests/integration/test_skypilot_side.py runs this directory in that venv as a subprocess.

Importing SkyPilot 0.14.1 warns (its `declarative_base`, passlib's `crypt` on Python 3.11): it is
imported once here with those import-time warnings silenced, and later `DeprecationWarning`s raised
from `sky.*` modules are ignored. Tender's own warnings stay errors.
"""

from __future__ import annotations

import importlib
import importlib.util
import warnings

import pytest

HAVE_SKY = importlib.util.find_spec("sky") is not None
collect_ignore_glob = [] if HAVE_SKY else ["test_*.py"]
if HAVE_SKY:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        importlib.import_module("sky")
        importlib.import_module("sky.server.common")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("filterwarnings", r"ignore::DeprecationWarning:sky(\..*)?$")
