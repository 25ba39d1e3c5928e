"""The month-end QA report: an XLSX workbook and a self-contained HTML page.

Read-only: it looks at the store and the sheets and writes two files, nothing else. Until
the month is closed every figure is provisional, and both files say so.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from bot.app import App
from bot.core.keys import report_key
from bot.core.moderation import Agreement, Round
from bot.core.plans import MailPlan
from bot.core.quality import GradeMix, Targets
from bot.core.records import Grade, Month
from bot.core.report_figures import Report, build_report
from bot.moderation import read_round
from bot.reporting.chart_cache import ChartCache
from bot.reporting.digests import Chart, gather, three_charts
from bot.store import child_actions

REPORT_IMAGE_WIDTH = 720


def write_month_report(app: App, month: Month, out_dir: Path, now: datetime) -> list[Path]:
    """``report-2021-05.xlsx`` and ``report-2021-05.html`` in ``out_dir``; their paths."""
    report = month_report(app, month, now)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    workbook = out_dir / f"report-{month}.xlsx"
    page = out_dir / f"report-{month}.html"
    _write_atomically(workbook, lambda path: write_xlsx(report, path, app.settings.targets.rules))
    html = render_report_html(app, report)
    _write_atomically(page, lambda path: path.write_text(html, encoding="utf-8"))
    return [workbook, page]


def month_report(app: App, month: Month, now: datetime, moderation: Round | None = None) -> Report:
    """The month's report, with the moderated grades that have come back so far (those of
    ``moderation`` when the caller has just read them)."""
    with app.engine.connect() as connection:
        gathered = gather(app, connection, now, month)
        if moderation is None:
            moderation, _ = read_round(app.settings, connection, month)
        actions = child_actions.all_actions(connection, open_only=True)
    return build_report(gathered.current, gathered.history, gathered.local, moderation, actions)


def report_mail(
    app: App, month: Month, now: datetime, why: str, moderation: Round | None = None
) -> MailPlan:
    """The month's report to the QA team and the director: the workbook and the page
    attached, the headline figures in the mail. ``why``: "complete" (every moderated grade
    is back) or "due" (the moderation's due day has come)."""
    report = month_report(app, month, now, moderation)
    settings = app.settings
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"report-{month}.xlsx"
        write_xlsx(report, path, settings.targets.rules)
        workbook = path.read_bytes()
    page = render_report_html(app, report).encode()
    t, g = report.overall, report.grades
    targets = settings.targets.rules
    context = {
        "month": month.title,
        "month_id": str(month),
        "why": why,
        "director_name": settings.director.name,
        "council": settings.council,
        "final": report.final,
        "completion": t.rate,
        "complete": t.complete,
        "counted": t.counted,
        "graded": g.graded,
        "good_or_better": g.good_or_better_share,
        "inadequate": g.inadequate_share,
        "meets_good": targets.meets_good(g),
        "meets_inadequate": targets.meets_inadequate(g),
        "targets": targets,
        "moderation": report.moderation,
        "open_actions": len(report.open_actions),
        "exemptions": len(report.exemptions),
    }
    return MailPlan(
        key=report_key(month),
        template="report_month",
        to=(settings.qa_team.email, settings.director.email),
        context=context,
        month=month,
        attachments={f"report-{month}.xlsx": workbook, f"report-{month}.html": page},
    )


def _write_atomically(path: Path, write: Callable[[Path], object]) -> None:
    """Never leave half a report where the old one was: write aside, then rename."""
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(handle)
    temporary = Path(name)
    try:
        write(temporary)
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)


# -- HTML ------------------------------------------------------------------------------------


def report_charts(report: Report, cache: ChartCache, targets: Targets) -> list[Chart]:
    month = report.month
    title = f"{month.title}: completion by team{'' if report.closed else ' so far'}"
    trend, grades = report.trend, report.quality.trend
    scope = "all teams"
    return three_charts("report", month, title, report.teams, trend, grades, scope, cache, targets)


