"""Moderation after the May 2021 close, a moderation sheet coming back, and the month's
report mailed with the moderated grades: through the local transport on both stores."""

from __future__ import annotations

import io
import json
from datetime import date, datetime

import openpyxl
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from bot.commands.cli import main
from bot.commands.person_view import gather
from bot.core.digest_figures import build_digest
from bot.core.records import Month
from bot.reporting.gather import gather as gather_month
from bot.reporting.report import month_report
from bot.store.schema import events, moderations
from tests.scenario.moderation_world import (
    DI,
    MO,
    may_with_moderators,
    write_moderations,
)
from tests.world import DIRECTOR, LONDON, QA, Landed, World


@pytest.fixture
def may(world: World) -> World:
    return may_with_moderators(world)


def _given(world: World) -> dict[str, str | None]:
    with world.open().engine.connect() as connection:
        rows = connection.execute(select(moderations.c.case_ref, moderations.c.moderator_email))
        return dict(rows.all())


def _of(mails: list[Landed], kind: str) -> list[Landed]:
    return [m for m in mails if m.kind == kind]


def _said(mail: Landed) -> str:
    return " ".join(mail.text.split())


def test_moderation_is_allocated_after_the_may_close_within_the_rules(may: World) -> None:
    may.tick("2021-06-01T09:30")  # the close: provisional, and moderation starts
    given = _given(may)
    # Di (Leaving Care) may not take CR-1002, held by Leaving Care; Mo (Fostering) may not
    # take Kim's CR-3001, held by Fostering. Two each.
    assert given == {
        "CR-1001": given["CR-1001"],
        "CR-1002": MO[1],
        "CR-2001": given["CR-2001"],
        "CR-3001": DI[1],
    }
    assert sorted(given.values()) == sorted([MO[1], MO[1], DI[1], DI[1]])
    mails = _of(may.new_mail(), "moderation")
    assert [m.key for m in mails] == [
        f"moderation/2021-05/allocation/{DI[1]}",
        f"moderation/2021-05/allocation/{MO[1]}",
    ]
    mo = mails[1]
    assert mo.to == (MO[1],)
    assert mo.subject == "Audits to moderate for May 2021, before Tuesday 8 June 2021"
    assert mo.text.startswith("Dear Mo,")
    assert "CR-1002  (audited by Sam Patel)" in mo.text
    # Level-triggered: another tick the same day changes nothing.
    may.tick("2021-06-01T14:00")
    assert _of(may.new_mail(), "moderation") == []
    assert _given(may) == given


def test_moderation_sheet_problems_go_to_the_qa_team_with_file_row_and_column(may: World) -> None:
    may.tick("2021-06-01T09:30")
    may.new_mail()
    given = _given(may)
    write_moderations(
        may,
        [
            ("CR-1002", MO[1], "excellent", "2021-06-02", ""),
            ("CR-3001", MO[1], "good", "2021-06-02", ""),  # given to Di, not Mo
            ("CR-1001", str(given["CR-1001"]), "good", "02/06/2021", "agree"),
        ],
    )
    may.tick("2021-06-02T09:30")
    (notice,) = _of(may.new_mail(), "problems")
    assert notice.to == (QA,)
    said = _said(notice)
    assert "moderations/2021-05.csv, row 2, column moderated_grade" in said
    assert '"excellent" is not a grade' in said
    assert "moderations/2021-05.csv, row 3, column moderator_email" in said


