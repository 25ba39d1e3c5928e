"""Posting the director's digest to Teams as well. Best effort: the mail is what counts,
so a webhook failure is recorded and never blocks or repeats anything."""

from __future__ import annotations

import os
from datetime import datetime

from bot.app import App
from bot.core.plans import MailPlan
from bot.core.quality import Targets
from bot.mail.teams import TeamsWebhookError, digest_card, post_card
from bot.store import repo


def _facts(plan: MailPlan, targets: Targets) -> list[tuple[str, str]]:
    d = plan.detail

    def share(value: object) -> str:  # already a percentage, to one decimal place
        return "n/a" if value is None else f"{value}%"

    rate = d.get("rate")
    return [
        ("Complete", f"{d.get('complete')} of {d.get('allocated')} auditors"),
        ("Completion rate", "n/a" if rate is None else f"{rate}%"),
        ("Exempted", str(d.get("exempted"))),
        (
            "Good or better (3 months)",
            f"{share(d.get('good_or_better'))} (target at least {targets.good}%)",
        ),
        (
            "Inadequate (3 months)",
            f"{share(d.get('inadequate'))} (target under {targets.inadequate}%)",
        ),
    ]


def post_digest_card(app: App, plan: MailPlan, now: datetime) -> bool:
    teams = app.settings.teams
    assert teams is not None
    url = os.environ.get(teams.webhook_url_env)
    outcome, why = "teams_posted", ""
    if not url:
        outcome, why = "teams_failed", f"{teams.webhook_url_env} is not set"
    else:
        month = plan.detail.get("month", "")
        card = digest_card(
            f"Audit completion digest ({month}): the full digest is in your mail",
            _facts(plan, app.settings.targets.rules),
            teams.digest_link,
        )
        try:
            post_card(url, card, teams.timeout_seconds)
        except TeamsWebhookError as exc:
            outcome, why = "teams_failed", str(exc)
    with app.engine.begin() as connection:
        repo.add_event(connection, now, outcome, subject=plan.key, why=why)
    return outcome == "teams_posted"
