"""`auditbot doctor`: checks a deployment and says what to fix. Changes nothing."""

from __future__ import annotations

import os
import shutil
import stat
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from bot.commands.checks import check_inputs
from bot.config import ConfigError, LocalMail, Settings, load_settings
from bot.core import calendar as cal
from bot.core.retention import retention_health
from bot.render import BUILTIN_TEMPLATES
from bot.store import repo, retention
from bot.store.migrate import current_and_head

MIN_FREE_BYTES = 500 * 1024 * 1024


@dataclass(frozen=True)
class Finding:
    level: str  # ok | warn | fail
    what: str
    fix: str = ""


def diagnose(config: Path, now: datetime) -> list[Finding]:
    try:
        settings = load_settings(config)
    except ConfigError as exc:
        return [Finding("fail", "config", str(exc))]
    findings = [Finding("ok", f"config {config} is valid")]
    for check in (_secrets, _store, _transport, _inputs, _templates, _disk):
        try:
            findings += check(settings)
        except Exception as exc:  # a check that breaks is itself a finding, not a crash
            findings.append(
                Finding("fail", check.__name__.strip("_"), f"{type(exc).__name__}: {exc}")
            )
    try:
        findings += _retention(settings, now)
    except Exception as exc:  # as above: a finding, not a crash
        findings.append(Finding("fail", "retention", f"{type(exc).__name__}: {exc}"))
    findings += _clock(settings, now)
    return findings


def _secrets(settings: Settings) -> list[Finding]:
    if settings.mail.transport == "local":
        return [Finding("ok", "secrets: none needed by the local transport")]
    secret_file = os.environ.get("AUDITBOT_CLIENT_SECRET_FILE")
    certificate = getattr(settings.mail, "certificate_path", None)
    if certificate:
        if not Path(certificate).is_file():
            return [Finding("fail", "certificate", f"{certificate} does not exist")]
        return [Finding("ok", f"certificate {certificate} is present")]
    if os.environ.get("AUDITBOT_CLIENT_SECRET"):
        return [Finding("ok", "client secret is set in AUDITBOT_CLIENT_SECRET")]
    if secret_file and Path(secret_file).is_file():
        return [Finding("ok", f"client secret file {secret_file} is present")]
    return [
        Finding(
            "fail",
            "no client secret or certificate",
            "set certificate_path (preferred), AUDITBOT_CLIENT_SECRET, or "
            "AUDITBOT_CLIENT_SECRET_FILE",
        )
    ]


def _store(settings: Settings) -> list[Finding]:
    url = make_url(settings.store)
    findings = []
    if url.get_backend_name() == "sqlite" and url.database:
        path = Path(url.database)
        if not path.exists():
            return [
                Finding("warn", f"store {path} does not exist yet", "the first tick creates it")
            ]
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            findings.append(
                Finding("warn", f"store {path} is readable by others", f"chmod 600 {path}")
            )
    engine = create_engine(settings.store)
    try:
        current, head = current_and_head(engine)
    finally:
        engine.dispose()
    safe_url = url.render_as_string(hide_password=True)
    if current != head:
        findings.append(
            Finding(
                "fail",
                f"store {safe_url} is at schema {current}, code needs {head}",
                "run `auditbot tick` once (it migrates), or check which version is deployed",
            )
        )
    else:
        findings.append(Finding("ok", f"store {safe_url} is reachable and migrated ({head})"))
    return findings


def _retention(settings: Settings, now: datetime) -> list[Finding]:
    """How old the oldest raw mail held is, against its period, and whether the daily purge
    runs while ticks do."""
    url = make_url(settings.store)
    if url.get_backend_name() == "sqlite" and url.database and not Path(url.database).exists():
        return []  # said above: the first tick creates it
    engine = create_engine(settings.store)
    try:
        if current_and_head(engine)[0] is None:
            return []
        with engine.connect() as connection:
            oldest = retention.oldest_raw(connection)
            purged_on = retention.last_purged_on(connection)
            ticked = repo.last_tick(connection)
    finally:
        engine.dispose()
    local = now.astimezone(settings.tz)
    health = retention_health(local, settings.retention.rules, oldest, purged_on, ticked)
    return [Finding(h.level, h.what, h.fix) for h in health]


def _transport(settings: Settings) -> list[Finding]:
    if settings.mail.transport != "local":
        return [Finding("warn", "transport", "run `auditbot check-connection` for the tenant")]
    findings = []
    for name, folder in (("outbox", settings.mail.outbox), ("inbox", settings.mail.inbox)):
        if not folder.exists():
            findings.append(
                Finding(
                    "warn",
                    f"{name} maildir {folder} does not exist yet",
                    "the first tick creates it",
                )
            )
        elif not os.access(folder, os.W_OK):
            findings.append(
                Finding(
                    "fail", f"{name} maildir {folder} is not writable", f"check its owner: {folder}"
                )
            )
        elif stat.S_IMODE(folder.stat().st_mode) & 0o077:
            findings.append(
                Finding("warn", f"{name} maildir {folder} is open to others", f"chmod 700 {folder}")
            )
        else:
            findings.append(Finding("ok", f"{name} maildir {folder} is writable and private"))
    return findings


def _inputs(settings: Settings) -> list[Finding]:
    problems = check_inputs(settings)
    if problems:
        return [
            Finding(
                "warn", f"{len(problems)} problems in the roster and sheets", "run `auditbot check`"
            )
        ]
    return [Finding("ok", "roster and sheets are valid")]


def _templates(settings: Settings) -> list[Finding]:
    if settings.templates is None:
        return [Finding("ok", "templates: the built-in set")]
    if not settings.templates.is_dir():
        return [Finding("fail", f"templates folder {settings.templates} does not exist")]
    known = {p.relative_to(BUILTIN_TEMPLATES) for p in BUILTIN_TEMPLATES.rglob("*") if p.is_file()}
    unknown = [
        str(p.relative_to(settings.templates))
        for p in settings.templates.rglob("*")
        if p.is_file() and p.relative_to(settings.templates) not in known
    ]
    if unknown:
        return [
            Finding(
                "warn",
                f"override files that replace nothing: {', '.join(sorted(unknown))}",
                "check their names against templates/",
            )
        ]
    return [Finding("ok", f"template overrides in {settings.templates} all match built-in names")]


def _disk(settings: Settings) -> list[Finding]:
    # Where the bot writes: the outbox maildir, or on Graph the store and sheets' folder.
    mail = settings.mail
    folder = mail.outbox if isinstance(mail, LocalMail) else settings.roster.parent
    while not folder.exists():
        folder = folder.parent
    free = shutil.disk_usage(folder).free
    if free < MIN_FREE_BYTES:
        return [
            Finding("fail", f"only {free // 2**20} MB free under {folder}", "free some disk space")
        ]
    return [Finding("ok", f"{free // 2**30} GB free under {folder}")]


def _clock(settings: Settings, now: datetime) -> list[Finding]:
    local = now.astimezone(settings.tz)
    if local.year < 2024:
        return [Finding("fail", f"the clock says {local:%Y-%m-%d}", "set the system clock (NTP)")]
    day = cal.next_working_day(local.date())
    return [
        Finding(
            "ok",
            f"clock: {local:%a %d %b %Y %H:%M %Z} in {settings.timezone}; "
            f"next working day {day:%a %d %b}; mail goes from {settings.schedule.send_time:%H:%M}",
        )
    ]
