"""Partial exemptions and extensions, through May and June 2021: an auditor asks to be let
off one case, the director exempts part or gives more time instead, and the reminders and
the counting follow what was decided."""

from __future__ import annotations

import html
import json
import re
from datetime import date, datetime
from urllib.parse import parse_qs, urlsplit

from click.testing import CliRunner

from bot.commands.cli import main
from bot.commands.requests_view import list_requests
from bot.commands.status_view import month_status_and_close
from bot.core.records import Month
from bot.reporting.digests import director_digest
from bot.reporting.report import month_report
from tests.world import DIRECTOR, HANA, KIM, LONDON, QA, SAM, Landed, World, build_new

SAM_EMAIL, KIM_EMAIL = SAM[1], KIM[1]
MAY = Month(2021, 5)


def _allocate(world: World) -> Landed:
    world.write_allocations(
        "2021-05",
        [(SAM_EMAIL, "CR-104362", "case_audit"), (SAM_EMAIL, "CR-104363", "case_audit"),
         (KIM_EMAIL, "CR-3001", "case_audit")],
    )  # fmt: skip
    world.write_completions("2021-05", [("CR-3001", KIM_EMAIL, "2021-05-06", "good")])
    world.tick("2021-05-04T09:30")
    return next(m for m in world.new_mail() if m.key == f"allocation/2021-05/{SAM_EMAIL}")


def _to_director(world: World, allocation: Landed, words: str, when: str) -> Landed:
    """Sam asks, Hana supports: the request's mail to the director."""
    world.reply(allocation, SAM_EMAIL, words)
    world.tick(f"{when}T10:00")
    landed = {m.key: m for m in world.new_mail()}
    to_head = next(m for k, m in landed.items() if k.endswith("/to-head"))
    world.reply(to_head, HANA, "I support this request.")
    world.tick(f"{when}T11:00")
    return next(m for m in world.new_mail() if m.key.endswith("/to-director"))


def _states(world: World, when: str) -> tuple[dict[str, str], str]:
    now = datetime.fromisoformat(when).replace(tzinfo=LONDON)
    states, _, close = month_status_and_close(world.open(), MAY, now)
    return {s["email"]: s["state"] for s in states}, close


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_a_partial_exemption_leaves_the_other_case_due_and_reminded(world: World) -> None:
    allocation = _allocate(world)
    to_director = _to_director(
        world,
        allocation,
        "Could I be exempt from CR-104363 at least? I'm giving evidence at a final hearing "
        "all of next week.",
        "2021-05-06",
    )
    # The Head of Service and the director are told which case is asked about.
    assert "Cases: CR-104363 only (any other cases stay due)" in _flat(to_director.text)
    world.reply(to_director, DIRECTOR, "Approved.")
    world.tick("2021-05-06T12:00")
    landed = {m.key: m for m in world.new_mail()}
    outcome = landed["exemption/EXM-2021-05-001/outcome"]
    assert outcome.subject.startswith(
        "Exemption EXM-2021-05-001 granted for CR-104363 (Sam Patel, May 2021)"
    )
    assert "reminders go on for them" in _flat(outcome.text)
    # The QA team is sent the exempted case alone, to give to someone else.
    told = landed[f"reallocate/2021-05/{SAM_EMAIL}"]
    assert told.to == (QA,)
    assert told.subject == (
        "May 2021: 1 case to reallocate from Sam Patel (exempted from named cases)"
    )
    assert "- CR-104363 (Case audit)" in told.text and "CR-104362" not in told.text
    (listed,) = list_requests(world.open(), MAY)
    assert (listed["cases"], listed["shown"]) == (["CR-104363"], "approved (CR-104363)")
    # The reminders name the case still due, and not the exempted one.
    by_day = world.run_days(date(2021, 5, 7), date(2021, 5, 14))
    (reminder,) = [m for m in by_day[date(2021, 5, 14)] if m.key.startswith("reminder/")]
    assert reminder.to == (SAM_EMAIL,)
    text = _flat(reminder.text)
    assert "Still to be submitted: CR-104362 (Case audit)" in text
    assert "The director exempted you from CR-104363: not due from you." in text
    assert _states(world, "2021-05-14T12:00")[0][SAM_EMAIL] == "outstanding"
    # Sam submits the other case: complete, and the reminders stop.
    world.write_completions(
        "2021-05",
        [("CR-3001", KIM_EMAIL, "2021-05-06", "good"),
         ("CR-104362", SAM_EMAIL, "2021-05-18", "good")],
    )  # fmt: skip
    later = world.run_days(date(2021, 5, 17), date(2021, 5, 28))
    # Nothing more about May; June's heads-up (on 24 May) is about the next month.
    to_sam = [m.key for mails in later.values() for m in mails if SAM_EMAIL in m.to]
    assert to_sam == [f"heads-up/2021-06/{SAM_EMAIL}"]
    assert _states(world, "2021-05-28T12:00")[0] == {SAM_EMAIL: "complete", KIM_EMAIL: "complete"}
    report = month_report(world.open(), MAY, datetime(2021, 5, 28, 12, tzinfo=LONDON))
    assert (report.audit_counts.in_time, report.audit_counts.allocated) == (2, 2)


