"""The short mails that answer an inbound message: acknowledgements, forwards, warnings.

Each is keyed by a digest of the inbound message's Message-ID, so a message answered
once is never answered again, however often it is read.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from bot.core import calendar as cal
from bot.core.exemptions import ExemptionRules
from bot.core.inbound import Action, Interpretation
from bot.core.keys import bounce_key, inbound_key, send_failed_key, will_answer_key
from bot.core.plans import FailedSend, MailPlan
from bot.core.records import Month
from bot.core.replies import Analysis
from bot.core.replies.cases import done_and_outstanding


def _base(analysis: Analysis, meaning: Interpretation, rules: ExemptionRules) -> dict[str, object]:
    request = meaning.request
    return {
        "sender": analysis.sender or "(no sender)",
        "subject": analysis.subject,
        "body": analysis.body,
        "why": meaning.why,
        "ref": request.ref if request else None,
        "state_label": request.state.label if request else None,
        "month": meaning.month.title if meaning.month else None,
        "name": meaning.auditor.name if meaning.auditor else None,
        "council": rules.council,
    }


def notices_for(
    action: Action,
    meaning: Interpretation,
    analysis: Analysis,
    message_ref: str,
    rules: ExemptionRules,
    today: date,
) -> list[MailPlan]:
    context = _base(analysis, meaning, rules)
    reference = meaning.request.token if meaning.request else analysis.reference
    sender = analysis.sender
    month = meaning.month or (meaning.request.month if meaning.request else None)

    def mail(
        suffix: str, template: str, to: str, cc: tuple[str, ...] = (), **extra: object
    ) -> MailPlan:
        return MailPlan(
            inbound_key(message_ref, suffix),
            template,
            (to,),
            context | extra,
            cc=cc,
            month=month,
            reference=reference,
        )

    if action is Action.BOUNCE and meaning.returned is not None:
        # Told once per failed address of each mail of ours, however often it is reported.
        return [
            MailPlan(
                bounce_key(meaning.returned.key, address),
                "bounce_notice",
                (rules.qa_team,),
                context | {"address": address},
            )
            for address in meaning.bounced
        ]
    if action is Action.QUARANTINE:
        return [mail("quarantined", "quarantined", rules.qa_team)]
    if action is Action.FORWARD:
        plans = [mail("forwarded", "forwarded", rules.qa_team)]
        if sender:
            # At most one "a person will answer" a day per sender: an auto-responder that
            # hides what it is cannot ping-pong with the bot.
            plans.append(
                MailPlan(
                    will_answer_key(sender, today),
                    "will_answer",
                    (sender,),
                    context,
                    month=month,
                    reference=reference,
                )
            )
        return plans
    if action is Action.AT_RISK and meaning.auditor is not None:
        head = meaning.auditor.head_of_service_email
        slipping = mail(
            "at-risk",
            "at_risk",
            head,
            cc=(rules.qa_team,),
            head=meaning.auditor.head_of_service or head,
            extension_example=cal.next_working_day(
                cal.deadline(month or Month.of(today)) + timedelta(days=7)
            ),
        )
        # On the auditor's thread: the QA team's reply to it (an extension) is bound to them.
        return [
            replace(slipping, about=meaning.auditor.email, auditor_thread=month is not None),
            mail("ack", "at_risk_ack", meaning.auditor.email),
        ]
    if action is Action.SELF_REPORT and meaning.auditor is not None:
        return [mail("ack", "completed_ack", meaning.auditor.email)]
    if action is Action.PART_DONE and meaning.auditor is not None:
        done, still = done_and_outstanding(analysis.body)
        return [mail("ack", "part_done_ack", meaning.auditor.email, done=done, still=still)]
    if action is Action.ALREADY_DECIDED and sender:
        return [mail("already-decided", "already_decided", sender)]
    if action is Action.NOT_YET and sender:
        return [mail("not-yet", "not_yet", sender)]
    if action is Action.MONTH_FINAL and sender and month is not None:
        extra = {"final_month": month.title, "decision": meaning.request is not None}
        return [mail("month-final", "month_final", sender, cc=(rules.qa_team,), **extra)]
    return []  # IGNORE and AUTO_REPLY: nothing is ever sent in answer to an automatic message


def failed_send_notices(failed: list[FailedSend], qa_team: str, council: str) -> list[MailPlan]:
    """The QA team hears once of each mail that could not be sent, with the reason."""
    return [
        MailPlan(
            send_failed_key(mail.key),
            "send_failed",
            (qa_team,),
            {
                "key": mail.key,
                "kind": mail.kind,
                "recipients": list(mail.recipients),
                "reason": mail.reason,
                "council": council,
            },
        )
        for mail in failed
    ]
