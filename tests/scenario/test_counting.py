"""Counting by submission date, through May and June 2021: the export lags, the close is
provisional until an export covering the deadline is read, and a corrected export after the
month is final is recorded and told."""

from __future__ import annotations

from datetime import date, datetime

from click.testing import CliRunner
from sqlalchemy import select

from bot.commands.cli import main
from bot.commands.status_view import month_status_and_close
from bot.core.records import Month
from bot.reporting.report import month_report
from bot.store import trail
from bot.store.schema import events
from tests.world import ALEX, DIRECTOR, HANA, KIM, LONDON, OMAR, QA, SAM, Landed, World

SAM_EMAIL, ALEX_EMAIL, KIM_EMAIL = SAM[1], ALEX[1], KIM[1]
MAY = Month(2021, 5)


def _may(world: World) -> None:
    world.write_allocations(
        "2021-05",
        [(SAM_EMAIL, "CR-1001", "case_audit"), (ALEX_EMAIL, "CR-2001", "case_audit"),
         (KIM_EMAIL, "CR-3001", "case_audit")],
    )  # fmt: skip
    # The export of Thursday 27 May: only Kim's audit so far.
    world.write_completions(
        "2021-05", [("CR-3001", KIM_EMAIL, "2021-05-20", "good")], modified="2021-05-27T18:00"
    )
    world.run_days(date(2021, 5, 4), date(2021, 5, 31))
    world.new_mail()


def _states(world: World, when: str) -> tuple[dict[str, str], str]:
    now = datetime.fromisoformat(when).replace(tzinfo=LONDON)
    states, _, close = month_status_and_close(world.open(), MAY, now)
    return {s["email"]: s["state"] for s in states}, close


def _events(world: World, kind: str) -> list[tuple[str | None, dict]]:
    with world.open().engine.connect() as connection:
        rows = connection.execute(
            select(events.c.subject, events.c.detail).where(events.c.kind == kind)
        )
        return [(r.subject, r.detail) for r in rows]


def test_rows_dated_31_may_first_seen_on_2_june_are_counted_not_late(world: World) -> None:
    _may(world)
    by_day = world.run_days(date(2021, 6, 1), date(2021, 6, 1))
    closing = {m.key: m for m in by_day[date(2021, 6, 1)]}
    # Closed provisional: the export read so far was made before the deadline.
    hana = closing[f"close/2021-05/head/{HANA}"]
    assert hana.subject == (
        "May 2021 audits (provisional): 2 of your auditors not shown as submitting all their "
        "audits in time so far"
    )
    text = " ".join(hana.text.split())
    assert "These figures are provisional." in text
    assert "or on Thursday 3 June 2021 at the latest" in text
    assert closing["close/2021-05/qa"].subject.startswith(
        "May 2021 audit month closed (provisional)"
    )
    assert closing[f"close/2021-05/head/{OMAR}"].subject == (
        "May 2021 audits: every audit due from your auditors was submitted in time"
    )
    assert _states(world, "2021-06-01T12:00") == (
        {SAM_EMAIL: "missed", ALEX_EMAIL: "missed", KIM_EMAIL: "complete"},
        "provisional",
    )
    # Wednesday 2 June: the export made that morning shows Sam's audit of Monday 31 May (the
    # deadline, a bank holiday) and Alex's of 1 June.
    world.write_completions(
        "2021-05",
        [("CR-3001", KIM_EMAIL, "2021-05-20", "good"),
         ("CR-1001", SAM_EMAIL, "2021-05-31", "good"),
         ("CR-2001", ALEX_EMAIL, "2021-06-01", "inadequate")],
        modified="2021-06-02T07:00",
    )  # fmt: skip
    world.tick("2021-06-02T09:30")
    # While provisional: no correction mail (Alex's inadequate audit is an action for the child).
    assert [m.key for m in world.new_mail()] == ["child-action/2021-05/notify/CR-2001"]
    assert _states(world, "2021-06-02T12:00") == (
        {SAM_EMAIL: "complete", ALEX_EMAIL: "late", KIM_EMAIL: "complete"},
        "final",
    )
    assert [(s, d["outcome"]) for s, d in _events(world, "outcome_updated")] == [
        (SAM_EMAIL, "complete")
    ]
    assert [d["why"] for _, d in _events(world, "month_final")] == ["export"]
    # The report agrees with status.
    report = month_report(world.open(), MAY, datetime(2021, 6, 2, 12, tzinfo=LONDON))
    assert report.final
    assert (report.overall.complete, report.overall.late, report.overall.missed) == (2, 1, 0)
    # By audit beside by auditor: Alex's one audit came a day late.
    assert (report.audit_counts.in_time, report.audit_counts.allocated) == (2, 3)
    assert {a.row.email: a.row.standing.value for a in report.auditors} == {
        SAM_EMAIL: "complete",
        ALEX_EMAIL: "late",
        KIM_EMAIL: "complete",
    }