def test_an_extension_counts_audits_in_by_its_date_as_extended(world: World) -> None:
    allocation = _allocate(world)
    to_director = _to_director(
        world,
        allocation,
        "I have been off sick since the 17th and can't finish. Can I be exempted this month?",
        "2021-05-24",
    )
    world.reply(to_director, DIRECTOR, "No to the exemption, but yes to an extension to the 4th.")
    world.tick("2021-05-24T12:00")
    landed = {m.key: m for m in world.new_mail()}
    outcome = landed["exemption/EXM-2021-05-001/outcome"]
    assert outcome.subject.startswith(
        "Extension EXM-2021-05-001: Sam Patel's May 2021 audits due by Friday 4 June 2021"
    )
    assert "count if submitted by Friday 4 June 2021" in _flat(outcome.text)
    assert [r["shown"] for r in list_requests(world.open(), MAY)] == ["extended to 2021-06-04"]
    assert landed["exemption/EXM-2021-05-001/director-confirm"].subject.startswith(
        "Recorded: exemption request EXM-2021-05-001 is now extension granted to Friday 4 June"
    )
    # No more of the month's own reminders: what is left is due by the new date.
    by_day = world.run_days(date(2021, 5, 25), date(2021, 6, 1))
    assert not [m for mails in by_day.values() for m in mails if m.key.startswith("reminder/")]
    # The close names the extension beside the audits not yet in.
    closing = {m.key: m for m in by_day[date(2021, 6, 1)]}
    assert (
        "- Sam Patel (Children in Need), 2 audits allocated; given an extension to "
        "Friday 4 June 2021" in closing[f"close/2021-05/head/{HANA}"].text
    )
    # The month closes provisional, Sam not counted so far: the extension still runs.
    assert _states(world, "2021-06-01T12:00") == (
        {SAM_EMAIL: "missed", KIM_EMAIL: "complete"},
        "provisional",
    )
    # ... and `auditbot status` says so, not a bare "missed" (its clock pinned to then).
    pinned = world.config.with_name("pinned.yaml")
    pinned.write_text(world.config.read_text() + 'clock: "2021-06-01T12:00"\n')
    shown = CliRunner().invoke(
        main, ["--config", str(pinned), "status", "--month", "2021-05", "--json"]
    )
    assert shown.exit_code == 0, shown.output
    sam = next(a for a in json.loads(shown.output)["auditors"] if a["email"] == SAM_EMAIL)
    assert (sam["state"], sam["extended_to"]) == ("missed", "2021-06-04")
    world.write_completions(
        "2021-05",
        [("CR-3001", KIM_EMAIL, "2021-05-06", "good"),
         ("CR-104362", SAM_EMAIL, "2021-05-27", "good")],
        modified="2021-06-01T18:00",
    )  # fmt: skip
    # Wednesday 2 June, 2 working days before the new date: the reminder follows it.
    world.tick("2021-06-02T09:30")
    (reminder,) = [m for m in world.new_mail() if SAM_EMAIL in m.to]
    assert reminder.key == "exemption/EXM-2021-05-001/extension-reminder-2"
    text = _flat(reminder.text)
    assert "These cases have an extension: they count if submitted by Friday 4 June 2021." in text
    assert "Still to be submitted: CR-104363 (Case audit)" in text and "CR-104362 (" not in text
    # The export covers the deadline, but the month is not final while the extension runs.
    assert _states(world, "2021-06-02T12:00")[1] == "provisional"
    # Thursday 3 June: the last case is in, after the deadline, before the new date.
    world.write_completions(
        "2021-05",
        [("CR-3001", KIM_EMAIL, "2021-05-06", "good"),
         ("CR-104362", SAM_EMAIL, "2021-05-27", "good"),
         ("CR-104363", SAM_EMAIL, "2021-06-03", "requires_improvement")],
        modified="2021-06-03T18:00",
    )  # fmt: skip
    world.run_days(date(2021, 6, 4), date(2021, 6, 4))
    assert _states(world, "2021-06-04T12:00") == (
        {SAM_EMAIL: "extended", KIM_EMAIL: "complete"},
        "provisional",
    )
    # The director's digest that week shows the closed month with the same figures.
    with world.open().engine.connect() as connection:
        friday = datetime(2021, 6, 4, 12, tzinfo=LONDON)
        closed = director_digest(world.open(), connection, friday).context["d"].closed_month
    assert (closed.month, closed.final) == (MAY, False)
    t = closed.tally
    assert (t.allocated, t.complete, t.extended, t.missed, t.rate) == (2, 2, 1, 0, 100)
    # Monday 7 June, the extension over: final, and status and the report agree.
    world.run_days(date(2021, 6, 7), date(2021, 6, 7))
    assert _states(world, "2021-06-07T12:00") == (
        {SAM_EMAIL: "extended", KIM_EMAIL: "complete"},
        "final",
    )
    report = month_report(world.open(), MAY, datetime(2021, 6, 7, 12, tzinfo=LONDON))
    t = report.overall
    assert (t.allocated, t.complete, t.extended, t.missed, t.late, t.rate) == (2, 2, 1, 0, 0, 100)
    assert (report.audit_counts.in_time, report.audit_counts.extended) == (3, 1)
    assert {a.row.email: a.row.standing.value for a in report.auditors} == {
        SAM_EMAIL: "extended",
        KIM_EMAIL: "complete",
    }


