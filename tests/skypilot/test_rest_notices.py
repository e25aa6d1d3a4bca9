"""`ContractPolicy` with `TENDER_URL` reads the notices a real `tender serve` holds (issue 17).

examples/frontier-lab.yaml, `TENDER_MONTH=3`: `train_gb200_rival.yaml` (pretrain-v6, GB200:4 x 2 at
AWS) can only go to rival-cloud-a us-east, new capacity inside `c-primary-rofr` (holder primary-cloud).
A need for pretrain-v6, GB200, us-east from 2026-09-01 (month 3) for 2 months, 2,304 GPUs covers it:
unanswered, SkyPilot's user sees `rofr_pending`; once the holder declines through the server's API,
the right releases the need's capacity, so the same request is rewritten to AWS us-east-1.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sky import exceptions
from sky_helpers import EXAMPLE, from_file, where

from serve_process import ServeProcess, h, tokens
from tender.integrations.skypilot import ContractPolicy

NEED = {
    "id": "n-pretrain-east",
    "workload": "pretrain-v6",
    "workload_class": "training",
    "gpu": "GB200",
    "gpus": 2304,
    "region": "us-east",
    "start": "2026-09-01",
    "months": 2,
    "price": "6.5",
}
ROLES = ("admin", "planner", "skypilot", "provider:primary-cloud")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    tmp = tmp_path_factory.mktemp("serve-notices")
    url = f"sqlite:///{tmp / 'tender.db'}"
    minted = tokens(url, ROLES)
    with ServeProcess(url, tmp) as proc:
        r = httpx.post(
            proc.base + "/api/v1/scenarios",
            json={"name": "frontier-lab.yaml", "yaml": EXAMPLE.read_text()},
            headers=h(minted["admin"]),
        )
        assert r.status_code == 201, r.text
        yield proc.base, minted


def test_a_declined_notice_lets_skypilot_launch_at_the_rival(
    server: tuple[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    base, minted = server
    monkeypatch.delenv("TENDER_SCENARIO", raising=False)
    monkeypatch.setenv("TENDER_MONTH", "3")
    monkeypatch.setenv("TENDER_URL", base)
    monkeypatch.setenv("TENDER_TOKEN", minted["skypilot"])
    scenario = httpx.get(base + "/api/v1/scenarios", headers=h(minted["admin"])).json()[0]["id"]
    body = {
        "scenario": scenario,
        "need": NEED,
        "quotes": [{"provider": "rival-cloud-a", "price": "5.2", "gpus": 2304}],
    }
    r = httpx.post(base + "/api/v1/needs", json=body, headers=h(minted["planner"]))
    assert r.status_code == 201, r.text
    notice = r.json()["notices"][0]["id"]
    with pytest.raises(exceptions.UserRequestRejectedByPolicy, match=f"notice {notice} is open"):
        ContractPolicy.validate_and_mutate(from_file("train_gb200_rival.yaml"))
    answer = httpx.post(
        f"{base}/api/v1/notices/{notice}/respond",
        json={"action": "decline"},
        headers=h(minted["provider:primary-cloud"]),
    )
    assert answer.status_code == 200, answer.text
    mutated = ContractPolicy.validate_and_mutate(from_file("train_gb200_rival.yaml"))
    assert where(mutated.task) == [("AWS", "us-east-1", {"GB200": 4}, False)]
