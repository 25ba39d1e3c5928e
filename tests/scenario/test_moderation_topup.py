"""Audits submitted in time that first appear in a later completions export: added to May
2021's moderation while it is open, told to the moderator given them, and counted in the
report; after the report has gone, named as not moderated. Through the local transport on
both stores."""

from __future__ import annotations

import io
import json

import openpyxl
from click.testing import CliRunner
from sqlalchemy import select

from bot.commands.cli import main
from bot.store.schema import events, moderations
from tests.scenario.moderation_world import (
    ALEX_EMAIL,
    DI,
    may_with_moderators,
    write_later_export,
    write_moderations,
)
from tests.world import Landed, World

# Dated the deadline (Monday 31 May, a bank holiday), first seen on Wednesday 2 June. The
# case is Fostering's, so Mo may not take it.
LATE_ROW = ("CR-2002", ALEX_EMAIL, "2021-05-31", "good", "Fostering", "", "")


def _given(world: World) -> dict[str, str | None]:
    with world.open().engine.connect() as connection:
        rows = connection.execute(select(moderations.c.case_ref, moderations.c.moderator_email))
        return dict(rows.all())


def _of(mails: list[Landed], kind: str) -> list[Landed]:
    return [m for m in mails if m.kind == kind]


def _kinds(world: World, kind: str) -> list[dict[str, object]]:
    with world.open().engine.connect() as connection:
        rows = connection.execute(select(events.c.detail).where(events.c.kind == kind))
        return [r.detail for r in rows]


def test_an_in_time_audit_in_a_later_export_is_moderated_and_counted(world: World) -> None:
    may = may_with_moderators(world)
    may.tick("2021-06-01T09:30")  # the close: provisional, and moderation starts
    first = _given(may)
    assert len(first) == 4 and "CR-2002" not in first
    may.new_mail()
    write_later_export(may, [LATE_ROW], modified="2021-06-02T07:00")
    may.tick("2021-06-02T09:30")
    given = _given(may)
    # Two each before; Mo is Fostering, so Di takes it, and the first four stay where they were.
    assert given == {**first, "CR-2002": DI[1]}
    (mail,) = _of(may.new_mail(), "moderation")
    assert mail.key == f"moderation/2021-05/topup-CR-2002/{DI[1]}"
    assert mail.to == (DI[1],)
    assert mail.subject == "One more audit to moderate for May 2021, before Tuesday 8 June 2021"
    assert mail.text.startswith("Dear Di,")
    assert "CR-2002  (audited by Alex Jones)" in mail.text
    assert not any(ref in mail.text for ref in first)  # just the new case
    assert "the bot" not in mail.text.lower()
    (topped,) = _kinds(may, "moderation_topped_up")
    assert (topped["audits"], topped["allocated"], topped["moderators"]) == (1, 1, 1)
    # Level-triggered: another tick on the same export adds and sends nothing.
    may.tick("2021-06-02T14:00")
    assert _of(may.new_mail(), "moderation") == []
    assert _given(may) == given
    assert len(_kinds(may, "moderation_topped_up")) == 1
    # Every moderated grade back: the report counts CR-2002's moderated grade.
    write_moderations(
        may,
        [
            *((c, str(w), "good", "2021-06-03", "") for c, w in first.items()),
            ("CR-2002", DI[1], "inadequate", "2021-06-03", ""),
        ],
    )
    may.tick("2021-06-03T09:30")
    (report,) = _of(may.new_mail(), "report")
    said = " ".join(report.text.split())
    assert "Moderation: 5 of 5 moderated grades back." in said
    files = {part.get_filename(): part.get_content() for part in report.message.iter_attachments()}
    book = openpyxl.load_workbook(io.BytesIO(files["report-2021-05.xlsx"]))
    audits = {row[0]: row for row in book["Audits"].iter_rows(min_row=2, values_only=True)}
    assert audits["CR-2002"][6:] == ("good", "inadequate")
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Moderated grades back"] == 5
    assert summary["Moderated: two or more steps apart"] == 1


def test_an_audit_first_seen_after_the_report_went_is_named_as_not_moderated(
    world: World,
) -> None:
    may = may_with_moderators(world)
    may.tick("2021-06-01T09:30")
    first = _given(may)
    write_moderations(may, [(c, str(w), "good", "2021-06-02", "") for c, w in first.items()])
    may.tick("2021-06-02T09:30")  # complete: the report goes
    assert len(_of(may.new_mail(), "report")) == 1
    write_later_export(may, [LATE_ROW], modified="2021-06-03T07:00")
    may.tick("2021-06-03T09:30")  # before the due day, but the report has gone
    assert _given(may) == first
    assert _of(may.new_mail(), "moderation") == []
    may.close()  # the command opens the store itself
    args = ["--config", str(may.config), "moderation", "--month", "2021-05"]
    result = CliRunner().invoke(main, [*args, "--json", "--at", "2021-06-03T10:00"])
    assert result.exit_code == 0, result.output
    view = json.loads(result.output)
    assert (view["open"], view["not_given"], view["allocated"]) == (False, ["CR-2002"], 4)
    shown = CliRunner().invoke(main, [*args, "--at", "2021-06-03T10:00"], terminal_width=200)
    assert shown.exit_code == 0, shown.output
    assert (
        "in time, not given for moderation before it closed: not moderated: CR-2002" in shown.output
    )


def test_while_moderation_is_open_the_view_names_an_audit_not_yet_given(world: World) -> None:
    may = may_with_moderators(world)
    may.tick("2021-06-01T09:30")
    write_later_export(may, [LATE_ROW], modified="2021-06-01T12:00")
    may.close()
    args = ["--config", str(may.config), "moderation", "--month", "2021-05", "--json"]
    result = CliRunner().invoke(main, [*args, "--at", "2021-06-01T13:00"])
    view = json.loads(result.output)
    assert (view["open"], view["not_given"]) == (True, ["CR-2002"])
    # The next working day's tick gives it to Di (Mo's team holds the case).
    may.tick("2021-06-02T09:30")
    assert _given(may)["CR-2002"] == DI[1]
