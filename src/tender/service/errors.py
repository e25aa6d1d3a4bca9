"""One error shape for the whole API: `{"error": {"code", "message", "field"}}`, never a traceback.

1. `ApiError` is raised by routers and auth with an HTTP status, a reason code and, for bad input, the
   field path (e.g. `need.gpus`).
2. Request validation errors become 422 with the first failing field's path.
3. Starlette's HTTP errors (unknown route, wrong method) keep their status in the same shape (a body that
   cannot be decoded, FastAPI's 400, is a 422 like any other invalid input); a 405's
   `Allow` lists the methods of every route on that path (Starlette names only the first route's).
4. Anything else is logged with its traceback and answered with a bare 500 `internal`.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

log = logging.getLogger("tender.service")


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        field: str | None = None,
        problems: list[Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.problems = problems


def stored_output(what: str, ident: int, status: str | None, text: str | None) -> str:
    """A background job's stored output (a plan's, a study's, a comparison's): 404 when there is no such
    job (`status` None), 409 until it is done, else the text as stored."""
    if status is None:
        raise ApiError(404, "not_found", f"no {what} {ident}", f"{what}_id")
    if text is None:
        raise ApiError(409, "not_ready", f"{what} {ident} is {status}; its outputs exist once it is done")
    return text


def error_body(code: str, message: str, field: str | None = None, problems: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message, "field": field}
    if problems is not None:
        body["problems"] = problems
    return {"error": body}


def field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:] if parts[0] == "body" else parts
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route fully accepts on this request's path."""
    return [
        method
        for method in METHODS
        if any(r.matches({**request.scope, "method": method})[0] == Match.FULL for r in request.app.routes)
    ]


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        problems = [p.model_dump() if hasattr(p, "model_dump") else p for p in exc.problems or []] or None
        return JSONResponse(error_body(exc.code, exc.message, exc.field, problems), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = list(exc.errors())
        first = errors[0] if errors else {"loc": (), "msg": "invalid request"}
        path = field_path(tuple(first.get("loc", ())))
        message = str(first.get("msg", "invalid value"))
        if len(errors) > 1:
            message += f" (and {len(errors) - 1} more problem{'s' * (len(errors) > 2)})"
        return JSONResponse(error_body("invalid_input", f"{path}: {message}" if path else message, path), 422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed", 401: "unauthenticated"}.get(
            exc.status_code, "http_error"
        )
        if exc.status_code == 400:  # a body FastAPI could not decode (not UTF-8, not JSON, not a form)
            return JSONResponse(error_body("invalid_input", "the request body could not be parsed"), 422)
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(allowed_methods(request))
        return JSONResponse(error_body(code, str(exc.detail)), status_code=exc.status_code, headers=headers)

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return JSONResponse(error_body("internal", "internal error; see the server log"), status_code=500)
