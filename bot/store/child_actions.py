"""Actions for children in the store: opened when an audit asks for one, answered by the
Head of Service holding the case."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, insert, select, tuple_, update

from bot.core.actions import ActionState, ChildAction, Holder
from bot.core.records import Grade, Month
from bot.store.exemption_requests import new_secret
from bot.store.schema import child_actions


def new_token(month: Month) -> str:
    return f"ACT-{month}-{new_secret()}"


def known_cases(connection: Connection, month: Month) -> set[str]:
    """The case references (upper-cased) of the month that already have an action."""
    query = select(child_actions.c.case_ref).where(child_actions.c.month == str(month))
    return {ref.upper() for (ref,) in connection.execute(query)}


def open_action(connection: Connection, action: ChildAction) -> bool:
    """Store a new action; False if the case already has one for the month."""
    exists = connection.execute(
        select(child_actions.c.id).where(
            child_actions.c.month == str(action.month),
            child_actions.c.case_ref == action.case_ref,
        )
    ).first()
    if exists is not None:
        return False
    connection.execute(
        insert(child_actions).values(
            month=str(action.month),
            case_ref=action.case_ref,
            token=action.token,
            grade=action.grade.value if action.grade else None,
            concern=action.concern,
            auditor_email=action.auditor_email,
            auditor_name=action.auditor_name,
            named_team=action.named_team,
            case_team=action.holder.case_team,
            head_email=action.holder.head_email,
            head_name=action.holder.head_name,
            cc=list(action.holder.cc),
            opened_at=action.opened_at,
            opened_on=action.opened_on,
            state=action.state.value,
        )
    )
    return True


def load(connection: Connection, *where: ColumnElement[bool]) -> list[ChildAction]:
    query = (
        select(child_actions)
        .where(*where)
        .order_by(child_actions.c.opened_at, child_actions.c.month, child_actions.c.case_ref)
    )
    return [_from_row(row) for row in connection.execute(query)]


def all_actions(connection: Connection, open_only: bool = False) -> list[ChildAction]:
    if open_only:
        return load(connection, child_actions.c.state != ActionState.DONE.value)
    return load(connection)


def by_token(connection: Connection, token: str) -> ChildAction | None:
    found = load(connection, child_actions.c.token == token)
    return found[0] if found else None


def by_cases(connection: Connection, cases: Iterable[tuple[Month, str]]) -> list[ChildAction]:
    wanted = [(str(m), c) for m, c in cases]
    if not wanted:
        return []
    return load(connection, tuple_(child_actions.c.month, child_actions.c.case_ref).in_(wanted))


def record_answer(connection: Connection, action: ChildAction, expected: ActionState) -> bool:
    """Write the action's new state if it is still ``expected``; False if it was not."""
    result = connection.execute(
        update(child_actions)
        .where(child_actions.c.token == action.token, child_actions.c.state == expected.value)
        .values(
            state=action.state.value,
            owner=action.owner,
            due=action.due,
            words=action.words,
            closed_at=action.closed_at,
        )
    )
    return result.rowcount == 1


def _from_row(r: Row[Any]) -> ChildAction:
    return ChildAction(
        month=Month.parse(r.month),
        case_ref=r.case_ref,
        token=r.token,
        grade=Grade(r.grade) if r.grade else None,
        concern=bool(r.concern),
        auditor_email=r.auditor_email,
        auditor_name=r.auditor_name,
        named_team=r.named_team,
        holder=Holder(
            r.head_email,
            r.head_name,
            r.case_team,
            tuple(r.cc or ()),
        ),
        opened_at=r.opened_at,
        opened_on=r.opened_on,
        state=ActionState(r.state),
        owner=r.owner,
        due=r.due,
        words=r.words,
        closed_at=r.closed_at,
    )
