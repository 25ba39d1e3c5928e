"""Digest and report figures on the seeded May 2021 (tests/digest/seeded.py), worked by hand.

Every expected number below is counted from the table in seeded.py's docstring, not from
the code under test.
"""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from bot.config import TargetSettings
from bot.core.completion import Standing, Tally
from bot.core.digest_figures import build_digest
from bot.core.quality import GradeMix
from bot.core.records import Month
from bot.core.report_figures import build_report
from tests.digest.seeded import (
    ALEX,
    BEN,
    CLOSED,
    CURRENT,
    DINA,
    GUS,
    HANA,
    HISTORY,
    KIM,
    LEE,
    NOW,
    OMAR,
    PRIYA,
    SAM,
    at,
)

TARGETS = TargetSettings().rules  # the defaults: 40% and 12%


def _tally(group) -> tuple[int, ...]:
    t = group.tally if hasattr(group, "tally") else group
    return (t.allocated, t.complete, t.self_reported, t.exempted, t.outstanding, t.rate)


def _rates(points) -> dict[str, int | None]:
    return {str(p.month): p.rate for p in points}


def _mix(mix: GradeMix) -> tuple[object, ...]:
    return (
        mix.graded,
        mix.good_or_better_share,
        mix.requires_improvement_share,
        mix.inadequate_share,
        mix.ungraded,
        mix.late,
        mix.small,
    )


@pytest.fixture(scope="module")
def director():
    return build_digest(CURRENT, HISTORY, NOW, day=NOW.date())


def test_completion_overall_with_the_days_left(director) -> None:
    d = director
    # Allocated: sam ben alex dina kim lee (gus held back, fay has nothing). Complete: sam,
    # ben (Sam also said so: the sheet confirms it). Kim said done but CR-3002 is missing.
    # Lee exempted mid-month. Rate = 2 complete / (6 - 1 exempted) = 40%.
    assert _tally(d.overall) == (6, 2, 1, 1, 2, 40)
    assert (d.overall.missed, d.overall.late, d.overall.counted) == (0, 0, 5)
    assert d.held_back == (GUS.email,)
    # Deadline Monday 31 May (a bank holiday), so the last working day is Friday 28 May:
    # after Monday 17 May that leaves 18-21 and 24-28 May, 9 working days.
    assert (d.deadline, d.deadline_day, d.working_days_left) == (
        date(2021, 5, 31),
        date(2021, 5, 28),
        9,
    )
    assert (d.week, d.day) == ("2021-W20", date(2021, 5, 17))


def test_completion_per_service_and_team(director) -> None:
    d = director
    # No service column in this roster: each team stands as its own service.
    assert [(g.label, *_tally(g)) for g, _ in d.services] == [
        ("Children in Need", 2, 2, 0, 0, 0, 100),
        ("Early Help", 2, 0, 1, 1, 0, 0),  # Kim says done, Lee exempted: 0 of 1
        ("Fostering", 0, 0, 0, 0, 0, None),  # a team with no allocations
        ("Looked After Children", 2, 0, 0, 0, 2, 0),
    ]
    assert all([t.label for t in teams] == [g.label] for g, teams in d.services)
    assert [(g.label, g.head, *_tally(g)) for g in d.teams] == [
        ("Children in Need", "Hana Ahmed", 2, 2, 0, 0, 0, 100),
        ("Early Help", "Omar Khan", 2, 0, 1, 1, 0, 0),
        ("Fostering", "Omar Khan", 0, 0, 0, 0, 0, None),  # a team with no allocations
        ("Looked After Children", "Priya Shah", 2, 0, 0, 0, 2, 0),
    ]
    assert d.auditors == () and d.follow_ups == ()  # names only in a Head's digest


def test_services_by_the_rosters_name_and_a_misspelt_head_counted_once() -> None:
    # The roster names services; Lee's row has Omar's address typed one letter off.
    def served(a, service):
        return dataclasses.replace(a, service=service)

    roster = {
        a.email: served(a, "Children's Social Care" if a.team != "Early Help" else "")
        for a in CURRENT.roster.values()
    }
    roster[LEE.email] = dataclasses.replace(
        roster[LEE.email], head_of_service_email="omar.kahn@council.example"
    )
    current = dataclasses.replace(CURRENT, roster=roster)
    d = build_digest(current, HISTORY, NOW, day=NOW.date())
    shown = [(g.label, *_tally(g), [t.label for t in teams]) for g, teams in d.services]
    assert shown == [
        (
            "Children's Social Care",
            4, 2, 0, 0, 2, 50,
            ["Children in Need", "Fostering", "Looked After Children"],
        ),
        # Kim under omar@, Lee under omar.kahn@: one team, one row, both counted.
        ("Early Help", 2, 0, 1, 1, 0, 0, ["Early Help"]),
    ]  # fmt: skip
    labels = {g.label for g, _ in d.services} | {t.label for _, ts in d.services for t in ts}
    assert not labels & {"Hana Ahmed", "Omar Khan", "Priya Shah"}