def test_an_audit_after_the_extension_date_is_late(world: World) -> None:
    allocation = _allocate(world)
    to_director = _to_director(
        world, allocation, "I'm off sick, can I be exempted from May please?", "2021-05-24"
    )
    world.reply(to_director, DIRECTOR, "Declined, but yes to an extension to the 2nd of June.")
    world.tick("2021-05-24T12:00")
    world.write_completions(
        "2021-05",
        [("CR-3001", KIM_EMAIL, "2021-05-06", "good"),
         ("CR-104362", SAM_EMAIL, "2021-06-01", "good"),
         ("CR-104363", SAM_EMAIL, "2021-06-03", "good")],
        modified="2021-06-03T18:00",
    )  # fmt: skip
    world.run_days(date(2021, 5, 25), date(2021, 6, 4))
    assert _states(world, "2021-06-04T12:00") == (
        {SAM_EMAIL: "late", KIM_EMAIL: "complete"},
        "final",
    )


def test_an_unclear_partial_approval_is_asked_about_not_guessed(world: World) -> None:
    allocation = _allocate(world)
    to_director = _to_director(
        world,
        allocation,
        "Can I be exempted from CR-104362 and CR-104363? I am giving evidence at a final "
        "hearing all month.",
        "2021-05-06",
    )
    world.reply(to_director, DIRECTOR, "Agreed but only for one of the two audits.")
    world.tick("2021-05-06T12:00")
    (question,) = world.new_mail()
    assert question.to == (DIRECTOR,)
    assert question.key.startswith("question/ASK-2021-05-")
    text = _flat(question.text)
    assert "1 - I approve the request" in text and "2 - I decline the request" in text
    assert (
        "To approve EXM-2021-05-001 for some of its cases only, reply to the request itself "
        'naming them, for example "Approved for CR-104362 only."' in text
    )
    # Nothing decided: Sam's cases are still due and the request waits for the director.
    assert _states(world, "2021-05-06T12:30")[0][SAM_EMAIL] == "outstanding"
    # The director answers on the request, naming the case: that is the decision.
    world.reply(to_director, DIRECTOR, "Approved for CR-104362 only.")
    world.tick("2021-05-06T13:00")
    landed = {m.key: m for m in world.new_mail()}
    assert landed["exemption/EXM-2021-05-001/outcome"].subject.startswith(
        "Exemption EXM-2021-05-001 granted for CR-104362 ("
    )
    reallocate = landed[f"reallocate/2021-05/{SAM_EMAIL}"]
    assert "CR-104362" in reallocate.text and "CR-104363" not in reallocate.text
    # Decided: the question is not asked again, nor passed to the QA team.
    later = world.run_days(date(2021, 5, 7), date(2021, 5, 14))
    assert not [m for mails in later.values() for m in mails if m.key.startswith("question/")]


