"""The API's documentation: the OpenAPI document with every status an operation can return, and /docs.

1. `openapi(app)` is FastAPI's document plus the statuses the edge, auth and routers answer on every
   operation: 401/403 on everything authenticated (all of /api/v1, and /readyz and /metrics unless made
   public), 404 on operations with a path id, 413 and 422 on operations with a body, 422 with parameters.
2. `/docs` is Swagger UI served from the `fastapi-offline` wheel's assets (no CDN): the page, its
   stylesheet, its bundle and a small start-up script (`web/static/docs.js`) all come from this server.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, Response

HERE = Path(__file__).resolve().parent
DESCRIPTIONS = {
    401: "no token, or an unknown or revoked one",
    403: "the token's role may not do this (or a cross-origin request carrying the session cookie)",
    404: "no such resource (or one the caller may not know exists)",
    413: "request body larger than the route's limit",
    422: "invalid input; `error.field` names the field",
}
AUTHENTICATED_OPS = ("/readyz", "/metrics")
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tender API</title><link rel="icon" href="data:,">
<link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script><script src="/docs/docs.js"></script></body></html>
"""


ERROR_SCHEMA = {"$ref": "#/components/schemas/ErrorOut"}


def _error(code: int) -> dict[str, Any]:
    return {"description": DESCRIPTIONS[code], "content": {"application/json": {"schema": ERROR_SCHEMA}}}


def _document(operation: dict[str, Any], path: str) -> None:
    responses = operation.setdefault("responses", {})
    codes: set[int] = set()
    params = operation.get("parameters", [])
    if path.startswith("/api/v1") or path in AUTHENTICATED_OPS:
        codes |= {401, 403}
    if any(p.get("in") == "path" for p in params):
        codes.add(404)
    if "requestBody" in operation:
        codes |= {413, 422}
    if params:
        codes.add(422)
    for code in sorted(codes):
        responses.setdefault(str(code), _error(code))
    for code, response in responses.items():  # errors are JSON, also on routes answering HTML or CSV
        if code.startswith("4") and "content" in response:
            response["content"] = {"application/json": {"schema": ERROR_SCHEMA}}


def openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        for path, item in schema.get("paths", {}).items():
            for operation in item.values():
                _document(operation, path)
        app.openapi_schema = schema
    return app.openapi_schema


@cache
def _asset(name: str) -> bytes:
    import fastapi_offline

    if name == "docs.js":
        return (HERE / "web" / "static" / "docs.js").read_bytes()
    return (Path(fastapi_offline.__file__).resolve().parent / "static" / name).read_bytes()


ASSETS = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "docs.js": "text/javascript",
}


def install(app: FastAPI) -> None:
    app.openapi = lambda: openapi(app)  # type: ignore[method-assign]

    @app.get("/docs", include_in_schema=False)
    def docs_page() -> HTMLResponse:
        return HTMLResponse(PAGE)

    for name, media in ASSETS.items():
        app.add_api_route(f"/docs/{name}", _server(name, media), methods=["GET"], include_in_schema=False)


def _server(name: str, media: str) -> Any:
    def serve() -> Response:
        return Response(_asset(name), media_type=media, headers={"Cache-Control": "public, max-age=86400"})

    return serve
