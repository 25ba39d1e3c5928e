"""The long-lived parts a tick needs, opened once per process."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from bot.config import Settings
from bot.core.cycle import CycleRules
from bot.core.exemptions import ExemptionRules
from bot.mail.local import LocalTransport
from bot.mail.transport import Transport
from bot.render import Renderer
from bot.store.db import open_engine


@dataclass
class App:
    settings: Settings
    engine: Engine
    transport: Transport
    renderer: Renderer

    @classmethod
    def open(cls, settings: Settings) -> App:
        return cls(
            settings=settings,
            engine=open_engine(settings.store),
            transport=make_transport(settings),
            renderer=Renderer(settings.templates, council=settings.council),
        )

    @property
    def rules(self) -> CycleRules:
        schedule = self.settings.schedule
        return CycleRules(
            send_time=schedule.send_time,
            reminders=schedule.reminders,
            copy_head_of_service_from_stage=schedule.copy_head_of_service_from_stage,
            qa_team=self.settings.qa_team.email,
            council=self.settings.council,
        )

    @property
    def exemption_rules(self) -> ExemptionRules:
        settings = self.settings
        return ExemptionRules(
            mailbox=settings.mailbox,
            director_email=settings.director.email,
            director_name=settings.director.name,
            qa_team=settings.qa_team.email,
            council=settings.council,
            chase_after=settings.exemptions.chase_after_working_days,
            escalate_after=settings.exemptions.escalate_after_working_days,
            last_week_days=settings.exemptions.last_week_days,
        )

    def close(self) -> None:
        self.engine.dispose()


def make_transport(settings: Settings) -> Transport:
    mail = settings.mail
    if mail.transport == "local":
        return LocalTransport(mail.outbox, mail.inbox)
    raise ValueError(f"unknown mail transport {mail.transport!r}")  # pragma: no cover