def test_the_report_is_mailed_once_moderation_is_complete_with_the_moderated_grades(
    may: World,
) -> None:
    may.tick("2021-06-01T09:30")
    may.new_mail()
    given = _given(may)
    # Sam's CR-1001 was graded good; the moderator finds it inadequate.
    write_moderations(
        may,
        [
            ("CR-1001", str(given["CR-1001"]), "inadequate", "2021-06-02", ""),
            ("CR-1002", str(given["CR-1002"]), "good", "2021-06-02", ""),
            ("CR-2001", str(given["CR-2001"]), "good", "2021-06-02", ""),
        ],
    )
    may.tick("2021-06-02T09:30")
    assert _of(may.new_mail(), "report") == []  # CR-3001 is not back yet
    write_moderations(
        may,
        [
            ("CR-1001", str(given["CR-1001"]), "inadequate", "2021-06-02", ""),
            ("CR-1002", str(given["CR-1002"]), "good", "2021-06-02", ""),
            ("CR-2001", str(given["CR-2001"]), "good", "2021-06-02", ""),
            ("CR-3001", str(given["CR-3001"]), "outstanding", "2021-06-03", ""),
        ],
    )
    may.tick("2021-06-03T09:30")
    (report,) = _of(may.new_mail(), "report")
    assert report.key == "report/2021-05"
    assert report.to == (QA, DIRECTOR)
    assert report.subject == "May 2021 quality assurance report: moderation complete"
    said = _said(report)
    assert said.startswith("Dear Dana, Moderation of the May 2021 audits is complete")
    assert "Moderation: 4 of 4 moderated grades back." in said
    # One of the four is now inadequate (25%); three are good or better.
    assert "Inadequate: 25.0% (not within the limit of less than 12%)" in said
    assert (
        "Of 4 audits compared: 2 the same grade, 1 one step apart, 1 two or more steps apart."
        in said
    )
    files = {part.get_filename(): part.get_content() for part in report.message.iter_attachments()}
    assert sorted(files) == ["report-2021-05.html", "report-2021-05.xlsx"]
    book = openpyxl.load_workbook(io.BytesIO(files["report-2021-05.xlsx"]))
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Audits graded (submitted in time)"] == 4
    # Four graded audits make a small number, and the workbook says so.
    assert summary["Inadequate (small number)"] == pytest.approx(0.25)
    assert summary["Good or better (small number)"] == pytest.approx(0.75)
    assert summary["Moderated grades back"] == 4
    assert summary["Moderated: two or more steps apart"] == 1
    assert summary["Moderation outstanding at the due day"] == "none"
    audits = {row[0]: row for row in book["Audits"].iter_rows(min_row=2, values_only=True)}
    assert audits["CR-1001"][6:] == ("good", "inadequate")
    agreement = {
        r[0]: r[2:] for r in book["Moderation agreement"].iter_rows(min_row=2, values_only=True)
    }
    assert agreement["Everyone"] == (4, 2, 1, 1)
    assert agreement["Sam Patel"] == (2, 1, 0, 1)
    assert "Moderation not back" not in files["report-2021-05.html"]
    themes = list(book["Themes"].iter_rows(min_row=2, values_only=True))
    assert themes == [("voice of the child", 2), ("management oversight", 1)]
    # Once: the next tick sends nothing more.
    may.tick("2021-06-04T09:30")
    assert _of(may.new_mail(), "report") == []
    with may.open().engine.connect() as connection:
        mailed = connection.execute(select(events.c.kind).where(events.c.kind == "report_mailed"))
        assert len(mailed.all()) == 1


def test_the_report_goes_on_the_due_day_naming_the_late_moderation(may: World) -> None:
    may.tick("2021-06-01T09:30")
    may.new_mail()
    given = _given(may)
    mo_cases = sorted(c for c, who in given.items() if who == MO[1])
    write_moderations(
        may, [(c, DI[1], "good", "2021-06-02", "") for c, who in given.items() if who == DI[1]]
    )
    by_day = may.run_days(date(2021, 6, 2), date(2021, 6, 8))
    reminders = [m.key for mails in by_day.values() for m in _of(mails, "moderation")]
    # Two working days before the due day (Friday 4 June) and the day before (Monday 7th),
    # to Mo only: Di's grades are back.
    assert reminders == [
        f"moderation/2021-05/reminder-2/{MO[1]}",
        f"moderation/2021-05/reminder-1/{MO[1]}",
    ]
    (last,) = _of(by_day[date(2021, 6, 7)], "moderation")
    assert last.subject == "Today is the last day to moderate your May 2021 audits"
    reports = [m for mails in by_day.values() for m in _of(mails, "report")]
    (report,) = reports
    assert report in by_day[date(2021, 6, 8)]
    assert report.subject == "May 2021 quality assurance report: moderation outstanding"
    said = _said(report)
    assert "was due on Tuesday 8 June 2021, so here is" in said
    assert f"Moderation not back by Tuesday 8 June 2021: - Mo Reid: {', '.join(mo_cases)}" in said


