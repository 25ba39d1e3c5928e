"""What must never happen with data about children and staff: leaks, injection, loose files."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from sqlalchemy import MetaData, select

from bot.mail.message import OutgoingMail, UnsafeHeaderError
from tests.world import QA, SAM, World


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_store_and_the_maildirs_are_private_to_the_bot(tmp_path: Path) -> None:
    world = World.create(tmp_path / "council")
    world.write_allocations("2021-05", [(SAM[1], "CR-1001", "case_audit")])
    world.tick("2021-05-04T09:30")
    world.close()
    assert _mode(world.root / "var" / "bot.db") == 0o600
    for folder in ("outbox", "inbox"):
        for sub in ("", "new", "cur", "tmp"):
            assert _mode(world.root / "mail" / folder / sub) == 0o700
    sent = list((world.root / "mail" / "outbox" / "new").iterdir())
    assert sent and all(_mode(path) == 0o600 for path in sent)


@pytest.mark.parametrize("field", ["sender", "to", "cc", "subject", "key", "message_id"])
def test_a_newline_in_any_header_value_is_refused(field: str) -> None:
    values = {
        "key": "allocation/2021-05/sam@council.example",
        "sender": "bot@council.example",
        "to": ["sam@council.example"],
        "cc": [],
        "subject": "Your audits",
        "text": "t",
        "html": "h",
        "message_id": "<1.test@council.example>",
    }
    evil = "x@council.example\r\nBcc: everyone@elsewhere.example"
    values[field] = [evil] if field in ("to", "cc") else evil
    with pytest.raises(UnsafeHeaderError):
        OutgoingMail(**values)


def test_a_roster_name_carrying_headers_or_html_never_reaches_mail_as_such(tmp_path: Path) -> None:
    world = World.create(tmp_path / "council")
    world.write_roster(
        [("<b>Sam</b> <script>alert(1)</script>", SAM[1], "Team", "hana@council.example", "Hana")],
        extra_rows=[
            [
                "Eve\r\nBcc: x@evil.example",
                "eve@council.example",
                "Team",
                "hana@council.example",
                "Hana",
            ]
        ],
    )
    world.write_allocations("2021-05", [(SAM[1], "CR-1001", "case_audit")])
    world.tick("2021-05-04T09:30")
    mails = {m.key: m for m in world.new_mail()}
    allocation = mails[f"allocation/2021-05/{SAM[1]}"]
    assert "<script>" not in allocation.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in allocation.html
    (problems,) = [m for k, m in mails.items() if k.startswith("problems/")]
    assert problems.to == (QA,) and "x@evil.example" not in str(problems.message["Bcc"] or "")
    world.close()


def test_a_reply_carrying_html_is_escaped_when_forwarded_to_the_qa_team(tmp_path: Path) -> None:
    world = World.create(tmp_path / "council")
    world.write_allocations("2021-05", [(SAM[1], "CR-1001", "case_audit")])
    world.tick("2021-05-04T09:30")
    (allocation,) = [m for m in world.new_mail() if m.kind == "allocation"]
    world.reply(allocation, SAM[1], 'Which one is <img src=x onerror="alert(1)"> this?')
    world.tick("2021-05-05T09:30")
    forwarded = next(m for m in world.new_mail() if m.to == (QA,))
    assert "<img src=x" not in forwarded.html and "&lt;img src=x" in forwarded.html
    world.close()


def test_no_secret_reaches_the_store_or_the_logs(tmp_path, monkeypatch, caplog, standin) -> None:
    from tests.graph.test_app_on_graph import _graph_world, _run

    secret = "s3cret-value-that-must-not-leak"
    monkeypatch.setenv("AUDITBOT_CLIENT_SECRET", secret)
    standin.client_secret = secret
    world = _graph_world(tmp_path, standin)
    world.write_allocations("2021-05", [(SAM[1], "CR-1001", "case_audit")])
    with caplog.at_level("DEBUG"):
        result = _run(world, "tick", "--at", "2021-05-04T09:30")
    assert result.exit_code == 0, result.output
    assert secret not in caplog.text and secret not in result.output
    app = world.open()
    dumped = []
    metadata = MetaData()
    metadata.reflect(app.engine)
    with app.engine.connect() as connection:
        for table in metadata.sorted_tables:
            dumped += [repr(tuple(row)) for row in connection.execute(select(table))]
    world.close()
    assert dumped and not any(secret in row for row in dumped)
    assert not any(secret.encode() in p.read_bytes() for p in world.root.rglob("*") if p.is_file())
