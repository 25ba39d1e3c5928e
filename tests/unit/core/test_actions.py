"""Action for the child: who is told, when chased and escalated, and how an answer reads."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.core import actions as act
from bot.core.actions import ActionRules, ActionState
from bot.core.keys import child_action_key
from bot.core.plans import Record
from bot.core.records import Auditor, Completion, Grade, Month

pytestmark = pytest.mark.fast

LONDON = ZoneInfo("Europe/London")
MAY = Month(2021, 5)
QA = "qa@council.example"
RULES = ActionRules(QA, "director@council.example", "Dana Director", "Example Council")
ROSTER = {
    a.email: a
    for a in (
        Auditor("Sam Patel", "sam@c.example", "Children in Need", "hana@c.example", "Hana Ahmed"),
        Auditor("Alex Jones", "alex@c.example", "Children in Need", "hana@c.example", "Hana Ahmed"),
        Auditor("Kim Lee", "kim@c.example", "Early Help", "omar@c.example", "Omar Khan"),
    )
}


def _done(grade: Grade | None, team: str | None = None, needed: bool = False) -> Completion:
    return Completion("CR-1", "sam@c.example", date(2021, 5, 19), grade, team, needed)


@pytest.mark.parametrize(
    ("completion", "needs"),
    [
        (_done(Grade.INADEQUATE), True),
        (_done(Grade.GOOD), False),
        (_done(Grade.GOOD, needed=True), True),
        (_done(None, needed=True), True),
        (_done(Grade.REQUIRES_IMPROVEMENT), False),
    ],
)
def test_what_needs_action(completion: Completion, needs: bool) -> None:
    assert act.needs_action(completion) is needs


@pytest.mark.parametrize(
    ("team", "to", "known", "cc"),
    [
        ("Early Help", "omar@c.example", "Early Help", ()),
        ("early help ", "omar@c.example", "early help", ()),
        (None, "hana@c.example", None, (QA,)),
        ("No Such Team", "hana@c.example", None, (QA,)),
    ],
)
def test_who_is_told(team: str | None, to: str, known: str | None, cc: tuple[str, ...]) -> None:
    holder = act.holder_for(_done(Grade.INADEQUATE, team), ROSTER, QA)
    assert (holder.head_email, holder.case_team, holder.cc) == (to, known, cc)


def test_an_auditor_not_in_the_roster_without_a_team_goes_to_the_qa_team() -> None:
    gone = Completion("CR-1", "left@c.example", date(2021, 5, 19), Grade.INADEQUATE)
    assert act.holder_for(gone, ROSTER, QA).head_email == QA


def _action(state: ActionState = ActionState.OPEN) -> act.ChildAction:
    opened = datetime(2021, 5, 19, 14, 0, tzinfo=LONDON)
    action = act.new_action(
        _done(Grade.INADEQUATE, "Early Help"), MAY, "ACT-X", ROSTER, RULES, opened
    )
    return act.ChildAction(**{**action.__dict__, "state": state})


def _sent(*suffixes: str) -> dict[str, Record]:
    return {child_action_key(MAY, "CR-1", s): Record("sent", date(2021, 5, 19)) for s in suffixes}


@pytest.mark.parametrize(
    ("today", "records", "state", "expected"),
    [
        (date(2021, 5, 19), {}, ActionState.OPEN, ["notify"]),
        (date(2021, 5, 21), _sent("notify"), ActionState.OPEN, []),
        (date(2021, 5, 24), _sent("notify"), ActionState.OPEN, ["chase"]),
        (date(2021, 5, 25), _sent("notify", "chase"), ActionState.OPEN, []),
        (date(2021, 5, 26), _sent("notify", "chase"), ActionState.OPEN, ["escalate"]),
        # After downtime, only the escalation: no backlog of chasers.
        (date(2021, 5, 27), _sent("notify"), ActionState.OPEN, ["escalate"]),
        (date(2021, 5, 27), _sent("notify", "escalate"), ActionState.OPEN, []),
        (date(2021, 5, 27), _sent("notify"), ActionState.ASSIGNED, []),
        (date(2021, 5, 27), _sent("notify"), ActionState.DONE, []),
    ],
)
def test_timers(
    today: date, records: dict[str, Record], state: ActionState, expected: list[str]
) -> None:
    plans = act.plan_actions([_action(state)], records, today, RULES, scheduled=True)
    assert [p.key.split("/")[2] for p in plans] == expected


def test_chasing_waits_for_scheduled_mail_but_telling_does_not() -> None:
    plans = act.plan_actions([_action()], {}, date(2021, 5, 27), RULES, scheduled=False)
    assert [p.key.split("/")[2] for p in plans] == ["notify"]


TODAY = date(2021, 5, 26)


@pytest.mark.parametrize(
    ("text", "done", "owner", "when"),
    [
        ("done - placement review held on 24th, plan updated", True, None, date(2021, 5, 24)),
        ("Done.", True, None, None),
        ("The strategy meeting took place on 2021-05-21.", True, None, date(2021, 5, 21)),
        ("Not done yet, sorry", False, None, None),
        ("This hasn't been done", False, None, None),
        ("Owner: Kim Lee, by 4 June", False, "Kim Lee", date(2021, 6, 4)),
        ("Jo Bloggs will convene a review by 28/05/2021", False, "Jo Bloggs", date(2021, 5, 28)),
        ("I will look into it", False, None, None),
        ("Thanks", False, None, None),
    ],
)
def test_reading_an_answer(text: str, done: bool, owner: str | None, when: date | None) -> None:
    reply = act.read_reply(text, TODAY)
    assert (reply.done, reply.owner, reply.when) == (done, owner, when)


@pytest.mark.parametrize(
    ("text", "understood"),
    [
        ("done", True),
        ("Owner: Kim Lee, by 4 June", True),
        ("Owner: Priya Shah", False),
        ("will do", False),
    ],
)
def test_what_is_understood(text: str, understood: bool) -> None:
    assert act.read_reply(text, TODAY).understood is understood


def test_an_answer_done_closes_and_an_owner_assigns() -> None:
    now = datetime(2021, 5, 26, 10, 0, tzinfo=LONDON)
    done = act.answered(_action(), act.read_reply("done, held on 24th", TODAY), "w", now)
    assert (done.state, done.due, done.closed_at) == (ActionState.DONE, date(2021, 5, 24), now)
    owned = act.answered(_action(), act.read_reply("Owner: Kim Lee, by 4 June", TODAY), "w", now)
    assert (owned.state, owned.owner, owned.closed_at) == (ActionState.ASSIGNED, "Kim Lee", None)


def _assigned(due: date) -> act.ChildAction:
    return act.ChildAction(
        **{**_action().__dict__, "state": ActionState.ASSIGNED, "owner": "Kim Lee", "due": due}
    )


@pytest.mark.parametrize(
    ("today", "due", "records", "expected"),
    [
        (date(2021, 6, 3), date(2021, 6, 4), _sent("notify"), []),  # not yet the day
        (date(2021, 6, 4), date(2021, 6, 4), _sent("notify"), ["due-2021-06-04"]),
        # Named for a bank holiday: asked after on the first working day after it.
        (date(2021, 6, 1), date(2021, 5, 31), _sent("notify"), ["due-2021-05-31"]),
        (date(2021, 6, 7), date(2021, 6, 4), _sent("notify", "due-2021-06-04"), []),  # once
        # A new date named: asked after again on that day.
        (date(2021, 6, 11), date(2021, 6, 11), _sent("notify", "due-2021-06-04"),
         ["due-2021-06-11"]),
    ],
)  # fmt: skip
def test_an_owner_and_date_named_are_asked_after_on_that_date(
    today: date, due: date, records: dict[str, Record], expected: list[str]
) -> None:
    plans = act.plan_actions([_assigned(due)], records, today, RULES, scheduled=True)
    assert [p.key.split("/")[2] for p in plans] == expected
    assert all(p.template == "child_action_due" and p.to == ("omar@c.example",) for p in plans)


def test_the_date_is_not_asked_after_once_done_or_outside_scheduled_mail() -> None:
    done = act.ChildAction(**{**_assigned(date(2021, 6, 4)).__dict__, "state": ActionState.DONE})
    assert act.plan_actions([done], _sent("notify"), date(2021, 6, 4), RULES, True) == []
    waiting = _assigned(date(2021, 6, 4))
    assert act.plan_actions([waiting], _sent("notify"), date(2021, 6, 4), RULES, False) == []
