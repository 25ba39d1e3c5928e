"""May 2021 day by day: a bank holiday on the 3rd and on the deadline, the 31st."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.commands.status_view import month_status
from bot.core.records import Month
from tests.world import ALEX, DIRECTOR, HANA, KIM, OMAR, QA, SAM, World

SAM_EMAIL, ALEX_EMAIL, KIM_EMAIL = SAM[1], ALEX[1], KIM[1]


def _may(world: World) -> None:
    world.write_allocations(
        "2021-05",
        [
            (SAM_EMAIL, "CR-1001", "case_audit"),
            (SAM_EMAIL, "CR-1002", "dip_sample"),
            (ALEX_EMAIL, "CR-2001", "case_audit"),
            (KIM_EMAIL, "CR-3001", "thematic"),
            (KIM_EMAIL, "CR-3002", "case_audit"),
        ],
    )


def _summary(by_day):
    return {
        day: sorted((m.key, m.to, m.cc) for m in mails) for day, mails in sorted(by_day.items())
    }


def _digests(week: int) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    return sorted(
        [
            (f"digest/2021-W{week}/director", (DIRECTOR,), ()),
            (f"digest/2021-W{week}/head/{HANA}", (HANA,), ()),
            (f"digest/2021-W{week}/head/{OMAR}", (OMAR,), ()),
            (f"digest/2021-W{week}/qa", (QA,), ()),  # the QA team's copy
        ]
    )


def test_may_2021_sends_exactly_the_expected_mail_on_each_day(world: World) -> None:
    world.enable_digests()
    _may(world)
    by_day = world.run_days(date(2021, 5, 1), date(2021, 5, 19))
    # Sam finishes before the stage-5 reminder; Kim finishes one case in time and one late.
    world.write_completions(
        "2021-05",
        [
            ("CR-1001", SAM_EMAIL, "2021-05-19", "good"),
            ("CR-1002", SAM_EMAIL, "2021-05-20", "requires_improvement"),
            ("CR-3001", KIM_EMAIL, "2021-05-25", "inadequate"),
        ],
    )
    by_day |= world.run_days(date(2021, 5, 20), date(2021, 5, 31))
    world.write_completions(
        "2021-05",
        [
            ("CR-1001", SAM_EMAIL, "2021-05-19", "good"),
            ("CR-1002", SAM_EMAIL, "2021-05-20", "requires_improvement"),
            ("CR-3001", KIM_EMAIL, "2021-05-25", "inadequate"),
            ("CR-3002", KIM_EMAIL, "2021-06-01", "good"),
        ],
    )
    by_day |= world.run_days(date(2021, 6, 1), date(2021, 6, 3))

    no_cc: tuple[str, ...] = ()
    assert _summary(by_day) == {
        # 3 May is the Early May bank holiday: allocations go on Tuesday the 4th.
        # The weekly digests move to Tuesday too.
        date(2021, 5, 4): [
            (f"allocation/2021-05/{ALEX_EMAIL}", (ALEX_EMAIL,), no_cc),
            (f"allocation/2021-05/{KIM_EMAIL}", (KIM_EMAIL,), no_cc),
            (f"allocation/2021-05/{SAM_EMAIL}", (SAM_EMAIL,), no_cc),
            *_digests(18),
        ],
        date(2021, 5, 10): _digests(19),
        # The deadline day is Friday 28 May (the 31st is a bank holiday): stage 10 is the 14th.
        date(2021, 5, 14): [
            (f"reminder/2021-05/stage-10/{ALEX_EMAIL}", (ALEX_EMAIL,), no_cc),
            (f"reminder/2021-05/stage-10/{KIM_EMAIL}", (KIM_EMAIL,), no_cc),
            (f"reminder/2021-05/stage-10/{SAM_EMAIL}", (SAM_EMAIL,), no_cc),
        ],
        date(2021, 5, 17): _digests(20),
        # Kim's audit graded inadequate, the case team not given: her Head of Service and the
        # QA team are told at once, chased after 3 working days, the director told after 5.
        date(2021, 5, 20): [("child-action/2021-05/notify/CR-3001", (OMAR,), (QA,))],
        date(2021, 5, 25): [("child-action/2021-05/chase/CR-3001", (OMAR,), (QA,))],
        date(2021, 5, 27): [("child-action/2021-05/escalate/CR-3001", (DIRECTOR,), (OMAR, QA))],
        date(2021, 5, 21): [
            (f"reminder/2021-05/stage-5/{ALEX_EMAIL}", (ALEX_EMAIL,), no_cc),
            (f"reminder/2021-05/stage-5/{KIM_EMAIL}", (KIM_EMAIL,), no_cc),
        ],
        # Five working days before June's allocation day (Tuesday 1 June), everyone active
        # hears when June's audits go out and that requests for June should come now.
        date(2021, 5, 24): sorted(
            [
                *_digests(21),
                *(
                    (f"heads-up/2021-06/{e}", (e,), no_cc)
                    for e in (ALEX_EMAIL, KIM_EMAIL, SAM_EMAIL)
                ),
            ]
        ),
        date(2021, 5, 26): [
            (f"reminder/2021-05/stage-2/{ALEX_EMAIL}", (ALEX_EMAIL,), (HANA,)),
            (f"reminder/2021-05/stage-2/{KIM_EMAIL}", (KIM_EMAIL,), (OMAR,)),
        ],
        date(2021, 5, 28): [
            (f"reminder/2021-05/stage-0/{ALEX_EMAIL}", (ALEX_EMAIL,), (HANA,)),
            (f"reminder/2021-05/stage-0/{KIM_EMAIL}", (KIM_EMAIL,), (OMAR,)),
        ],
        # Tuesday 1 June: May closes, and June's sheet is missing on its allocation day.
        date(2021, 6, 1): [
            (f"close/2021-05/head/{HANA}", (HANA,), no_cc),
            (f"close/2021-05/head/{OMAR}", (OMAR,), no_cc),
            ("close/2021-05/qa", (QA,), (DIRECTOR,)),
            *_digests(22),
            ("missing-sheet/allocations/2021-06", (QA,), no_cc),
        ],
    }


def test_the_close_names_who_missed_and_counts_late_work_as_not_counted(world: World) -> None:
    _may(world)
    world.write_completions(
        "2021-05",
        [
            ("CR-1001", SAM_EMAIL, "2021-05-19", "good"),
            ("CR-1002", SAM_EMAIL, "2021-05-20", "good"),
            ("CR-3001", KIM_EMAIL, "2021-05-25", "good"),
            ("CR-3002", KIM_EMAIL, "2021-05-31", "good"),  # on the deadline (a bank holiday)
        ],
    )
    world.run_days(date(2021, 5, 1), date(2021, 5, 31))
    world.write_completions(
        "2021-05",
        [
            ("CR-1001", SAM_EMAIL, "2021-05-19", "good"),
            ("CR-1002", SAM_EMAIL, "2021-05-20", "good"),
            ("CR-3001", KIM_EMAIL, "2021-05-25", "good"),
            ("CR-3002", KIM_EMAIL, "2021-05-31", "good"),
            ("CR-2001", ALEX_EMAIL, "2021-06-01", "good"),  # a day late
        ],
    )
    close = {m.key: m for m in world.run_days(date(2021, 6, 1), date(2021, 6, 1))[date(2021, 6, 1)]}

    to_hana = close[f"close/2021-05/head/{HANA}"]
    assert to_hana.subject == (
        "May 2021 audits: 1 of your auditors did not submit all their audits in time"
    )
    assert "Alex Jones (Looked After Children), 1 audit allocated" in to_hana.text
    assert "Sam Patel" not in to_hana.text
    to_omar = close[f"close/2021-05/head/{OMAR}"]
    assert to_omar.subject == (
        "May 2021 audits: every audit due from your auditors was submitted in time"
    )
    summary = close["close/2021-05/qa"]
    assert summary.subject == (
        "May 2021 audit month closed: 2 of 3 auditors complete (67% of those not exempted)"
    )
    # Frozen: Alex's late submission is recorded as late, never as complete.
    world.tick("2021-06-02T09:30")
    states, totals = month_status(
        world.open(), Month(2021, 5), datetime(2021, 6, 2, 10, tzinfo=ZoneInfo("Europe/London"))
    )
    by_email = {s["email"]: s for s in states}
    assert by_email[ALEX_EMAIL]["state"] == "late"
    assert str(by_email[ALEX_EMAIL]["late_on"]) == "2021-06-01"
    assert by_email[SAM_EMAIL]["state"] == "complete"
    assert by_email[KIM_EMAIL]["state"] == "complete"
    assert totals == {"auditors": 3, "complete": 2, "late": 1}