def test_with_no_export_after_the_deadline_the_close_is_final_after_3_working_days(
    world: World,
) -> None:
    _may(world)
    world.run_days(date(2021, 6, 1), date(2021, 6, 2))
    assert _states(world, "2021-06-02T12:00")[1] == "provisional"
    world.tick("2021-06-03T08:30")  # before the send time
    assert _states(world, "2021-06-03T08:31")[1] == "provisional"
    world.tick("2021-06-03T09:30")
    assert _states(world, "2021-06-03T09:31")[1] == "final"
    assert [d["why"] for _, d in _events(world, "month_final")] == ["grace"]


def test_a_corrected_export_after_the_month_is_final_is_recorded_and_the_qa_team_told(
    world: World,
) -> None:
    _may(world)
    world.write_completions(
        "2021-05",
        [("CR-3001", KIM_EMAIL, "2021-05-20", "good"),
         ("CR-2001", ALEX_EMAIL, "2021-06-01", "good")],
        modified="2021-06-01T07:00",
    )  # fmt: skip
    world.run_days(date(2021, 6, 1), date(2021, 6, 7))
    world.new_mail()
    assert _states(world, "2021-06-07T12:00") == (
        {SAM_EMAIL: "missed", ALEX_EMAIL: "late", KIM_EMAIL: "complete"},
        "final",
    )
    # Tuesday 8 June: the audit tool's export is corrected. Alex's audit was submitted on
    # 28 May (the tool had the date wrong) and Sam's on 27 May (it was missing).
    world.write_completions(
        "2021-05",
        [("CR-3001", KIM_EMAIL, "2021-05-20", "good"),
         ("CR-2001", ALEX_EMAIL, "2021-05-28", "good"),
         ("CR-1001", SAM_EMAIL, "2021-05-27", "requires_improvement")],
        modified="2021-06-08T08:00",
    )  # fmt: skip
    world.tick("2021-06-08T09:30")
    (told,) = world.new_mail()
    assert told.to == (QA,)
    assert told.subject == "May 2021 figures corrected: 2 more auditors counted complete"
    text = " ".join(told.text.split())
    assert "Alex Jones (Looked After Children), 1 audit allocated" in text
    assert "Sam Patel (Children in Need), 1 audit allocated" in text
    assert "The change is recorded in the audit trail." in text
    assert sorted((s, d["outcome"]) for s, d in _events(world, "outcome_corrected")) == [
        (ALEX_EMAIL, "complete"),
        (SAM_EMAIL, "complete"),
    ]
    assert _states(world, "2021-06-08T12:00")[0] == {
        SAM_EMAIL: "complete",
        ALEX_EMAIL: "complete",
        KIM_EMAIL: "complete",
    }
    # Nothing more at the next tick: the change is made once.
    world.tick("2021-06-09T09:30")
    assert world.new_mail() == []


def _ask_and_support(world: World, when: str) -> Landed:
    """Sam asks for May, Hana supports: the request's mail to the director."""
    allocation = next(m for m in world.all_mail() if m.key == f"allocation/2021-05/{SAM_EMAIL}")
    world.reply(
        allocation,
        SAM_EMAIL,
        "I have been on sick leave since 24 May and could not finish, can I be exempted?",
    )
    world.tick(f"{when}T10:00")
    to_head = next(m for m in world.new_mail() if m.key.endswith("/to-head"))
    world.reply(to_head, HANA, "I support this request.")
    world.tick(f"{when}T11:00")
    return next(m for m in world.new_mail() if m.key.endswith("/to-director"))


