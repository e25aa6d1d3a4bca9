"""`ContractPolicy` with `TENDER_URL` + `TENDER_TOKEN`: the decision is a `tender serve`'s.

1. post SkyPilot's own encoding of the request (`UserRequest.encode()`, the RESTful admin-policy
   format) to `TENDER_URL/api/v1/integrations/skypilot/policy` with the token as Bearer;
2. 400: `UserRequestRejectedByPolicy` with the server's message; other failures: a `RuntimeError`
   naming the URL (SkyPilot shows it and refuses the request);
3. 200: `MutatedUserRequest.decode` (SkyPilot's decoder) of the answer.
"""

from __future__ import annotations

from typing import Any

import httpx
import sky
from sky import exceptions

from tender.integrations.skypilot.settings import PolicySettings

PATH = "/api/v1/integrations/skypilot/policy"


def ask_server(settings: PolicySettings, user_request: Any) -> Any:
    assert settings.url is not None
    url = settings.url.rstrip("/") + PATH
    params = {"month": settings.month} if settings.month is not None else {}
    try:
        response = httpx.post(
            url,
            json=user_request.encode(),
            params=params,
            headers={"Authorization": f"Bearer {settings.token}"},
            timeout=30,
        )
    except httpx.HTTPError as exc:
        raise RuntimeError(f"tender: cannot reach {url}: {exc}") from None
    if response.status_code == 400:
        message = response.json().get("error", {}).get("message", response.text)
        raise exceptions.UserRequestRejectedByPolicy(message)
    if response.status_code != 200:
        raise RuntimeError(f"tender: {url} answered {response.status_code}: {response.text[:500]}")
    return sky.MutatedUserRequest.decode(response.json(), user_request)
