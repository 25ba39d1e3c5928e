"""The command line: parse, call one function, print."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import click
from rich.console import Console
from rich.table import Table

from bot.config import ConfigError, Settings, load_settings
from bot.core.records import Auditor, Month
from bot.core.replies.model import Role

if TYPE_CHECKING:
    from bot.app import App

console = Console(soft_wrap=True)  # one problem per line, greppable, even in a pipe


def _settings(ctx: click.Context) -> Settings:
    try:
        return load_settings(ctx.obj["config"])
    except ConfigError as exc:
        console.print(f"[red]Config error[/red]\n{exc}", markup=True, highlight=False)
        sys.exit(1)  # the input is wrong, as for sheets; 2 is click's "the command is wrong"


def _open_app(settings: Settings) -> App:
    # Imported here: the store and the mail transports are not needed by `check`, which
    # should read a big roster in as little memory as it can.
    from bot.app import App

    return App.open(settings)


def _parse_at(value: str | None, settings: Settings) -> datetime:
    """The moment a command acts as: ``--at``, else the config's pinned clock, else now."""
    if value is None:
        if settings.clock is not None:
            return _wall_clock(settings.clock, settings.tz)
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a time like 2021-05-14T09:30") from None
    if moment.tzinfo is None:  # a wall-clock time in the council's zone
        moment = _wall_clock(moment, settings.tz)
    return moment


def _wall_clock(naive: datetime, tz: ZoneInfo) -> datetime:
    """A local time as people mean it: refused if the clocks skipped it, the first of the
    two if they went back over it (said so)."""
    first = naive.replace(tzinfo=tz, fold=0)
    if first.utcoffset() == naive.replace(tzinfo=tz, fold=1).utcoffset():
        return first
    if first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive:
        raise click.BadParameter(
            f"{naive:%Y-%m-%d %H:%M} did not happen in {tz.key}: the clocks went forward "
            "that night. Choose a time an hour later."
        )
    console.print(
        f"{naive:%Y-%m-%d %H:%M} happened twice in {tz.key} (the clocks went back); "
        f"taking the first, {first:%H:%M %Z} (UTC{first:%z}).",
        highlight=False,
    )
    return first


@click.group()
@click.option(
    "--config",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("config.yaml"),
    show_default=True,
    help="The bot's config file.",
)
@click.pass_context
def main(ctx: click.Context, config: Path) -> None:
    """Runs the monthly case-audit cycle by email."""
    ctx.obj = {"config": config}


@main.command()
@click.option("--at", "at", metavar="TIME", help="Local time to act as, e.g. 2021-05-14T09:30.")
@click.option("--force", is_flag=True, help="Tick even at a time before the last tick.")
@click.pass_context
def tick(ctx: click.Context, at: str | None, force: bool) -> None:
    """One pass: everything due at that time, and nothing else."""
    from bot.store.repo import last_tick
    from bot.tick import tick as run_tick

    settings = _settings(ctx)
    moment = _parse_at(at, settings)
    app = _open_app(settings)
    try:
        with app.engine.connect() as connection:
            last = last_tick(connection)
        if last is not None and moment < last and not force:
            stamp = "%Y-%m-%d %H:%M %Z"
            console.print(
                f"Not ticking: the last tick acted as {last.astimezone(settings.tz):{stamp}}, "
                f"later than {moment.astimezone(settings.tz):{stamp}}. Going back in time can "
                "plan mail for moments already past; add --force to tick anyway.",
                highlight=False,
            )
            sys.exit(1)
        report = run_tick(app, moment)
    finally:
        app.close()
    if report.follower:
        console.print("another instance is ticking; nothing done", highlight=False)
    for key in report.planned:
        console.print(f"planned {key}", highlight=False)
    for month in report.closed:
        console.print(f"closed {month}", highlight=False)
    console.print(
        f"{report.at:%Y-%m-%d %H:%M %Z}: {len(report.planned)} planned, "
        f"{report.drained.sent} sent, {len(report.skipped)} skipped, "
        f"{len(report.problems)} input problems",
        highlight=False,
    )