def test_the_qa_team_grants_an_extension_by_replying_to_the_slippage_notice(
    world: World,
) -> None:
    allocation = _allocate(world)
    world.reply(allocation, SAM_EMAIL, "I'm worried I won't get CR-104363 done by the deadline.")
    world.tick("2021-05-25T10:00")
    landed = {m.kind: m for m in world.new_mail()}
    slipping = next(m for m in landed.values() if m.to == (HANA,))
    assert slipping.cc == (QA,)
    assert 'with the new date (for example "Extension to Monday 7 June 2021")' in _flat(
        slipping.text
    )
    # Hana asks the QA team (her reply goes to a person there), who agree more time.
    world.reply(slipping, HANA, "Could Sam have until the 4th for CR-104363?")
    world.tick("2021-05-25T11:00")
    assert {m.to for m in world.new_mail()} == {(QA,), (HANA,)}  # forwarded; Hana told
    world.reply(slipping, QA, "Agreed with Hana: an extension to the 4th for CR-104363.")
    world.tick("2021-05-25T12:00")
    (told,) = world.new_mail()
    assert (told.to, told.cc) == ((SAM_EMAIL,), (HANA, QA))
    assert told.subject.startswith(
        "Extension EXM-2021-05-001: Sam Patel's May 2021 audits for CR-104363 due by "
        "Friday 4 June 2021"
    )
    text = _flat(told.text)
    assert "The quality assurance team has given you more time: your May 2021 audits" in text
    assert "Any other May 2021 audits are still due by Monday 31 May 2021." in text
    # The month's own reminders go on for the other case alone.
    by_day = world.run_days(date(2021, 5, 26), date(2021, 5, 28))
    (reminder,) = [m for m in by_day[date(2021, 5, 26)] if m.key.startswith("reminder/")]
    assert "Still to be submitted: CR-104362 (Case audit)" in _flat(reminder.text)
    assert "CR-104363 (" not in reminder.text
    world.write_completions(
        "2021-05",
        [("CR-3001", KIM_EMAIL, "2021-05-06", "good"),
         ("CR-104362", SAM_EMAIL, "2021-05-27", "good"),
         ("CR-104363", SAM_EMAIL, "2021-06-04", "good")],
        modified="2021-06-04T18:00",
    )  # fmt: skip
    world.run_days(date(2021, 6, 1), date(2021, 6, 7))
    assert _states(world, "2021-06-07T12:00") == (
        {SAM_EMAIL: "extended", KIM_EMAIL: "complete"},
        "final",
    )


def test_a_part_done_reply_naming_cases_leaves_only_the_others_in_the_reminders(
    world: World,
) -> None:
    allocation = _allocate(world)
    world.reply(allocation, SAM_EMAIL, "I've done CR-104362, CR-104363 is nearly there.")
    world.tick("2021-05-12T10:00")
    (ack,) = world.new_mail()
    assert ack.to == (SAM_EMAIL,)
    assert (
        "We have noted that you have done CR-104362, so the reminders will not name it; it "
        "counts once the audit tool shows it as submitted by the deadline." in _flat(ack.text)
    )
    # The sheet does not show CR-104362 yet; the reminder names the case still to do.
    by_day = world.run_days(date(2021, 5, 13), date(2021, 5, 14))
    (reminder,) = [m for m in by_day[date(2021, 5, 14)] if m.key.startswith("reminder/")]
    assert "Still to be submitted: CR-104363 (Case audit)" in _flat(reminder.text)
    assert "CR-104362 (" not in reminder.text
    assert _states(world, "2021-05-14T12:00")[0][SAM_EMAIL] == "outstanding"


def test_the_director_answers_the_question_back_with_one_click_approving_both(
    world: World,
) -> None:
    allocation = _allocate(world)
    to_director = _to_director(
        world,
        allocation,
        "Can I be exempted from CR-104362 and CR-104363? I am giving evidence at a final "
        "hearing all month.",
        "2021-05-06",
    )
    world.reply(to_director, DIRECTOR, "Agreed but only for one of the two audits.")
    world.tick("2021-05-06T12:00")
    (question,) = world.new_mail()
    links = dict(re.findall(r'<a href="(mailto:[^"]+)"[^>]*>([^<]+)</a>', question.html))
    href = next(html.unescape(h) for h, said in links.items() if said == "I approve the request")
    fields = {k: v[0] for k, v in parse_qs(urlsplit(href).query).items()}
    world.deliver(build_new(DIRECTOR, fields["subject"], fields["body"]))
    world.tick("2021-05-06T13:00")
    landed = {m.key: m for m in world.new_mail()}
    outcome = landed["exemption/EXM-2021-05-001/outcome"]
    assert outcome.subject.startswith(
        "Exemption EXM-2021-05-001 granted for CR-104362, CR-104363 ("
    )
    # The director's words quoted to Sam include the answer, so "only one" does not stand
    # alone beside a decision for both.
    said = _flat(outcome.text.split("The director's comment:", 1)[1])
    assert said.startswith(
        "| Agreed but only for one of the two audits. | | [Asked which they meant, they "
        "answered: I approve the request.]"
    )
    assert _states(world, "2021-05-06T13:30")[0][SAM_EMAIL] == "exempted"
