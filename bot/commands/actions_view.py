"""`auditbot actions`: actions for children as the QA team reads them."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.app import App
from bot.store import child_actions


def list_actions(app: App, today: date, open_only: bool) -> list[dict[str, Any]]:
    """Each action with its state, who holds it and its age in working days (to its close
    when done)."""
    with app.engine.connect() as connection:
        found = child_actions.all_actions(connection, open_only=open_only)
    rows = []
    for action in found:
        until = action.closed_at.astimezone(app.settings.tz).date() if action.closed_at else today
        rows.append(
            {
                "ref": action.token,
                "month": str(action.month),
                "case_ref": action.case_ref,
                "grade": action.grade_label,
                "concern": action.concern,
                "auditor": action.auditor_email,
                "head_of_service": action.holder.head_email,
                "case_team": action.holder.case_team,
                "state": action.state.value,
                "owner": action.owner,
                "due": action.due.isoformat() if action.due else None,
                "opened_on": action.opened_on.isoformat(),
                "age_working_days": action.age(until),
                "closed_at": action.closed_at.isoformat() if action.closed_at else None,
            }
        )
    return rows
