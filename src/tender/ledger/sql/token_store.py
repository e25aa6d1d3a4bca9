"""API tokens: the secret is shown once; only its sha256 is stored.

Token text: `tnd_<id>_<secret>` where `<id>` is the public token id (listed, revocable) and `<secret>` is
32 random bytes (URL-safe base64). Lookup hashes the presented text and finds the row by hash.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tender.ledger.sql.models import ApiToken
from tender.ledger.sql.paging import Page, page

ROLES = ("admin", "planner", "team", "provider")


@dataclass(frozen=True)
class NewToken:
    id: str
    token: str  # the secret; never stored, never shown again
    role: str
    subject: str | None


def parse_role(text: str) -> tuple[str, str | None]:
    """`admin` | `planner` | `skypilot` | `team:NAME` | `provider:ID` -> (role, subject); ValueError otherwise.

    `skypilot` may only ask the SkyPilot admin-policy endpoint (a SkyPilot API server holds it)."""
    role, _, subject = text.partition(":")
    if role in ("admin", "planner", "skypilot") and not subject:
        return role, None
    if role in ("team", "provider") and subject.strip() and len(subject) <= 128:
        return role, subject.strip()
    raise ValueError(
        f"invalid role {text!r}: expected admin, planner, skypilot, team:NAME or provider:ID (NAME/ID non-empty)"
    )


def role_text(role: str, subject: str | None) -> str:
    return f"{role}:{subject}" if subject else role


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create(
    session: Session, *, role: str, subject: str | None, now: datetime, created_by: str, label: str = ""
) -> NewToken:
    token_id = "tok_" + secrets.token_hex(8)
    secret = f"tnd_{token_id[4:]}_{secrets.token_urlsafe(32)}"
    session.add(
        ApiToken(
            id=token_id,
            token_hash=digest(secret),
            role=role,
            subject=subject,
            label=label,
            created_at=now,
            created_by=created_by,
            revoked_at=None,
        )
    )
    session.flush()
    return NewToken(token_id, secret, role, subject)


def lookup(session: Session, token: str) -> ApiToken | None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(token)))
    return row if row is not None and row.revoked_at is None else None


def list_tokens(session: Session, offset: int = 0, limit: int = 100) -> Page[ApiToken]:
    return page(session, select(ApiToken), (ApiToken.created_at, ApiToken.id), offset, limit)


def revoke(session: Session, token_id: str, now: datetime) -> bool:
    row = session.get(ApiToken, token_id)
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = now
    return True
