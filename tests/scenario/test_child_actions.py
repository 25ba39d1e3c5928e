"""Action for the child: an audit graded inadequate, or flagged action_needed, reaches the
Head of Service who holds the case at the next tick, is chased, goes to the director, and
closes when they reply that it is done. Through the local transport on both stores."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from bot.store.schema import child_actions, events
from tests.world import ALEX, DIRECTOR, HANA, KIM, OMAR, QA, SAM, Landed, World

SAM_EMAIL, ALEX_EMAIL, KIM_EMAIL = SAM[1], ALEX[1], KIM[1]
EXTRA = ("case_team", "action_needed")


@pytest.fixture
def may(world: World) -> World:
    return world.allocate_may()


def _actions(mails: list[Landed]) -> list[Landed]:
    return [m for m in mails if m.kind == "child-action"]


def _said(mail: Landed) -> str:
    return " ".join(mail.text.split())


def _rows(world: World) -> list[tuple[str, str, str, str | None]]:
    with world.open().engine.connect() as connection:
        found = connection.execute(
            select(
                child_actions.c.case_ref,
                child_actions.c.head_email,
                child_actions.c.state,
                child_actions.c.case_team,
            ).order_by(child_actions.c.case_ref)
        ).all()
    return [tuple(r) for r in found]


def _trail(world: World, kind: str) -> list[str | None]:
    with world.open().engine.connect() as connection:
        found = connection.execute(select(events.c.subject).where(events.c.kind == kind)).all()
    return [r[0] for r in found]


def test_an_inadequate_grade_mid_month_reaches_the_case_teams_head_at_the_next_tick(
    may: World,
) -> None:
    # Sam (Hana's auditor) audits a case held by Early Help, whose Head of Service is Omar.
    may.write_completions(
        "2021-05",
        [
            ("CR-1001", SAM_EMAIL, "2021-05-19", "inadequate", "Early Help", ""),
            ("CR-1002", SAM_EMAIL, "2021-05-19", "good", "Children in Need", ""),
        ],
        extra=EXTRA,
    )
    may.tick("2021-05-19T14:10")  # after the send time, mid-afternoon: no waiting for tomorrow
    (told,) = _actions(may.new_mail())
    assert told.key == "child-action/2021-05/notify/CR-1001"
    assert told.to == (OMAR,)
    assert told.cc == ()
    assert "[ACT-2021-05-" in told.subject
    said = _said(told)
    assert said.startswith("Dear Omar,")
    for part in ("CR-1001", "inadequate", "Sam Patel", "Early Help", "what was done and when"):
        assert part in said
    assert "not known" not in said
    assert _rows(may) == [("CR-1001", OMAR, "open", "Early Help")]
    assert _trail(may, "child_action_opened") == ["CR-1001"]
    # Level-triggered: the next tick sends nothing again.
    may.tick("2021-05-19T14:15")
    assert _actions(may.new_mail()) == []


def test_without_case_team_the_auditors_head_and_the_qa_team_are_told(may: World) -> None:
    may.write_completions("2021-05", [("CR-2001", ALEX_EMAIL, "2021-05-12", "inadequate")])
    may.tick("2021-05-12T10:00")
    (told,) = _actions(may.new_mail())
    assert told.to == (HANA,)
    assert told.cc == (QA,)
    assert "The team holding the case is not known" in _said(told)


def test_a_concern_flagged_whatever_the_grade_is_an_action(may: World) -> None:
    may.write_completions(
        "2021-05",
        [("CR-3001", KIM_EMAIL, "2021-05-12", "good", "Children in Need", "yes")],
        extra=EXTRA,
    )
    may.tick("2021-05-12T10:00")
    (told,) = _actions(may.new_mail())
    assert told.to == (HANA,)
    assert "flagged a concern" in _said(told)


def test_a_silent_head_is_chased_then_the_director_is_told(may: World) -> None:
    may.write_completions(
        "2021-05",
        [("CR-1001", SAM_EMAIL, "2021-05-19", "inadequate", "Early Help", "")],
        extra=EXTRA,
    )
    landed = may.run_days(date(2021, 5, 19), date(2021, 5, 28))
    keys = {str(day): [m.key for m in _actions(mails)] for day, mails in landed.items()}
    assert keys["2021-05-19"] == ["child-action/2021-05/notify/CR-1001"]
    # Three working days after Wednesday 19 May: Monday 24 May.
    assert keys["2021-05-24"] == ["child-action/2021-05/chase/CR-1001"]
    # Five: Wednesday 26 May, to the director, the Head of Service and the QA team copied.
    assert keys["2021-05-26"] == ["child-action/2021-05/escalate/CR-1001"]
    assert sum(len(k) for k in keys.values()) == 3
    (escalation,) = _actions(landed[date(2021, 5, 26)])
    assert escalation.to == (DIRECTOR,)
    assert escalation.cc == (OMAR, QA)
    assert _said(escalation).startswith("Dear Dana,")


def _told(may: World) -> Landed:
    may.write_completions(
        "2021-05",
        [("CR-1001", SAM_EMAIL, "2021-05-19", "inadequate", "Early Help", "")],
        extra=EXTRA,
    )
    may.tick("2021-05-19T14:10")
    (told,) = _actions(may.new_mail())
    return told


def test_a_reply_done_closes_the_action_and_goes_in_the_trail(may: World) -> None:
    told = _told(may)
    may.reply(told, OMAR, "done - placement review held on 24th, plan updated")
    may.tick("2021-05-25T09:30")
    mails = may.new_mail()
    (recorded,) = _actions(mails)
    assert recorded.key == "child-action/2021-05/recorded-done/CR-1001"
    assert recorded.to == (OMAR,)
    assert "as done, on 24 May 2021" in _said(recorded)
    assert _rows(may) == [("CR-1001", OMAR, "done", "Early Help")]
    assert _trail(may, "child_action_done") == ["CR-1001"]
    assert may.filed("Processed") == 1
    # Done: no chase, no escalation, ever.
    landed = may.run_days(date(2021, 5, 26), date(2021, 5, 28))
    assert [m for mails in landed.values() for m in _actions(mails)] == []


def test_an_owner_and_a_date_stop_the_chasing(may: World) -> None:
    told = _told(may)
    may.reply(told, OMAR, "Owner: Kim Lee, by 4 June")
    may.tick("2021-05-20T09:30")
    (recorded,) = _actions(may.new_mail())
    assert "owned by Kim Lee, by 4 June 2021" in _said(recorded)
    assert _rows(may)[0][2] == "assigned"
    landed = may.run_days(date(2021, 5, 21), date(2021, 5, 28))
    assert [m for mails in landed.values() for m in _actions(mails)] == []


def test_the_head_is_asked_after_on_the_date_they_named_unless_done(may: World) -> None:
    told = _told(may)
    may.reply(told, OMAR, "Owner: Kim Lee, by 4 June")
    may.tick("2021-05-20T09:30")
    may.new_mail()
    landed = may.run_days(date(2021, 5, 21), date(2021, 6, 7))
    asked = [(day, m) for day, mails in landed.items() for m in _actions(mails)]
    assert [(day, m.key) for day, m in asked] == [
        (date(2021, 6, 4), "child-action/2021-05/due-2021-06-04/CR-1001")
    ]
    (_, due) = asked[0]
    assert due.to == (OMAR,)
    assert "owned by Kim Lee, to be done by Friday 4 June 2021" in _said(due)
    may.reply(due, OMAR, "Done - the review was held today and the plan updated.")
    may.tick("2021-06-04T11:00")
    (recorded,) = _actions(may.new_mail())
    assert recorded.key == "child-action/2021-05/recorded-done/CR-1001"
    assert _rows(may)[0][2] == "done"


def test_a_reply_not_read_as_done_goes_to_the_qa_team(may: World) -> None:
    told = _told(may)
    may.reply(told, OMAR, "I'll look into this with the team manager.")
    may.tick("2021-05-20T09:30")
    mails = may.new_mail()
    assert _actions(mails) == []
    (forwarded,) = [m for m in mails if m.key.endswith("/forwarded")]
    assert forwarded.to == (QA,)
    assert _rows(may)[0][2] == "open"


def test_only_the_head_the_action_waits_for_can_close_it(may: World) -> None:
    told = _told(may)
    may.reply(told, KIM_EMAIL, "Done.")
    may.tick("2021-05-20T09:30")
    assert _rows(may)[0][2] == "open"
    assert may.filed("Quarantine") == 1


def test_the_actions_command_lists_state_owner_and_age(may: World) -> None:
    import json

    from click.testing import CliRunner

    from bot.commands.cli import main

    told = _told(may)
    may.write_completions(
        "2021-05",
        [
            ("CR-1001", SAM_EMAIL, "2021-05-19", "inadequate", "Early Help", ""),
            ("CR-2001", ALEX_EMAIL, "2021-05-19", "good", "", "yes"),
        ],
        extra=EXTRA,
    )
    may.reply(told, OMAR, "Owner: Kim Lee, by 4 June")
    may.tick("2021-05-20T09:30")
    may.close()

    def run(*args: str) -> list[dict[str, object]]:
        result = CliRunner().invoke(main, ["--config", str(may.config), "actions", *args])
        assert result.exit_code == 0, result.output
        return [json.loads(line) for line in result.output.splitlines()]

    rows = run("--json", "--at", "2021-05-24T12:00")
    assert [(r["case_ref"], r["state"], r["owner"], r["age_working_days"]) for r in rows] == [
        ("CR-1001", "assigned", "Kim Lee", 3),
        ("CR-2001", "open", None, 2),
    ]
    assert rows[1]["head_of_service"] == HANA and rows[1]["case_team"] is None
    table = CliRunner().invoke(main, ["--config", str(may.config), "actions", "--open"])
    assert "CR-1001" in table.output and "2 actions" in table.output
