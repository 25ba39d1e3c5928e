"""The QA team's spreadsheets, read from real CSV and XLSX files written in tmp_path."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from bot.core.completion import team_services
from bot.core.moderation import Moderated
from bot.core.records import (
    Allocation,
    Auditor,
    AuditType,
    Completion,
    Grade,
    Month,
    Problem,
    Role,
)
from bot.inputs.sheets import (
    DEFAULT_CASE_REF_PATTERN,
    find_month_sheet,
    read_allocations,
    read_completions,
    read_moderations,
    read_roster,
)

Rows = Sequence[Sequence[object]]
Write = Callable[[str, Rows], Path]

ROSTER_HEADER = [
    "name",
    "email",
    "team",
    "head_of_service_email",
    "head_of_service",
    "role",
    "active",
]
ALLOCATION_HEADER = ["auditor_email", "case_ref", "audit_type"]
COMPLETION_HEADER = ["case_ref", "auditor_email", "submitted_on", "grade"]

ALICE = Auditor("Alice Adams", "alice@example.org", "North", "hos@example.org", "Hana Hos")
BOB = Auditor("Bob Brown", "bob@example.org", "South", "hos@example.org")
CAROL = Auditor("Carol Cole", "carol@example.org", "East", "hos@example.org", active=False)
ROSTER = {a.email: a for a in (ALICE, BOB, CAROL)}


def write_csv(path: Path, rows: Rows) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows(rows)
    return path


def write_xlsx(path: Path, rows: Rows) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


@pytest.fixture(params=["csv", "xlsx"])
def write(request: pytest.FixtureRequest, tmp_path: Path) -> Write:
    """Writes rows as a sheet of the parametrised kind; every test using it runs for both."""

    def writer(stem: str, rows: Rows) -> Path:
        path = tmp_path / f"{stem}.{request.param}"
        return write_csv(path, rows) if request.param == "csv" else write_xlsx(path, rows)

    return writer


def places(problems: Sequence[Problem]) -> list[tuple[int | None, str | None]]:
    return [(p.row, p.column) for p in problems]


def only(problems: Sequence[Problem]) -> Problem:
    assert len(problems) == 1, problems
    return problems[0]


# --- finding the month's sheet ------------------------------------------------------------


def test_the_month_sheet_is_found_whether_it_is_csv_or_xlsx(tmp_path: Path) -> None:
    (tmp_path / "2021-05.csv").write_text("x")
    (tmp_path / "2021-06.xlsx").write_bytes(b"x")
    (tmp_path / "2021-07.txt").write_text("x")
    assert find_month_sheet(tmp_path, Month(2021, 5)) == (tmp_path / "2021-05.csv", [])
    assert find_month_sheet(tmp_path, Month(2021, 6)) == (tmp_path / "2021-06.xlsx", [])
    assert find_month_sheet(tmp_path, Month(2021, 7)) == (None, [])


def test_a_csv_and_an_xlsx_for_the_same_month_clash_and_neither_is_used(tmp_path: Path) -> None:
    (tmp_path / "2021-05.csv").write_text("x")
    (tmp_path / "2021-05.xlsx").write_bytes(b"x")
    path, problems = find_month_sheet(tmp_path, Month(2021, 5))
    assert path is None
    problem = only(problems)
    assert problem.file == str(tmp_path)
    assert "2021-05.csv" in problem.message and "2021-05.xlsx" in problem.message


def test_a_month_sheet_named_in_capitals_is_found(tmp_path: Path) -> None:
    (tmp_path / "2021-05.XLSX").write_bytes(b"x")
    assert find_month_sheet(tmp_path, Month(2021, 5)) == (tmp_path / "2021-05.XLSX", [])


def test_a_missing_sheets_folder_is_a_problem_not_an_exception(tmp_path: Path) -> None:
    path, problems = find_month_sheet(tmp_path / "nowhere", Month(2021, 5))
    assert path is None
    assert only(problems).file == str(tmp_path / "nowhere")


# --- the header row ---------------------------------------------------------------------------


def test_column_names_match_whatever_their_case_spacing_or_hyphens(write: Write) -> None:
    path = write(
        "2021-05",
        [[" Auditor Email ", "CASE-REF", "Audit  type"], ["alice@example.org", "CR1", ""]],
    )
    sheet = read_allocations(path, ROSTER)
    assert sheet.problems == []
    assert sheet.allocations == (Allocation("alice@example.org", "CR1"),)


def test_a_missing_required_column_is_one_problem_on_row_1_and_no_records(write: Write) -> None:
    path = write("2021-05", [["auditor_email", "case"], ["alice@example.org", "CR1"]])
    sheet = read_allocations(path, ROSTER)
    assert sheet.allocations == ()
    assert sheet.held_back == frozenset()
    problem = only(sheet.problems)
    assert (problem.file, problem.row, problem.column) == (str(path), 1, "case_ref")


def test_each_missing_roster_column_is_named(write: Write) -> None:
    path = write("roster", [["name", "email"], ["Alice", "alice@example.org"]])
    sheet = read_roster(path)
    assert sheet.auditors == {}
    assert places(sheet.problems) == [(1, "team"), (1, "head_of_service_email")]


def test_unknown_extra_columns_are_ignored_silently(write: Write) -> None:
    rows = [
        ["notes", "auditor_email", "case_ref", ""],
        ["line one\nline two", "bob@example.org", "CR1", "x"],
    ]
    sheet = read_allocations(write("2021-05", rows), ROSTER)
    assert sheet.problems == []
    assert sheet.allocations == (Allocation("bob@example.org", "CR1"),)


def test_a_duplicated_column_name_is_a_problem_and_gives_no_records(write: Write) -> None:
    path = write(
        "2021-05", [["auditor_email", "case_ref", "Case Ref"], ["bob@example.org", "CR1", "CR2"]]
    )
    sheet = read_allocations(path, ROSTER)
    assert sheet.allocations == ()
    assert places(sheet.problems) == [(1, "case_ref")]
    assert "case_ref" in sheet.problems[0].message


def test_a_header_below_blank_rows_keeps_the_sheets_own_row_numbers(write: Write) -> None:
    rows = [[], [], ALLOCATION_HEADER, ["bob@example.org", "CR1"], ["nobody@example.org", "CR2"]]
    sheet = read_allocations(write("2021-05", rows), ROSTER)
    assert sheet.allocations == (Allocation("bob@example.org", "CR1"),)
    assert places(sheet.problems) == [(5, "auditor_email")]


def test_an_empty_file_is_one_problem(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes(b"")
    sheet = read_roster(path)
    assert sheet.auditors == {}
    assert places(sheet.problems) == [(1, None)]
    assert "empty" in sheet.problems[0].message


def test_a_semicolon_separated_csv_gets_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "2021-05.csv"
    path.write_text("auditor_email;case_ref\nbob@example.org;CR1\n", encoding="utf-8")
    sheet = read_allocations(path, ROSTER)
    assert places(sheet.problems) == [(1, "auditor_email"), (1, "case_ref")]
    assert "CSV UTF-8 (Comma delimited)" in sheet.problems[0].message


# --- cells ------------------------------------------------------------------------------------


def test_blank_rows_are_skipped_but_still_count_for_row_numbers(write: Write) -> None:
    rows = [
        ALLOCATION_HEADER,
        ["bob@example.org", "CR1"],
        ["", "  ", ""],
        [],
        ["bob@example.org", "Jane"],
    ]
    sheet = read_allocations(write("2021-05", rows), ROSTER)
    assert sheet.allocations == (Allocation("bob@example.org", "CR1"),)
    assert places(sheet.problems) == [(5, "case_ref")]


def test_whitespace_is_stripped_and_emails_are_lower_cased(write: Write) -> None:
    rows = [ALLOCATION_HEADER, ["  Bob@Example.ORG\u00a0", " CR1 ", " Dip Sample "]]
    sheet = read_allocations(write("2021-05", rows), ROSTER)
    assert sheet.problems == []
    assert sheet.allocations == (Allocation("bob@example.org", "CR1", AuditType.DIP_SAMPLE),)


@pytest.mark.parametrize("bad", ["\r", "\n", "\r\n", "\u2028", "\u2029", "\x85"])
def test_a_line_break_in_any_cell_is_reported_naming_the_cell(write: Write, bad: str) -> None:
    rows = [
        ROSTER_HEADER,
        ["Alice Adams", "alice@example.org", "North", "hos@example.org", f"Hana{bad}Hos"],
    ]
    path = write("roster", rows)
    sheet = read_roster(path)
    problem = only(sheet.problems)
    assert (problem.file, problem.row, problem.column) == (str(path), 2, "head_of_service")
    assert "control character" in problem.message
    assert sheet.auditors == {}


@pytest.mark.parametrize("bad", ["\x00", "\x1b", "\x7f", "\t", "\x0b"])
def test_other_control_characters_in_a_csv_cell_are_reported(tmp_path: Path, bad: str) -> None:
    rows = [ALLOCATION_HEADER, ["bob@example.org", f"CR{bad}1"], ["alice@example.org", "CR2"]]
    path = write_csv(tmp_path / "2021-05.csv", rows)
    sheet = read_allocations(path, ROSTER)
    problem = only(sheet.problems)
    assert (problem.file, problem.row, problem.column) == (str(path), 2, "case_ref")
    assert sheet.allocations == (Allocation("alice@example.org", "CR2"),)
    assert sheet.held_back == {"bob@example.org"}


def test_a_control_character_is_reported_once_not_again_as_a_bad_value(tmp_path: Path) -> None:
    rows = [ALLOCATION_HEADER, ["bob@exam\x00ple.org", "CR1", "dip\nsample"]]
    sheet = read_allocations(write_csv(tmp_path / "2021-05.csv", rows), ROSTER)
    assert places(sheet.problems) == [(2, "auditor_email"), (2, "audit_type")]
    assert all("control character" in p.message for p in sheet.problems)


@pytest.mark.parametrize(
    "bad",
    ["alice", "alice@example", "a@b@example.org", "alice smith@example.org", "<a@example.org>"],
)
def test_a_value_that_is_not_an_email_address_is_reported(write: Write, bad: str) -> None:
    rows = [COMPLETION_HEADER, ["CR1", bad, "2021-05-14"], ["CR2", "zed@example.org", "2021-05-14"]]
    path = write("2021-05", rows)
    sheet = read_completions(path)
    problem = only(sheet.problems)
    assert (problem.file, problem.row, problem.column) == (str(path), 2, "auditor_email")
    assert f'"{bad}"' in problem.message
    assert [c.case_ref for c in sheet.completions] == ["CR2"]


# --- the roster ---------------------------------------------------------------------------------


def test_a_good_roster_gives_auditors_keyed_by_lower_cased_email(write: Write) -> None:
    rows = [
        ROSTER_HEADER,
        ["Alice Adams", "Alice@Example.org", "North", "HOS@example.org", "Hana Hos", "", ""],
        ["Bob Brown", "bob@example.org", "South", "hos@example.org", "", "Moderator", "No"],
    ]
    sheet = read_roster(write("roster", rows))
    assert sheet.problems == []
    assert sheet.auditors == {
        "alice@example.org": ALICE,
        "bob@example.org": Auditor(
            "Bob Brown", "bob@example.org", "South", "hos@example.org", "", Role.MODERATOR, False
        ),
    }


def test_the_optional_roster_columns_may_be_left_out(write: Write) -> None:
    rows = [
        ["Name", "Email", "Team", "Head of Service Email"],
        ["Bob Brown", "bob@example.org", "South", "hos@example.org"],
    ]
    sheet = read_roster(write("roster", rows))
    assert sheet.problems == []
    assert sheet.auditors == {"bob@example.org": BOB}


def test_the_roster_may_name_each_teams_service(write: Write) -> None:
    rows = [
        ["Name", "Email", "Team", "Head of Service Email", "Service"],
        ["Bob Brown", "bob@example.org", "South", "hos@example.org", "Children's Services"],
        ["Cat Cole", "cat@example.org", "North", "hos@example.org", ""],
    ]
    sheet = read_roster(write("roster", rows))
    assert sheet.problems == []
    bob, cat = sheet.auditors["bob@example.org"], sheet.auditors["cat@example.org"]
    assert (bob.service, cat.service) == ("Children's Services", "")
    # The digests count by service; a team without one stands as its own.
    assert team_services(sheet.auditors) == {"South": "Children's Services", "North": "North"}


def test_a_team_given_two_services_is_to_confirm_and_the_roster_stays_in_force(
    write: Write,
) -> None:
    rows = [
        ["Name", "Email", "Team", "Head of Service Email", "Service"],
        ["Bob Brown", "bob@example.org", "South", "hos@example.org", "Children's Services"],
        ["Cat Cole", "cat@example.org", "South", "hos@example.org", "Childrens Services"],
    ]
    sheet = read_roster(write("roster", rows))
    assert sheet.problems == [] and len(sheet.auditors) == 2
    (found,) = sheet.to_confirm
    assert (found.row, found.column) == (3, "service")
    assert "team 'South' is given under 2 services" in found.message


@pytest.mark.parametrize(
    ("text", "active"),
    [("yes", True), ("Y", True), ("TRUE", True), ("1", True), ("", True),
     ("no", False), ("N", False), ("False", False), ("0", False)],
)  # fmt: skip
def test_the_accepted_spellings_of_active(write: Write, text: str, active: bool) -> None:
    rows = [
        ROSTER_HEADER,
        ["Bob Brown", "bob@example.org", "South", "hos@example.org", "", "", text],
        # Someone active besides: a roster with nobody active is a problem of its own.
        ["Ann Active", "ann@example.org", "South", "hos@example.org", "", "", ""],
    ]
    sheet = read_roster(write("roster", rows))
    assert sheet.problems == []
    assert sheet.auditors["bob@example.org"].active is active


def test_real_true_and_false_cells_in_xlsx_are_active_values(tmp_path: Path) -> None:
    rows = [
        ROSTER_HEADER,
        ["Bob Brown", "bob@example.org", "South", "hos@example.org", "", "auditor", False],
        ["Alice Adams", "alice@example.org", "North", "hos@example.org", "", "auditor", 1],
    ]
    sheet = read_roster(write_xlsx(tmp_path / "roster.xlsx", rows))
    assert sheet.problems == []
    assert sheet.auditors["bob@example.org"].active is False
    assert sheet.auditors["alice@example.org"].active is True


def test_a_bad_role_or_active_value_is_reported(write: Write) -> None:
    rows = [
        ROSTER_HEADER,
        ["Alice Adams", "alice@example.org", "North", "hos@example.org", "", "boss", ""],
        ["Bob Brown", "bob@example.org", "South", "hos@example.org", "", "", "maybe"],
        ["Dee Dunn", "dee@example.org", "West", "hos@example.org", "", "moderator", "yes"],
    ]
    path = write("roster", rows)
    sheet = read_roster(path)
    assert places(sheet.problems) == [(2, "role"), (3, "active")]
    assert {p.file for p in sheet.problems} == {str(path)}
    assert '"boss"' in sheet.problems[0].message and "moderator" in sheet.problems[0].message
    assert '"maybe"' in sheet.problems[1].message
    assert list(sheet.auditors) == ["dee@example.org"]


def test_a_duplicate_email_is_reported_on_the_later_row_which_is_dropped(write: Write) -> None:
    rows = [
        ROSTER_HEADER,
        ["Bob Brown", "bob@example.org", "South", "hos@example.org"],
        ["Alice Adams", "alice@example.org", "North", "hos@example.org", "Hana Hos"],
        ["Robert Brown", "BOB@example.org", "West", "hos@example.org"],
    ]
    sheet = read_roster(write("roster", rows))
    assert places(sheet.problems) == [(4, "email")]
    assert "row 2" in sheet.problems[0].message
    assert sheet.auditors == {"bob@example.org": BOB, "alice@example.org": ALICE}


def test_every_repeat_names_the_row_the_address_was_first_given_on(write: Write) -> None:
    rows = [
        ROSTER_HEADER,
        ["Bob Brown", "bob@example.org", "South", "hos@example.org"],  # row 2
        ["Bob Again", "bob@example.org", "South", "hos@example.org"],  # 3: repeats row 2
        ["Alice Adams", "alice@example.org", "North", "hos@example.org"],  # 4, after a repeat
        ["Dee Dunn", "dee@example.org", "North", "not an address"],  # 5: a problem of its own
        ["Alice Again", "ALICE@example.org", "North", "hos@example.org"],  # 6: repeats row 4
        ["Dee Dunn", "dee@example.org", "North", "hos@example.org"],  # 7: repeats row 5
        ["Bob Third", "bob@example.org", "South", "hos@example.org"],  # 8: repeats row 2
    ]
    sheet = read_roster(write("roster", rows))
    repeats = [p for p in sheet.problems if p.column == "email"]
    assert [(p.row, p.message.rsplit(" ", 1)[-1]) for p in repeats] == [
        (3, "2"), (6, "4"), (7, "5"), (8, "2")
    ]  # fmt: skip
    assert list(sheet.auditors) == ["bob@example.org", "alice@example.org"]


def test_each_empty_required_roster_field_is_reported(write: Write) -> None:
    rows = [
        ROSTER_HEADER,
        ["", "bob@example.org", "", ""],
        ["Alice Adams", "", "North", "hos@example.org"],
    ]
    sheet = read_roster(write("roster", rows))
    assert places(sheet.problems) == [
        (2, "name"),
        (2, "team"),
        (2, "head_of_service_email"),
        (3, "email"),
    ]
    assert sheet.auditors == {}


def test_an_auditor_who_is_their_own_head_of_service_is_reported(write: Write) -> None:
    rows = [ROSTER_HEADER, ["Hana Hos", "hos@example.org", "North", "HOS@example.org"]]
    sheet = read_roster(write("roster", rows))
    assert places(sheet.problems) == [(2, "head_of_service_email")]
    assert "own head of service" in sheet.problems[0].message
    assert sheet.auditors == {}


def test_a_roster_with_problems_still_gives_its_good_auditors(write: Write) -> None:
    rows = [
        ROSTER_HEADER,
        ["Alice Adams", "alice@example.org", "North", "hos@example.org", "Hana Hos"],
        ["Bob Brown", "bob at example.org", "South", "hos@example.org"],
    ]
    sheet = read_roster(write("roster", rows))
    assert places(sheet.problems) == [(3, "email")]
    assert sheet.auditors == {"alice@example.org": ALICE}


# --- allocations ----------------------------------------------------------------------------


def test_allocations_come_in_sheet_order_with_several_rows_per_auditor(write: Write) -> None:
    rows = [
        ALLOCATION_HEADER,
        ["alice@example.org", "CR1", "case_audit"],
        ["bob@example.org", "CR2", "thematic"],
        ["alice@example.org", "CR3", ""],
    ]
    sheet = read_allocations(write("2021-05", rows), ROSTER)
    assert sheet.problems == []
    assert sheet.held_back == frozenset()
    assert sheet.allocations == (
        Allocation("alice@example.org", "CR1"),
        Allocation("bob@example.org", "CR2", AuditType.THEMATIC),
        Allocation("alice@example.org", "CR3"),
    )


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Case audit", AuditType.CASE_AUDIT),
        ("dip sample", AuditType.DIP_SAMPLE),
        ("Dip-Sample", AuditType.DIP_SAMPLE),
        ("THEMATIC", AuditType.THEMATIC),
        ("service  review", AuditType.SERVICE_REVIEW),
        ("", AuditType.CASE_AUDIT),
    ],
)
def test_audit_types_are_read_the_way_people_write_them(
    write: Write, text: str, kind: AuditType
) -> None:
    sheet = read_allocations(
        write("2021-05", [ALLOCATION_HEADER, ["bob@example.org", "CR1", text]]), ROSTER
    )
    assert sheet.problems == []
    assert sheet.allocations == (Allocation("bob@example.org", "CR1", kind),)


def test_a_bad_audit_type_is_reported_and_holds_the_auditor_back(write: Write) -> None:
    rows = [ALLOCATION_HEADER, ["bob@example.org", "CR1"], ["bob@example.org", "CR2", "spot check"]]
    path = write("2021-05", rows)
    sheet = read_allocations(path, ROSTER)
    problem = only(sheet.problems)
    assert (problem.file, problem.row, problem.column) == (str(path), 3, "audit_type")
    assert '"spot check"' in problem.message and "dip sample" in problem.message
    assert sheet.held_back == {"bob@example.org"}
    assert sheet.allocations == (Allocation("bob@example.org", "CR1"),)


def test_an_allocation_for_someone_not_in_the_roster_is_reported_with_row_and_column(
    write: Write,
) -> None:
    rows = [ALLOCATION_HEADER, ["bob@example.org", "CR1"], ["Zed@Example.org", "CR2"]]
    path = write("2021-05", rows)
    sheet = read_allocations(path, ROSTER)
    problem = only(sheet.problems)
    assert (problem.file, problem.row, problem.column) == (str(path), 3, "auditor_email")
    assert problem.message == '"Zed@Example.org" is not in the roster'  # as typed
    assert sheet.held_back == frozenset()
    assert sheet.allocations == (Allocation("bob@example.org", "CR1"),)


def test_an_allocation_for_an_inactive_auditor_is_reported_and_not_allocated(write: Write) -> None:
    rows = [ALLOCATION_HEADER, ["carol@example.org", "CR1"], ["bob@example.org", "CR2"]]
    path = write("2021-05", rows)
    sheet = read_allocations(path, ROSTER)
    problem = only(sheet.problems)
    assert (problem.file, problem.row, problem.column) == (str(path), 2, "auditor_email")
    assert problem.message == '"carol@example.org" is marked inactive in the roster'
    assert sheet.allocations == (Allocation("bob@example.org", "CR2"),)


@pytest.mark.parametrize("name", ["Jane Smith", "JSmith", "Smith-Jones", "J"])
def test_a_childs_name_in_the_case_ref_column_is_refused_and_not_repeated(
    write: Write, name: str
) -> None:
    rows = [ALLOCATION_HEADER, ["alice@example.org", name], ["alice@example.org", "CR2"]]
    path = write("2021-05", rows)
    sheet = read_allocations(path, ROSTER)
    problem = only(sheet.problems)
    assert (problem.file, problem.row, problem.column) == (str(path), 2, "case_ref")
    assert "never names" in problem.message
    assert name not in problem.message  # a child's name must not travel on in a report
    assert sheet.held_back == {"alice@example.org"}
    assert sheet.allocations == (Allocation("alice@example.org", "CR2"),)


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("12345", True),
        ("CR/2021/0042", True),
        ("a1", True),
        ("LA-123_4.5", True),
        ("9" * 40, True),
        ("9" * 41, False),
        ("1", False),
        ("Jane Smith", False),
        ("JSmith", False),
        ("/123", False),
        ("12 345", False),
        ("١٢٣", False),  # Arabic-Indic digits are not the digits case systems use
    ],
)
def test_the_default_case_ref_pattern_takes_case_numbers_and_refuses_names(
    text: str, ok: bool
) -> None:
    assert (DEFAULT_CASE_REF_PATTERN.fullmatch(text) is not None) is ok


def test_a_case_ref_allocated_twice_is_reported_on_the_later_row(write: Write) -> None:
    rows = [
        ALLOCATION_HEADER,
        ["alice@example.org", "CR1"],
        ["bob@example.org", "CR2"],
        ["bob@example.org", "cr1"],
    ]
    path = write("2021-05", rows)
    sheet = read_allocations(path, ROSTER)
    problem = only(sheet.problems)
    assert (problem.file, problem.row, problem.column) == (str(path), 4, "case_ref")
    assert problem.message == 'case reference "cr1" already allocated on row 2'
    assert sheet.held_back == {"bob@example.org"}
    assert sheet.allocations == (
        Allocation("alice@example.org", "CR1"),
        Allocation("bob@example.org", "CR2"),
    )


def test_an_auditor_with_any_bad_row_is_held_back_but_others_are_not(write: Write) -> None:
    rows = [
        ALLOCATION_HEADER,
        ["alice@example.org", "CR1"],
        ["bob@example.org", "CR2"],
        ["alice@example.org", ""],
        ["alice@example.org", "CR4"],
        ["", "CR5"],
    ]
    sheet = read_allocations(write("2021-05", rows), ROSTER)
    assert places(sheet.problems) == [(4, "case_ref"), (6, "auditor_email")]
    assert sheet.held_back == {"alice@example.org"}
    # Alice's good rows stay in the sheet: the caller withholds them until the sheet is fixed.
    assert [a.case_ref for a in sheet.allocations] == ["CR1", "CR2", "CR4"]


def test_a_custom_case_ref_pattern_is_used_instead_of_the_default(write: Write) -> None:
    pattern = re.compile(r"LCS[0-9]{6}")
    rows = [ALLOCATION_HEADER, ["bob@example.org", "LCS000123"], ["bob@example.org", "CR1"]]
    sheet = read_allocations(write("2021-05", rows), ROSTER, pattern)
    assert places(sheet.problems) == [(3, "case_ref")]
    assert sheet.allocations == (Allocation("bob@example.org", "LCS000123"),)


# --- completions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2021-05-14",
        "2021-05-14 10:22",
        "2021-05-14 10:22:33",
        "2021-05-14T10:22:33",
        "14/05/2021",
        "14/05/2021 10:22",
        "14/5/2021",
    ],
)
def test_submission_dates_are_read_in_iso_and_uk_forms(write: Write, text: str) -> None:
    sheet = read_completions(
        write("2021-05", [COMPLETION_HEADER, ["CR1", "Zed@Example.org", text]])
    )
    assert sheet.problems == []
    assert sheet.completions == (Completion("CR1", "zed@example.org", date(2021, 5, 14)),)


@pytest.mark.parametrize(
    "text",
    [
        "05/14/2021",
        "14/05/21",
        "14-05-2021",
        "May 14 2021",
        "2021-02-30",
        "2021-05-14 25:00",
        "44330",
    ],
)
def test_us_month_first_and_other_dates_are_refused(write: Write, text: str) -> None:
    rows = [
        COMPLETION_HEADER,
        ["CR1", "zed@example.org", text],
        ["CR2", "zed@example.org", "01/02/2021"],
    ]
    path = write("2021-05", rows)
    sheet = read_completions(path)
    problem = only(sheet.problems)
    assert (problem.file, problem.row, problem.column) == (str(path), 2, "submitted_on")
    assert f'"{text}"' in problem.message
    # Day first, always: 01/02/2021 is the first of February.
    assert sheet.completions == (Completion("CR2", "zed@example.org", date(2021, 2, 1)),)


def test_grades_are_read_the_way_people_write_them_and_blank_is_none(write: Write) -> None:
    rows = [
        COMPLETION_HEADER,
        ["CR1", "zed@example.org", "2021-05-14", "Requires improvement"],
        ["CR2", "zed@example.org", "2021-05-14", "GOOD"],
        ["CR3", "zed@example.org", "2021-05-14", ""],
        ["CR4", "zed@example.org", "2021-05-14", "requires-improvement"],
        ["CR5", "zed@example.org", "2021-05-14", "fine"],
    ]
    sheet = read_completions(write("2021-05", rows))
    assert places(sheet.problems) == [(6, "grade")]
    assert [c.grade for c in sheet.completions] == [
        Grade.REQUIRES_IMPROVEMENT,
        Grade.GOOD,
        None,
        Grade.REQUIRES_IMPROVEMENT,
    ]


def test_a_resubmitted_case_keeps_the_earliest_submission_without_a_problem(write: Write) -> None:
    rows = [
        COMPLETION_HEADER,
        ["CR1", "zed@example.org", "2021-05-20", "good"],
        ["CR2", "amy@example.org", "2021-05-03"],
        ["CR1", "ZED@example.org", "2021-05-14", "inadequate"],
        ["CR1", "zed@example.org", "2021-05-28", "outstanding"],
    ]
    sheet = read_completions(write("2021-05", rows))
    assert sheet.problems == []
    assert sheet.completions == (
        Completion("CR1", "zed@example.org", date(2021, 5, 14), Grade.INADEQUATE),
        Completion("CR2", "amy@example.org", date(2021, 5, 3)),
    )


def test_the_same_case_from_a_different_auditor_is_reported_on_the_later_row(write: Write) -> None:
    rows = [
        COMPLETION_HEADER,
        ["CR1", "zed@example.org", "2021-05-20"],
        ["CR1", "amy@example.org", "2021-05-10"],
    ]
    path = write("2021-05", rows)
    sheet = read_completions(path)
    problem = only(sheet.problems)
    assert (problem.file, problem.row, problem.column) == (str(path), 3, "auditor_email")
    assert "zed@example.org" in problem.message and "row 2" in problem.message
    assert sheet.completions == (Completion("CR1", "zed@example.org", date(2021, 5, 20)),)


def test_completion_auditors_need_not_be_in_any_roster(write: Write) -> None:
    rows = [COMPLETION_HEADER, ["CR1", "left.last.year@example.org", "2021-05-14"]]
    sheet = read_completions(write("2021-05", rows))
    assert sheet.problems == []
    assert sheet.completions[0].auditor_email == "left.last.year@example.org"


def test_a_completion_with_a_name_for_a_case_ref_is_refused(write: Write) -> None:
    rows = [COMPLETION_HEADER, ["Jane Smith", "zed@example.org", "2021-05-14"]]
    sheet = read_completions(write("2021-05", rows))
    assert places(sheet.problems) == [(2, "case_ref")]
    assert "Jane" not in sheet.problems[0].message
    assert sheet.completions == ()


# --- CSV files ------------------------------------------------------------------------------


def test_a_csv_saved_by_excel_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "2021-05.csv"
    path.write_text("auditor_email,case_ref\r\nbob@example.org,CR1\r\n", encoding="utf-8-sig")
    sheet = read_allocations(path, ROSTER)
    assert sheet.problems == []
    assert sheet.allocations == (Allocation("bob@example.org", "CR1"),)


def test_a_csv_that_is_not_utf8_is_one_problem_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    text = (
        ",".join(ROSTER_HEADER)
        + "\r\nAlice,alice@example.org,N,hos@example.org\r\nZoë,z@example.org,N,h@example.org\r\n"
    )
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("cp1252"))
    sheet = read_roster(path)
    assert sheet.auditors == {}
    problem = only(sheet.problems)
    assert problem.file == str(path)
    assert "line 3" in problem.message and "CSV UTF-8" in problem.message


def test_a_quoted_csv_cell_may_hold_commas(tmp_path: Path) -> None:
    rows = [
        ROSTER_HEADER,
        ["Adams, Alice", "alice@example.org", "North, Team 2", "hos@example.org"],
    ]
    sheet = read_roster(write_csv(tmp_path / "roster.csv", rows))
    assert sheet.problems == []
    assert sheet.auditors["alice@example.org"].name == "Adams, Alice"


def test_a_quoted_csv_cell_over_two_lines_keeps_excels_row_numbers(tmp_path: Path) -> None:
    rows = [ALLOCATION_HEADER, ["bob@example.org", "CR\n1"], ["zed@example.org", "CR2"]]
    sheet = read_allocations(write_csv(tmp_path / "2021-05.csv", rows), ROSTER)
    assert places(sheet.problems) == [(2, "case_ref"), (3, "auditor_email")]


def test_a_csv_cell_too_big_for_the_csv_module_is_one_problem(tmp_path: Path) -> None:
    path = tmp_path / "2021-05.csv"
    path.write_text(
        'auditor_email,case_ref\nbob@example.org,"' + "x" * 200_000 + '"\n', encoding="utf-8"
    )
    sheet = read_allocations(path, ROSTER)
    assert sheet.allocations == ()
    assert only(sheet.problems).file == str(path)


@pytest.mark.parametrize("name", ["missing.csv", "missing.xlsx", "folder.csv", "roster.txt"])
def test_a_missing_unreadable_or_unknown_file_is_one_problem(tmp_path: Path, name: str) -> None:
    (tmp_path / "folder.csv").mkdir()
    (tmp_path / "roster.txt").write_text("name,email\n")
    path = tmp_path / name
    for problems in (
        read_roster(path).problems,
        read_allocations(path, ROSTER).problems,
        read_completions(path).problems,
    ):
        problem = only(problems)
        assert (problem.file, problem.row, problem.column) == (str(path), None, None)


# --- XLSX files -----------------------------------------------------------------------------


def test_an_xlsx_formula_without_a_cached_value_counts_as_empty(tmp_path: Path) -> None:
    # openpyxl saves formulas without calculating them, like any program that is not Excel.
    rows = [ALLOCATION_HEADER, ["bob@example.org", '="CR"&"1"'], ["alice@example.org", "CR2"]]
    path = write_xlsx(tmp_path / "2021-05.xlsx", rows)
    sheet = read_allocations(path, ROSTER)
    problem = only(sheet.problems)
    assert (problem.file, problem.row, problem.column) == (str(path), 2, "case_ref")
    assert "empty" in problem.message
    assert sheet.held_back == {"bob@example.org"}
    assert sheet.allocations == (Allocation("alice@example.org", "CR2"),)


def test_an_xlsx_merged_cell_range_reports_its_hidden_cells_as_empty(tmp_path: Path) -> None:
    path = tmp_path / "2021-05.xlsx"
    write_xlsx(path, [ALLOCATION_HEADER, ["bob@example.org", "CR1"], [None, "CR2"], [None, "CR3"]])
    workbook = openpyxl.load_workbook(path)
    workbook.worksheets[0].merge_cells("A2:A4")
    workbook.save(path)
    sheet = read_allocations(path, ROSTER)
    assert places(sheet.problems) == [(3, "auditor_email"), (4, "auditor_email")]
    assert sheet.allocations == (Allocation("bob@example.org", "CR1"),)


def test_xlsx_date_and_datetime_cells_are_submission_dates(tmp_path: Path) -> None:
    rows = [
        COMPLETION_HEADER,
        ["CR1", "zed@example.org", date(2021, 5, 14)],
        ["CR2", "zed@example.org", datetime(2021, 5, 15, 10, 22, 33)],
    ]
    sheet = read_completions(write_xlsx(tmp_path / "2021-05.xlsx", rows))
    assert sheet.problems == []
    assert [c.submitted_on for c in sheet.completions] == [date(2021, 5, 14), date(2021, 5, 15)]


def rewrite_sheet_xml(path: Path, change: Callable[[bytes], bytes]) -> Path:
    """Edits the first worksheet's XML in place, to make files other programs write."""
    original = path.read_bytes()
    with zipfile.ZipFile(path, "w") as target:
        source = zipfile.ZipFile(io.BytesIO(original))
        for item in source.infolist():
            data = source.read(item)
            if item.filename == SHEET_XML:
                changed, data = data, change(data)
                assert data != changed, "the edit did not apply"
            target.writestr(item, data)
    return path


