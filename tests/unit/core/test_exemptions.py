"""Exemption requests: each step's transition and mail, and the Head of Service's timers."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from bot.core import calendar as cal
from bot.core.exemptions import (
    Escalation,
    Lapse,
    Request,
    State,
    is_last_week,
    mails_for_new_request,
    plan_lapses,
    plan_timers,
    transition,
)
from bot.core.plans import MailPlan, Record
from bot.core.records import Month
from tests.unit.core.personas import (
    DIRECTOR,
    DIRECTORS_PA,
    EXEMPTIONS,
    HANA,
    JUNE,
    KIM,
    MAY,
    OMAR,
    QA,
    SAM,
    at,
    request,
)

REF = "EXM-2021-05-017"
TOKEN = "EXM-2021-05-017-K7M3Q9XA"
WORDS = "I support this request: Sam is off sick until June."


def sent(mail: MailPlan) -> tuple[str, str, tuple[str, ...], tuple[str, ...]]:
    return mail.key, mail.template, mail.to, mail.cc


def test_a_new_request_is_acknowledged_and_sent_to_the_head_of_service() -> None:
    history = [{"ref": "EXM-2021-02-004", "month": "February 2021", "state": "approved"}]

    ack, to_head = mails_for_new_request(request(), history, EXEMPTIONS)

    assert sent(ack) == (f"exemption/{REF}/ack", "exemption_ack", (SAM.email,), ())
    assert sent(to_head) == (f"exemption/{REF}/to-head", "exemption_to_head", (HANA,), ())
    assert to_head.context["history"] == history
    assert to_head.context["words"] == request().words
    assert to_head.context["reason_label"] == "prolonged absence or ill-health"
    assert {m.reference for m in (ack, to_head)} == {TOKEN}
    assert {(m.month, m.about) for m in (ack, to_head)} == {(MAY, SAM.email)}


TRANSITIONS = [
    pytest.param(
        State.AWAITING_HEAD,
        "head_decision",
        True,
        (State.AWAITING_HEAD,),
        {"state": State.AWAITING_DIRECTOR, "head_words": WORDS},
        [
            (f"exemption/{REF}/head-confirm", "decision_confirm", (HANA,), ()),
            (f"exemption/{REF}/to-director", "exemption_to_director", (DIRECTOR,), ()),
        ],
        ("head_decision", {"supported": True}),
        id="the-head-of-service-supports-it-and-it-goes-to-the-director",
    ),
    pytest.param(
        State.AWAITING_HEAD,
        "head_decision",
        False,
        (State.AWAITING_HEAD,),
        {"state": State.NOT_SUPPORTED, "head_words": WORDS},
        [
            (f"exemption/{REF}/head-confirm", "decision_confirm", (HANA,), ()),
            (f"exemption/{REF}/outcome", "exemption_outcome", (SAM.email,), ()),
        ],
        ("head_decision", {"supported": False}),
        id="the-head-of-service-does-not-support-it-and-the-auditor-is-told",
    ),
    pytest.param(
        State.AWAITING_DIRECTOR,
        "director_decision",
        True,
        (State.AWAITING_DIRECTOR,),
        {"state": State.APPROVED, "director_words": WORDS},
        [
            (f"exemption/{REF}/outcome", "exemption_outcome", (SAM.email,), (HANA,)),
            (f"exemption/{REF}/director-confirm", "decision_confirm", (DIRECTOR,), ()),
        ],
        ("director_decision", {"approved": True}),
        id="the-director-approves-and-the-auditor-is-told-copying-the-head",
    ),
    pytest.param(
        State.AWAITING_DIRECTOR,
        "director_decision",
        False,
        (State.AWAITING_DIRECTOR,),
        {"state": State.DECLINED, "director_words": WORDS},
        [
            (f"exemption/{REF}/outcome", "exemption_outcome", (SAM.email,), (HANA,)),
            (f"exemption/{REF}/director-confirm", "decision_confirm", (DIRECTOR,), ()),
        ],
        ("director_decision", {"approved": False}),
        id="the-director-declines-and-the-auditor-is-told-copying-the-head",
    ),
    pytest.param(
        State.AWAITING_HEAD,
        "withdraw",
        True,
        (State.AWAITING_HEAD, State.AWAITING_DIRECTOR),
        {"state": State.WITHDRAWN},
        [(f"exemption/{REF}/withdrawn", "exemption_withdrawn", (SAM.email,), (HANA,))],
        ("request_withdrawn", {}),
        id="withdrawn-while-with-the-head-of-service",
    ),
    pytest.param(
        State.AWAITING_DIRECTOR,
        "withdraw",
        True,
        (State.AWAITING_HEAD, State.AWAITING_DIRECTOR),
        {"state": State.WITHDRAWN},
        [
            (
                f"exemption/{REF}/withdrawn",
                "exemption_withdrawn",
                (SAM.email,),
                (HANA, DIRECTOR),
            )
        ],
        ("request_withdrawn", {}),
        id="withdrawn-while-with-the-director-who-is-copied-too",
    ),
]


@pytest.mark.parametrize(
    ("before", "step", "yes", "expected", "changes", "mails", "event"), TRANSITIONS
)
def test_each_step_of_a_request(before, step, yes, expected, changes, mails, event) -> None:
    before_step = request(state=before)
    moved = transition(before_step, step, yes, WORDS, EXEMPTIONS)

    assert moved.expected == expected
    assert moved.moved == replace(before_step, **changes)
    assert [sent(m) for m in moved.mails] == mails
    assert (moved.event, moved.detail) == event
    assert {m.reference for m in moved.mails} == {TOKEN}
    assert {m.context["by_delegate"] for m in moved.mails} == {None}


@pytest.mark.parametrize(
    ("before", "step", "yes", "state"),
    [
        pytest.param(
            State.AWAITING_HEAD, "head_decision", True, "awaiting_director", id="supported"
        ),
        pytest.param(
            State.AWAITING_HEAD, "head_decision", False, "not_supported", id="not-supported"
        ),
        pytest.param(State.AWAITING_DIRECTOR, "director_decision", True, "approved", id="approved"),
        pytest.param(
            State.AWAITING_DIRECTOR, "director_decision", False, "declined", id="declined"
        ),
        # The withdrawal mail says whom it no longer waits for: the state it was in.
        pytest.param(
            State.AWAITING_DIRECTOR, "withdraw", True, "awaiting_director", id="withdrawn"
        ),
    ],
)
def test_the_mails_of_a_decision_tell_the_state_it_leaves_the_request_in(
    before, step, yes, state
) -> None:
    moved = transition(request(state=before), step, yes, WORDS, EXEMPTIONS)

    assert {m.context["state"] for m in moved.mails} == {state}


def test_the_head_of_services_words_reach_the_director() -> None:
    moved = transition(request(), "head_decision", True, WORDS, EXEMPTIONS)

    [to_director] = [m for m in moved.mails if m.to == (DIRECTOR,)]

    assert to_director.context["head_words"] == WORDS
    assert to_director.context["no_head_response"] is False
    assert to_director.context["supported"] is True


@pytest.mark.parametrize(
    ("before", "step", "decider"),
    [
        pytest.param(State.AWAITING_HEAD, "head_decision", "head", id="head-of-service"),
        pytest.param(State.AWAITING_DIRECTOR, "director_decision", "director", id="director"),
    ],
)
def test_the_decider_is_thanked_as_who_they_are(before, step, decider) -> None:
    moved = transition(request(state=before), step, True, WORDS, EXEMPTIONS)

    [confirm] = [m for m in moved.mails if m.template == "decision_confirm"]

    assert confirm.context["decider"] == decider


def test_a_delegates_name_reaches_every_mail_and_the_trail() -> None:
    moved = transition(
        request(state=State.AWAITING_DIRECTOR),
        "director_decision",
        True,
        "Approved.",
        EXEMPTIONS,
        delegate=DIRECTORS_PA,
    )

    assert {m.context["by_delegate"] for m in moved.mails} == {DIRECTORS_PA}
    assert moved.detail == {"approved": True, "by": DIRECTORS_PA}
    assert (moved.moved.state, moved.moved.director_words) == (State.APPROVED, "Approved.")


def test_a_step_the_workflow_does_not_know_is_refused() -> None:
    with pytest.raises(ValueError, match="not a step of an exemption request: escalate"):
        transition(request(), "escalate", True, WORDS, EXEMPTIONS)


# -- timers -----------------------------------------------------------------------------------

CHASE = f"exemption/{REF}/chase"
TO_DIRECTOR = f"exemption/{REF}/to-director"


def timer_plans(plans: list) -> list[str]:
    """Each plan as a person reads it: the mail's key and addressee, or the escalation."""
    return [
        f"escalate {p.request.ref}" if isinstance(p, Escalation) else f"{p.key} -> {p.to[0]}"
        for p in plans
    ]


