"""Finding 3's second half: after a 500 the keep-alive connection is kept (real uvicorn, real socket).

The same failing route is served twice by uvicorn on 127.0.0.1: bare (Starlette re-raises after its 500,
and uvicorn then closes the connection: the finding, reproduced) and behind `tender.service.edge.Edge`
(the 500 is answered there and the next request on the same connection is served).
"""

from __future__ import annotations

import http.client
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.types import ASGIApp

from tender.service.edge import Edge


def _boom(_request: Request) -> PlainTextResponse:
    raise RuntimeError("a bug")


def _ok(_request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


def _app(*middleware: Middleware) -> Starlette:
    """Edge sits where `create_app` puts it: inside Starlette's outermost error middleware."""
    return Starlette(routes=[Route("/boom", _boom), Route("/ok", _ok)], middleware=list(middleware))


@contextmanager
def _served(app: ASGIApp) -> Iterator[int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:  # a server that cannot start (its thread died) fails, not spins
        if not thread.is_alive() or time.monotonic() > deadline:
            raise AssertionError(f"uvicorn did not start on 127.0.0.1:{port}")
        time.sleep(0.01)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(10)


def _second_request_on_the_same_connection(port: int) -> tuple[int, str | None, bool]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/boom")
    first = conn.getresponse()
    first.read()
    closing = first.getheader("connection")
    try:
        conn.request("GET", "/ok")
        served = conn.getresponse().read() == b"ok"
    except (ConnectionError, http.client.HTTPException):
        served = False
    conn.close()
    return first.status, closing, served


def test_a_500_keeps_the_connection_behind_the_edge() -> None:
    with _served(_app()) as port:
        status, closing, served = _second_request_on_the_same_connection(port)
    assert status == 500 and (closing == "close" or not served)  # the finding, without the edge
    with _served(_app(Middleware(Edge))) as port:
        status, closing, served = _second_request_on_the_same_connection(port)
    assert status == 500 and closing != "close" and served