def render_report_html(app: App, report: Report) -> str:
    shown = report_charts(report, app.charts, app.settings.targets.rules)
    audits: dict[str, list[Any]] = {}
    for audit in report.audits:
        audits.setdefault(audit.auditor_email, []).append(audit)
    context = {
        "r": report,
        "charts": {
            c.cid.rpartition("-")[2]: c.view(inline=False, width=REPORT_IMAGE_WIDTH) for c in shown
        },
        "audits_of": audits,
        "team_grades": dict(report.team_grades),
        "council": app.settings.council,
        "director": app.settings.director.name,
        "targets": app.settings.targets.rules,
    }
    return app.renderer.env.get_template("report/report.html").render(context)


# -- XLSX ------------------------------------------------------------------------------------

# (header, column width) of each sheet's columns.
TEAM_COLUMNS = [
    ("Head of Service", 24), ("Team", 30), ("Allocated", 10), ("Complete", 10),
    ("Exempted", 10), ("Missed", 10), ("Late", 8), ("Outstanding", 12),
    ("Completion rate", 15), ("Graded", 9), ("Good or better", 15), ("Inadequate", 12),
    ("Not graded", 11),
]  # fmt: skip
AUDITOR_COLUMNS = [
    ("Name", 24), ("Email", 34), ("Team", 26), ("Head of Service", 22), ("Cases", 7),
    ("Outcome", 36), ("All in on", 11), ("Exemption", 17), ("Reason", 30), ("Decision", 13),
    ("Decided by", 18), ("Decided at", 17), ("Graded", 8), ("Good or better", 8),
    ("Requires improvement", 8), ("Inadequate", 8), ("Not graded", 8),
]  # fmt: skip
AUDIT_COLUMNS = [
    ("Case reference", 18), ("Audit type", 15), ("Auditor email", 34), ("Team", 26),
    ("Submitted on", 13), ("Status", 18), ("Grade", 22), ("Moderated grade", 22),
]  # fmt: skip
EXEMPTION_COLUMNS = [
    ("Request", 17), ("Auditor", 22), ("Email", 32), ("Team", 24), ("Head of Service", 22),
    ("Reason", 34), ("Asked at", 17), ("Warning signs", 30), ("Head of Service's answer", 26),
    ("Answered at", 17), ("Where it stands", 30), ("Decision", 13), ("Decided by", 20),
    ("Decided at", 17),
]  # fmt: skip
AGREEMENT_COLUMNS = [
    ("Auditor or team", 30), ("Email", 34), ("Compared", 10), ("Same grade", 11),
    ("One step apart", 14), ("Two or more steps apart", 22),
]  # fmt: skip
ACTION_COLUMNS = [
    ("Case reference", 18), ("Month", 9), ("Grade", 22), ("Concern", 9), ("Auditor", 24),
    ("Head of Service told", 32), ("Told on", 11), ("Where it stands", 24), ("Owner", 20),
    ("By", 11),
]  # fmt: skip
TREND_COLUMNS = [
    ("Month", 10), ("Complete", 10), ("Not exempted", 13), ("Completion rate", 15),
    ("Graded", 9), ("Good or better", 15), ("Inadequate", 12),
]  # fmt: skip