@main.command()
@click.pass_context
def run(ctx: click.Context) -> None:
    """The daemon: a tick every few minutes until SIGTERM or Ctrl-C."""
    from bot.scheduler import run_forever

    settings = _settings(ctx)
    if settings.clock is not None:
        console.print(
            f"Not running: {settings.config_path} pins the clock to "
            f"{settings.clock:%Y-%m-%d %H:%M} (`clock:`), for trying things out. "
            "Use `tick` there, or remove the `clock:` line to run for real.",
            highlight=False,
        )
        sys.exit(1)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    app = _open_app(settings)
    try:
        run_forever(app)
    finally:
        app.close()


@main.command()
@click.pass_context
def check(ctx: click.Context) -> None:
    """Validate config, roster and sheets; exit 1 if anything is wrong."""
    from bot.commands.checks import check_inputs, roster_to_confirm

    settings = _settings(ctx)
    problems = check_inputs(settings)
    to_confirm = roster_to_confirm(settings)
    for problem in problems:
        console.print(f"[red]✗[/red] {problem}", highlight=False)
    for entry in to_confirm:
        console.print(f"[yellow]?[/yellow] to confirm: {entry}", highlight=False)
    entries = "entry" if len(to_confirm) == 1 else "entries"
    confirm = f"{len(to_confirm)} roster {entries} to confirm"
    if problems:
        found = f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found"
        console.print(f"{found}{'; ' + confirm if to_confirm else ''}.")
        sys.exit(1)
    if to_confirm:
        console.print(f"Readable and valid, with {confirm}: correct them, or confirm them.")
        sys.exit(1)
    console.print("[green]✓[/green] config, roster and sheets are all readable and valid.")


@main.command()
@click.option("--month", "month_text", metavar="YYYY-MM", help="Default: the current month.")
@click.option("--json", "as_json", is_flag=True, help="One JSON document instead of a table.")
@click.pass_context
def status(ctx: click.Context, month_text: str | None, as_json: bool) -> None:
    """Each auditor's state for a month, and totals."""
    from bot.commands.status_view import month_status_and_close

    settings = _settings(ctx)
    now = _parse_at(None, settings)
    try:
        month = (
            Month.parse(month_text) if month_text else Month.of(now.astimezone(settings.tz).date())
        )
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--month") from None
    app = _open_app(settings)
    try:
        states, totals, close = month_status_and_close(app, month, now)
    finally:
        app.close()
    if as_json:
        document = {"month": str(month), "close": close, "auditors": states, "totals": totals}
        print(json.dumps(document, default=str))
        return
    shown = {"open": "", "provisional": " (closed: provisional)", "final": " (closed: final)"}
    table = Table(title=f"Audits for {month.title}{shown[close]}")
    for column in ("Auditor", "Team", "Cases", "Allocated", "Reminded", "State"):
        table.add_column(column)
    for s in states:
        stage = "" if s["reminded_stage"] is None else f"stage {s['reminded_stage']}"
        table.add_row(
            f"{s['name']} <{s['email']}>",
            s["team"],
            str(s["cases"]),
            "yes" if s["allocated"] else "no",
            stage,
            s["state"] + (f", extended to {s['extended_to']}" if s["extended_to"] else ""),
        )
    console.print(table)
    console.print("  ".join(f"{k}: {v}" for k, v in totals.items()), highlight=False)


@main.command()
@click.option(
    "--workspace",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("demo-workspace"),
    show_default=True,
    help="Folder for the demo's config, sheets, store and mail (made anew).",
)
@click.option(
    "--pause-on",
    metavar="YYYY-MM-DD",
    help="Stop after that day's tick, with the workspace's clock pinned there, to try replies.",
)
def demo(workspace: Path, pause_on: str | None) -> None:
    """A whole month simulated in seconds, with every mail to read in a browser."""
    from datetime import date

    from bot.commands.demo import run_demo

    try:
        day = date.fromisoformat(pause_on) if pause_on else None
    except ValueError:
        raise click.BadParameter(f"{pause_on!r} is not a date like 2021-05-20") from None
    run_demo(workspace, console, day)