@pytest.mark.parametrize(
    ("requested_on", "today", "expected"),
    [
        pytest.param(date(2021, 5, 10), date(2021, 5, 10), [], id="the-day-it-came"),
        pytest.param(date(2021, 5, 10), date(2021, 5, 11), [], id="one-working-day"),
        pytest.param(
            date(2021, 5, 10), date(2021, 5, 12), [f"{CHASE} -> {HANA}"], id="two-working-days"
        ),
        pytest.param(
            date(2021, 5, 10), date(2021, 5, 13), [f"{CHASE} -> {HANA}"], id="three-working-days"
        ),
        pytest.param(
            date(2021, 5, 10),
            date(2021, 5, 14),
            [f"escalate {REF}", f"{TO_DIRECTOR} -> {DIRECTOR}"],
            id="four-working-days",
        ),
        pytest.param(
            date(2021, 5, 10),
            date(2021, 5, 25),
            [f"escalate {REF}", f"{TO_DIRECTOR} -> {DIRECTOR}"],
            id="long-after-downtime-escalated-not-chased",
        ),
        pytest.param(date(2021, 5, 14), date(2021, 5, 17), [], id="friday-to-monday-is-one"),
        pytest.param(
            date(2021, 5, 14),
            date(2021, 5, 18),
            [f"{CHASE} -> {HANA}"],
            id="friday-to-tuesday-is-two",
        ),
        pytest.param(
            date(2021, 5, 15),
            date(2021, 5, 18),
            [f"{CHASE} -> {HANA}"],
            id="asked-on-a-saturday",
        ),
        pytest.param(
            date(2021, 5, 27), date(2021, 5, 28), [], id="thursday-27-may-to-friday-is-one"
        ),
        pytest.param(
            date(2021, 5, 27),
            date(2021, 6, 1),
            [f"{CHASE} -> {HANA}"],
            id="over-the-31-may-bank-holiday-is-two",
        ),
        pytest.param(
            date(2021, 5, 27),
            date(2021, 6, 2),
            [f"{CHASE} -> {HANA}"],
            id="over-the-bank-holiday-to-wednesday-is-three",
        ),
        pytest.param(
            date(2021, 5, 27),
            date(2021, 6, 3),
            [f"escalate {REF}", f"{TO_DIRECTOR} -> {DIRECTOR}"],
            id="over-the-bank-holiday-to-thursday-is-four",
        ),
    ],
)
def test_a_silent_head_of_service_is_chased_after_2_working_days_and_bypassed_after_4(
    requested_on, today, expected
) -> None:
    plans = plan_timers([request(requested_on=requested_on)], {}, today, EXEMPTIONS)

    assert timer_plans(plans) == expected