def test_an_approval_while_the_close_is_provisional_makes_the_outcome_exempted(
    world: World,
) -> None:
    _may(world)
    to_director = _ask_and_support(world, "2021-05-28")
    world.tick("2021-06-01T09:30")  # closes May, provisional: Sam missed so far
    world.new_mail()
    world.reply(to_director, DIRECTOR, "Approved.")
    world.tick("2021-06-02T09:00")
    told = {m.key: m for m in world.new_mail()}
    outcome = told["exemption/EXM-2021-05-001/outcome"]
    assert outcome.to == (SAM_EMAIL,)
    assert (
        "May 2021 has closed, but its figures are still provisional, so the decision counts: "
        "your May 2021 outcome is now recorded as exempted, not missed."
        in " ".join(outcome.text.split())
    )
    states, close = _states(world, "2021-06-02T12:00")
    assert states[SAM_EMAIL] == "exempted" and close == "provisional"
    assert [(s, d["outcome"]) for s, d in _events(world, "outcome_updated")] == [
        (SAM_EMAIL, "exempted")
    ]
    report = month_report(world.open(), MAY, datetime(2021, 6, 2, 12, tzinfo=LONDON))
    assert (report.overall.exempted, report.overall.missed, report.overall.complete) == (1, 1, 1)


def test_after_the_month_is_final_a_request_and_a_decision_are_refused_plainly(
    world: World,
) -> None:
    _may(world)
    to_director = _ask_and_support(world, "2021-05-28")
    by_day = world.run_days(date(2021, 6, 1), date(2021, 6, 3))  # final on Thursday 3 June
    world.new_mail()
    assert _states(world, "2021-06-03T12:00")[1] == "final"
    # The request still with the director lapses, and everyone it involved is told.
    (lapsed,) = [m for m in by_day[date(2021, 6, 3)] if m.key.startswith("exemption/")]
    assert lapsed.key == "exemption/EXM-2021-05-001/lapsed"
    assert (lapsed.to, lapsed.cc) == ((SAM_EMAIL,), (HANA, DIRECTOR, QA))
    assert "so the request is closed without one" in " ".join(lapsed.text.split())
    # The director's approval comes on Monday 7 June: too late to change May.
    world.reply(to_director, DIRECTOR, "Approved.")
    # Alex asks on May's thread on the same day (the thread names the month).
    allocation = next(m for m in world.all_mail() if m.key == f"allocation/2021-05/{ALEX_EMAIL}")
    world.reply(
        allocation, ALEX_EMAIL, "I was off sick and could not do my audits, can I be exempted?"
    )
    world.tick("2021-06-07T09:30")
    landed = world.new_mail()
    refusals = [m for m in landed if m.key.endswith("/month-final")]
    assert sorted(m.to for m in refusals) == [(ALEX_EMAIL,), (DIRECTOR,)]
    assert all(m.cc == (QA,) for m in refusals)
    to_director_answer = next(m for m in refusals if m.to == (DIRECTOR,))
    assert to_director_answer.subject.startswith(
        "Exemption request EXM-2021-05-001: May 2021 figures are final, the decision is not applied"
    )
    to_alex = next(m for m in refusals if m.to == (ALEX_EMAIL,))
    assert "So no exemption request for May 2021 has been made." in " ".join(to_alex.text.split())
    assert not [m for m in landed if m.key.startswith("exemption/")]  # nothing decided or made
    states, _ = _states(world, "2021-06-07T12:00")
    assert (states[SAM_EMAIL], states[ALEX_EMAIL]) == ("missed", "missed")
    assert len(_events(world, "refused_month_final")) == 2
    # The director is reminded of the request no more.
    later = world.run_days(date(2021, 6, 8), date(2021, 6, 15))
    assert not [m for mails in later.values() for m in mails if "director-chase" in m.key]


