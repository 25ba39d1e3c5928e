"""The weekly digests: gather from the store and the sheets for ``now``, figure, chart, plan.

The figures are bot.core.digest's; this module only reads (never writes) and renders charts.
Each digest is a MailPlan with a per-week key, so the tick sends it at most once a week.
"""

from __future__ import annotations

import base64
import struct
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, func, or_, select

from bot import sheets
from bot.app import App
from bot.config import Settings
from bot.core import digest as core
from bot.core.completion import furthest_behind
from bot.core.digest import (
    Digest,
    Frozen,
    HistoryInputs,
    MonthInputs,
    OutcomeCount,
    RatePoint,
    digest_due,
    director_key,
    head_key,
)
from bot.core.exemption_figures import NOTE_LABELS, ExemptionFact, NoteFact
from bot.core.exemptions import State
from bot.core.plans import MailPlan
from bot.core.quality import (
    GOOD_OR_BETTER_TARGET,
    INADEQUATE_LIMIT,
    SMALL_NUMBER,
    GradeMix,
    MonthGrades,
    full_months,
    month_grades,
)
from bot.core.records import Auditor, Month
from bot.core.replies import Reason
from bot.inputs import read_month, roster_in_force
from bot.store import repo
from bot.store import requests as store
from bot.store.schema import events, exemptions, notes, outbox, outcomes
from bot.store.trail import GENESIS

__all__ = [
    "digest_due",
    "director_digest",
    "render_digest_html",
    "team_digests",
    "weekly_digests",
    "with_data_uris",
]

LIST_LIMIT = 25  # rows per list in the director's digest; Heads of Service see all of theirs
MAIL_IMAGE_WIDTH = 592  # the mail layout's content width


# -- gathering -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Gathered:
    local: datetime
    roster: dict[str, Auditor]
    current: MonthInputs
    history: HistoryInputs


def gather(app: App, connection: Connection, now: datetime, month: Month | None = None) -> Gathered:
    """Everything a digest (or the report for ``month``) looks at, read once: the roster in
    force, the month's sheets, one query per table, and each history month's completions
    sheet (cached by file identity, so a sheet is parsed once until it changes)."""
    if now.tzinfo is None:
        raise ValueError("the digest needs an aware datetime")
    settings = app.settings
    local = now.astimezone(settings.tz)
    month = month or Month.of(local.date())
    roster = roster_in_force(settings, connection, now, remember=False).auditors
    current = month_inputs(app, connection, month, roster)
    first = month.plus(1 - core.TREND_MONTHS)
    grades = {m: completion_grades(settings, m) for m in full_months(month, core.TREND_MONTHS)}
    if current.frozen is not None or month < Month.of(local.date()):
        grades[month] = month_grades(month, current.completions.values())
    trail_event, trail_head = _trail_head(connection)
    history = HistoryInputs(
        outcome_counts=_outcome_counts(connection, first, month),
        requests=_requests(connection, first, local),
        notes=_notes(connection, month, settings),
        grades=grades,
        last_month_heads=_heads_of(connection, month.previous(), roster),
        director=settings.director.name,
        trail_head=trail_head,
        trail_event=trail_event,
    )
    return Gathered(local, roster, current, history)


def month_inputs(
    app: App, connection: Connection, month: Month, roster: dict[str, Auditor]
) -> MonthInputs:
    month_sheets = read_month(app.settings, month, roster)
    frozen = None
    if month in repo.closed_months(connection, [month]):
        frozen = {
            o.email: Frozen(
                o.email, o.name, o.team, o.head_of_service_email, o.outcome, o.cases, o.late_on
            )
            for o in repo.load_outcomes(connection, month)
        }
    return MonthInputs(
        month=month,
        roster=roster,
        allocations=month_sheets.allocations,
        completions=month_sheets.completions,
        exempted=store.exempted(connection, month),
        self_reported=store.noted(connection, month, "self_reported"),
        held_back=month_sheets.held_back,
        frozen=frozen,
    )


_GRADES_CACHE: OrderedDict[tuple[object, ...], MonthGrades] = OrderedDict()
_GRADES_CACHE_SIZE = 48
_GRADES_LOCK = threading.Lock()


