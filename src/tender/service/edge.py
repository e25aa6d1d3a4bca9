"""The service's edge: pure ASGI middleware every HTTP request passes before routing and authentication.

1. Errors: an exception escaping a route is logged and answered 500 `internal` here, so the server keeps
   the connection (keep-alive) instead of resetting it.
2. Headers: every response gets `policy.COMMON_HEADERS`, a Content-Security-Policy by kind of response
   (`policy.content_security_policy`) and `Cache-Control: no-store` unless the route set its own.
3. Origin: a state-changing request (not GET/HEAD/OPTIONS) that carries the session cookie and no
   `Authorization: Bearer` header (auth then falls back to the cookie) must come from this server's own origin (`Origin`, else `Referer`); so must a
   login form. Otherwise 403 `cross_origin`, audited. Bearer-token requests are not affected.
4. Body limit (`policy.body_limit`): a `Content-Length` over the route's limit is answered 413 at once,
   nothing read; otherwise the body is read up to the limit (a chunked body is refused as soon as it
   passes it) and replayed to the application.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tender.service import policy
from tender.service.errors import error_body

log = logging.getLogger("tender.service")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
COOKIE = b"tender_token="


class TooLarge(Exception):
    pass


def _json(status: int, body: dict[str, Any], close: bool = False) -> tuple[Message, Message]:
    data = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
    if close:
        headers.append((b"connection", b"close"))
    start = {"type": "http.response.start", "status": status, "headers": headers}
    return start, {"type": "http.response.body", "body": data}


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _own_origin(scope: Scope) -> str:
    host = _header(scope, b"host") or ""
    return f"{scope.get('scheme', 'http')}://{host}".lower()


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else ""


def cross_origin(scope: Scope) -> str | None:
    """Why this request must be refused as a cross-site request, or None."""
    if scope["method"] in SAFE_METHODS:
        return None
    bearer = (_header(scope, b"authorization") or "").lower().startswith("bearer ")
    cookie_auth = COOKIE in (_header(scope, b"cookie") or "").encode("latin-1") and not bearer
    if not cookie_auth and scope["path"] != "/login":
        return None
    origin = _header(scope, b"origin")
    source = origin if origin is not None else _header(scope, b"referer")
    if source is None:
        return (
            "a request authenticated by the session cookie must carry Origin or Referer"
            if cookie_auth
            else None
        )
    if _origin_of(source) != _own_origin(scope):
        return f"cross-origin request from {source[:100]!r} refused (only {_own_origin(scope)} may use the cookie)"
    return None


class Edge:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message = _with_headers(scope, message)
            await send(message)

        try:
            await self._handle(scope, receive, send_with_headers)
        except Exception as exc:
            log.exception("unhandled error", exc_info=exc)
            if started:
                raise
            for message in _json(500, error_body("internal", "internal error; see the server log")):
                await send_with_headers(message)

    async def _handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        why = cross_origin(scope)
        if why is not None:
            await _audit_cross_origin(scope, why)
            for message in _json(403, error_body("cross_origin", why)):
                await send(message)
            return
        limit = policy.body_limit(scope["path"])
        try:
            body = await _read_body(scope, receive, limit)
        except TooLarge:
            text = f"request body too large (this route accepts at most {limit:,} bytes)"
            for message in _json(413, error_body("body_too_large", text), close=True):
                await send(message)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def _read_body(scope: Scope, receive: Receive, limit: int) -> bytes:
    declared = _header(scope, b"content-length")
    if declared is not None and declared.strip().isdigit() and int(declared) > limit:
        raise TooLarge
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":  # the client went away
            return b"".join(chunks)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise TooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _with_headers(scope: Scope, message: Message) -> Message:
    headers = list(message.get("headers", []))
    names = {k.lower() for k, _ in headers}
    content_type = next((v.decode("latin-1") for k, v in headers if k.lower() == b"content-type"), "")
    extra = [(k, v) for k, v in policy.COMMON_HEADERS if k not in names]
    if b"content-security-policy" not in names:
        csp = policy.content_security_policy(scope["path"], content_type)
        extra.append((b"content-security-policy", csp.encode()))
    if b"cache-control" not in names:
        extra.append((b"cache-control", b"no-store"))
    return {**message, "headers": headers + extra}


async def _audit_cross_origin(scope: Scope, why: str) -> None:
    from tender.service.auth import audit_denial  # auth imports errors; keep the edge import-light
    from tender.service.context import ctx_of

    request = Request(scope)
    try:
        await run_in_threadpool(audit_denial, ctx_of(request), request, None, 403, "cross_origin", why)
    except Exception:  # the refusal stands even if the audit write fails; the log says why
        log.exception("could not audit a cross-origin refusal")
