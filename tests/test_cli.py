"""The command line as a QA officer uses it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from bot.commands.cli import main
from tests.world import SAM, World

SAM_EMAIL = SAM[1]


def _run(world: World, *args: str):
    return CliRunner().invoke(main, ["--config", str(world.config), *args])


def test_tick_at_a_local_time_reports_what_it_planned_and_does_nothing_twice(world: World) -> None:
    world.write_allocations("2021-05", [(SAM_EMAIL, "CR-1001", "case_audit")])
    first = _run(world, "tick", "--at", "2021-05-04T09:30")
    assert first.exit_code == 0, first.output
    assert f"planned allocation/2021-05/{SAM_EMAIL}" in first.output
    assert "planned not-allocated/2021-05" in first.output  # Alex and Kim: not in the sheet
    assert "2 planned, 2 sent" in first.output
    second = _run(world, "tick", "--at", "2021-05-04T09:30")
    assert "0 planned, 0 sent" in second.output


def test_status_json_gives_each_auditors_state_and_totals(world: World) -> None:
    world.write_allocations("2021-05", [(SAM_EMAIL, "CR-1001", "case_audit")])
    world.write_completions("2021-05", [])
    _run(world, "tick", "--at", "2021-05-04T09:30")
    _run(world, "tick", "--at", "2021-05-14T09:30")
    result = _run(world, "status", "--month", "2021-05", "--json")
    document = json.loads(result.output)
    (sam,) = document["auditors"]
    assert (sam["email"], sam["state"], sam["reminded_stage"], sam["cases"]) == (
        SAM_EMAIL,
        "outstanding",
        10,
        1,
    )
    assert document["totals"] == {"auditors": 1, "outstanding": 1}
    table = _run(world, "status", "--month", "2021-05")
    assert "Sam Patel" in table.output and "stage 10" in table.output


def test_check_names_file_row_and_column_and_exits_1(world: World) -> None:
    path = world.write_allocations("2021-05", [("stranger@council.example", "CR-1", "case_audit")])
    result = _run(world, "check")
    assert result.exit_code == 1
    assert f"{path}, row 2, column auditor_email" in " ".join(result.output.split())
    world.write_allocations("2021-05", [(SAM_EMAIL, "CR-1001", "case_audit")])
    assert _run(world, "check").exit_code == 0


def test_a_bad_config_is_reported_with_its_line_and_exit_code_1(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("mailbox: bot@council.example\nschedule: {send_time: '25:00'}\n")
    result = CliRunner().invoke(main, ["--config", str(config), "tick"])
    assert result.exit_code == 1
    assert "line 2, field schedule.send_time" in " ".join(result.output.split())


def test_the_daemon_ticks_and_stops_cleanly_on_sigterm(world: World) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "--config", str(world.config), "run"],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        deadline = time.monotonic() + 30
        lines = []
        while time.monotonic() < deadline:
            line = process.stderr.readline()
            lines.append(line)
            if "tick:" in line:
                break
        assert any("tick:" in line for line in lines), lines
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
    finally:
        process.kill()


CORPUS = Path(__file__).parent / "replies" / "corpus"


def test_parse_email_prints_one_json_object_per_file_in_order(tmp_path: Path) -> None:
    reply = tmp_path / "reply.eml"
    reply.write_bytes(
        b"From: Hana <hana@council.example>\r\nTo: bot@council.example\r\n"
        b"Subject: RE: Exemption request [EXM-2021-05-001-K7M3Q9XA]\r\n\r\n"
        b"Not approved, sorry: we need Sam's audits this month.\r\n\r\n"
        b"-----Original Message-----\r\nFrom: Audit bot\r\nI support this request.\r\n"
    )
    out_of_office = CORPUS / "sisimai_set-of-emails" / "rfc3834-02.eml"
    result = CliRunner().invoke(main, ["parse-email", "--json", str(reply), str(out_of_office)])
    assert result.exit_code == 0, result.output
    first, second = (json.loads(line) for line in result.output.splitlines())
    assert first["file"] == str(reply)
    assert (first["kind"], first["intent"], first["reference"]) == (
        "reply",
        "decline",
        "EXM-2021-05-001-K7M3Q9XA",
    )
    assert first["body"] == "Not approved, sorry: we need Sam's audits this month."
    assert (second["kind"], second["intent"]) == ("auto_reply", None)


def test_parse_email_reads_as_the_role_given_with_cases_dates_and_names(tmp_path: Path) -> None:
    reply = tmp_path / "reply.eml"
    reply.write_bytes(
        b"From: Helen <helen@council.example>\r\nTo: bot@council.example\r\n"
        b"Subject: RE: Exemption request [EXM-2021-05-001-K7M3Q9XA]\r\n\r\n"
        b"Approve CR-104305 only, given Jayden Smith's hearing; an extension to the 4th for "
        b"CR-104311.\r\n"
    )
    result = CliRunner().invoke(
        main,
        ["--config", str(tmp_path / "none.yaml"), "parse-email", "--json", "--as", "director",
         "--today", "2021-05-20", str(reply)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    read = json.loads(result.output)
    assert (read["intent"], read["read_as"], read["acted_on_as"]) == (
        "approve_partial",
        "director",
        "unknown",  # the shell does not decide part of a request yet: a person does
    )
    assert read["cases"] == ["CR-104305", "CR-104311"]
    assert read["until"] == "2021-06-04"
    assert read["child_names_masked"] == 1
    assert "Jayden" not in read["masked_body"] and "Jayden" in read["body"]
    assert 0 < read["confidence"] <= 1 and isinstance(read["alternatives"], list)


def test_parse_email_finds_the_role_from_the_roster_and_who_is_named(tmp_path: Path) -> None:
    reply = tmp_path / "reply.eml"
    reply.write_bytes(
        b"From: Hana Ahmed <hana.ahmed@council.example>\r\nTo: bot@council.example\r\n"
        b"Subject: Exemption\r\n\r\nPlease exempt Alex this month - he's in court all week.\r\n"
    )
    result = CliRunner().invoke(main, ["parse-email", "--json", str(reply)])
    assert result.exit_code == 0, result.output
    read = json.loads(result.output)
    assert (read["read_as"], read["intent"], read["on_behalf_of"]) == (
        "head_of_service",
        "exemption_request_on_behalf",
        "alex.jones@council.example",
    )


def test_requests_lists_each_request_with_its_state_and_flags(world: World) -> None:
    world.write_allocations("2021-05", [(SAM_EMAIL, "CR-1001", "case_audit")])
    world.tick("2021-05-04T09:30")
    world.write_in(SAM_EMAIL, "Exemption", "Can I be exempted this month? I'm signed off sick.")
    world.tick("2021-05-27T09:30")
    world.close()
    result = _run(world, "requests", "--month", "2021-05", "--json")
    (row,) = [json.loads(line) for line in result.output.splitlines()]
    assert (row["ref"], row["state"], row["reason"]) == (
        "EXM-2021-05-001",
        "awaiting_head",
        "absence",
    )
    assert row["flags"] == ["after allocation", "last week"]
    table = _run(world, "requests")
    assert "EXM-2021-05-001" in table.output and "1 request" in table.output
    header = next(line for line in table.output.splitlines() if "Ref" in line)
    names = [w for w in header.replace("┃", " ").split() if w]
    assert names == ["Ref", "Auditor", "Month", "Reason", "Flags", "State", "Earlier"]
    row = next(line for line in table.output.splitlines() if "EXM-2021-05-001" in line)
    assert header.index("Reason") == row.index("absence")  # each value under its heading


def test_doctor_passes_a_healthy_deployment_and_names_what_to_fix(world: World) -> None:
    world.write_allocations("2021-05", [(SAM_EMAIL, "CR-1001", "case_audit")])
    _run(world, "tick", "--at", "2021-05-04T09:30")
    healthy = _run(world, "doctor")
    assert healthy.exit_code == 0, healthy.output
    assert "migrated" in healthy.output and "roster and sheets are valid" in healthy.output
    override = world.root / "my-templates"
    (override / "reminder").mkdir(parents=True)
    (override / "reminder" / "subjet.txt").write_text("typo")
    world.config.write_text(world.config.read_text() + "templates: my-templates\n")
    warned = _run(world, "doctor")
    assert "override files that replace nothing: reminder/subjet.txt" in warned.output
    world.config.write_text("mailbox: [broken\n")
    assert _run(world, "doctor").exit_code == 1


def test_doctor_checks_the_disk_of_a_graph_deployment_too(world: World) -> None:
    graph = (
        "mail: {transport: graph, tenant_id: t, client_id: c, mailbox: audit-bot@council.example}"
    )
    text = world.config.read_text()
    world.config.write_text(
        "\n".join(graph if line.startswith("mail:") else line for line in text.splitlines())
    )
    result = _run(world, "doctor")
    disk = [line for line in result.output.splitlines() if "free under" in line]
    assert disk and str(world.root) in result.output, result.output
    assert "AttributeError" not in result.output


def test_a_local_time_the_clocks_skipped_is_refused_and_one_they_repeated_is_explained(
    world: World,
) -> None:
    skipped = _run(world, "tick", "--at", "2021-03-28T01:30")
    assert skipped.exit_code == 2
    assert "2021-03-28 01:30 did not happen in Europe/London" in " ".join(skipped.output.split())
    repeated = _run(world, "tick", "--at", "2021-10-31T01:30")
    assert repeated.exit_code == 0, repeated.output
    assert (
        "2021-10-31 01:30 happened twice in Europe/London (the clocks went back); taking the "
        "first, 01:30 BST (UTC+0100)." in " ".join(repeated.output.split())
    )


def test_a_tick_earlier_than_the_last_one_is_refused_unless_forced(world: World) -> None:
    world.write_allocations("2021-05", [(SAM_EMAIL, "CR-1001", "case_audit")])
    assert _run(world, "tick", "--at", "2021-05-14T09:30").exit_code == 0
    back = _run(world, "tick", "--at", "2021-05-04T09:30")
    assert back.exit_code == 1
    assert (
        "Not ticking: the last tick acted as 2021-05-14 09:30 BST, later than 2021-05-04 09:30 BST"
        in " ".join(back.output.split())
    )
    assert "planned" not in back.output
    forced = _run(world, "tick", "--at", "2021-05-04T09:30", "--force")
    assert forced.exit_code == 0, forced.output


def test_check_reports_a_bad_roster_row_once_not_in_every_allocation_row(world: World) -> None:
    world.write_allocations("2021-05", [(SAM_EMAIL, "CR-1001", "case_audit"),
                                        (SAM_EMAIL, "CR-1002", "case_audit")])  # fmt: skip
    roster = world.root / "roster.csv"
    roster.write_text(roster.read_text().replace(SAM_EMAIL, SAM_EMAIL.replace("@", " AT ")))
    result = _run(world, "check")
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith("✗")]
    assert len(lines) == 2, result.output
    assert "is not an email address" in lines[0] and "roster.csv, row" in lines[0]
    assert "2 rows name people not among the roster's usable rows" in lines[1]
