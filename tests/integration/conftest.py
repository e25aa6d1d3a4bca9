"""Integration-only helpers; the engine fixtures themselves live in tests/conftest.py (shared with e2e).

1. Every test under tests/integration is marked `integration` and `requires_engine`.
2. `slurm_restored` gives a test a healthy Slurm and puts back any daemon the test killed.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import engines


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/integration/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.integration)
            item.add_marker(pytest.mark.requires_engine)


@pytest.fixture
def slurm_restored(slurm_cluster: object) -> Iterator[object]:
    engines.ensure_slurm_up()
    yield slurm_cluster
    engines.ensure_slurm_up()