SHEET_XML = "xl/worksheets/sheet1.xml"


def test_an_xlsx_number_typed_as_a_case_ref_reads_without_a_decimal_point(tmp_path: Path) -> None:
    rows = [ALLOCATION_HEADER, *(["bob@example.org", n] for n in (12345, 67890, 11111, 1.5))]
    path = write_xlsx(tmp_path / "2021-05.xlsx", rows)
    # Some programs store whole numbers as 67890.0 or 1.1111E4, which read back as floats.
    rewrite_sheet_xml(
        path,
        lambda xml: xml.replace(b"<v>67890<", b"<v>67890.0<").replace(
            b"<v>11111<", b"<v>1.1111E4<"
        ),
    )
    sheet = read_allocations(path, ROSTER)
    assert [a.case_ref for a in sheet.allocations] == ["12345", "67890", "11111", "1.5"]


def test_an_xlsx_whose_recorded_size_is_wrong_is_still_read_in_full(tmp_path: Path) -> None:
    rows = [ALLOCATION_HEADER, ["bob@example.org", "CR1"], ["bob@example.org", "CR2"]]
    path = write_xlsx(tmp_path / "2021-05.xlsx", rows)
    rewrite_sheet_xml(
        path, lambda xml: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:A1"', xml)
    )
    sheet = read_allocations(path, ROSTER)
    assert sheet.problems == []
    assert [a.case_ref for a in sheet.allocations] == ["CR1", "CR2"]


