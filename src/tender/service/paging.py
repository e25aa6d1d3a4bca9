"""Limit/offset pagination for every list endpoint (documented in docs/serve.md).

1. `PageQ` reads `offset` (default 0) and `limit` (default 100, at most 1000) from the query string.
2. The body stays a JSON array (that page's items); `set_total` adds `X-Total-Count` (items matching the
   filters over every page) and, when more remain, `Link: <...offset=N...>; rel="next"`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Depends, Query, Request, Response

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
MAX_OFFSET = 2**31 - 1

TOTAL_HEADERS: dict[str, Any] = {
    "X-Total-Count": {
        "description": "items matching the filters, over every page",
        "schema": {"type": "integer"},
    },
    "Link": {
        "description": 'the next page, `<URL>; rel="next"`, while more remain',
        "schema": {"type": "string"},
    },
}


@dataclass(frozen=True)
class PageParams:
    offset: int
    limit: int


def _params(
    offset: int = Query(0, ge=0, le=MAX_OFFSET, description="items to skip"),
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="items to return (at most 1000)"),
) -> PageParams:
    return PageParams(offset, limit)


PageQ = Depends(_params)


def set_total(request: Request, response: Response, params: PageParams, total: int) -> None:
    response.headers["X-Total-Count"] = str(total)
    following = params.offset + params.limit
    if following < total:
        url = request.url.include_query_params(offset=following, limit=params.limit)
        response.headers["Link"] = f'<{url}>; rel="next"'
