"""Bearer tokens and roles; every denial is an error response AND an audit record.

1. `principal` reads `Authorization: Bearer <token>` (or the dashboard's `tender_token` cookie), hashes it
   and finds the token row (briefly cached). No or unknown token: 401 `unauthenticated`.
2. `require(*roles)` lets only those roles through; anyone else gets 403 `forbidden`.
3. Routers call `deny(...)` for finer checks (a provider asking for another provider's notice gets 404,
   so that the notice's existence does not leak).
4. Each denial appends an `access.denied` audit record: who, what, why.

Roles: `admin` manages tokens and scenarios; `planner` runs plans and raises needs; both read the lab's
views (plans, notices, ledger, audit). `team:NAME` submits and sees its own jobs. `provider:ID` sees only
notices addressed to it (redacted to what its clause entitles it to) and answers only its own open ones.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from tender.ledger.sql import audit_store, token_store
from tender.service.context import Context, ctx_of
from tender.service.errors import ApiError

COOKIE = "tender_token"
LAB_ROLES = ("admin", "planner")
bearer = HTTPBearer(auto_error=False, description="A token from `tender token create` or POST /api/v1/tokens")


@dataclass(frozen=True)
class Principal:
    token_id: str
    role: str
    subject: str | None

    @property
    def actor(self) -> str:
        return token_store.role_text(self.role, self.subject)

    @property
    def is_lab(self) -> bool:
        return self.role in LAB_ROLES


def audit_denial(
    ctx: Context, request: Request, who: Principal | None, status: int, code: str, why: str
) -> None:
    data = {
        "method": request.method,
        "path": request.url.path,
        "status": status,
        "code": code,
        "reason": why,
        "token": who.token_id if who else None,
    }
    with ctx.db.write() as session:
        audit_store.append(
            session, kind="access.denied", actor=who.actor if who else "anonymous", at=ctx.now(), data=data
        )


def deny(
    request: Request, who: Principal | None, status: int, code: str, message: str, field: str | None = None
) -> ApiError:
    """Record the denial and return the error to raise."""
    audit_denial(ctx_of(request), request, who, status, code, message)
    return ApiError(status, code, message, field)


def authenticate(ctx: Context, token: str) -> Principal | None:
    key = token_store.digest(token)
    cached = ctx.tokens.get(key)
    if cached is not None:
        return Principal(*cached)
    with ctx.db.read() as session:
        row = token_store.lookup(session, token)
        if row is None:
            return None
        found = (row.id, row.role, row.subject)
    ctx.tokens.put(key, found)
    return Principal(*found)


def principal(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)
) -> Principal:
    token = credentials.credentials if credentials is not None else request.cookies.get(COOKIE)
    if not token:
        raise deny(
            request, None, 401, "unauthenticated", "a bearer token is required (Authorization: Bearer ...)"
        )
    who = authenticate(ctx_of(request), token)
    if who is None:
        raise deny(request, None, 401, "unauthenticated", "unknown or revoked token")
    request.state.actor = who.actor
    return who


def require(*roles: str) -> Callable[..., Principal]:
    def check(request: Request, who: Principal = Depends(principal)) -> Principal:
        if who.role not in roles:
            raise deny(
                request, who, 403, "forbidden", f"role {who.role} may not {request.method} {request.url.path}"
            )
        return who

    return check


LabUser = Depends(require(*LAB_ROLES))
Admin = Depends(require("admin"))
Planner = Depends(require("planner"))
AnyUser = Depends(principal)