def test_only_the_first_worksheet_of_an_xlsx_is_read(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "2021-05.xlsx", [ALLOCATION_HEADER, ["bob@example.org", "CR1"]])
    workbook = openpyxl.load_workbook(path)
    workbook.create_sheet("Notes").append(["nonsense", "Jane Smith"])
    workbook.save(path)
    sheet = read_allocations(path, ROSTER)
    assert sheet.problems == []
    assert sheet.allocations == (Allocation("bob@example.org", "CR1"),)


def test_an_xlsx_with_rows_missing_from_the_file_keeps_row_numbers(tmp_path: Path) -> None:
    path = tmp_path / "2021-05.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet["A1"], sheet["B1"] = "auditor_email", "case_ref"
    sheet["A7"], sheet["B7"] = "bob@example.org", "Jane Smith"
    workbook.save(path)
    assert places(read_allocations(path, ROSTER).problems) == [(7, "case_ref")]


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"this is not a zip",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512,  # an old .xls file renamed
        "zip without a workbook",
    ],
)
def test_a_damaged_xlsx_is_one_problem(tmp_path: Path, content: bytes | str) -> None:
    path = tmp_path / "roster.xlsx"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("hello.txt", content)
    sheet = read_roster(path)
    assert sheet.auditors == {}
    problem = only(sheet.problems)
    assert (problem.file, problem.row, problem.column) == (str(path), None, None)