def completion_grades(settings: Settings, month: Month) -> MonthGrades:
    """A month's completions sheet reduced to grade counts; a missing sheet counts empty."""
    path, _ = sheets.find_month_sheet(settings.completions, month)
    if path is None:
        return MonthGrades(month, sheet_found=False)
    try:
        stat = path.stat()
    except OSError:
        return MonthGrades(month, sheet_found=False)
    key = (str(path), stat.st_mtime_ns, stat.st_size, settings.case_ref_pattern, month)
    with _GRADES_LOCK:
        cached = _GRADES_CACHE.get(key)
        if cached is not None:
            _GRADES_CACHE.move_to_end(key)
            return cached
    sheet = sheets.read_completions(path, settings.case_ref_regex)
    grades = month_grades(month, sheet.completions)
    with _GRADES_LOCK:
        _GRADES_CACHE[key] = grades
        while len(_GRADES_CACHE) > _GRADES_CACHE_SIZE:
            _GRADES_CACHE.popitem(last=False)
    return grades


def _outcome_counts(connection: Connection, first: Month, last: Month) -> tuple[OutcomeCount, ...]:
    c = outcomes.c
    query = (
        select(c.month, c.head_of_service_email, c.outcome, func.count().label("n"))
        .where(c.month >= str(first), c.month <= str(last))
        .group_by(c.month, c.head_of_service_email, c.outcome)
    )
    return tuple(
        OutcomeCount(Month.parse(r.month), r.head_of_service_email, r.outcome, r.n)
        for r in connection.execute(query)
    )


def _requests(connection: Connection, first: Month, local: datetime) -> tuple[ExemptionFact, ...]:
    """Requests for the trend window, any still undecided, and any decided in the last week.
    The free-text words are not read: a digest names reasons, never circumstances."""
    since = local - timedelta(days=8)
    c = exemptions.c
    columns = [
        c.month,
        c.number,
        c.auditor_email,
        c.auditor_name,
        c.team,
        c.head_email,
        c.head_name,
        c.reason,
        c.state,
        c.requested_at,
        c.after_allocation,
        c.last_week,
        c.no_head_response,
        c.head_decided_at,
        c.decided_at,
    ]
    query = (
        select(*columns)
        .where(
            or_(
                c.month >= str(first),
                c.state.in_([State.AWAITING_HEAD, State.AWAITING_DIRECTOR]),
                c.decided_at >= since,
                c.head_decided_at >= since,
            )
        )
        .order_by(c.month, c.number)
    )
    rows = connection.execute(query).all()
    tz = local.tzinfo
    escalated = _escalations(connection, [r for r in rows if r.no_head_response], tz)

    def at(value: datetime | None) -> datetime | None:
        return value.astimezone(tz) if value is not None else None

    facts = []
    for r in rows:
        ref = f"EXM-{r.month}-{r.number:03d}"
        facts.append(
            ExemptionFact(
                ref=ref,
                month=Month.parse(r.month),
                auditor_email=r.auditor_email,
                auditor_name=r.auditor_name,
                team=r.team,
                head_email=r.head_email,
                head_name=r.head_name,
                reason=Reason(r.reason),
                state=State(r.state),
                requested_at=r.requested_at.astimezone(tz),
                after_allocation=r.after_allocation,
                last_week=r.last_week,
                no_head_response=r.no_head_response,
                head_decided_at=at(r.head_decided_at),
                decided_at=at(r.decided_at),
                escalated_at=escalated.get(ref),
            )
        )
    return tuple(facts)


def _escalations(connection: Connection, rows: list[Any], tz: Any) -> dict[str, datetime]:
    """When each request went to the director without its Head of Service, from the trail."""
    if not rows:
        return {}
    refs = {f"EXM-{r.month}-{r.number:03d}" for r in rows}
    query = select(events.c.subject, events.c.at).where(
        events.c.month.in_({r.month for r in rows}),
        events.c.kind == "request_escalated",
        events.c.subject.in_(refs),
    )
    return {r.subject: r.at.astimezone(tz) for r in connection.execute(query)}


def _notes(connection: Connection, month: Month, settings: Settings) -> tuple[NoteFact, ...]:
    query = select(notes.c.auditor_email, notes.c.kind, notes.c.at).where(
        notes.c.month == str(month), notes.c.kind.in_(list(NOTE_LABELS))
    )
    return tuple(
        NoteFact(r.auditor_email, r.kind, r.at.astimezone(settings.tz))
        for r in connection.execute(query)
    )