@main.command()
@click.option(
    "--from", "who", required=True, metavar="WHO", help="A name or address in the roster."
)
@click.option("--subject", help="Write a new mail with this subject instead of a reply.")
@click.option("--about", metavar="REF", help="Answer the latest mail naming REF, e.g. a request.")
@click.argument("text")
@click.pass_context
def reply(ctx: click.Context, who: str, text: str, subject: str | None, about: str | None) -> None:
    """Write a reply into the local inbox as WHO, answering the latest mail they received;
    the next tick reads it. For the demo and rehearsals: nothing is sent anywhere."""
    from bot.commands.reply_as import ReplyNotWrittenError, write_reply

    settings = _settings(ctx)
    try:
        path, written = write_reply(settings, who, text, _parse_at(None, settings), subject, about)
    except ReplyNotWrittenError as exc:
        console.print(f"Not written: {exc}.", highlight=False)
        sys.exit(1)
    console.print(f"wrote {path}: {written!r}; run `tick` to have it read", highlight=False)


READ_AS = ("auditor", "head_of_service", "director", "qa_team", "outsider")
_SHOWN = (
    "kind", "intent", "read_as", "confidence", "alternatives", "reason", "cases", "until",
    "on_behalf_of", "child_names_masked", "reference", "month", "sender", "malformed",
)  # fmt: skip


@main.command("parse-email")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--json", "as_json", is_flag=True, help="One JSON object per line, with a file field."
)
@click.option("--today", metavar="YYYY-MM-DD", help="The date to read 'next month' against.")
@click.option(
    "--as",
    "role",
    type=click.Choice(READ_AS),
    help="Who wrote it. Default: found from the config's roster when it can be read.",
)
@click.pass_context
def parse_email(
    ctx: click.Context, files: tuple[Path, ...], as_json: bool, today: str | None, role: str | None
) -> None:
    """Analyse RFC 5322 messages without acting on them."""
    from datetime import date

    from bot.core.replies import analyse, analysis_as_json

    day = date.fromisoformat(today) if today else datetime.now(UTC).date()
    people = _people(ctx)
    failed = False
    for path in files:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            console.print(f"[red]{path}: cannot read: {exc.strerror}[/red]", highlight=False)
            failed = True
            continue
        sender_role = Role(role) if role else people.role_of(analyse(raw, today=day).sender)
        analysis = analyse(
            raw, today=day, role=sender_role, roster=people.roster, staff=people.staff
        )
        result = {"file": str(path), **analysis_as_json(analysis)}
        result["read_as"] = sender_role.value if sender_role else None
        if as_json:
            print(json.dumps(result, ensure_ascii=False))
            continue
        console.print(f"[bold]{path}[/bold]", highlight=False)
        for field in _SHOWN:
            console.print(f"  {field:<13} {result.get(field)}", highlight=False, markup=False)
        body = str(result.get("masked_body") or result["body"] or "")
        console.print(
            "  body          " + body.replace("\n", "\n" + " " * 16), highlight=False, markup=False
        )
    if failed:
        sys.exit(1)


class _People:
    """Who is who, from the config and its roster when they can be read; else nobody."""

    def __init__(self, settings: Settings | None, roster: dict[str, Auditor]) -> None:
        self.roster = roster
        self.director = settings.director.email.lower() if settings else None
        self.qa_team = settings.qa_team.email.lower() if settings else None
        self.heads = {auditor.head_of_service_email for auditor in roster.values()}
        names = [a.name for a in roster.values()] + [a.head_of_service for a in roster.values()]
        self.staff = tuple([*names, settings.director.name] if settings else names)

    def role_of(self, sender: str | None) -> Role | None:
        if sender is None:
            return None
        if sender == self.director:
            return Role.DIRECTOR
        if sender == self.qa_team:
            return Role.QA_TEAM
        if sender in self.heads:
            return Role.HEAD_OF_SERVICE
        return Role.AUDITOR if sender in self.roster else None


def _people(ctx: click.Context) -> _People:
    """The roster and config when --config names a readable one; parse-email needs neither."""
    path = Path(ctx.obj["config"])
    if not path.is_file():
        return _People(None, {})
    try:
        from bot.inputs.sheets import read_roster

        settings = load_settings(path)
        return _People(settings, read_roster(settings.roster).auditors)
    except (ConfigError, OSError):
        return _People(None, {})


