"""What the edge (`edge.py`) enforces: body limits per route and security headers.

(Ids outside their INTEGER column are a 404 in the stores: `tender.ledger.sql.plan_store.MAX_ID`.)

Body limits (bytes of request body; documented in docs/serve.md):

| route | limit |
|---|---|
| `POST /api/v1/scenarios`, `POST /api/v1/scenarios/validate` | 4 MiB (a scenario's YAML in JSON) |
| `POST /api/v1/comparisons` | 4 MiB (up to 20 overlays of 32,768 characters, each 6 bytes at most in JSON) |
| `POST /api/v1/jobs`, `POST /api/v1/needs` | 64 KiB |
| everything else (tokens, plans, answers, login, portal forms) | 16 KiB |
"""

from __future__ import annotations

import re

KIB = 1024
SCENARIO_BODY = 4 * 1024 * KIB
SPEC_BODY = 64 * KIB
DEFAULT_BODY = 16 * KIB

_LIMITS: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(r"^/api/v1/scenarios(/validate)?/?$"), SCENARIO_BODY),
    (re.compile(r"^/api/v1/comparisons/?$"), SCENARIO_BODY),
    (re.compile(r"^/api/v1/(jobs|needs)/?$"), SPEC_BODY),
)


def body_limit(path: str) -> int:
    for pattern, limit in _LIMITS:
        if pattern.match(path):
            return limit
    return DEFAULT_BODY


# --- security headers ------------------------------------------------------------------------------

COMMON_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),  # not no-referrer: Chromium would then send `Origin: null`
    (b"cross-origin-opener-policy", b"same-origin"),
)

# The API answers data, never a document to render.
CSP_API = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# Dashboard, portal, login: scripts only from this server (plotly.js is /static/plotly.min.js), no inline
# script. Styles: this server's, plus the inline styles plotly.js sets on the charts it draws (a style
# cannot run code; scripts stay strict).
CSP_PAGES = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
# The API docs (Swagger UI from the fastapi-offline wheel): Swagger UI sets inline styles.
CSP_DOCS = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; frame-ancestors 'none'"
)
# A plan's report is the planner's self-contained file (plotly.js inlined): it runs sandboxed, in an
# opaque origin, so its scripts can neither read the session cookie nor call the API as the user.
CSP_REPORT = (
    "sandbox allow-scripts; default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data:; font-src data:; base-uri 'none'; frame-ancestors 'none'"
)

_REPORT = re.compile(r"^/api/v1/plans/[^/]+/report$")


def content_security_policy(path: str, content_type: str) -> str:
    if _REPORT.match(path):
        return CSP_REPORT
    if path == "/docs" or path.startswith("/docs/"):
        return CSP_DOCS
    if content_type.startswith("text/html"):
        return CSP_PAGES
    return CSP_API
