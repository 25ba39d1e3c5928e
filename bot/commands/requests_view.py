"""`auditbot requests`: exemption requests as the QA team reads them."""

from __future__ import annotations

from typing import Any

from bot.app import App
from bot.core.records import Month
from bot.store import exemption_requests


def list_requests(app: App, month: Month | None) -> list[dict[str, Any]]:
    with app.engine.connect() as connection:
        everything = exemption_requests.load_requests(
            connection
        )  # the earlier ones too, for the history
    rows = []
    for request in (r for r in everything if month is None or r.month == month):
        earlier = [
            r.ref
            for r in everything
            if r.auditor_email == request.auditor_email
            and r.requested_at < request.requested_at
            and request.month.months_after(r.month) < 12
        ]
        rows.append(
            {
                "ref": request.ref,
                "auditor": request.auditor_email,
                "name": request.auditor_name,
                "team": request.team,
                "head_of_service": request.head_email,
                "month": str(request.month),
                "reason": request.reason.value,
                "words": request.words,
                "requested_at": request.requested_at.isoformat(),
                "state": request.state.value,
                "flags": list(request.flags),
                "head_words": request.head_words,
                "director_words": request.director_words,
                "history": earlier,
            }
        )
    return rows