def test_auditbot_moderation_shows_who_moderates_what_and_what_is_back(may: World) -> None:
    may.tick("2021-06-01T09:30")
    given = _given(may)
    write_moderations(may, [("CR-1002", MO[1], "requires improvement", "2021-06-02", "")])
    may.close()  # the command opens the store itself
    args = ["--config", str(may.config), "moderation", "--month", "2021-05"]
    result = CliRunner().invoke(main, [*args, "--json", "--at", "2021-06-08T10:00"])
    assert result.exit_code == 0, result.output
    view = json.loads(result.output)
    assert (view["due"], view["allocated"], view["returned"]) == ("2021-06-08", 4, 1)
    assert view["agreement"] == {"same": 0, "one_step": 1, "two_or_more": 0}
    assert view["late"][MO[1]] == sorted({c for c, w in given.items() if w == MO[1]} - {"CR-1002"})
    assert {a["case_ref"]: a["moderator"] for a in view["audits"]} == given
    shown = CliRunner().invoke(main, args, terminal_width=200)
    assert shown.exit_code == 0, shown.output
    assert "1 of 4 back; agreement: 0 same, 1 one step apart, 0 two or more" in shown.output
    missing = CliRunner().invoke(main, [*args[:-1], "2021-04"])
    assert "No moderation for April 2021 yet." in missing.output


def test_with_starts_final_moderation_waits_for_the_final_close(may: World) -> None:
    may.config.write_text(
        may.config.read_text().replace(
            "moderation: {due_working_days: 5}", "moderation: {due_working_days: 5, starts: final}"
        )
    )
    may.close()  # read the config again
    may.tick("2021-06-01T09:30")  # closed, provisional: no export made after the deadline
    assert _given(may) == {}
    assert _of(may.new_mail(), "moderation") == []
    may.tick("2021-06-03T09:30")  # final after the grace period: moderation starts
    assert len(_given(may)) == 4
    assert len(_of(may.new_mail(), "moderation")) == 2


def test_a_moderators_records_include_what_they_were_given_to_moderate(may: World) -> None:
    may.tick("2021-06-01T09:30")
    given = sorted(c for c, who in _given(may).items() if who == MO[1])
    held = gather(may.open(), MO[1])
    assert [row["case_ref"] for row in held["parts"]["moderations"]] == given


def test_the_mailed_reports_completion_figures_are_the_digests_for_may(may: World) -> None:
    may.tick("2021-06-01T09:30")
    given = _given(may)
    write_moderations(may, [(c, str(w), "good", "2021-06-02", "") for c, w in given.items()])
    may.tick("2021-06-02T09:30")
    (mailed,) = _of(may.new_mail(), "report")
    app = may.open()
    at = datetime(2021, 6, 2, 9, 30, tzinfo=LONDON)
    with app.engine.connect() as connection:
        gathered = gather_month(app, connection, at, Month(2021, 5))
    digest = build_digest(gathered.current, gathered.history, gathered.local)
    report = month_report(app, Month(2021, 5), at)
    assert report.overall == digest.overall
    assert report.audit_counts == digest.audits
    rate = digest.overall.rate
    assert f"Completion: {rate}% ({digest.overall.complete} of the " in _said(mailed)
