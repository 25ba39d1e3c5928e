"""`auditbot demo`, run through the command line as a new user would, then read like a person:
the terminal timeline, the HTML index in a browser, and the mail in the outbox maildir."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import date, datetime
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner, Result

from bot.commands import demo_data
from bot.commands.cli import main
from bot.commands.demo import write_index
from bot.commands.demo_data import SentMail
from bot.inputs.sheets import DEFAULT_CASE_REF_PATTERN

LONDON = ZoneInfo("Europe/London")
HEADS = {"priya.sharma@council.example", "gareth.evans@council.example",
         "fiona.campbell@council.example"}  # fmt: skip


def run_demo(workspace: Path) -> Result:
    return CliRunner().invoke(main, ["demo", "--workspace", str(workspace)])


def outbox(workspace: Path) -> list[EmailMessage]:
    folder = workspace / "mail" / "outbox"
    paths = sorted([*(folder / "new").iterdir(), *(folder / "cur").iterdir()])
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in paths]


def key(message: EmailMessage) -> str:
    return str(message["X-Audit-Bot-Key"])


def sent_on(message: EmailMessage) -> date:
    return message["Date"].datetime.astimezone(LONDON).date()


def addresses(message: EmailMessage, header: str) -> set[str]:
    value = message.get(header)
    return {a.addr_spec for a in value.addresses} if value else set()


class _Index(HTMLParser):
    """The mail rows and every link of the index page."""

    def __init__(self) -> None:
        super().__init__()
        self.rows = 0
        self.links: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.add(tag)
        if tag == "tr" and "mail" in (found.get("class") or "").split():
            self.rows += 1
        for name in ("href", "src"):
            if found.get(name):
                self.links.append(str(found[name]))


def read_index(workspace: Path) -> _Index:
    parser = _Index()
    parser.feed((workspace / "mail-index.html").read_text(encoding="utf-8"))
    return parser


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    workspace = tmp_path_factory.mktemp("demo") / "ws"
    return workspace, run_demo(workspace)


def test_the_demo_exits_cleanly_and_says_where_to_look(demo: tuple[Path, Result]) -> None:
    workspace, result = demo
    assert result.exit_code == 0, result.output
    assert (workspace / "mail-index.html").resolve().as_uri() in result.output
    assert f"--config {workspace / 'config.yaml'} status --month 2021-05" in result.output
    assert f"--config {workspace / 'config.yaml'} check" in result.output


def test_the_index_has_one_row_per_message_in_the_maildir(demo: tuple[Path, Result]) -> None:
    workspace, _ = demo
    messages = outbox(workspace)
    assert len(messages) > 30
    assert read_index(workspace).rows == len(messages)
    assert len(list((workspace / "mail" / "html").iterdir())) == len(messages)


def test_every_link_in_the_index_points_to_a_file_that_exists(demo: tuple[Path, Result]) -> None:
    workspace, _ = demo
    links = read_index(workspace).links
    assert len(links) == 2 * len(outbox(workspace))  # the mail's HTML and its raw message
    for link in links:
        assert not re.match(r"[a-z]+:", link), f"{link} leaves the workspace"
        assert (workspace / unquote(link)).is_file(), link


def test_the_index_is_self_contained_and_needs_no_javascript(demo: tuple[Path, Result]) -> None:
    workspace, _ = demo
    page = read_index(workspace)
    assert "script" not in page.tags
    assert "link" not in page.tags  # no external stylesheet
    assert not [x for x in page.links if x.startswith(("http:", "https:", "//"))]


def test_the_allocations_went_out_on_tuesday_4_may_not_the_bank_holiday(
    demo: tuple[Path, Result],
) -> None:
    workspace, _ = demo
    allocations = [m for m in outbox(workspace) if key(m).startswith("allocation/")]
    assert len(allocations) == len(demo_data.AUDITORS)
    assert {sent_on(m) for m in allocations} == {date(2021, 5, 4)}


def test_the_later_reminders_copy_the_auditors_head_of_service(demo: tuple[Path, Result]) -> None:
    workspace, _ = demo
    reminders = [m for m in outbox(workspace) if key(m).startswith("reminder/")]
    copied = [m for m in reminders if addresses(m, "Cc")]
    assert copied
    assert all(addresses(m, "Cc") <= HEADS for m in copied)
    assert {key(m).split("/")[2] for m in copied} == {"stage-2", "stage-0"}
    heads = {a.email: a.head[1] for a in demo_data.AUDITORS}
    for message in copied:
        (auditor,) = addresses(message, "To")
        assert addresses(message, "Cc") == {heads[auditor]}


def test_the_close_mails_are_dated_tuesday_1_june(demo: tuple[Path, Result]) -> None:
    workspace, _ = demo
    closes = [m for m in outbox(workspace) if key(m).startswith("close/2021-05/")]
    assert len(closes) == 4  # one per Head of Service and the QA summary
    assert {sent_on(m) for m in closes} == {date(2021, 6, 1)}
    assert all(m["Date"].datetime.astimezone(LONDON).time().hour == 9 for m in closes)


def test_the_timeline_mentions_both_bank_holidays(demo: tuple[Path, Result]) -> None:
    _, result = demo
    holidays = [line for line in result.output.splitlines() if "bank holiday" in line]
    assert any(line.startswith("Mon 3 May") for line in holidays)
    assert any(line.startswith("Mon 31 May") for line in holidays)
    assert "late" in result.output  # the submission a day after the deadline


def test_no_mail_puts_anything_but_a_case_reference_where_a_case_reference_goes(
    demo: tuple[Path, Result],
) -> None:
    workspace, _ = demo
    pattern = DEFAULT_CASE_REF_PATTERN
    seen: set[str] = set()
    for message in outbox(workspace):
        text = message.get_body(("plain",))
        html = message.get_body(("html",))
        assert text is not None and html is not None
        # Text parts list cases as "  REF  (Type)"; HTML parts in a monospace table cell.
        refs = re.findall(r"^  (.+?)  \([A-Z][a-z ]+\)$", text.get_content(), re.MULTILINE)
        cells = re.findall(r"monospace\">([^<]*)</td>", html.get_content())
        refs += [ref for cell in cells for ref in cell.split(", ") if ref]
        for ref in refs:
            assert pattern.fullmatch(ref), f"{ref!r} in {key(message)} is not a case reference"
        seen.update(refs)
    allocated = {c.ref for a in demo_data.AUDITORS for c in a.cases}
    assert seen == allocated  # every case went out, and so the check above was not vacuous


# Reply reference tokens ([AUD-2021-05-XXXXXXXX]) are random by design, so that nobody can
# guess one and forge a reply: they are the one thing allowed to differ between runs.
_TOKEN = re.compile(r"\b[A-Z]{3}-\d{4}-\d{2}(?:-\d+)?-[A-Z2-9]{8}\b")


def test_running_it_twice_gives_the_same_mail(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"

    def snapshot() -> tuple[list[tuple[str, ...]], str]:
        mail = sorted(
            (key(m), str(m["Date"]), str(m["Subject"]), str(m["To"]), str(m.get("Cc", "")),
             m.get_body(("html",)).get_content(), m.get_body(("plain",)).get_content())
            for m in outbox(workspace)
        )  # fmt: skip
        index = (workspace / "mail-index.html").read_text(encoding="utf-8")
        return [tuple(_TOKEN.sub("TOKEN", x) for x in m) for m in mail], _TOKEN.sub("TOKEN", index)

    assert run_demo(workspace).exit_code == 0
    first = snapshot()
    (workspace / "left-over.txt").write_text("from the first run")
    second_run = run_demo(workspace)
    assert second_run.exit_code == 0, second_run.output
    assert snapshot() == first
    assert not (workspace / "left-over.txt").exists()  # the folder was made anew


def test_it_refuses_to_delete_a_folder_it_did_not_make(tmp_path: Path) -> None:
    workspace = tmp_path / "my-work"
    workspace.mkdir()
    (workspace / "notes.txt").write_text("important")
    result = run_demo(workspace)
    assert result.exit_code == 1
    assert "not made by `auditbot demo`" in " ".join(result.output.split())
    assert [p.name for p in workspace.iterdir()] == ["notes.txt"]
    assert (workspace / "notes.txt").read_text() == "important"


def test_it_refuses_a_file_where_the_folder_should_be(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    workspace.write_text("a file")
    assert run_demo(workspace).exit_code != 0  # click refuses it before the demo starts
    assert workspace.read_text() == "a file"


def test_an_empty_folder_is_fine_to_use(tmp_path: Path) -> None:
    workspace = tmp_path / "empty"
    workspace.mkdir()
    assert run_demo(workspace).exit_code == 0
    assert (workspace / ".auditbot-demo").is_file()


def test_the_index_escapes_every_value(tmp_path: Path) -> None:
    raw = tmp_path / "mail" / "outbox" / "new" / "x.auditbot"
    raw.parent.mkdir(parents=True)
    raw.write_text("")
    hostile = SentMail(
        path=raw,
        key='reminder/2021-05/stage-2/"><script>alert(1)</script>@council.example',
        sent=datetime(2021, 5, 26, 9, 30, tzinfo=LONDON),
        subject="<img src=x onerror=alert(1)> & more",
        to=("<b>@council.example",),
        cc=(),
        html="<p>hello</p>",
    )
    page = write_index(tmp_path, [hostile]).read_text(encoding="utf-8")
    assert "<script>" not in page and "<img" not in page and "<b>" not in page
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; more" in page


def test_the_commands_the_demo_prints_work_as_printed(tmp_path: Path) -> None:
    """Run as a newcomer does after `make demo`: the console script from the project's venv."""
    import shlex
    import subprocess
    import sys

    script = Path(sys.executable).parent / "auditbot"
    workspace = tmp_path / "demo-workspace"
    shown = subprocess.run(
        [str(script), "demo", "--workspace", str(workspace)],
        capture_output=True, text=True, check=True, cwd=tmp_path,
    ).stdout  # fmt: skip
    after = shown.split("Next, try:", 1)[1].splitlines()
    commands = [line.strip() for line in after if line.startswith("  ") and "--config" in line]
    assert len(commands) == 2
    for command in commands:
        ran = subprocess.run(shlex.split(command), capture_output=True, text=True, cwd=tmp_path)
        assert ran.returncode == 0, (command, ran.stdout, ran.stderr)