def write_xlsx(report: Report, path: Path, targets: Targets) -> None:
    """One sheet per table. Write-only, and plain values wherever a format is not needed:
    openpyxl's cost is per cell (dates and times get its ISO formats, unambiguous anyway)."""
    book = Workbook(write_only=True)
    bold = Font(bold=True)

    def sheet(title: str, columns: list[tuple[str, int]]) -> WriteOnlyWorksheet:
        ws = book.create_sheet(title)
        for index, (_, width) in enumerate(columns):
            ws.column_dimensions[get_column_letter(index + 1)].width = width
        ws.freeze_panes = "A2"
        ws.append([_cell(ws, header, font=bold) for header, _ in columns])
        return ws

    summary = sheet("Summary", [("Figure", 46), ("Value", 22), ("Target", 28)])
    _summary(report, summary, bold, targets)
    _teams(report, sheet("By team", TEAM_COLUMNS))
    ws = sheet("Auditors", AUDITOR_COLUMNS)
    for a in report.auditors:
        row, g, decided = a.row, a.grades, a.decision
        ws.append([
            row.name, row.email, row.team, row.head_name, row.cases, a.outcome, row.late_on,
            a.exemption.ref if a.exemption else None,
            a.exemption.reason_label if a.exemption else None,
            decided.outcome if decided else None, decided.by if decided else None,
            _local(decided.at) if decided else None,
            g.graded, g.good_or_better, g.requires_improvement, g.inadequate, g.ungraded,
        ])  # fmt: skip
    ws = sheet("Audits", AUDIT_COLUMNS)
    for audit in report.audits:
        ws.append([
            audit.case_ref, audit.audit_type, audit.auditor_email, audit.team,
            audit.submitted_on, audit.status, _label(audit.grade),
            _label(audit.moderated_grade),
        ])  # fmt: skip
    ws = sheet("Exemptions", EXEMPTION_COLUMNS)
    for request, decided in report.exemptions:
        ws.append([
            request.ref, request.auditor_name, request.auditor_email, request.team,
            request.head_label, request.reason_label, _local(request.requested_at),
            ", ".join(request.flags), request.head_decision, _local(request.head_decided_at),
            request.state.label, decided.outcome if decided else None,
            decided.by if decided else None, _local(decided.at) if decided else None,
        ])  # fmt: skip
    if report.moderation is not None:
        ws = sheet("Moderation agreement", AGREEMENT_COLUMNS)
        agreed = report.moderation.agreements
        rows: list[tuple[str, str | None, Agreement]] = [("Everyone", None, agreed.overall)]
        rows += [(name, email, part) for email, name, part in agreed.by_auditor]
        rows += [(f"Team: {team}", None, part) for team, part in agreed.by_team]
        for label, email, part in rows:
            ws.append([label, email, part.compared, part.same, part.one_step, part.two_or_more])
    ws = sheet("Actions for children", ACTION_COLUMNS)
    for action in report.open_actions:
        ws.append([
            action.case_ref, str(action.month), action.grade_label,
            "yes" if action.concern else "no", action.auditor_name,
            f"{action.holder.head_name} ({action.holder.head_email})", action.opened_on,
            action.state.label, action.owner, action.due,
        ])  # fmt: skip
    ws = sheet("Themes", [("Theme", 40), ("Audits", 10)])
    for theme, count in report.themes:
        ws.append([theme, count])
    ws = sheet("Trend", TREND_COLUMNS)
    grades = dict(report.quality.trend)
    for point in report.trend:
        mix = grades.get(point.month, GradeMix())
        ws.append([
            str(point.month), point.complete, point.counted,
            _fraction(ws, point.complete, point.counted), mix.graded,
            _fraction(ws, mix.good_or_better, mix.graded),
            _fraction(ws, mix.inadequate, mix.graded),
        ])  # fmt: skip
    book.save(path)


def _cell(
    ws: WriteOnlyWorksheet, value: Any, *, font: Font | None = None, number_format: str = ""
) -> Cell:
    cell = WriteOnlyCell(ws, value=value)
    if font is not None:
        cell.font = font
    if number_format:
        cell.number_format = number_format
    return cell


def _local(value: datetime | None) -> datetime | None:
    """Excel has no time zones: the council's local time, as people read it."""
    return value.replace(tzinfo=None) if value is not None else None


def _fraction(ws: WriteOnlyWorksheet, part: int, whole: int) -> Cell | None:
    if whole <= 0:
        return None
    return _cell(ws, part / whole, number_format="0.0%")


