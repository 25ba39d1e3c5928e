"""`auditbot requests`: exemption requests as the QA team reads them."""

from __future__ import annotations

from typing import Any

from bot.app import App
from bot.core.exemptions import Request
from bot.core.questions import said
from bot.core.records import Month
from bot.store import exemption_requests
from bot.store import questions as stored_questions


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
                "cases": list(request.cases),  # asked about; none: the whole month
                "decided_cases": list(request.decided_cases),
                "until": request.until.isoformat() if request.until else None,
                "shown": _shown(request),
                "flags": list(request.flags),
                "head_words": request.head_words,
                "director_words": request.director_words,
                "history": earlier,
            }
        )
    return rows


def _shown(request: Request) -> str:
    """The state as the table shows it: with the cases or the date a decision names."""
    if request.until is not None:
        cases = f" for {', '.join(request.decided_cases)}" if request.decided_cases else ""
        return f"{request.state.value} to {request.until.isoformat()}{cases}"
    if request.decided_cases:
        return f"{request.state.value} ({', '.join(request.decided_cases)})"
    return request.state.value


def waiting_questions(app: App, month: Month | None) -> list[dict[str, Any]]:
    """Questions back still waiting for their answer: nothing is done until it comes."""
    with app.engine.connect() as connection:
        waiting = stored_questions.waiting(connection)
    return [
        {
            "ref": q.token,
            "sender": q.sender,
            "month": str(q.month),
            "asked_on": q.asked_on.isoformat(),
            "asked_again_on": q.asked_again_on.isoformat() if q.asked_again_on else None,
            "offered": [said(i) for i in q.offered],
            "state": "waiting for an answer",
        }
        for q in waiting
        if month is None or q.month == month
    ]
