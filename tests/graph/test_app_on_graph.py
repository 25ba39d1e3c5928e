"""The bot as a user runs it, with `transport: graph` in config.yaml, against the stand-in."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

from bot.commands.cli import main
from bot.store.schema import notes
from tests.graph.standin import GraphStandIn
from tests.world import SAM, World, build_new, build_reply, parse_landed


def _graph_world(tmp_path: Path, standin: GraphStandIn) -> World:
    world = World.create(tmp_path / "council")
    text = (
        world.config.read_text()
        .replace("audit-bot@council.example", standin.mailbox.address)
        .replace(
            "mail: {transport: local, outbox: mail/outbox, inbox: mail/inbox}",
            "mail:\n"
            "  transport: graph\n"
            f"  tenant_id: {standin.tenant_id}\n"
            f"  client_id: {standin.client_id}\n"
            f"  mailbox: {standin.mailbox.address}\n"
            f"  graph_url: {standin.graph_url}\n"
            f"  authority: {standin.authority}\n"
            "  require_internal_sender: false\n",
        )
    )
    world.config.write_text(text)
    return world


def _run(world: World, *args: str):
    return CliRunner().invoke(main, ["--config", str(world.config), *args])


def test_check_connection_reports_each_step_against_the_tenant(tmp_path, standin) -> None:
    world = _graph_world(tmp_path, standin)
    result = _run(world, "check-connection")
    assert result.exit_code == 0, result.output
    assert "✓ credentials" in result.output and "✓ token" in result.output


def test_a_tick_on_graph_sends_the_allocation_with_its_key_once(tmp_path, standin) -> None:
    world = _graph_world(tmp_path, standin)
    world.write_allocations("2021-05", [(SAM[1], "CR-1001", "case_audit")])
    first = _run(world, "tick", "--at", "2021-05-04T09:30")
    assert first.exit_code == 0, first.output
    # Sam's allocation, and the QA team told once of the two auditors the sheet leaves out.
    assert "2 planned, 2 sent" in first.output
    assert _run(world, "tick", "--at", "2021-05-04T09:35").exit_code == 0
    sent = {str(m["X-Audit-Bot-Key"]): m for m in standin.sent()}
    assert sorted(sent) == [f"allocation/2021-05/{SAM[1]}", "not-allocated/2021-05"]
    assert "[AUD-2021-05-" in str(sent[f"allocation/2021-05/{SAM[1]}"]["Subject"])


def test_on_reminder_days_mailtips_tell_the_copied_head_of_service(tmp_path, standin) -> None:
    world = _graph_world(tmp_path, standin)
    world.write_allocations("2021-05", [(SAM[1], "CR-1001", "case_audit")])
    assert _run(world, "tick", "--at", "2021-05-04T09:30").exit_code == 0
    standin.automatic_replies[SAM[1]] = "I am on leave until 1 June."
    assert _run(world, "tick", "--at", "2021-05-14T09:30").exit_code == 0  # stage 10: not copied
    result = _run(world, "tick", "--at", "2021-05-26T09:30")  # stage 2: Head of Service copied
    assert result.exit_code == 0, result.output
    by_key = {str(m["X-Audit-Bot-Key"]): m for m in standin.sent()}
    stage_2 = by_key[f"reminder/2021-05/stage-2/{SAM[1]}"].get_body(("plain",)).get_content()
    assert "Sam Patel has automatic replies on (out of office)" in " ".join(stage_2.split())
    stage_10 = by_key[f"reminder/2021-05/stage-10/{SAM[1]}"].get_body(("plain",)).get_content()
    assert "automatic replies" not in stage_10
    # The store remembers it, for the digest: on both reminder days Sam was away.
    with world.open().engine.connect() as connection:
        kinds = connection.execute(select(notes.c.auditor_email, notes.c.kind)).all()
    world.close()
    assert kinds == [(SAM[1], "out_of_office"), (SAM[1], "out_of_office")]


def test_the_purge_deletes_filed_mail_from_the_mailbox_for_good(tmp_path, standin) -> None:
    world = _graph_world(tmp_path, standin)
    world.write_allocations("2021-05", [(SAM[1], "CR-1001", "case_audit")])
    assert _run(world, "tick", "--at", "2021-05-04T09:30").exit_code == 0
    (allocation,) = [m for m in standin.sent() if "allocation/" in str(m["X-Audit-Bot-Key"])]
    standin.deliver(
        build_reply(parse_landed(allocation.as_bytes()), SAM[1], "All done, submitted today.")
    )
    standin.deliver(build_new("stranger@elsewhere.example", "Hello", "Please buy my voucher."))
    assert _run(world, "tick", "--at", "2021-05-06T10:00").exit_code == 0
    filed = {name: len(standin.mailbox.in_folder(name)) for name in ("Processed", "Quarantine")}
    assert filed == {"Processed": 1, "Quarantine": 1}

    # Three months on the quarantined message goes; a year on the processed one too.
    assert _run(world, "tick", "--at", "2021-08-09T09:30").exit_code == 0
    assert standin.mailbox.in_folder("Quarantine") == []
    assert len(standin.mailbox.in_folder("Processed")) == 1
    assert _run(world, "tick", "--at", "2022-05-09T09:30").exit_code == 0
    assert standin.mailbox.in_folder("Processed") == []
    # For good: nothing left in Deleted Items either, and the sent mail is Exchange's to keep.
    assert standin.mailbox.in_folder("deleteditems") == []
    assert standin.sent()
    deletes = [s for s in standin.graph_requests() if s.path.endswith("/permanentDelete")]
    assert [s.status for s in deletes] == [204, 204]


def test_an_erasure_deletes_their_filed_mail_from_the_mailbox_too(tmp_path, standin) -> None:
    world = _graph_world(tmp_path, standin)
    world.write_allocations("2021-05", [(SAM[1], "CR-1001", "case_audit")])
    assert _run(world, "tick", "--at", "2021-05-04T09:30").exit_code == 0
    (allocation,) = [m for m in standin.sent() if "allocation/" in str(m["X-Audit-Bot-Key"])]
    standin.deliver(
        build_reply(parse_landed(allocation.as_bytes()), SAM[1], "All done, submitted today.")
    )
    standin.deliver(build_new("stranger@elsewhere.example", "Hello", "Please buy my voucher."))
    assert _run(world, "tick", "--at", "2021-05-06T10:00").exit_code == 0
    erased = _run(world, "person", SAM[1], "--erase", "--yes")
    assert erased.exit_code == 0, erased.output
    assert standin.mailbox.in_folder("Processed") == []
    assert len(standin.mailbox.in_folder("Quarantine")) == 1  # the stranger's is not Sam's
