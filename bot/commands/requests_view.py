"""`auditbot requests`: exemption requests as the QA team reads them."""

from __future__ import annotations

from typing import Any

from bot.app import App
from bot.core.exemptions import Request
from bot.core.records import Month
from bot.store import exemption_requests


def flags(request: Request) -> list[str]:
    found = []
    if request.last_week:
        found.append("last week")
    if request.after_allocation:
        found.append("after allocation")
    if request.outside_policy:
        found.append("outside policy")
    if request.no_head_response:
        found.append("no Head of Service response")
    return found


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
                "flags": flags(request),
                "head_words": request.head_words,
                "director_words": request.director_words,
                "history": earlier,
            }
        )
    return rows
