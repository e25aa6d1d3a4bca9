"""Integration-only helpers; the engine fixtures themselves live in tests/conftest.py (shared with e2e).

1. Every test under tests/integration is marked `integration` and `requires_engine`.
2. `slurm_restored` gives a test a healthy Slurm and puts back any daemon the test killed;
   `ray_restored` does the same for the Ray head (restarted whole when its Jobs API is gone).
3. `serve_db` runs a test twice: on a SQLite file in its tmp_path, and on a PostgreSQL database of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import engines
from fresh_database import fresh_postgres_database


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


@pytest.fixture
def ray_restored(ray_cluster: object) -> Iterator[object]:
    engines.ensure_ray_up()
    yield ray_cluster
    engines.ensure_ray_up()


@pytest.fixture(params=["sqlite", "postgresql"])
def serve_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tender.db'}"
        return
    with fresh_postgres_database(request.getfixturevalue("postgres_url"), "tender_s") as url:
        yield url
