"""Is this a person's reply, an automatic reply, or a delivery failure?

No single header is reliable, so signals are combined. Bounces are checked first: a delivery
report about an out-of-office reply is still a delivery report. An automatic reply is named by
why it is one: a receipt, an out-of-office or acknowledgement by its words (automatic.py), or
only its headers.
"""

from __future__ import annotations

import re

from bot.core.replies import automatic
from bot.core.replies.envelope import is_address
from bot.core.replies.mime import Mail
from bot.core.replies.model import Kind

_DAEMONS = frozenset(
    {"mailer-daemon", "mailerdaemon", "mail-daemon", "maildaemon", "postmaster", "mdaemon"}
)
_BOUNCE_SUBJECT = re.compile(
    r"^\s*(undeliverable|undelivered mail|undeliverable mail|delivery status notification|"
    r"delivery (has )?failed|delivery failure|delivery notification|returned mail|"
    r"mail delivery failed|mail delivery failure|failure notice|non[- ]?delivery|"
    r"permanent delivery failure|message not delivered|could not deliver|"
    r"(e-?mail )?bounce notification|nicht zustellbar|unzustellbar|non remis|onbestelbaar|"
    r"no se puede entregar|non recapitabile|kan ikke leveres|ej levererat)",
    re.IGNORECASE,
)
# Boilerplate only delivery software writes: enough on its own.
_NDR_STRONG = re.compile(
    r"delivery has failed to these recipients or groups|your message couldn't be delivered|"
    r"your message could not be delivered|did not reach the following recipient|"
    r"delivery to the following recipients? failed|permanent fatal (delivery )?errors|"
    r"automatically generated delivery status notification|non-delivery report|"
    r"created automatically by mail delivery software|"
    r"sorry to have to inform you that your message could not",
)
# Phrases a person might also write: they count only with another sign.
_NDR_WEAK = re.compile(
    r"could not be delivered|couldn't be delivered|undeliverable|delivery failure|"
    r"was not delivered|wasn't delivered|was rejected|recipient address rejected|"
    r"mailbox unavailable|user unknown|mailbox full|message not delivered"
)
_AUTO_HEADERS = ("x-autoreply", "x-autorespond", "x-autoreply-from", "x-mail-autoreply")
_AUTO_PRECEDENCE = frozenset({"bulk", "junk", "auto_reply", "auto-reply", "list"})


def is_daemon(sender: str | None, mail: Mail) -> bool:
    """From MAILER-DAEMON or postmaster, with or without a domain."""
    if sender:
        return sender.partition("@")[0] in _DAEMONS
    raw = (mail.first("from") or "").strip().strip("<>").lower()
    return raw.partition("@")[0] in _DAEMONS


def empty_return_path(mail: Mail) -> bool:
    value = mail.first("return-path")
    return value is not None and value.strip().lower() in ("<>", "", "<mailer-daemon>")


def _auto_submitted(mail: Mail) -> bool:
    value = (mail.first("auto-submitted") or "").strip().lower()
    return bool(value) and not value.startswith("no")


def _precedence(mail: Mail) -> bool:
    return (mail.first("precedence") or "").strip().lower() in _AUTO_PRECEDENCE


_RECEIPTS = ("delivered", "relayed", "expanded")
_NOT_FAILED = ("delayed", *_RECEIPTS)  # a warning or a receipt, not a failure


def _report_blocks(reports: list[str]) -> list[tuple[dict[str, str], str]]:
    """Per-recipient field blocks of the delivery reports, with their action."""
    blocks: list[tuple[dict[str, str], str]] = []
    for report in reports:
        fields: dict[str, str] = {}
        for line in [*report.splitlines(), ""]:
            name, colon, value = line.partition(":")
            if colon:
                fields.setdefault(name.strip().lower(), value.strip())
            elif not line.strip():  # a blank line ends a block
                if "final-recipient" in fields or "original-recipient" in fields:
                    blocks.append((fields, fields.get("action", "failed").lower()))
                fields = {}
    return blocks


def _is_receipt(mail: Mail) -> bool:
    """A delivery report that only says the mail arrived ("Delivered:", "Relayed:")."""
    actions = {action for _, action in _report_blocks(mail.delivery_reports)}
    return bool(actions) and all(action.startswith(_RECEIPTS) for action in actions)


