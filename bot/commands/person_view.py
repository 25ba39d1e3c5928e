"""`auditbot person EMAIL`: everything held about one member of staff, for the QA team to
review and send in answer to a subject access request; with ``--erase``, what they wrote
deleted ahead of its retention period, and what must stay said plainly."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment

from bot.app import App
from bot.core.records import Month
from bot.inputs.in_force import auditors_from_rows, read_month
from bot.purge import forget_files
from bot.store import person, repo, retention
from bot.store.retention import Purged
from bot.store.trail import append_event

# What each part holds, in the order the export shows them.
PARTS = {
    "roster": "Roster entries, each version the bot loaded",
    "allocations": "Cases allocated to audit",
    "completions": "Audits submitted (from the completions sheets)",
    "outcomes": "Each month's outcome",
    "moderations": "Audits given for moderation, as their auditor or their moderator",
    "mail_sent": "Mail the bot sent to or about them",
    "mail_received": "Mail received from them (the text while it is kept)",
    "requests": "Exemption requests (the words while they are kept) and decisions",
    "notes": "Notes: at risk, done, out of office",
    "questions": "Questions the bot asked back",
    "trail": "Audit trail events naming them",
}


def gather(app: App, email: str) -> dict[str, Any]:
    email = email.strip().lower()
    with app.engine.connect() as connection:
        held = person.records_of(connection, email)
        months = person.months_held(connection)
        stored = repo.latest_roster(connection)
    roster = auditors_from_rows(stored[1]) if stored is not None else {}
    completions = []
    for text in months:
        sheets = read_month(app.settings, Month.parse(text), roster, app.parsed_sheets)
        completions += [
            {
                "month": text,
                "case_ref": c.case_ref,
                "submitted_on": c.submitted_on.isoformat(),
                "grade": c.grade.value if c.grade else None,
            }
            for c in sheets.completions.values()
            if c.auditor_email == email
        ]
    held["completions"] = completions
    return {
        "email": email,
        "council": app.settings.council,
        "retention": app.settings.retention.model_dump(),
        "parts": {part: held.get(part, []) for part in PARTS},
    }


_HTML = Environment(autoescape=True).from_string(
    """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>What {{ council }} holds about {{ email }}</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:2em}
td,th{border:1px solid #999;padding:4px;vertical-align:top;text-align:left;font-size:90%}
pre{white-space:pre-wrap;margin:0}</style></head><body>
<h1>What {{ council }}'s audit bot holds about {{ email }}</h1>
<p>Raw mail and the words taken from it are kept {{ retention.raw_mail_months }} months
(quarantined mail {{ retention.quarantine_months }}); the audit trail
{{ retention.trail_years }} years.</p>
{% for part, title in titles.items() %}
<h2>{{ title }} ({{ parts[part]|length }})</h2>
{% if parts[part] %}{% set columns = parts[part][0].keys()|list %}
<table><tr>{% for c in columns %}<th>{{ c }}</th>{% endfor %}</tr>
{% for row in parts[part] %}<tr>{% for c in columns %}<td><pre>{{ show(row[c]) }}</pre></td>
{% endfor %}</tr>{% endfor %}</table>
{% else %}<p>None held.</p>{% endif %}
{% endfor %}
</body></html>
"""
)


def _show(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, default=str)
    return str(value)


def to_json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=False, default=str)


def to_html(document: dict[str, Any]) -> str:
    return _HTML.render(**document, titles=PARTS, show=_show)


def write(document: dict[str, Any], out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    stem = "person-" + document["email"].replace("@", "-at-")
    paths = [out / f"{stem}.json", out / f"{stem}.html"]
    for path, text in zip(paths, (to_json(document), to_html(document)), strict=True):
        path.write_text(text, encoding="utf-8")
        path.chmod(0o600)
    return paths


# What an erasure deletes, in the words the QA team reads before confirming it.
ERASED = {
    "raw_mail": "messages from them, and replies in their threads that quote them, as "
    "received (the store and the Processed folder)",
    "quarantine": "messages from them that were quarantined (the store and the folder)",
    "request_words": "exemption requests whose words they wrote",
    "note_words": "notes in their words (at risk, done, out of office)",
    "mail_bodies": "bodies of mail sent to or about them, or quoting their words",
}


def erasable(app: App, email: str, now: datetime) -> dict[str, int]:
    """What ``erase`` would delete now, counted without deleting anything."""
    with app.engine.connect() as connection:
        transaction = connection.begin()
        try:
            return retention.erase_person(connection, email, now).counts()
        finally:
            transaction.rollback()


def erase(app: App, email: str, now: datetime) -> tuple[Purged, int]:
    """Delete what ``email`` wrote, ahead of its period, as one transaction recorded in the
    trail (``person_erased``); what it deleted, and how many mail files went or were cut."""
    email = email.strip().lower()
    with app.engine.begin() as connection:
        erased = retention.erase_person(connection, email, now)
        # The folders first: a crash before the commit leaves the rows to be found again.
        files = forget_files(app, erased.raw_digests, erased.raw_keys, erased.sent_keys)
        append_event(
            connection,
            now,
            "person_erased",
            month=None,
            subject=email,
            detail={**erased.counts(), "files": files, "rule": "on request"},
        )
    if erased.anything:
        retention.reclaim(app.engine)
    return erased, files