def test_an_xlsx_with_a_damaged_worksheet_is_one_problem(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "2021-05.xlsx", [ALLOCATION_HEADER, ["bob@example.org", "CR1"]])
    rewrite_sheet_xml(path, lambda xml: xml[: len(xml) // 2])  # cut off mid-element
    sheet = read_allocations(path, ROSTER)
    assert sheet.allocations == ()
    assert only(sheet.problems).file == str(path)


# --- never raising ----------------------------------------------------------------------------

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
HEADERS = [",".join(ROSTER_HEADER), ",".join(ALLOCATION_HEADER), ",".join(COMPLETION_HEADER), ""]


def read_all(path: Path) -> None:
    """Reads the file as every kind of sheet, checking what comes out is clean."""
    roster = read_roster(path)
    allocations = read_allocations(path, {**ROSTER, **roster.auditors})
    completions = read_completions(path)
    for problem in (*roster.problems, *allocations.problems, *completions.problems):
        assert problem.file == str(path)
        assert problem.row is None or problem.row >= 1
    records: list[object] = [
        *roster.auditors.values(),
        *allocations.allocations,
        *completions.completions,
    ]
    for record in records:
        for value in vars(record).values():
            assert not (isinstance(value, str) and CONTROL.search(value))
    for allocation in allocations.allocations:
        assert DEFAULT_CASE_REF_PATTERN.fullmatch(allocation.case_ref)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(header=st.sampled_from(HEADERS), body=st.binary(max_size=400))
def test_arbitrary_bytes_as_a_csv_never_raise(
    tmp_path_factory: pytest.TempPathFactory, header: str, body: bytes
) -> None:
    path = tmp_path_factory.mktemp("bytes") / "2021-05.csv"
    path.write_bytes(header.encode() + b"\r\n" + body)
    read_all(path)


CELL = st.text(max_size=20) | st.sampled_from(["alice@example.org", "CR1", "2021-05-14", "yes", ""])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(header=st.sampled_from(HEADERS), rows=st.lists(st.lists(CELL, max_size=8), max_size=6))
def test_arbitrary_cell_text_in_a_csv_never_raises(
    tmp_path_factory: pytest.TempPathFactory, header: str, rows: list[list[str]]
) -> None:
    path = tmp_path_factory.mktemp("cells") / "2021-05.csv"
    write_csv(path, [header.split(","), *rows])
    read_all(path)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    header=st.sampled_from(HEADERS),
    rows=st.lists(
        st.lists(
            CELL.filter(lambda s: not ILLEGAL_CHARACTERS_RE.search(s))
            | st.integers()
            | st.floats(allow_nan=False, allow_infinity=False)
            | st.dates(),
            max_size=8,
        ),
        max_size=5,
    ),
)
def test_arbitrary_cell_values_in_an_xlsx_never_raise(
    tmp_path_factory: pytest.TempPathFactory, header: str, rows: list[list[object]]
) -> None:
    path = tmp_path_factory.mktemp("xlsx") / "2021-05.xlsx"
    write_xlsx(path, [header.split(","), *rows])
    read_all(path)


# --- size -------------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_10000_row_roster_and_a_30000_row_allocation_sheet_are_read_whole(
    tmp_path: Path,
) -> None:
    roster_rows = [ROSTER_HEADER] + [
        [
            f"Person {i}",
            f"person.{i}@example.org",
            f"Team {i % 40}",
            "hos@example.org",
            "",
            "",
            "yes",
        ]
        for i in range(10_000)
    ]
    roster_path = write_csv(tmp_path / "roster.csv", roster_rows)
    allocation_rows = [ALLOCATION_HEADER] + [
        [
            f"person.{i % 10_000}@example.org",
            f"CR/{100_000 + i}",
            ["case audit", "dip sample", ""][i % 3],
        ]
        for i in range(30_000)
    ]
    allocation_path = write_csv(tmp_path / "2021-05.csv", allocation_rows)

    roster = read_roster(roster_path)
    assert len(roster.auditors) == 10_000
    sheet = read_allocations(allocation_path, roster.auditors)
    assert len(sheet.allocations) == 30_000 and sheet.problems == []