def test_each_auditors_standing_names_what_is_missing(director) -> None:
    d = build_digest(CURRENT, HISTORY, NOW, OMAR)
    assert [(a.name, a.standing, a.outstanding) for a in d.auditors] == [
        ("Kim Lee", Standing.SELF_REPORTED, ("CR-3002",)),
        ("Lee Walker", Standing.EXEMPTED, ()),
    ]


def test_completion_trend_over_twelve_months(director) -> None:
    rates = _rates(director.trend)
    assert list(rates) == [str(Month(2020, 6).plus(n)) for n in range(12)]
    # March: 1 of 2. April: 4 complete of 5 (Omar's exempted auditor left out; Hana's late
    # one counted as not complete). May so far: 2 of 5. May 2020 is outside the window.
    assert rates == {
        **{str(Month(2020, 6).plus(n)): None for n in range(9)},
        "2021-03": 50,
        "2021-04": 80,
        "2021-05": 40,
    }
    assert [p.so_far for p in director.trend] == [False] * 11 + [True]


def test_exemptions_pending_with_whom_and_for_how_long(director) -> None:
    pending = [
        (p.request.ref, p.with_whom, p.since, p.working_days, p.working_days_in_all)
        for p in director.pending
    ]
    assert pending == [
        # Dina's went to the director on Monday 10 May: 11-14 and 17 May = 5 working days;
        # asked on Tuesday 4 May: 5-7, 10-14, 17 May = 9 in all.
        ("EXM-2021-05-003", "the director", date(2021, 5, 10), 5, 9),
        # Alex asked Hana (still the Head then) on Wednesday 12 May: 13, 14, 17 May.
        ("EXM-2021-05-002", "Hana Ahmed (Head of Service)", date(2021, 5, 12), 3, 3),
    ]


def test_exemptions_decided_this_week_flagged_and_repeated(director) -> None:
    d = director
    # The week looked back over starts at 09:30 on Monday 10 May: the June request decided
    # at 09:00 that morning is before it.
    assert [(x.request.ref, x.outcome, x.by, x.at) for x in d.decided] == [
        ("EXM-2021-05-001", "approved", "Dana Director", at(11, 11)),
        ("EXM-2021-05-004", "not supported", "Hana Ahmed", at(14, 12)),
    ]
    assert [(r.ref, r.flags) for r in d.flagged] == [
        ("EXM-2021-05-003", ("after allocation", "outside policy", "no Head of Service response")),
        ("EXM-2021-05-001", ("after allocation",)),
        ("EXM-2021-05-002", ("after allocation",)),
        ("EXM-2021-05-004", ("after allocation",)),
    ]
    # Dina: January and April. Lee: May 2021 only (May 2020 is 13 months back).
    assert [(r.name, r.months) for r in d.repeats] == [
        ("Dina Morgan", (Month(2021, 1), Month(2021, 4)))
    ]


def test_at_risk_notices_and_out_of_office_replies(director) -> None:
    assert [(n.name, n.kind, n.count, n.latest) for n in director.notices] == [
        ("Ben Okafor", "at_risk", 1, at(6, 11)),
        ("Dina Morgan", "out_of_office", 2, at(12, 9, 41)),
    ]


