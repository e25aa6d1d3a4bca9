"""The REST endpoint through SkyPilot's own RESTful admin-policy client, against a real `tender serve`.

`sky.admin_policy.RestfulAdminPolicy(URL)` is what a SkyPilot API server runs for
`admin_policy: https://...`: it posts `UserRequest.encode()` and decodes the answer with
`MutatedUserRequest.decode`; a 400 becomes `UserRequestRejectedByPolicy`. The token rides in the URL
(`http://skypilot:TOKEN@host/...`, sent as HTTP Basic by SkyPilot's `requests`). `ContractPolicy` with
`TENDER_URL` goes through the same endpoint. The server runs on 127.0.0.1 with a SQLite database.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sky import admin_policy, exceptions
from sky.server.requests.request_names import AdminPolicyRequestName
from sky_helpers import EXAMPLE, from_file, where

from serve_process import ServeProcess, tokens
from tender.integrations.skypilot import ContractPolicy

PATH = "/api/v1/integrations/skypilot/policy"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    tmp = tmp_path_factory.mktemp("serve")
    url = f"sqlite:///{tmp / 'tender.db'}"
    minted = tokens(url, ("admin", "skypilot"))
    with ServeProcess(url, tmp) as proc:
        r = httpx.post(
            proc.base + "/api/v1/scenarios",
            json={"name": "frontier-lab.yaml", "yaml": EXAMPLE.read_text()},
            headers={"Authorization": f"Bearer {minted['admin']}"},
        )
        assert r.status_code == 201, r.text
        yield proc.base, minted


def _policy(base: str, token: str, month: int = 3) -> admin_policy.RestfulAdminPolicy:
    host = base.removeprefix("http://")
    return admin_policy.RestfulAdminPolicy(f"http://skypilot:{token}@{host}{PATH}?month={month}")


def test_skypilots_restful_client_gets_the_rewritten_task(server: tuple[str, dict[str, str]]) -> None:
    base, minted = server
    mutated = _policy(base, minted["skypilot"]).apply(from_file("api_h100_any_of.yaml"))
    assert where(mutated.task) == [
        ("Azure", "centralus", {"H100": 8}, False),
        ("Azure", "westeurope", {"H100": 8}, False),
    ]


def test_skypilots_restful_client_shows_the_rejection(server: tuple[str, dict[str, str]]) -> None:
    base, minted = server
    request = from_file("train_gb200_rival.yaml", AdminPolicyRequestName.JOBS_LAUNCH)
    with pytest.raises(exceptions.UserRequestRejectedByPolicy, match=r"rofr_pending \[c-primary-rofr\]"):
        _policy(base, minted["skypilot"]).apply(request)


def test_python_and_rest_give_the_same_task(
    server: tuple[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    base, minted = server
    monkeypatch.setenv("TENDER_MONTH", "3")
    monkeypatch.setenv("TENDER_SCENARIO", str(EXAMPLE))
    monkeypatch.delenv("TENDER_URL", raising=False)
    files = ("api_h100_anywhere.yaml", "eu_inference.yaml", "train_gb200_anywhere.yaml")
    local = [where(ContractPolicy.validate_and_mutate(from_file(f)).task) for f in files]
    monkeypatch.delenv("TENDER_SCENARIO")
    monkeypatch.setenv("TENDER_URL", base)
    monkeypatch.setenv("TENDER_TOKEN", minted["skypilot"])
    remote = [where(ContractPolicy.validate_and_mutate(from_file(f)).task) for f in files]
    assert remote == local
    with pytest.raises(exceptions.UserRequestRejectedByPolicy, match="rofr_pending"):
        ContractPolicy.validate_and_mutate(from_file("train_gb200_rival.yaml"))


def test_a_wrong_token_is_refused(server: tuple[str, dict[str, str]], tmp_path: Path) -> None:
    base, _ = server
    with pytest.raises(exceptions.RestfulPolicyError):
        _policy(base, "wrong").apply(from_file("api_h100_anywhere.yaml"))
