"""Reads and writes of business state. Functions take an open connection; callers own
the transaction so that state and outbox rows commit together."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.core.plans import (
    ClosePlan,
    FailedSend,
    FinalPlan,
    FrozenOutcome,
    LatePlan,
    Outcome,
    OutcomePlan,
    Record,
)
from bot.core.records import Month
from bot.store.schema import (
    Status,
    allocated_cases,
    month_closes,
    outbox,
    outcomes,
    roster_versions,
    transport_state,
)
from bot.store.trail import append_event


def insert_ignoring_duplicates(
    connection: Connection, table: Any, rows: Sequence[dict], report: str | None = None
) -> list[Any]:
    """Insert rows; a row whose unique key exists already is left alone (another tick or
    instance wrote it first). Returns the ``report`` column (default: the first) of the
    rows that were new."""
    if not rows:
        return []
    dialect = connection.dialect.name
    statement: postgresql.Insert | sqlite.Insert
    if dialect == "postgresql":
        statement = postgresql.insert(table).on_conflict_do_nothing()
    elif dialect == "sqlite":
        statement = sqlite.insert(table).on_conflict_do_nothing()
    else:  # pragma: no cover - only the two supported stores
        raise NotImplementedError(dialect)
    # rowcount is not reliable for executemany on every driver; RETURNING says exactly.
    column = table.c[report] if report else next(iter(table.columns))
    return list(connection.execute(statement.returning(column), list(rows)).scalars())


def load_records(connection: Connection, months: Iterable[Month]) -> dict[str, Record]:
    """Outbox keys for ``months`` and every key not tied to a month."""
    names = [str(m) for m in months]
    in_scope = outbox.c.month.in_(names) | outbox.c.month.is_(None)
    # Rows unpacked as tuples: a big council's idle tick reads tens of thousands of them.
    query = select(outbox.c.key, outbox.c.status, outbox.c.planned_on).where(in_scope)
    rows = connection.execute(query)
    return {key: Record(status, planned_on) for key, status, planned_on in rows}


def issued_cases(connection: Connection, month: Month) -> dict[str, tuple[str, ...]]:
    """The case references each auditor's allocation mail for ``month`` listed, updates too."""
    query = (
        select(allocated_cases.c.auditor_email, allocated_cases.c.case_ref)
        .where(allocated_cases.c.month == str(month))
        .order_by(
            allocated_cases.c.auditor_email,
            allocated_cases.c.outbox_key,
            allocated_cases.c.position,
        )
    )
    issued: dict[str, tuple[str, ...]] = {}
    for email, refs in groupby(connection.execute(query), key=itemgetter(0)):
        issued[email] = tuple(ref for _, ref in refs)
    return issued


def record_outbox(connection: Connection, rows: Sequence[dict[str, Any]]) -> list[str]:
    """Insert outbox rows, leaving alone any whose key is there already (another instance
    planned it first), and the cases each new allocation lists. The keys that were new."""
    new = insert_ignoring_duplicates(connection, outbox, rows, report="key")
    fresh = set(new)
    cases = [
        {
            "outbox_key": row["key"],
            "position": position,
            "month": row["month"],
            "auditor_email": row["about"],
            "case_ref": ref,
        }
        for row in rows
        if row["kind"] in _ALLOCATING and row["key"] in fresh
        for position, ref in enumerate(row["detail"].get("cases", ()))
    ]
    if cases:
        connection.execute(insert(allocated_cases), cases)
    return new


_ALLOCATING = ("allocation", "allocation_update")


def closed_months(connection: Connection, months: Iterable[Month]) -> set[Month]:
    names = [str(m) for m in months]
    query = select(month_closes.c.month).where(month_closes.c.month.in_(names))
    return {Month.parse(row.month) for row in connection.execute(query)}


def record_close(connection: Connection, plan: ClosePlan, now: datetime) -> bool:
    """Freeze the month. False when another tick or instance closed it first."""
    row = {
        "month": str(plan.month),
        "closed_at": now,
        "final_at": now if plan.final else None,
        "final_why": "export" if plan.final else None,
    }
    if not insert_ignoring_duplicates(connection, month_closes, [row]):
        return False
    insert_ignoring_duplicates(
        connection,
        outcomes,
        [
            {
                "month": str(plan.month),
                "auditor_email": o.email,
                "name": o.name,
                "team": o.team,
                "head_of_service_email": o.head_email,
                "outcome": o.outcome.value,
                "cases": o.cases,
                "late_on": None,
            }
            for o in plan.outcomes
        ],
    )
    return True


def close_times(connection: Connection, month: Month) -> tuple[datetime | None, datetime | None]:
    """When ``month`` was closed and when the close was made final (None: not yet)."""
    row = connection.execute(
        select(month_closes.c.closed_at, month_closes.c.final_at).where(
            month_closes.c.month == str(month)
        )
    ).first()
    return (row.closed_at, row.final_at) if row else (None, None)


def final_months(connection: Connection, months: Iterable[Month]) -> set[Month]:
    """Of ``months``, those whose close has been made final."""
    names = [str(m) for m in months]
    query = select(month_closes.c.month).where(
        month_closes.c.month.in_(names), month_closes.c.final_at.is_not(None)
    )
    return {Month.parse(row.month) for row in connection.execute(query)}


