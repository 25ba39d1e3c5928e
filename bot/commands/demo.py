"""`auditbot demo`: May 2021 in a scratch folder, day by day, in a few seconds.

The demo drives the real bot (config, sheets, store, planner, local maildir transport) the
way the scheduler would, one tick a day, then reads the sent mail back as a mail client would
and writes an HTML index of it. Nothing leaves the machine and nothing is needed online.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from rich.console import Console
from rich.table import Table
from rich.text import Text

from bot.app import App
from bot.commands import demo_data as data
from bot.commands.status_view import month_status
from bot.config import LocalMail, load_settings
from bot.core import calendar as cal
from bot.render import BUILTIN_TEMPLATES
from bot.store import repo
from bot.tick import tick

MARKER = ".auditbot-demo"
MARKER_TEXT = (
    "auditbot demo workspace\n"
    "Made by `auditbot demo`. Running the demo again deletes and recreates this folder,\n"
    "so keep nothing of your own in it.\n"
)
TICK_AT = (9, 30)  # local time of the one tick a day; mail is due from 09:00


@dataclass
class DayLog:
    """What happened on one simulated day besides the mail."""

    day: date
    late: list[str] = field(default_factory=list)  # auditors newly recorded as late
    problems: int = 0  # input problems the tick found


def run_demo(workspace: Path, console: Console, pause_on: date | None = None) -> None:
    """The whole month; or, with ``pause_on``, up to that day's tick, leaving the workspace's
    clock pinned there so that replies can be written in and ticked by hand."""
    if pause_on is not None and not data.FIRST_DAY <= pause_on <= data.LAST_DAY:
        console.print(
            Text("Demo not run: ", style="bold red")
            + Text(
                f"the demo runs from {data.FIRST_DAY} to {data.LAST_DAY}; pause on a day between."
            )
        )
        raise SystemExit(1)
    end = pause_on or data.LAST_DAY
    started = time.perf_counter()
    refusal = _prepare(workspace)
    if refusal:
        console.print(Text("Demo not run: ", style="bold red") + Text(refusal))
        raise SystemExit(1)
    data.write_inputs(workspace)
    settings = load_settings(workspace / "config.yaml")
    app = App.open(settings)
    try:
        logs = _simulate(app, workspace, end)
        states, totals = month_status(
            app, data.MONTH, datetime(end.year, end.month, end.day, *TICK_AT, tzinfo=settings.tz)
        )
    finally:
        app.close()
    # The demo writes its own config, always on the local transport.
    assert isinstance(settings.mail, LocalMail)
    mails = data.read_outbox(settings.mail.outbox, settings.tz)
    index = write_index(workspace, mails)
    if pause_on is not None:
        _pin_clock(workspace / "config.yaml", pause_on)
    elapsed = time.perf_counter() - started
    span = data.MONTH.title if pause_on is None else f"{data.FIRST_DAY:%-d %B} to {end:%-d %B %Y}"
    console.print(
        Text(
            f"{data.COUNCIL}: {span} simulated day by day, one tick a day at "
            f"{TICK_AT[0]:02d}:{TICK_AT[1]:02d}, in {elapsed:.1f} s. Nothing was really sent.",
            style="bold",
        )
    )
    console.print(_timeline(logs, mails))
    console.print(_status_table(states))
    console.print(Text("May 2021: " + ", ".join(f"{v} {k}" for k, v in totals.items())))
    console.print(Text(_mail_totals(mails)))
    _where_to_look(console, workspace, index, pause_on)


def _prepare(workspace: Path) -> str | None:
    """Make ``workspace`` a fresh demo folder, or say why it must be left alone."""
    if workspace.is_symlink() or (workspace.exists() and not workspace.is_dir()):
        return f"{workspace} exists and is not a plain folder; choose another with --workspace."
    if workspace.exists():
        resolved = workspace.resolve()
        precious = {Path.home().resolve(), Path.cwd().resolve(), *Path.cwd().resolve().parents}
        if resolved in precious:
            return (
                f"{workspace} is your home folder, the current folder or one of its parents; "
                "give the demo a folder of its own, e.g. --workspace demo-workspace."
            )
        marker = workspace / MARKER
        if _is_demo_marker(marker):
            shutil.rmtree(workspace)  # ours: made by an earlier run, with the marker to prove it
        elif any(workspace.iterdir()):
            return (
                f"{workspace} already exists and was not made by `auditbot demo` "
                f"(it has no {MARKER} file), so it is left as it is. Choose another folder "
                "with --workspace, or move this one out of the way yourself."
            )
    workspace.mkdir(parents=True, exist_ok=True)
    (workspace / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
    return None


def _is_demo_marker(marker: Path) -> bool:
    if marker.is_symlink() or not marker.is_file():
        return False
    try:
        return marker.read_text(encoding="utf-8").startswith(MARKER_TEXT.splitlines()[0])
    except (OSError, UnicodeDecodeError):
        return False


def _simulate(app: App, workspace: Path, last: date) -> list[DayLog]:
    """One tick a day from 1 May to ``last``, with the completions sheet as of that morning."""
    logs: list[DayLog] = []
    late_seen: set[str] = set()
    day = data.FIRST_DAY
    while day <= last:
        data.write_completions(workspace, day)
        now = datetime(day.year, day.month, day.day, *TICK_AT, tzinfo=app.settings.tz)
        try:
            report = tick(app, now)
        except Exception as exc:
            exc.add_note(f"auditbot demo: the tick for {day} failed")
            raise
        with app.engine.connect() as connection:
            outcomes = repo.load_outcomes(connection, data.MONTH)
        late = sorted(o.name for o in outcomes if o.late_on and o.email not in late_seen)
        late_seen |= {o.email for o in outcomes if o.late_on}
        logs.append(DayLog(day, late, len(report.problems)))
        day += timedelta(days=1)
    return logs


# ----- the HTML index -------------------------------------------------------------------------


def _slug(key: str) -> str:
    without_domains = re.sub(r"@[^/]+", "", key)
    return re.sub(r"[^a-z0-9]+", "-", without_domains.lower()).strip("-")[:80] or "mail"


def write_index(workspace: Path, mails: list[data.SentMail]) -> Path:
    """``mail/html/<n>-<slug>.html`` for each mail, and ``mail-index.html`` linking them."""
    html_dir = workspace / "mail" / "html"
    html_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for n, mail in enumerate(mails, start=1):
        name = f"{n:03d}-{_slug(mail.key)}.html"
        (html_dir / name).write_text(mail.html, encoding="utf-8")
        rows.append(
            {
                "n": n,
                "day": cal_label(mail.day),
                "iso": mail.sent.isoformat(),
                "time": f"{mail.sent:%H:%M}",
                "kind": mail.kind,
                "kind_class": _css_class(mail.kind),
                # A trailing reply reference, "[AUD-2021-05-...]", is shown apart and unbroken.
                "subject": _REFERENCE.sub("", mail.subject),
                "reference": m[1] if (m := _REFERENCE.search(mail.subject)) else "",
                "to": mail.to,
                "cc": mail.cc,
                "key": mail.key,
                "href": "mail/html/" + quote(name),
                "raw_href": quote(mail.path.relative_to(workspace).as_posix()),
            }
        )
    env = Environment(
        loader=FileSystemLoader(BUILTIN_TEMPLATES / "demo"),
        autoescape=True,  # every value comes from mail headers: escape all of it
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    kinds = Counter(m.kind for m in mails)
    page = env.get_template("mail-index.html").render(
        council=data.COUNCIL,
        month=data.MONTH.title,
        first=cal_label(data.FIRST_DAY),
        last=cal_label(data.LAST_DAY),
        rows=rows,
        kinds=[
            (k, _css_class(k), n) for k, n in sorted(kinds.items(), key=lambda i: _kind_order(i[0]))
        ],
    )
    index = workspace / "mail-index.html"
    index.write_text(page, encoding="utf-8")
    return index


_REFERENCE = re.compile(r"\s*(\[[^\[\]\s]+\])$")


def _css_class(kind: str) -> str:
    """``reminder stage 2`` -> ``reminder stage-2``: a class per kind and one per stage."""
    if kind.startswith("reminder stage "):
        return "reminder stage-" + kind.rsplit(" ", 1)[1]
    return kind.replace(" ", "-")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def cal_label(day: date) -> str:
    """``Tue 4 May``."""
    return f"{day:%a} {day.day} {day:%b}"


def _kind_order(kind: str) -> tuple[int, str]:
    order = ["allocation", "reminder", "close", "missing sheet", "sheet problems"]
    stem = next((k for k in order if kind.startswith(k)), kind)
    stage = re.search(r"stage (\d+)", kind)
    # Within reminders the most urgent (lowest stage) last, as they went out.
    rank = f"{99 - int(stage[1]):02d}" if stage else kind
    return (order.index(stem) if stem in order else len(order), rank)


# ----- the terminal ---------------------------------------------------------------------------


def _names() -> dict[str, str]:
    """Addresses the demo knows, so the timeline can speak of people."""
    names = {a.email: a.name for a in data.AUDITORS}
    for head in (data.PRIYA, data.GARETH, data.FIONA):
        names[head[1]] = f"{head[0]} (HoS)"
    names[data.QA_TEAM] = "QA team"
    names[data.DIRECTOR[1]] = f"{data.DIRECTOR[0]} (director)"
    return names


_KIND_STYLE = {
    "allocation": "cyan",
    "reminder stage 10": "yellow",
    "reminder stage 5": "yellow",
    "reminder stage 2": "dark_orange",
    "reminder stage 0": "bold red",
    "close": "magenta",
    "missing sheet": "bold red",
    "sheet problems": "bold red",
}


def _timeline(logs: list[DayLog], mails: list[data.SentMail]) -> Table:
    """Day | what kind of day or mail | who; quiet stretches folded into one dim row."""
    names = _names()
    by_day: dict[date, list[data.SentMail]] = {}
    for mail in mails:
        by_day.setdefault(mail.day, []).append(mail)
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True)
    grid.add_column(no_wrap=True)
    grid.add_column()
    quiet: list[DayLog] = []
    for log in [*logs, None]:  # None flushes the last quiet stretch
        holiday = cal.bank_holiday_name(log.day) if log else None
        if log and log.day not in by_day and not (holiday or log.late or log.problems):
            quiet.append(log)
            continue
        if quiet:
            weekend = all(q.day.weekday() >= 5 for q in quiet)
            kind = "weekend" if weekend else "no mail"
            detail = _arrivals(quiet, "no mail" if weekend else "")
            grid.add_row(_span(quiet[0].day, quiet[-1].day), Text(kind), detail, style="dim")
            quiet.clear()
        if log is None:
            break
        if holiday:
            detail = _arrivals([log], f"{holiday}, no mail")
            grid.add_row(_span(log.day, log.day), "bank holiday", detail, style="dim")
            continue
        day_mail = by_day.get(log.day, [])
        count = _plural(len(day_mail), "mail") if day_mail else "no mail"
        grid.add_row(_span(log.day, log.day), count, _arrivals([log]), style="bold")
        for mail in day_mail:
            who = Text("to " + ", ".join(names.get(a, a) for a in mail.to))
            if mail.cc:
                who.append(", cc " + ", ".join(names.get(a, a) for a in mail.cc), style="bold")
            grid.add_row("", Text(mail.kind, _KIND_STYLE.get(mail.kind, "")), who)
        for name in log.late:
            note = f"{name}: last audit came after the close; recorded as late, not counted"
            grid.add_row("", Text("late", "magenta"), note)
        if log.problems:
            grid.add_row("", Text("problems", "bold red"), f"{log.problems} found in the sheets")
    return grid


def _span(first: date, last: date) -> Text:
    """``Wed 5 May``, ``Wed 5 – Thu 13 May`` or ``Sat 29 May – Tue 1 Jun``."""
    if first == last:
        return Text(cal_label(first))
    start = cal_label(first) if first.month != last.month else f"{first:%a} {first.day}"
    return Text(f"{start} – {cal_label(last)}")


def _arrivals(run: list[DayLog], lead: str = "") -> Text:
    """``lead``, then the audits that reached the completions sheet on these days."""
    counts: Counter[str] = Counter()
    late = set()
    for log in run:
        for auditor, case in data.submissions_on(log.day):
            counts[auditor.name] += 1
            if case.submitted_on and case.submitted_on > cal.deadline(data.MONTH):
                late.add(auditor.name)
    text = Text(lead)
    if not counts:
        return text
    people = [
        f"{name}{f' ×{n}' if n > 1 else ''}{' (after the deadline)' if name in late else ''}"
        for name, n in counts.items()
    ]
    total = sum(counts.values())
    if lead:
        text.append(" · ")
    return text.append(f"{_plural(total, 'audit')} in: {', '.join(people)}", "green")


def _status_table(states: list[dict]) -> Table:
    table = Table(title=f"{data.MONTH.title} after the close", title_justify="left")
    for column in ("Auditor", "Team", "Cases", "Last reminder", "State"):
        table.add_column(column)
    colours = {"complete": "green", "missed": "red", "late": "magenta"}
    for s in states:
        stage = "" if s["reminded_stage"] is None else f"stage {s['reminded_stage']}"
        state = s["state"] + (f" ({cal_label(s['late_on'])})" if s["late_on"] else "")
        table.add_row(
            s["name"], s["team"], str(s["cases"]), stage, Text(state, colours.get(s["state"], ""))
        )
    return table


_TOTAL_NAMES = {
    "allocation": ("allocation", "allocations"),
    "allocation update": ("allocation update", "allocation updates"),
    "close": ("close mail", "close mails"),
    "digest": ("weekly digest", "weekly digests"),
    "missing sheet": ("missing-sheet warning", "missing-sheet warnings"),
    "sheet problems": ("sheet-problems report", "sheet-problems reports"),
}


def _mail_totals(mails: list[data.SentMail]) -> str:
    kinds = Counter(m.kind for m in mails)
    stages = sorted(
        ((int(k.rsplit(" ", 1)[1]), n) for k, n in kinds.items() if k.startswith("reminder")),
        reverse=True,
    )
    parts = []
    for kind, n in sorted(kinds.items(), key=lambda i: _kind_order(i[0])):
        if kind.startswith("reminder"):
            if stages:
                detail = ", ".join(f"{n} at stage {k}" for k, n in stages)
                copied = sum(1 for m in mails if m.cc)
                total = sum(n for _, n in stages)
                parts.append(f"{total} reminders ({detail}; {copied} copying a Head of Service)")
                stages = []
            continue
        one, many = _TOTAL_NAMES.get(kind, (kind, kind))
        parts.append(f"{n} {one if n == 1 else many}")
    return f"{len(mails)} mails: " + ", ".join(parts) + "."


def _pin_clock(config: Path, day: date) -> None:
    pinned = f"{day:%Y-%m-%d}T{TICK_AT[0]:02d}:{TICK_AT[1]:02d}"
    after = f"{day + timedelta(days=1):%Y-%m-%d}T{TICK_AT[0]:02d}:{TICK_AT[1]:02d}"
    with config.open("a", encoding="utf-8") as handle:
        handle.write(
            "\n# Paused by `auditbot demo --pause-on`: every command acts as at this time\n"
            f"# unless given --at. Tick on with e.g. `tick --at {after}`.\n"
            f'clock: "{pinned}"\n'
        )


def paused_commands(run: str, config: str) -> list[str]:
    """What to try in a paused workspace: the exemption chain, one reply and tick at a time."""
    auditor = next(a for a in data.AUDITORS if any(c.submitted_on is None for c in a.cases))
    head_name, _ = auditor.head
    director_name, _ = data.DIRECTOR
    at = f"{run} --config {config}"
    words = {
        auditor.name: "I have a final hearing all next week. Please can I be exempt this month?",
        head_name: "I support this.",
        director_name: "Approved.",
    }
    commands = [f"{at} status --month {data.MONTH}"]
    for who, text in words.items():
        # The Head of Service and the director answer the request itself, by its reference:
        # the first of the month, since the demo's month has none before it.
        about = "" if who == auditor.name else f" --about {data.MONTH_FIRST_REQUEST}"
        reply = f"{at} reply --from {shlex.quote(who)}{about} {shlex.quote(text)}"
        commands += [reply, f"{at} tick"]
    return commands


def _where_to_look(console: Console, workspace: Path, index: Path, pause_on: date | None) -> None:
    config = shlex.quote(str(workspace / "config.yaml"))
    console.print()
    console.print(Text("Read every mail in your browser:", style="bold"))
    console.print(Text("  " + index.resolve().as_uri()), soft_wrap=True)
    console.print(Text("Everything the demo made (config, sheets, store, raw mail):", "bold"))
    console.print(Text(f"  {workspace}{'' if str(workspace).endswith('/') else '/'}"))
    run = how_to_run()
    if pause_on is None:
        commands = [
            f"{run} --config {config} {c}" for c in (f"status --month {data.MONTH}", "check")
        ]
        console.print(Text("Next, try:", style="bold"))
    else:
        commands = paused_commands(run, config)
        console.print(
            Text(
                f"Paused on {pause_on:%A %-d %B %Y}: its clock is pinned there (see `clock:` in "
                "config.yaml). Walk an exemption request through, one reply and tick at a time. "
                "Next, try:",
                style="bold",
            )
        )
    for command in commands:
        console.print(Text(f"  {command}"), soft_wrap=True)
    console.print(Text(f"Run `{run} demo` again at any time: it rebuilds the folder.", "dim"))


def how_to_run() -> str:
    """The command as this process was started, so what the demo prints works as printed:
    ``.venv/bin/auditbot`` after ``make demo``, ``auditbot`` when it is on the PATH."""
    started = Path(sys.argv[0])
    if started.name == "__main__.py":  # python -m bot
        return f"{shlex.quote(sys.executable)} -m bot"
    if shutil.which(started.name) == str(started.resolve()) or started.parent == Path():
        return started.name
    try:
        return shlex.quote(os.path.relpath(started))
    except ValueError:  # another drive
        return shlex.quote(str(started))
