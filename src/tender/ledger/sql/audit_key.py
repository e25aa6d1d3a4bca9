"""The server's HMAC key for audit checkpoints (`anchor.py`): explicit, else the environment, else a file.

`resolve_key(explicit)`: the explicit key (Settings.audit_key), else `TENDER_AUDIT_KEY`, else
`$TENDER_HOME/audit.key` (64 hex characters of randomness, created once with mode 0600; several
processes starting at once agree on the first one written). Every process writing to one database must
use the same key (same TENDER_HOME, or the same TENDER_AUDIT_KEY).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from tender.ledger.sql.engine import tender_home

KEY_ENV = "TENDER_AUDIT_KEY"
KEY_FILE = "audit.key"


def resolve_key(explicit: bytes | None = None, home: Path | None = None, create: bool = True) -> bytes | None:
    """The HMAC key (step 1); None when there is none and `create` is False."""
    if explicit:
        return explicit
    env = os.environ.get(KEY_ENV)
    if env:
        return env.encode("utf-8")
    path = (home or tender_home()) / KEY_FILE
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        if not create:
            return None
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return path.read_bytes().strip()
    with os.fdopen(fd, "wb") as fh:
        fh.write(secrets.token_hex(32).encode("ascii"))
    return path.read_bytes().strip()
