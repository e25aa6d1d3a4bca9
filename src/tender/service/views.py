"""Database rows -> API views. The provider view is built field by field: nothing it may not see is copied."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

from tender.ledger.sql.models import NoticeRow
from tender.service.payloads import NoticeOut, ProviderNoticeOut, Terms

MATCH_BEST_OFFER = "match_best_offer"


def seconds_left(row: NoticeRow, now: datetime) -> int:
    return max(0, int((row.deadline - now).total_seconds())) if row.status == "open" else 0


def lab_notice(row: NoticeRow, now: datetime) -> NoticeOut:
    quote = json.loads(row.quote_json)
    return NoticeOut(
        id=row.id,
        need=row.need_id,
        holder=row.holder,
        clause=row.clause_id,
        match_mode=row.match_mode,
        status=row.status,
        issued_at=row.issued_at,
        deadline=row.deadline,
        seconds_left=seconds_left(row, now),
        requested_gpus=row.requested_gpus,
        exercised_gpus=row.exercised_gpus,
        released_gpus=row.released_gpus,
        partial_exercise=row.partial_exercise,
        min_block_gpus=row.min_block_gpus,
        terms=Terms.model_validate(json.loads(row.terms_json)),
        best_quote_price=None if quote.get("price") is None else Decimal(quote["price"]),
        best_quote_provider=quote.get("provider"),
        decided_at=row.decided_at,
    )


def provider_notice(row: NoticeRow, now: datetime) -> ProviderNoticeOut:
    """What the holder's clause entitles it to: the terms offered; the best third-party price only under
    match_best_offer; never the rival's name, never another holder's notice."""
    quote = json.loads(row.quote_json)
    best = quote.get("price") if row.match_mode == MATCH_BEST_OFFER else None
    return ProviderNoticeOut(
        id=row.id,
        need=row.need_id,
        clause=row.clause_id,
        match_mode=row.match_mode,
        status=row.status,
        issued_at=row.issued_at,
        deadline=row.deadline,
        seconds_left=seconds_left(row, now),
        requested_gpus=row.requested_gpus,
        exercised_gpus=row.exercised_gpus,
        partial_exercise=row.partial_exercise,
        min_block_gpus=row.min_block_gpus,
        terms=Terms.model_validate(json.loads(row.terms_json)),
        best_third_party_price=None if best is None else Decimal(best),
        decided_at=row.decided_at,
    )
