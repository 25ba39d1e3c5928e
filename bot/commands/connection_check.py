"""``auditbot check-connection``: can the bot reach the council's mailbox, and if not, why?

Each step says in plain words what works and, when something is missing, what an
administrator has to change: which Graph application permission, which consent, which
mailbox scoping. Steps that depend on an earlier one are skipped once it fails.
"""

from __future__ import annotations

import email
import email.policy
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from bot.core.keys import connection_check_key
from bot.mail.graph import GraphMail, GraphTransport
from bot.mail.graph_auth import CredentialError, TokenError
from bot.mail.graph_http import GraphConnectionError, GraphError
from bot.mail.message import KEY_HEADER, OutgoingMail, new_message_id

NEEDED_ROLES = ("Mail.ReadWrite", "Mail.Send")
CONSENT = (
    "in Entra ID > App registrations > the bot's app > API permissions, add Microsoft Graph "
    "application permission {role} and press 'Grant admin consent'"
)
SCOPING = (
    "the app is not allowed into {mailbox}: add the mailbox to the app's scope (Exchange "
    "Online RBAC for Applications: New-ManagementScope + New-ManagementRoleAssignment, or an "
    "application access policy: New-ApplicationAccessPolicy -AccessRight RestrictAccess) and "
    "allow up to an hour for the change to reach Exchange"
)
TOKEN_HINTS = {
    "AADSTS7000215": "the client secret is wrong: copy the secret's Value (not its ID) into "
    "AUDITBOT_CLIENT_SECRET",
    "AADSTS7000222": "the client secret has expired: create a new one under Certificates & secrets",
    "AADSTS700016": "no app with this client_id in this tenant: check client_id and tenant_id",
    "AADSTS90002": "no such tenant: check tenant_id (and authority for a national cloud)",
    "AADSTS700027": "the certificate was not accepted: upload its public part (.cer) to the "
    "app's Certificates & secrets, and check certificate_thumbprint",
    "AADSTS1002012": "the token scope was refused: graph_url must be the Graph root for this cloud",
    "authority_unreachable": "the sign-in service did not answer for this tenant: check "
    "tenant_id, authority and the network (or proxy)",
    "token_endpoint_unreachable": "the token endpoint could not be reached: check the network, "
    "proxy and TLS trust (REQUESTS_CA_BUNDLE)",
}


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str

    def __str__(self) -> str:
        return f"[{'ok' if self.ok else 'FAIL'}] {self.name}: {self.detail}"


def check_connection(
    settings: Any,
    send_test_to: str | None,
    *,
    now: datetime | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    sent_items_wait: float = 30.0,
) -> list[CheckResult]:
    """Run the checks for ``settings.mail`` (a ``GraphMail``); the first failure that makes
    later steps meaningless ends the list."""
    mail = settings.mail
    if not isinstance(mail, GraphMail):
        return [
            CheckResult(
                "configuration",
                False,
                f"mail.transport is {mail.transport!r}: "
                "set mail: {transport: graph, tenant_id, client_id, mailbox}",
            )
        ]
    results = [
        CheckResult(
            "configuration",
            True,
            f"Graph at {mail.graph_url}, mailbox "
            f"{mail.mailbox}, tenant {mail.tenant_id}, app {mail.client_id}",
        )
    ]
    try:
        transport = GraphTransport.from_settings(mail, clock=clock, sleep=sleep)
    except CredentialError as exc:
        return [*results, CheckResult("credentials", False, str(exc))]
    kind = "certificate" if mail.certificate_path else "client secret"
    results.append(CheckResult("credentials", True, f"{kind} loaded"))
    try:
        results += _token(transport)
        if not results[-1].ok and results[-1].name == "token":
            return results
        results.append(_step("read the inbox", mail.mailbox, lambda: _read_inbox(transport)))
        if not results[-1].ok:
            return results
        results.append(
            _step("Processed and Quarantine folders", mail.mailbox, lambda: _folders(transport))
        )
        results.append(
            _step(
                "out-of-office look-up (getMailTips)",
                mail.mailbox,
                lambda: _mailtips(transport, send_test_to or mail.mailbox),
            )
        )
        if send_test_to:
            moment = now or datetime.now(UTC)  # the command line is an edge: it may read the clock
            results += _send_test(
                transport, mail.mailbox, send_test_to, moment, sleep, sent_items_wait
            )
    finally:
        transport.close()
    return results


def _token(transport: GraphTransport) -> list[CheckResult]:
    try:
        token = transport.http.tokens.token()
    except TokenError as exc:
        code = next((c for c in TOKEN_HINTS if c in f"{exc.code} {exc.detail}"), None)
        hint = TOKEN_HINTS.get(code or "", "the sign-in service refused the app")
        return [CheckResult("token", False, f"{hint} ({exc})")]
    results = [CheckResult("token", True, "app-only token issued by the tenant")]
    roles = [role for role in token.roles() if role.startswith("Mail.")]
    missing = [role for role in NEEDED_ROLES if role not in roles]
    if not roles:
        # Exchange RBAC for Applications grants access in Exchange, not in the token.
        results.append(
            CheckResult(
                "permissions",
                True,
                (
                    "the token carries no Mail permission from Entra: right if access is granted "
                    "through Exchange RBAC for Applications (the calls below prove it); otherwise "
                    + "; ".join(CONSENT.format(role=role) for role in NEEDED_ROLES)
                ),
            )
        )
    elif missing:
        detail = "; ".join(CONSENT.format(role=role) for role in missing)
        results.append(CheckResult("permissions", False, f"missing {', '.join(missing)}: {detail}"))
    else:
        results.append(
            CheckResult(
                "permissions",
                True,
                (
                    f"granted in Entra: {', '.join(roles)} (tenant-wide unless an application "
                    "access policy or an RBAC for Applications scope limits the app to its mailbox)"
                ),
            )
        )
    return results