def _heads_of(connection: Connection, month: Month, roster: dict[str, Auditor]) -> dict[str, str]:
    """Whose service each auditor's ``month`` audits belong to for follow-up: their Head of
    Service now (the one who can act), else the one frozen at the month's close."""
    query = select(outcomes.c.auditor_email, outcomes.c.head_of_service_email).where(
        outcomes.c.month == str(month)
    )
    heads = {r.auditor_email: r.head_of_service_email for r in connection.execute(query)}
    heads.update({email: a.head_of_service_email for email, a in roster.items()})
    return heads


def _trail_head(connection: Connection) -> tuple[int, str]:
    """The newest event's number and hash (bot.store.trail.head, with its position)."""
    row = connection.execute(
        select(events.c.id, events.c.hash).order_by(events.c.id.desc()).limit(1)
    ).first()
    return (row.id, row.hash) if row else (0, GENESIS)


# -- charts and context ------------------------------------------------------------------------


@dataclass(frozen=True)
class Chart:
    cid: str
    png: bytes
    alt: str

    @property
    def size(self) -> tuple[int, int]:
        width, height = struct.unpack(">II", self.png[16:24])  # the PNG IHDR chunk
        return width, height

    def view(self, inline: bool, width: int = MAIL_IMAGE_WIDTH) -> dict[str, object]:
        pixels_wide, pixels_high = self.size
        if inline:
            src = f"cid:{self.cid}"
        else:
            src = "data:image/png;base64," + base64.b64encode(self.png).decode()
        return {
            "src": src,
            "alt": self.alt,
            "width": width,
            "height": round(pixels_high * width / pixels_wide),
        }


def digest_charts(d: Digest, prefix: str) -> list[Chart]:
    from bot import charts  # matplotlib takes a second to import: only when charts are made

    scope = f"{d.head_name}'s service" if d.head_email else "all teams"
    return [
        Chart(
            f"{prefix}-teams",
            charts.completion_by_team(d.teams, f"{d.month.title}: completion by team so far"),
            teams_alt(d.teams, d.month, scope),
        ),
        Chart(
            f"{prefix}-trend",
            charts.completion_trend(d.trend, f"Completion rate by month, {scope}"),
            trend_alt(d.trend, scope),
        ),
        Chart(
            f"{prefix}-grades",
            charts.grade_trend(d.quality.trend, f"Grades of audits by month, {scope}"),
            grades_alt(d.quality.trend, scope),
        ),
    ]


def teams_alt(groups: Sequence[core.Group], month: Month, scope: str) -> str:
    shown = furthest_behind(groups)
    rated = [g for g in groups if g.tally.rate is not None]
    text = f"Bar chart: share of auditors complete in each team, {month.title}, {scope}."
    if len(shown) < len(groups):
        text += f" It shows the {len(shown)} teams furthest behind, of {len(groups)}."
    if rated:
        low = min(rated, key=lambda g: (g.tally.rate or 0, g.label))
        high = max(rated, key=lambda g: (g.tally.rate or 0, g.label))
        text += f" Lowest {low.label} {low.tally.rate}%, highest {high.label} {high.tally.rate}%."
    return text + " The same figures are in the table."


def trend_alt(points: Iterable[RatePoint], scope: str) -> str:
    parts = []
    for p in points:
        label = f"{p.month.first_day:%b %Y}"
        if p.rate is None:
            parts.append(f"{label} no figures")
        else:
            parts.append(f"{label} {p.rate}%{' so far' if p.so_far else ''}")
    return f"Line chart: monthly completion rate, {scope}: " + "; ".join(parts) + "."


def grades_alt(points: Iterable[tuple[Month, GradeMix]], scope: str) -> str:
    parts = []
    for month, mix in points:
        label = f"{month.first_day:%b %Y}"
        if not mix.graded:
            parts.append(f"{label} no graded audits")
        else:
            small = " (small number)" if mix.small else ""
            parts.append(
                f"{label} {mix.good_or_better_share}% good or better, "
                f"{mix.inadequate_share}% inadequate{small}"
            )
    return (
        f"Line chart: grades of audits by month against the targets (at least "
        f"{GOOD_OR_BETTER_TARGET}% good or better, under {INADEQUATE_LIMIT}% inadequate), "
        f"{scope}: " + "; ".join(parts) + "."
    )


def _context(app: App, d: Digest, shown: list[Chart], inline: bool) -> dict[str, object]:
    return {
        "d": d,
        "charts": {c.cid.rpartition("-")[2]: c.view(inline) for c in shown},
        "council": app.settings.council,
        "director": app.settings.director.name,
        "limit": LIST_LIMIT if d.head_email is None else 100_000,
        "targets": {
            "good": GOOD_OR_BETTER_TARGET,
            "inadequate": INADEQUATE_LIMIT,
            "small": SMALL_NUMBER,
        },
    }