def test_the_close_day_digest_shows_the_closed_month_and_the_new_one_and_all_agree(
    world: World,
) -> None:
    world.enable_digests()
    _may(world)
    world.write_allocations("2021-06", [(SAM_EMAIL, "CR-1101", "case_audit")])
    # Tuesday 1 June: May closes (provisional), June's allocations go, and the week's digest
    # (Monday was a bank holiday) comes after them.
    by_day = world.run_days(date(2021, 6, 1), date(2021, 6, 1))
    landed = {m.key: m for m in by_day[date(2021, 6, 1)]}
    summary = landed["close/2021-05/qa"]
    assert summary.to == (QA,) and summary.cc == (DIRECTOR,)
    digest = landed["digest/2021-W22/director"]
    assert digest.subject == (
        "Weekly audit digest, week of Tue 1 Jun: June 2021 0% of auditors complete, "
        "May 2021 closed at 33% "
        "(provisional), 21 working days left"
    )
    text = " ".join(digest.text.split())
    assert (
        "MAY 2021: CLOSED (PROVISIONAL) Everyone: 3 auditors allocated, 1 complete in time, "
        "0 exempted, "
        "2 missed, 0 late (not counted): 33%" in text
    )
    assert "COMPLETION: JUNE 2021" in text
    assert (
        "By auditor: 0 of 1 auditor not exempted has every audit in (0%). "
        "By audit: 0 of their 1 audit submitted in time (0%)." in text
    )
    assert "May 2021: closed (provisional)" in digest.html
    # The same numbers everywhere: the close summary, the digest, status and the report.
    summary_text = " ".join(summary.text.split())
    assert "Auditors allocated: 3 Complete in time: 1 Exempted: 0 Not all in time: 2" in (
        summary_text
    )
    assert "Completion rate: 33%" in summary_text
    states, close = _states(world, "2021-06-01T12:00")
    assert close == "provisional"
    assert sorted(states.values()) == ["complete", "missed", "missed"]
    report = month_report(world.open(), MAY, datetime(2021, 6, 1, 12, tzinfo=LONDON))
    t = report.overall
    assert (t.allocated, t.complete, t.exempted, t.missed, t.late, t.rate) == (3, 1, 0, 2, 0, 33)
    assert (report.closed, report.final) == (True, False)
    hana = " ".join(landed[f"close/2021-05/head/{HANA}"].text.split())
    assert (
        "Of your 2 auditors with audits allocated: 0 submitted in time, 0 were exempted, and 2 "
        "are not shown" in hana
    )
    # The next week's digest is about June alone.
    later = world.run_days(date(2021, 6, 2), date(2021, 6, 7))
    june = next(m for m in later[date(2021, 6, 7)] if m.key == "digest/2021-W23/director")
    assert "MAY 2021" not in june.text


def test_digest_at_a_past_time_shows_the_month_as_it_was_then(world: World) -> None:
    _may(world)
    world.write_completions(
        "2021-05",
        [("CR-3001", KIM_EMAIL, "2021-05-20", "good"),
         ("CR-1001", SAM_EMAIL, "2021-05-26", "good"),
         ("CR-2001", ALEX_EMAIL, "2021-06-01", "good")],
        modified="2021-06-02T07:00",
    )  # fmt: skip
    world.run_days(date(2021, 6, 1), date(2021, 6, 8))
    with world.open().engine.connect() as connection:
        then = datetime(2021, 5, 24, 9, 30, tzinfo=LONDON)
        event, head = trail.head(connection, until=then)
    world.close()
    result = CliRunner().invoke(
        main, ["--config", str(world.config), "digest", "--qa-copy", "--at", "2021-05-24T09:30"]
    )
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "As of Monday 24 May 2021, 09:30: the counts are from completions submitted by then" in (
        text
    )
    # On 24 May only Kim's audit (20 May) was in: the month open, the counts adding up.
    assert (
        "Everyone: 3 auditors allocated, 1 complete, 0 say done, 0 exempted, 2 outstanding: 33%"
        in text
    )
    assert "MAY 2021: CLOSED" not in text
    assert f"the newest event in the audit trail was number {event}, with hash {head}" in text
