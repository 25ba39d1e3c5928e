"""The heads-up before allocation day, through the local transport on both stores: each active
auditor hears when next month's audits go out, and a request made in reply is for that month."""

from __future__ import annotations

from datetime import date

from tests.world import ALEX, DIRECTOR, HANA, KIM, QA, SAM, World

SAM_EMAIL, ALEX_EMAIL, KIM_EMAIL = SAM[1], ALEX[1], KIM[1]
JUNE_HEADS_UP = "heads-up/2021-06/{}"


def _may(world: World, until: date = date(2021, 5, 20)) -> None:
    world.write_allocations(
        "2021-05",
        [(SAM_EMAIL, "CR-1001", "case_audit"), (ALEX_EMAIL, "CR-2001", "case_audit")],
    )
    # Everyone's May audits in: the only mail of late May is the heads-up.
    world.write_completions(
        "2021-05",
        [("CR-1001", SAM_EMAIL, "2021-05-10", "good"), ("CR-2001", ALEX_EMAIL, "2021-05-10", "")],
    )
    world.run_days(date(2021, 5, 4), until)


def test_every_active_auditor_hears_five_working_days_before_june_starts(world: World) -> None:
    _may(world)
    by_day = world.run_days(date(2021, 5, 21), date(2021, 5, 31))
    # 1 June is allocation day (31 May a bank holiday): 28, 27, 26, 25, 24 May before it.
    assert {day: sorted(m.key for m in mail) for day, mail in by_day.items()} == {
        date(2021, 5, 24): sorted(
            JUNE_HEADS_UP.format(e) for e in (SAM_EMAIL, ALEX_EMAIL, KIM_EMAIL)
        )
    }
    # Kim had no May cases: the heads-up goes to everyone active in the roster.
    sam = next(m for m in by_day[date(2021, 5, 24)] if m.key == JUNE_HEADS_UP.format(SAM_EMAIL))
    assert sam.to == (SAM_EMAIL,) and sam.cc == ()
    assert sam.subject.startswith(
        "June 2021 case audits go out on Tuesday 1 June 2021: if you cannot do yours, ask now "
        "[AUD-2021-06-"
    )
    text = " ".join(sam.text.split())
    assert text.startswith("Dear Sam,")
    assert (
        "the month's case audits go out on Tuesday 1 June 2021, its first working day, and are "
        "due by Wednesday 30 June 2021." in text
    )
    assert "please ask to be exempted now, before the month starts." in text
    assert "Your request goes through your Head of Service to the director" in text
    # June's allocation carries the same reference: one thread for the auditor's June.
    world.write_allocations("2021-06", [(SAM_EMAIL, "CR-1101", "case_audit")])
    june = world.run_days(date(2021, 6, 1), date(2021, 6, 1))[date(2021, 6, 1)]
    allocation = next(m for m in june if m.key == f"allocation/2021-06/{SAM_EMAIL}")
    assert allocation.subject.endswith(sam.subject[sam.subject.index("[AUD-2021-06-") :])


def test_a_request_in_reply_to_the_heads_up_is_for_next_month_and_decided_before_it(
    world: World,
) -> None:
    _may(world)
    heads_up = world.run_days(date(2021, 5, 24), date(2021, 5, 24))[date(2021, 5, 24)]
    sam = next(m for m in heads_up if m.key == JUNE_HEADS_UP.format(SAM_EMAIL))
    # No month named: the heads-up is about June, so the request is for June.
    world.reply(sam, SAM_EMAIL, "I'm having an operation and will be off for six weeks, "
                "can I be exempted please?")  # fmt: skip
    world.tick("2021-05-24T10:00")
    asked = {m.key: m for m in world.new_mail()}
    assert sorted(asked) == ["exemption/EXM-2021-06-001/ack", "exemption/EXM-2021-06-001/to-head"]
    assert "(this request is for June 2021)" in " ".join(
        asked["exemption/EXM-2021-06-001/ack"].text.split()
    )
    to_head = asked["exemption/EXM-2021-06-001/to-head"]
    assert to_head.to == (HANA,)
    # Asked before June's allocations, and not in its last week: nothing to flag.
    assert "Asked after the month's allocations were issued." not in to_head.text
    world.reply(to_head, HANA, "I support this request.")
    world.tick("2021-05-24T11:00")
    to_director = next(m for m in world.new_mail() if m.key.endswith("/to-director"))
    assert to_director.to == (DIRECTOR,)
    world.reply(to_director, DIRECTOR, "Approved.")
    world.tick("2021-05-24T12:00")
    assert "exemption/EXM-2021-06-001/outcome" in {m.key for m in world.new_mail()}
    # June's sheet still names Sam: no allocation for Sam, and the QA team is told.
    world.write_allocations(
        "2021-06", [(SAM_EMAIL, "CR-1101", "case_audit"), (ALEX_EMAIL, "CR-2101", "case_audit")]
    )
    june = {m.key: m for m in world.run_days(date(2021, 6, 1), date(2021, 6, 1))[date(2021, 6, 1)]}
    assert f"allocation/2021-06/{SAM_EMAIL}" not in june
    assert f"allocation/2021-06/{ALEX_EMAIL}" in june
    assert june[f"exempt-but-allocated/2021-06/{SAM_EMAIL}"].to == (QA,)


def test_the_heads_up_can_come_earlier_or_be_turned_off(world: World) -> None:
    world.config.write_text(
        world.config.read_text().replace(
            'send_time: "09:00"', 'send_time: "09:00"\n  heads_up_working_days: 8'
        )
    )
    _may(world, until=date(2021, 5, 17))
    by_day = world.run_days(date(2021, 5, 18), date(2021, 5, 21))
    # Eight working days before Tuesday 1 June: Wednesday 19 May.
    assert sorted(by_day) == [date(2021, 5, 19)]
    world.close()
    world.config.write_text(
        world.config.read_text().replace("heads_up_working_days: 8", "heads_up_working_days: null")
    )
    late = world.run_days(date(2021, 5, 24), date(2021, 5, 31))
    assert not [m for mail in late.values() for m in mail if m.kind == "heads-up"]
