"""A real `tender serve` process on 127.0.0.1 for the e2e and integration tests (imported by name:
`conftest` modules are not importable from tests).

1. `tokens(url, roles)` migrates the database at `url` and mints one API token per role.
2. `ServeProcess(url, tmp)` picks a free port; `start()` runs `tender serve` with `TENDER_DATABASE_URL=url`
   and `TENDER_HOME=tmp`, logs to a file in `tmp`, and waits (30 s) for /healthz (uvicorn answers only once
   start-up, migrations included, is done), failing if it exits early. `extra` adds `tender serve` options.
3. `kill()` sends SIGKILL; `stop()` terminates it (SIGKILL after 15 s) and closes the logs. `start()` may be
   called again after `kill()` (same port, same database, a new log file). It is also a context manager.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import httpx

from tender.ledger.sql import Database, token_store, upgrade

TENDER = [sys.executable, "-c", "from tender.cli.app import main; main()"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tokens(url: str, roles: tuple[str, ...], created_by: str = "t") -> dict[str, str]:
    db = Database(url)
    upgrade(db)
    out = {}
    with db.write() as session:
        for role in roles:
            r, subject = token_store.parse_role(role)
            out[role] = token_store.create(
                session, role=r, subject=subject, now=datetime.now(UTC), created_by=created_by
            ).token
    db.dispose()
    return out


def h(token: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **extra}


class ServeProcess:
    def __init__(self, url: str, tmp: Path, extra: tuple[str, ...] = ()) -> None:
        self.url, self.tmp, self.extra = url, tmp, extra
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.logs: list[IO[bytes]] = []
        self.log_paths: list[Path] = []

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {**os.environ, "TENDER_DATABASE_URL": self.url, "TENDER_HOME": str(self.tmp)}
        path = self.tmp / f"serve-{self.port}-{time.time_ns()}.log"
        log = open(path, "wb")  # noqa: SIM115
        self.logs.append(log)
        self.log_paths.append(path)
        self.proc = subprocess.Popen(
            [*TENDER, "serve", "--port", str(self.port), *self.extra],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        # 90 s: on a 2-core machine with other work running, `tender serve`'s imports and migrations took
        # more than 30 s once (load average 16-20); in CI it is ready in about 2 s
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None:
                self.stop()
                raise AssertionError(f"tender serve exited early:\n{self.log_text()[-2000:]}")
            time.sleep(0.1)
        self.stop()  # never leave the process behind (its Popen would warn in a later test)
        raise AssertionError(f"tender serve did not become ready in 90 s:\n{self.log_text()[-2000:]}")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
        for log in self.logs:
            log.close()

    def log_text(self) -> str:
        return "".join(p.read_text(encoding="utf-8", errors="replace") for p in self.log_paths)

    def __enter__(self) -> ServeProcess:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()