def test_the_chase_tells_the_head_of_service_how_long_it_has_waited() -> None:
    [chase] = plan_timers([request()], {}, date(2021, 5, 13), EXEMPTIONS)

    assert (chase.template, chase.to, chase.reference) == ("exemption_chase", (HANA,), TOKEN)
    assert chase.context["waited"] == 3


def test_a_head_of_service_is_chased_only_once() -> None:
    records = {CHASE: Record("sent", date(2021, 5, 12))}

    assert plan_timers([request()], records, date(2021, 5, 13), EXEMPTIONS) == []


def test_an_escalated_request_goes_to_the_director_marked_no_head_of_service_response() -> None:
    escalation, to_director = plan_timers([request()], {}, date(2021, 5, 14), EXEMPTIONS)

    assert escalation == Escalation(
        replace(request(), state=State.AWAITING_DIRECTOR, no_head_response=True)
    )
    assert sent(to_director) == (TO_DIRECTOR, "exemption_to_director", (DIRECTOR,), ())
    assert to_director.context["no_head_response"] is True
    assert to_director.context["escalate_after"] == 4
    assert to_director.context["state"] == "awaiting_director"


@pytest.mark.parametrize(
    "state",
    [
        pytest.param(State.APPROVED, id="approved"),
        pytest.param(State.DECLINED, id="declined"),
        pytest.param(State.NOT_SUPPORTED, id="not-supported"),
        pytest.param(State.WITHDRAWN, id="withdrawn"),
    ],
)
def test_no_timer_runs_for_a_decided_or_withdrawn_request(state) -> None:
    assert plan_timers([request(state=state)], {}, date(2021, 5, 25), EXEMPTIONS) == []


