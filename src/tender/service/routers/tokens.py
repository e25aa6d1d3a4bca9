"""/api/v1/tokens: admins create, list and revoke tokens (the secret is returned once)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from tender.ledger.sql import audit_store, token_store
from tender.ledger.sql.models import ApiToken
from tender.service.auth import Admin, Principal
from tender.service.context import ctx_of
from tender.service.errors import ApiError
from tender.service.paging import TOTAL_HEADERS, PageParams, PageQ, set_total
from tender.service.payloads import TokenIn, TokenOut

router = APIRouter(prefix="/api/v1/tokens", tags=["tokens"])


def _out(row: ApiToken, secret: str | None = None) -> TokenOut:
    return TokenOut(
        id=row.id,
        role=token_store.role_text(row.role, row.subject),
        label=row.label,
        created_at=row.created_at,
        created_by=row.created_by,
        revoked=row.revoked_at is not None,
        token=secret,
    )


@router.post("", status_code=201, response_model=TokenOut)
def create_token(body: TokenIn, request: Request, who: Principal = Admin) -> TokenOut:
    try:
        role, subject = token_store.parse_role(body.role)
    except ValueError as exc:
        raise ApiError(422, "invalid_input", str(exc), "role") from exc
    ctx = ctx_of(request)
    with ctx.db.write() as session:
        new = token_store.create(
            session, role=role, subject=subject, now=ctx.now(), created_by=who.actor, label=body.label
        )
        audit_store.append(
            session,
            kind="token.created",
            actor=who.actor,
            at=ctx.now(),
            data={"token": new.id, "role": body.role},
        )
        row = session.get(ApiToken, new.id)
        assert row is not None
        return _out(row, new.token)


@router.get("", response_model=list[TokenOut], responses={200: {"headers": TOTAL_HEADERS}})
def list_tokens(
    request: Request, response: Response, params: PageParams = PageQ, _who: Principal = Admin
) -> list[TokenOut]:
    with ctx_of(request).db.read() as session:
        found = token_store.list_tokens(session, params.offset, params.limit)
    set_total(request, response, params, found.total)
    return [_out(row) for row in found.items]


@router.delete("/{token_id}", response_model=TokenOut)
def revoke_token(token_id: str, request: Request, who: Principal = Admin) -> TokenOut:
    ctx = ctx_of(request)
    with ctx.db.write() as session:
        if not token_store.revoke(session, token_id, ctx.now()):
            raise ApiError(404, "not_found", f"no active token {token_id}", "token_id")
        audit_store.append(
            session, kind="token.revoked", actor=who.actor, at=ctx.now(), data={"token": token_id}
        )
        row = session.get(ApiToken, token_id)
        assert row is not None
        out = _out(row)
    ctx.tokens.clear()
    return out