def _is_bounce(mail: Mail, sender: str | None, subject: str, text: str) -> bool:
    if mail.report_type == "delivery-status" or mail.delivery_reports:
        return not _is_receipt(mail)
    if mail.has("x-ms-exchange-message-is-ndr") or mail.has("x-failed-recipients"):
        return True
    if is_daemon(sender, mail) or _NDR_STRONG.search(text):
        return True
    other_sign = empty_return_path(mail) or _auto_submitted(mail) or _precedence(mail)
    if _BOUNCE_SUBJECT.match(subject) and (other_sign or _NDR_WEAK.search(text)):
        return True
    return bool(_NDR_WEAK.search(text)) and empty_return_path(mail)


def _has_automatic_headers(mail: Mail) -> bool:
    if _auto_submitted(mail) or _precedence(mail):
        return True
    for name in _AUTO_HEADERS:
        value = mail.first(name)
        if value is not None and value.strip().lower() not in ("no", "false", "0"):
            return True
    if (mail.first("x-autogenerated") or "").strip().lower() == "reply":
        return True
    # X-Auto-Response-Suppress is deliberately ignored: Outlook puts it on ordinary mail.
    return mail.has("x-ms-exchange-inbox-rules-loop") and empty_return_path(mail)


def _automatic(mail: Mail, subject: str, text: str) -> str | None:
    """Why a message that is not a bounce is automatic, or None for a person's."""
    if mail.disposition_report or mail.report_type == "disposition-notification":
        return "read_receipt"
    if _is_receipt(mail):
        return "read_receipt"  # a delivery receipt: the same "it arrived", from the server
    return automatic.by_content(subject, text) or (
        "headers" if _has_automatic_headers(mail) else None
    )


def classify(
    mail: Mail, sender: str | None, subject: str, new_text: str
) -> tuple[Kind, str | None]:
    """The kind of message, and for an automatic reply why it is one; ``new_text`` is the
    trimmed body, so a quoted or forwarded report inside a person's reply does not count."""
    flat = " ".join(new_text[:4000].split()).lower()
    if _is_bounce(mail, sender, subject, flat):
        return Kind.BOUNCE, None
    why = _automatic(mail, subject, flat)
    return (Kind.AUTO_REPLY, why) if why else (Kind.REPLY, None)


_ADDRESS = re.compile(r"(?<![\w.!#$%&'*+/=?^`{|}~-])[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)*")
_NDR_INTRO = re.compile(
    r"delivery has failed to these recipients or groups|did not reach the following recipient|"
    r"could not be delivered to the following|delivery to the following recipients? failed|"
    r"the following addresses? (?:had|did not|failed)|following recipients? (?:failed|could not)|"
    r"your message to \S+ couldn't be delivered|(?:target|recipient|original) "
    r"(?:mail |e-?mail )?address\s*:|^[ \t]*<[^>\s]+@[^>\s]+>:",
    re.IGNORECASE | re.MULTILINE,
)
_NDR_STOP = re.compile(
    r"diagnostic information for administrators|original message headers|"
    r"for email administrators|session transcript|old message:|-----|original message|"
    r"reporting-mta",
    re.IGNORECASE | re.MULTILINE,
)
_LIMIT = 100


def _add(found: list[str], address: str) -> None:
    # Whitespace first made plain, so a TAB or a folded line cannot hide inside an address;
    # then only a strictly valid address is kept, never free text from the report.
    address = " ".join(address[:1000].split()).strip("<>\"'").rstrip(".").lower()
    address = re.sub(r"^(?:smtp|sip|rfc822)[=:;]", "", address)  # Exchange's "SMTP=jo@x"
    if is_address(address) and address not in found and len(found) < _LIMIT:
        found.append(address)


def _from_reports(reports: list[str]) -> list[str]:
    found: list[str] = []
    for fields, action in _report_blocks(reports):
        if not action.startswith(_NOT_FAILED):
            for name in ("original-recipient", "final-recipient"):
                if name in fields:
                    _add(found, fields[name].rpartition(";")[2])
    return found


def _from_text(text: str) -> list[str]:
    found: list[str] = []
    for intro in _NDR_INTRO.finditer(text[:16000]):
        window = text[intro.start() : intro.start() + 3000]
        stop = _NDR_STOP.search(window, intro.end() - intro.start())
        for address in _ADDRESS.findall(window[: stop.start() if stop else None]):
            _add(found, address)
    return found


def bounced_recipients(mail: Mail, notification: str) -> tuple[str, ...]:
    """The failed addresses: from the DSN fields, X-Failed-Recipients, else the NDR text."""
    found = _from_reports(mail.delivery_reports)
    for value in mail.values("x-failed-recipients"):
        for address in _ADDRESS.findall(value):
            _add(found, address)
    return tuple(found or _from_text(notification))