def test_each_request_keeps_its_own_timer() -> None:
    sams = request(requested_on=date(2021, 5, 10))
    kims = request(KIM, number=18, requested_on=date(2021, 5, 12))

    plans = plan_timers([sams, kims], {}, date(2021, 5, 14), EXEMPTIONS)

    assert timer_plans(plans) == [
        f"escalate {REF}",
        f"{TO_DIRECTOR} -> {DIRECTOR}",
        f"exemption/EXM-2021-05-018/chase -> {OMAR}",
    ]


def test_the_timers_follow_the_configured_working_days() -> None:
    patient = replace(EXEMPTIONS, chase_after=3, escalate_after=5)

    on_day = {
        day: timer_plans(plan_timers([request()], {}, date(2021, 5, day), patient))
        for day in (12, 13, 17)
    }

    assert on_day == {
        12: [],
        13: [f"{CHASE} -> {HANA}"],
        17: [f"escalate {REF}", f"{TO_DIRECTOR} -> {DIRECTOR}"],
    }


LAST_WEEK = replace(EXEMPTIONS)  # the defaults: 1 and 2 working days in the last week


@pytest.mark.parametrize(
    ("requested_on", "today", "expected"),
    [
        # Tuesday 25 May 2021: 3 working days left (26, 27, 28 May; the 31st a bank holiday).
        pytest.param(date(2021, 5, 25), date(2021, 5, 25), [], id="the-day-it-came"),
        pytest.param(
            date(2021, 5, 25), date(2021, 5, 26), [f"{CHASE} -> {HANA}"], id="one-working-day"
        ),
        pytest.param(
            date(2021, 5, 25),
            date(2021, 5, 27),
            [f"escalate {REF}", f"{TO_DIRECTOR} -> {DIRECTOR}"],
            id="two-working-days-reaches-the-director-before-the-deadline-day",
        ),
        # Friday 21 May: the Saturday after counts for nothing; Monday 24 May is one.
        pytest.param(
            date(2021, 5, 22), date(2021, 5, 24), [f"{CHASE} -> {HANA}"], id="asked-on-saturday"
        ),
    ],
)
def test_a_request_asked_in_the_last_week_is_chased_after_1_working_day_and_bypassed_after_2(
    requested_on, today, expected
) -> None:
    asked = request(requested_on=requested_on, last_week=True)
    plans = plan_timers([asked], {}, today, LAST_WEEK)

    assert timer_plans(plans) == expected
    for plan in plans:
        if not isinstance(plan, Escalation) and plan.key == TO_DIRECTOR:
            assert plan.context["escalate_after"] == 2


def _with_director(since: date, **fields: object) -> Request:
    return request(
        state=State.AWAITING_DIRECTOR,
        requested_on=date(2021, 5, 4),
        head_decided_at=at(since, 14, 0),
        **fields,
    )


@pytest.mark.parametrize(
    ("since", "today", "chase"),
    [
        (date(2021, 5, 10), date(2021, 5, 11), None),  # 1 working day
        (date(2021, 5, 10), date(2021, 5, 12), 1),  # 2: the first reminder
        (date(2021, 5, 10), date(2021, 5, 14), 1),  # 4
        (date(2021, 5, 10), date(2021, 5, 17), 2),  # 5: three after the first
        (date(2021, 5, 10), date(2021, 5, 20), 3),  # 8
        (date(2021, 5, 10), date(2021, 6, 2), 5),  # 16 (31 May a bank holiday): 2, 5, 8, 11, 14
        (date(2021, 5, 14), date(2021, 5, 18), 1),  # Friday to Tuesday is two
    ],
)
def test_a_request_waiting_for_the_director_is_chased_after_2_working_days_then_every_3(
    since: date, today: date, chase: int | None
) -> None:
    plans = plan_timers([_with_director(since)], {}, today, EXEMPTIONS)

    if chase is None:
        assert plans == []
        return
    [mail] = plans
    assert (mail.key, mail.template, mail.to) == (
        f"exemption/{REF}/director-chase-{chase}",
        "exemption_director_chase",
        (DIRECTOR,),
    )
    assert mail.reference == TOKEN
    assert mail.context["since"] == since
    assert mail.context["waited"] == cal.working_days_between(since, today)


def test_each_reminder_to_the_director_goes_once() -> None:
    records = {f"exemption/{REF}/director-chase-2": Record("sent", date(2021, 5, 17))}

    plans = plan_timers([_with_director(date(2021, 5, 10))], records, date(2021, 5, 18), EXEMPTIONS)

    assert plans == []


