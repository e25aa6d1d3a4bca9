"""Schemathesis (its CLI, `st run --checks all`) against the live OpenAPI document of a real `tender serve`.

Every check schemathesis has is enabled (server errors, status codes and content types and headers as
documented, response schemas, negative data rejected, positive data accepted, Allow headers, auth ignored,
use after free, ...), in every phase (examples, coverage, fuzzing, stateful), once per role token:
admin on every operation, planner, team and provider on the operations that role uses. Together they make
at least 1,000 cases; a run fails on any failure, and the server must have logged no error.
`schemathesis.toml` beside this file lists the one expectation changed, and why.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from serve_process import ServeProcess, h, tokens

REPO = Path(__file__).resolve().parents[2]
MINIMAL = (REPO / "examples" / "minimal.yaml").read_text(encoding="utf-8")
CONFIG = Path(__file__).with_name("schemathesis.toml")
ST = Path(sys.executable).with_name("st")
# role -> (operations it runs on, examples per operation)
RUNS = {
    "admin": (".*", 5),
    "planner": ("^/api/v1/(plans|needs|notices|scenarios/validate|ledger|audit)", 5),
    "team:research": ("^/api/v1/jobs", 10),
    "provider:primary-cloud": ("^/api/v1/notices", 10),
}
CASES = re.compile(r"(\d+) generated")


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServeProcess, dict[str, str]]]:
    tmp = tmp_path_factory.mktemp("schema")
    url = f"sqlite:///{tmp / 'tender.db'}"
    minted = tokens(url, tuple(RUNS))
    with ServeProcess(url, tmp) as server:
        r = httpx.post(
            f"{server.base}/api/v1/scenarios",
            json={"name": "m.yaml", "yaml": MINIMAL},
            headers=h(minted["admin"]),
        )
        assert r.status_code == 201, r.text
        yield server, minted
    log_text = server.log_text()
    assert '"level": "error"' not in log_text, log_text[-3000:]


def _run(server: ServeProcess, token: str, paths: str, examples: int) -> tuple[int, str]:
    command = [
        str(ST),
        "--config-file",
        str(CONFIG),
        "run",
        f"{server.base}/openapi.json",
        "--checks",
        "all",
        "--header",
        f"Authorization: Bearer {token}",
        "--include-path-regex",
        paths,
        "--max-examples",
        str(examples),
        "--workers",
        "1",
        "--seed",
        "15",
        "--generation-database",
        "none",
        "--no-color",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=server.tmp)
    return done.returncode, done.stdout + done.stderr


def test_schemathesis_every_check_every_role(live: tuple[ServeProcess, dict[str, str]]) -> None:
    server, minted = live
    total = 0
    for role, (paths, examples) in RUNS.items():
        code, output = _run(server, minted[role], paths, examples)
        assert code == 0, f"{role}:\n{output[-6000:]}"
        found = CASES.findall(output)
        assert found, output[-2000:]
        total += int(found[-1])
    assert total >= 1000, total
