"""Questions back in the store: asked, asked again, answered or passed to the QA team."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, insert, select, update

from bot.core.questions import Question, State
from bot.core.records import Month
from bot.core.replies import Intent
from bot.core.replies.model import Role
from bot.store.exemption_requests import new_secret
from bot.store.schema import inbound, questions


def create(connection: Connection, question: Question) -> Question:
    """Store a new question with a fresh token; the question as stored."""
    token = f"ASK-{question.month}-{new_secret()}"
    values = {
        "token": token,
        "sender": question.sender,
        "role": question.role.value,
        "offered": ",".join(i.value for i in question.offered),
        "inbound_id": question.inbound_id,
        "month": str(question.month),
        "asked_on": question.asked_on,
        "state": State.WAITING.value,
    }
    new_id = connection.execute(insert(questions).values(**values)).inserted_primary_key
    assert new_id is not None
    return _question(connection.execute(select(questions).where(questions.c.id == new_id[0])).one())


def by_token(connection: Connection, token: str) -> Question | None:
    row = connection.execute(select(questions).where(questions.c.token == token)).first()
    return None if row is None else _question(row)


def waiting(connection: Connection, sender: str | None = None) -> list[Question]:
    """Questions not yet answered, oldest first; only ``sender``'s if given."""
    query = select(questions).where(questions.c.state == State.WAITING.value)
    if sender is not None:
        query = query.where(questions.c.sender == sender)
    return [_question(row) for row in connection.execute(query.order_by(questions.c.id))]


def asked_again(connection: Connection, question: Question, day: date) -> bool:
    """Record the second asking; False if another instance got there first."""
    result = connection.execute(
        update(questions)
        .where(
            questions.c.id == question.id,
            questions.c.state == State.WAITING.value,
            questions.c.asked_again_on.is_(None),
        )
        .values(asked_again_on=day)
    )
    return result.rowcount == 1


def settle(
    connection: Connection,
    question: Question,
    state: State,
    answer: Intent | None = None,
    answer_inbound_id: int | None = None,
) -> bool:
    """Answered, or passed on unanswered; only once, whoever comes first."""
    result = connection.execute(
        update(questions)
        .where(questions.c.id == question.id, questions.c.state == State.WAITING.value)
        .values(
            state=state.value,
            answer=answer.value if answer else None,
            answer_inbound_id=answer_inbound_id,
        )
    )
    return result.rowcount == 1


def asked_about(connection: Connection, question: Question) -> bytes:
    """The raw message the question is about, as it arrived."""
    raw = connection.scalar(select(inbound.c.raw).where(inbound.c.id == question.inbound_id))
    assert raw is not None  # stored before it could be asked about
    return bytes(raw)


def _question(row: object) -> Question:
    values = row._mapping  # type: ignore[attr-defined]
    return Question(
        token=values["token"],
        sender=values["sender"],
        role=Role(values["role"]),
        offered=tuple(Intent(i) for i in values["offered"].split(",") if i),
        inbound_id=values["inbound_id"],
        month=Month.parse(values["month"]),
        asked_on=values["asked_on"],
        asked_again_on=values["asked_again_on"],
        state=State(values["state"]),
        answer=Intent(values["answer"]) if values["answer"] else None,
        id=values["id"],
    )