def test_quality_over_the_last_three_full_months(director) -> None:
    q = director.quality
    assert [m for m, _ in q.months] == [Month(2021, 2), Month(2021, 3), Month(2021, 4)]
    # February: no sheet. March: good, outstanding, requires improvement (+1 ungraded).
    # April: good, inadequate, requires improvement, outstanding (+1 ungraded, +1 late).
    assert [_mix(mix) for _, mix in q.months] == [
        (0, None, None, None, 0, 0, False),
        (3, 66.7, 33.3, 0.0, 1, 0, True),
        (4, 50.0, 25.0, 25.0, 1, 1, True),
    ]
    # Together: 7 graded, 4 good or better (57.1%), 2 RI (28.6%), 1 inadequate (14.3%):
    # fewer than 10, so a small number; meets the 40% target, not under the 12% limit.
    assert _mix(q.combined) == (7, 57.1, 28.6, 14.3, 2, 1, True)
    assert (TARGETS.meets_good(q.combined), TARGETS.meets_inadequate(q.combined)) == (True, False)
    assert q.any_small
    assert [m for m, _ in q.trend] == [Month(2020, 5).plus(n) for n in range(12)]


def test_a_head_of_service_sees_their_own_auditors_with_names() -> None:
    priya = build_digest(CURRENT, HISTORY, NOW, PRIYA)
    assert (priya.head_name, _tally(priya.overall)) == ("Priya Shah", (2, 0, 0, 0, 2, 0))
    assert [a.name for a in priya.auditors] == ["Alex Jones", "Dina Morgan"]
    assert [t.label for t in priya.teams] == ["Looked After Children"]
    assert [p.request.ref for p in priya.pending] == ["EXM-2021-05-003", "EXM-2021-05-002"]
    assert priya.decided == () and priya.held_back == ()
    assert [r.name for r in priya.repeats] == ["Dina Morgan"]
    assert [n.name for n in priya.notices] == ["Dina Morgan"]
    # Alex's April audit graded inadequate: Priya heads Alex's service now, so it is hers.
    assert [(f.case_ref, f.auditor, f.submitted_on, f.late) for f in priya.follow_ups] == [
        ("CR-0202", "Alex Jones", date(2021, 4, 7), False)
    ]
    # Quality over Priya's auditors: April's inadequate CR-0202 (Dina's had no grade).
    assert _mix(priya.quality.combined) == (1, 0.0, 0.0, 100.0, 1, 0, True)
    # No month closed under Priya yet: only May so far, 0 of 2.
    assert {k: v for k, v in _rates(priya.trend).items() if v is not None} == {"2021-05": 0}


def test_the_head_before_the_change_keeps_what_still_waits_for_them() -> None:
    hana = build_digest(CURRENT, HISTORY, NOW, HANA)
    assert _tally(hana.overall) == (2, 2, 0, 0, 0, 100)
    assert [a.email for a in hana.auditors] == [BEN.email, SAM.email]
    assert hana.held_back == (GUS.email,)
    # Both requests were made to Hana; Alex's is still waiting for her.
    assert [p.request.ref for p in hana.pending] == ["EXM-2021-05-003", "EXM-2021-05-002"]
    assert [x.request.ref for x in hana.decided] == ["EXM-2021-05-004"]
    assert [r.ref for r in hana.flagged] == [
        "EXM-2021-05-003",
        "EXM-2021-05-002",
        "EXM-2021-05-004",
    ]
    assert hana.repeats == ()  # Dina is Priya's now
    assert hana.follow_ups == ()
    # Hana's history: March 1 of 2; April 3 of 4 (the late one not counted).
    rates = {k: v for k, v in _rates(hana.trend).items() if v is not None}
    assert rates == {"2021-03": 50, "2021-04": 75, "2021-05": 100}
    # Her auditors now are Sam, Ben and Gus: March good + outstanding; April good +
    # outstanding (Sam's late one left out).
    assert _mix(hana.quality.combined) == (4, 100.0, 0.0, 0.0, 0, 1, True)


def test_a_team_with_no_allocations_still_shows() -> None:
    omar = build_digest(CURRENT, HISTORY, NOW, OMAR)
    assert [(t.label, *_tally(t)) for t in omar.teams] == [
        ("Early Help", 2, 0, 1, 1, 0, 0),
        ("Fostering", 0, 0, 0, 0, 0, None),
    ]
    assert [x.request.ref for x in omar.decided] == ["EXM-2021-05-001"]
    rates = {k: v for k, v in _rates(omar.trend).items() if v is not None}
    assert rates == {"2021-04": 100, "2021-05": 0}  # April: 1 complete, 1 exempted


