"""Issue 15 against a real `tender serve` process: what an attacker sends costs little and breaks nothing.

1. The 236-byte alias bomb is refused with a 4xx in under a second, and the server's resident memory
   (its own /proc/PID/status, peak included) grows by less than 50 MB.
2. A 10 MB body is refused with 413 after the server read at most the route's limit: the test sends the
   headers and a little of the body, gets the 413, and never sends the rest (also chunked, also anonymous).
3. Ids beyond 64 bits are 404 and, like every other error, leave the keep-alive connection usable.
4. The audit chain cut at the tail: `tender audit verify --database URL` exits 1 naming the record.
"""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from audit_tamper import cut_audit_tail
from serve_process import TENDER, ServeProcess, h, tokens

REPO = Path(__file__).resolve().parents[2]
MINIMAL = (REPO / "examples" / "minimal.yaml").read_text(encoding="utf-8")
BOMB = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
    f"{b}: &{b} [{','.join([f'*{a}'] * 9)}]\n" for a, b in zip("abcdef", "bcdefg", strict=True)
)
MB = 1024 * 1024


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServeProcess, dict[str, str]]]:
    tmp = tmp_path_factory.mktemp("hostile")
    url = f"sqlite:///{tmp / 'tender.db'}"
    minted = tokens(url, ("admin", "planner", "team:research"))
    with ServeProcess(url, tmp) as server:
        yield server, minted


def _rss(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a process in bytes: its resident memory now and at its peak."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line
    )
    return int(fields["VmRSS"].split()[0]) * 1024, int(fields["VmHWM"].split()[0]) * 1024


def test_the_alias_bomb_is_cheap_to_refuse(live: tuple[ServeProcess, dict[str, str]]) -> None:
    server, minted = live
    assert server.proc is not None
    assert len(BOMB.encode()) == 236
    with httpx.Client(base_url=server.base, headers=h(minted["planner"]), timeout=30) as client:
        client.get("/api/v1/plans")  # warm the process up: imports and the first query are not the bomb's
        rss_before, _ = _rss(server.proc.pid)
        started = time.monotonic()
        r = client.post("/api/v1/scenarios/validate", json={"name": "bomb.yaml", "yaml": BOMB})
        elapsed = time.monotonic() - started
        _, peak_after = _rss(server.proc.pid)
    assert 400 <= r.status_code < 500, r.text
    assert r.json()["error"]["code"] == "input_too_large"
    assert elapsed < 1.0, f"took {elapsed:.2f} s"
    assert peak_after - rss_before < 50 * MB, f"grew {(peak_after - rss_before) / MB:.1f} MB"


def _raw(server: ServeProcess, head: bytes, body: bytes) -> tuple[bytes, float]:
    """Send `head` then `body`, read the answer; the rest of a declared body is never sent."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(head + body)
        started = time.monotonic()
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        return data, time.monotonic() - started


@pytest.mark.parametrize("who", ["team:research", None])
def test_a_10_mb_body_is_refused_before_it_is_read(
    live: tuple[ServeProcess, dict[str, str]], who: str | None
) -> None:
    server, minted = live
    auth = f"Authorization: Bearer {minted[who]}\r\n".encode() if who else b""
    head = (
        b"POST /api/v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + auth
        + f"Content-Length: {10 * MB}\r\n\r\n".encode()
    )
    answer, _ = _raw(server, head, b'{"name": "' + b"x" * 1000)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def test_a_chunked_body_is_cut_at_the_limit(live: tuple[ServeProcess, dict[str, str]]) -> None:
    server, minted = live
    head = (
        b"POST /api/v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + f"Authorization: Bearer {minted['team:research']}\r\n".encode()
        + b"Transfer-Encoding: chunked\r\n\r\n"
    )
    chunk = b"x" * 32768
    body = b"".join(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n" for _ in range(4))  # 128 KiB, no end
    answer, _ = _raw(server, head, body)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def test_errors_keep_the_connection(live: tuple[ServeProcess, dict[str, str]]) -> None:
    server, minted = live
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    paths = [
        "/api/v1/scenarios/32771238289377869824",
        "/api/v1/plans/9223372036854775809",
        "/api/v1/plans/9223372036854775809/report",
        "/api/v1/plans/9223372036854775809/plan.json",
        "/api/v1/scenarios/validate",
        "/api/v1/plans",
    ]
    statuses = []
    for path in paths:
        conn.request("GET", path, headers=h(minted["admin"]))
        response = conn.getresponse()
        response.read()
        statuses.append(response.status)
        assert response.getheader("connection") != "close", path
    sock = conn.sock
    assert sock is not None  # the same socket served every request: never reset
    conn.close()
    assert statuses == [404, 404, 404, 404, 405, 200]


def test_a_cut_tail_is_detected_by_the_cli(live: tuple[ServeProcess, dict[str, str]], tmp_path: Path) -> None:
    server, minted = live
    admin = h(minted["admin"])
    for i in range(4):
        r = httpx.post(
            f"{server.base}/api/v1/scenarios", json={"name": f"m{i}.yaml", "yaml": MINIMAL}, headers=admin
        )
        assert r.status_code == 201, r.text
    exported = tmp_path / "audit.jsonl"
    exported.write_bytes(httpx.get(f"{server.base}/api/v1/audit/export.jsonl", headers=admin).content)
    checkpoint = tmp_path / "checkpoint.json"
    checkpoint.write_text(httpx.get(f"{server.base}/api/v1/audit/checkpoint", headers=admin).text)
    records = exported.read_bytes().count(b"\n")
    env = {"TENDER_HOME": str(server.tmp), "PATH": "/usr/bin:/bin"}

    def verify(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*TENDER, "audit", "verify", *args], capture_output=True, text=True, env=env)

    ok = verify("--database", server.url)
    assert ok.returncode == 0 and "signatures checked" in ok.stdout, ok.stderr
    assert verify(str(exported), "--checkpoint", str(checkpoint)).returncode == 0
    cut = tmp_path / "cut.jsonl"
    cut.write_bytes(b"".join(exported.read_bytes().splitlines(keepends=True)[:-2]))
    bad = verify(str(cut), "--checkpoint", str(checkpoint))
    assert bad.returncode == 1 and f"record {records}" in bad.stderr and "Traceback" not in bad.stderr
    head = json.loads(checkpoint.read_text())["hash"]
    assert verify(str(cut), "--head", head).returncode == 1
    cut_audit_tail(server.url, 2)
    bad = verify("--database", server.url)
    assert bad.returncode == 1 and "truncated" in bad.stderr, bad.stdout + bad.stderr
    assert bad.stderr.count("\n") == 1  # one line
