"""A month's moderation in the store: the audits given to moderators, written once, and
those added to the round later (a top-up), each row once."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Row, insert, select

from bot.core.keys import moderation_key, report_key
from bot.core.moderation import Assignment, Audit, Moderator, Round
from bot.core.records import Grade, Month
from bot.store.fit import fit
from bot.store.schema import moderations, outbox


def save_round(
    connection: Connection,
    month: Month,
    assignments: list[Assignment],
    started_on: date,
    due: date,
    now: datetime,
) -> bool:
    """Store the month's allocation; False if it was already stored (another process got
    there first, or an earlier tick)."""
    if started(connection, month):
        return False
    _insert(connection, month, assignments, started_on, due, now)
    return True


def add_to_round(
    connection: Connection, month: Month, assignments: list[Assignment], now: datetime
) -> list[Assignment]:
    """Add audits to the month's round, with its start and due day; those already in it
    (another process got there first) are left as they are. The ones added."""
    stored = load_round(connection, month)
    if stored is None:
        return []
    have = {a.audit.case_ref.upper() for a in stored.assignments}
    new = [a for a in assignments if a.audit.case_ref.upper() not in have]
    _insert(connection, month, new, stored.started_on, stored.due, now)
    return new


def _insert(
    connection: Connection,
    month: Month,
    assignments: list[Assignment],
    started_on: date,
    due: date,
    now: datetime,
) -> None:
    rows = []
    for a in assignments:
        audit, moderator = a.audit, a.moderator
        rows.append(
            {
                "month": str(month),
                "case_ref": audit.case_ref,
                "auditor_email": audit.auditor_email,
                "auditor_name": fit(audit.auditor_name, moderations.c.auditor_name),
                "auditor_team": fit(audit.auditor_team, moderations.c.auditor_team),
                "case_team": fit(audit.case_team, moderations.c.case_team),
                "grade": audit.grade.value if audit.grade else None,
                "moderator_email": moderator.email if moderator else None,
                "moderator_name": fit(moderator.name, moderations.c.moderator_name)
                if moderator
                else None,
                "moderator_team": fit(moderator.team, moderations.c.moderator_team)
                if moderator
                else None,
                "started_on": started_on,
                "due": due,
                "allocated_at": now,
            }
        )
    if rows:
        connection.execute(insert(moderations), rows)


def started(connection: Connection, month: Month) -> bool:
    query = select(moderations.c.id).where(moderations.c.month == str(month)).limit(1)
    return connection.execute(query).first() is not None


def load_round(connection: Connection, month: Month) -> Round | None:
    query = (
        select(moderations)
        .where(moderations.c.month == str(month))
        .order_by(moderations.c.case_ref)
    )
    rows = connection.execute(query).all()
    if not rows:
        return None
    return Round(
        month=month,
        started_on=rows[0].started_on,
        due=rows[0].due,
        assignments=tuple(_assignment(r) for r in rows),
    )


def due_of(connection: Connection, month: Month) -> date | None:
    """The month's moderation due day; None when it has not started."""
    query = select(moderations.c.due).where(moderations.c.month == str(month)).limit(1)
    return connection.execute(query).scalar()


def mail_keys(connection: Connection, month: Month) -> set[str]:
    """The outbox keys of the month's moderation mail and its report, already recorded."""
    prefix = moderation_key(month, "", "").removesuffix("/")  # moderation/2021-05/
    query = select(outbox.c.key).where(
        outbox.c.key.startswith(prefix, autoescape=True) | (outbox.c.key == report_key(month))
    )
    return {key for (key,) in connection.execute(query)}


def started_months(connection: Connection) -> list[Month]:
    query = select(moderations.c.month).distinct()
    return sorted(Month.parse(m) for (m,) in connection.execute(query))


def _assignment(r: Row[Any]) -> Assignment:
    audit = Audit(
        r.case_ref,
        r.auditor_email,
        r.auditor_name,
        r.auditor_team,
        r.case_team,
        Grade(r.grade) if r.grade else None,
    )
    moderator = (
        Moderator(r.moderator_email, r.moderator_name or "", r.moderator_team or "")
        if r.moderator_email
        else None
    )
    return Assignment(audit, moderator, r.allocated_at)