def _detail(d: Digest) -> dict[str, object]:
    """What the outbox row keeps of the digest: the headline figures, as sent."""
    q = d.quality.combined
    return {
        "month": str(d.month),
        "allocated": d.overall.allocated,
        "complete": d.overall.complete,
        "exempted": d.overall.exempted,
        "rate": d.overall.rate,
        "good_or_better": q.good_or_better_share,
        "inadequate": q.inadequate_share,
        "graded": q.graded,
        "trail_head": d.trail_head,
    }


# -- the plans -----------------------------------------------------------------------------


def _day(app: App, local: datetime) -> date:
    due = digest_due(local, time(0, 0), app.settings.digest.weekday)
    return due or core.digest_day(local.date(), app.settings.digest.weekday) or (local.date())


def _director_plan(app: App, g: Gathered) -> MailPlan:
    d = core.build_digest(g.current, g.history, g.local, day=_day(app, g.local))
    shown = digest_charts(d, "digest")
    return MailPlan(
        key=director_key(d.day),
        template="digest",
        to=(app.settings.director.email,),
        context=_context(app, d, shown, inline=True),
        month=d.month,
        detail=_detail(d),
        images={c.cid: c.png for c in shown},
    )


def _head_plans(app: App, g: Gathered, skip: Iterable[str] = ()) -> list[MailPlan]:
    if not app.settings.digest.head_of_service_digests:
        return []
    day = _day(app, g.local)
    done = set(skip)
    everyone = core.standings(g.current)  # once for every Head of Service
    plans = []
    for head, _ in core.heads_with_auditors(g.roster):
        key = head_key(day, head)
        if key in done:
            continue
        d = core.build_digest(g.current, g.history, g.local, head, day=day, everyone=everyone)
        shown = digest_charts(d, "team")
        plans.append(
            MailPlan(
                key=key,
                template="team_digest",
                to=(head,),
                context=_context(app, d, shown, inline=True),
                month=d.month,
                detail=_detail(d),
                images={c.cid: c.png for c in shown},
            )
        )
    return plans


def director_digest(app: App, connection: Connection, now: datetime) -> MailPlan:
    """The director's digest for ``now``'s week (built whether or not it is due)."""
    return _director_plan(app, gather(app, connection, now))


def team_digests(app: App, connection: Connection, now: datetime) -> list[MailPlan]:
    """One digest per Head of Service with active auditors; none when switched off."""
    if not app.settings.digest.head_of_service_digests:
        return []
    return _head_plans(app, gather(app, connection, now))


def weekly_digests(app: App, connection: Connection, now: datetime) -> list[MailPlan]:
    """For the tick: the digests due by ``now`` and not yet in the outbox, gathered once.
    Nothing before the week's digest day and send time, and only this week's: no burst."""
    settings = app.settings
    local = now.astimezone(settings.tz)
    day = digest_due(local, settings.schedule.send_time, settings.digest.weekday)
    if day is None:
        return []
    roster = roster_in_force(settings, connection, now, remember=False).auditors
    wanted = {director_key(day)}
    if settings.digest.head_of_service_digests:
        wanted |= {head_key(day, h) for h, _ in core.heads_with_auditors(roster)}
    recorded = set(connection.scalars(select(outbox.c.key).where(outbox.c.key.in_(wanted))))
    if wanted <= recorded:
        return []  # the usual case: every tick after the week's digests went
    g = gather(app, connection, now)
    plans = [] if director_key(day) in recorded else [_director_plan(app, g)]
    return plans + _head_plans(app, g, skip=recorded)


def with_data_uris(html: str, images: Mapping[str, bytes]) -> str:
    """A mail's HTML with its ``cid:`` images swapped for data: URIs: one file to open."""
    for cid, png in images.items():
        uri = "data:image/png;base64," + base64.b64encode(png).decode()
        html = html.replace(f'src="cid:{cid}"', f'src="{uri}"')
    return html


def render_digest_html(app: App, connection: Connection, now: datetime) -> str:
    """The director's digest as one self-contained HTML page, charts as data: URIs."""
    g = gather(app, connection, now)
    d = core.build_digest(g.current, g.history, g.local, day=_day(app, g.local))
    shown = digest_charts(d, "digest")
    return app.renderer.render("digest", _context(app, d, shown, inline=False)).html