def test_a_request_sent_on_without_its_head_counts_from_when_it_was_sent_on() -> None:
    escalated = request(
        state=State.AWAITING_DIRECTOR,
        no_head_response=True,
        escalated_at=at(date(2021, 5, 14), 9, 30),
    )

    assert plan_timers([escalated], {}, date(2021, 5, 17), EXEMPTIONS) == []
    [mail] = plan_timers([escalated], {}, date(2021, 5, 18), EXEMPTIONS)
    assert mail.context["no_head_response"] is True


@pytest.mark.parametrize(
    ("day", "month", "last_week"),
    [
        (date(2021, 5, 21), MAY, False),  # Friday: 5 working days left after it
        (date(2021, 5, 23), MAY, False),  # Sunday: 24-28 May still ahead, all five
        (date(2021, 5, 24), MAY, True),  # Monday: 4 left, with the 31st a bank holiday
        (date(2021, 5, 28), MAY, True),  # the deadline day
        (date(2021, 5, 31), MAY, True),  # the deadline itself, a bank holiday
        (date(2021, 6, 1), MAY, False),  # after the deadline: a request for a closed month
        (date(2021, 5, 24), JUNE, False),  # asking ahead for June
        (date(2021, 6, 24), JUNE, True),  # June 2021: 24, 25, 28, 29 and 30 June
        (date(2021, 6, 23), JUNE, False),
    ],
)
def test_the_last_week_is_the_last_5_working_days_up_to_the_deadline(
    day: date, month: Month, last_week: bool
) -> None:
    assert is_last_week(month, day, 5) is last_week


def test_a_request_for_a_month_whose_figures_are_final_is_chased_no_more() -> None:
    waiting = [_with_director(date(2021, 5, 10)), request(requested_on=date(2021, 5, 10))]

    assert plan_timers(waiting, {}, date(2021, 6, 7), EXEMPTIONS, frozenset({MAY})) == []


def test_undecided_requests_lapse_when_their_month_is_final_and_everyone_is_told() -> None:
    with_head = request(requested_on=date(2021, 5, 26))
    with_director = _with_director(date(2021, 5, 27), number=18)
    june = request(month=JUNE, number=3)

    plans = plan_lapses([with_head, with_director, june], frozenset({MAY}), EXEMPTIONS)

    lapsed = [p.request for p in plans if isinstance(p, Lapse)]
    mails = [p for p in plans if isinstance(p, MailPlan)]
    assert [(r.ref, r.state) for r in lapsed] == [
        ("EXM-2021-05-017", State.LAPSED),
        ("EXM-2021-05-018", State.LAPSED),
    ]
    assert [(m.key, m.template, m.to, m.cc) for m in mails] == [
        ("exemption/EXM-2021-05-017/lapsed", "exemption_lapsed", (SAM.email,), (HANA, QA)),
        (
            "exemption/EXM-2021-05-018/lapsed",
            "exemption_lapsed",
            (SAM.email,),
            (HANA, DIRECTOR, QA),
        ),
    ]
    assert [m.context["was"] for m in mails] == ["awaiting_head", "awaiting_director"]


@pytest.mark.parametrize(
    ("asked", "part", "state", "exempted", "until", "extended"),
    [
        pytest.param((), ((), None), State.APPROVED, (), None, (), id="the-whole-month"),
        pytest.param(
            ("CR-1", "CR-2"), ((), None), State.APPROVED, ("CR-1", "CR-2"), None, (),
            id="the-cases-asked-about",
        ),
        pytest.param(
            ("CR-1", "CR-2"), (("CR-2",), None), State.APPROVED, ("CR-2",), None, (),
            id="only-the-case-named",
        ),
        pytest.param(
            (), ((), date(2021, 6, 4)), State.EXTENDED, (), date(2021, 6, 4), (),
            id="an-extension-for-every-case",
        ),
        pytest.param(
            ("CR-1", "CR-2"), (("CR-1",), date(2021, 6, 4)), State.EXTENDED, (),
            date(2021, 6, 4), ("CR-1",),
            id="an-extension-for-the-case-named",
        ),
    ],
)  # fmt: skip
def test_what_a_directors_yes_decides(asked, part, state, exempted, until, extended) -> None:
    waiting = request(state=State.AWAITING_DIRECTOR, cases=asked)

    moved = transition(waiting, "director_decision", True, "Yes", EXEMPTIONS, part=part).moved

    assert moved.state is state
    assert moved.whole_month_exempted is (state is State.APPROVED and not exempted)
    assert (moved.terms.exempted, moved.terms.until, moved.terms.extended) == (
        frozenset(exempted),
        until,
        frozenset(extended),
    )