@main.command()
@click.option("--month", "month_text", metavar="YYYY-MM", help="Default: every month.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per request, one per line.")
@click.pass_context
def requests(ctx: click.Context, month_text: str | None, as_json: bool) -> None:
    """The exemption requests with their state, flags and history."""
    from bot.commands.requests_view import list_requests, waiting_questions

    settings = _settings(ctx)
    try:
        month = Month.parse(month_text) if month_text else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--month") from None
    app = _open_app(settings)
    try:
        rows = list_requests(app, month)
        questions = waiting_questions(app, month)
    finally:
        app.close()
    if as_json:
        for row in [*rows, *questions]:
            print(json.dumps(row, default=str))
        return
    table = Table(title=f"Exemption requests{f' for {month.title}' if month else ''}")
    table.add_column("Ref", no_wrap=True)
    for column in ("Auditor", "Month", "Reason", "Flags", "State", "Earlier"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            row["ref"],
            row["auditor"],
            row["month"],
            row["reason"],
            ", ".join(row["flags"]),
            row["shown"],
            str(len(row["history"])),
        )
    console.print(table)
    console.print(f"{len(rows)} request{'s' if len(rows) != 1 else ''}", highlight=False)
    if questions:
        waiting = Table(title="Waiting for an answer to a question back")
        for column in ("Ref", "From", "Asked", "Asked again", "Choices"):
            waiting.add_column(column)
        for q in questions:
            waiting.add_row(
                q["ref"],
                q["sender"],
                q["asked_on"],
                q["asked_again_on"] or "",
                "; ".join(f"{n}. {line}" for n, line in enumerate(q["offered"], start=1)),
            )
        console.print(waiting)


@main.command()
@click.argument("email")
@click.option("--json", "as_json", is_flag=True, help="The whole record as one JSON document.")
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder for person-<address>.json and person-<address>.html.",
)
@click.option("--erase", is_flag=True, help="Delete what they wrote now, ahead of its period.")
@click.option("--yes", is_flag=True, help="With --erase: do not ask for confirmation.")
@click.pass_context
def person(
    ctx: click.Context, email: str, as_json: bool, out: Path | None, erase: bool, yes: bool
) -> None:
    """Everything held about one member of staff, for a subject access request."""
    from bot.commands.person_view import PARTS, gather, to_json, write

    if erase and as_json:
        # The erasure speaks to the person running it; JSON on the same output would break.
        raise click.UsageError("--erase does not go with --json: write the export with --out")
    settings = _settings(ctx)
    app = _open_app(settings)
    try:
        document = gather(app, email)
        if out is not None:
            for path in write(document, out):
                console.print(f"wrote {path}", highlight=False)
        if as_json:
            print(to_json(document))
        elif out is None and not erase:
            table = Table(title=f"Held about {document['email']}")
            table.add_column("What")
            table.add_column("Records", justify="right")
            for part, title in PARTS.items():
                table.add_row(title, str(len(document["parts"][part])))
            console.print(table)
        if erase:
            _erase_person(app, document["email"], _parse_at(None, settings), yes)
    finally:
        app.close()


def _erase_person(app: App, email: str, now: datetime, yes: bool) -> None:
    from bot.commands.person_view import ERASED, erasable
    from bot.commands.person_view import erase as erase_now
    from bot.core.retention import KEPT_ON_ERASURE

    counts = erasable(app, email, now)
    console.print(f"Erasing what {email} wrote deletes now:", highlight=False)
    for part, what in ERASED.items():
        console.print(f"  {counts[part]:>5}  {what}", highlight=False)
    console.print("It keeps, because:", highlight=False)
    for kept, why in KEPT_ON_ERASURE:
        console.print(f"  - {kept}: {why}", highlight=False)
    if not any(counts.values()):
        console.print("Nothing of theirs is left to erase.", highlight=False)
        return
    if not yes and not click.confirm("Erase it now? This cannot be undone", default=False):
        console.print("Nothing was erased.", highlight=False)
        return
    erased, files = erase_now(app, email, now)
    total = sum(erased.counts().values())
    console.print(
        f"Erased {total} record{'s' if total != 1 else ''} and {files} mail "
        f"file{'s' if files != 1 else ''}; recorded in the audit trail (person_erased).",
        highlight=False,
    )