def record_final(connection: Connection, plan: FinalPlan, now: datetime) -> bool:
    """Make a provisional close final. False when another tick or instance did it first."""
    result = connection.execute(
        update(month_closes)
        .where(month_closes.c.month == str(plan.month), month_closes.c.final_at.is_(None))
        .values(final_at=now, final_why=plan.why)
    )
    return result.rowcount == 1


def record_outcome(connection: Connection, plan: OutcomePlan) -> bool:
    """Change one auditor's outcome in a closed month (a late mark goes with a change to
    complete or exempted). False if it was already so: another instance got there first."""
    result = connection.execute(
        update(outcomes)
        .where(outcomes.c.month == str(plan.month), outcomes.c.auditor_email == plan.email)
        .where((outcomes.c.outcome != plan.outcome.value) | outcomes.c.late_on.is_not(None))
        .values(outcome=plan.outcome.value, late_on=None)
    )
    return result.rowcount == 1


def record_late(connection: Connection, plan: LatePlan) -> None:
    connection.execute(
        update(outcomes)
        .where(outcomes.c.month == str(plan.month), outcomes.c.auditor_email == plan.email)
        .where(outcomes.c.late_on.is_(None))
        .values(late_on=plan.submitted_on)
    )


def load_outcomes(connection: Connection, month: Month) -> list[FrozenOutcome]:
    """The outcomes frozen at ``month``'s close, by address."""
    query = (
        select(outcomes).where(outcomes.c.month == str(month)).order_by(outcomes.c.auditor_email)
    )
    return [
        FrozenOutcome(
            r.auditor_email,
            r.name,
            r.team,
            r.head_of_service_email,
            Outcome(r.outcome),
            r.cases,
            r.late_on,
        )
        for r in connection.execute(query)
    ]


def latest_roster_digest(connection: Connection) -> str | None:
    query = select(roster_versions.c.digest).order_by(roster_versions.c.id.desc()).limit(1)
    return connection.scalar(query)


def latest_roster(connection: Connection) -> tuple[str, list[dict[str, Any]]] | None:
    query = select(roster_versions).order_by(roster_versions.c.id.desc()).limit(1)
    row = connection.execute(query).first()
    return (row.digest, row.auditors) if row else None


def save_roster(
    connection: Connection, digest: str, auditors: list[dict[str, Any]], now: datetime
) -> None:
    insert_ignoring_duplicates(
        connection, roster_versions, [{"digest": digest, "loaded_at": now, "auditors": auditors}]
    )


def add_event(
    connection: Connection,
    now: datetime,
    kind: str,
    *,
    month: Month | None = None,
    subject: str | None = None,
    **detail: Any,
) -> None:
    """Append to the audit trail; rows are never updated or deleted."""
    append_event(
        connection, now, kind, month=str(month) if month else None, subject=subject, detail=detail
    )


def sent_stage_by_auditor(connection: Connection, month: Month) -> dict[str, int]:
    """The most urgent reminder stage actually sent to each auditor."""
    query = select(outbox.c.about, outbox.c.stage).where(
        outbox.c.month == str(month),
        outbox.c.kind == "reminder",
        outbox.c.status.in_([Status.SENT, Status.PLANNED, Status.SENDING, Status.UNKNOWN]),
    )
    stages: dict[str, int] = {}
    for row in connection.execute(query):
        stages[row.about] = min(row.stage, stages.get(row.about, row.stage))
    return stages


def failed_sends(connection: Connection) -> list[FailedSend]:
    """Mail given up for good, except notices about such mail (which would only repeat)."""
    query = select(
        outbox.c.key, outbox.c.kind, outbox.c.to_addrs, outbox.c.cc_addrs, outbox.c.last_error
    ).where(outbox.c.status == Status.FAILED, outbox.c.kind != "send_failed")
    return [
        FailedSend(row.key, row.kind, (*row.to_addrs, *row.cc_addrs), row.last_error or "")
        for row in connection.execute(query)
    ]


def open_months(connection: Connection) -> set[Month]:
    """Months with mail in the outbox and no close recorded."""
    query = (
        select(outbox.c.month)
        .distinct()
        .where(outbox.c.month.is_not(None), outbox.c.month.not_in(select(month_closes.c.month)))
    )
    return {Month.parse(m) for m in connection.scalars(query)}


def recorded_keys(connection: Connection, keys: Iterable[str]) -> set[str]:
    """Which of ``keys`` the outbox holds already."""
    return set(connection.scalars(select(outbox.c.key).where(outbox.c.key.in_(list(keys)))))


_LAST_TICK = "last_tick_at"


def record_tick(connection: Connection, now: datetime) -> None:
    """The latest time a tick acted as, so a tick asked to act earlier can be questioned."""
    last = last_tick(connection)
    if last is not None and last >= now:
        return
    connection.execute(delete(transport_state).where(transport_state.c.key == _LAST_TICK))
    connection.execute(
        insert(transport_state).values(key=_LAST_TICK, value=now.astimezone(UTC).isoformat())
    )


def last_tick(connection: Connection) -> datetime | None:
    value = connection.scalar(
        select(transport_state.c.value).where(transport_state.c.key == _LAST_TICK)
    )
    return datetime.fromisoformat(value) if value else None
