"""The long-lived parts a tick needs, opened once per process."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine

from bot.config import LocalMail, Settings
from bot.core.actions import ActionRules
from bot.core.cycle import CycleRules
from bot.core.exemptions import ExemptionRules
from bot.core.moderation import ModerationRules
from bot.inputs.in_force import ParsedSheets
from bot.mail.local import LocalTransport
from bot.mail.transport import Transport
from bot.render import Renderer
from bot.reporting.chart_cache import ChartCache
from bot.reporting.history_grades import GradeSummaries
from bot.store.db import open_engine
from bot.store.kv import StoreState


@dataclass
class App:
    settings: Settings
    engine: Engine
    transport: Transport
    renderer: Renderer
    # What this process has worked out from unchanged inputs, kept while it lives.
    charts: ChartCache = field(default_factory=ChartCache)  # the digests' and report's
    parsed_sheets: ParsedSheets = field(default_factory=ParsedSheets)
    grade_summaries: GradeSummaries = field(default_factory=GradeSummaries)

    @classmethod
    def open(cls, settings: Settings) -> App:
        engine = open_engine(settings.store)
        return cls(
            settings=settings,
            engine=engine,
            transport=make_transport(settings, engine),
            renderer=Renderer(
                settings.templates,
                council=settings.council,
                director_name=settings.director.name,
                audit_tool_url=settings.audit_tool_url,
            ),
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
            export_grace=self.settings.close.export_grace_working_days,
            director=self.settings.director.email,
            heads_up=schedule.heads_up_working_days,
        )

    @property
    def exemption_rules(self) -> ExemptionRules:
        settings = self.settings
        ex = settings.exemptions
        return ExemptionRules(
            mailbox=settings.mailbox,
            director_email=settings.director.email,
            director_name=settings.director.name,
            qa_team=settings.qa_team.email,
            council=settings.council,
            chase_after=ex.chase_after_working_days,
            escalate_after=ex.escalate_after_working_days,
            last_week_working_days=ex.last_week_working_days,
            last_week_chase_after=ex.last_week_chase_after_working_days,
            last_week_escalate_after=ex.last_week_escalate_after_working_days,
            director_chase_after=ex.director_chase_after_working_days,
            director_chase_every=ex.director_chase_every_working_days,
        )

    @property
    def action_rules(self) -> ActionRules:
        settings = self.settings
        return ActionRules(
            qa_team=settings.qa_team.email,
            director_email=settings.director.email,
            director_name=settings.director.name,
            council=settings.council,
            chase_after=settings.child_actions.chase_after_working_days,
            escalate_after=settings.child_actions.escalate_after_working_days,
        )

    @property
    def moderation_rules(self) -> ModerationRules:
        settings = self.settings
        return ModerationRules(
            sample=settings.moderation.share,
            due_working_days=settings.moderation.due_working_days,
            min_per_auditor=settings.moderation.min_per_auditor,
            starts=settings.moderation.starts,
            reminders=settings.schedule.reminders,
            qa_team=settings.qa_team.email,
            director_email=settings.director.email,
            director_name=settings.director.name,
            council=settings.council,
            audit_tool_url=settings.audit_tool_url,
        )

    def close(self) -> None:
        close = getattr(self.transport, "close", None)
        if close is not None:
            close()
        self.engine.dispose()


def make_transport(settings: Settings, engine: Engine) -> Transport:
    mail = settings.mail
    if isinstance(mail, LocalMail):
        return LocalTransport(mail.outbox, mail.inbox)
    from bot.mail.graph import GraphTransport  # requests and msal: only when Graph is used

    # The inbox's delta link lives in the store, so a restart resumes where it stopped.
    return GraphTransport.from_settings(mail, state=StoreState(engine))