def test_a_paused_demo_walks_an_exemption_request_through_as_printed(tmp_path: Path) -> None:
    """`demo --pause-on`, then each printed command in turn, as a newcomer would: the
    auditor asks, the Head of Service supports, the director approves, and nothing moves
    past the pinned day."""
    import shlex
    import subprocess
    import sys

    script = Path(sys.executable).parent / "auditbot"
    workspace = tmp_path / "demo-workspace"
    shown = subprocess.run(
        [str(script), "demo", "--workspace", str(workspace), "--pause-on", "2021-05-20"],
        capture_output=True, text=True, check=True, cwd=tmp_path,
    ).stdout  # fmt: skip
    assert "Paused on Thursday 20 May 2021" in shown
    after = shown.split("Next, try:", 1)[1].splitlines()
    commands = [line.strip() for line in after if line.startswith("  ") and "--config" in line]
    assert [c.split("--config", 1)[1].split()[1] for c in commands] == [
        "status", "reply", "tick", "reply", "tick", "reply", "tick"
    ]  # fmt: skip
    for command in commands:
        ran = subprocess.run(shlex.split(command), capture_output=True, text=True, cwd=tmp_path)
        assert ran.returncode == 0, (command, ran.stdout, ran.stderr)

    mail = outbox(workspace)
    assert max(sent_on(m) for m in mail) == date(2021, 5, 20)  # the clock stayed pinned
    outcome = [m for m in mail if key(m) == "exemption/EXM-2021-05-001/outcome"]
    assert len(outcome) == 1
    assert addresses(outcome[0], "To") == {"rachel.morgan@council.example"}
    assert "approved" in outcome[0].get_body(("plain",)).get_content().lower()
    assert (workspace / "mail" / "inbox" / ".Processed" / "cur").exists()

    daemon = subprocess.run(
        [str(script), "--config", str(workspace / "config.yaml"), "run"],
        capture_output=True, text=True, cwd=tmp_path, timeout=60,
    )  # fmt: skip
    assert daemon.returncode == 1
    assert "pins the clock to 2021-05-20 09:30" in daemon.stdout