def _summary(report: Report, ws: WriteOnlyWorksheet, bold: Font, targets: Targets) -> None:
    t, g = report.overall, report.grades
    status = (
        "closed: final"
        if report.final
        else "closed: provisional (audits submitted in time may still appear in a later export)"
        if report.closed
        else "still open: provisional figures"
    )

    def small(text: str) -> str:
        return f"{text} (small number)" if g.small else text

    rows: Iterable[list[Any]] = [
        ["Month", report.month.title, None],
        ["Status", status, None],
        ["Deadline", report.deadline, None],
        ["Report made", _local(report.now), None],
        ["Auditors allocated", t.allocated, None],
        ["Complete in time", t.complete, None],
        ["Of them, complete by an extension's date", t.extended, None],
        ["Exempted", t.exempted, None],
        ["Missed", t.missed, None],
        ["Late (not counted)", t.late, None],
        ["Outstanding (month still open)", t.outstanding + t.self_reported, None],
        ["Completion rate (exempted left out)", _fraction(ws, t.complete, t.counted), None],
        ["Audits allocated (exempted auditors left out)", report.audit_counts.allocated, None],
        ["Audits submitted in time", report.audit_counts.in_time, None],
        ["Completion by audit", _fraction(ws, report.audit_counts.in_time,
                                          report.audit_counts.allocated), None],
        ["Audits graded (submitted in time)", g.graded, None],
        [small("Good or better"), _fraction(ws, g.good_or_better, g.graded),
         f"at least {targets.good}%: " + _verdict(targets.meets_good(g))],
        [small("Requires improvement"), _fraction(ws, g.requires_improvement, g.graded), None],
        [small("Inadequate"), _fraction(ws, g.inadequate, g.graded),
         f"less than {targets.inadequate}%: " + _verdict(targets.meets_inadequate(g))],
        ["Audits without a grade", g.ungraded, None],
        ["Audits submitted late (left out of the grades)", g.late, None],
        *_moderation_rows(report),
        ["Actions for children still open", len(report.open_actions), None],
        ["Exemption requests", len(report.exemptions), None],
        ["Audit trail: newest event", report.trail_event, None],
        ["Audit trail: its hash", report.trail_head, None],
    ]  # fmt: skip
    for row in rows:
        ws.append([_cell(ws, row[0], font=bold), row[1], row[2]])


def _label(grade: Grade | None) -> str:
    return grade.value.replace("_", " ") if grade else ""


def _moderation_rows(report: Report) -> list[list[Any]]:
    m = report.moderation
    if m is None:
        return [["Moderation", "none for the month", None]]
    a = m.agreements.overall
    late = "; ".join(f"{p.name}: {', '.join(p.cases)}" for p in m.late)
    return [
        ["Moderation due", m.due, None],
        ["Audits given for moderation", m.allocated, None],
        ["Moderated grades back", m.returned, None],
        ["Moderation outstanding at the due day", late or "none", None],
        ["Audits no moderator could take", ", ".join(m.unallocated) or "none", None],
        ["Moderated: same grade", a.same, None],
        ["Moderated: one step apart", a.one_step, None],
        ["Moderated: two or more steps apart", a.two_or_more, None],
    ]


def _verdict(met: bool | None) -> str:
    return {True: "met", False: "not met", None: "no graded audits"}[met]


def _teams(report: Report, ws: WriteOnlyWorksheet) -> None:
    grades = dict(report.team_grades)
    for team in report.teams:
        t, g = team.tally, grades.get(team.key, GradeMix())
        ws.append([
            team.head, team.label, t.allocated, t.complete, t.exempted, t.missed, t.late,
            t.outstanding + t.self_reported, _fraction(ws, t.complete, t.counted), g.graded,
            _fraction(ws, g.good_or_better, g.graded), _fraction(ws, g.inadequate, g.graded),
            g.ungraded,
        ])  # fmt: skip