@main.command()
@click.option("--open", "open_only", is_flag=True, help="Only actions not yet done.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per action, one per line.")
@click.option("--at", "at", metavar="TIME", help="Local time to count ages to.")
@click.pass_context
def actions(ctx: click.Context, open_only: bool, as_json: bool, at: str | None) -> None:
    """Actions for children: state, who holds them, owner and age in working days."""
    from bot.commands.actions_view import list_actions

    settings = _settings(ctx)
    today = _parse_at(at, settings).astimezone(settings.tz).date()
    app = _open_app(settings)
    try:
        rows = list_actions(app, today, open_only)
    finally:
        app.close()
    if as_json:
        for row in rows:
            print(json.dumps(row, default=str))
        return
    table = Table(title="Actions for children" + (" still open" if open_only else ""))
    table.add_column("Case", no_wrap=True)
    for column in ("Month", "Grade", "Head of Service", "Case team", "State", "Owner", "Age"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            row["case_ref"],
            row["month"],
            row["grade"] + (", concern" if row["concern"] else ""),
            row["head_of_service"],
            row["case_team"] or "not known",
            row["state"],
            row["owner"] or "",
            str(row["age_working_days"]),
        )
    console.print(table)
    console.print(f"{len(rows)} action{'s' if len(rows) != 1 else ''}", highlight=False)


@main.command()
@click.option("--month", "month_text", required=True, help="The month, such as 2021-05.")
@click.option("--json", "as_json", is_flag=True, help="The whole of it as one JSON object.")
@click.option("--at", "at", metavar="TIME", help="Local time to judge lateness at.")
@click.pass_context
def moderation(ctx: click.Context, month_text: str, as_json: bool, at: str | None) -> None:
    """A month's moderation: who moderates what, what is back, agreement so far."""
    from bot.commands.moderation_view import moderation_view

    settings = _settings(ctx)
    try:
        month = Month.parse(month_text)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--month") from None
    now = _parse_at(at, settings)
    app = _open_app(settings)
    try:
        view = moderation_view(app, month, now)
    finally:
        app.close()
    if as_json:
        print(json.dumps(view))
        return
    if view is None:
        console.print(f"No moderation for {month.title} yet.", highlight=False)
        return
    table = Table(title=f"Moderation of {month.title}: due {view['due']}")
    for column in ("Case", "Auditor", "Grade", "Moderator", "Moderated", "Steps apart"):
        table.add_column(column)
    for row in view["audits"]:
        steps = row["steps_apart"]
        table.add_row(
            row["case_ref"],
            row["auditor"],
            row["grade"] or "",
            row["moderator"] or "nobody outside the teams",
            row["moderated_grade"] or "not back",
            "" if steps is None else str(steps),
        )
    console.print(table)
    agreed = view["agreement"]
    console.print(
        f"{view['returned']} of {view['allocated']} back; agreement: {agreed['same']} same, "
        f"{agreed['one_step']} one step apart, {agreed['two_or_more']} two or more",
        highlight=False,
    )
    for email, cases in view["late"].items():
        console.print(f"late: {email}: {', '.join(cases)}", highlight=False)
    if view["not_given"]:
        cases = ", ".join(view["not_given"])
        if view["open"]:
            console.print(f"in time, not given for moderation yet: {cases}", highlight=False)
        else:
            said = "in time, not given for moderation before it closed: not moderated"
            console.print(f"{said}: {cases}", highlight=False)
    for problem in view["problems"]:
        console.print(f"[red]problem[/red] {problem}", highlight=False)


@main.command("verify-trail")
@click.pass_context
def verify_trail(ctx: click.Context) -> None:
    """Recompute the audit trail's hash chain; name the first broken event, exit 1 if any."""
    from bot.store.trail import GENESIS, anchor, verify

    app = _open_app(_settings(ctx))
    try:
        with app.engine.connect() as connection:
            count, head, broken = verify(connection)
            start = anchor(connection)
    finally:
        app.close()
    if broken is not None:
        console.print(
            f"[red]✗ the audit trail is broken at event {broken.event_id}[/red]: {broken.problem}"
            f" ({count - 1} events before it are intact)",
            highlight=False,
        )
        sys.exit(1)
    since = "" if start == GENESIS else f" from the anchor the last pruning recorded, {start}"
    console.print(
        f"[green]✓[/green] {count} events, chain intact{since}; head {head}", highlight=False
    )


