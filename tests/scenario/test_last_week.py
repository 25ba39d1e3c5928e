"""The month's last week: requests flagged by working days, shorter timers, the director
reminded of what waits for them, day by day through May 2021."""

from __future__ import annotations

from datetime import date

from tests.world import ALEX, DIRECTOR, HANA, KIM, SAM, Landed, World

SAM_EMAIL, ALEX_EMAIL, KIM_EMAIL = SAM[1], ALEX[1], KIM[1]


def _allocate(world: World) -> None:
    world.write_allocations(
        "2021-05",
        [(SAM_EMAIL, "CR-1001", "case_audit"), (ALEX_EMAIL, "CR-2001", "case_audit"),
         (KIM_EMAIL, "CR-3001", "case_audit")],
    )  # fmt: skip
    world.tick("2021-05-04T09:30")
    world.new_mail()


def _allocation(world: World, email: str) -> Landed:
    return next(m for m in world.all_mail() if m.key == f"allocation/2021-05/{email}")


def _keys(mails: list[Landed]) -> list[str]:
    return sorted(m.key for m in mails if m.key.startswith("exemption/"))


def test_a_request_on_monday_24_may_is_in_the_last_week_and_its_timers_are_short(
    world: World,
) -> None:
    _allocate(world)
    world.run_days(date(2021, 5, 5), date(2021, 5, 23))
    world.new_mail()
    # Monday 24 May 2021: 4 working days left (the 31st is a bank holiday).
    world.reply(
        _allocation(world, SAM_EMAIL),
        SAM_EMAIL,
        "I'm on sick leave from tomorrow for three weeks, can I be exempted this month?",
    )
    world.tick("2021-05-24T10:00")
    asked = {m.key: m for m in world.new_mail()}
    to_head = asked["exemption/EXM-2021-05-001/to-head"]
    assert "Asked in the last week before the deadline." in to_head.text
    by_day = world.run_days(date(2021, 5, 25), date(2021, 5, 28))
    exemption_mail = {day: _keys(mails) for day, mails in by_day.items() if _keys(mails)}
    # Chased after one working day, sent on to the director after two: on the 26th, two
    # working days before the deadline day, not after the month has closed.
    assert exemption_mail == {
        date(2021, 5, 25): ["exemption/EXM-2021-05-001/chase"],
        date(2021, 5, 26): ["exemption/EXM-2021-05-001/to-director"],
        # The director is reminded after 2 working days with them.
        date(2021, 5, 28): ["exemption/EXM-2021-05-001/director-chase-1"],
    }
    to_director = next(m for m in by_day[date(2021, 5, 26)] if m.key.endswith("/to-director"))
    assert to_director.to == (DIRECTOR,)
    assert to_director.subject.startswith("URGENT: ")
    assert "did not answer within 2 working days" in " ".join(to_director.text.split())
    chase = next(m for m in by_day[date(2021, 5, 28)] if m.key.startswith("exemption/"))
    assert chase.to == (DIRECTOR,)
    text = " ".join(chase.text.split())
    assert "waiting for your decision since Wednesday 26 May 2021: 2 working days" in text
    assert f"It came to you without a view from {SAM[4]}." in text


def test_the_director_is_reminded_every_3_working_days_and_the_digest_shows_the_wait(
    world: World,
) -> None:
    world.enable_digests()
    _allocate(world)
    world.reply(
        _allocation(world, KIM_EMAIL),
        KIM_EMAIL,
        "I'm giving evidence at a final hearing all month, can I be exempted from audits?",
    )
    world.tick("2021-05-05T10:00")
    to_head = next(m for m in world.new_mail() if m.key.endswith("/to-head"))
    world.reply(to_head, KIM[3], "I support this request.")
    world.tick("2021-05-05T11:00")  # with the director from Wednesday 5 May
    world.new_mail()
    by_day = world.run_days(date(2021, 5, 6), date(2021, 5, 17))
    reminders = {
        day: [m.key for m in mails if "director-chase" in m.key] for day, mails in by_day.items()
    }
    assert {day: keys for day, keys in reminders.items() if keys} == {
        date(2021, 5, 7): ["exemption/EXM-2021-05-001/director-chase-1"],  # 2 working days
        date(2021, 5, 12): ["exemption/EXM-2021-05-001/director-chase-2"],  # 5
        date(2021, 5, 17): ["exemption/EXM-2021-05-001/director-chase-3"],  # 8
    }
    assert all(m.to == (DIRECTOR,) for m in by_day[date(2021, 5, 7)] if "chase" in m.key)
    # Monday 17 May's digest: with the director for 8 working days, in red.
    digest = next(m for m in by_day[date(2021, 5, 17)] if m.key == "digest/2021-W20/director")
    assert (
        "FOR YOUR DECISION (1) - EXM-2021-05-001: Kim Lee (Early Help) asks to be exempted "
        "from May 2021 audits: heavy statutory work." in " ".join(digest.text.split())
    )
    assert "With you for 8 working days." in " ".join(digest.text.split())
    assert 'color:#b10e1e">With you for 8 working days.' in digest.html
    # A decision stops the reminders.
    chase = next(m for m in by_day[date(2021, 5, 17)] if "director-chase" in m.key)
    world.reply(chase, DIRECTOR, "Approved.")
    world.tick("2021-05-17T12:00")
    outcome = [m.key for m in world.new_mail()]
    assert "exemption/EXM-2021-05-001/outcome" in outcome
    later = world.run_days(date(2021, 5, 18), date(2021, 5, 28))
    assert not [m for mails in later.values() for m in mails if "director-chase" in m.key]
    assert HANA not in {
        a for mails in later.values() for m in mails for a in m.to if "chase" in m.key
    }
