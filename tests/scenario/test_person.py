"""`auditbot person`: everything held about one member of staff, and nobody else's."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from bot.commands.cli import main
from bot.commands.person_view import PARTS
from bot.core import calendar as cal
from bot.core.records import Month
from tests.scenario.moderation_world import MO
from tests.world import ALEX, DIRECTOR, HANA, KIM, PERSONAS, SAM, Landed, World, build_new

SAM_EMAIL, ALEX_EMAIL, KIM_EMAIL = SAM[1], ALEX[1], KIM[1]
SAM_WORDS = "quince lighthouse"
ALEX_WORDS = "porcupine semaphore"


def _by_key(mails: list[Landed]) -> dict[str, Landed]:
    return {m.key: m for m in mails}


def _months_of_mail(world: World) -> None:
    world.write_allocations(
        "2021-05",
        [
            (SAM_EMAIL, "CR-1001", "case_audit"),
            (ALEX_EMAIL, "CR-2001", "case_audit"),
            (KIM_EMAIL, "CR-3001", "case_audit"),
        ],
    )
    world.tick("2021-05-04T09:30")
    mail = _by_key(world.new_mail())
    world.reply(mail[f"allocation/2021-05/{SAM_EMAIL}"], SAM_EMAIL, "Sorted")
    world.reply(
        mail[f"allocation/2021-05/{ALEX_EMAIL}"],
        ALEX_EMAIL,
        f"I don't think I'll make the deadline this month ({ALEX_WORDS}), I'm giving "
        "evidence at a final hearing all of next week.",
    )
    world.tick("2021-05-06T10:00")
    world.reply(
        mail[f"allocation/2021-05/{SAM_EMAIL}"],
        SAM_EMAIL,
        "I don't think I'll make the deadline this month - I'm giving evidence at a final "
        "hearing all of next week. I'll do what I can.",
    )
    world.tick("2021-05-07T10:00")
    world.new_mail()
    world.write_completions(
        "2021-05",
        [
            ("CR-1001", SAM_EMAIL, "2021-05-20", "good"),
            ("CR-2001", ALEX_EMAIL, "2021-05-21", "good"),
        ],
        modified="2021-06-01T08:00",
    )
    world.write_allocations(
        "2021-06", [(SAM_EMAIL, "CR-1101", "case_audit"), (ALEX_EMAIL, "CR-2101", "case_audit")]
    )
    world.tick("2021-06-02T09:30")
    june = _by_key(world.new_mail())
    world.reply(
        june[f"allocation/2021-06/{SAM_EMAIL}"],
        SAM_EMAIL,
        f"I'm on sick leave from Monday for three weeks ({SAM_WORDS}), can I be exempted?",
    )
    world.tick("2021-06-03T10:00")
    to_head = _by_key(world.new_mail())["exemption/EXM-2021-06-001/to-head"]
    world.reply(to_head, HANA, "I support this request.")
    world.tick("2021-06-03T11:00")
    to_director = _by_key(world.new_mail())["exemption/EXM-2021-06-001/to-director"]
    world.reply(to_director, DIRECTOR, "Approved.")
    world.tick("2021-06-03T12:00")


def test_everything_about_one_auditor_and_nothing_about_another(
    world: World, tmp_path: Path
) -> None:
    _months_of_mail(world)
    out = tmp_path / "sar"
    result = CliRunner().invoke(
        main,
        ["--config", str(world.config), "person", SAM_EMAIL.upper(), "--json", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.output[result.output.index("{") :])
    parts = document["parts"]
    assert document["email"] == SAM_EMAIL
    # Every part holds something of Sam's but moderation: the roster has no moderator.
    assert {part for part, rows in parts.items() if not rows} == {"moderations"}, {
        p: len(r) for p, r in parts.items()
    }
    assert set(parts) == set(PARTS)
    assert {a["case_ref"] for a in parts["allocations"]} == {"CR-1001", "CR-1101"}
    assert [c["case_ref"] for c in parts["completions"]] == ["CR-1001"]
    (request,) = parts["requests"]
    assert SAM_WORDS in request["words"] and request["ref"] == "EXM-2021-06-001"
    assert request["state"] and request["decided_at"] and "token" not in request
    assert [n["kind"] for n in parts["notes"]] == ["at_risk"]
    assert [q["state"] for q in parts["questions"]] == ["waiting"]
    assert len(parts["mail_received"]) == 3 and parts["roster"][0]["team"] == SAM[2]
    assert all(
        SAM_EMAIL in (m["to_addrs"] + m["cc_addrs"]) or m["about"] == SAM_EMAIL
        for m in parts["mail_sent"]
    )
    assert any(m["key"] == f"allocation/2021-05/{SAM_EMAIL}" for m in parts["mail_sent"])
    assert any(e["subject"] == "EXM-2021-06-001" for e in parts["trail"])

    files = sorted(p.name for p in out.iterdir())
    assert files == ["person-sam-at-council.example.html", "person-sam-at-council.example.json"]
    html = (out / "person-sam-at-council.example.html").read_text()
    assert SAM_WORDS in html and "CR-1101" in html
    for text in (result.output, html):
        for other in (ALEX_EMAIL, KIM_EMAIL, ALEX_WORDS, "CR-2001", "CR-2101", "CR-3001"):
            assert other not in text, other


def test_someone_the_bot_never_met_has_nothing_held(world: World) -> None:
    world.tick("2021-05-04T09:30")
    result = CliRunner().invoke(
        main, ["--config", str(world.config), "person", "nobody@council.example", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert not any(json.loads(result.output)["parts"].values())


def _a_year(world: World) -> None:
    """May 2021 to April 2022 for Sam and Alex: allocations, completions, each close, and
    Sam's and Alex's own words each month (at risk, done, out of office, a request); Mo
    moderates their audits after each close."""
    world.write_roster([*PERSONAS, MO])
    first = Month(2021, 5)
    for n in range(12):
        month = first.plus(n)
        text = str(month)
        world.write_allocations(
            text,
            [(SAM_EMAIL, f"CR-1{n:03d}", "case_audit"), (ALEX_EMAIL, f"CR-2{n:03d}", "case_audit")],
        )
        day = cal.allocation_day(month)
        world.tick(f"{day}T09:30")
        mail = _by_key(world.new_mail())
        sams = mail[f"allocation/{text}/{SAM_EMAIL}"]
        alexs = mail[f"allocation/{text}/{ALEX_EMAIL}"]
        said = {
            0: (f"I don't think I'll make the deadline ({SAM_WORDS}), I'm in court all week.",),
            2: ("Sorted",),  # could mean more than one thing: a question back
            3: ("I'm on sick leave from Monday for three weeks, can I be exempted?",),
            6: ("All done, submitted this morning.",),
        }.get(n % 9)
        if said:
            world.reply(sams, SAM_EMAIL, said[0])
        world.reply(alexs, ALEX_EMAIL, f"I may not make it this month ({ALEX_WORDS}), sorry.")
        if n == 1:
            world.deliver(
                build_new(
                    SAM_EMAIL,
                    f"Automatic reply: {sams.subject}",
                    "I am out of the office until next week with limited access to email.",
                    headers={"Auto-Submitted": "auto-replied"},
                )
            )
        world.tick(f"{cal.next_working_day(day)}T10:00")
        for landed in world.new_mail():
            if landed.key.endswith("/to-head"):
                world.reply(landed, HANA, "I support this request.")
                world.tick(f"{cal.next_working_day(day)}T11:00")
                to_director = _by_key(world.new_mail())[
                    landed.key.replace("to-head", "to-director")
                ]
                world.reply(to_director, DIRECTOR, "Approved.")
                world.tick(f"{cal.next_working_day(day)}T12:00")
        world.write_completions(
            text,
            [
                (f"CR-1{n:03d}", SAM_EMAIL, f"{cal.deadline_day(month)}", "good"),
                (f"CR-2{n:03d}", ALEX_EMAIL, f"{cal.deadline_day(month)}", "inadequate"),
            ],
            modified=f"{cal.close_day(month)}T08:00",
        )
    world.write_allocations("2022-05", [])
    world.tick(f"{cal.close_day(Month(2022, 4))}T09:30")


def test_a_full_year_of_one_auditor_is_all_there_and_nobody_elses(world: World) -> None:
    _a_year(world)
    result = CliRunner().invoke(
        main, ["--config", str(world.config), "person", SAM_EMAIL, "--json"]
    )
    assert result.exit_code == 0, result.output
    parts = json.loads(result.output)["parts"]
    assert {part for part, rows in parts.items() if not rows} == set()
    months = [f"{Month(2021, 5).plus(n)}" for n in range(12)]
    assert sorted({a["month"] for a in parts["allocations"]}) == months
    assert sorted({c["month"] for c in parts["completions"]}) == months
    assert sorted(o["month"] for o in parts["outcomes"]) == months
    assert {n["kind"] for n in parts["notes"]} >= {"at_risk", "out_of_office", "self_reported"}
    assert {r["state"] for r in parts["requests"]} == {"approved"}
    assert any(SAM_WORDS in m["raw"] for m in parts["mail_received"])
    assert {e["kind"] for e in parts["trail"]} >= {"mail_received", "mail_sent"}
    assert parts["questions"] and parts["roster"] and parts["mail_sent"]
    for other in (ALEX_EMAIL, ALEX_WORDS, "CR-2000", "CR-2011", "inadequate"):
        assert other not in result.output, other
    alexs = CliRunner().invoke(
        main, ["--config", str(world.config), "person", ALEX_EMAIL, "--json"]
    )
    assert ALEX_WORDS in alexs.output and "CR-2011" in alexs.output  # held, but not Sam's
