"""Shared helpers of the service tests (imported by name: `conftest` is not importable from tests)."""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

from tender.ledger.sql import Database, token_store
from tender.service import ManualClock

REPO = Path(__file__).resolve().parents[3]
MINIMAL = (REPO / "examples" / "minimal.yaml").read_text(encoding="utf-8")
START = datetime(2026, 7, 1, tzinfo=UTC)


def make_token(db: Database, role: str, now: datetime = START) -> str:
    r, subject = token_store.parse_role(role)
    with db.write() as session:
        return token_store.create(session, role=r, subject=subject, now=now, created_by="test").token


@dataclass
class Service:
    client: TestClient
    db: Database
    clock: ManualClock
    tokens: dict[str, str] = field(default_factory=dict)

    def h(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def call(self, role: str | None, method: str, path: str, **kw: Any) -> Any:
        headers = {**(self.h(role) if role else {}), **kw.pop("headers", {})}
        return self.client.request(method, path, headers=headers, **kw)

    def upload_minimal(self) -> int:
        r = self.call("admin", "POST", "/api/v1/scenarios", json={"name": "minimal.yaml", "yaml": MINIMAL})
        assert r.status_code == 201, r.text
        return int(r.json()["id"])

    def raise_need(self, scenario: int, need_id: str = "n1", gpus: int = 20000, quotes: bool = True) -> Any:
        body = {
            "scenario": scenario,
            "need": {
                "id": need_id,
                "workload": "pretrain-x",
                "workload_class": "training",
                "gpu": "GB200",
                "gpus": gpus,
                "region": "us-central",
                "start": "2026-10-01",
                "months": 4,
                "price": "6.5",
            },
            "quotes": [{"provider": "rival-cloud-a", "price": "5.2", "gpus": gpus}] if quotes else [],
        }
        r = self.call("planner", "POST", "/api/v1/needs", json=body)
        assert r.status_code == 201, r.text
        return r.json()


ROLES = (
    "admin",
    "planner",
    "team:research",
    "team:vision",
    "provider:primary-cloud",
    "provider:rival-cloud-a",
)


def without_files(doc: dict[str, Any]) -> dict[str, Any]:
    """A `tender compare` document without its `file` paths (the API's and the CLI's differ there only)."""
    doc = json.loads(json.dumps(doc))
    doc["base"].pop("file")
    for v in doc["variants"]:
        v.pop("file")
    return doc