# --- rows whose values are in the wrong columns ------------------------------------------


def test_a_stray_comma_is_one_problem_for_the_row_not_one_for_each_shifted_value(
    tmp_path: Path,
) -> None:
    header = ",".join(ROSTER_HEADER[:5])
    path = tmp_path / "roster.csv"
    path.write_text(
        f"{header}\n"
        "Alice Adams,alice@example.org,North,hos@example.org,Hana Hos\n"
        "Bob Brown,bob@example.org,South,,hos@example.org,Hana Hos\n"
    )
    sheet = read_roster(path)
    problem = only(sheet.problems)
    assert (problem.row, problem.column) == (3, None)
    assert problem.message.startswith("this row has 6 values but the header names 5 columns")
    assert "stray comma" in problem.message
    assert set(sheet.auditors) == {"alice@example.org"}


def test_a_row_too_short_to_reach_a_required_column_says_so(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(
        "name,email,team,head_of_service_email,role\n"
        "Alice Adams,alice@example.org,North,hos@example.org\n"  # the optional role left off
        "Bob Brown,bob@example.org South\n"
    )
    sheet = read_roster(path)
    problem = only(sheet.problems)
    assert (problem.row, problem.column) == (3, None)
    assert "this row has 2 values but the header names 5 columns" in problem.message
    assert set(sheet.auditors) == {"alice@example.org"}


def test_a_value_is_quoted_as_it_was_typed(write: Write) -> None:
    rows = [
        ROSTER_HEADER[:4],
        ["Alex Jones", "Alex Jones <Alex.Jones@Example.org>", "N", "hos@example.org"],
    ]
    problem = only(read_roster(write("roster", rows)).problems)
    assert problem.message == '"Alex Jones <Alex.Jones@Example.org>" is not an email address'


def test_allocations_wait_on_a_roster_with_problems_in_one_line(write: Write) -> None:
    rows = [ALLOCATION_HEADER, ["bob@example.org", "CR1"], ["dan@example.org", "CR2"],
            ["dan@example.org", "CR3"]]  # fmt: skip
    sheet = read_allocations(write("2021-05", rows), ROSTER, roster_complete=False)
    problem = only(sheet.problems)
    assert (problem.row, problem.column) == (None, "auditor_email")
    assert problem.message.startswith("2 rows name people not among the roster's usable rows")
    assert sheet.allocations == (Allocation("bob@example.org", "CR1"),)


def test_a_file_found_unreadable_part_way_gives_no_rows_at_all(tmp_path: Path) -> None:
    """Rows are read as they are used: a bad byte far down still throws the whole sheet
    away, as before, with the line it is on."""
    path = tmp_path / "roster.csv"
    good = "".join(f"P{i},p{i}@example.org,North,hos@example.org\n" for i in range(2000))
    path.write_bytes(b"name,email,team,head_of_service_email\n" + good.encode() + b"Z\xff,z\n")
    sheet = read_roster(path)
    assert sheet.auditors == {}
    assert [p.message for p in sheet.problems] == [
        "this file is not UTF-8 text (the first bad character is on line 2002): "
        'save it as "CSV UTF-8 (Comma delimited)" from Excel'
    ]


# --- themes and moderation sheets -----------------------------------------------------------


def test_the_themes_column_is_split_at_semicolons(write: Write) -> None:
    path = write(
        "completions",
        [
            [*COMPLETION_HEADER, "themes"],
            ["CR-1", "alice@example.org", "2021-05-03", "good", "voice of the child; plans ;"],
            ["CR-2", "alice@example.org", "2021-05-04", "good", ""],
        ],
    )
    sheet = read_completions(path)
    assert [c.themes for c in sheet.completions] == [("voice of the child", "plans"), ()]
    assert sheet.problems == []


MODERATION_HEADER = ["case_ref", "moderator_email", "moderated_grade", "moderated_on", "comment"]


def test_a_moderation_sheet_is_read_with_its_problems_placed(write: Write) -> None:
    path = write(
        "moderations",
        [
            MODERATION_HEADER,
            ["CR-1", "Mo@Example.org", "Requires improvement", "02/06/2021", "agree in part"],
            ["CR-2", "mo@example.org", "excellent", "2021-06-02", ""],
            ["CR-3", "mo@example.org", "", "2021-06-02", ""],
            ["Jane Smith", "not an address", "good", "yesterday", ""],
        ],
    )
    rows, problems = read_moderations(path)
    assert rows == [
        Moderated(
            "CR-1", "mo@example.org", Grade.REQUIRES_IMPROVEMENT, date(2021, 6, 2), "agree in part"
        )
    ]
    assert rows[0].row == 2 and rows[0].file == str(path)
    assert places(problems) == [
        (3, "moderated_grade"),
        (4, "moderated_grade"),
        (5, "case_ref"),
        (5, "moderator_email"),
        (5, "moderated_on"),
    ]
    assert '"excellent" is not a grade' in problems[0].message
    assert problems[1].message == "the moderated grade is empty"
    assert "Jane Smith" not in " ".join(p.message for p in problems)


def test_a_moderation_sheet_without_its_columns_gives_no_rows(write: Write) -> None:
    path = write("moderations", [MODERATION_HEADER[:2], ["CR-1", "mo@example.org"]])
    rows, problems = read_moderations(path)
    assert rows == []
    assert places(problems) == [(1, "moderated_grade"), (1, "moderated_on")]
