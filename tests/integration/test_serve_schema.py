"""Schemathesis against the live OpenAPI document of a real `tender serve`: no input produces a 5xx.

Bounded (a few examples per operation) so that the run takes well under a minute on 2 cores.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from serve_process import ServeProcess, tokens

REPO = Path(__file__).resolve().parents[2]
MINIMAL = (REPO / "examples" / "minimal.yaml").read_text(encoding="utf-8")
TOKENS: dict[str, str] = {}


@pytest.fixture(scope="module")
def live_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    tmp = tmp_path_factory.mktemp("schema")
    url = f"sqlite:///{tmp / 'tender.db'}"
    TOKENS.update(tokens(url, ("admin", "planner", "team:research", "provider:primary-cloud")))
    with ServeProcess(url, tmp) as server:
        admin = {"Authorization": f"Bearer {TOKENS['admin']}"}
        httpx.post(f"{server.base}/api/v1/scenarios", json={"name": "m.yaml", "yaml": MINIMAL}, headers=admin)
        yield schemathesis.openapi.from_url(f"{server.base}/openapi.json")
    log_text = server.log_text()
    assert '"level": "error"' not in log_text, log_text[-3000:]


def _runner(operation: Any, headers: dict[str, str], failures: list[str]) -> Any:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=20,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
        derandomize=True,
    )
    def run(case: Any) -> None:
        response = case.call(headers=headers, timeout=30)
        if response.status_code >= 500:
            failures.append(
                f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:200]}"
            )

    return run


def test_no_server_errors(live_schema: Any) -> None:
    """Every operation, a bounded number of generated cases each (schemathesis' pytest plugin does not
    load under pytest 9, so the operations are driven directly with hypothesis)."""
    failures: list[str] = []
    operations = [result.ok() for result in live_schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:
        role = "provider:primary-cloud" if operation.path.endswith("/respond") else "admin"
        if operation.path in ("/api/v1/plans", "/api/v1/needs") and operation.method.upper() == "POST":
            role = "planner"
        if operation.path.startswith("/api/v1/jobs"):
            role = "team:research"
        _runner(operation, {"Authorization": f"Bearer {TOKENS[role]}"}, failures)()
    assert not failures, "\n".join(failures)