def test_a_reply_is_written_only_for_someone_the_roster_knows(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    assert CliRunner().invoke(main, ["demo", "--workspace", str(workspace), "--pause-on",
                                     "2021-05-04"]).exit_code == 0  # fmt: skip
    config = str(workspace / "config.yaml")
    unknown = CliRunner().invoke(main, ["--config", config, "reply", "--from", "Nobody", "Hi"])
    assert unknown.exit_code == 1
    assert "nobody called 'Nobody' is in the roster or is the director" in unknown.output
    assert not any((workspace / "mail" / "inbox" / "new").iterdir())

    written = CliRunner().invoke(
        main, ["--config", config, "reply", "--from", "megan.lloyd@council.example", "Done!"]
    )
    assert written.exit_code == 0, written.output
    (path,) = (workspace / "mail" / "inbox" / "new").iterdir()
    reply = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    (allocation,) = [m for m in outbox(workspace) if key(m).startswith("allocation/2021-05/megan")]
    assert reply["In-Reply-To"] == allocation["Message-ID"]
    assert reply["Subject"] == f"RE: {allocation['Subject']}"
    assert reply["Date"].datetime == datetime(2021, 5, 4, 9, 30, tzinfo=LONDON)


def test_a_demo_cannot_pause_outside_its_month(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["demo", "--workspace", str(tmp_path / "ws"), "--pause-on", "2021-07-01"]
    )
    assert result.exit_code == 1
    assert "pause on a day between" in result.output
