"""`auditbot digest` and `auditbot report` as the QA team runs them."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from bot.commands.cli import main
from tests.digest.council import build


def test_digest_previews_without_sending_and_report_writes_both_files(tmp_path: Path) -> None:
    world = build(tmp_path / "council")
    world.close()
    before = sorted(p.name for p in (world.root / "mail" / "outbox" / "new").iterdir())
    runner = CliRunner()
    config = ["--config", str(world.config)]
    text = runner.invoke(main, [*config, "digest", "--at", "2021-05-10T09:30"])
    assert text.exit_code == 0, text.output
    assert "Dear Dana," in text.output
    assert "the week of Monday 10 May 2021" in " ".join(text.output.split())
    assert "50% of auditors complete: 1 of 2 (the 1 exempted left out)" in text.output
    assert "audit trail" not in text.output  # the trail's hash is in the QA team's copy
    qa = runner.invoke(main, [*config, "digest", "--qa-copy", "--at", "2021-05-10T09:30"])
    assert qa.exit_code == 0, qa.output
    assert "This is the QA team's copy" in qa.output
    assert "the newest event in the audit trail was number" in " ".join(qa.output.split())
    page = tmp_path / "digest.html"
    written = runner.invoke(
        main, [*config, "digest", "--at", "2021-05-10T09:30", "--to-file", str(page)]
    )
    assert written.exit_code == 0, written.output
    html = page.read_text()
    assert html.count("data:image/png;base64,") == 3 and "cid:" not in html
    out = tmp_path / "reports"
    made = runner.invoke(main, [*config, "report", "--month", "2021-05", "--out", str(out)])
    assert made.exit_code == 0, made.output
    assert sorted(p.name for p in out.iterdir()) == ["report-2021-05.html", "report-2021-05.xlsx"]
    after = sorted(p.name for p in (world.root / "mail" / "outbox" / "new").iterdir())
    assert after == before  # previews and reports send nothing