@main.command()
@click.option(
    "--month",
    "month_text",
    metavar="YYYY-MM",
    help="Events about this month, and mail received or filed in it.",
)
@click.option("--csv", "as_csv", is_flag=True, help="CSV instead of JSON lines.")
@click.pass_context
def trail(ctx: click.Context, month_text: str | None, as_csv: bool) -> None:
    """Export the audit trail (who, what, when), oldest first."""
    import csv

    from bot.store.trail import rows

    try:
        month = Month.parse(month_text) if month_text else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--month") from None
    settings = _settings(ctx)
    app = _open_app(settings)
    try:
        with app.engine.connect() as connection:
            writer = None
            for row in rows(connection, month, settings.tz):
                if not as_csv:
                    print(json.dumps(row))
                    continue
                if writer is None:
                    writer = csv.DictWriter(sys.stdout, fieldnames=list(row))
                    writer.writeheader()
                writer.writerow(row)
    finally:
        app.close()


@main.command()
@click.pass_context
def doctor(ctx: click.Context) -> None:
    """Check a deployment: config, secrets, store, transport, inputs, disk, clock."""
    from bot.commands.doctor import diagnose

    findings = diagnose(ctx.obj["config"], datetime.now(UTC))
    marks = {"ok": "[green]✓[/green]", "warn": "[yellow]![/yellow]", "fail": "[red]✗[/red]"}
    for finding in findings:
        line = f"{marks[finding.level]} {finding.what}"
        if finding.fix:
            line += f"\n    → {finding.fix}"
        console.print(line, highlight=False)
    if any(f.level == "fail" for f in findings):
        sys.exit(1)


@main.command("check-connection")
@click.option("--send-test-to", metavar="ADDRESS", help="Also send a test message here.")
@click.pass_context
def check_connection_command(ctx: click.Context, send_test_to: str | None) -> None:
    """Check a real Microsoft 365 tenant: credentials, mailbox access, folders, sending."""
    from bot.commands.connection_check import check_connection

    results = check_connection(_settings(ctx), send_test_to)
    for result in results:
        mark = "[green]✓[/green]" if result.ok else "[red]✗[/red]"
        console.print(f"{mark} {result.name}: {result.detail}", highlight=False)
    if not all(r.ok for r in results):
        sys.exit(1)


@main.command()
@click.option("--at", "at", metavar="TIME", help="Local time to show it as of (default now).")
@click.option(
    "--to-file",
    "to_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write a self-contained HTML page instead of printing the text.",
)
@click.option(
    "--qa-copy",
    "qa_copy",
    is_flag=True,
    help="The QA team's copy: with the audit trail's newest hash.",
)
@click.pass_context
def digest(ctx: click.Context, at: str | None, to_file: Path | None, qa_copy: bool) -> None:
    """The director's weekly digest on demand, for a preview or a meeting. Never sent."""
    from bot.reporting.digests import director_digest, render_digest_html
    from bot.reporting.history_grades import store_parsed_grades

    settings = _settings(ctx)
    app = _open_app(settings)
    try:
        now = _parse_at(at, settings)
        as_of = at is not None  # looking back (or ahead): as it was at that time
        with app.engine.connect() as connection:
            if to_file is not None:
                page = render_digest_html(app, connection, now, as_of=as_of, qa_copy=qa_copy)
                to_file.write_text(page, encoding="utf-8")
                console.print(f"wrote {to_file}", highlight=False)
            else:
                plan = director_digest(app, connection, now, as_of=as_of, qa_copy=qa_copy)
                context = {**plan.context, "reference": None}
                text = app.renderer.render(plan.template, context).text
                console.print(text, highlight=False, markup=False)
        # The sheets a preview parsed, kept for the next digest.
        store_parsed_grades(app.engine, app.grade_summaries)
    finally:
        app.close()


@main.command()
@click.option("--month", "month_text", required=True, metavar="YYYY-MM")
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path(),
    show_default=True,
    help="Folder for report-YYYY-MM.xlsx and report-YYYY-MM.html.",
)
@click.pass_context
def report(ctx: click.Context, month_text: str, out: Path) -> None:
    """The month-end QA report: an XLSX workbook and a self-contained HTML page."""
    from bot.reporting.report import write_month_report

    settings = _settings(ctx)
    try:
        month = Month.parse(month_text)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--month") from None
    app = _open_app(settings)
    try:
        paths = write_month_report(app, month, out, _parse_at(None, settings))
    finally:
        app.close()
    for path in paths:
        console.print(f"wrote {path}", highlight=False)