def test_the_month_report_once_closed() -> None:
    report = build_report(CLOSED, HISTORY, at(7, 10, month=6))
    assert report.closed
    t = report.overall
    # Frozen: sam, ben complete; alex missed then late; dina, kim missed. Lee was exempted
    # before the allocation went out (never frozen) and still counts as exempted.
    assert (t.allocated, t.complete, t.exempted, t.missed, t.late, t.rate) == (6, 2, 1, 2, 1, 40)
    outcomes = {a.row.email: a.outcome for a in report.auditors}
    assert outcomes == {
        SAM.email: "complete",
        BEN.email: "complete",
        ALEX.email: "late: all in by 02/06/2021, not counted",
        DINA.email: "missed",
        KIM.email: "missed",  # said done, never confirmed by the sheet
        LEE.email: "exempted: prolonged absence or ill-health",
    }
    lee = next(a for a in report.auditors if a.row.email == LEE.email)
    assert lee.exemption is not None and lee.exemption.ref == "EXM-2021-05-001"
    assert (lee.decision.outcome, lee.decision.by, lee.decision.at) == (
        "approved",
        "Dana Director",
        at(11, 11),
    )
    # May's own grades: good, outstanding, requires improvement in time; Sam's CR-1002 has
    # no grade; Alex's requires improvement came on 2 June: late, left out.
    assert _mix(report.grades) == (3, 66.7, 33.3, 0.0, 1, 1, True)
    # March, April and May together: 10 graded, so no longer a small number.
    assert _mix(report.quality.combined) == (10, 60.0, 30.0, 10.0, 3, 2, False)
    assert (
        TARGETS.meets_good(report.quality.combined),
        TARGETS.meets_inadequate(report.quality.combined),
    ) == (True, True)
    assert [(team, mix.graded) for team, mix in report.team_grades] == [
        ("Children in Need", 2),
        ("Early Help", 1),
        ("Looked After Children", 0),
    ]
    # Every request of the month, in the order asked, with its final decision if any.
    assert [(q.ref, d.outcome if d else None) for q, d in report.exemptions] == [
        ("EXM-2021-05-003", None),
        ("EXM-2021-05-001", "approved"),
        ("EXM-2021-05-002", None),
        ("EXM-2021-05-004", "not supported"),
    ]
    assert [(q.ref, q.head_decision) for q, _ in report.exemptions] == [
        ("EXM-2021-05-003", "no response: sent on to the director"),
        ("EXM-2021-05-001", "supported"),
        ("EXM-2021-05-002", "waiting"),
        ("EXM-2021-05-004", "not supported"),
    ]
    statuses = {a.case_ref: (a.status, a.grade_label) for a in report.audits}
    assert statuses["CR-2001"] == ("late: not counted", "requires improvement")
    assert statuses["CR-2101"] == ("not submitted", "")
    assert statuses["CR-1002"] == ("in time", "")
    assert len(report.audits) == 8
    assert _rates(report.trend)["2021-05"] == 40 and not report.trend[-1].so_far


def test_the_report_before_the_close_is_provisional() -> None:
    report = build_report(CURRENT, HISTORY, NOW)
    assert not report.closed and report.trend[-1].so_far
    assert (report.overall.outstanding, report.overall.self_reported) == (2, 1)


@pytest.mark.parametrize(
    ("counts", "good", "inadequate", "small"),
    [
        # 4 of 10 good or better is exactly the 40% target; 1 of 10 inadequate is under 12%.
        ((1, 3, 5, 1), True, True, False),
        # 12 of 100 inadequate is not under 12%; 39 of 100 good or better is below 40%.
        ((9, 30, 49, 12), False, False, False),
        # 9 graded: a small number, whatever the shares.
        ((0, 4, 4, 1), True, True, True),
    ],
)
def test_targets_are_judged_exactly_not_on_rounded_shares(counts, good, inadequate, small):
    mix = GradeMix(*counts)
    assert (TARGETS.meets_good(mix), TARGETS.meets_inadequate(mix), mix.small) == (
        good,
        inadequate,
        small,
    )


def test_a_month_without_graded_audits_has_no_shares_and_no_verdict() -> None:
    mix = GradeMix(ungraded=3, late=2)
    assert (mix.graded, mix.good_or_better_share, TARGETS.meets_good(mix), mix.small) == (
        0,
        None,
        None,
        False,
    )


def test_tally_rate_leaves_the_exempted_out_and_rounds_halves_up() -> None:
    assert Tally(allocated=9, complete=5, exempted=1).rate == 63  # 5/8 = 62.5%
    assert Tally(allocated=2, exempted=2).rate is None
