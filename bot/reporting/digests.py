"""The weekly digests: gather from the store and the sheets for ``now``, figure, chart, plan.

The figures are bot.core.digest_figures's; this module only reads (never writes) and renders charts.
Each digest is a MailPlan with a per-week key, so the tick sends it at most once a week.
"""

from __future__ import annotations

import base64
import struct
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import Connection

from bot.app import App
from bot.core import digest_figures as core
from bot.core.completion import furthest_behind
from bot.core.digest_figures import (
    Digest,
    RatePoint,
    digest_due,
)
from bot.core.keys import digest_director_key, digest_head_key, digest_qa_key
from bot.core.plans import MailPlan
from bot.core.quality import GradeMix, Targets
from bot.core.records import Month
from bot.inputs.in_force import roster_in_force
from bot.reporting.chart_cache import ChartCache
from bot.reporting.gather import Gathered, gather
from bot.store import repo

__all__ = [
    "digest_due",
    "director_digest",
    "gather",
    "render_digest_html",
    "team_digests",
    "weekly_digests",
    "with_data_uris",
]

LIST_LIMIT = 25  # rows per list in the director's digest; Heads of Service see all of theirs
MAIL_IMAGE_WIDTH = 592  # the mail layout's content width


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


def digest_charts(d: Digest, prefix: str, cache: ChartCache, targets: Targets) -> list[Chart]:
    scope = f"{d.head_name}'s service" if d.head_email else "all teams"
    title = f"{d.month.title}: completion by team so far"
    grades = d.quality.trend
    return three_charts(prefix, d.month, title, d.teams, d.trend, grades, scope, cache, targets)


def three_charts(
    prefix: str,
    month: Month,
    teams_title: str,
    teams: Sequence[core.Group],
    trend: Sequence[RatePoint],
    grades: Sequence[tuple[Month, GradeMix]],
    scope: str,
    cache: ChartCache,
    targets: Targets,
) -> list[Chart]:
    """Completion by team, the completion trend and the grade trend, each with its alt text:
    the digests' and the month report's charts, drawn unless ``cache`` holds them already."""
    from bot.reporting import (
        charts,  # matplotlib takes a second to import: only when charts are made
    )

    return [
        Chart(
            f"{prefix}-teams",
            cache.png(charts.completion_by_team, teams, teams_title),
            teams_alt(teams, month, scope),
        ),
        Chart(
            f"{prefix}-trend",
            cache.png(charts.completion_trend, trend, f"Completion rate by month, {scope}"),
            trend_alt(trend, scope),
        ),
        Chart(
            f"{prefix}-grades",
            cache.png(charts.grade_trend, grades, f"Grades of audits by month, {scope}", targets),
            grades_alt(grades, scope, targets),
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


def grades_alt(points: Iterable[tuple[Month, GradeMix]], scope: str, targets: Targets) -> str:
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
        f"{targets.good}% good or better, under {targets.inadequate}% inadequate), "
        f"{scope}: " + "; ".join(parts) + "."
    )


def _context(
    app: App,
    d: Digest,
    shown: list[Chart],
    inline: bool,
    *,
    as_of: bool = False,
    qa_copy: bool = False,
) -> dict[str, object]:
    return {
        "as_of": d.now if as_of else None,
        # The QA team's copy of the director's digest: the same figures, no buttons to
        # decide with, and the trail's head, which is theirs to check.
        "qa_copy": qa_copy,
        "mailbox": app.settings.mailbox,
        "d": d,
        "charts": {c.cid.rpartition("-")[2]: c.view(inline) for c in shown},
        "council": app.settings.council,
        "director": app.settings.director.name,
        "limit": LIST_LIMIT if d.head_email is None else 100_000,
        "targets": app.settings.targets.rules,
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


def _director_plans(
    app: App, g: Gathered, as_of: bool = False, skip: Iterable[str] = ()
) -> list[MailPlan]:
    """The director's digest and the QA team's copy of it (not those in ``skip``)."""
    d = core.build_digest(g.current, g.history, g.local, day=_day(app, g.local))
    shown = digest_charts(d, "digest", app.charts, app.settings.targets.rules)
    copies = [
        (digest_director_key(d.day), app.settings.director.email, False),
        (digest_qa_key(d.day), app.settings.qa_team.email, True),
    ]
    return [
        MailPlan(
            key=key,
            template="digest",
            to=(to,),
            context=_context(app, d, shown, inline=True, as_of=as_of, qa_copy=qa_copy),
            month=d.month,
            detail=_detail(d),
            images={c.cid: c.png for c in shown},
        )
        for key, to, qa_copy in copies
        if key not in skip
    ]


def _head_plans(app: App, g: Gathered, skip: Iterable[str] = ()) -> list[MailPlan]:
    if not app.settings.digest.head_of_service_digests:
        return []
    day = _day(app, g.local)
    done = set(skip)
    everyone = core.standings(g.current)  # once for every Head of Service
    plans = []
    for head, _ in core.heads_with_auditors(g.roster):
        key = digest_head_key(day, head)
        if key in done:
            continue
        d = core.build_digest(g.current, g.history, g.local, head, day=day, everyone=everyone)
        shown = digest_charts(d, "team", app.charts, app.settings.targets.rules)
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


def director_digest(
    app: App, connection: Connection, now: datetime, *, as_of: bool = False, qa_copy: bool = False
) -> MailPlan:
    """The director's digest for ``now``'s week (built whether or not it is due), or with
    ``qa_copy`` the QA team's copy; with ``as_of``, as it was at ``now``
    (bot.reporting.gather says how far)."""
    director, qa = _director_plans(app, gather(app, connection, now, as_of=as_of), as_of)
    return qa if qa_copy else director


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
    roster = roster_in_force(settings, connection, now, app.parsed_sheets, remember=False).auditors
    wanted = {digest_director_key(day), digest_qa_key(day)}
    if settings.digest.head_of_service_digests:
        wanted |= {digest_head_key(day, h) for h, _ in core.heads_with_auditors(roster)}
    recorded = repo.recorded_keys(connection, wanted)
    if wanted <= recorded:
        return []  # the usual case: every tick after the week's digests went
    g = gather(app, connection, now)
    return _director_plans(app, g, skip=recorded) + _head_plans(app, g, skip=recorded)


def with_data_uris(html: str, images: Mapping[str, bytes]) -> str:
    """A mail's HTML with its ``cid:`` images swapped for data: URIs: one file to open."""
    for cid, png in images.items():
        uri = "data:image/png;base64," + base64.b64encode(png).decode()
        html = html.replace(f'src="cid:{cid}"', f'src="{uri}"')
    return html


def render_digest_html(
    app: App, connection: Connection, now: datetime, *, as_of: bool = False, qa_copy: bool = False
) -> str:
    """The director's digest (or the QA team's copy) as one self-contained HTML page,
    charts as data: URIs."""
    g = gather(app, connection, now, as_of=as_of)
    d = core.build_digest(g.current, g.history, g.local, day=_day(app, g.local))
    shown = digest_charts(d, "digest", app.charts, app.settings.targets.rules)
    context = _context(app, d, shown, inline=False, as_of=as_of, qa_copy=qa_copy)
    return app.renderer.render("digest", context).html