def _step(name: str, mailbox: str, action: Callable[[], str]) -> CheckResult:
    try:
        return CheckResult(name, True, action())
    except GraphError as exc:
        return CheckResult(name, False, _explain(exc, mailbox))
    except (GraphConnectionError, TokenError) as exc:
        return CheckResult(name, False, f"Graph could not be reached: {exc}")
    except ValueError as exc:
        return CheckResult(name, False, str(exc))


def _explain(exc: GraphError, mailbox: str, role: str = "Mail.ReadWrite") -> str:
    said = f"(Graph said {exc.status} {exc.code}: {exc.message})"
    if exc.status == 403 and ("AccessPolicy" in exc.message or "RAOP" in exc.message):
        return f"{SCOPING.format(mailbox=mailbox)} {said}"
    if exc.status == 403:
        return (
            f"access denied: either the {role} application permission lacks admin consent "
            f"({CONSENT.format(role=role)}), or {SCOPING.format(mailbox=mailbox)} {said}"
        )
    if exc.status == 404 or exc.code in ("ErrorInvalidUser", "MailboxNotEnabledForRESTAPI"):
        return (
            f"no Exchange Online mailbox {mailbox}: check mail.mailbox (a licensed or "
            f"shared mailbox in this tenant) {said}"
        )
    if exc.status == 401:
        return f"Graph refused the token: check tenant_id and graph_url for this cloud {said}"
    return f"unexpected answer {said}"


def _read_inbox(transport: GraphTransport) -> str:
    folder = transport.http.get_json(
        f"{transport.user_path}/mailFolders('inbox')",
        {"$select": "id,totalItemCount,unreadItemCount"},
    )
    return f"inbox holds {folder.get('totalItemCount', '?')} messages"


def _folders(transport: GraphTransport) -> str:
    for name in ("Processed", "Quarantine"):
        transport.folder_id(name)
    created = transport.created_folders
    return f"created {', '.join(created)}" if created else "both already exist"


def _mailtips(transport: GraphTransport, address: str) -> str:
    tips = transport.mailtips([address])
    if address.lower() not in tips:
        return f"answered, but not for {address} (not a recipient Exchange knows?)"
    return f"{address} has automatic replies {'on' if tips[address.lower()] else 'off'}"


def _send_test(
    transport: GraphTransport,
    mailbox: str,
    to: str,
    now: datetime,
    sleep: Callable[[float], None],
    wait: float,
) -> list[CheckResult]:
    key = connection_check_key(now, uuid.uuid4().hex[:8])
    mail = OutgoingMail(
        key=key,
        sender=mailbox,
        to=[to],
        cc=[],
        subject="Audit bot: connection check",
        text="This is a test from the audit bot. No action is needed.\n",
        html="<p>This is a test from the audit bot. No action is needed.</p>",
        message_id=new_message_id(mailbox),
    )
    try:
        transport.send(mail, now)
    except GraphError as exc:
        return [CheckResult("send a test message", False, _explain(exc, mailbox, "Mail.Send"))]
    except Exception as exc:
        return [CheckResult("send a test message", False, f"{type(exc).__name__}: {exc}")]
    results = [CheckResult("send a test message", True, f"Graph accepted a message to {to}")]
    waited = 0.0
    while not transport.was_sent(key):
        if waited >= wait:
            results.append(
                CheckResult(
                    "find it in Sent Items",
                    False,
                    f"not there after {wait:g} s: the bot settles lost sends "
                    "by this look-up, so find out why before going live",
                )
            )
            return results
        sleep(2.0)
        waited += 2.0
    results.append(CheckResult("find it in Sent Items", True, f"found by its key {key}"))
    results.append(
        _step("headers on the sent copy", mailbox, lambda: _sent_headers(transport, key))
    )
    return results


def _sent_headers(transport: GraphTransport, key: str) -> str:
    found = transport.find_sent(key)
    if found is None:
        raise ValueError("the sent copy vanished between two look-ups")
    raw = transport.http.request(
        "GET", f"{transport.user_path}/messages/{quote(found, safe='')}/$value"
    )
    sent = email.message_from_bytes(raw.content, policy=email.policy.default)
    if sent.get(KEY_HEADER) != key:
        raise ValueError(f"{KEY_HEADER} is not on the sent copy: Graph dropped the x- header")
    shown = [h for h in ("Auto-Submitted", "X-Auto-Response-Suppress") if sent.get(h)]
    missing = [h for h in ("Auto-Submitted", "X-Auto-Response-Suppress") if not sent.get(h)]
    detail = f"{KEY_HEADER} and {', '.join(shown) or 'no other'} present"
    if missing:
        detail += f"; not shown on the Sent Items copy: {', '.join(missing)}"
    return detail
